using WasmHarness.Syntax;
using WasmHarness.Validation;

namespace WasmHarness.Execution;

/// <summary>
/// An external value (spec: <c>externval</c>): what an import binds to and an export names: a function, table,
/// memory, global or tag instance.
/// </summary>
public abstract class ExternalValue
{
    private Store? _owner;

    private protected ExternalValue()
    {
    }

    /// <summary>Which kind of external value this is.</summary>
    public abstract ExternKind Kind { get; }

    /// <summary>
    /// The store this object belongs to: the store that instantiated it, or, for one the host created, the first
    /// store it was tied to (imported into, or given a function of). <see langword="null"/> until then, and always for
    /// a <see cref="HostFunction"/>, which holds no store state. An object never moves between stores: a Wasm function
    /// runs under its own store's fuel, stack and limits only because nothing of another store can reach it.
    /// </summary>
    public Store? Owner => _owner;

    /// <summary>Whether the object may serve any number of stores (it holds no store state).</summary>
    private protected virtual bool StoreIndependent => false;

    /// <summary>Ties the object to <paramref name="store"/>; false when it already belongs to another store.</summary>
    internal bool TryBindTo(Store store) =>
        StoreIndependent || (Interlocked.CompareExchange(ref _owner, store, null) ?? store) == store;

    /// <summary>
    /// Ties <paramref name="target"/> to the store of the function <paramref name="reference"/> names, if any; throws
    /// when the two belong to different stores. Called where the host writes a reference into an object.
    /// </summary>
    internal static void AdmitReference(ExternalValue target, object? reference)
    {
        if (reference is WasmFunction { Owner: { } store } function && !target.TryBindTo(store))
        {
            throw new ArgumentException($"{function} belongs to another store than this {target.Kind.ToString().ToLowerInvariant()}: a reference cannot cross stores");
        }
    }
}

/// <summary>
/// Host function body: reads <c>args</c> (as many as the type has parameters) and writes every element of
/// <c>results</c>. Throw <see cref="TrapException"/> to trap.
/// </summary>
public delegate void HostFunctionCallback(ReadOnlySpan<Value> args, Span<Value> results);

/// <summary>A host function body that also receives its <see cref="Caller"/> (the calling instance and its store).</summary>
public delegate void CallerHostFunctionCallback(Caller caller, ReadOnlySpan<Value> args, Span<Value> results);

/// <summary>A function (spec: <c>funcinst</c>): a Wasm function of a module instance, or a host function.</summary>
public abstract class FunctionInstance : ExternalValue
{
    private protected FunctionInstance(FunctionType type, DefinedType definedType)
    {
        Type = type;
        DefinedType = definedType;
    }

    /// <inheritdoc/>
    public override ExternKind Kind => ExternKind.Function;

    /// <summary>The function's type.</summary>
    public FunctionType Type { get; }

    /// <summary>The function's canonical type (comparable across modules; see <see cref="TypeRegistry"/>).</summary>
    public DefinedType DefinedType { get; }

    /// <summary>The canonical id of the function's type: equal ids mean equivalent types.</summary>
    public int TypeId => DefinedType.Id;

    /// <summary>
    /// Calls the function with <paramref name="args"/> and returns its results. A Wasm function runs in its
    /// instance's store; a host function is called directly. Traps surface as <see cref="TrapException"/>.
    /// </summary>
    public abstract Value[] Invoke(params ReadOnlySpan<Value> args);
}

/// <summary>A function defined by a module, closed over its instance.</summary>
public sealed class WasmFunction : FunctionInstance
{
    internal WasmFunction(FunctionType type, DefinedType definedType, ModuleInstance instance, Function code, uint index)
        : base(type, definedType)
    {
        Instance = instance;
        Code = code;
        Index = index;
        TryBindTo(instance.Store);
    }

    /// <summary>The instance whose function this is.</summary>
    public ModuleInstance Instance { get; }

    /// <summary>The function's definition.</summary>
    public Function Code { get; }

    /// <summary>The function's index in its module.</summary>
    public uint Index { get; }

    /// <inheritdoc/>
    public override Value[] Invoke(params ReadOnlySpan<Value> args) => Instance.Store.Invoke(this, args);

    /// <summary>The interpreter's compiled form, made on first call.</summary>
    internal Interpreter.CompiledFunction? Compiled;

    /// <summary>The threaded interpreter's code (per module, like <see cref="Compiled"/>), made on first call; <c>ThreadedCode.None</c> when it has none.</summary>
    internal Interpreter.Threaded.ThreadedCode? Threaded;

    /// <inheritdoc/>
    public override string ToString() =>
        Instance.Module.FunctionNames.TryGetValue(Index, out var name) ? $"func {name}" : $"func {Index}";
}

/// <summary>A function implemented by the host in C#.</summary>
/// <remarks>Concrete heap types in <paramref name="type"/>, if any, are canonical type ids.</remarks>
public sealed class HostFunction(FunctionType type, HostFunctionCallback callback, string? name = null)
    : FunctionInstance(type, CanonicalTypes.Intern(type))
{
    /// <summary>The host's implementation.</summary>
    public HostFunctionCallback Callback { get; } = callback;

    /// <summary>A name for messages.</summary>
    public string? Name { get; } = name;

    /// <inheritdoc/>
    private protected override bool StoreIndependent => true;

    /// <inheritdoc/>
    public override Value[] Invoke(params ReadOnlySpan<Value> args)
    {
        var results = new Value[Type.Results.Count];
        Call(null, args, results);
        return results;
    }

    /// <summary>
    /// Calls the host's implementation on behalf of <paramref name="caller"/>, the instance of the Wasm function that
    /// calls it (null: the host calls it), which is what a <see cref="Caller"/> names during the call.
    /// </summary>
    internal void Call(ModuleInstance? caller, ReadOnlySpan<Value> args, Span<Value> results)
    {
        var outer = Caller.Calling;
        Caller.Calling = caller;
        try
        {
            Callback(args, results);
        }
        finally
        {
            Caller.Calling = outer;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"host func {Name}";
}

/// <summary>
/// Canonical types for objects the host makes (host functions, tags): their types join the validator's
/// <see cref="TypeRegistry"/>, so that they compare with module types (iso-recursive equivalence, subtyping).
/// </summary>
public static class CanonicalTypes
{
    /// <summary>The canonical type of a function type given by the host (concrete heap types in it are canonical ids).</summary>
    public static DefinedType Intern(FunctionType type) =>
        TypeRegistry.Intern(new RecursiveType([new SubType(type)]), int.MaxValue, id => TypeRegistry.Get((int)id)).Types[0];

    /// <summary>Whether a function of canonical type <paramref name="actual"/> may be used where <paramref name="expected"/> is required.</summary>
    public static bool Matches(DefinedType actual, DefinedType expected) => ReferenceEquals(actual, expected) || actual.IsSubtypeOf(expected);
}
