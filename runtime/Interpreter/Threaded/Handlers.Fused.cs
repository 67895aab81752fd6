using System.Runtime.CompilerServices;
using WasmHarness.Execution;
using WasmHarness.Syntax;

using unsafe OpHandler = delegate*<WasmHarness.Interpreter.Threaded.ThreadedOp*, ulong*, ulong*, WasmHarness.Interpreter.Threaded.ThreadedContext, ulong*>;

namespace WasmHarness.Interpreter.Threaded;

/// <summary>
/// The superinstructions of <see cref="Compiler"/> (<see cref="InternalOp"/>; their immediates as the op form has them,
/// docs there), over the same semantics methods. A compare-and-branch handler is generic over its comparison, so
/// each comparison is a handler of its own with no switch left at run time.
/// </summary>
internal static unsafe partial class Handlers
{
    [MethodImpl(Hot)]
    internal static ulong* I32AddImm(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp[-1] = (uint)ScalarOps.I32Add((int)sp[-1], (int)ip->C);
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* I32AndImm(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp[-1] = (uint)ScalarOps.I32And((int)sp[-1], (int)ip->C);
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* I32ShlImm(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp[-1] = (uint)ScalarOps.I32Shl((int)sp[-1], (int)ip->C);
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* I32ShrUImm(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp[-1] = (uint)ScalarOps.I32ShrU((int)sp[-1], (int)ip->C);
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* I32ShrUAndImm(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp[-1] = (uint)ScalarOps.I32And(ScalarOps.I32ShrU((int)sp[-1], ip->B), (int)ip->C);
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* LocalI32AddImm(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        *sp = (uint)ScalarOps.I32Add((int)fp[ip->A], (int)ip->C);
        ip++;
        return ip->Handler(ip, sp + 1, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* LocalGet2(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp[0] = fp[ip->A];
        sp[1] = fp[ip->B];
        ip++;
        return ip->Handler(ip, sp + 2, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* LocalCopy(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        fp[ip->B] = fp[ip->A];
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* LocalSetImm(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        fp[ip->A] = ip->C;
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* LocalAddImmSet(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        fp[ip->B] = (uint)ScalarOps.I32Add((int)fp[ip->A], (int)ip->C);
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* LocalAddImmTee(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        var value = (uint)ScalarOps.I32Add((int)fp[ip->A], (int)ip->C);
        fp[ip->B] = value;
        *sp = value;
        ip++;
        return ip->Handler(ip, sp + 1, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* LocalI32Add(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        *sp = (uint)ScalarOps.I32Add((int)fp[ip->A], (int)fp[ip->B]);
        ip++;
        return ip->Handler(ip, sp + 1, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* LocalI32AddSet(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        fp[(int)ip->C] = (uint)ScalarOps.I32Add((int)fp[ip->A], (int)fp[ip->B]);
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* I32AddSet(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp -= 2;
        fp[ip->A] = (uint)ScalarOps.I32Add((int)sp[0], (int)sp[1]);
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* I32AddTee(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp--;
        var value = (uint)ScalarOps.I32Add((int)sp[-1], (int)sp[0]);
        sp[-1] = value;
        fp[ip->A] = value;
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    // ---- Loads and stores addressed by locals (memory 0, or B for the local-then-load ops) ----------------

    [MethodImpl(Hot)]
    internal static ulong* LocalI32Load(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        *sp = (uint)Unsafe.ReadUnaligned<int>(c.Memory!.Address(fp[ip->A], ip->C, sizeof(int)));
        ip++;
        return ip->Handler(ip, sp + 1, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* LocalI64Load(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        *sp = Unsafe.ReadUnaligned<ulong>(c.Memory!.Address(fp[ip->A], ip->C, sizeof(ulong)));
        ip++;
        return ip->Handler(ip, sp + 1, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* LocalI32Load8U(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        *sp = Unsafe.ReadUnaligned<byte>(c.Memory!.Address(fp[ip->A], ip->C, sizeof(byte)));
        ip++;
        return ip->Handler(ip, sp + 1, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* LocalI32Load8S(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        *sp = (uint)Unsafe.ReadUnaligned<sbyte>(c.Memory!.Address(fp[ip->A], ip->C, sizeof(sbyte)));
        ip++;
        return ip->Handler(ip, sp + 1, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* LocalLoad32Set(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        fp[ip->B] = (uint)Unsafe.ReadUnaligned<int>(c.Memory!.Address(fp[ip->A], ip->C, sizeof(int)));
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* LocalLoad32Tee(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        var value = (uint)Unsafe.ReadUnaligned<int>(c.Memory!.Address(fp[ip->A], ip->C, sizeof(int)));
        fp[ip->B] = value;
        *sp = value;
        ip++;
        return ip->Handler(ip, sp + 1, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* LocalImmLoad32(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        *sp = (uint)Unsafe.ReadUnaligned<int>(c.Memory!.Address((uint)ScalarOps.I32Add((int)fp[ip->A], ip->B), ip->C, sizeof(int)));
        ip++;
        return ip->Handler(ip, sp + 1, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* LocalImmLoad64(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        *sp = Unsafe.ReadUnaligned<ulong>(c.Memory!.Address((uint)ScalarOps.I32Add((int)fp[ip->A], ip->B), ip->C, sizeof(ulong)));
        ip++;
        return ip->Handler(ip, sp + 1, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* LocalImmLoad8U(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        *sp = Unsafe.ReadUnaligned<byte>(c.Memory!.Address((uint)ScalarOps.I32Add((int)fp[ip->A], ip->B), ip->C, sizeof(byte)));
        ip++;
        return ip->Handler(ip, sp + 1, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* LocalsLoad8U(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        *sp = Unsafe.ReadUnaligned<byte>(c.Memory!.Address((uint)ScalarOps.I32Add((int)fp[ip->A], (int)fp[ip->B]), ip->C, sizeof(byte)));
        ip++;
        return ip->Handler(ip, sp + 1, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* LocalsLoad32(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        *sp = (uint)Unsafe.ReadUnaligned<int>(c.Memory!.Address((uint)ScalarOps.I32Add((int)fp[ip->A], (int)fp[ip->B]), ip->C, sizeof(int)));
        ip++;
        return ip->Handler(ip, sp + 1, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* LocalsLoad64(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        *sp = Unsafe.ReadUnaligned<ulong>(c.Memory!.Address((uint)ScalarOps.I32Add((int)fp[ip->A], (int)fp[ip->B]), ip->C, sizeof(ulong)));
        ip++;
        return ip->Handler(ip, sp + 1, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* LocalI32Store(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        Unsafe.WriteUnaligned(c.Memory!.Address(fp[ip->A], ip->C, sizeof(uint)), (uint)fp[ip->B]);
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    // ---- Compare and branch -------------------------------------------------------------------------------

    [MethodImpl(Hot)]
    internal static ulong* BrIfZeroJump(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        if ((uint)*--sp == 0)
        {
            return Taken(ip, sp, fp, c);
        }
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    /// <summary>Two popped i32s compared.</summary>
    [MethodImpl(Hot)]
    internal static ulong* BrIfI32<T>(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
        where T : struct, II32Comparison
    {
        sp -= 2;
        if (T.Holds((int)sp[0], (int)sp[1]))
        {
            return Taken(ip, sp, fp, c);
        }
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    /// <summary>The popped i32 against the constant C.</summary>
    [MethodImpl(Hot)]
    internal static ulong* BrIfImmI32<T>(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
        where T : struct, II32Comparison
    {
        if (T.Holds((int)*--sp, (int)ip->C))
        {
            return Taken(ip, sp, fp, c);
        }
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    /// <summary>Local B against the constant C.</summary>
    [MethodImpl(Hot)]
    internal static ulong* BrIfLocalImmI32<T>(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
        where T : struct, II32Comparison
    {
        if (T.Holds((int)fp[ip->B], (int)ip->C))
        {
            return Taken(ip, sp, fp, c);
        }
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    /// <summary>Local B against local C: a loop's closing test.</summary>
    [MethodImpl(Hot)]
    internal static ulong* BrIfLocalsI32<T>(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
        where T : struct, II32Comparison
    {
        if (T.Holds((int)fp[ip->B], (int)fp[(int)ip->C]))
        {
            return Taken(ip, sp, fp, c);
        }
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    /// <summary>The popped i32 against local B.</summary>
    [MethodImpl(Hot)]
    internal static ulong* BrIfTopLocalI32<T>(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
        where T : struct, II32Comparison
    {
        if (T.Holds((int)*--sp, (int)fp[ip->B]))
        {
            return Taken(ip, sp, fp, c);
        }
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    /// <summary>The handler of compare-and-branch op <paramref name="fused"/> specialised for <paramref name="comparison"/> (<c>i32.eq</c> to <c>i32.ge_u</c>).</summary>
    internal static OpHandler CompareAndBranch(Opcode fused, Opcode comparison) => comparison switch
    {
        Opcode.I32Eq => CompareAndBranch<Eq>(fused),
        Opcode.I32Ne => CompareAndBranch<Ne>(fused),
        Opcode.I32LtS => CompareAndBranch<LtS>(fused),
        Opcode.I32LtU => CompareAndBranch<LtU>(fused),
        Opcode.I32GtS => CompareAndBranch<GtS>(fused),
        Opcode.I32GtU => CompareAndBranch<GtU>(fused),
        Opcode.I32LeS => CompareAndBranch<LeS>(fused),
        Opcode.I32LeU => CompareAndBranch<LeU>(fused),
        Opcode.I32GeS => CompareAndBranch<GeS>(fused),
        Opcode.I32GeU => CompareAndBranch<GeU>(fused),
        _ => throw new ArgumentOutOfRangeException(nameof(comparison), comparison, "not an i32 comparison"),
    };

    private static OpHandler CompareAndBranch<T>(Opcode fused)
        where T : struct, II32Comparison => fused switch
    {
        InternalOp.BrIfI32 => &BrIfI32<T>,
        InternalOp.BrIfImmI32 => &BrIfImmI32<T>,
        InternalOp.BrIfLocalImmI32 => &BrIfLocalImmI32<T>,
        InternalOp.BrIfLocalsI32 => &BrIfLocalsI32<T>,
        InternalOp.BrIfTopLocalI32 => &BrIfTopLocalI32<T>,
        _ => throw new ArgumentOutOfRangeException(nameof(fused), fused, "not a compare-and-branch op"),
    };

    /// <summary>An i32 comparison as a type, so that a generic handler compiles to that comparison alone.</summary>
    internal interface II32Comparison
    {
        static abstract bool Holds(int a, int b);
    }

    private struct Eq : II32Comparison { public static bool Holds(int a, int b) => ScalarOps.I32Eq(a, b) != 0; }
    private struct Ne : II32Comparison { public static bool Holds(int a, int b) => ScalarOps.I32Ne(a, b) != 0; }
    private struct LtS : II32Comparison { public static bool Holds(int a, int b) => ScalarOps.I32LtS(a, b) != 0; }
    private struct LtU : II32Comparison { public static bool Holds(int a, int b) => ScalarOps.I32LtU(a, b) != 0; }
    private struct GtS : II32Comparison { public static bool Holds(int a, int b) => ScalarOps.I32GtS(a, b) != 0; }
    private struct GtU : II32Comparison { public static bool Holds(int a, int b) => ScalarOps.I32GtU(a, b) != 0; }
    private struct LeS : II32Comparison { public static bool Holds(int a, int b) => ScalarOps.I32LeS(a, b) != 0; }
    private struct LeU : II32Comparison { public static bool Holds(int a, int b) => ScalarOps.I32LeU(a, b) != 0; }
    private struct GeS : II32Comparison { public static bool Holds(int a, int b) => ScalarOps.I32GeS(a, b) != 0; }
    private struct GeU : II32Comparison { public static bool Holds(int a, int b) => ScalarOps.I32GeU(a, b) != 0; }
}
