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
    /// Wraps a module built in memory (by the text parser, the decoder or a generator). The module must be
    /// valid: the interpreter trusts validation (a validator hook runs it here once the validator is part of the build).
    /// </summary>
    public static CompiledModule FromSyntax(Engine engine, Module module)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(module);
        Validate?.Invoke(module);
        return new CompiledModule(engine, module);
    }

    /// <summary>
    /// The validator to run on every module compiled (throws <see cref="InvalidModuleException"/>); set by the
    /// host or by the validation layer. <see langword="null"/> skips validation.
    /// </summary>
    public static Action<Module>? Validate { get; set; }

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
        return (linker ?? new Linker()).Instantiate(store, Module);
    }
}
