using WasmHarness.Execution;
using WasmHarness.Syntax;
using static WasmHarness.Tests.Execution.ModuleBuilder;

namespace WasmHarness.Tests.Interpreter;

public sealed class NumericTests
{
    private static readonly ValType[] None = [];

    private static Value Run(ValType[] parameters, ValType result, Opcode opcode, params Value[] args)
    {
        var body = new List<Instruction>();
        for (var i = 0u; i < parameters.Length; i++)
        {
            body.Add(I(Opcode.LocalGet, i));
        }
        body.Add(I(opcode));
        return Single(parameters, [result], [.. body]).Invoke(args)[0];
    }

    private static TrapKind Trap(ValType[] parameters, ValType result, Opcode opcode, params Value[] args) =>
        Assert.Throws<TrapException>(() => Run(parameters, result, opcode, args)).Kind;

    private static readonly ValType[] I32x2 = [ValType.I32, ValType.I32];
    private static readonly ValType[] I64x2 = [ValType.I64, ValType.I64];
    private static readonly ValType[] F32x2 = [ValType.F32, ValType.F32];
    private static readonly ValType[] F64x2 = [ValType.F64, ValType.F64];

    private static Value V32(int v) => Value.FromI32(v);
    private static Value V64(long v) => Value.FromI64(v);
    private static Value F(uint bits) => Value.FromF32Bits(bits);
    private static Value D(ulong bits) => Value.FromF64Bits(bits);

    [Theory]
    [InlineData(Opcode.I32Add, int.MaxValue, 1, int.MinValue)]
    [InlineData(Opcode.I32Sub, int.MinValue, 1, int.MaxValue)]
    [InlineData(Opcode.I32Mul, 0x10000, 0x10000, 0)]
    [InlineData(Opcode.I32DivS, -7, 2, -3)]
    [InlineData(Opcode.I32DivU, -1, 2, int.MaxValue)]
    [InlineData(Opcode.I32RemS, -7, 2, -1)]
    [InlineData(Opcode.I32RemS, int.MinValue, -1, 0)]
    [InlineData(Opcode.I32RemU, -1, 10, 5)]
    [InlineData(Opcode.I32Shl, 1, 33, 2)]
    [InlineData(Opcode.I32ShrS, int.MinValue, 31, -1)]
    [InlineData(Opcode.I32ShrU, int.MinValue, 63, 1)]
    [InlineData(Opcode.I32Rotl, unchecked((int)0x80000001), 1, 3)]
    [InlineData(Opcode.I32Rotr, 3, 33, unchecked((int)0x80000001))]
    [InlineData(Opcode.I32LtS, -1, 0, 1)]
    [InlineData(Opcode.I32LtU, -1, 0, 0)]
    [InlineData(Opcode.I32GeU, -1, 0, 1)]
    public void I32Binary(Opcode opcode, int a, int b, int expected) =>
        Assert.Equal(expected, Run(I32x2, ValType.I32, opcode, V32(a), V32(b)).I32);

    [Theory]
    [InlineData(Opcode.I64DivS, long.MinValue, -1L, TrapKind.IntegerOverflow)]
    [InlineData(Opcode.I64DivS, 1L, 0L, TrapKind.IntegerDivideByZero)]
    [InlineData(Opcode.I64DivU, 1L, 0L, TrapKind.IntegerDivideByZero)]
    [InlineData(Opcode.I64RemS, 1L, 0L, TrapKind.IntegerDivideByZero)]
    [InlineData(Opcode.I64RemU, 1L, 0L, TrapKind.IntegerDivideByZero)]
    public void I64DivisionTraps(Opcode opcode, long a, long b, TrapKind kind) =>
        Assert.Equal(kind, Trap(I64x2, ValType.I64, opcode, V64(a), V64(b)));

