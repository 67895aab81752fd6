using WasmHarness.Syntax;

namespace WasmHarness.Execution;

/// <summary>
/// What a host function defined with a leading <see cref="Caller"/> parameter sees of the Wasm code that called
/// it, as wasmtime's <c>Caller</c>: the instance of the Wasm function that made the call (its memory and other
/// exports) and its store. That is the instance that imported the host function unless the function reached the
/// caller some other way (through a table another instance filled, or re-exported); when the host itself calls
/// the function, it is the importing instance. A caller belongs to one call: do not keep it after the host
/// function returns.
/// </summary>
public sealed class Caller
{
    private readonly CallerBinding _binding;

    internal Caller(CallerBinding binding) => _binding = binding;

    /// <summary>
    /// The instance of the Wasm function whose call into a host function is running on this thread, or null when the
    /// host made the call (<see cref="HostFunction.Call"/> sets it around each call, so nested calls restore it).
    /// </summary>
    [ThreadStatic]
    internal static ModuleInstance? Calling;

    /// <summary>The instance of the calling Wasm function (the importing instance when the host made the call).</summary>
    public ModuleInstance Instance => Calling ?? _binding.Instance ?? throw new InvalidOperationException("the calling instance is not created yet");

    /// <summary>The store the call runs in.</summary>
    public Store Store => Instance.Store;

    /// <summary>The calling instance's exported memory <paramref name="name"/> (default <c>memory</c>), or null.</summary>
    public MemoryInstance? GetMemory(string name = "memory") => Instance.GetExport(name) as MemoryInstance;

    /// <summary>The calling instance's exported function <paramref name="name"/>, or null.</summary>
    public FunctionInstance? GetFunction(string name) => Instance.GetExport(name) as FunctionInstance;

    /// <summary>The calling instance's export <paramref name="name"/> of any kind, or null.</summary>
    public ExternalValue? GetExport(string name) => Instance.GetExport(name);
}

/// <summary>
/// Ties a caller-aware host function to the instance that imports it: the <see cref="Linker"/> makes one per
/// instantiation and fills it in as soon as the instance exists (before its start function runs).
/// </summary>
internal sealed class CallerBinding
{
    public ModuleInstance? Instance { get; set; }
}

/// <summary>Converts between CLR values of the typed API and Wasm values: <c>int</c>, <c>long</c>, <c>float</c>, <c>double</c>, and <see cref="Value"/> for anything else.</summary>
internal static class ClrValues
{
    /// <summary>The Wasm type of a CLR type of the typed API, or null when it has none (a <see cref="Value"/> takes <paramref name="reference"/>).</summary>
    public static ValType? TypeOf(Type clr, ValType reference) =>
        clr == typeof(int) ? ValType.I32 :
        clr == typeof(long) ? ValType.I64 :
        clr == typeof(float) ? ValType.F32 :
        clr == typeof(double) ? ValType.F64 :
        clr == typeof(Value) ? reference :
        null;

    /// <summary>True when a Wasm value of <paramref name="type"/> can be given as or taken from <paramref name="clr"/>.</summary>
    public static bool Fits(Type clr, ValType type) =>
        clr == typeof(Value) || TypeOf(clr, type) is { } mapped && mapped.Kind == type.Kind;

    public static Value From<T>(T value) => value switch
    {
        int v => Value.FromI32(v),
        long v => Value.FromI64(v),
        float v => Value.FromF32(v),
        double v => Value.FromF64(v),
        Value v => v,
        _ => throw new ArgumentException($"{typeof(T).Name} has no Wasm type"),
    };

    public static T To<T>(Value value) =>
        typeof(T) == typeof(int) ? (T)(object)value.I32 :
        typeof(T) == typeof(long) ? (T)(object)value.I64 :
        typeof(T) == typeof(float) ? (T)(object)value.F32 :
        typeof(T) == typeof(double) ? (T)(object)value.F64 :
        (T)(object)value;
}
