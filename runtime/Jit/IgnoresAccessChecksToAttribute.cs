namespace System.Runtime.CompilerServices;

/// <summary>
/// Read by the .NET runtime (by name) on an assembly: its code may use the non-public types and members of the named
/// assembly. The JIT's saved assemblies (<see cref="WasmHarness.Jit.JitAssembly"/>) carry it for this runtime, so
/// that their code calls the same internal helpers as the in-memory JIT's dynamic methods.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
internal sealed class IgnoresAccessChecksToAttribute(string assemblyName) : Attribute
{
    /// <summary>The assembly whose non-public members may be used.</summary>
    public string AssemblyName { get; } = assemblyName;
}
