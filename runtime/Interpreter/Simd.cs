using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using WasmHarness.Execution;
using WasmHarness.Syntax;
using WasmHarness.Validation;

namespace WasmHarness.Interpreter;

/// <summary>
/// The vector instructions that are not pure: memory accesses (loads, stores, lane accesses) and the relaxed SIMD
/// instructions, whose result depends on <see cref="RelaxedSimdMode"/> (the deterministic meaning from
/// <see cref="VectorOps"/>, the host's with <see cref="RelaxedSimdMode.Native"/>: <see cref="ExecuteRelaxedNative"/>).
/// Every other vector instruction is pure: its case is generated from the instruction table (<see cref="ExecutePure"/>).
/// </summary>
internal sealed unsafe partial class Machine
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<T> V<T>(in Slot slot) => Vector128.Create(slot.Low, slot.High).As<ulong, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Set<T>(ref Slot slot, Vector128<T> value)
    {
        var bits = value.AsUInt64();
        slot.Low = bits.GetElement(0);
        slot.High = bits.GetElement(1);
        slot.Reference = null;
    }

    /// <summary>Writes a binary operator's result over its first operand and pops the second.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Binary<T>(Slot[] s, ref int sp, Vector128<T> result)
    {
        sp--;
        Set(ref s[sp - 1], result);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V128 At(in Slot slot) => new(slot.Low, slot.High);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(ref Slot slot, V128 value)
    {
        slot.Low = value.Low;
        slot.High = value.High;
        slot.Reference = null;
    }

    /// <summary>Runs a ternary vector operator on the top three slots (its result replaces the first).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Ternary(Slot[] s, ref int sp, Func<V128, V128, V128, V128> f)
    {
        sp -= 2;
        Put(ref s[sp - 1], f(At(s[sp - 1]), At(s[sp]), At(s[sp + 1])));
    }

    /// <summary>A vector instruction, the stack top by value (see <see cref="CallHostCatching"/>): the new top, or -1 when <paramref name="op"/> is none.</summary>
    internal static int ExecuteSimd(in Op op, Slot[] s, int sp, ModuleInstance inst) => ExecuteSimd(op, s, ref sp, inst) ? sp : -1;

    internal static bool ExecuteSimd(in Op op, Slot[] s, ref int sp, ModuleInstance inst)
    {
        if (op.Code is >= Opcode.I8x16RelaxedSwizzle and <= Opcode.I32x4RelaxedDotI8x16I7x16AddS
            && inst.Store.Engine.Options.RelaxedSimd == RelaxedSimdMode.Native && ExecuteRelaxedNative(op.Code, s, ref sp))
        {
            return true;
        }
        switch (op.Code)
        {
            // ---- Memory -------------------------------------------------------------------------------
            case Opcode.V128Load:
            {
                ref var r = ref s[sp - 1];
                Set(ref r, Unsafe.ReadUnaligned<Vector128<byte>>(inst.Memories[op.A].Address(r.Low, op.C, 16)));
                return true;
            }
            case Opcode.V128Load8x8S:
            case Opcode.V128Load8x8U:
            case Opcode.V128Load16x4S:
            case Opcode.V128Load16x4U:
            case Opcode.V128Load32x2S:
            case Opcode.V128Load32x2U:
            {
                ref var r = ref s[sp - 1];
                var half = Vector128.Create(Unsafe.ReadUnaligned<ulong>(inst.Memories[op.A].Address(r.Low, op.C, 8)), 0UL);
                switch (op.Code)
                {
                    case Opcode.V128Load8x8S: Set(ref r, Vector128.WidenLower(half.AsSByte())); break;
                    case Opcode.V128Load8x8U: Set(ref r, Vector128.WidenLower(half.AsByte())); break;
                    case Opcode.V128Load16x4S: Set(ref r, Vector128.WidenLower(half.AsInt16())); break;
                    case Opcode.V128Load16x4U: Set(ref r, Vector128.WidenLower(half.AsUInt16())); break;
                    case Opcode.V128Load32x2S: Set(ref r, Vector128.WidenLower(half.AsInt32())); break;
                    default: Set(ref r, Vector128.WidenLower(half.AsUInt32())); break;
                }
                return true;
            }
            case Opcode.V128Load8Splat:
            {
                ref var r = ref s[sp - 1];
                Set(ref r, Vector128.Create(*inst.Memories[op.A].Address(r.Low, op.C, 1)));
                return true;
            }
            case Opcode.V128Load16Splat:
            {
                ref var r = ref s[sp - 1];
                Set(ref r, Vector128.Create(Unsafe.ReadUnaligned<ushort>(inst.Memories[op.A].Address(r.Low, op.C, 2))));
                return true;
            }
            case Opcode.V128Load32Splat:
            {
                ref var r = ref s[sp - 1];
                Set(ref r, Vector128.Create(Unsafe.ReadUnaligned<uint>(inst.Memories[op.A].Address(r.Low, op.C, 4))));
                return true;
            }
            case Opcode.V128Load64Splat:
            {
                ref var r = ref s[sp - 1];
                Set(ref r, Vector128.Create(Unsafe.ReadUnaligned<ulong>(inst.Memories[op.A].Address(r.Low, op.C, 8))));
                return true;
            }
            case Opcode.V128Load32Zero:
            {
                ref var r = ref s[sp - 1];
                Set(ref r, Vector128.Create(Unsafe.ReadUnaligned<uint>(inst.Memories[op.A].Address(r.Low, op.C, 4)), 0u, 0u, 0u));
                return true;
            }
            case Opcode.V128Load64Zero:
            {
                ref var r = ref s[sp - 1];
                Set(ref r, Vector128.Create(Unsafe.ReadUnaligned<ulong>(inst.Memories[op.A].Address(r.Low, op.C, 8)), 0UL));
                return true;
            }
            case Opcode.V128Store:
            {
                sp -= 2;
                Unsafe.WriteUnaligned(inst.Memories[op.A].Address(s[sp].Low, op.C, 16), V<byte>(s[sp + 1]));
                return true;
            }
            case Opcode.V128Load8Lane:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var value = *inst.Memories[op.A].Address(r.Low, op.C, 1);
                Set(ref r, V<byte>(s[sp]).WithElement(op.B, value));
                return true;
            }
            case Opcode.V128Load16Lane:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var value = Unsafe.ReadUnaligned<ushort>(inst.Memories[op.A].Address(r.Low, op.C, 2));
                Set(ref r, V<ushort>(s[sp]).WithElement(op.B, value));
                return true;
            }
            case Opcode.V128Load32Lane:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var value = Unsafe.ReadUnaligned<uint>(inst.Memories[op.A].Address(r.Low, op.C, 4));
                Set(ref r, V<uint>(s[sp]).WithElement(op.B, value));
                return true;
            }
            case Opcode.V128Load64Lane:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var value = Unsafe.ReadUnaligned<ulong>(inst.Memories[op.A].Address(r.Low, op.C, 8));
                Set(ref r, V<ulong>(s[sp]).WithElement(op.B, value));
                return true;
            }
            case Opcode.V128Store8Lane:
                sp -= 2;
                *inst.Memories[op.A].Address(s[sp].Low, op.C, 1) = V<byte>(s[sp + 1]).GetElement(op.B);
                return true;
            case Opcode.V128Store16Lane:
                sp -= 2;
                Unsafe.WriteUnaligned(inst.Memories[op.A].Address(s[sp].Low, op.C, 2), V<ushort>(s[sp + 1]).GetElement(op.B));
                return true;
            case Opcode.V128Store32Lane:
                sp -= 2;
                Unsafe.WriteUnaligned(inst.Memories[op.A].Address(s[sp].Low, op.C, 4), V<uint>(s[sp + 1]).GetElement(op.B));
                return true;
            case Opcode.V128Store64Lane:
                sp -= 2;
                Unsafe.WriteUnaligned(inst.Memories[op.A].Address(s[sp].Low, op.C, 8), V<ulong>(s[sp + 1]).GetElement(op.B));
                return true;

            case Opcode.I8x16Shuffle:
                return false; // needs the function's constants: handled in Run
            // ---- Relaxed SIMD, deterministic meaning (every other vector instruction is pure: VectorOps) ----
            case Opcode.I8x16RelaxedSwizzle:
                sp--;
                Put(ref s[sp - 1], VectorOps.I8x16Swizzle(At(s[sp - 1]), At(s[sp])));
                return true;
            case Opcode.I8x16RelaxedLaneselect:
            case Opcode.I16x8RelaxedLaneselect:
            case Opcode.I32x4RelaxedLaneselect:
            case Opcode.I64x2RelaxedLaneselect:
                Ternary(s, ref sp, VectorOps.V128Bitselect);
                return true;
            case Opcode.I16x8RelaxedQ15mulrS:
                sp--;
                Put(ref s[sp - 1], VectorOps.I16x8Q15MulrSatS(At(s[sp - 1]), At(s[sp])));
                return true;
            case Opcode.I16x8RelaxedDotI8x16I7x16S:
                sp--;
                Put(ref s[sp - 1], VectorOps.I16x8DotI8x16S(At(s[sp - 1]), At(s[sp])));
                return true;
            case Opcode.I32x4RelaxedDotI8x16I7x16AddS:
                Ternary(s, ref sp, VectorOps.I32x4DotI8x16AddS);
                return true;
            case Opcode.F32x4RelaxedMin:
                sp--;
                Put(ref s[sp - 1], VectorOps.F32x4Min(At(s[sp - 1]), At(s[sp])));
                return true;
            case Opcode.F32x4RelaxedMax:
                sp--;
                Put(ref s[sp - 1], VectorOps.F32x4Max(At(s[sp - 1]), At(s[sp])));
                return true;
            case Opcode.F64x2RelaxedMin:
                sp--;
                Put(ref s[sp - 1], VectorOps.F64x2Min(At(s[sp - 1]), At(s[sp])));
                return true;
            case Opcode.F64x2RelaxedMax:
                sp--;
                Put(ref s[sp - 1], VectorOps.F64x2Max(At(s[sp - 1]), At(s[sp])));
                return true;
            case Opcode.F32x4RelaxedMadd:
            case Opcode.F32x4RelaxedNmadd:
                sp -= 2;
                Put(ref s[sp - 1], VectorOps.F32x4MulAdd(At(s[sp - 1]), At(s[sp]), At(s[sp + 1]), op.Code == Opcode.F32x4RelaxedNmadd));
                return true;
            case Opcode.F64x2RelaxedMadd:
            case Opcode.F64x2RelaxedNmadd:
                sp -= 2;
                Put(ref s[sp - 1], VectorOps.F64x2MulAdd(At(s[sp - 1]), At(s[sp]), At(s[sp + 1]), op.Code == Opcode.F64x2RelaxedNmadd));
                return true;
            case Opcode.I32x4RelaxedTruncF32x4S:
                Put(ref s[sp - 1], VectorOps.I32x4TruncSatF32x4S(At(s[sp - 1])));
                return true;
            case Opcode.I32x4RelaxedTruncF32x4U:
                Put(ref s[sp - 1], VectorOps.I32x4TruncSatF32x4U(At(s[sp - 1])));
                return true;
            case Opcode.I32x4RelaxedTruncF64x2SZero:
                Put(ref s[sp - 1], VectorOps.I32x4TruncSatF64x2SZero(At(s[sp - 1])));
                return true;
            case Opcode.I32x4RelaxedTruncF64x2UZero:
                Put(ref s[sp - 1], VectorOps.I32x4TruncSatF64x2UZero(At(s[sp - 1])));
                return true;
            default:
                return false;
        }
    }
}
