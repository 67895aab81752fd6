namespace WasmHarness.Execution;

/// <summary>
/// Tells the GC about the native memory that linear memories hold, so that collections (and the finalizers that free
/// memories nobody disposed) keep up with it, in steps of <see cref="Step"/> for the whole process: each
/// <see cref="GC.AddMemoryPressure"/> is a call into the runtime that may start a collection, and a differential
/// campaign creates and frees several small memories per test case (calling it per memory was 5% of a campaign).
/// The GC sees the process's total rounded down to a step, never more than what is held.
/// </summary>
internal static class MemoryPressure
{
    /// <summary>The granularity of what the GC is told.</summary>
    internal const long Step = 4L << 20;

    private static readonly object Gate = new();
    private static long _held;      // bytes the memories hold now
    private static long _reported;  // bytes the GC has been told of: a multiple of Step, at most _held

    /// <summary>A memory now holds <paramref name="bytes"/> more (or fewer, when negative).</summary>
    public static void Add(long bytes)
    {
        if (bytes == 0)
        {
            return;
        }
        long change;
        lock (Gate)
        {
            _held += bytes;
            var target = _held / Step * Step;
            change = target - _reported;
            _reported = target;
        }
        if (change > 0)
        {
            GC.AddMemoryPressure(change);
        }
        else if (change < 0)
        {
            GC.RemoveMemoryPressure(-change);
        }
    }
}
