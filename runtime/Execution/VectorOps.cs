using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using WasmHarness.Syntax;

namespace WasmHarness.Execution;

/// <summary>
/// The semantics of every pure vector instruction, one method each, named after its <see cref="Syntax.Opcode"/>:
/// operands and result as <see cref="V128"/> (scalars as <see cref="int"/>, <see cref="long"/>, <see cref="float"/>,
/// <see cref="double"/>; a lane index as a trailing <see cref="int"/>). The instruction table (column <c>sem</c>) names
/// them, and the source generator makes both tiers use them: the interpreter's cases call them on its slots, the JIT
/// calls them on values of its CIL stack, and RyuJIT inlines the small ones into <see cref="Vector128"/> code
/// (SSE/AVX on x86-64, AdvSimd on ARM64). One implementation, so both tiers agree bit for bit, NaN payloads included.
/// The relaxed instructions' deterministic meaning is here too; <see cref="RelaxedVectorOps"/> picks it or the host's.
/// Every method is marked for inlining: RyuJIT inlines only small methods by itself, and a vector instruction left as
/// a call (say <c>i32x4.trunc_sat_f32x4_s</c>, a few lines) cost compiled code a call, and until tiering caught up an
/// unoptimized body, in the middle of a vector loop (10% of the <c>simd</c> kernel's time). Inlined, an operation on
/// constant operands is folded by RyuJIT at compile time, which holds float constants as doubles and so quiets a
/// signalling NaN lane: the JIT therefore hides a <c>v128.const</c> with a NaN lane from RyuJIT
/// (<c>JitRuntime.V128ConstOpaque</c>), as it hides scalar NaN constants (the differential campaign found this on
/// <c>f32x4.pmax</c>: corpus/regressions/differential/case-ba9ca228e9887527).
/// </summary>
public static class VectorOps
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<T> V<T>(V128 value) => Unsafe.BitCast<V128, Vector128<T>>(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V128 R<T>(Vector128<T> value) => Unsafe.BitCast<Vector128<T>, V128>(value);

    // ---- Splats and lanes ----------------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16Splat(int value) => R(Vector128.Create((byte)value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8Splat(int value) => R(Vector128.Create((ushort)value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4Splat(int value) => R(Vector128.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I64x2Splat(long value) => R(Vector128.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4Splat(float value) => R(Vector128.Create(BitConverter.SingleToUInt32Bits(value)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2Splat(double value) => R(Vector128.Create(BitConverter.DoubleToUInt64Bits(value)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I8x16ExtractLaneS(V128 a, int lane) => V<sbyte>(a).GetElement(lane);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I8x16ExtractLaneU(V128 a, int lane) => V<byte>(a).GetElement(lane);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I16x8ExtractLaneS(V128 a, int lane) => V<short>(a).GetElement(lane);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I16x8ExtractLaneU(V128 a, int lane) => V<ushort>(a).GetElement(lane);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I32x4ExtractLane(V128 a, int lane) => V<int>(a).GetElement(lane);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long I64x2ExtractLane(V128 a, int lane) => V<long>(a).GetElement(lane);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float F32x4ExtractLane(V128 a, int lane) => BitConverter.UInt32BitsToSingle(V<uint>(a).GetElement(lane));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double F64x2ExtractLane(V128 a, int lane) => BitConverter.UInt64BitsToDouble(V<ulong>(a).GetElement(lane));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16ReplaceLane(V128 a, int value, int lane) => R(V<byte>(a).WithElement(lane, (byte)value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8ReplaceLane(V128 a, int value, int lane) => R(V<ushort>(a).WithElement(lane, (ushort)value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4ReplaceLane(V128 a, int value, int lane) => R(V<int>(a).WithElement(lane, value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I64x2ReplaceLane(V128 a, long value, int lane) => R(V<long>(a).WithElement(lane, value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4ReplaceLane(V128 a, float value, int lane) => R(V<uint>(a).WithElement(lane, BitConverter.SingleToUInt32Bits(value)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2ReplaceLane(V128 a, double value, int lane) => R(V<ulong>(a).WithElement(lane, BitConverter.DoubleToUInt64Bits(value)));

    // ---- Bitwise -------------------------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 V128Not(V128 a) => R(~V<ulong>(a));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 V128And(V128 a, V128 b) => R(V<ulong>(a) & V<ulong>(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 V128Andnot(V128 a, V128 b) => R(Vector128.AndNot(V<ulong>(a), V<ulong>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 V128Or(V128 a, V128 b) => R(V<ulong>(a) | V<ulong>(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 V128Xor(V128 a, V128 b) => R(V<ulong>(a) ^ V<ulong>(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 V128Bitselect(V128 a, V128 b, V128 mask) => R(Vector128.ConditionalSelect(V<ulong>(mask), V<ulong>(a), V<ulong>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int V128AnyTrue(V128 a) => V<ulong>(a) != Vector128<ulong>.Zero ? 1 : 0;

    // ---- Float min/max ---------------------------------------------------------------------------------------
    // Lane-wise Numerics.F32Min & co. without branches: a NaN operand gives the first NaN operand quieted (the NaN
    // the scalar operator returns), equal operands (±0 among them) combine
    // their bits (or: -0 wins the min; and: +0 wins the max), otherwise the smaller (larger) operand.

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4Min(V128 a, V128 b) => R(MinMax(V<float>(a), V<float>(b), max: false));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4Max(V128 a, V128 b) => R(MinMax(V<float>(a), V<float>(b), max: true));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2Min(V128 a, V128 b) => R(MinMax(V<double>(a), V<double>(b), max: false));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2Max(V128 a, V128 b) => R(MinMax(V<double>(a), V<double>(b), max: true));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<T> MinMax<T>(Vector128<T> x, Vector128<T> y, bool max)
    {
        var nan = ~(Vector128.Equals(x, x) & Vector128.Equals(y, y));
        var equal = Vector128.Equals(x, y);
        var bits = max ? x & y : x | y;
        var pick = Vector128.ConditionalSelect(max ? Vector128.GreaterThan(x, y) : Vector128.LessThan(x, y), x, y);
        // Numerics.NaNOf lane-wise: the first NaN operand, quieted (the top bit of the fraction is the quiet bit).
        var quietBit = Vector128.Create(typeof(T) == typeof(float) ? 0x0040_0000_0040_0000ul : 0x0008_0000_0000_0000ul).As<ulong, T>();
        var firstNaN = Vector128.ConditionalSelect(Vector128.Equals(x, x), y, x) | quietBit;
        return Vector128.ConditionalSelect(nan, firstNaN, Vector128.ConditionalSelect(equal, bits, pick));
    }

    // ---- Lane arithmetic, compares, shifts, reductions --------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16Add(V128 a, V128 b) => R(V<byte>(a) + V<byte>(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16Sub(V128 a, V128 b) => R(V<byte>(a) - V<byte>(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16Eq(V128 a, V128 b) => R(Vector128.Equals(V<byte>(a), V<byte>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16Ne(V128 a, V128 b) => R(~Vector128.Equals(V<byte>(a), V<byte>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16LtS(V128 a, V128 b) => R(Vector128.LessThan(V<sbyte>(a), V<sbyte>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16LtU(V128 a, V128 b) => R(Vector128.LessThan(V<byte>(a), V<byte>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16GtS(V128 a, V128 b) => R(Vector128.GreaterThan(V<sbyte>(a), V<sbyte>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16GtU(V128 a, V128 b) => R(Vector128.GreaterThan(V<byte>(a), V<byte>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16LeS(V128 a, V128 b) => R(Vector128.LessThanOrEqual(V<sbyte>(a), V<sbyte>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16LeU(V128 a, V128 b) => R(Vector128.LessThanOrEqual(V<byte>(a), V<byte>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16GeS(V128 a, V128 b) => R(Vector128.GreaterThanOrEqual(V<sbyte>(a), V<sbyte>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16GeU(V128 a, V128 b) => R(Vector128.GreaterThanOrEqual(V<byte>(a), V<byte>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16MinS(V128 a, V128 b) => R(Vector128.Min(V<sbyte>(a), V<sbyte>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16MinU(V128 a, V128 b) => R(Vector128.Min(V<byte>(a), V<byte>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16MaxS(V128 a, V128 b) => R(Vector128.Max(V<sbyte>(a), V<sbyte>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16MaxU(V128 a, V128 b) => R(Vector128.Max(V<byte>(a), V<byte>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16Neg(V128 a) => R(Vector128<byte>.Zero - V<byte>(a));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16Shl(V128 a, int count) => R(Vector128.ShiftLeft(V<byte>(a), count & 7));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16ShrS(V128 a, int count) => R(Vector128.ShiftRightArithmetic(V<sbyte>(a), count & 7));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16ShrU(V128 a, int count) => R(Vector128.ShiftRightLogical(V<byte>(a), count & 7));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I8x16AllTrue(V128 a) => Vector128.EqualsAny(V<byte>(a), Vector128<byte>.Zero) ? 0 : 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I8x16Bitmask(V128 a) => (int)Vector128.ExtractMostSignificantBits(V<byte>(a));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8Add(V128 a, V128 b) => R(V<ushort>(a) + V<ushort>(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8Sub(V128 a, V128 b) => R(V<ushort>(a) - V<ushort>(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8Mul(V128 a, V128 b) => R(V<ushort>(a) * V<ushort>(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8Eq(V128 a, V128 b) => R(Vector128.Equals(V<ushort>(a), V<ushort>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8Ne(V128 a, V128 b) => R(~Vector128.Equals(V<ushort>(a), V<ushort>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8LtS(V128 a, V128 b) => R(Vector128.LessThan(V<short>(a), V<short>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8LtU(V128 a, V128 b) => R(Vector128.LessThan(V<ushort>(a), V<ushort>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8GtS(V128 a, V128 b) => R(Vector128.GreaterThan(V<short>(a), V<short>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8GtU(V128 a, V128 b) => R(Vector128.GreaterThan(V<ushort>(a), V<ushort>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8LeS(V128 a, V128 b) => R(Vector128.LessThanOrEqual(V<short>(a), V<short>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8LeU(V128 a, V128 b) => R(Vector128.LessThanOrEqual(V<ushort>(a), V<ushort>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8GeS(V128 a, V128 b) => R(Vector128.GreaterThanOrEqual(V<short>(a), V<short>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8GeU(V128 a, V128 b) => R(Vector128.GreaterThanOrEqual(V<ushort>(a), V<ushort>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8MinS(V128 a, V128 b) => R(Vector128.Min(V<short>(a), V<short>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8MinU(V128 a, V128 b) => R(Vector128.Min(V<ushort>(a), V<ushort>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8MaxS(V128 a, V128 b) => R(Vector128.Max(V<short>(a), V<short>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8MaxU(V128 a, V128 b) => R(Vector128.Max(V<ushort>(a), V<ushort>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8Neg(V128 a) => R(Vector128<ushort>.Zero - V<ushort>(a));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8Shl(V128 a, int count) => R(Vector128.ShiftLeft(V<ushort>(a), count & 15));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8ShrS(V128 a, int count) => R(Vector128.ShiftRightArithmetic(V<short>(a), count & 15));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8ShrU(V128 a, int count) => R(Vector128.ShiftRightLogical(V<ushort>(a), count & 15));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I16x8AllTrue(V128 a) => Vector128.EqualsAny(V<ushort>(a), Vector128<ushort>.Zero) ? 0 : 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I16x8Bitmask(V128 a) => (int)Vector128.ExtractMostSignificantBits(V<ushort>(a));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4Add(V128 a, V128 b) => R(V<uint>(a) + V<uint>(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4Sub(V128 a, V128 b) => R(V<uint>(a) - V<uint>(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4Mul(V128 a, V128 b) => R(V<uint>(a) * V<uint>(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4Eq(V128 a, V128 b) => R(Vector128.Equals(V<uint>(a), V<uint>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4Ne(V128 a, V128 b) => R(~Vector128.Equals(V<uint>(a), V<uint>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4LtS(V128 a, V128 b) => R(Vector128.LessThan(V<int>(a), V<int>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4LtU(V128 a, V128 b) => R(Vector128.LessThan(V<uint>(a), V<uint>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4GtS(V128 a, V128 b) => R(Vector128.GreaterThan(V<int>(a), V<int>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4GtU(V128 a, V128 b) => R(Vector128.GreaterThan(V<uint>(a), V<uint>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4LeS(V128 a, V128 b) => R(Vector128.LessThanOrEqual(V<int>(a), V<int>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4LeU(V128 a, V128 b) => R(Vector128.LessThanOrEqual(V<uint>(a), V<uint>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4GeS(V128 a, V128 b) => R(Vector128.GreaterThanOrEqual(V<int>(a), V<int>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4GeU(V128 a, V128 b) => R(Vector128.GreaterThanOrEqual(V<uint>(a), V<uint>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4MinS(V128 a, V128 b) => R(Vector128.Min(V<int>(a), V<int>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4MinU(V128 a, V128 b) => R(Vector128.Min(V<uint>(a), V<uint>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4MaxS(V128 a, V128 b) => R(Vector128.Max(V<int>(a), V<int>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4MaxU(V128 a, V128 b) => R(Vector128.Max(V<uint>(a), V<uint>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4Neg(V128 a) => R(Vector128<uint>.Zero - V<uint>(a));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4Shl(V128 a, int count) => R(Vector128.ShiftLeft(V<uint>(a), count & 31));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4ShrS(V128 a, int count) => R(Vector128.ShiftRightArithmetic(V<int>(a), count & 31));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4ShrU(V128 a, int count) => R(Vector128.ShiftRightLogical(V<uint>(a), count & 31));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I32x4AllTrue(V128 a) => Vector128.EqualsAny(V<uint>(a), Vector128<uint>.Zero) ? 0 : 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I32x4Bitmask(V128 a) => (int)Vector128.ExtractMostSignificantBits(V<uint>(a));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I64x2Add(V128 a, V128 b) => R(V<ulong>(a) + V<ulong>(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I64x2Sub(V128 a, V128 b) => R(V<ulong>(a) - V<ulong>(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I64x2Mul(V128 a, V128 b) => R(V<ulong>(a) * V<ulong>(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I64x2Eq(V128 a, V128 b) => R(Vector128.Equals(V<long>(a), V<long>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I64x2Ne(V128 a, V128 b) => R(~Vector128.Equals(V<long>(a), V<long>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I64x2LtS(V128 a, V128 b) => R(Vector128.LessThan(V<long>(a), V<long>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I64x2GtS(V128 a, V128 b) => R(Vector128.GreaterThan(V<long>(a), V<long>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I64x2LeS(V128 a, V128 b) => R(Vector128.LessThanOrEqual(V<long>(a), V<long>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I64x2GeS(V128 a, V128 b) => R(Vector128.GreaterThanOrEqual(V<long>(a), V<long>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I64x2Neg(V128 a) => R(Vector128<ulong>.Zero - V<ulong>(a));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I64x2Shl(V128 a, int count) => R(Vector128.ShiftLeft(V<ulong>(a), count & 63));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I64x2ShrS(V128 a, int count) => R(Vector128.ShiftRightArithmetic(V<long>(a), count & 63));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I64x2ShrU(V128 a, int count) => R(Vector128.ShiftRightLogical(V<ulong>(a), count & 63));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I64x2AllTrue(V128 a) => Vector128.EqualsAny(V<ulong>(a), Vector128<ulong>.Zero) ? 0 : 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I64x2Bitmask(V128 a) => (int)Vector128.ExtractMostSignificantBits(V<ulong>(a));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4Add(V128 a, V128 b) => R(V<float>(a) + V<float>(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4Sub(V128 a, V128 b) => R(V<float>(a) - V<float>(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4Mul(V128 a, V128 b) => R(V<float>(a) * V<float>(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4Div(V128 a, V128 b) => R(V<float>(a) / V<float>(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4Eq(V128 a, V128 b) => R(Vector128.Equals(V<float>(a), V<float>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4Ne(V128 a, V128 b) => R(~Vector128.Equals(V<float>(a), V<float>(b)).AsUInt32());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4Lt(V128 a, V128 b) => R(Vector128.LessThan(V<float>(a), V<float>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4Gt(V128 a, V128 b) => R(Vector128.GreaterThan(V<float>(a), V<float>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4Le(V128 a, V128 b) => R(Vector128.LessThanOrEqual(V<float>(a), V<float>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4Ge(V128 a, V128 b) => R(Vector128.GreaterThanOrEqual(V<float>(a), V<float>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4Abs(V128 a) => R(Vector128.AndNot(V<uint>(a), Vector128.Create(0x8000_0000u)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4Neg(V128 a) => R(V<uint>(a) ^ Vector128.Create(0x8000_0000u));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2Add(V128 a, V128 b) => R(V<double>(a) + V<double>(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2Sub(V128 a, V128 b) => R(V<double>(a) - V<double>(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2Mul(V128 a, V128 b) => R(V<double>(a) * V<double>(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2Div(V128 a, V128 b) => R(V<double>(a) / V<double>(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2Eq(V128 a, V128 b) => R(Vector128.Equals(V<double>(a), V<double>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2Ne(V128 a, V128 b) => R(~Vector128.Equals(V<double>(a), V<double>(b)).AsUInt64());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2Lt(V128 a, V128 b) => R(Vector128.LessThan(V<double>(a), V<double>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2Gt(V128 a, V128 b) => R(Vector128.GreaterThan(V<double>(a), V<double>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2Le(V128 a, V128 b) => R(Vector128.LessThanOrEqual(V<double>(a), V<double>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2Ge(V128 a, V128 b) => R(Vector128.GreaterThanOrEqual(V<double>(a), V<double>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2Abs(V128 a) => R(Vector128.AndNot(V<ulong>(a), Vector128.Create(0x8000_0000_0000_0000ul)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2Neg(V128 a) => R(V<ulong>(a) ^ Vector128.Create(0x8000_0000_0000_0000ul));

    // ---- Shuffle, narrowing, conversions --------------------------------------------------------------------

    /// <summary><c>i8x16.shuffle</c>, its 16 lane indices as constants: each source picks the lanes it holds, a lane index out of range gives 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16Shuffle(V128 a, V128 b, long low, long high)
    {
        var lanes = Vector128.Create(low, high).AsByte();
        var fromB = lanes - Vector128.Create((byte)16);
        return R(Vector128.Shuffle(V<byte>(a), lanes) | Vector128.Shuffle(V<byte>(b), fromB));
    }

    /// <summary>
    /// The shuffle of one vector: byte i of the result is byte <c>lanes[i]</c> of <paramref name="a"/>, or 0 where that
    /// index is 16 or more (one <c>pshufb</c>/<c>tbl</c>). The JIT's form of an <c>i8x16.shuffle</c> whose lanes all
    /// come from one operand, or whose other operand is zero (clang's zero-extension), with the indices rewritten to
    /// say so; <see cref="I8x16Shuffle"/> stays the instruction's definition.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16ShuffleOne(V128 a, long low, long high) => R(Vector128.Shuffle(V<byte>(a), Vector128.Create(low, high).AsByte()));

    // The narrowing instructions are x86's pack instructions exactly (signed saturation, or signed input to unsigned
    // saturation): one instruction for two vectors where the portable clamp-and-narrow takes seven (RyuJIT does not
    // find them). Elsewhere (ARM64) the portable form.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16NarrowI16x8S(V128 a, V128 b) => Sse2.IsSupported
        ? R(Sse2.PackSignedSaturate(V<short>(a), V<short>(b)))
        : R(Vector128.Narrow(Clamp(V<short>(a), sbyte.MinValue, sbyte.MaxValue), Clamp(V<short>(b), sbyte.MinValue, sbyte.MaxValue)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16NarrowI16x8U(V128 a, V128 b) => Sse2.IsSupported
        ? R(Sse2.PackUnsignedSaturate(V<short>(a), V<short>(b)))
        : R(Vector128.Narrow(Clamp(V<short>(a), byte.MinValue, byte.MaxValue).AsUInt16(), Clamp(V<short>(b), byte.MinValue, byte.MaxValue).AsUInt16()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8NarrowI32x4S(V128 a, V128 b) => Sse2.IsSupported
        ? R(Sse2.PackSignedSaturate(V<int>(a), V<int>(b)))
        : R(Vector128.Narrow(Clamp(V<int>(a), short.MinValue, short.MaxValue), Clamp(V<int>(b), short.MinValue, short.MaxValue)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8NarrowI32x4U(V128 a, V128 b) => Sse41.IsSupported
        ? R(Sse41.PackUnsignedSaturate(V<int>(a), V<int>(b)))
        : R(Vector128.Narrow(Clamp(V<int>(a), ushort.MinValue, ushort.MaxValue).AsUInt32(), Clamp(V<int>(b), ushort.MinValue, ushort.MaxValue).AsUInt32()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<short> Clamp(Vector128<short> x, short min, short max) => Vector128.Min(Vector128.Max(x, Vector128.Create(min)), Vector128.Create(max));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Clamp(Vector128<int> x, int min, int max) => Vector128.Min(Vector128.Max(x, Vector128.Create(min)), Vector128.Create(max));

    /// <summary>
    /// <c>i32x4.trunc_sat_f32x4_s</c>, in seven instructions and no constant on x86 (Cranelift's lowering): NaN lanes
    /// are zeroed first; the hardware truncation (<c>cvttps2dq</c>; <c>fcvtzs</c> on ARM64, which saturates itself) is
    /// exact inside the i32 range and gives 0x80000000 outside it, right for negative overflow; a lane that was positive
    /// and came out with the sign bit set overflowed upwards and is flipped to 0x7FFFFFFF. (.NET's portable
    /// <c>ConvertToInt32</c> saturates too, but with a fix-up and three blends per vector.)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4TruncSatF32x4S(V128 a)
    {
        var x = V<float>(a);
        var notNan = Vector128.Equals(x, x).AsInt32();
        var clean = x.AsInt32() & notNan;
        var truncated = Vector128.ConvertToInt32Native(clean.AsSingle());
        var overflowedUp = Vector128.ShiftRightArithmetic((notNan ^ clean) & truncated, 31);
        return R(truncated ^ overflowedUp);
    }

    // ---- Operations the interpreter computed lane by lane (now shared by both tiers) ------------------------

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16Swizzle(V128 a, V128 b)
    {
        var x = V<byte>(a);
        var indices = V<byte>(b);
        var result = Vector128<byte>.Zero;
        for (var i = 0; i < 16; i++)
        {
            var index = indices.GetElement(i);
            result = result.WithElement(i, index < 16 ? x.GetElement(index) : (byte)0);
        }
        return R(result);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16Abs(V128 a) => R(Map(V<sbyte>(a), static x => (sbyte)(x < 0 ? -x : x)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16Popcnt(V128 a) => R(Map(V<byte>(a), static x => (byte)BitOperations.PopCount(x)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16AddSatS(V128 a, V128 b) => R(Map(V<sbyte>(a), V<sbyte>(b), static (x, y) => SaturateI8(x + y)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16AddSatU(V128 a, V128 b) => R(Map(V<byte>(a), V<byte>(b), static (x, y) => SaturateU8(x + y)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16SubSatS(V128 a, V128 b) => R(Map(V<sbyte>(a), V<sbyte>(b), static (x, y) => SaturateI8(x - y)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16SubSatU(V128 a, V128 b) => R(Map(V<byte>(a), V<byte>(b), static (x, y) => SaturateU8(x - y)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I8x16AvgrU(V128 a, V128 b) => R(Map(V<byte>(a), V<byte>(b), static (x, y) => (byte)((x + y + 1) >> 1)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8ExtAddPairwiseI8x16S(V128 a) => R(PairwiseAdd(V<sbyte>(a), static (x, y) => (short)(x + y)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8ExtAddPairwiseI8x16U(V128 a) => R(PairwiseAdd(V<byte>(a), static (x, y) => (ushort)(x + y)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4ExtAddPairwiseI16x8S(V128 a) => R(PairwiseAdd(V<short>(a), static (x, y) => x + y));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4ExtAddPairwiseI16x8U(V128 a) => R(PairwiseAdd(V<ushort>(a), static (x, y) => (uint)(x + y)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8Abs(V128 a) => R(Map(V<short>(a), static x => (short)(x < 0 ? -x : x)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8Q15MulrSatS(V128 a, V128 b) => R(Map(V<short>(a), V<short>(b), static (x, y) => SaturateI16(((x * y) + 0x4000) >> 15)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8ExtendLowI8x16S(V128 a) => R(Vector128.WidenLower(V<sbyte>(a)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8ExtendHighI8x16S(V128 a) => R(Vector128.WidenUpper(V<sbyte>(a)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8ExtendLowI8x16U(V128 a) => R(Vector128.WidenLower(V<byte>(a)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8ExtendHighI8x16u(V128 a) => R(Vector128.WidenUpper(V<byte>(a)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8AddSatS(V128 a, V128 b) => R(Map(V<short>(a), V<short>(b), static (x, y) => SaturateI16(x + y)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8AddSatU(V128 a, V128 b) => R(Map(V<ushort>(a), V<ushort>(b), static (x, y) => SaturateU16(x + y)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8SubSatS(V128 a, V128 b) => R(Map(V<short>(a), V<short>(b), static (x, y) => SaturateI16(x - y)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8SubSatU(V128 a, V128 b) => R(Map(V<ushort>(a), V<ushort>(b), static (x, y) => SaturateU16(x - y)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8AvgrU(V128 a, V128 b) => R(Map(V<ushort>(a), V<ushort>(b), static (x, y) => (ushort)((x + y + 1) >> 1)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8ExtMulLowI8x16S(V128 a, V128 b) => R(Vector128.WidenLower(V<sbyte>(a)) * Vector128.WidenLower(V<sbyte>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8ExtMulHighI8x16S(V128 a, V128 b) => R(Vector128.WidenUpper(V<sbyte>(a)) * Vector128.WidenUpper(V<sbyte>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8ExtMulLowI8x16U(V128 a, V128 b) => R(Vector128.WidenLower(V<byte>(a)) * Vector128.WidenLower(V<byte>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8ExtMulHighI8x16U(V128 a, V128 b) => R(Vector128.WidenUpper(V<byte>(a)) * Vector128.WidenUpper(V<byte>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4Abs(V128 a) => R(Map(V<int>(a), static x => x < 0 ? -x : x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4ExtendLowI16x8S(V128 a) => R(Vector128.WidenLower(V<short>(a)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4ExtendHighI16x8S(V128 a) => R(Vector128.WidenUpper(V<short>(a)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4ExtendLowI16x8U(V128 a) => R(Vector128.WidenLower(V<ushort>(a)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4ExtendHighI16x8U(V128 a) => R(Vector128.WidenUpper(V<ushort>(a)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4DotI16x8S(V128 a, V128 b)
    {
        var x = V<short>(a);
        var y = V<short>(b);
        var result = Vector128<int>.Zero;
        for (var i = 0; i < 4; i++)
        {
            result = result.WithElement(i, (x.GetElement(2 * i) * y.GetElement(2 * i)) + (x.GetElement(2 * i + 1) * y.GetElement(2 * i + 1)));
        }
        return R(result);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4ExtMulLowI16x8S(V128 a, V128 b) => R(Vector128.WidenLower(V<short>(a)) * Vector128.WidenLower(V<short>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4ExtMulHighI16x8S(V128 a, V128 b) => R(Vector128.WidenUpper(V<short>(a)) * Vector128.WidenUpper(V<short>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4ExtMulLowI16x8U(V128 a, V128 b) => R(Vector128.WidenLower(V<ushort>(a)) * Vector128.WidenLower(V<ushort>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4ExtMulHighI16x8U(V128 a, V128 b) => R(Vector128.WidenUpper(V<ushort>(a)) * Vector128.WidenUpper(V<ushort>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I64x2Abs(V128 a) => R(Map(V<long>(a), static x => x < 0 ? -x : x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I64x2ExtendLowI32x4S(V128 a) => R(Vector128.WidenLower(V<int>(a)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I64x2ExtendHighI32x4S(V128 a) => R(Vector128.WidenUpper(V<int>(a)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I64x2ExtendLowI32x4U(V128 a) => R(Vector128.WidenLower(V<uint>(a)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I64x2ExtendHighI32x4U(V128 a) => R(Vector128.WidenUpper(V<uint>(a)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I64x2ExtMulLowI32x4S(V128 a, V128 b) => R(Vector128.WidenLower(V<int>(a)) * Vector128.WidenLower(V<int>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I64x2ExtMulHighI32x4S(V128 a, V128 b) => R(Vector128.WidenUpper(V<int>(a)) * Vector128.WidenUpper(V<int>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I64x2ExtMulLowI32x4U(V128 a, V128 b) => R(Vector128.WidenLower(V<uint>(a)) * Vector128.WidenLower(V<uint>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I64x2ExtMulHighI32x4U(V128 a, V128 b) => R(Vector128.WidenUpper(V<uint>(a)) * Vector128.WidenUpper(V<uint>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4Sqrt(V128 a) => R(Map(V<float>(a), Numerics.F32Sqrt));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4Ceil(V128 a) => R(Map(V<float>(a), Numerics.F32Ceil));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4Floor(V128 a) => R(Map(V<float>(a), Numerics.F32Floor));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4Trunc(V128 a) => R(Map(V<float>(a), Numerics.F32Trunc));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4Nearest(V128 a) => R(Map(V<float>(a), Numerics.F32Nearest));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4PMin(V128 a, V128 b) => R(PseudoMin(V<float>(a), V<float>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4PMax(V128 a, V128 b) => R(PseudoMax(V<float>(a), V<float>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2Sqrt(V128 a) => R(Map(V<double>(a), Numerics.F64Sqrt));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2Ceil(V128 a) => R(Map(V<double>(a), Numerics.F64Ceil));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2Floor(V128 a) => R(Map(V<double>(a), Numerics.F64Floor));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2Trunc(V128 a) => R(Map(V<double>(a), Numerics.F64Trunc));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2Nearest(V128 a) => R(Map(V<double>(a), Numerics.F64Nearest));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2PMin(V128 a, V128 b) => R(PseudoMin(V<double>(a), V<double>(b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2PMax(V128 a, V128 b) => R(PseudoMax(V<double>(a), V<double>(b)));

    // pmin and pmax are selects (spec: b < a ? b : a, a < b ? b : a), so a NaN operand comes back bit for bit, a
    // signalling one included. As a lane compare and a bitwise select: per lane through scalar floats, compiled code
    // whose operands RyuJIT knew folded the lanes as float constants, which it keeps as doubles, quieting them (found
    // by the differential tester: f32x4.pmin of a splat of an integer constant).

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<T> PseudoMin<T>(Vector128<T> a, Vector128<T> b) => Vector128.ConditionalSelect(Vector128.LessThan(b, a), b, a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<T> PseudoMax<T>(Vector128<T> a, Vector128<T> b) => Vector128.ConditionalSelect(Vector128.LessThan(a, b), b, a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4DemoteF64x2Zero(V128 a) => R(Convert(V<double>(a), Numerics.F32Demote, 2));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2PromoteLowF32x4(V128 a) => R(Convert(V<float>(a), Numerics.F64Promote, 2));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4TruncSatF32x4U(V128 a) => R(Convert(V<float>(a), static x => Numerics.I32TruncSatU(x), 4));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4TruncSatF64x2SZero(V128 a) => R(Convert(V<double>(a), Numerics.I32TruncSatS, 2));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4TruncSatF64x2UZero(V128 a) => R(Convert(V<double>(a), Numerics.I32TruncSatU, 2));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4ConvertI32x4S(V128 a) => R(Convert(V<int>(a), static x => Numerics.F32ConvertS64(x), 4));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4ConvertI32x4U(V128 a) => R(Convert(V<uint>(a), static x => Numerics.F32ConvertU64(x), 4));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2ConvertLowI32x4S(V128 a) => R(Convert(V<int>(a), static x => (double)x, 2));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2ConvertLowI32x4U(V128 a) => R(Convert(V<uint>(a), static x => (double)x, 2));

    // ---- The deterministic meaning of the relaxed instructions that have no standard twin -------------------

    /// <summary><c>relaxed_madd</c>, deterministic: multiply, round, add, round.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F32x4MulAdd(V128 a, V128 b, V128 c) => R(Map(V<float>(a) * V<float>(b), V<float>(c), static (p, z) => p + z));

    /// <summary>The f64x2 <see cref="F32x4MulAdd"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 F64x2MulAdd(V128 a, V128 b, V128 c) => R(Map(V<double>(a) * V<double>(b), V<double>(c), static (p, z) => p + z));

    /// <summary><c>i16x8.relaxed_dot_i8x16_i7x16_s</c>, deterministic: signed × signed, pair sums wrap to 16 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I16x8DotI8x16S(V128 a, V128 b)
    {
        var x = V<sbyte>(a);
        var y = V<sbyte>(b);
        var result = Vector128<short>.Zero;
        for (var i = 0; i < 8; i++)
        {
            result = result.WithElement(i, (short)((x.GetElement(2 * i) * y.GetElement(2 * i)) + (x.GetElement(2 * i + 1) * y.GetElement(2 * i + 1))));
        }
        return R(result);
    }

    /// <summary><c>i32x4.relaxed_dot_i8x16_i7x16_add_s</c>, deterministic: signed × signed, sums of four in 32 bits, plus <paramref name="c"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 I32x4DotI8x16AddS(V128 a, V128 b, V128 c)
    {
        var x = V<sbyte>(a);
        var y = V<sbyte>(b);
        var z = V<int>(c);
        var result = Vector128<int>.Zero;
        for (var i = 0; i < 4; i++)
        {
            var sum = 0;
            for (var j = 0; j < 4; j++)
            {
                sum += x.GetElement(4 * i + j) * y.GetElement(4 * i + j);
            }
            result = result.WithElement(i, sum + z.GetElement(i));
        }
        return R(result);
    }

    // ---- Helpers --------------------------------------------------------------------------------------------

    private static Vector128<T> Map<T>(Vector128<T> a, Func<T, T> f)
    {
        var result = Vector128<T>.Zero;
        for (var i = 0; i < Vector128<T>.Count; i++)
        {
            result = result.WithElement(i, f(a.GetElement(i)));
        }
        return result;
    }

    private static Vector128<T> Map<T>(Vector128<T> a, Vector128<T> b, Func<T, T, T> f)
    {
        var result = Vector128<T>.Zero;
        for (var i = 0; i < Vector128<T>.Count; i++)
        {
            result = result.WithElement(i, f(a.GetElement(i), b.GetElement(i)));
        }
        return result;
    }

    private static Vector128<TResult> Convert<T, TResult>(Vector128<T> a, Func<T, TResult> f, int count)
    {
        var result = Vector128<TResult>.Zero;
        for (var i = 0; i < count; i++)
        {
            result = result.WithElement(i, f(a.GetElement(i)));
        }
        return result;
    }

    private static Vector128<TWide> PairwiseAdd<T, TWide>(Vector128<T> a, Func<T, T, TWide> add)
    {
        var result = Vector128<TWide>.Zero;
        for (var i = 0; i < Vector128<TWide>.Count; i++)
        {
            result = result.WithElement(i, add(a.GetElement(2 * i), a.GetElement(2 * i + 1)));
        }
        return result;
    }

    private static sbyte SaturateI8(int x) => (sbyte)Math.Clamp(x, sbyte.MinValue, sbyte.MaxValue);

    private static byte SaturateU8(int x) => (byte)Math.Clamp(x, byte.MinValue, byte.MaxValue);

    private static short SaturateI16(int x) => (short)Math.Clamp(x, short.MinValue, short.MaxValue);

    private static ushort SaturateU16(int x) => (ushort)Math.Clamp(x, ushort.MinValue, ushort.MaxValue);
}
