namespace WasmHarness.Execution;

/// <summary>
/// The accounting of one store's GC objects (structs and arrays) against <see cref="EngineOptions.MaxGcHeapBytes"/>.
/// .NET frees the objects; this only keeps an upper bound of the bytes live in the store, so that a program whose
/// live objects outgrow the limit traps (<see cref="TrapKind.ResourceExhausted"/>) instead of exhausting the host,
/// while a program that allocates much garbage does not.
/// <para>
/// Small objects (below <see cref="LargeObjectBytes"/>) only add to a counter. Large ones (big arrays) are also
/// remembered through weak references, so their bytes are counted precisely once they are garbage. When an
/// allocation would take the count beyond the limit, the count is measured again before trapping: first cheaply
/// (dropping the large objects already collected, and bounding the small ones by the process's GC heap size), then
/// after a full blocking collection. Only when the live total is still beyond the limit does the allocation trap.
/// </para>
/// </summary>
public sealed class GcHeap
{
    /// <summary>Objects of at least this many bytes are tracked one by one (weak references); smaller ones are only counted.</summary>
    public const long LargeObjectBytes = 64 * 1024;

    /// <summary>What a .NET object costs beyond its payload, approximately (header, method table, the wrapper's fields).</summary>
    private const long ObjectOverhead = 56;

    private readonly List<(WeakReference<object> Target, long Bytes)> _large = [];
    private long _smallBytes;
    private long _largeBytes;

    internal GcHeap(long limit) => Limit = limit;

    /// <summary>The most bytes of GC objects the store may hold live (<see cref="EngineOptions.MaxGcHeapBytes"/>).</summary>
    public long Limit { get; }

    /// <summary>Bytes accounted to the store's GC objects: an upper bound of what is live (garbage counts until measured again).</summary>
    public long Bytes => _smallBytes + _largeBytes;

    /// <summary>How many times an allocation made the heap measure its live objects again (for tests and reports).</summary>
    public int Remeasurements { get; private set; }

    /// <summary>The approximate size of an array of <paramref name="length"/> elements of <paramref name="elementBytes"/> bytes each.</summary>
    public static long ArrayBytes(long length, int elementBytes) => ObjectOverhead + (length * elementBytes);

    /// <summary>The approximate size of a struct of <paramref name="fields"/> fields.</summary>
    public static long StructBytes(int fields) => ObjectOverhead + ((long)fields * 24);

    /// <summary>The trap of an allocation beyond the limit (or one the host could not satisfy); the one wording for all of them.</summary>
    public static TrapException Exhausted(long bytes, long limit) =>
        new(TrapKind.ResourceExhausted, $"allocating a GC object of {bytes} bytes exceeds the GC heap limit of {limit} bytes (EngineOptions.MaxGcHeapBytes)");

    /// <summary>The trap of an allocation the host's memory could not satisfy.</summary>
    public static TrapException OutOfMemory(long bytes) =>
        new(TrapKind.ResourceExhausted, $"allocating a GC object of {bytes} bytes failed: the host is out of memory");

    /// <summary>
    /// Accounts for an object of <paramref name="bytes"/> about to be allocated, trapping if the store's live objects
    /// and it would exceed the limit. A large object is counted when <see cref="Track"/> is told it was allocated.
    /// </summary>
    internal void Charge(long bytes)
    {
        if (_smallBytes + _largeBytes + bytes > Limit)
        {
            MakeRoom(bytes);
        }
        if (bytes < LargeObjectBytes)
        {
            _smallBytes += bytes;
        }
    }

    /// <summary>Remembers a large object (of at least <see cref="LargeObjectBytes"/>) allocated after <see cref="Charge"/>.</summary>
    internal void Track(object allocated, long bytes)
    {
        if (bytes < LargeObjectBytes)
        {
            return;
        }
        if (_large.Count >= 64 && (_large.Count & (_large.Count - 1)) == 0)
        {
            Prune();
        }
        _large.Add((new WeakReference<object>(allocated), bytes));
        _largeBytes += bytes;
    }

    /// <summary>Measures the live objects again until <paramref name="bytes"/> more fit, else traps.</summary>
    private void MakeRoom(long bytes)
    {
        if (bytes > Limit)
        {
            throw Exhausted(bytes, Limit);
        }
        Remeasurements++;
        Measure();
        if (_smallBytes + _largeBytes + bytes <= Limit)
        {
            return;
        }
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
        Measure();
        if (_smallBytes + _largeBytes + bytes > Limit)
        {
            throw Exhausted(bytes, Limit);
        }
    }

    /// <summary>
    /// Drops the large objects that were collected, and bounds the small objects' count by what the process's GC
    /// heap holds beyond this store's live large objects (each is an upper bound of the store's live small objects).
    /// </summary>
    private void Measure()
    {
        Prune();
        var heap = GC.GetTotalMemory(forceFullCollection: false);
        _smallBytes = Math.Min(_smallBytes, Math.Max(0, heap - _largeBytes));
    }

    private void Prune()
    {
        _large.RemoveAll(entry => !entry.Target.TryGetTarget(out _));
        _largeBytes = 0;
        foreach (var entry in _large)
        {
            _largeBytes += entry.Bytes;
        }
    }
}
