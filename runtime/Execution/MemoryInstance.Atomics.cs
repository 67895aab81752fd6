using System.Diagnostics;
using System.Runtime.InteropServices;

namespace WasmHarness.Execution;

/// <summary>
/// The threads proposal's part of a memory: its waiter queue (<c>memory.atomic.wait</c> / <c>notify</c>). The queue
/// belongs to the memory, so every instance that imports the memory, on any thread, waits and notifies through the
/// same one.
/// </summary>
public sealed unsafe partial class MemoryInstance
{
    // Guards _waiters and (for a shared memory) growth. Waiting threads block on it with Monitor.Wait.
    private readonly object _sync = new();
    private readonly List<Waiter> _waiters = [];
    private bool _abandoned;

    /// <summary>True for a shared memory (threads): it may be used by several threads at once and never moves.</summary>
    public bool IsShared { get; }

    /// <summary>
    /// A shared memory holds bytes and waiters, no store state, and exists to be used by several threads, each of
    /// which runs its own store (a store is single-threaded): so it may serve any number of stores.
    /// </summary>
    private protected override bool StoreIndependent => IsShared;

    /// <summary>How many threads wait on this memory now (for tests and embedders).</summary>
    public int WaiterCount
    {
        get
        {
            lock (_sync)
            {
                return _waiters.Count;
            }
        }
    }

    private sealed class Waiter(nuint address)
    {
        public nuint Address { get; } = address;

        public bool Woken { get; set; }
    }

    /// <summary>
    /// <c>memory.atomic.wait</c> at <paramref name="at"/> (bounds and alignment already checked): 1 ("not-equal") when
    /// the value there differs from <paramref name="expected"/>, else blocks until notified (0, "ok") or until
    /// <paramref name="timeoutNanoseconds"/> pass (2, "timed-out"; negative waits for ever). Traps on an unshared memory.
    /// </summary>
    internal int Wait(byte* at, int width, ulong expected, long timeoutNanoseconds)
    {
        if (!IsShared)
        {
            TrapException.Throw(TrapKind.ExpectedSharedMemory);
        }
        var deadline = Atomics.Deadline(timeoutNanoseconds);
        lock (_sync)
        {
            ThrowIfAbandoned();
            // The comparison and the enqueueing happen under the lock that notify takes, so a store followed by a
            // notify on another thread cannot fall between them (no lost wake-up).
            if (Atomics.Load(at, width) != expected)
            {
                return 1;
            }
            var waiter = new Waiter((nuint)at);
            _waiters.Add(waiter);
            while (!waiter.Woken)
            {
                if (_abandoned)
                {
                    _waiters.Remove(waiter);
                    ThrowIfAbandoned();
                }
                if (deadline == long.MaxValue)
                {
                    Monitor.Wait(_sync);
                    continue;
                }
                var remaining = deadline - Stopwatch.GetTimestamp();
                if (remaining <= 0)
                {
                    _waiters.Remove(waiter);
                    return 2;
                }
                var milliseconds = (int)Math.Min((remaining * 1000 + Stopwatch.Frequency - 1) / Stopwatch.Frequency, int.MaxValue - 1);
                Monitor.Wait(_sync, Math.Max(milliseconds, 1));
            }
            return 0;
        }
    }

    /// <summary>
    /// Ends every wait on this memory, now and later, with an <see cref="TrapKind.Interrupted"/> trap: the program
    /// that shares it is over (a wasi-threads thread trapped or exited), and a thread blocked for a thread that will
    /// never notify must not hang its host.
    /// </summary>
    internal void AbandonWaiters()
    {
        lock (_sync)
        {
            _abandoned = true;
            Monitor.PulseAll(_sync);
        }
    }

    private void ThrowIfAbandoned()
    {
        if (_abandoned)
        {
            TrapException.Throw(TrapKind.Interrupted);
        }
    }

    /// <summary>
    /// <c>memory.atomic.notify</c> at <paramref name="at"/> (bounds and alignment already checked): wakes at most
    /// <paramref name="count"/> of the threads waiting on that address, oldest first, and returns how many it woke.
    /// An unshared memory has no waiters: 0.
    /// </summary>
    internal int Notify(byte* at, uint count)
    {
        if (!IsShared || count == 0)
        {
            return 0;
        }
        lock (_sync)
        {
            var woken = 0;
            for (var i = 0; i < _waiters.Count && (uint)woken < count;)
            {
                var waiter = _waiters[i];
                if (waiter.Address == (nuint)at)
                {
                    waiter.Woken = true;
                    _waiters.RemoveAt(i);
                    woken++;
                }
                else
                {
                    i++;
                }
            }
            if (woken > 0)
            {
                Monitor.PulseAll(_sync);
            }
            return woken;
        }
    }

    /// <summary>
    /// A shared memory never moves (another thread may be inside it): it lives in a reservation of its maximum, or,
    /// where none could be made, in an allocation of its maximum made now; when neither is possible it is refused.
    /// </summary>
    private void AllocateShared()
    {
        if (_reserved > 0)
        {
            return;
        }
        var bytes = MaxPages * PageSize;
        try
        {
            _data = (byte*)NativeMemory.AllocZeroed((nuint)Math.Max(bytes, 1));
        }
        catch (OutOfMemoryException)
        {
            throw new TrapException(TrapKind.ResourceExhausted, $"cannot allocate shared memory of {MaxPages} pages");
        }
        _capacity = bytes;
        ReportPressure();
    }
}
