using System.Collections.Frozen;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using WasmHarness.Syntax;

namespace WasmHarness.Execution;

/// <summary>What an atomic instruction does (the threads proposal's families).</summary>
public enum AtomicKind : byte
{
    /// <summary><c>memory.atomic.notify</c>.</summary>
    Notify,
    /// <summary><c>memory.atomic.wait32</c>, <c>memory.atomic.wait64</c>.</summary>
    Wait,
    /// <summary><c>atomic.fence</c>.</summary>
    Fence,
    /// <summary><c>*.atomic.load*</c>.</summary>
    Load,
    /// <summary><c>*.atomic.store*</c>.</summary>
    Store,
    /// <summary><c>*.atomic.rmw*.add|sub|and|or|xor|xchg</c>.</summary>
    ReadModifyWrite,
    /// <summary><c>*.atomic.rmw*.cmpxchg</c>.</summary>
    CompareExchange,
}

/// <summary>The operation of a read-modify-write.</summary>
public enum AtomicOperation : byte
{
    /// <summary>No operation (not a read-modify-write).</summary>
    None,
    /// <summary><c>add</c>.</summary>
    Add,
    /// <summary><c>sub</c>.</summary>
    Sub,
    /// <summary><c>and</c>.</summary>
    And,
    /// <summary><c>or</c>.</summary>
    Or,
    /// <summary><c>xor</c>.</summary>
    Xor,
    /// <summary><c>xchg</c>.</summary>
    Xchg,
}

/// <summary>An atomic instruction's family, access width in bytes and read-modify-write operation.</summary>
public readonly record struct AtomicAccess(AtomicKind Kind, int Width, AtomicOperation Operation);

/// <summary>
/// The semantics of the threads proposal's atomic instructions, shared by the interpreter and the JIT (both call
/// <see cref="Execute"/>; <see cref="Fence"/> needs no memory). Every access is sequentially consistent:
/// <see cref="Interlocked"/> operations (full barriers) for stores and read-modify-writes, <see cref="Volatile"/>
/// reads for loads, which together are sequentially consistent on x64 and arm64. The bounds check comes before the
/// alignment check (an out-of-bounds unaligned access traps as out of bounds), as the spec orders them.
/// Values travel as <see cref="ulong"/>: operands are wrapped to the access width, results zero-extended from it,
/// so one representation serves i32 and i64 instructions of every width.
/// </summary>
public static unsafe class Atomics
{
    // Derived from the instruction table (names and natural alignments), so the encoding of each fact stays there.
    private static readonly FrozenDictionary<Opcode, AtomicAccess> s_accesses = OpcodeTable.All
        .Where(info => info.Prefix == 0xFE)
        .ToFrozenDictionary(info => info.Opcode, Describe);

    /// <summary>The family, width and operation of an atomic opcode; false for any other opcode.</summary>
    public static bool TryDescribe(Opcode opcode, out AtomicAccess access) => s_accesses.TryGetValue(opcode, out access);

    private static AtomicAccess Describe(OpcodeInfo info)
    {
        var width = 1 << (int)info.NaturalAlignment;
        var name = info.Name;
        if (name == "atomic.fence")
        {
            return new AtomicAccess(AtomicKind.Fence, 0, AtomicOperation.None);
        }
        if (name == "memory.atomic.notify")
        {
            return new AtomicAccess(AtomicKind.Notify, width, AtomicOperation.None);
        }
        if (name.StartsWith("memory.atomic.wait", StringComparison.Ordinal))
        {
            return new AtomicAccess(AtomicKind.Wait, width, AtomicOperation.None);
        }
        if (name.Contains(".atomic.load", StringComparison.Ordinal))
        {
            return new AtomicAccess(AtomicKind.Load, width, AtomicOperation.None);
        }
        if (name.Contains(".atomic.store", StringComparison.Ordinal))
        {
            return new AtomicAccess(AtomicKind.Store, width, AtomicOperation.None);
        }
        // i32.atomic.rmw8.add_u: the operation is the last dotted part, less the _u of the narrow forms.
        var operation = name[(name.LastIndexOf('.') + 1)..].Replace("_u", "", StringComparison.Ordinal);
        return operation == "cmpxchg"
            ? new AtomicAccess(AtomicKind.CompareExchange, width, AtomicOperation.None)
            : new AtomicAccess(AtomicKind.ReadModifyWrite, width, Enum.Parse<AtomicOperation>(operation, ignoreCase: true));
    }

    /// <summary><c>atomic.fence</c>: a full barrier.</summary>
    public static void Fence() => Interlocked.MemoryBarrier();