    [Fact]
    public void I32DivisionTraps()
    {
        Assert.Equal(TrapKind.IntegerOverflow, Trap(I32x2, ValType.I32, Opcode.I32DivS, V32(int.MinValue), V32(-1)));
        Assert.Equal(TrapKind.IntegerDivideByZero, Trap(I32x2, ValType.I32, Opcode.I32DivS, V32(1), V32(0)));
        Assert.Equal(TrapKind.IntegerDivideByZero, Trap(I32x2, ValType.I32, Opcode.I32RemS, V32(int.MinValue), V32(0)));
        var trap = Assert.Throws<TrapException>(() => Run(I32x2, ValType.I32, Opcode.I32DivU, V32(1), V32(0)));
        Assert.Equal("integer divide by zero", trap.Reason);
    }

    [Fact]
    public void I64Operators()
    {
        Assert.Equal(long.MinValue, Run(I64x2, ValType.I64, Opcode.I64Add, V64(long.MaxValue), V64(1)).I64);
        Assert.Equal(0, Run(I64x2, ValType.I64, Opcode.I64RemS, V64(long.MinValue), V64(-1)).I64);
        Assert.Equal(2, Run(I64x2, ValType.I64, Opcode.I64Shl, V64(1), V64(65)).I64);
        Assert.Equal(-1, Run(I64x2, ValType.I64, Opcode.I64ShrS, V64(long.MinValue), V64(63)).I64);
        Assert.Equal(1, Run(I64x2, ValType.I32, Opcode.I64GtU, V64(-1), V64(0)).I32);
        Assert.Equal(64, Run([ValType.I64], ValType.I64, Opcode.I64Clz, V64(0)).I64);
        Assert.Equal(64, Run([ValType.I64], ValType.I64, Opcode.I64Ctz, V64(0)).I64);
        Assert.Equal(32, Run([ValType.I32], ValType.I32, Opcode.I32Ctz, V32(0)).I32);
        Assert.Equal(32, Run([ValType.I32], ValType.I32, Opcode.I32Popcnt, V32(-1)).I32);
        Assert.Equal(1, Run([ValType.I64], ValType.I32, Opcode.I64Eqz, V64(0)).I32);
    }

    [Fact]
    public void I32ResultsAreZeroExtendedInSlots()
    {
        // An i32 result fed to i64.extend_i32_u must not carry sign bits from the i32 arithmetic.
        var f = Single([ValType.I32], [ValType.I64],
            I(Opcode.LocalGet, 0), I32(1), I(Opcode.I32Sub), I(Opcode.I64ExtendI32U));
        Assert.Equal(0xFFFF_FFFFL, f.Invoke(V32(0))[0].I64);
        Assert.Equal(-1L, Run([ValType.I32], ValType.I64, Opcode.I64ExtendI32S, V32(-1)).I64);
        Assert.Equal(-128, Run([ValType.I32], ValType.I32, Opcode.I32Extend8S, V32(0x80)).I32);
        Assert.Equal(-1L, Run([ValType.I64], ValType.I64, Opcode.I64Extend32S, V64(0xFFFF_FFFF)).I64);
        Assert.Equal(-1, Run([ValType.I64], ValType.I32, Opcode.I32WrapI64, V64(-1)).I32);
    }

    [Fact]
    public void SignBitOperationsKeepNanPayloads()
    {
        const uint signalling = 0x7FA0_0001;
        Assert.Equal(0xFFA0_0001u, Run([ValType.F32], ValType.F32, Opcode.F32Neg, F(signalling)).F32Bits);
        Assert.Equal(signalling, Run([ValType.F32], ValType.F32, Opcode.F32Abs, F(0xFFA0_0001)).F32Bits);
        Assert.Equal(0xFFA0_0001u, Run(F32x2, ValType.F32, Opcode.F32Copysign, F(signalling), F(0x8000_0000)).F32Bits);
        const ulong signalling64 = 0x7FF4_0000_0000_0001;
        Assert.Equal(0xFFF4_0000_0000_0001ul, Run([ValType.F64], ValType.F64, Opcode.F64Neg, D(signalling64)).F64Bits);
        Assert.Equal(signalling, Run([ValType.F32], ValType.I32, Opcode.I32ReinterpretF32, F(signalling)).F32Bits);
        Assert.Equal(signalling64, Run([ValType.I64], ValType.F64, Opcode.F64ReinterpretI64, V64((long)signalling64)).F64Bits);
    }

