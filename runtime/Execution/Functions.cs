using WasmHarness.Syntax;
using WasmHarness.Validation;

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
/// <remarks>Concrete heap types in <paramref name="type"/>, if any, are canonical type ids.</remarks>
public sealed class HostFunction(FunctionType type, HostFunctionCallback callback, string? name = null)
    : FunctionInstance(type, CanonicalTypes.Intern(type))
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
