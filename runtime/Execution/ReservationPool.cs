using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace WasmHarness.Execution;

/// <summary>
/// Address-space reservations of small memories kept for reuse, as wasmtime's pooling allocator keeps memory slots. A
/// program that instantiates many short-lived modules (a differential campaign: several memories per run, thousands of
/// runs) otherwise pays, per memory, a page fault on the first touch of each page and an <c>munmap</c> at the end (with
/// its TLB shootdown): a seventh of a campaign's time. A returned reservation is zeroed over the bytes it had
/// committed, which stay committed and resident: the next memory with a reservation of the same size starts with
/// them zero. Only reservations up to <see cref="MaxReservation"/> are kept, at most <see cref="MaxPooledBytes"/> of
/// committed bytes in all; shared memories never are (another thread may still hold their address).
/// </summary>
internal static unsafe class ReservationPool
{
    /// <summary>The largest reservation kept (a few 64 KiB pages).</summary>
    internal const ulong MaxReservation = 1UL << 20;

    /// <summary>Committed bytes the pool holds at most, over all sizes.</summary>
    internal const long MaxPooledBytes = 64L << 20;

    private static readonly ConcurrentDictionary<ulong, ConcurrentStack<(nint Address, ulong Committed)>> s_free = new();
    private static long s_pooledBytes;

    /// <summary>Committed bytes held by the pool now.</summary>
    internal static long PooledBytes => Interlocked.Read(ref s_pooledBytes);

    /// <summary>A kept reservation of exactly <paramref name="reserved"/> bytes, zero and committed over its first <paramref name="committed"/> bytes.</summary>
    public static bool TryRent(ulong reserved, out nint address, out ulong committed)
    {
        if (reserved <= MaxReservation && s_free.TryGetValue(reserved, out var stack) && stack.TryPop(out var kept))
        {
            Interlocked.Add(ref s_pooledBytes, -(long)kept.Committed);
            (address, committed) = kept;
            return true;
        }
        (address, committed) = (0, 0);
        return false;
    }

    /// <summary>Keeps a reservation whose first <paramref name="committed"/> bytes are committed; false when it is not kept (the caller unmaps it).</summary>
    public static bool TryReturn(nint address, ulong reserved, ulong committed)
    {
        if (reserved > MaxReservation)
        {
            return false;
        }
        if (Interlocked.Add(ref s_pooledBytes, (long)committed) > MaxPooledBytes)
        {
            Interlocked.Add(ref s_pooledBytes, -(long)committed); // full: taken back
            return false;
        }
        NativeMemory.Clear((void*)address, (nuint)committed);
        s_free.GetOrAdd(reserved, static _ => new()).Push((address, committed));
        return true;
    }
}
