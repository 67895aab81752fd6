using System.Diagnostics;

namespace WasmHarness.Wasi;

public sealed partial class WasiContext
{
    private const byte EventClock = 0;
    private const byte EventFdRead = 1;
    private const byte EventFdWrite = 2;
    private const ushort SubclockAbstime = 1;

    /// <summary>
    /// <c>poll_oneoff</c>: descriptors are always ready (files, and streams, whose reads block), so when any
    /// descriptor is subscribed the call reports those at once; otherwise it sleeps until the earliest clock
    /// subscription expires and reports every clock that has.
    /// </summary>
    private Errno PollOneoff(uint input, uint output, uint count, uint resultPointer)
    {
        if (count == 0)
        {
            return Errno.Inval;
        }
        Check(input, (ulong)count * 48);
        Check(output, (ulong)count * 32);
        Check(resultPointer, 4);
        var events = new List<(ulong UserData, Errno Error, byte Type, ulong Bytes)>();
        var clocks = new List<(ulong UserData, long Deadline)>();
        var started = Stopwatch.GetTimestamp();
        for (uint i = 0; i < count; i++)
        {
            var at = input + i * 48;
            var userData = LoadU64(at);
            var tag = LoadU8(at + 8);
            switch (tag)
            {
                case EventClock:
                    var clock = LoadU32(at + 16);
                    var timeout = LoadU64(at + 24);
                    var flags = LoadU16(at + 40);
                    if (Now(clock) is not { } now)
                    {
                        events.Add((userData, Errno.Inval, EventClock, 0));
                        break;
                    }
                    var relative = (flags & SubclockAbstime) != 0 ? (timeout > now ? timeout - now : 0) : timeout;
                    clocks.Add((userData, (long)Math.Min(relative / 100, (ulong)TimeSpan.MaxValue.Ticks / 2)));
                    break;
                case EventFdRead or EventFdWrite:
                    var fd = LoadU32(at + 16);
                    if (fd >= (uint)_descriptors.Count || _descriptors[(int)fd] is not { } descriptor)
                    {
                        events.Add((userData, Errno.Badf, tag, 0));
                    }
                    else if ((descriptor.Base & Rights.PollFdReadwrite) == 0)
                    {
                        events.Add((userData, Errno.NotCapable, tag, 0));
                    }
                    else
                    {
                        events.Add((userData, Errno.Success, tag, tag == EventFdRead ? descriptor.ReadableBytes : 0));
                    }
                    break;
                default:
                    return Errno.Inval;
            }
        }
        if (events.Count == 0)
        {
            var earliest = clocks.Min(c => c.Deadline);
            var wait = TimeSpan.FromTicks(earliest) - Stopwatch.GetElapsedTime(started);
            if (wait > TimeSpan.Zero)
            {
                Thread.Sleep(wait);
            }
            var elapsed = Stopwatch.GetElapsedTime(started).Ticks;
            foreach (var (userData, deadline) in clocks)
            {
                if (deadline <= elapsed || deadline == earliest)
                {
                    events.Add((userData, Errno.Success, EventClock, 0));
                }
            }
        }
        StoreBytes(output, new byte[events.Count * 32]);
        for (var i = 0; i < events.Count; i++)
        {
            var at = output + (uint)i * 32;
            StoreU64(at, events[i].UserData);
            StoreU16(at + 8, (ushort)events[i].Error);
            StoreU8(at + 10, events[i].Type);
            if (events[i].Type != EventClock)
            {
                StoreU64(at + 16, events[i].Bytes);
            }
        }
        StoreU32(resultPointer, (uint)events.Count);
        return Errno.Success;
    }
}
