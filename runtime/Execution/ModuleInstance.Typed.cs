namespace WasmHarness.Execution;

// The typed view of exported functions, as wasmtime-dotnet's: GetFunction<T1, ..., TResult> returns a Func and
// GetAction<T1, ...> an Action over int (i32), long (i64), float (f32), double (f64) and Value (any other type); null
// when the export is missing, is not a function, or has another type. Each call goes through Store.Invoke, so traps
// surface as TrapException as with the untyped API.
public sealed partial class ModuleInstance
{
    /// <summary>The exported function <paramref name="name"/> as a delegate of type <c>[] -&gt; [TResult]</c>, or null.</summary>
    public Func<TResult>? GetFunction<TResult>(string name) =>
        Typed(name, [], typeof(TResult)) is { } f ? () => Result<TResult>(f) : null;

    /// <summary>The exported function <paramref name="name"/> as a delegate of type <c>[T1] -&gt; [TResult]</c>, or null.</summary>
    public Func<T1, TResult>? GetFunction<T1, TResult>(string name) =>
        Typed(name, [typeof(T1)], typeof(TResult)) is { } f ? a => Result<TResult>(f, ClrValues.From(a)) : null;

    /// <summary>The exported function <paramref name="name"/> as a delegate of type <c>[T1 T2] -&gt; [TResult]</c>, or null.</summary>
    public Func<T1, T2, TResult>? GetFunction<T1, T2, TResult>(string name) =>
        Typed(name, [typeof(T1), typeof(T2)], typeof(TResult)) is { } f ? (a, b) => Result<TResult>(f, ClrValues.From(a), ClrValues.From(b)) : null;

    /// <summary>The exported function <paramref name="name"/> as a delegate of type <c>[T1 T2 T3] -&gt; [TResult]</c>, or null.</summary>
    public Func<T1, T2, T3, TResult>? GetFunction<T1, T2, T3, TResult>(string name) =>
        Typed(name, [typeof(T1), typeof(T2), typeof(T3)], typeof(TResult)) is { } f
            ? (a, b, c) => Result<TResult>(f, ClrValues.From(a), ClrValues.From(b), ClrValues.From(c))
            : null;

    /// <summary>The exported function <paramref name="name"/> as a delegate of type <c>[T1 T2 T3 T4] -&gt; [TResult]</c>, or null.</summary>
    public Func<T1, T2, T3, T4, TResult>? GetFunction<T1, T2, T3, T4, TResult>(string name) =>
        Typed(name, [typeof(T1), typeof(T2), typeof(T3), typeof(T4)], typeof(TResult)) is { } f
            ? (a, b, c, d) => Result<TResult>(f, ClrValues.From(a), ClrValues.From(b), ClrValues.From(c), ClrValues.From(d))
            : null;

    /// <summary>The exported function <paramref name="name"/> as a delegate of type <c>[] -&gt; []</c>, or null.</summary>
    public Action? GetAction(string name) =>
        Typed(name, [], null) is { } f ? () => Store.Invoke(f) : null;

    /// <summary>The exported function <paramref name="name"/> as a delegate of type <c>[T1] -&gt; []</c>, or null.</summary>
    public Action<T1>? GetAction<T1>(string name) =>
        Typed(name, [typeof(T1)], null) is { } f ? a => Store.Invoke(f, ClrValues.From(a)) : null;

    /// <summary>The exported function <paramref name="name"/> as a delegate of type <c>[T1 T2] -&gt; []</c>, or null.</summary>
    public Action<T1, T2>? GetAction<T1, T2>(string name) =>
        Typed(name, [typeof(T1), typeof(T2)], null) is { } f ? (a, b) => Store.Invoke(f, ClrValues.From(a), ClrValues.From(b)) : null;

    /// <summary>The exported function <paramref name="name"/> as a delegate of type <c>[T1 T2 T3] -&gt; []</c>, or null.</summary>
    public Action<T1, T2, T3>? GetAction<T1, T2, T3>(string name) =>
        Typed(name, [typeof(T1), typeof(T2), typeof(T3)], null) is { } f
            ? (a, b, c) => Store.Invoke(f, ClrValues.From(a), ClrValues.From(b), ClrValues.From(c))
            : null;

    private FunctionInstance? Typed(string name, Type[] parameters, Type? result)
    {
        if (GetExport(name) is not FunctionInstance function)
        {
            return null;
        }
        var type = function.Type;
        var fits = type.Parameters.Count == parameters.Length
            && parameters.Select((clr, i) => ClrValues.Fits(clr, type.Parameters[i])).All(ok => ok)
            && (result is null ? type.Results.Count == 0 : type.Results.Count == 1 && ClrValues.Fits(result, type.Results[0]));
        return fits ? function : null;
    }

    private TResult Result<TResult>(FunctionInstance function, params ReadOnlySpan<Value> args) =>
        ClrValues.To<TResult>(Store.Invoke(function, args)[0]);
}
