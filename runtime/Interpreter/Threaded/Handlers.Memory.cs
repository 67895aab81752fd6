using System.Runtime.CompilerServices;
using WasmHarness.Execution;

namespace WasmHarness.Interpreter.Threaded;

/// <summary>
/// Memory 0's accesses (C is the offset; <see cref="MemoryInstance.Address"/> checks the bounds and traps) and its
/// instructions. Loads keep an i32 zero-extended in its slot, as everywhere in the interpreter.
/// </summary>
internal static unsafe partial class Handlers
{
    [MethodImpl(Hot)]
    internal static ulong* I32Load(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp[-1] = (uint)Unsafe.ReadUnaligned<int>(c.Memory!.Address(sp[-1], ip->C, sizeof(int)));
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* I64Load(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp[-1] = Unsafe.ReadUnaligned<ulong>(c.Memory!.Address(sp[-1], ip->C, sizeof(ulong)));
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* F32Load(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp[-1] = Unsafe.ReadUnaligned<uint>(c.Memory!.Address(sp[-1], ip->C, sizeof(uint)));
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* F64Load(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp[-1] = Unsafe.ReadUnaligned<ulong>(c.Memory!.Address(sp[-1], ip->C, sizeof(ulong)));
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* I32Load8S(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp[-1] = (uint)(int)Unsafe.ReadUnaligned<sbyte>(c.Memory!.Address(sp[-1], ip->C, sizeof(sbyte)));
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* I32Load8U(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp[-1] = Unsafe.ReadUnaligned<byte>(c.Memory!.Address(sp[-1], ip->C, sizeof(byte)));
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* I32Load16S(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp[-1] = (uint)(int)Unsafe.ReadUnaligned<short>(c.Memory!.Address(sp[-1], ip->C, sizeof(short)));
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* I32Load16U(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp[-1] = Unsafe.ReadUnaligned<ushort>(c.Memory!.Address(sp[-1], ip->C, sizeof(ushort)));
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* I64Load8S(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp[-1] = (ulong)(long)Unsafe.ReadUnaligned<sbyte>(c.Memory!.Address(sp[-1], ip->C, sizeof(sbyte)));
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* I64Load8U(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp[-1] = Unsafe.ReadUnaligned<byte>(c.Memory!.Address(sp[-1], ip->C, sizeof(byte)));
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* I64Load16S(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp[-1] = (ulong)(long)Unsafe.ReadUnaligned<short>(c.Memory!.Address(sp[-1], ip->C, sizeof(short)));
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* I64Load16U(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp[-1] = Unsafe.ReadUnaligned<ushort>(c.Memory!.Address(sp[-1], ip->C, sizeof(ushort)));
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* I64Load32S(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp[-1] = (ulong)(long)Unsafe.ReadUnaligned<int>(c.Memory!.Address(sp[-1], ip->C, sizeof(int)));
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* I64Load32U(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp[-1] = Unsafe.ReadUnaligned<uint>(c.Memory!.Address(sp[-1], ip->C, sizeof(uint)));
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* I32Store(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp -= 2;
        Unsafe.WriteUnaligned(c.Memory!.Address(sp[0], ip->C, sizeof(uint)), (uint)sp[1]);
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* I64Store(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp -= 2;
        Unsafe.WriteUnaligned(c.Memory!.Address(sp[0], ip->C, sizeof(ulong)), (ulong)sp[1]);
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* F32Store(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp -= 2;
        Unsafe.WriteUnaligned(c.Memory!.Address(sp[0], ip->C, sizeof(uint)), (uint)sp[1]);
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* F64Store(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp -= 2;
        Unsafe.WriteUnaligned(c.Memory!.Address(sp[0], ip->C, sizeof(ulong)), (ulong)sp[1]);
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* I32Store8(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp -= 2;
        Unsafe.WriteUnaligned(c.Memory!.Address(sp[0], ip->C, sizeof(byte)), (byte)sp[1]);
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* I32Store16(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp -= 2;
        Unsafe.WriteUnaligned(c.Memory!.Address(sp[0], ip->C, sizeof(ushort)), (ushort)sp[1]);
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* I64Store8(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp -= 2;
        Unsafe.WriteUnaligned(c.Memory!.Address(sp[0], ip->C, sizeof(byte)), (byte)sp[1]);
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* I64Store16(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp -= 2;
        Unsafe.WriteUnaligned(c.Memory!.Address(sp[0], ip->C, sizeof(ushort)), (ushort)sp[1]);
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* I64Store32(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp -= 2;
        Unsafe.WriteUnaligned(c.Memory!.Address(sp[0], ip->C, sizeof(uint)), (uint)sp[1]);
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

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
