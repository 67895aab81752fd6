using System.Runtime.CompilerServices;
using WasmHarness.Execution;

namespace WasmHarness.Jit;

/// <summary>
/// Memory and table helpers for any memory or table, with 64-bit operands: compiled code zero-extends i32
/// addresses, indices and counts, and narrows 32-bit results, so one helper serves both address types.
/// </summary>
internal static partial class JitRuntime
{
    /// <summary>
    /// The address of an access of <paramref name="width"/> bytes at <paramref name="address"/> + <paramref name="offset"/>
    /// in memory 0 (32-bit addresses, base and length cached by the caller), or an out-of-bounds trap. The sum fits
    /// in 33 bits, so one unsigned comparison is the whole check. Written to be inlined without locals of its own
    /// (RyuJIT stops inlining into a method once it has 512 locals, which a large function's accesses would reach).
    /// Only methods near RyuJIT's limits call it: the others write the same test out and branch to one shared trap,
    /// which RyuJIT compiles faster (<c>FunctionCompiler.CheckedPointer</c>; docs/jit.md, "Memory").
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe byte* Address(uint address, uint offset, int width, byte* memoryBase, ulong length)
    {
        // address + offset + width > length, with the constant part moved to the right: length - offset - width is
        // invariant in a loop that makes no call, so RyuJIT hoists it and each access is one compare of the address.
        // Every term is below 2^33, so the signed difference cannot overflow (a negative one means: always traps).
        if ((long)address > (long)length - ((long)offset + width))
        {
            // A throw here, not a call of a throwing helper: RyuJIT then knows the path ends and keeps it out of the
            // way (a call it must assume returns rejoins the loop, and values live across it went to the stack:
            // matmul ran 4.5x wasmtime that way).
            throw Trap((int)TrapKind.OutOfBoundsMemoryAccess);
        }
        return memoryBase + ((ulong)address + offset);
    }

    public static long MemorySizeAt(JitContext context, int memory) => (long)context.Memories[memory].Pages;

    public static long MemoryGrowAt(long delta, JitContext context, int memory) => context.Memories[memory].Grow((ulong)delta);

    public static void MemoryFillAt(long destination, int value, long count, JitContext context, int memory) =>
        context.Memories[memory].Fill((ulong)destination, (byte)value, (ulong)count);

    public static void MemoryCopyAt(long destination, long source, long count, JitContext context, int destinationMemory, int sourceMemory) =>
        MemoryInstance.Copy(context.Memories[destinationMemory], (ulong)destination, context.Memories[sourceMemory], (ulong)source, (ulong)count);

    public static void MemoryInitAt(long destination, long source, long count, JitContext context, int dataIndex, int memory)
    {
        var target = context.Memories[memory];
        var bytes = context.Instance.Data[dataIndex].Bytes.Span;
        if ((ulong)source > (ulong)bytes.Length || (ulong)count > (ulong)bytes.Length - (ulong)source || !target.InBounds((ulong)destination, 0, (ulong)count))
        {
            throw Trap((int)TrapKind.OutOfBoundsMemoryAccess);
        }
        target.WriteBytes((ulong)destination, bytes.Slice((int)source, (int)count));
    }

    public static object? TableGet(long index, JitContext context, int table) => context.Tables[table].Get((ulong)index);

    public static void TableSet(long index, object? value, JitContext context, int table) => context.Tables[table].Write((ulong)index, value);

    public static long TableSize(JitContext context, int table) => (long)context.Tables[table].Length;

    public static long TableGrow(object? initial, long delta, JitContext context, int table) => context.Tables[table].Grow((ulong)delta, initial);

    public static void TableFill(long index, object? value, long count, JitContext context, int table) =>
        context.Tables[table].Fill((ulong)index, value, (ulong)count);

    public static void TableCopy(long destination, long source, long count, JitContext context, int destinationTable, int sourceTable) =>
        TableInstance.Copy(context.Tables[destinationTable], (ulong)destination, context.Tables[sourceTable], (ulong)source, (ulong)count);

    public static void TableInit(long destination, long source, long count, JitContext context, int element, int table) =>
        context.Tables[table].Init((ulong)destination, context.Instance.Elements[element], (ulong)source, (ulong)count);

    /// <summary>An atomic instruction on memory <paramref name="memory"/>: <see cref="Atomics.Execute"/> on 64-bit operands.</summary>
    public static long AtomicAt(long address, long first, long second, JitContext context, int memory, long offset, int opcode) =>
        (long)Atomics.Execute((Syntax.Opcode)opcode, context.Memories[memory], (ulong)address, (ulong)offset, (ulong)first, (ulong)second);

    /// <summary><c>atomic.fence</c>.</summary>
    public static void AtomicFence() => Atomics.Fence();
}
