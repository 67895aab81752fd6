namespace WasmHarness.Interpreter;

/// <summary>
/// What the interpreter of one <see cref="Engine"/> made of the functions it was asked to run (entry points and the
/// callees of threaded code; each once per module): how many became threaded code and why the others run in the
/// dispatch loop (docs/execution.md, "Threaded code"). Functions the dispatch loop calls itself are not counted.
/// </summary>
public sealed class InterpreterStatistics
{
    private long _threaded;
    private readonly ReasonCounts _inLoop = new();

    /// <summary>Functions translated to threaded code.</summary>
    public long Threaded => Interlocked.Read(ref _threaded);

    /// <summary>Functions left to the dispatch loop.</summary>
    public long InLoop => _inLoop.Total;

    /// <summary>
    /// Functions left to the dispatch loop by reason: the first instruction without a threaded handler, <c>value type</c>
    /// (a reference or vector parameter, result, local, global or callee), <c>exception handlers</c>, <c>multiple memories</c>.
    /// </summary>
    public IReadOnlyDictionary<string, long> LoopReasons => _inLoop.ByReason;

    /// <summary>Adds another engine's counts to these (for a report over several engines).</summary>
    public void Add(InterpreterStatistics other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Interlocked.Add(ref _threaded, other.Threaded);
        _inLoop.Add(other.LoopReasons);
    }

    /// <summary>Counts one function: threaded when <paramref name="refused"/> is null, else left to the loop for that reason.</summary>
    internal void Record(string? refused)
    {
        if (refused is null)
        {
            Interlocked.Increment(ref _threaded);
            return;
        }
        _inLoop.Record(refused);
    }
}
