using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using WasmHarness.Syntax;

namespace WasmHarness.Interpreter;

/// <summary>
/// Relaxed SIMD with <see cref="RelaxedSimdMode.Native"/>: the result the host's own vector instruction gives, one of
/// those the spec allows. Where the host has no single instruction for it (or its instruction gives the
/// deterministic result anyway, as most ARM64 ones do) this returns false and the deterministic meaning applies.
/// Both tiers come here (the JIT runs vector instructions through <see cref="ExecuteSimd(in Op, Slot[], ref int, Execution.ModuleInstance)"/>).
/// </summary>
internal sealed partial class Machine
{
    private static bool ExecuteRelaxedNative(Opcode code, Slot[] s, ref int sp)
    {
        switch (code)
        {
            // pshufb: an index with its top bit set gives 0, any other selects lane index & 15.
            case Opcode.I8x16RelaxedSwizzle when Ssse3.IsSupported:
                Binary(s, ref sp, Ssse3.Shuffle(V<byte>(s[sp - 2]), V<byte>(s[sp - 1])));
                return true;

            // cvttps2dq / cvttpd2dq: NaN and out-of-range lanes give 0x80000000.
            case Opcode.I32x4RelaxedTruncF32x4S when Sse2.IsSupported:
                Set(ref s[sp - 1], Sse2.ConvertToVector128Int32WithTruncation(V<float>(s[sp - 1])));
                return true;
            case Opcode.I32x4RelaxedTruncF64x2SZero when Sse2.IsSupported:
                Set(ref s[sp - 1], Sse2.ConvertToVector128Int32WithTruncation(V<double>(s[sp - 1])));
                return true;

            // vcvttps2udq / vcvttpd2udq (AVX-512): NaN and out-of-range lanes give 0xFFFFFFFF.
            case Opcode.I32x4RelaxedTruncF32x4U when Avx512F.VL.IsSupported:
                Set(ref s[sp - 1], Avx512F.VL.ConvertToVector128UInt32WithTruncation(V<float>(s[sp - 1])));
                return true;
            case Opcode.I32x4RelaxedTruncF64x2UZero when Avx512F.VL.IsSupported:
                Set(ref s[sp - 1], Avx512F.VL.ConvertToVector128UInt32WithTruncation(V<double>(s[sp - 1])));
                return true;

            // Fused multiply-add (one rounding) where the host has it.
            case Opcode.F32x4RelaxedMadd or Opcode.F32x4RelaxedNmadd when Fma.IsSupported || AdvSimd.IsSupported:
            {
                sp -= 2;
                var a = V<float>(s[sp - 1]);
                Set(ref s[sp - 1], Vector128.FusedMultiplyAdd(code == Opcode.F32x4RelaxedNmadd ? -a : a, V<float>(s[sp]), V<float>(s[sp + 1])));
                return true;
            }
            case Opcode.F64x2RelaxedMadd or Opcode.F64x2RelaxedNmadd when Fma.IsSupported || AdvSimd.Arm64.IsSupported:
            {
                sp -= 2;
                var a = V<double>(s[sp - 1]);
                Set(ref s[sp - 1], Vector128.FusedMultiplyAdd(code == Opcode.F64x2RelaxedNmadd ? -a : a, V<double>(s[sp]), V<double>(s[sp + 1])));
                return true;
            }

            // blendv: each lane from the first operand where the mask lane's top bit is set. x86 has no 16-bit
            // blendv (pblendvb on 16-bit lanes is not an allowed result), so i16x8 stays deterministic.
            case Opcode.I8x16RelaxedLaneselect when Sse41.IsSupported:
                sp -= 2;
                Set(ref s[sp - 1], Sse41.BlendVariable(V<byte>(s[sp]), V<byte>(s[sp - 1]), V<byte>(s[sp + 1])));
                return true;
            case Opcode.I32x4RelaxedLaneselect when Sse41.IsSupported:
                sp -= 2;
                Set(ref s[sp - 1], Sse41.BlendVariable(V<float>(s[sp]), V<float>(s[sp - 1]), V<float>(s[sp + 1])));
                return true;
            case Opcode.I64x2RelaxedLaneselect when Sse41.IsSupported:
                sp -= 2;
                Set(ref s[sp - 1], Sse41.BlendVariable(V<double>(s[sp]), V<double>(s[sp - 1]), V<double>(s[sp + 1])));
                return true;

            // minps/maxps: a < b ? a : b (resp. >): the second operand when either is NaN or both are zeros.
            case Opcode.F32x4RelaxedMin when Sse.IsSupported:
                Binary(s, ref sp, Sse.Min(V<float>(s[sp - 2]), V<float>(s[sp - 1])));
                return true;
            case Opcode.F32x4RelaxedMax when Sse.IsSupported:
                Binary(s, ref sp, Sse.Max(V<float>(s[sp - 2]), V<float>(s[sp - 1])));
                return true;
            case Opcode.F64x2RelaxedMin when Sse2.IsSupported:
                Binary(s, ref sp, Sse2.Min(V<double>(s[sp - 2]), V<double>(s[sp - 1])));
                return true;
            case Opcode.F64x2RelaxedMax when Sse2.IsSupported:
                Binary(s, ref sp, Sse2.Max(V<double>(s[sp - 2]), V<double>(s[sp - 1])));
                return true;

            // pmulhrsw: 0x8000 * 0x8000 wraps to 0x8000 instead of saturating.
            case Opcode.I16x8RelaxedQ15mulrS when Ssse3.IsSupported:
                Binary(s, ref sp, Ssse3.MultiplyHighRoundScale(V<short>(s[sp - 2]), V<short>(s[sp - 1])));
                return true;

            // pmaddubsw: the second (7-bit) operand unsigned, the first signed, pair sums saturated to i16;
            // the add form then sums pairs of those with pmaddwd and adds the accumulator.
            case Opcode.I16x8RelaxedDotI8x16I7x16S when Ssse3.IsSupported:
                Binary(s, ref sp, Ssse3.MultiplyAddAdjacent(V<byte>(s[sp - 1]), V<sbyte>(s[sp - 2])));
                return true;
            case Opcode.I32x4RelaxedDotI8x16I7x16AddS when Ssse3.IsSupported:
            {
                sp -= 2;
                var pairs = Ssse3.MultiplyAddAdjacent(V<byte>(s[sp]), V<sbyte>(s[sp - 1]));
                Set(ref s[sp - 1], Sse2.MultiplyAddAdjacent(pairs, Vector128.Create((short)1)) + V<int>(s[sp + 1]));
                return true;
            }
            default:
                return false;
        }
    }
}
