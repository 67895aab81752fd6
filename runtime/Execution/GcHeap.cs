namespace WasmHarness.Execution;

/// <summary>
/// The accounting of one store's GC objects (structs and arrays) against <see cref="EngineOptions.MaxGcHeapBytes"/>.
/// .NET frees the objects; this keeps an upper bound of the bytes live in the store, so that a program whose live
/// objects outgrow the limit traps (<see cref="TrapKind.ResourceExhausted"/>) instead of exhausting the host, while
/// a program that allocates much garbage does not.
/// <para>
/// Large objects (at least <see cref="LargeObjectBytes"/>: big arrays) are tracked one by one through weak
/// references, so their bytes stop counting once they are collected. Small ones are tracked in cohorts: each small
/// object references the cohort it was allocated in (one per <see cref="LargeObjectBytes"/> of allocation), and a
/// cohort is tracked like a large object, so its bytes stop counting once none of its objects is alive. Small live
/// bytes are also bounded by the process's GC heap size (beyond this store's live large objects), which helps when
/// a few survivors keep many cohorts alive. Both bounds are only refreshed when an allocation would take the count
/// beyond the limit: first cheaply (dropping what was already collected), then after a full blocking collection.
/// Only when the live total is still beyond the limit does the allocation trap. After every quarter of the limit
/// allocated in large objects the heap also asks for a full collection, so that the process gives back the memory
/// of big garbage arrays early (.NET alone may let it grow to several times what is live).
/// </para>
/// </summary>
public sealed class GcHeap
{
    /// <summary>Objects of at least this many bytes are tracked one by one; smaller ones in cohorts of about this many bytes.</summary>
    public const long LargeObjectBytes = 64 * 1024;

    /// <summary>What a .NET object costs beyond its payload, approximately (headers, the wrapper's fields, the array's length).</summary>
    private const long ObjectOverhead = 64;

    private readonly List<Tracked> _tracked = [];
    private long _largeBytes;      // tracked large objects, some maybe collected
    private long _cohortBytes;     // closed cohorts, some maybe collected
    private long _openBytes;       // the open cohort
    private long _smallCap = long.MaxValue; // small live bytes at most (the heap bound at the last measurement, plus what came since)
    private Cohort _open = new();
    private long _largeSinceCollection; // large bytes allocated since the last collection this heap asked for

    internal GcHeap(long limit) => Limit = limit;

    /// <summary>The most bytes of GC objects the store may hold live (<see cref="EngineOptions.MaxGcHeapBytes"/>).</summary>
    public long Limit { get; }

    /// <summary>Bytes accounted to the store's GC objects: an upper bound of what is live (garbage counts until measured again).</summary>
    public long Bytes => _largeBytes + Math.Min(_cohortBytes + _openBytes, _smallCap);

    /// <summary>How many times an allocation made the heap measure its live objects again (for tests and reports).</summary>
    public int Remeasurements { get; private set; }

    /// <summary>The approximate size of an array of <paramref name="length"/> elements of <paramref name="elementBytes"/> bytes each.</summary>
    public static long ArrayBytes(long length, int elementBytes) => ObjectOverhead + (length * elementBytes);

    /// <summary>The approximate size of a struct of <paramref name="fields"/> fields (each a 24-byte <see cref="Value"/>).</summary>
    public static long StructBytes(int fields) => ObjectOverhead + ((long)fields * 24);

    /// <summary>The trap of an allocation beyond the limit; the one wording for all GC allocations.</summary>
    public static TrapException Exhausted(long bytes, long limit) =>
        new(TrapKind.ResourceExhausted, $"allocating a GC object of {bytes} bytes exceeds the GC heap limit of {limit} bytes (EngineOptions.MaxGcHeapBytes)");

    /// <summary>The trap of an allocation the host's memory could not satisfy.</summary>
    public static TrapException OutOfMemory(long bytes) =>
        new(TrapKind.ResourceExhausted, $"allocating a GC object of {bytes} bytes failed: the host is out of memory");

    /// <summary>
    /// Accounts for an object of <paramref name="bytes"/> about to be allocated, trapping if the store's live objects
    /// and it would exceed the limit. Returns the cohort a small object must reference (null for a large one, which
    /// <see cref="Track"/> counts once allocated).
    /// </summary>
    internal object? Charge(long bytes)
    {
        if (Bytes + bytes > Limit)
        {
            MakeRoom(bytes);
        }
        if (bytes >= LargeObjectBytes)
        {
            return null;
        }
        if (_openBytes >= LargeObjectBytes)
        {
            CloseCohort();
        }
        _openBytes += bytes;
        if (_smallCap != long.MaxValue)
        {
            _smallCap += bytes;
        }
        return _open;
    }

    /// <summary>Remembers a large object (of at least <see cref="LargeObjectBytes"/>) allocated after <see cref="Charge"/>.</summary>
    internal void Track(object allocated, long bytes)
    {
        if (bytes < LargeObjectBytes)
        {
            return;
        }
        Add(new Tracked(new WeakReference<object>(allocated), bytes, Large: true));
        _largeBytes += bytes;
        _largeSinceCollection += bytes;
        if (_largeSinceCollection > Math.Max(Limit / 4, 64L << 20))
        {
            // Big arrays come and go faster than .NET's GC, left alone, gives their memory back: after a quarter
            // of the limit in them, collect, so that the process's footprint stays near what is live.
            Collect();
            Measure();
        }
    }

    private void Collect()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
        _largeSinceCollection = 0;
    }

    private void CloseCohort()
    {
        Add(new Tracked(new WeakReference<object>(_open), _openBytes, Large: false));
        _cohortBytes += _openBytes;
        _open = new Cohort();
        _openBytes = 0;
    }

    private void Add(Tracked entry)
    {
        if (_tracked.Count >= 64 && (_tracked.Count & (_tracked.Count - 1)) == 0)
        {
            Prune();
        }
        _tracked.Add(entry);
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
        if (Bytes + bytes <= Limit)
        {
            return;
        }
        Collect();
        Measure();
        if (Bytes + bytes > Limit)
        {
            throw Exhausted(bytes, Limit);
        }
    }

    /// <summary>
    /// Drops the objects and cohorts that were collected (the open cohort is closed first, so that it can be), and
    /// bounds the small objects by what the process's GC heap holds beyond this store's live large objects.
    /// </summary>
    private void Measure()
    {
        if (_openBytes > 0)
        {
            CloseCohort();
        }
        Prune();
        _smallCap = Math.Max(0, GC.GetTotalMemory(forceFullCollection: false) - _largeBytes);
    }

    private void Prune()
    {
        _tracked.RemoveAll(entry => !entry.Target.TryGetTarget(out _));
        _largeBytes = 0;
        _cohortBytes = 0;
        foreach (var entry in _tracked)
        {
            if (entry.Large)
            {
                _largeBytes += entry.Bytes;
            }
            else
            {
                _cohortBytes += entry.Bytes;
            }
        }
    }

    private readonly record struct Tracked(WeakReference<object> Target, long Bytes, bool Large);

    /// <summary>What the small objects allocated together reference: it lives as long as any of them.</summary>
    private sealed class Cohort;
}
