using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using WasmHarness.Syntax;

namespace WasmHarness.Execution;

/// <summary>
/// A linear memory (spec: <c>meminst</c>): bytes in native memory, addressed with 64-bit addresses so that
/// wasm32 memories reach 4 GiB and memory64 memories are bounded only by the limit. On Linux the memory reserves
/// address space for its maximum up front (<c>mmap</c> with no access) and commits pages as it grows
/// (<c>mprotect</c>), so growth never copies and the base address never moves. Elsewhere, or when the reservation
/// fails, growth uses <see cref="NativeMemory.Realloc"/> with geometric capacity. Every bounds check is written
/// so that it cannot overflow.
/// </summary>
public sealed unsafe partial class MemoryInstance : ExternalValue, IDisposable
{
    /// <inheritdoc/>
    public override ExternKind Kind => ExternKind.Memory;

    private byte* _data;
    private ulong _capacity;
    private ulong _length;
    private ulong _reserved; // > 0: _data is a reservation of this many bytes, committed up to _capacity
    private long _pressure;  // bytes counted in MemoryPressure, so collections (and finalizers) keep up

    /// <summary>
    /// Creates a memory of <paramref name="type"/>'s minimum size, failing if it exceeds <paramref name="maxBytes"/>;
    /// <paramref name="reserve"/> false skips the address-space reservation (growth reallocates).
    /// </summary>
    public MemoryInstance(MemoryType type, ulong maxBytes = ulong.MaxValue, bool reserve = true)
    {
        Type = type;
        PageSize = type.PageSize;
        IsShared = type.Limits.Shared;
        // The address space bounds the pages (2^32 - 1 one-byte pages for wasm32), and so does a length in a ulong.
        var addressLimit = Math.Min(type.MaxPagesOfAddressSpace, ulong.MaxValue / PageSize);
        var maxPages = Math.Min(type.Limits.Max ?? addressLimit, addressLimit);
        MaxPages = Math.Min(maxPages, maxBytes / PageSize);
        if (type.Limits.Min > MaxPages)
        {
            throw new TrapException(TrapKind.ResourceExhausted, $"memory of {type.Limits.Min} pages exceeds the limit");
        }
        if (reserve || type.Limits.Shared)
        {
            TryReserve(MaxPages * PageSize);
        }
        if (type.Limits.Shared)
        {
            AllocateShared();
        }
        Resize(type.Limits.Min * PageSize);
    }

    /// <summary>The size of a page in bytes (the type's: 64 KiB, or 1 with custom-page-sizes), the unit of <see cref="Pages"/> and <see cref="Grow"/>.</summary>
    public ulong PageSize { get; }

    /// <summary>The memory's type; its minimum follows the current size as the memory grows.</summary>
    public MemoryType Type { get; private set; }

    /// <summary>The most pages this memory can have: its declared maximum, the address space, and the host's limit.</summary>
    public ulong MaxPages { get; }

    /// <summary>Current size in bytes.</summary>
    public ulong Length => _length;

    /// <summary>Current size in pages.</summary>
    public ulong Pages => _length / PageSize;

    /// <summary>True for a memory64 memory (i64 addresses).</summary>
    public bool Is64 => Type.Limits.AddressType == AddressType.I64;

    /// <summary>True when the memory grows in place inside a reservation (its base address never changes).</summary>
    public bool GrowsInPlace => _reserved > 0;

    /// <summary>The start of the bytes; valid until the next <see cref="Grow"/> (for ever when <see cref="GrowsInPlace"/>).</summary>
    internal byte* Data => _data;

    /// <summary>The bytes as a span, for memories below 2 GiB (and for tests).</summary>
    public Span<byte> Span => _length <= int.MaxValue ? new Span<byte>(_data, (int)_length) : throw new InvalidOperationException("memory larger than a span");