    [Fact]
    public void ConstantsKeepNanPayloads()
    {
        var f = Single(None, [ValType.F32], Instruction.F32Const(0x7FA0_0001));
        Assert.Equal(0x7FA0_0001u, f.Invoke()[0].F32Bits);
        var g = Single(None, [ValType.F64], Instruction.F64Const(0xFFF0_0000_0000_0001));
        Assert.Equal(0xFFF0_0000_0000_0001ul, g.Invoke()[0].F64Bits);
    }

    private static bool IsArithmeticNan32(uint bits) => (bits & 0x7FC0_0000) == 0x7FC0_0000;

    private static bool IsArithmeticNan64(ulong bits) => (bits & 0x7FF8_0000_0000_0000) == 0x7FF8_0000_0000_0000;

    private static bool IsCanonicalNan32(uint bits) => (bits & 0x7FFF_FFFF) == 0x7FC0_0000;

    [Fact]
    public void ArithmeticProducesQuietNans()
    {
        Assert.True(IsArithmeticNan32(Run(F32x2, ValType.F32, Opcode.F32Add, F(0x7FA0_0001), F(0x3F80_0000)).F32Bits));
        Assert.True(IsCanonicalNan32(Run(F32x2, ValType.F32, Opcode.F32Sub, Value.FromF32(float.PositiveInfinity), Value.FromF32(float.PositiveInfinity)).F32Bits));
        Assert.True(IsArithmeticNan32(Run([ValType.F32], ValType.F32, Opcode.F32Sqrt, F(0x7FA0_0001)).F32Bits));
        Assert.True(IsArithmeticNan32(Run([ValType.F32], ValType.F32, Opcode.F32Nearest, F(0x7FA0_0001)).F32Bits));
        Assert.True(IsArithmeticNan32(Run([ValType.F32], ValType.F32, Opcode.F32Ceil, F(0xFF80_0001)).F32Bits));
        Assert.True(IsArithmeticNan64(Run([ValType.F64], ValType.F64, Opcode.F64Floor, D(0x7FF0_0000_0000_0001)).F64Bits));
        Assert.True(IsArithmeticNan64(Run([ValType.F32], ValType.F64, Opcode.F64PromoteF32, F(0x7FA0_0001)).F64Bits));
        Assert.True(IsArithmeticNan32(Run([ValType.F64], ValType.F32, Opcode.F32DemoteF64, D(0x7FF0_0000_0000_0001)).F32Bits));
        Assert.True(IsArithmeticNan32(Run(F32x2, ValType.F32, Opcode.F32Min, F(0x7FA0_0001), Value.FromF32(1)).F32Bits));
        Assert.True(IsArithmeticNan64(Run(F64x2, ValType.F64, Opcode.F64Max, Value.FromF64(1), D(0x7FF0_0000_0000_0001)).F64Bits));
    }

    [Fact]
    public void MinAndMaxOrderZeros()
    {
        var negativeZero = Value.FromF32(-0.0f);
        var positiveZero = Value.FromF32(0.0f);
        Assert.Equal(0x8000_0000u, Run(F32x2, ValType.F32, Opcode.F32Min, positiveZero, negativeZero).F32Bits);
        Assert.Equal(0x8000_0000u, Run(F32x2, ValType.F32, Opcode.F32Min, negativeZero, positiveZero).F32Bits);
        Assert.Equal(0u, Run(F32x2, ValType.F32, Opcode.F32Max, negativeZero, positiveZero).F32Bits);
        Assert.Equal(0ul, Run(F64x2, ValType.F64, Opcode.F64Max, Value.FromF64(-0.0), Value.FromF64(0.0)).F64Bits);
        Assert.Equal(0x8000_0000_0000_0000ul, Run(F64x2, ValType.F64, Opcode.F64Min, Value.FromF64(0.0), Value.FromF64(-0.0)).F64Bits);
    }

