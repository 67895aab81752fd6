namespace WasmHarness.Execution;

/// <summary>
/// An exception (spec: <c>exninst</c>), what an <c>exnref</c> refers to: the tag it was thrown with and its
/// payload (the tag type's parameters).
/// </summary>
public sealed class ExceptionInstance(TagInstance tag, Value[] payload)
{
    /// <summary>The tag the exception was thrown with.</summary>
    public TagInstance Tag { get; } = tag;

    /// <summary>The thrown values.</summary>
    public Value[] Payload { get; } = payload;

    /// <inheritdoc/>
    public override string ToString() => $"exception ({Payload.Length} values)";
}

/// <summary>
/// A Wasm exception that no handler caught left an invocation (spec: <c>assert_exception</c>). It unwinds
/// through host functions like any .NET exception and may be caught again by Wasm code further out.
/// </summary>
public sealed class UncaughtException(ExceptionInstance exception)
    : WasmException("uncaught exception", "uncaught exception")
{
    /// <summary>The exception, which Wasm code further out may still catch.</summary>
    public ExceptionInstance Exception { get; } = exception;
}
