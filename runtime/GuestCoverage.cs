namespace WasmHarness;

/// <summary>
/// An AFL-style edge map of the Wasm code the JIT runs (<see cref="EngineOptions.GuestCoverage"/>): at every function
/// entry and every point control flow can reach other than by falling through (a loop header, the arms of an
/// <c>if</c>, the end of a block or <c>if</c>, the fall-through of a <c>br_if</c>), compiled code adds one to
/// <c>Map[location ^ previous]</c> and sets <c>previous = location &gt;&gt; 1</c>, where <c>location</c> is a hash of the
/// function index and the point's position in the function. A fuzzer folds the map into its own coverage so that
/// it is steered by the guest's branches as well as the runtime's. Functions the JIT leaves to the interpreter are
/// not counted. Not thread-safe: a map serves one execution at a time (counts of concurrent ones may be lost).
/// </summary>
public sealed class GuestCoverage
{
    /// <summary>The map size AFL++ uses by default (and SharpFuzz's trace bitmap has): 64 KiB.</summary>
    public const int DefaultSize = 1 << 16;

    private readonly int _mask;

    /// <summary>A map of <paramref name="size"/> counters, a power of two.</summary>
    public GuestCoverage(int size = DefaultSize)
    {
        if (size < 2 || (size & (size - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "the map size must be a power of two of at least 2");
        }
        Map = new byte[size];
        _mask = size - 1;
    }

    /// <summary>Hit counts per edge (they wrap at 256, as AFL's do).</summary>
    public byte[] Map { get; }

    /// <summary>The last location, shifted right by one (AFL's <c>prev_location</c>), so that A → B and B → A differ.</summary>
    internal int Previous;

    /// <summary>Clears the counts and the previous location: call it before each execution that is to be measured.</summary>
    public void Reset()
    {
        Array.Clear(Map);
        Previous = 0;
    }

    /// <summary>The number of edges hit at least once.</summary>
    public int EdgeCount() => Map.Length - Map.AsSpan().Count((byte)0);

    /// <summary>The location of probe <paramref name="probe"/> of function <paramref name="function"/>, within the map.</summary>
    internal int Location(uint function, int probe)
    {
        // murmur3's finalizer over the pair: neighbouring probes and functions land far apart.
        var h = (function * 0x9E3779B1u) ^ ((uint)probe * 0x85EBCA6Bu);
        h ^= h >> 16;
        h *= 0x85EBCA6Bu;
        h ^= h >> 13;
        h *= 0xC2B2AE35u;
        h ^= h >> 16;
        return (int)(h & (uint)_mask);
    }

    /// <summary>What compiled code calls at each probe (small enough for RyuJIT to inline).</summary>
    internal static void Hit(GuestCoverage coverage, int location)
    {
        var map = coverage.Map;
        map[(location ^ coverage.Previous) & (map.Length - 1)]++;
        coverage.Previous = location >> 1;
    }
}
