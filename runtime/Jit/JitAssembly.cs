using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.Loader;
using System.Security.Cryptography;

namespace WasmHarness.Jit;

/// <summary>
/// Ahead-of-time output of the JIT: a module's compiled code saved as a .NET assembly (like wasmtime's
/// <c>.cwasm</c>), written with <see cref="PersistedAssemblyBuilder"/> from the same IL the in-memory JIT emits.
/// The file holds one type, <see cref="CodeTypeName"/>, with a public static method per compiled function
/// (<c>f{index}</c>) and its entry thunk (<c>e{index}</c>); the module's own bytes, their SHA-256, the runtime
/// build that compiled them and the code-generation settings are in a <see cref="CompiledWasmModuleAttribute"/>.
/// Loading checks all of that before any of the file's code can run: a file compiled by another build of the
/// runtime, with other settings, or whose module bytes were changed, is refused with a message saying which.
/// </summary>
internal static class JitAssembly
{
    /// <summary>The layout of the file; a reader refuses any other.</summary>
    /// 2: compiled functions take their call depth before the context (stop 33).
    public const int FormatVersion = 2;

    /// <summary>The type that holds the compiled functions.</summary>
    public const string CodeTypeName = "WasmHarness.Compiled.Code";

    public static string FunctionName(int index) => $"f{index}";

    public static string EntryName(int index) => $"e{index}";

    /// <summary>
    /// The build of the runtime: the module version id of this assembly. Compiled code calls the runtime's helpers
    /// and reads its types' fields, so only the exact build that wrote a file may run it.
    /// </summary>
    public static string EngineBuild { get; } = typeof(JitAssembly).Assembly.ManifestModule.ModuleVersionId.ToString();

    /// <summary>The engine options that change the emitted code; a file runs only on an engine with the same.</summary>
    public static string CodeGeneration(Engine engine)
    {
        if (engine.Options.GuestCoverage is not null)
        {
            throw new NotSupportedException("code with guest-coverage probes cannot be saved: its edge map lives in one process");
        }
        if (engine.FaultRewrite is not null)
        {
            throw new NotSupportedException("code with injected faults is not saved");
        }
        if (engine.Options.JitInterruptChecks)
        {
            throw new NotSupportedException("code with interrupt checks is not saved");
        }
        return $"fuel={(engine.Options.Fuel is null ? "off" : "on")}";
    }

    /// <summary>Compiles every function of <paramref name="validated"/> and writes the assembly to <paramref name="output"/>.</summary>
    public static void Write(Engine engine, Validation.ValidatedModule validated, byte[] wasm, Stream output)
    {
        var settings = CodeGeneration(engine);
        var hash = Convert.ToHexStringLower(SHA256.HashData(wasm));
        var name = new AssemblyName($"wasm-{hash[..16]}") { Version = new Version(1, 0, 0, 0) };
        var assembly = new PersistedAssemblyBuilder(name, typeof(object).Assembly);
        var module = assembly.DefineDynamicModule(name.Name!);
        GrantAccess(assembly, typeof(JitAssembly).Assembly.GetName().Name!);
        var attribute = typeof(CompiledWasmModuleAttribute).GetConstructor([typeof(int), typeof(string), typeof(string), typeof(string), typeof(byte[])])!;
        assembly.SetCustomAttribute(new CustomAttributeBuilder(attribute, [FormatVersion, EngineBuild, hash, settings, wasm]));
        var type = module.DefineType(CodeTypeName, TypeAttributes.Public | TypeAttributes.Abstract | TypeAttributes.Sealed | TypeAttributes.Class);
        JitModule.WriteTo(engine, validated, type);
        type.CreateType();
        assembly.Save(output);
    }

    /// <summary>
    /// Lets the written code use the runtime's internal types and helpers, as the in-memory JIT's dynamic methods do
    /// (<c>skipVisibility</c>): the runtime honours <c>IgnoresAccessChecksToAttribute</c> on an assembly, found by name.
    /// The attribute type is the runtime's own (an attribute type defined in the written assembly itself makes a file
    /// the loader refuses).
    /// </summary>
    private static void GrantAccess(AssemblyBuilder assembly, string runtime) =>
        assembly.SetCustomAttribute(new CustomAttributeBuilder(
            typeof(System.Runtime.CompilerServices.IgnoresAccessChecksToAttribute).GetConstructor([typeof(string)])!, [runtime]));

    /// <summary>
    /// Loads a file <see cref="Write"/> made, checks it (format, runtime build, settings of <paramref name="engine"/>,
    /// module hash) and returns the module bytes it was compiled from and its code type. The assembly is loaded into a
    /// collectible context of its own, so it is unloaded when nothing uses its code any more.
    /// </summary>
    public static (byte[] Wasm, Type Code) Load(Engine engine, string path)
    {
        byte[] image;
        try
        {
            image = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IncompatibleCodeException($"{path}: {e.Message}", e);
        }
        var context = new AssemblyLoadContext($"wasm code {Path.GetFileName(path)}", isCollectible: true);
        Assembly assembly;
        try
        {
            assembly = context.LoadFromStream(new MemoryStream(image));
        }
        catch (BadImageFormatException e)
        {
            context.Unload();
            throw new IncompatibleCodeException($"{path} is not a .NET assembly ({e.Message})", e);
        }
        // Read the attribute's data, not an instance of it: nothing of the file runs before it is accepted.
        var data = assembly.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType.FullName == typeof(CompiledWasmModuleAttribute).FullName);
        var problem = data is null || data.ConstructorArguments.Count != 5
            ? "it was not written by `harness compile`"
            : Check(engine, data.ConstructorArguments);
        if (problem is not null)
        {
            context.Unload();
            throw new IncompatibleCodeException($"{path} cannot run here: {problem}");
        }
        var wasm = ((IReadOnlyCollection<CustomAttributeTypedArgument>)data!.ConstructorArguments[4].Value!).Select(a => (byte)a.Value!).ToArray();
        return (wasm, assembly.GetType(CodeTypeName, throwOnError: true)!);
    }

    private static string? Check(Engine engine, IList<CustomAttributeTypedArgument> arguments)
    {
        var format = (int)arguments[0].Value!;
        var build = (string)arguments[1].Value!;
        var hash = (string)arguments[2].Value!;
        var settings = (string)arguments[3].Value!;
        if (format != FormatVersion)
        {
            return $"its format is {format}, this runtime reads {FormatVersion}";
        }
        if (build != EngineBuild)
        {
            return $"it was compiled by another build of the runtime ({build}; this one is {EngineBuild}); compile the module again";
        }
        var expected = CodeGeneration(engine);
        if (settings != expected)
        {
            return $"it was compiled with {settings}, this engine needs {expected}";
        }
        var wasm = ((IReadOnlyCollection<CustomAttributeTypedArgument>)arguments[4].Value!).Select(a => (byte)a.Value!).ToArray();
        var actual = Convert.ToHexStringLower(SHA256.HashData(wasm));
        return actual != hash ? $"its module bytes do not match the hash they were compiled with ({actual}, expected {hash})" : null;
    }
}
