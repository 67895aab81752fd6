using System.Collections.Concurrent;
using WasmHarness.Syntax;

namespace WasmHarness.Execution;

/// <summary>
/// An external value (spec: <c>externval</c>): what an import binds to and an export names: a function, table,
/// memory, global or tag instance.
/// </summary>
public abstract class ExternalValue
{
    private protected ExternalValue()
    {
    }

    /// <summary>Which kind of external value this is.</summary>
    public abstract ExternKind Kind { get; }
}

/// <summary>
/// Host function body: reads <c>args</c> (as many as the type has parameters) and writes every element of
/// <c>results</c>. Throw <see cref="TrapException"/> to trap.
/// </summary>
public delegate void HostFunctionCallback(ReadOnlySpan<Value> args, Span<Value> results);

/// <summary>A function (spec: <c>funcinst</c>): a Wasm function of a module instance, or a host function.</summary>
public abstract class FunctionInstance : ExternalValue
{
    private protected FunctionInstance(FunctionType type)
    {
        Type = type;
        TypeId = FunctionTypes.Canonicalize(type);
    }

    /// <inheritdoc/>
    public override ExternKind Kind => ExternKind.Function;

    /// <summary>The function's type.</summary>
    public FunctionType Type { get; }

    /// <summary>The canonical id of <see cref="Type"/>: two functions have equal ids exactly when their types match.</summary>
    public int TypeId { get; }

    /// <summary>
    /// Calls the function with <paramref name="args"/> and returns its results. A Wasm function runs in its
    /// instance's store; a host function is called directly. Traps surface as <see cref="TrapException"/>.
    /// </summary>
    public abstract Value[] Invoke(params ReadOnlySpan<Value> args);
}

/// <summary>A function defined by a module, closed over its instance.</summary>
public sealed class WasmFunction : FunctionInstance
{
    internal WasmFunction(FunctionType type, ModuleInstance instance, Function code, uint index)
        : base(type)
    {
        Instance = instance;
        Code = code;
        Index = index;
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

    /// <inheritdoc/>
    public override string ToString() =>
        Instance.Module.FunctionNames.TryGetValue(Index, out var name) ? $"func {name}" : $"func {Index}";
}

/// <summary>A function implemented by the host in C#.</summary>
public sealed class HostFunction(FunctionType type, HostFunctionCallback callback, string? name = null) : FunctionInstance(type)
{
    /// <summary>The host's implementation.</summary>
    public HostFunctionCallback Callback { get; } = callback;

    /// <summary>A name for messages.</summary>
    public string? Name { get; } = name;

    /// <inheritdoc/>
    public override Value[] Invoke(params ReadOnlySpan<Value> args)
    {
        var results = new Value[Type.Results.Count];
        Callback(args, results);
        return results;
    }

    /// <inheritdoc/>
    public override string ToString() => $"host func {Name}";
}

/// <summary>
/// Function type identity across modules. Today types are compared structurally (enough for Wasm 2.0 and
/// function types without concrete heap types); this is the seam where the validator's canonical type ids
/// (iso-recursive type equivalence for GC) will plug in.
/// </summary>
public static class FunctionTypes
{
    private static readonly ConcurrentDictionary<FunctionType, int> s_ids = new();
    private static int s_next;

    /// <summary>A small integer that is equal for equal types.</summary>
    public static int Canonicalize(FunctionType type) => s_ids.GetOrAdd(type, static _ => Interlocked.Increment(ref s_next));

    /// <summary>Whether a value of type <paramref name="actual"/> can be used where <paramref name="expected"/> is required (import matching).</summary>
    public static bool Matches(FunctionType actual, FunctionType expected) => Canonicalize(actual) == Canonicalize(expected);
}
