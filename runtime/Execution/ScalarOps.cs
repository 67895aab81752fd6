using System.Numerics;

namespace WasmHarness.Execution;

/// <summary>
/// The semantics of every pure scalar instruction, one method each, named after its <see cref="Syntax.Opcode"/> and
/// typed as the JIT sees Wasm values (i32 = <see cref="int"/>, i64 = <see cref="long"/>, f32 = <see cref="float"/>,
/// f64 = <see cref="double"/>; a comparison returns 0 or 1). The instruction table (<c>Syntax/Instructions.table</c>,
/// column <c>sem</c>) names them; the source generator makes the interpreter's cases call them and the JIT either
/// call them (RyuJIT inlines the small ones) or, where the table gives <c>il</c>, emit the equivalent CIL inline.
/// The operators with subtle edges (traps, NaN bits, rounding) live in <see cref="Numerics"/>.
/// </summary>
public static class ScalarOps
{
    public static int I32Eqz(int a) => a == 0 ? 1 : 0;

    public static int I64Eqz(long a) => a == 0 ? 1 : 0;

    public static int I32Eq(int a, int b) => a == b ? 1 : 0;

    public static int I32Ne(int a, int b) => a != b ? 1 : 0;

    public static int I32LtS(int a, int b) => a < b ? 1 : 0;

    public static int I32LtU(int a, int b) => (uint)a < (uint)b ? 1 : 0;

    public static int I32GtS(int a, int b) => a > b ? 1 : 0;

    public static int I32GtU(int a, int b) => (uint)a > (uint)b ? 1 : 0;

    public static int I32LeS(int a, int b) => a <= b ? 1 : 0;

    public static int I32LeU(int a, int b) => (uint)a <= (uint)b ? 1 : 0;

    public static int I32GeS(int a, int b) => a >= b ? 1 : 0;

    public static int I32GeU(int a, int b) => (uint)a >= (uint)b ? 1 : 0;

    public static int I64Eq(long a, long b) => a == b ? 1 : 0;

    public static int I64Ne(long a, long b) => a != b ? 1 : 0;

    public static int I64LtS(long a, long b) => a < b ? 1 : 0;

    public static int I64LtU(long a, long b) => (ulong)a < (ulong)b ? 1 : 0;

    public static int I64GtS(long a, long b) => a > b ? 1 : 0;

    public static int I64GtU(long a, long b) => (ulong)a > (ulong)b ? 1 : 0;

    public static int I64LeS(long a, long b) => a <= b ? 1 : 0;

    public static int I64LeU(long a, long b) => (ulong)a <= (ulong)b ? 1 : 0;

    public static int I64GeS(long a, long b) => a >= b ? 1 : 0;

    public static int I64GeU(long a, long b) => (ulong)a >= (ulong)b ? 1 : 0;

    public static int F32Eq(float a, float b) => a == b ? 1 : 0;

    public static int F32Ne(float a, float b) => a != b ? 1 : 0;

    public static int F32Lt(float a, float b) => a < b ? 1 : 0;

    public static int F32Gt(float a, float b) => a > b ? 1 : 0;

    public static int F32Le(float a, float b) => a <= b ? 1 : 0;

    public static int F32Ge(float a, float b) => a >= b ? 1 : 0;

    public static int F64Eq(double a, double b) => a == b ? 1 : 0;

    public static int F64Ne(double a, double b) => a != b ? 1 : 0;

    public static int F64Lt(double a, double b) => a < b ? 1 : 0;

    public static int F64Gt(double a, double b) => a > b ? 1 : 0;

    public static int F64Le(double a, double b) => a <= b ? 1 : 0;

    public static int F64Ge(double a, double b) => a >= b ? 1 : 0;

    public static int I32Clz(int a) => BitOperations.LeadingZeroCount((uint)a);

    public static int I32Ctz(int a) => BitOperations.TrailingZeroCount((uint)a);

    public static int I32Popcnt(int a) => BitOperations.PopCount((uint)a);

    public static int I32Add(int a, int b) => a + b;

    public static int I32Sub(int a, int b) => a - b;

    public static int I32Mul(int a, int b) => a * b;

    public static int I32DivS(int a, int b) => Numerics.I32DivS(a, b);

    public static int I32DivU(int a, int b) => (int)Numerics.I32DivU((uint)a, (uint)b);

    public static int I32RemS(int a, int b) => Numerics.I32RemS(a, b);

    public static int I32RemU(int a, int b) => (int)Numerics.I32RemU((uint)a, (uint)b);