    /// <summary>
    /// Runs atomic instruction <paramref name="opcode"/> (not <c>atomic.fence</c>) on <paramref name="memory"/> at
    /// <paramref name="address"/> + <paramref name="offset"/> with up to two operands after the address (a value; the
    /// expected and replacement values of a compare-exchange; expected value and timeout of a wait; the count of a
    /// notify), and returns its result zero-extended (nothing for a store: 0).
    /// </summary>
    public static ulong Execute(Opcode opcode, MemoryInstance memory, ulong address, ulong offset, ulong operand1, ulong operand2)
    {
        var access = s_accesses[opcode];
        var width = access.Width;
        var at = memory.Address(address, offset, (ulong)width);
        // The memory's base is page-aligned, so the pointer is aligned exactly when the effective address is.
        if (((nuint)at & (nuint)(width - 1)) != 0)
        {
            TrapException.Throw(TrapKind.UnalignedAtomic);
        }
        switch (access.Kind)
        {
            case AtomicKind.Load:
                return Load(at, width);
            case AtomicKind.Store:
                Exchange(at, width, operand1);
                return 0;
            case AtomicKind.ReadModifyWrite:
                return ReadModifyWrite(at, width, access.Operation, operand1);
            case AtomicKind.CompareExchange:
                return CompareExchange(at, width, Wrap(operand1, width), Wrap(operand2, width));
            case AtomicKind.Wait:
                return (ulong)memory.Wait(at, width, Wrap(operand1, width), (long)operand2);
            case AtomicKind.Notify:
                return (ulong)memory.Notify(at, (uint)operand1);
            default:
                throw new InvalidOperationException($"{opcode} is not an atomic memory access");
        }
    }

    private static ulong Wrap(ulong value, int width) => width == 8 ? value : value & ((1UL << (width * 8)) - 1);

    /// <summary>A sequentially consistent load of <paramref name="width"/> bytes, zero-extended.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Load(byte* at, int width) => width switch
    {
        1 => Volatile.Read(ref *at),
        2 => Volatile.Read(ref *(ushort*)at),
        4 => Volatile.Read(ref *(uint*)at),
        _ => Volatile.Read(ref *(ulong*)at),
    };

    private static ulong Exchange(byte* at, int width, ulong value) => width switch
    {
        1 => Interlocked.Exchange(ref *at, (byte)value),
        2 => Interlocked.Exchange(ref *(ushort*)at, (ushort)value),
        4 => Interlocked.Exchange(ref *(uint*)at, (uint)value),
        _ => Interlocked.Exchange(ref *(ulong*)at, value),
    };

    private static ulong CompareExchange(byte* at, int width, ulong expected, ulong replacement) => width switch
    {
        1 => Interlocked.CompareExchange(ref *at, (byte)replacement, (byte)expected),
        2 => Interlocked.CompareExchange(ref *(ushort*)at, (ushort)replacement, (ushort)expected),
        4 => Interlocked.CompareExchange(ref *(uint*)at, (uint)replacement, (uint)expected),
        _ => Interlocked.CompareExchange(ref *(ulong*)at, replacement, expected),
    };

    private static ulong ReadModifyWrite(byte* at, int width, AtomicOperation operation, ulong operand)
    {
        // Fast paths where the hardware has the operation; the compare-exchange loop below is the definition.
        switch (operation)
        {
            case AtomicOperation.Xchg:
                return Exchange(at, width, operand);
            case AtomicOperation.Add when width == 4:
                return (uint)(Interlocked.Add(ref *(int*)at, (int)operand) - (int)operand);
            case AtomicOperation.Add when width == 8:
                return (ulong)(Interlocked.Add(ref *(long*)at, (long)operand) - (long)operand);
            default:
                break;
        }
        while (true)
        {
            var old = Load(at, width);
            var updated = Wrap(Apply(operation, old, operand), width);
            if (CompareExchange(at, width, old, updated) == old)
            {
                return old;
            }
        }
    }

    private static ulong Apply(AtomicOperation operation, ulong old, ulong operand) => operation switch
    {
        AtomicOperation.Add => old + operand,
        AtomicOperation.Sub => old - operand,
        AtomicOperation.And => old & operand,
        AtomicOperation.Or => old | operand,
        AtomicOperation.Xor => old ^ operand,
        _ => operand,
    };

    /// <summary>Converts a wait's timeout (nanoseconds; negative: for ever) to a deadline in <see cref="Stopwatch"/> ticks.</summary>
    internal static long Deadline(long timeoutNanoseconds)
    {
        if (timeoutNanoseconds < 0)
        {
            return long.MaxValue;
        }
        var ticks = (double)timeoutNanoseconds * Stopwatch.Frequency / 1e9;
        var now = Stopwatch.GetTimestamp();
        return ticks >= long.MaxValue - now ? long.MaxValue : now + (long)ticks;
    }
}
