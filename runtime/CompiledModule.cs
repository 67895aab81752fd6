using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness;

/// <summary>
/// A module ready to instantiate: parsed or decoded, validated once, and bound to an <see cref="Engine"/>.
/// Instantiate it any number of times with <see cref="Instantiate(Store, Linker?)"/>.
/// </summary>
public sealed class CompiledModule
{
    private CompiledModule(Engine engine, Module module)
    {
        Engine = engine;
        Module = module;
    }

    /// <summary>The engine the module was compiled for.</summary>
    public Engine Engine { get; }

    /// <summary>The module's syntax.</summary>
    public Module Module { get; }

    /// <summary>
    /// Validates a module built in memory (by the text parser, the decoder or a generator) and binds it to
    /// <paramref name="engine"/>. Throws <see cref="InvalidModuleException"/> when it is not valid.
    /// </summary>
    public static CompiledModule Compile(Engine engine, Module module)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(module);
        var validated = Validation.ModuleValidator.Validate(module);
        return new CompiledModule(engine, module) { Validated = validated };
    }

    /// <summary>Decodes, validates and compiles a binary module (<see cref="MalformedException"/>, <see cref="InvalidModuleException"/>).</summary>
    public static CompiledModule FromBinary(Engine engine, ReadOnlySpan<byte> bytes) => Compile(engine, Binary.ModuleDecoder.Decode(bytes));

    /// <summary>Parses, validates and compiles a module in the text format (<c>(module ...)</c>).</summary>
    public static CompiledModule FromText(Engine engine, string text) => Compile(engine, Text.WatParser.ParseModule(text));

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
