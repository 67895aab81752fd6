using System.Runtime.CompilerServices;
using WasmHarness.Execution;

namespace WasmHarness.Interpreter.Threaded;

/// <summary>
/// Memory 0's instructions, data segments and the table instructions whose operands are all numbers. Memory 0's loads
/// and stores are generated from the instruction table (<c>Handlers.MemoryAccess</c>: width and extension from each row).
/// </summary>
internal static unsafe partial class Handlers
{
    [MethodImpl(Hot)]
    internal static ulong* MemorySize(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        *sp = c.Memory!.Pages;
        ip++;
        return ip->Handler(ip, sp + 1, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* MemoryGrow(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp[-1] = Grow(c.Memory!, sp[-1]);
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* MemoryFill(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp -= 3;
        c.Memory!.Fill(sp[0], (byte)sp[1], sp[2]);
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* MemoryCopy(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp -= 3;
        MemoryInstance.Copy(c.Memory!, sp[0], c.Memory!, sp[1], sp[2]);
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    /// <summary><c>memory.init</c>: A is the data segment, B the memory.</summary>
    [MethodImpl(Hot)]
    internal static ulong* MemoryInit(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp -= 3;
        Machine.MemoryInit(c.Instance, ip->A, ip->B, sp[0], sp[1], sp[2]);
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* DataDrop(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        c.Instance.Data[ip->A].Drop();
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    // Table instructions whose operands and results are all numbers (indices, counts, sizes).

    [MethodImpl(Hot)]
    internal static ulong* TableSize(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        *sp = c.Instance.Tables[ip->A].Length;
        ip++;
        return ip->Handler(ip, sp + 1, fp, c);
    }

    /// <summary><c>table.copy</c>: A is the destination table, B the source.</summary>
    [MethodImpl(Hot)]
    internal static ulong* TableCopy(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp -= 3;
        TableInstance.Copy(c.Instance.Tables[ip->A], sp[0], c.Instance.Tables[ip->B], sp[1], sp[2]);
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    /// <summary><c>table.init</c>: A is the element segment, B the table.</summary>
    [MethodImpl(Hot)]
    internal static ulong* TableInit(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp -= 3;
        c.Instance.Tables[ip->B].Init(sp[0], c.Instance.Elements[ip->A], sp[1], sp[2]);
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* ElemDrop(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        c.Instance.Elements[ip->A].Drop();
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    /// <summary><c>memory.grow</c>'s result as its slot holds it: -1 (or the old size) in the memory's address type.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ulong Grow(MemoryInstance memory, ulong delta)
    {
        var result = memory.Grow(memory.Is64 ? delta : (uint)delta);
        return memory.Is64 ? (ulong)result : (uint)(int)result;
    }
}
