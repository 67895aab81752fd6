using System.ComponentModel;

namespace WasmHarness.Jit;

/// <summary>
/// Written by <c>harness compile</c> (<see cref="CompiledModule.Save(string)"/>) on the assembly it produces: the module
/// the code was compiled from and what the code depends on. Read by <see cref="CompiledModule.Load"/>, never by user code.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly)]
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class CompiledWasmModuleAttribute(int format, string engineBuild, string moduleSha256, string codeGeneration, byte[] module) : Attribute
{
    /// <summary>The layout of the file.</summary>
    public int Format { get; } = format;

    /// <summary>The build of the runtime that compiled it (its module version id).</summary>
    public string EngineBuild { get; } = engineBuild;

    /// <summary>SHA-256 of <see cref="Module"/>, lowercase hex.</summary>
    public string ModuleSha256 { get; } = moduleSha256;

    /// <summary>The engine settings that shaped the code (e.g. <c>fuel=on</c>).</summary>
    public string CodeGeneration { get; } = codeGeneration;

    /// <summary>The module's binary form.</summary>
#pragma warning disable CA1819 // an attribute argument can only be an array
    public byte[] Module { get; } = module;
#pragma warning restore CA1819
}