    /// <summary>
    /// Grows by <paramref name="deltaPages"/> (spec: <c>grow</c>). Returns the old size in pages, or -1 (as the
    /// instruction does) when the result would exceed the maximum or the host's limit, or allocation fails.
    /// </summary>
    public long Grow(ulong deltaPages)
    {
        if (IsShared)
        {
            // Threads may grow a shared memory at once: one at a time. It never moves, and the new length is
            // published after the pages are committed, so a thread that sees it can use them.
            lock (_sync)
            {
                return GrowUnshared(deltaPages);
            }
        }
        return GrowUnshared(deltaPages);
    }

    private long GrowUnshared(ulong deltaPages)
    {
        var oldPages = Pages;
        if (deltaPages > MaxPages - oldPages)
        {
            return -1;
        }
        if (deltaPages != 0)
        {
            try
            {
                Resize((oldPages + deltaPages) * PageSize);
            }
            catch (OutOfMemoryException)
            {
                return -1;
            }
            Type = Type with { Limits = Type.Limits with { Min = oldPages + deltaPages } };
        }
        return (long)oldPages;
    }

    /// <summary>True when <c>[address + offset, address + offset + width)</c> lies inside the memory; never overflows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool InBounds(ulong address, ulong offset, ulong width) =>
        address <= _length && offset <= _length - address && width <= _length - address - offset;

    /// <summary>The effective address of an access, or a trap when it is out of bounds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal byte* Address(ulong address, ulong offset, ulong width)
    {
        if (!InBounds(address, offset, width))
        {
            TrapException.Throw(TrapKind.OutOfBoundsMemoryAccess);
        }
        return _data + address + offset;
    }

    /// <summary>Reads a little-endian value of an unmanaged type at an address, with a bounds check.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Read<T>(ulong address, ulong offset = 0) where T : unmanaged =>
        Unsafe.ReadUnaligned<T>(Address(address, offset, (ulong)sizeof(T)));

    /// <summary>Writes a little-endian value of an unmanaged type at an address, with a bounds check.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write<T>(ulong address, ulong offset, T value) where T : unmanaged =>
        Unsafe.WriteUnaligned(Address(address, offset, (ulong)sizeof(T)), value);

    /// <summary>Copies bytes out of the memory (trapping when out of bounds).</summary>
    public void ReadBytes(ulong address, Span<byte> destination) =>
        new ReadOnlySpan<byte>(Address(address, 0, (ulong)destination.Length), destination.Length).CopyTo(destination);

    /// <summary>Copies bytes into the memory (trapping when out of bounds).</summary>
    public void WriteBytes(ulong address, ReadOnlySpan<byte> source) =>
        source.CopyTo(new Span<byte>(Address(address, 0, (ulong)source.Length), source.Length));

    /// <summary><c>memory.fill</c>: checks bounds first, then fills.</summary>
    public void Fill(ulong address, byte value, ulong count)
    {
        var start = Address(address, 0, count);
        for (ulong done = 0; done < count;)
        {
            var chunk = (uint)Math.Min(count - done, uint.MaxValue);
            NativeMemory.Fill(start + done, chunk, value);
            done += chunk;
        }
    }

    /// <summary><c>memory.copy</c> between memories (or within one): checks both ranges, then copies as if through a buffer.</summary>
    public static void Copy(MemoryInstance destination, ulong destinationAddress, MemoryInstance source, ulong sourceAddress, ulong count)
    {
        var to = destination.Address(destinationAddress, 0, count);
        var from = source.Address(sourceAddress, 0, count);
        for (ulong done = 0; done < count;)
        {
            var chunk = Math.Min(count - done, (ulong)long.MaxValue);
            Buffer.MemoryCopy(from + done, to + done, chunk, chunk);
            done += chunk;
        }
    }