    [Theory]
    [InlineData(0.5, 0.0)]
    [InlineData(1.5, 2.0)]
    [InlineData(2.5, 2.0)]
    [InlineData(-2.5, -2.0)]
    [InlineData(-0.5, -0.0)]
    [InlineData(4503599627370495.5, 4503599627370496.0)]
    public void NearestRoundsHalfToEven(double input, double expected)
    {
        Assert.Equal(BitConverter.DoubleToUInt64Bits(expected), Run([ValType.F64], ValType.F64, Opcode.F64Nearest, Value.FromF64(input)).F64Bits);
        Assert.Equal(BitConverter.SingleToUInt32Bits((float)expected), Run([ValType.F32], ValType.F32, Opcode.F32Nearest, Value.FromF32((float)input)).F32Bits);
    }

    [Fact]
    public void RoundingKeepsNegativeZero()
    {
        Assert.Equal(0x8000_0000u, Run([ValType.F32], ValType.F32, Opcode.F32Ceil, Value.FromF32(-0.5f)).F32Bits);
        Assert.Equal(0x8000_0000u, Run([ValType.F32], ValType.F32, Opcode.F32Trunc, Value.FromF32(-0.9f)).F32Bits);
        Assert.Equal(0x8000_0000_0000_0000ul, Run([ValType.F64], ValType.F64, Opcode.F64Sqrt, Value.FromF64(-0.0)).F64Bits);
    }

    [Fact]
    public void TruncationTrapsAtTheExactBounds()
    {
        Assert.Equal(int.MinValue, Run([ValType.F32], ValType.I32, Opcode.I32TruncF32S, Value.FromF32(-2147483648.0f)).I32);
        Assert.Equal(TrapKind.IntegerOverflow, Trap([ValType.F32], ValType.I32, Opcode.I32TruncF32S, Value.FromF32(2147483648.0f)));
        Assert.Equal(TrapKind.IntegerOverflow, Trap([ValType.F32], ValType.I32, Opcode.I32TruncF32S, Value.FromF32(-2147483904.0f)));
        Assert.Equal(TrapKind.InvalidConversionToInteger, Trap([ValType.F32], ValType.I32, Opcode.I32TruncF32S, F(0x7FC0_0000)));
        Assert.Equal(int.MinValue, Run([ValType.F64], ValType.I32, Opcode.I32TruncF64S, Value.FromF64(-2147483648.9)).I32);
        Assert.Equal(TrapKind.IntegerOverflow, Trap([ValType.F64], ValType.I32, Opcode.I32TruncF64S, Value.FromF64(-2147483649.0)));
        Assert.Equal(0, Run([ValType.F64], ValType.I32, Opcode.I32TruncF64U, Value.FromF64(-0.9)).I32);
        Assert.Equal(-1, Run([ValType.F64], ValType.I32, Opcode.I32TruncF64U, Value.FromF64(4294967295.9)).I32);
        Assert.Equal(TrapKind.IntegerOverflow, Trap([ValType.F64], ValType.I32, Opcode.I32TruncF64U, Value.FromF64(-1.0)));
        Assert.Equal(TrapKind.IntegerOverflow, Trap([ValType.F64], ValType.I32, Opcode.I32TruncF64U, Value.FromF64(4294967296.0)));
        Assert.Equal(long.MinValue, Run([ValType.F64], ValType.I64, Opcode.I64TruncF64S, Value.FromF64(-9223372036854775808.0)).I64);
        Assert.Equal(TrapKind.IntegerOverflow, Trap([ValType.F64], ValType.I64, Opcode.I64TruncF64S, Value.FromF64(9223372036854775808.0)));
        Assert.Equal(unchecked((long)0xFFFF_FFFF_FFFF_F800), Run([ValType.F64], ValType.I64, Opcode.I64TruncF64U, Value.FromF64(18446744073709549568.0)).I64);
        Assert.Equal(TrapKind.IntegerOverflow, Trap([ValType.F64], ValType.I64, Opcode.I64TruncF64U, Value.FromF64(18446744073709551616.0)));
        Assert.Equal(TrapKind.InvalidConversionToInteger, Trap([ValType.F64], ValType.I64, Opcode.I64TruncF64U, D(0xFFF8_0000_0000_0000)));
    }

