using WasmHarness.Syntax;

namespace WasmHarness.Execution;

/// <summary>
/// A module instance (spec: <c>moduleinst</c>): the run-time index spaces of one instantiated module (imports
/// first, then definitions) and its exports. Typed export accessors make it the embedding API's instance.
/// </summary>
public sealed partial class ModuleInstance
{
    private readonly Dictionary<string, ExternalValue> _exports = new(StringComparer.Ordinal);

    internal ModuleInstance(Store store, Validation.ValidatedModule validated)
    {
        Store = store;
        Module = validated.Module;
        Validated = validated;
        Types = [.. Module.TypeDefinitions.Select(t => t.Body as FunctionType)];
        DefinedTypes = [.. validated.Types];
    }

    /// <summary>What validation learned about the module (canonical types).</summary>
    public Validation.ValidatedModule Validated { get; }

    /// <summary>Canonical types by module type index.</summary>
    internal Validation.DefinedType[] DefinedTypes { get; }

    /// <summary>The store the instance lives in.</summary>
    public Store Store { get; }

    /// <summary>The module it was instantiated from.</summary>
    public Module Module { get; }

    /// <summary>Function types by type index (<see langword="null"/> for struct and array types).</summary>
    public FunctionType?[] Types { get; }

    /// <summary>The function index space.</summary>
    public FunctionInstance[] Functions { get; internal set; } = [];

    /// <summary>The table index space.</summary>
    public TableInstance[] Tables { get; internal set; } = [];

    /// <summary>The memory index space.</summary>
    public MemoryInstance[] Memories { get; internal set; } = [];

    /// <summary>The global index space.</summary>
    public GlobalInstance[] Globals { get; internal set; } = [];

    /// <summary>The tag index space.</summary>
    public TagInstance[] Tags { get; internal set; } = [];

    /// <summary>Element segments by index.</summary>
    public ElementInstance[] Elements { get; internal set; } = [];

    /// <summary>Data segments by index.</summary>
    public DataInstance[] Data { get; internal set; } = [];

    /// <summary>What the JIT's code of this instance's module reaches this instance through, made on first use.</summary>
    internal Jit.JitContext? JitContext;

    /// <summary>The threaded interpreter's context for this instance, made on its first threaded call.</summary>
    internal Interpreter.Threaded.ThreadedContext? ThreadedContext;

    /// <summary>Exports by name.</summary>
    public IReadOnlyDictionary<string, ExternalValue> Exports => _exports;

    internal void AddExport(string name, ExternalValue value) => _exports[name] = value;

    /// <summary>The export named <paramref name="name"/>, or <see langword="null"/>.</summary>
    public ExternalValue? GetExport(string name) => _exports.GetValueOrDefault(name);

    /// <summary>The exported function named <paramref name="name"/>; throws <see cref="KeyNotFoundException"/> when there is none.</summary>
    public FunctionInstance GetFunction(string name) => GetExport<FunctionInstance>(name);

    /// <summary>The exported global named <paramref name="name"/>.</summary>
    public GlobalInstance GetGlobal(string name) => GetExport<GlobalInstance>(name);

    /// <summary>The exported memory named <paramref name="name"/>.</summary>
    public MemoryInstance GetMemory(string name) => GetExport<MemoryInstance>(name);

    /// <summary>The exported table named <paramref name="name"/>.</summary>
    public TableInstance GetTable(string name) => GetExport<TableInstance>(name);

    private T GetExport<T>(string name) where T : ExternalValue =>
        _exports.TryGetValue(name, out var value) && value is T typed ? typed : throw new KeyNotFoundException($"no exported {typeof(T).Name} named '{name}'");

    /// <summary>Calls an exported function in this instance's store.</summary>
    public Value[] Invoke(string name, params Value[] args) => Store.Invoke(GetFunction(name), args);
}
