using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using WasmHarness.Syntax;

namespace WasmHarness.Execution;

/// <summary>
/// The semantics of the relaxed SIMD instructions, one method each, named after its <see cref="Syntax.Opcode"/>. The
/// spec allows each a set of results; <see cref="RelaxedSimdMode"/> (the table flag <c>mode</c>: the engine's mode is
/// the last argument, loaded by the interpreter from its store and by compiled code from its context) picks one:
/// <see cref="RelaxedSimdMode.Deterministic"/> the fixed, documented choice (mostly the standard twin's result, in
/// <see cref="VectorOps"/>), <see cref="RelaxedSimdMode.Native"/> what the host's own vector instruction gives where
/// it has one (else the deterministic result: most ARM64 instructions give it anyway). Both tiers call these methods,
/// the JIT inline (<c>mode</c> is a branch RyuJIT cannot fold, taken the same way every time), so the two agree bit
/// for bit in either mode.
/// </summary>
public static class RelaxedVectorOps
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<T> V<T>(V128 value) => value.Bits.As<ulong, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V128 R<T>(Vector128<T> value) => new(value.AsUInt64());

    private static bool Native(RelaxedSimdMode mode) => mode == RelaxedSimdMode.Native;

    /// <summary>x86 <c>pshufb</c>: an index with its top bit set gives 0, any other selects lane <c>index &amp; 15</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16RelaxedSwizzle(V128 a, V128 b, RelaxedSimdMode mode) =>
        Native(mode) && Ssse3.IsSupported ? R(Ssse3.Shuffle(V<byte>(a), V<byte>(b))) : VectorOps.I8x16Swizzle(a, b);

    /// <summary>x86 <c>cvttps2dq</c>: NaN and out-of-range lanes give 0x80000000.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4RelaxedTruncF32x4S(V128 a, RelaxedSimdMode mode) =>
        Native(mode) && Sse2.IsSupported ? R(Sse2.ConvertToVector128Int32WithTruncation(V<float>(a))) : VectorOps.I32x4TruncSatF32x4S(a);

    /// <summary>AVX-512 <c>vcvttps2udq</c>: NaN and out-of-range lanes give 0xFFFFFFFF.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4RelaxedTruncF32x4U(V128 a, RelaxedSimdMode mode) =>
        Native(mode) && Avx512F.VL.IsSupported ? R(Avx512F.VL.ConvertToVector128UInt32WithTruncation(V<float>(a))) : VectorOps.I32x4TruncSatF32x4U(a);

    /// <summary>x86 <c>cvttpd2dq</c> (upper lanes zero): NaN and out-of-range lanes give 0x80000000.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4RelaxedTruncF64x2SZero(V128 a, RelaxedSimdMode mode) =>
        Native(mode) && Sse2.IsSupported ? R(Sse2.ConvertToVector128Int32WithTruncation(V<double>(a))) : VectorOps.I32x4TruncSatF64x2SZero(a);

    /// <summary>AVX-512 <c>vcvttpd2udq</c>: NaN and out-of-range lanes give 0xFFFFFFFF.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4RelaxedTruncF64x2UZero(V128 a, RelaxedSimdMode mode) =>
        Native(mode) && Avx512F.VL.IsSupported ? R(Avx512F.VL.ConvertToVector128UInt32WithTruncation(V<double>(a))) : VectorOps.I32x4TruncSatF64x2UZero(a);

    /// <summary><c>a * b + c</c>: fused (one rounding) where the host has FMA, else multiply, round, add, round.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4RelaxedMadd(V128 a, V128 b, V128 c, RelaxedSimdMode mode) =>
        Native(mode) && (Fma.IsSupported || AdvSimd.IsSupported)
            ? R(Vector128.FusedMultiplyAdd(V<float>(a), V<float>(b), V<float>(c)))
            : VectorOps.F32x4MulAdd(a, b, c);

    /// <summary><c>-a * b + c</c>: <see cref="F32x4RelaxedMadd"/> of <c>f32x4.neg a</c> (the sign flipped first, so a NaN operand gives its negation, as the JIT computes it too).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4RelaxedNmadd(V128 a, V128 b, V128 c, RelaxedSimdMode mode) => F32x4RelaxedMadd(VectorOps.F32x4Neg(a), b, c, mode);

    /// <summary>The f64x2 <see cref="F32x4RelaxedMadd"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2RelaxedMadd(V128 a, V128 b, V128 c, RelaxedSimdMode mode) =>
        Native(mode) && (Fma.IsSupported || AdvSimd.Arm64.IsSupported)
            ? R(Vector128.FusedMultiplyAdd(V<double>(a), V<double>(b), V<double>(c)))
            : VectorOps.F64x2MulAdd(a, b, c);

    /// <summary>The f64x2 <see cref="F32x4RelaxedNmadd"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2RelaxedNmadd(V128 a, V128 b, V128 c, RelaxedSimdMode mode) => F64x2RelaxedMadd(VectorOps.F64x2Neg(a), b, c, mode);

    /// <summary>x86 <c>pblendvb</c>: each byte from <paramref name="a"/> where the mask byte's top bit is set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16RelaxedLaneselect(V128 a, V128 b, V128 mask, RelaxedSimdMode mode) =>
        Native(mode) && Sse41.IsSupported ? R(Sse41.BlendVariable(V<byte>(b), V<byte>(a), V<byte>(mask))) : VectorOps.V128Bitselect(a, b, mask);

    /// <summary>Always the bitwise select: x86 has no 16-bit <c>blendv</c> (<c>pblendvb</c> on 16-bit lanes is not an allowed result).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8RelaxedLaneselect(V128 a, V128 b, V128 mask, RelaxedSimdMode mode) => VectorOps.V128Bitselect(a, b, mask);

    /// <summary>x86 <c>blendvps</c>: each 32-bit lane by the mask lane's top bit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4RelaxedLaneselect(V128 a, V128 b, V128 mask, RelaxedSimdMode mode) =>
        Native(mode) && Sse41.IsSupported ? R(Sse41.BlendVariable(V<float>(b), V<float>(a), V<float>(mask))) : VectorOps.V128Bitselect(a, b, mask);

    /// <summary>x86 <c>blendvpd</c>: each 64-bit lane by the mask lane's top bit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I64x2RelaxedLaneselect(V128 a, V128 b, V128 mask, RelaxedSimdMode mode) =>
        Native(mode) && Sse41.IsSupported ? R(Sse41.BlendVariable(V<double>(b), V<double>(a), V<double>(mask))) : VectorOps.V128Bitselect(a, b, mask);

    /// <summary>x86 <c>minps</c>: <c>a &lt; b ? a : b</c>, so the second operand when either is NaN or both are zeros.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4RelaxedMin(V128 a, V128 b, RelaxedSimdMode mode) =>
        Native(mode) && Sse.IsSupported ? R(Sse.Min(V<float>(a), V<float>(b))) : VectorOps.F32x4Min(a, b);

    /// <summary>x86 <c>maxps</c>: <c>a &gt; b ? a : b</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4RelaxedMax(V128 a, V128 b, RelaxedSimdMode mode) =>
        Native(mode) && Sse.IsSupported ? R(Sse.Max(V<float>(a), V<float>(b))) : VectorOps.F32x4Max(a, b);

    /// <summary>x86 <c>minpd</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2RelaxedMin(V128 a, V128 b, RelaxedSimdMode mode) =>
        Native(mode) && Sse2.IsSupported ? R(Sse2.Min(V<double>(a), V<double>(b))) : VectorOps.F64x2Min(a, b);

    /// <summary>x86 <c>maxpd</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2RelaxedMax(V128 a, V128 b, RelaxedSimdMode mode) =>
        Native(mode) && Sse2.IsSupported ? R(Sse2.Max(V<double>(a), V<double>(b))) : VectorOps.F64x2Max(a, b);

    /// <summary>x86 <c>pmulhrsw</c>: 0x8000 × 0x8000 wraps to 0x8000 instead of saturating.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8RelaxedQ15mulrS(V128 a, V128 b, RelaxedSimdMode mode) =>
        Native(mode) && Ssse3.IsSupported ? R(Ssse3.MultiplyHighRoundScale(V<short>(a), V<short>(b))) : VectorOps.I16x8Q15MulrSatS(a, b);

    /// <summary>x86 <c>pmaddubsw</c>: the second (7-bit) operand unsigned, the first signed, pair sums saturated to i16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8RelaxedDotI8x16I7x16S(V128 a, V128 b, RelaxedSimdMode mode) =>
        Native(mode) && Ssse3.IsSupported ? R(Ssse3.MultiplyAddAdjacent(V<byte>(b), V<sbyte>(a))) : VectorOps.I16x8DotI8x16S(a, b);

    /// <summary><c>pmaddubsw</c>, then pairs of those summed with <c>pmaddwd</c>, plus the accumulator <paramref name="c"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4RelaxedDotI8x16I7x16AddS(V128 a, V128 b, V128 c, RelaxedSimdMode mode)
    {
        if (Native(mode) && Ssse3.IsSupported)
        {
            var pairs = Ssse3.MultiplyAddAdjacent(V<byte>(b), V<sbyte>(a));
            return R(Sse2.MultiplyAddAdjacent(pairs, Vector128.Create((short)1)) + V<int>(c));
        }
        return VectorOps.I32x4DotI8x16AddS(a, b, c);
    }
}
