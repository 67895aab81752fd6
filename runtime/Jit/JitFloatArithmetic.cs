using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Jit;

/// <summary>
/// The float <c>add</c>, <c>sub</c>, <c>mul</c> and <c>div</c> of compiled code (the table's <c>jit</c> column), in a
/// form RyuJIT does not simplify.
/// </summary>
/// <remarks>
/// RyuJIT rewrites <c>x - 0</c>, <c>x + -0</c>, <c>x * 1</c> and <c>x / 1</c> to <c>x</c> (and <c>x * -1</c> to
/// <c>-x</c>) whenever it knows an operand is that constant. That is exact for every <c>x</c> but a signalling NaN,
/// which the operation must return quieted (spec: an arithmetic NaN) and the rewrite returns as it is. Hiding the
/// constants the module writes is not enough: RyuJIT also learns constants from zero-initialised locals,
/// conversions of integer constants (<c>f64.convert_i32_s (i32.const 0)</c>) and operations on unknown values
/// (<c>v128.xor x x</c> is a zero vector), all found by the differential tester. So the guard is at the operation:
/// <list type="bullet">
/// <item>Scalars use the single-lane hardware instructions (<c>addss</c>/<c>addsd</c> on x64, <c>fadd</c> on Arm64 for
/// f32), which RyuJIT emits as written: the same machine code as <c>a + b</c>, without the rewrites. Elsewhere the
/// operands pass through <c>Hide</c>: on Arm64 for f64 (a <c>Vector64&lt;double&gt;</c> has one lane, so RyuJIT treats
/// <c>AdvSimd.SubtractScalar</c> of it as a whole-vector operation and folds it: float_exprs.wast's no_fold_sub_zero
/// failed under qemu), and without hardware intrinsics (<c>DOTNET_EnableHWIntrinsic=0</c>).</item>
/// <item>Vectors have no such form (RyuJIT folds <c>Vector128</c> arithmetic and the x64 and Arm64 vector
/// instructions alike), so the operands RyuJIT could take for an identity pass through <c>Hide</c>: an OR with a zero
/// it cannot know (<see cref="OpaqueZero"/>, loaded from <see cref="s_zero"/> once per compiled function), one cheap instruction. Both operands of the commutative <c>add</c> and <c>mul</c>, the
/// right one of <c>sub</c> and <c>div</c> (<c>0 - x</c> and <c>1 / x</c> are not identities).</item>
/// </list>
/// The semantics stay <see cref="ScalarOps"/> and <see cref="VectorOps"/>: this class only changes how RyuJIT sees them.
/// </remarks>
internal static class JitFloatArithmetic
{
    /// <summary>Always zero; not <c>readonly</c>, so RyuJIT must load it and cannot know what a value OR-ed with it is. Never written.</summary>
#pragma warning disable CS0649 // never assigned: its value is the default on purpose
    private static ulong s_zero;
#pragma warning restore CS0649