    private void Resize(ulong newLength)
    {
        if (_reserved > 0)
        {
            if (newLength > _capacity)
            {
                // mprotect works on whole OS pages: commit up to the next one (1-byte Wasm pages end anywhere);
                // the bytes past the length stay zero and out of bounds until the memory grows over them.
                var osPage = (ulong)Environment.SystemPageSize;
                var committed = Math.Min(_reserved, (newLength + osPage - 1) / osPage * osPage);
                if (Posix.mprotect((nint)(_data + _capacity), (nuint)(committed - _capacity), Posix.ProtRead | Posix.ProtWrite) != 0)
                {
                    throw new OutOfMemoryException("cannot commit memory pages");
                }
                _capacity = committed;
                ReportPressure();
            }
            Volatile.Write(ref _length, newLength);
            return;
        }
        if (newLength > _capacity)
        {
            // Grow capacity geometrically (at least to the new length, at most to the maximum).
            var maxBytes = MaxPages * PageSize;
            var capacity = Math.Max(newLength, Math.Min(_capacity * 2, maxBytes));
            var data = _data is null ? (byte*)NativeMemory.AllocZeroed((nuint)Math.Max(capacity, 1)) : (byte*)NativeMemory.Realloc(_data, (nuint)capacity);
            if (_data is not null)
            {
                NativeMemory.Clear(data + _capacity, (nuint)(capacity - _capacity));
            }
            _data = data;
            _capacity = capacity;
            ReportPressure();
        }
        _length = newLength;
    }

    private void ReportPressure()
    {
        var delta = (long)Math.Min(_capacity, long.MaxValue / 2) - _pressure;
        if (delta > 0)
        {
            MemoryPressure.Add(delta);
            _pressure += delta;
        }
    }

    /// <summary>Frees the native memory now (rather than at finalization); afterwards every access traps as out of bounds.</summary>
    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void TryReserve(ulong bytes)
    {
        if (!OperatingSystem.IsLinux() || bytes == 0 || bytes > (1UL << 46))
        {
            return;
        }
        // Whole OS pages, so that committing up to the next OS page (Resize) stays inside the reservation.
        var osPage = (ulong)Environment.SystemPageSize;
        bytes = (bytes + osPage - 1) / osPage * osPage;
        if (!IsShared && ReservationPool.TryRent(bytes, out var kept, out var committed))
        {
            _data = (byte*)kept;
            _reserved = bytes;
            _capacity = committed; // committed and zero: Resize commits beyond it only
            return;
        }
        var address = Posix.mmap(0, (nuint)bytes, Posix.ProtNone, Posix.MapPrivate | Posix.MapAnonymous | Posix.MapNoReserve, -1, 0);
        if (address == -1 || address == 0)
        {
            return; // no address space left: fall back to Realloc
        }
        _data = (byte*)address;
        _reserved = bytes;
        _capacity = 0;
    }

    private void Free()
    {
        if (_pressure > 0)
        {
            MemoryPressure.Add(-_pressure);
            _pressure = 0;
        }
        if (_reserved > 0)
        {
            if (IsShared || !ReservationPool.TryReturn((nint)_data, _reserved, _capacity))
            {
                _ = Posix.munmap((nint)_data, (nuint)_reserved);
            }
            _data = null;
            _reserved = 0;
            _length = 0;
            _capacity = 0;
        }
        if (_data is not null)
        {
            NativeMemory.Free(_data);
            _data = null;
            _length = 0;
            _capacity = 0;
        }
    }

    /// <summary>Frees the native memory.</summary>
    ~MemoryInstance() => Free();

    /// <summary>The few POSIX calls for reserving and committing address space (Linux values).</summary>
    private static partial class Posix
    {
        public const int ProtNone = 0;
        public const int ProtRead = 1;
        public const int ProtWrite = 2;
        public const int MapPrivate = 0x02;
        public const int MapAnonymous = 0x20;
        public const int MapNoReserve = 0x4000;

        [LibraryImport("libc", SetLastError = true)]
        public static partial nint mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

        [LibraryImport("libc", SetLastError = true)]
        public static partial int mprotect(nint address, nuint length, int protection);

        [LibraryImport("libc", SetLastError = true)]
        public static partial int munmap(nint address, nuint length);
    }
}