    [Fact]
    public void SaturatingTruncation()
    {
        Assert.Equal(int.MaxValue, Run([ValType.F32], ValType.I32, Opcode.I32TruncSatF32S, Value.FromF32(3e9f)).I32);
        Assert.Equal(int.MinValue, Run([ValType.F32], ValType.I32, Opcode.I32TruncSatF32S, Value.FromF32(float.NegativeInfinity)).I32);
        Assert.Equal(0, Run([ValType.F32], ValType.I32, Opcode.I32TruncSatF32S, F(0x7FC0_0000)).I32);
        Assert.Equal(-1, Run([ValType.F64], ValType.I32, Opcode.I32TruncSatF64U, Value.FromF64(1e10)).I32);
        Assert.Equal(0, Run([ValType.F64], ValType.I32, Opcode.I32TruncSatF64U, Value.FromF64(-5)).I32);
        Assert.Equal(long.MaxValue, Run([ValType.F64], ValType.I64, Opcode.I64TruncSatF64S, Value.FromF64(1e19)).I64);
        Assert.Equal(-1L, Run([ValType.F64], ValType.I64, Opcode.I64TruncSatF64U, Value.FromF64(1e20)).I64);
        Assert.Equal(unchecked((long)0x8000_0000_0000_0000), Run([ValType.F64], ValType.I64, Opcode.I64TruncSatF64U, Value.FromF64(9223372036854775808.0)).I64);
    }

    [Theory]
    // Values from the suite's conversions.wast: each must round once, to nearest even.
    [InlineData(Opcode.F32ConvertI64S, 0x0020000020000001L, 0x5A000001u)]
    [InlineData(Opcode.F32ConvertI64S, -0x0020000020000001L, 0xDA000001u)]
    [InlineData(Opcode.F32ConvertI64U, -1L, 0x5F800000u)]
    [InlineData(Opcode.F32ConvertI64U, unchecked((long)0x8000008000000001), 0x5F000001u)]
    [InlineData(Opcode.F32ConvertI64U, 0x0020000020000001L, 0x5A000001u)]
    [InlineData(Opcode.F32ConvertI64S, long.MinValue, 0xDF000000u)]
    public void IntegerToF32RoundsOnce(Opcode opcode, long input, uint expectedBits) =>
        Assert.Equal(expectedBits, Run([ValType.I64], ValType.F32, opcode, V64(input)).F32Bits);

    [Fact]
    public void IntegerToFloatConversions()
    {
        Assert.Equal(0x4F800000u, Run([ValType.I32], ValType.F32, Opcode.F32ConvertI32U, V32(-1)).F32Bits);
        Assert.Equal(0x4B000001u, Run([ValType.I32], ValType.F32, Opcode.F32ConvertI32S, V32(0x800001)).F32Bits);
        Assert.Equal(0x4B800000u, Run([ValType.I32], ValType.F32, Opcode.F32ConvertI32U, V32(0x1000001)).F32Bits);
        Assert.Equal(0x43F0000000000000ul, Run([ValType.I64], ValType.F64, Opcode.F64ConvertI64U, V64(-1)).F64Bits);
        Assert.Equal(0x43E0000000000001ul, Run([ValType.I64], ValType.F64, Opcode.F64ConvertI64U, V64(unchecked((long)0x8000000000000401))).F64Bits);
        Assert.Equal(0x4340000000000002ul, Run([ValType.I64], ValType.F64, Opcode.F64ConvertI64S, V64(0x20000000000003)).F64Bits);
        Assert.Equal(4294967295.0, Run([ValType.I32], ValType.F64, Opcode.F64ConvertI32U, V32(-1)).F64);
    }
}