    /// <summary>
    /// The zero vector operands are OR-ed with: a compiled function loads it once at entry (table flag <c>opaque</c>:
    /// its vector float arithmetic takes it as an argument), so a loop pays one OR per operand, not a load and a
    /// broadcast as well (the hiding cost 5-10% of the simd kernel with the load in each operation).
    /// </summary>
    public static Vector128<ulong> OpaqueZero() => Vector128.Create(s_zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V128 Hide(V128 value, Vector128<ulong> zero) => new(value.Bits | zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Hide(double value) => BitConverter.UInt64BitsToDouble(BitConverter.DoubleToUInt64Bits(value) | s_zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Hide(float value) => BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(value) | (uint)s_zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float F32Add(float a, float b) =>
        Sse.IsSupported ? Sse.AddScalar(Vector128.CreateScalarUnsafe(a), Vector128.CreateScalarUnsafe(b)).ToScalar()
        : AdvSimd.IsSupported ? AdvSimd.AddScalar(Vector64.CreateScalarUnsafe(a), Vector64.CreateScalarUnsafe(b)).ToScalar()
        : ScalarOps.F32Add(Hide(a), Hide(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float F32Sub(float a, float b) =>
        Sse.IsSupported ? Sse.SubtractScalar(Vector128.CreateScalarUnsafe(a), Vector128.CreateScalarUnsafe(b)).ToScalar()
        : AdvSimd.IsSupported ? AdvSimd.SubtractScalar(Vector64.CreateScalarUnsafe(a), Vector64.CreateScalarUnsafe(b)).ToScalar()
        : ScalarOps.F32Sub(a, Hide(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float F32Mul(float a, float b) =>
        Sse.IsSupported ? Sse.MultiplyScalar(Vector128.CreateScalarUnsafe(a), Vector128.CreateScalarUnsafe(b)).ToScalar()
        : AdvSimd.IsSupported ? AdvSimd.MultiplyScalar(Vector64.CreateScalarUnsafe(a), Vector64.CreateScalarUnsafe(b)).ToScalar()
        : ScalarOps.F32Mul(Hide(a), Hide(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float F32Div(float a, float b) =>
        Sse.IsSupported ? Sse.DivideScalar(Vector128.CreateScalarUnsafe(a), Vector128.CreateScalarUnsafe(b)).ToScalar()
        : AdvSimd.IsSupported ? AdvSimd.DivideScalar(Vector64.CreateScalarUnsafe(a), Vector64.CreateScalarUnsafe(b)).ToScalar()
        : ScalarOps.F32Div(a, Hide(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double F64Add(double a, double b) =>
        Sse2.IsSupported ? Sse2.AddScalar(Vector128.CreateScalarUnsafe(a), Vector128.CreateScalarUnsafe(b)).ToScalar()
        : ScalarOps.F64Add(Hide(a), Hide(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double F64Sub(double a, double b) =>
        Sse2.IsSupported ? Sse2.SubtractScalar(Vector128.CreateScalarUnsafe(a), Vector128.CreateScalarUnsafe(b)).ToScalar()
        : ScalarOps.F64Sub(a, Hide(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double F64Mul(double a, double b) =>
        Sse2.IsSupported ? Sse2.MultiplyScalar(Vector128.CreateScalarUnsafe(a), Vector128.CreateScalarUnsafe(b)).ToScalar()
        : ScalarOps.F64Mul(Hide(a), Hide(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double F64Div(double a, double b) =>
        Sse2.IsSupported ? Sse2.DivideScalar(Vector128.CreateScalarUnsafe(a), Vector128.CreateScalarUnsafe(b)).ToScalar()
        : ScalarOps.F64Div(a, Hide(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4Add(V128 a, V128 b, Vector128<ulong> zero) => VectorOps.F32x4Add(Hide(a, zero), Hide(b, zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4Sub(V128 a, V128 b, Vector128<ulong> zero) => VectorOps.F32x4Sub(a, Hide(b, zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4Mul(V128 a, V128 b, Vector128<ulong> zero) => VectorOps.F32x4Mul(Hide(a, zero), Hide(b, zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4Div(V128 a, V128 b, Vector128<ulong> zero) => VectorOps.F32x4Div(a, Hide(b, zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2Add(V128 a, V128 b, Vector128<ulong> zero) => VectorOps.F64x2Add(Hide(a, zero), Hide(b, zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2Sub(V128 a, V128 b, Vector128<ulong> zero) => VectorOps.F64x2Sub(a, Hide(b, zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2Mul(V128 a, V128 b, Vector128<ulong> zero) => VectorOps.F64x2Mul(Hide(a, zero), Hide(b, zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2Div(V128 a, V128 b, Vector128<ulong> zero) => VectorOps.F64x2Div(a, Hide(b, zero));

    // Relaxed multiply-add: the operands hidden like f32x4.mul's (the deterministic mode multiplies, then adds). The
    // negative forms negate the first operand before it is hidden: RyuJIT otherwise moves the negation to the other
    // factor or the product, which changes which NaN a NaN operand gives (found by InstructionTableTests).

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4RelaxedMadd(V128 a, V128 b, V128 c, RelaxedSimdMode mode, Vector128<ulong> zero) =>
        RelaxedVectorOps.F32x4RelaxedMadd(Hide(a, zero), Hide(b, zero), Hide(c, zero), mode);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4RelaxedNmadd(V128 a, V128 b, V128 c, RelaxedSimdMode mode, Vector128<ulong> zero) =>
        RelaxedVectorOps.F32x4RelaxedMadd(Hide(VectorOps.F32x4Neg(a), zero), Hide(b, zero), Hide(c, zero), mode);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2RelaxedMadd(V128 a, V128 b, V128 c, RelaxedSimdMode mode, Vector128<ulong> zero) =>
        RelaxedVectorOps.F64x2RelaxedMadd(Hide(a, zero), Hide(b, zero), Hide(c, zero), mode);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2RelaxedNmadd(V128 a, V128 b, V128 c, RelaxedSimdMode mode, Vector128<ulong> zero) =>
        RelaxedVectorOps.F64x2RelaxedMadd(Hide(VectorOps.F64x2Neg(a), zero), Hide(b, zero), Hide(c, zero), mode);
}
