using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness;

/// <summary>
/// A module ready to instantiate: parsed or decoded, validated once, and bound to an <see cref="Engine"/>.
/// Instantiate it any number of times with <see cref="Instantiate(Store, Linker?)"/>.
/// </summary>
public sealed class CompiledModule
{
    private CompiledModule(Engine engine, Module module, byte[]? binary)
    {
        Engine = engine;
        Module = module;
        _binary = binary;
    }

    private byte[]? _binary;

    /// <summary>The module's binary form: the bytes it was decoded from, or our encoder's output for a module built in memory.</summary>
    public ReadOnlyMemory<byte> Binary => _binary ??= WasmHarness.Binary.ModuleEncoder.Encode(Module);

    /// <summary>The engine the module was compiled for.</summary>
    public Engine Engine { get; }

    /// <summary>The module's syntax.</summary>
    public Module Module { get; }

    /// <summary>
    /// Validates a module built in memory (by the text parser, the decoder or a generator) and binds it to
    /// <paramref name="engine"/>. Throws <see cref="InvalidModuleException"/> when it is not valid.
    /// </summary>
    public static CompiledModule Compile(Engine engine, Module module) => Compile(engine, module, null);

    private static CompiledModule Compile(Engine engine, Module module, byte[]? binary)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(module);
        Validation.FeatureGate.Check(module, engine.Options.Features);
        if (engine.FaultRewrite is { } fault)
        {
            module = fault(module);
            binary = null; // the faulty module's bytes are not the caller's
        }
        var validated = Validation.ModuleValidator.Validate(module, engine.Options.ModuleLimits);
        return new CompiledModule(engine, module, binary) { Validated = validated };
    }

    /// <summary>Decodes, validates and compiles a binary module (<see cref="MalformedException"/>, <see cref="InvalidModuleException"/>).</summary>
    public static CompiledModule FromBinary(Engine engine, ReadOnlySpan<byte> bytes) =>
        Compile(engine, WasmHarness.Binary.ModuleDecoder.Decode(bytes, engine?.Options.ModuleLimits, engine?.Options.Features ?? Validation.WasmFeatures.All), bytes.ToArray());

    /// <summary>
    /// Compiles every function with the JIT and saves the code as a .NET assembly (<c>harness compile</c>, like
    /// wasmtime's <c>.cwasm</c>): <see cref="Load"/> runs it later without compiling again. Needs an engine whose
    /// code can be saved (no guest coverage, no injected fault).
    /// </summary>
    public void Save(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = File.Create(path);
        Save(file);
    }

    /// <inheritdoc cref="Save(string)"/>
    public void Save(Stream output) => Jit.JitAssembly.Write(Engine, Validated, Binary.ToArray(), output);

    /// <summary>
    /// Loads a module saved by <see cref="Save(string)"/>: its functions run the saved code (on an engine of the JIT tier;
    /// the interpreter tier ignores it and interprets). Throws <see cref="IncompatibleCodeException"/> when the file was
    /// not written by <c>harness compile</c>, was written by another build of the runtime or with other engine
    /// settings, or its module bytes do not match their hash; nothing of such a file runs.
    /// </summary>
    public static CompiledModule Load(Engine engine, string path)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var (wasm, code) = Jit.JitAssembly.Load(engine, path);
        var compiled = FromBinary(engine, wasm);
        Jit.JitModule.Register(Jit.JitModule.Loaded(engine, compiled.Validated, code));
        return compiled;
    }

    /// <summary>
    /// Parses, validates and compiles a module in the text format (<c>(module ...)</c>); a syntax error
    /// (<see cref="TextFormatException"/>) names <paramref name="fileName"/> and the line and column.
    /// </summary>
    public static CompiledModule FromText(Engine engine, string text, string? fileName = null) => Compile(engine, WasmHarness.Text.WatParser.ParseModule(text, fileName));

    /// <summary>
    /// Reads a module file: binary when it starts with the Wasm magic bytes, else the text format (wasmtime-dotnet's
    /// <c>Module.FromFile</c>). Errors as <see cref="FromBinary"/> and <see cref="FromTextFile"/>.
    /// </summary>
    public static CompiledModule FromFile(Engine engine, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = File.ReadAllBytes(path);
        return bytes.AsSpan().StartsWith("\0asm"u8) ? FromBinary(engine, bytes) : FromTextFile(engine, path);
    }

    /// <summary>Parses, validates and compiles a module in the text format read from <paramref name="path"/> (UTF-8).</summary>
    public static CompiledModule FromTextFile(Engine engine, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return FromText(engine, File.ReadAllText(path), path);
    }

    /// <summary>What the validator learned (canonical types, per-function facts).</summary>
    public Validation.ValidatedModule Validated { get; private init; } = null!;

    /// <summary>The imports the module needs, in order.</summary>
    public IReadOnlyList<Import> Imports => Module.Imports;

    /// <summary>The module's exports.</summary>
    public IReadOnlyList<Export> Exports => Module.Exports;

    /// <summary>Instantiates the module in <paramref name="store"/>, resolving imports through <paramref name="linker"/>.</summary>
    public ModuleInstance Instantiate(Store store, Linker? linker = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (store.Engine != Engine)
        {
            throw new ArgumentException("the store belongs to another engine", nameof(store));
        }
        return (linker ?? new Linker()).Instantiate(store, Validated);
    }
}