    public static int I32And(int a, int b) => a & b;

    public static int I32Or(int a, int b) => a | b;

    public static int I32Xor(int a, int b) => a ^ b;

    public static int I32Shl(int a, int b) => a << (b & 31);

    public static int I32ShrS(int a, int b) => a >> (b & 31);

    public static int I32ShrU(int a, int b) => (int)((uint)a >> (b & 31));

    public static int I32Rotl(int a, int b) => (int)Numerics.I32Rotl((uint)a, (uint)b);

    public static int I32Rotr(int a, int b) => (int)Numerics.I32Rotr((uint)a, (uint)b);

    public static long I64Clz(long a) => (long)BitOperations.LeadingZeroCount((ulong)a);

    public static long I64Ctz(long a) => (long)BitOperations.TrailingZeroCount((ulong)a);

    public static long I64Popcnt(long a) => (long)BitOperations.PopCount((ulong)a);

    public static long I64Add(long a, long b) => a + b;

    public static long I64Sub(long a, long b) => a - b;

    public static long I64Mul(long a, long b) => a * b;

    // Wide arithmetic: a 128-bit integer is two i64 operands or results, low half first (below it on the stack).

    public static (long Low, long High) I64Add128(long aLow, long aHigh, long bLow, long bHigh) =>
        Split(Join(aLow, aHigh) + Join(bLow, bHigh));

    public static (long Low, long High) I64Sub128(long aLow, long aHigh, long bLow, long bHigh) =>
        Split(Join(aLow, aHigh) - Join(bLow, bHigh));

    public static (long Low, long High) I64MulWideS(long a, long b)
    {
        var high = Math.BigMul(a, b, out var low);
        return (low, high);
    }

    public static (long Low, long High) I64MulWideU(long a, long b)
    {
        var high = Math.BigMul((ulong)a, (ulong)b, out var low);
        return ((long)low, (long)high);
    }

    private static UInt128 Join(long low, long high) => new((ulong)high, (ulong)low);

    private static (long Low, long High) Split(UInt128 value) => ((long)(ulong)value, (long)(ulong)(value >> 64));

    public static long I64DivS(long a, long b) => Numerics.I64DivS(a, b);

    public static long I64DivU(long a, long b) => (long)Numerics.I64DivU((ulong)a, (ulong)b);

    public static long I64RemS(long a, long b) => Numerics.I64RemS(a, b);

    public static long I64RemU(long a, long b) => (long)Numerics.I64RemU((ulong)a, (ulong)b);

    public static long I64And(long a, long b) => a & b;

    public static long I64Or(long a, long b) => a | b;

    public static long I64Xor(long a, long b) => a ^ b;

    public static long I64Shl(long a, long b) => a << ((int)(b & 63));

    public static long I64ShrS(long a, long b) => a >> ((int)(b & 63));

    public static long I64ShrU(long a, long b) => (long)((ulong)a >> ((int)(b & 63)));

    public static long I64Rotl(long a, long b) => (long)Numerics.I64Rotl((ulong)a, (ulong)b);

    public static long I64Rotr(long a, long b) => (long)Numerics.I64Rotr((ulong)a, (ulong)b);

    public static float F32Abs(float a) => BitConverter.UInt32BitsToSingle(Numerics.F32Abs(BitConverter.SingleToUInt32Bits(a)));

    public static float F32Neg(float a) => BitConverter.UInt32BitsToSingle(Numerics.F32Neg(BitConverter.SingleToUInt32Bits(a)));

    public static float F32Ceil(float a) => Numerics.F32Ceil(a);

    public static float F32Floor(float a) => Numerics.F32Floor(a);

    public static float F32Trunc(float a) => Numerics.F32Trunc(a);

    public static float F32Nearest(float a) => Numerics.F32Nearest(a);

    public static float F32Sqrt(float a) => Numerics.F32Sqrt(a);

    public static float F32Add(float a, float b) => a + b;

    public static float F32Sub(float a, float b) => a - b;

    public static float F32Mul(float a, float b) => a * b;

    public static float F32Div(float a, float b) => a / b;

    public static float F32Min(float a, float b) => Numerics.F32Min(a, b);

    public static float F32Max(float a, float b) => Numerics.F32Max(a, b);

    public static float F32Copysign(float a, float b) => BitConverter.UInt32BitsToSingle(Numerics.F32Copysign(BitConverter.SingleToUInt32Bits(a), BitConverter.SingleToUInt32Bits(b)));

