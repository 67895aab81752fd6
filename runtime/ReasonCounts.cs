using System.Collections.Concurrent;

namespace WasmHarness;

/// <summary>
/// A thread-safe tally of events by reason (a function the JIT left to the interpreter, one the interpreter left to its
/// dispatch loop): the total and the count per reason, for the statistics the tools print.
/// </summary>
internal sealed class ReasonCounts
{
    private long _total;
    private readonly ConcurrentDictionary<string, long> _byReason = new(StringComparer.Ordinal);

    public long Total => Interlocked.Read(ref _total);

    /// <summary>The counts by reason, sorted by reason.</summary>
    public IReadOnlyDictionary<string, long> ByReason => new SortedDictionary<string, long>(_byReason, StringComparer.Ordinal);

    public void Record(string reason)
    {
        Interlocked.Increment(ref _total);
        _byReason.AddOrUpdate(reason, 1, (_, n) => n + 1);
    }

    public void Add(IReadOnlyDictionary<string, long> byReason)
    {
        foreach (var (reason, count) in byReason)
        {
            Interlocked.Add(ref _total, count);
            _byReason.AddOrUpdate(reason, count, (_, n) => n + count);
        }
    }
}
