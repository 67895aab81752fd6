using SharpFuzz.Common;

namespace WasmHarness.Fuzz.Targets;

/// <summary>A target whose runs fill a guest-coverage map (<see cref="GuestCoverage"/>) for the fuzzer to fold in.</summary>
public interface IGuestCovered
{
    /// <summary>The map of the last run, or null when guest coverage is off.</summary>
    GuestCoverage? Coverage { get; }
}

/// <summary>Adds a guest-coverage map into SharpFuzz's trace bitmap (the AFL++ shared memory), after a run.</summary>
public static class GuestTrace
{
    /// <summary>SharpFuzz's bitmap size (it does not follow <c>AFL_MAP_SIZE</c>).</summary>
    public const int MapSize = 1 << 16;

    /// <summary>
    /// Adds <paramref name="coverage"/>'s counts into the trace bitmap, when there is one (under afl-fuzz). The guest
    /// map has the bitmap's size, so a guest edge is a bitmap entry of its own unless it collides with a runtime edge,
    /// as two runtime edges may.
    /// </summary>
    public static unsafe void Fold(GuestCoverage? coverage)
    {
        if (coverage is null || Trace.SharedMem is null || coverage.Map.Length != MapSize)
        {
            return;
        }
        var trace = new Span<byte>(Trace.SharedMem, MapSize);
        var guest = coverage.Map;
        for (var i = 0; i < MapSize; i++)
        {
            if (guest[i] != 0)
            {
                trace[i] += guest[i];
            }
        }
    }
}
