using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Jit;

/// <summary>
/// The vector instructions the JIT compiles inline: each method is named after its <see cref="Opcode"/>, takes the
/// operands as <see cref="V128"/> values straight from the CIL stack (lane indices as constants after them) and is
/// small enough for RyuJIT to inline into the compiled function, where the <see cref="Vector128"/> operations become
/// SSE/AVX or AdvSimd instructions. Each computes exactly what <c>Machine.ExecuteSimd</c> computes (the same
/// <see cref="Vector128"/> operations), so both tiers agree bit for bit, NaN payloads included. An instruction
/// without a method here keeps the call into the interpreter's implementation.
/// </summary>
internal static unsafe class JitSimd
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<T> V<T>(V128 value) => Unsafe.BitCast<V128, Vector128<T>>(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V128 R<T>(Vector128<T> value) => Unsafe.BitCast<Vector128<T>, V128>(value);

    // ---- Memory: the address is already bounds-checked and points into the memory -----------------------

    public static V128 V128Load(byte* address) => Unsafe.ReadUnaligned<V128>(address);

    public static void V128Store(byte* address, V128 value) => Unsafe.WriteUnaligned(address, value);

    public static V128 V128Load8x8S(byte* address) => R(Vector128.WidenLower(Half(address).AsSByte()));

    public static V128 V128Load8x8U(byte* address) => R(Vector128.WidenLower(Half(address).AsByte()));

    public static V128 V128Load16x4S(byte* address) => R(Vector128.WidenLower(Half(address).AsInt16()));

    public static V128 V128Load16x4U(byte* address) => R(Vector128.WidenLower(Half(address).AsUInt16()));

    public static V128 V128Load32x2S(byte* address) => R(Vector128.WidenLower(Half(address).AsInt32()));

    public static V128 V128Load32x2U(byte* address) => R(Vector128.WidenLower(Half(address).AsUInt32()));

    public static V128 V128Load8Splat(byte* address) => R(Vector128.Create(*address));

    public static V128 V128Load16Splat(byte* address) => R(Vector128.Create(Unsafe.ReadUnaligned<ushort>(address)));

    public static V128 V128Load32Splat(byte* address) => R(Vector128.Create(Unsafe.ReadUnaligned<uint>(address)));

    public static V128 V128Load64Splat(byte* address) => R(Vector128.Create(Unsafe.ReadUnaligned<ulong>(address)));

    public static V128 V128Load32Zero(byte* address) => new(Unsafe.ReadUnaligned<uint>(address), 0);

    public static V128 V128Load64Zero(byte* address) => new(Unsafe.ReadUnaligned<ulong>(address), 0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Half(byte* address) => Vector128.Create(Unsafe.ReadUnaligned<ulong>(address), 0UL);

    // ---- Splats and lanes ----------------------------------------------------------------------------------

    public static V128 I8x16Splat(int value) => R(Vector128.Create((byte)value));

    public static V128 I16x8Splat(int value) => R(Vector128.Create((ushort)value));

    public static V128 I32x4Splat(int value) => R(Vector128.Create(value));

    public static V128 I64x2Splat(long value) => R(Vector128.Create(value));

    public static V128 F32x4Splat(float value) => R(Vector128.Create(BitConverter.SingleToUInt32Bits(value)));

    public static V128 F64x2Splat(double value) => R(Vector128.Create(BitConverter.DoubleToUInt64Bits(value)));

    public static int I8x16ExtractLaneS(V128 a, int lane) => V<sbyte>(a).GetElement(lane);

    public static int I8x16ExtractLaneU(V128 a, int lane) => V<byte>(a).GetElement(lane);

    public static int I16x8ExtractLaneS(V128 a, int lane) => V<short>(a).GetElement(lane);

    public static int I16x8ExtractLaneU(V128 a, int lane) => V<ushort>(a).GetElement(lane);

    public static int I32x4ExtractLane(V128 a, int lane) => V<int>(a).GetElement(lane);

    public static long I64x2ExtractLane(V128 a, int lane) => V<long>(a).GetElement(lane);

    public static float F32x4ExtractLane(V128 a, int lane) => BitConverter.UInt32BitsToSingle(V<uint>(a).GetElement(lane));

    public static double F64x2ExtractLane(V128 a, int lane) => BitConverter.UInt64BitsToDouble(V<ulong>(a).GetElement(lane));

    public static V128 I8x16ReplaceLane(V128 a, int value, int lane) => R(V<byte>(a).WithElement(lane, (byte)value));

    public static V128 I16x8ReplaceLane(V128 a, int value, int lane) => R(V<ushort>(a).WithElement(lane, (ushort)value));

    public static V128 I32x4ReplaceLane(V128 a, int value, int lane) => R(V<int>(a).WithElement(lane, value));

    public static V128 I64x2ReplaceLane(V128 a, long value, int lane) => R(V<long>(a).WithElement(lane, value));

    public static V128 F32x4ReplaceLane(V128 a, float value, int lane) => R(V<uint>(a).WithElement(lane, BitConverter.SingleToUInt32Bits(value)));

    public static V128 F64x2ReplaceLane(V128 a, double value, int lane) => R(V<ulong>(a).WithElement(lane, BitConverter.DoubleToUInt64Bits(value)));

    // ---- Bitwise -------------------------------------------------------------------------------------------

    public static V128 V128Not(V128 a) => R(~V<ulong>(a));

    public static V128 V128And(V128 a, V128 b) => R(V<ulong>(a) & V<ulong>(b));

    public static V128 V128Andnot(V128 a, V128 b) => R(Vector128.AndNot(V<ulong>(a), V<ulong>(b)));

    public static V128 V128Or(V128 a, V128 b) => R(V<ulong>(a) | V<ulong>(b));

    public static V128 V128Xor(V128 a, V128 b) => R(V<ulong>(a) ^ V<ulong>(b));

    public static V128 V128Bitselect(V128 a, V128 b, V128 mask) => R(Vector128.ConditionalSelect(V<ulong>(mask), V<ulong>(a), V<ulong>(b)));

    public static int V128AnyTrue(V128 a) => V<ulong>(a) != Vector128<ulong>.Zero ? 1 : 0;

    // ---- Float min/max ---------------------------------------------------------------------------------------
    // Lane-wise Numerics.F32Min & co. without branches: a NaN operand gives a + b (the NaN the scalar operator
    // returns, since vector and scalar addition propagate NaNs alike), equal operands (±0 among them) combine
    // their bits (or: -0 wins the min; and: +0 wins the max), otherwise the smaller (larger) operand.

    public static V128 F32x4Min(V128 a, V128 b) => R(MinMax(V<float>(a), V<float>(b), max: false));

    public static V128 F32x4Max(V128 a, V128 b) => R(MinMax(V<float>(a), V<float>(b), max: true));

    public static V128 F64x2Min(V128 a, V128 b) => R(MinMax(V<double>(a), V<double>(b), max: false));

    public static V128 F64x2Max(V128 a, V128 b) => R(MinMax(V<double>(a), V<double>(b), max: true));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<T> MinMax<T>(Vector128<T> x, Vector128<T> y, bool max)
    {
        var nan = ~(Vector128.Equals(x, x) & Vector128.Equals(y, y));
        var equal = Vector128.Equals(x, y);
        var bits = max ? x & y : x | y;
        var pick = Vector128.ConditionalSelect(max ? Vector128.GreaterThan(x, y) : Vector128.LessThan(x, y), x, y);
        return Vector128.ConditionalSelect(nan, x + y, Vector128.ConditionalSelect(equal, bits, pick));
    }

    // ---- Lane arithmetic, compares, shifts, reductions --------------------------------------------------------

    public static V128 I8x16Add(V128 a, V128 b) => R(V<byte>(a) + V<byte>(b));

    public static V128 I8x16Sub(V128 a, V128 b) => R(V<byte>(a) - V<byte>(b));

    public static V128 I8x16Eq(V128 a, V128 b) => R(Vector128.Equals(V<byte>(a), V<byte>(b)));

    public static V128 I8x16Ne(V128 a, V128 b) => R(~Vector128.Equals(V<byte>(a), V<byte>(b)));

    public static V128 I8x16LtS(V128 a, V128 b) => R(Vector128.LessThan(V<sbyte>(a), V<sbyte>(b)));

    public static V128 I8x16LtU(V128 a, V128 b) => R(Vector128.LessThan(V<byte>(a), V<byte>(b)));

    public static V128 I8x16GtS(V128 a, V128 b) => R(Vector128.GreaterThan(V<sbyte>(a), V<sbyte>(b)));

    public static V128 I8x16GtU(V128 a, V128 b) => R(Vector128.GreaterThan(V<byte>(a), V<byte>(b)));

    public static V128 I8x16LeS(V128 a, V128 b) => R(Vector128.LessThanOrEqual(V<sbyte>(a), V<sbyte>(b)));

    public static V128 I8x16LeU(V128 a, V128 b) => R(Vector128.LessThanOrEqual(V<byte>(a), V<byte>(b)));

    public static V128 I8x16GeS(V128 a, V128 b) => R(Vector128.GreaterThanOrEqual(V<sbyte>(a), V<sbyte>(b)));

    public static V128 I8x16GeU(V128 a, V128 b) => R(Vector128.GreaterThanOrEqual(V<byte>(a), V<byte>(b)));

    public static V128 I8x16MinS(V128 a, V128 b) => R(Vector128.Min(V<sbyte>(a), V<sbyte>(b)));

    public static V128 I8x16MinU(V128 a, V128 b) => R(Vector128.Min(V<byte>(a), V<byte>(b)));

    public static V128 I8x16MaxS(V128 a, V128 b) => R(Vector128.Max(V<sbyte>(a), V<sbyte>(b)));

    public static V128 I8x16MaxU(V128 a, V128 b) => R(Vector128.Max(V<byte>(a), V<byte>(b)));

    public static V128 I8x16Neg(V128 a) => R(Vector128<byte>.Zero - V<byte>(a));

    public static V128 I8x16Shl(V128 a, int count) => R(Vector128.ShiftLeft(V<byte>(a), count & 7));

    public static V128 I8x16ShrS(V128 a, int count) => R(Vector128.ShiftRightArithmetic(V<sbyte>(a), count & 7));

    public static V128 I8x16ShrU(V128 a, int count) => R(Vector128.ShiftRightLogical(V<byte>(a), count & 7));

    public static int I8x16AllTrue(V128 a) => Vector128.EqualsAny(V<byte>(a), Vector128<byte>.Zero) ? 0 : 1;

    public static int I8x16Bitmask(V128 a) => (int)Vector128.ExtractMostSignificantBits(V<byte>(a));

    public static V128 I16x8Add(V128 a, V128 b) => R(V<ushort>(a) + V<ushort>(b));

    public static V128 I16x8Sub(V128 a, V128 b) => R(V<ushort>(a) - V<ushort>(b));

    public static V128 I16x8Mul(V128 a, V128 b) => R(V<ushort>(a) * V<ushort>(b));

    public static V128 I16x8Eq(V128 a, V128 b) => R(Vector128.Equals(V<ushort>(a), V<ushort>(b)));

    public static V128 I16x8Ne(V128 a, V128 b) => R(~Vector128.Equals(V<ushort>(a), V<ushort>(b)));

    public static V128 I16x8LtS(V128 a, V128 b) => R(Vector128.LessThan(V<short>(a), V<short>(b)));

    public static V128 I16x8LtU(V128 a, V128 b) => R(Vector128.LessThan(V<ushort>(a), V<ushort>(b)));

    public static V128 I16x8GtS(V128 a, V128 b) => R(Vector128.GreaterThan(V<short>(a), V<short>(b)));

    public static V128 I16x8GtU(V128 a, V128 b) => R(Vector128.GreaterThan(V<ushort>(a), V<ushort>(b)));

    public static V128 I16x8LeS(V128 a, V128 b) => R(Vector128.LessThanOrEqual(V<short>(a), V<short>(b)));

    public static V128 I16x8LeU(V128 a, V128 b) => R(Vector128.LessThanOrEqual(V<ushort>(a), V<ushort>(b)));

    public static V128 I16x8GeS(V128 a, V128 b) => R(Vector128.GreaterThanOrEqual(V<short>(a), V<short>(b)));

    public static V128 I16x8GeU(V128 a, V128 b) => R(Vector128.GreaterThanOrEqual(V<ushort>(a), V<ushort>(b)));

    public static V128 I16x8MinS(V128 a, V128 b) => R(Vector128.Min(V<short>(a), V<short>(b)));

    public static V128 I16x8MinU(V128 a, V128 b) => R(Vector128.Min(V<ushort>(a), V<ushort>(b)));

    public static V128 I16x8MaxS(V128 a, V128 b) => R(Vector128.Max(V<short>(a), V<short>(b)));

    public static V128 I16x8MaxU(V128 a, V128 b) => R(Vector128.Max(V<ushort>(a), V<ushort>(b)));

    public static V128 I16x8Neg(V128 a) => R(Vector128<ushort>.Zero - V<ushort>(a));

    public static V128 I16x8Shl(V128 a, int count) => R(Vector128.ShiftLeft(V<ushort>(a), count & 15));

    public static V128 I16x8ShrS(V128 a, int count) => R(Vector128.ShiftRightArithmetic(V<short>(a), count & 15));

    public static V128 I16x8ShrU(V128 a, int count) => R(Vector128.ShiftRightLogical(V<ushort>(a), count & 15));

    public static int I16x8AllTrue(V128 a) => Vector128.EqualsAny(V<ushort>(a), Vector128<ushort>.Zero) ? 0 : 1;

    public static int I16x8Bitmask(V128 a) => (int)Vector128.ExtractMostSignificantBits(V<ushort>(a));

    public static V128 I32x4Add(V128 a, V128 b) => R(V<uint>(a) + V<uint>(b));

    public static V128 I32x4Sub(V128 a, V128 b) => R(V<uint>(a) - V<uint>(b));

    public static V128 I32x4Mul(V128 a, V128 b) => R(V<uint>(a) * V<uint>(b));

    public static V128 I32x4Eq(V128 a, V128 b) => R(Vector128.Equals(V<uint>(a), V<uint>(b)));

    public static V128 I32x4Ne(V128 a, V128 b) => R(~Vector128.Equals(V<uint>(a), V<uint>(b)));

    public static V128 I32x4LtS(V128 a, V128 b) => R(Vector128.LessThan(V<int>(a), V<int>(b)));

    public static V128 I32x4LtU(V128 a, V128 b) => R(Vector128.LessThan(V<uint>(a), V<uint>(b)));

    public static V128 I32x4GtS(V128 a, V128 b) => R(Vector128.GreaterThan(V<int>(a), V<int>(b)));

    public static V128 I32x4GtU(V128 a, V128 b) => R(Vector128.GreaterThan(V<uint>(a), V<uint>(b)));

    public static V128 I32x4LeS(V128 a, V128 b) => R(Vector128.LessThanOrEqual(V<int>(a), V<int>(b)));

    public static V128 I32x4LeU(V128 a, V128 b) => R(Vector128.LessThanOrEqual(V<uint>(a), V<uint>(b)));

    public static V128 I32x4GeS(V128 a, V128 b) => R(Vector128.GreaterThanOrEqual(V<int>(a), V<int>(b)));

    public static V128 I32x4GeU(V128 a, V128 b) => R(Vector128.GreaterThanOrEqual(V<uint>(a), V<uint>(b)));

    public static V128 I32x4MinS(V128 a, V128 b) => R(Vector128.Min(V<int>(a), V<int>(b)));

    public static V128 I32x4MinU(V128 a, V128 b) => R(Vector128.Min(V<uint>(a), V<uint>(b)));

    public static V128 I32x4MaxS(V128 a, V128 b) => R(Vector128.Max(V<int>(a), V<int>(b)));

    public static V128 I32x4MaxU(V128 a, V128 b) => R(Vector128.Max(V<uint>(a), V<uint>(b)));

    public static V128 I32x4Neg(V128 a) => R(Vector128<uint>.Zero - V<uint>(a));

    public static V128 I32x4Shl(V128 a, int count) => R(Vector128.ShiftLeft(V<uint>(a), count & 31));

    public static V128 I32x4ShrS(V128 a, int count) => R(Vector128.ShiftRightArithmetic(V<int>(a), count & 31));

    public static V128 I32x4ShrU(V128 a, int count) => R(Vector128.ShiftRightLogical(V<uint>(a), count & 31));

    public static int I32x4AllTrue(V128 a) => Vector128.EqualsAny(V<uint>(a), Vector128<uint>.Zero) ? 0 : 1;

    public static int I32x4Bitmask(V128 a) => (int)Vector128.ExtractMostSignificantBits(V<uint>(a));

    public static V128 I64x2Add(V128 a, V128 b) => R(V<ulong>(a) + V<ulong>(b));

    public static V128 I64x2Sub(V128 a, V128 b) => R(V<ulong>(a) - V<ulong>(b));

    public static V128 I64x2Mul(V128 a, V128 b) => R(V<ulong>(a) * V<ulong>(b));

    public static V128 I64x2Eq(V128 a, V128 b) => R(Vector128.Equals(V<long>(a), V<long>(b)));

    public static V128 I64x2Ne(V128 a, V128 b) => R(~Vector128.Equals(V<long>(a), V<long>(b)));

    public static V128 I64x2LtS(V128 a, V128 b) => R(Vector128.LessThan(V<long>(a), V<long>(b)));

    public static V128 I64x2GtS(V128 a, V128 b) => R(Vector128.GreaterThan(V<long>(a), V<long>(b)));

    public static V128 I64x2LeS(V128 a, V128 b) => R(Vector128.LessThanOrEqual(V<long>(a), V<long>(b)));

    public static V128 I64x2GeS(V128 a, V128 b) => R(Vector128.GreaterThanOrEqual(V<long>(a), V<long>(b)));

    public static V128 I64x2Neg(V128 a) => R(Vector128<ulong>.Zero - V<ulong>(a));

    public static V128 I64x2Shl(V128 a, int count) => R(Vector128.ShiftLeft(V<ulong>(a), count & 63));

    public static V128 I64x2ShrS(V128 a, int count) => R(Vector128.ShiftRightArithmetic(V<long>(a), count & 63));

    public static V128 I64x2ShrU(V128 a, int count) => R(Vector128.ShiftRightLogical(V<ulong>(a), count & 63));

    public static int I64x2AllTrue(V128 a) => Vector128.EqualsAny(V<ulong>(a), Vector128<ulong>.Zero) ? 0 : 1;

    public static int I64x2Bitmask(V128 a) => (int)Vector128.ExtractMostSignificantBits(V<ulong>(a));

    public static V128 F32x4Add(V128 a, V128 b) => R(V<float>(a) + V<float>(b));

    public static V128 F32x4Sub(V128 a, V128 b) => R(V<float>(a) - V<float>(b));

    public static V128 F32x4Mul(V128 a, V128 b) => R(V<float>(a) * V<float>(b));

    public static V128 F32x4Div(V128 a, V128 b) => R(V<float>(a) / V<float>(b));

    public static V128 F32x4Eq(V128 a, V128 b) => R(Vector128.Equals(V<float>(a), V<float>(b)));

    public static V128 F32x4Ne(V128 a, V128 b) => R(~Vector128.Equals(V<float>(a), V<float>(b)).AsUInt32());

    public static V128 F32x4Lt(V128 a, V128 b) => R(Vector128.LessThan(V<float>(a), V<float>(b)));

    public static V128 F32x4Gt(V128 a, V128 b) => R(Vector128.GreaterThan(V<float>(a), V<float>(b)));

    public static V128 F32x4Le(V128 a, V128 b) => R(Vector128.LessThanOrEqual(V<float>(a), V<float>(b)));

    public static V128 F32x4Ge(V128 a, V128 b) => R(Vector128.GreaterThanOrEqual(V<float>(a), V<float>(b)));

    public static V128 F32x4Abs(V128 a) => R(Vector128.AndNot(V<uint>(a), Vector128.Create(0x8000_0000u)));

    public static V128 F32x4Neg(V128 a) => R(V<uint>(a) ^ Vector128.Create(0x8000_0000u));

    public static V128 F64x2Add(V128 a, V128 b) => R(V<double>(a) + V<double>(b));

    public static V128 F64x2Sub(V128 a, V128 b) => R(V<double>(a) - V<double>(b));

    public static V128 F64x2Mul(V128 a, V128 b) => R(V<double>(a) * V<double>(b));

    public static V128 F64x2Div(V128 a, V128 b) => R(V<double>(a) / V<double>(b));

    public static V128 F64x2Eq(V128 a, V128 b) => R(Vector128.Equals(V<double>(a), V<double>(b)));

    public static V128 F64x2Ne(V128 a, V128 b) => R(~Vector128.Equals(V<double>(a), V<double>(b)).AsUInt64());

    public static V128 F64x2Lt(V128 a, V128 b) => R(Vector128.LessThan(V<double>(a), V<double>(b)));

    public static V128 F64x2Gt(V128 a, V128 b) => R(Vector128.GreaterThan(V<double>(a), V<double>(b)));

    public static V128 F64x2Le(V128 a, V128 b) => R(Vector128.LessThanOrEqual(V<double>(a), V<double>(b)));

    public static V128 F64x2Ge(V128 a, V128 b) => R(Vector128.GreaterThanOrEqual(V<double>(a), V<double>(b)));

    public static V128 F64x2Abs(V128 a) => R(Vector128.AndNot(V<ulong>(a), Vector128.Create(0x8000_0000_0000_0000ul)));

    public static V128 F64x2Neg(V128 a) => R(V<ulong>(a) ^ Vector128.Create(0x8000_0000_0000_0000ul));

    // ---- Shuffle, narrowing, conversions --------------------------------------------------------------------

    /// <summary><c>i8x16.shuffle</c>, its 16 lane indices as constants: each source picks the lanes it holds, a lane index out of range gives 0.</summary>
    public static V128 I8x16Shuffle(V128 a, V128 b, long low, long high)
    {
        var lanes = Vector128.Create(low, high).AsByte();
        var fromB = lanes - Vector128.Create((byte)16);
        return R(Vector128.Shuffle(V<byte>(a), lanes) | Vector128.Shuffle(V<byte>(b), fromB));
    }

    public static V128 I8x16NarrowI16x8S(V128 a, V128 b) =>
        R(Vector128.Narrow(Clamp(V<short>(a), sbyte.MinValue, sbyte.MaxValue), Clamp(V<short>(b), sbyte.MinValue, sbyte.MaxValue)));

    public static V128 I8x16NarrowI16x8U(V128 a, V128 b) =>
        R(Vector128.Narrow(Clamp(V<short>(a), byte.MinValue, byte.MaxValue).AsUInt16(), Clamp(V<short>(b), byte.MinValue, byte.MaxValue).AsUInt16()));

    public static V128 I16x8NarrowI32x4S(V128 a, V128 b) =>
        R(Vector128.Narrow(Clamp(V<int>(a), short.MinValue, short.MaxValue), Clamp(V<int>(b), short.MinValue, short.MaxValue)));

    public static V128 I16x8NarrowI32x4U(V128 a, V128 b) =>
        R(Vector128.Narrow(Clamp(V<int>(a), ushort.MinValue, ushort.MaxValue).AsUInt32(), Clamp(V<int>(b), ushort.MinValue, ushort.MaxValue).AsUInt32()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<short> Clamp(Vector128<short> x, short min, short max) => Vector128.Min(Vector128.Max(x, Vector128.Create(min)), Vector128.Create(max));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Clamp(Vector128<int> x, int min, int max) => Vector128.Min(Vector128.Max(x, Vector128.Create(min)), Vector128.Create(max));

    /// <summary>
    /// <c>i32x4.trunc_sat_f32x4_s</c>: the hardware truncation is exact inside the i32 range; lanes outside it
    /// saturate and NaN lanes give 0 by explicit selects, whatever the hardware gives there.
    /// </summary>
    public static V128 I32x4TruncSatF32x4S(V128 a)
    {
        var x = V<float>(a);
        var result = Vector128.ConvertToInt32(x);
        result = Vector128.ConditionalSelect(Vector128.GreaterThanOrEqual(x, Vector128.Create(2147483648f)).AsInt32(), Vector128.Create(int.MaxValue), result);
        result = Vector128.ConditionalSelect(Vector128.LessThanOrEqual(x, Vector128.Create(-2147483648f)).AsInt32(), Vector128.Create(int.MinValue), result);
        return R(result & Vector128.Equals(x, x).AsInt32());
    }
}