    public static double F64Abs(double a) => BitConverter.UInt64BitsToDouble(Numerics.F64Abs(BitConverter.DoubleToUInt64Bits(a)));

    public static double F64Neg(double a) => BitConverter.UInt64BitsToDouble(Numerics.F64Neg(BitConverter.DoubleToUInt64Bits(a)));

    public static double F64Ceil(double a) => Numerics.F64Ceil(a);

    public static double F64Floor(double a) => Numerics.F64Floor(a);

    public static double F64Trunc(double a) => Numerics.F64Trunc(a);

    public static double F64Nearest(double a) => Numerics.F64Nearest(a);

    public static double F64Sqrt(double a) => Numerics.F64Sqrt(a);

    public static double F64Add(double a, double b) => a + b;

    public static double F64Sub(double a, double b) => a - b;

    public static double F64Mul(double a, double b) => a * b;

    public static double F64Div(double a, double b) => a / b;

    public static double F64Min(double a, double b) => Numerics.F64Min(a, b);

    public static double F64Max(double a, double b) => Numerics.F64Max(a, b);

    public static double F64Copysign(double a, double b) => BitConverter.UInt64BitsToDouble(Numerics.F64Copysign(BitConverter.DoubleToUInt64Bits(a), BitConverter.DoubleToUInt64Bits(b)));

    public static int I32WrapI64(long a) => (int)a;

    public static int I32TruncF32S(float a) => Numerics.I32TruncS(a);

    public static int I32TruncF32U(float a) => (int)Numerics.I32TruncU(a);

    public static int I32TruncF64S(double a) => Numerics.I32TruncS(a);

    public static int I32TruncF64U(double a) => (int)Numerics.I32TruncU(a);

    public static long I64TruncF32S(float a) => Numerics.I64TruncS(a);

    public static long I64TruncF32U(float a) => (long)Numerics.I64TruncU(a);

    public static long I64TruncF64S(double a) => Numerics.I64TruncS(a);

    public static long I64TruncF64U(double a) => (long)Numerics.I64TruncU(a);

    public static long I64ExtendI32S(int a) => a;

    public static long I64ExtendI32U(int a) => (uint)a;

    public static float F32ConvertI32S(int a) => Numerics.F32ConvertS64(a);

    public static float F32ConvertI32U(int a) => Numerics.F32ConvertU64((uint)a);

    public static float F32ConvertI64S(long a) => Numerics.F32ConvertS64(a);

    public static float F32ConvertI64U(long a) => Numerics.F32ConvertU64((ulong)a);

    public static float F32DemoteF64(double a) => Numerics.F32Demote(a);

    public static double F64ConvertI32S(int a) => a;

    public static double F64ConvertI32U(int a) => (uint)a;

    public static double F64ConvertI64S(long a) => Numerics.F64ConvertS64(a);

    public static double F64ConvertI64U(long a) => Numerics.F64ConvertU64((ulong)a);

    public static double F64PromoteF32(float a) => Numerics.F64Promote(a);

    public static int I32ReinterpretF32(float a) => BitConverter.SingleToInt32Bits(a);

    public static long I64ReinterpretF64(double a) => BitConverter.DoubleToInt64Bits(a);

    public static float F32ReinterpretI32(int a) => BitConverter.Int32BitsToSingle(a);

    public static double F64ReinterpretI64(long a) => BitConverter.Int64BitsToDouble(a);

    public static int I32Extend8S(int a) => (sbyte)a;

    public static int I32Extend16S(int a) => (short)a;

    public static long I64Extend8S(long a) => (sbyte)a;

    public static long I64Extend16S(long a) => (short)a;

    public static long I64Extend32S(long a) => (int)a;

    public static int I32TruncSatF32S(float a) => Numerics.I32TruncSatS(a);

    public static int I32TruncSatF32U(float a) => (int)Numerics.I32TruncSatU(a);

    public static int I32TruncSatF64S(double a) => Numerics.I32TruncSatS(a);

    public static int I32TruncSatF64U(double a) => (int)Numerics.I32TruncSatU(a);

    public static long I64TruncSatF32S(float a) => Numerics.I64TruncSatS(a);

    public static long I64TruncSatF32U(float a) => (long)Numerics.I64TruncSatU(a);

    public static long I64TruncSatF64S(double a) => Numerics.I64TruncSatS(a);

    public static long I64TruncSatF64U(double a) => (long)Numerics.I64TruncSatU(a);
}
