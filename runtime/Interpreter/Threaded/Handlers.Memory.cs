using System.Runtime.CompilerServices;
using WasmHarness.Execution;

namespace WasmHarness.Interpreter.Threaded;

/// <summary>
/// Memory 0's instructions. Its loads and stores are generated from the instruction table (<c>Handlers.MemoryAccess</c>:
/// the width and extension of each come from its row).
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

    /// <summary><c>memory.grow</c>'s result as its slot holds it: -1 (or the old size) in the memory's address type.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ulong Grow(MemoryInstance memory, ulong delta)
    {
        var result = memory.Grow(memory.Is64 ? delta : (uint)delta);
        return memory.Is64 ? (ulong)result : (uint)(int)result;
    }
}
