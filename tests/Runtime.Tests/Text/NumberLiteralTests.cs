using System.Globalization;
using WasmHarness.Text;

namespace WasmHarness.Tests.Text;

public sealed class NumberLiteralTests
{
    [Theory]
    [InlineData("0", 0u)]
    [InlineData("4294967295", 0xFFFF_FFFFu)]
    [InlineData("-2147483648", 0x8000_0000u)]
    [InlineData("-1", 0xFFFF_FFFFu)]
    [InlineData("+4294967295", 0xFFFF_FFFFu)]
    [InlineData("0xffff_ffff", 0xFFFF_FFFFu)]
    [InlineData("-0x8000_0000", 0x8000_0000u)]
    [InlineData("1_000_000", 1_000_000u)]
    public void I32InRange(string text, uint expected)
    {
        Assert.True(NumberLiterals.TryParseInt(text, 32, out var bits));
        Assert.Equal(expected, (uint)bits);
    }

    [Theory]
    [InlineData("4294967296")]
    [InlineData("-2147483649")]
    [InlineData("0x1_0000_0000")]
    [InlineData("1.0")]
    [InlineData("nan")]
    [InlineData("1__0")]
    [InlineData("_1")]
    [InlineData("0x")]
    public void I32OutOfRangeOrMalformed(string text) => Assert.False(NumberLiterals.TryParseInt(text, 32, out _));

    [Theory]
    [InlineData("18446744073709551615", ulong.MaxValue)]
    [InlineData("-9223372036854775808", 0x8000_0000_0000_0000UL)]
    [InlineData("0x7fff_ffff_ffff_ffff", 0x7FFF_FFFF_FFFF_FFFFUL)]
    public void I64InRange(string text, ulong expected)
    {
        Assert.True(NumberLiterals.TryParseInt(text, 64, out var bits));
        Assert.Equal(expected, bits);
    }

    [Theory]
    [InlineData("18446744073709551616")]
    [InlineData("-9223372036854775809")]
    [InlineData("0x1_0000_0000_0000_0000")]
    [InlineData("340282366920938463463374607431768211456")]
    public void I64OutOfRange(string text) => Assert.False(NumberLiterals.TryParseInt(text, 64, out _));

    [Theory]
    [InlineData("0x1p-149", 0x0000_0001u)] // smallest subnormal
    [InlineData("0x1p-150", 0x0000_0000u)] // exactly half of it: ties to even (zero)
    [InlineData("0x1.000002p-150", 0x0000_0001u)] // just above half
    [InlineData("0x1.fffffep127", 0x7F7F_FFFFu)] // largest finite
    [InlineData("0x1.fffffefffffffffffp127", 0x7F7F_FFFFu)] // below the rounding boundary
    [InlineData("0x1.000001p0", 0x3F80_0000u)] // tie, rounds to even (down)
    [InlineData("0x1.000003p0", 0x3F80_0002u)] // tie, rounds to even (up)
    [InlineData("0x1.0000010000000000000000001p0", 0x3F80_0001u)] // just above the tie
    [InlineData("-0x0p0", 0x8000_0000u)]
    [InlineData("inf", 0x7F80_0000u)]
    [InlineData("-inf", 0xFF80_0000u)]
    [InlineData("nan", 0x7FC0_0000u)]
    [InlineData("-nan", 0xFFC0_0000u)]
    [InlineData("nan:0x1", 0x7F80_0001u)]
    [InlineData("-nan:0x7f_ffff", 0xFFFF_FFFFu)]
    [InlineData("+nan:0x200000", 0x7FA0_0000u)]
    [InlineData("1e38", 0x7E96_7699u)]
    [InlineData("340282356779733661637539395458142568447", 0x7F7F_FFFFu)] // just below max + half ulp
    [InlineData("1.17549435e-38", 0x0080_0000u)] // smallest normal
    [InlineData("0x0.8p1", 0x3F80_0000u)]
    [InlineData("0x1P+1", 0x4000_0000u)]
    [InlineData("1_000.000_1", 0x447A_0002u)]
    public void F32Bits(string text, uint expected)
    {
        Assert.True(NumberLiterals.TryParseF32(text, out var bits));
        Assert.Equal(expected.ToString("x8"), bits.ToString("x8"));
    }

    [Theory]
    [InlineData("0x1p128")]
    [InlineData("0x1.ffffffp127")] // rounds up to 2^128
    [InlineData("340282356779733661637539395458142568448")] // max + half ulp: ties to even = infinity
    [InlineData("1e39")]
    [InlineData("nan:0x0")]
    [InlineData("nan:0x80_0000")]
    [InlineData("1")] // "1" is fine...
    public void F32OutOfRange(string text)
    {
        if (text == "1")
        {
            Assert.True(NumberLiterals.TryParseF32(text, out _));
            return;
        }
        Assert.False(NumberLiterals.TryParseF32(text, out _));
    }

    [Theory]
    [InlineData("0x1p-1074", 0x0000_0000_0000_0001UL)]
    [InlineData("0x1p-1075", 0x0000_0000_0000_0000UL)]
    [InlineData("0x1.0000000000001p-1075", 0x0000_0000_0000_0001UL)]
    [InlineData("0x1.fffffffffffffp1023", 0x7FEF_FFFF_FFFF_FFFFUL)]
    [InlineData("0x1.00000000000008p0", 0x3FF0_0000_0000_0000UL)]
    [InlineData("0x1.00000000000018p0", 0x3FF0_0000_0000_0002UL)]
    [InlineData("2.2250738585072011e-308", 0x000F_FFFF_FFFF_FFFFUL)]
    [InlineData("4.9406564584124654e-324", 0x0000_0000_0000_0001UL)]
    [InlineData("nan:0xf_ffff_ffff_ffff", 0x7FFF_FFFF_FFFF_FFFFUL)]
    [InlineData("-nan", 0xFFF8_0000_0000_0000UL)]
    [InlineData("0x1.fffffffffffff8p1023", 0)] // rounds to infinity: out of range
    public void F64Bits(string text, ulong expected)
    {
        var ok = NumberLiterals.TryParseF64(text, out var bits);
        if (expected == 0 && text.Contains("f8p1023", StringComparison.Ordinal))
        {
            Assert.False(ok);
            return;
        }
        Assert.True(ok);
        Assert.Equal(expected.ToString("x16"), bits.ToString("x16"));
    }

    /// <summary>.NET's parsers round correctly (IEEE 754, ties to even) since .NET Core 3.0: compare decimal literals with them.</summary>
    [Fact]
    public void DecimalLiteralsRoundLikeTheRuntime()
    {
        var random = new Random(1234);
        for (var i = 0; i < 20000; i++)
        {
            var bits = (ulong)random.NextInt64() ^ ((ulong)random.Next() << 33);
            var value = BitConverter.UInt64BitsToDouble(bits & 0x7FFF_FFFF_FFFF_FFFFUL);
            if (!double.IsFinite(value))
            {
                continue;
            }
            // Round-trip text, and a longer form with extra digits that lands between neighbours.
            var shortest = value.ToString("R", CultureInfo.InvariantCulture);
            var longer = value.ToString("E25", CultureInfo.InvariantCulture);
            foreach (var text in new[] { shortest, longer })
            {
                Assert.True(NumberLiterals.TryParseF64(text, out var f64), text);
                Assert.Equal(BitConverter.DoubleToUInt64Bits(double.Parse(text, CultureInfo.InvariantCulture)), f64);
                var f32Expected = float.Parse(text, CultureInfo.InvariantCulture);
                var f32Ok = NumberLiterals.TryParseF32(text, out var f32);
                if (float.IsInfinity(f32Expected))
                {
                    Assert.False(f32Ok, text);
                }
                else
                {
                    Assert.True(f32Ok, text);
                    Assert.Equal(BitConverter.SingleToUInt32Bits(f32Expected), f32);
                }
            }
        }
    }

    /// <summary>f32 from decimal must round once: a value whose f64 rounding is a tie point for f32 must not round twice.</summary>
    [Fact]
    public void F32FromDecimalRoundsOnce()
    {
        // 1 + 2^-24 + 2^-60: nearest f64 is 1 + 2^-24 (a tie for f32, which would round down to 1),
        // but the exact value is above the tie, so f32 must round up to 1 + 2^-23.
        const string text = "1.00000005960464477539930798173887";
        Assert.True(NumberLiterals.TryParseF32(text, out var bits));
        Assert.Equal(0x3F80_0001u, bits);
    }

    [Fact]
    public void HexLiteralsRoundTrip()
    {
        var random = new Random(99);
        for (var i = 0; i < 20000; i++)
        {
            var bits = (ulong)random.NextInt64();
            var value = BitConverter.UInt64BitsToDouble(bits);
            if (!double.IsFinite(value))
            {
                continue;
            }
            var text = HexText(value);
            Assert.True(NumberLiterals.TryParseF64(text, out var parsed), text);
            Assert.Equal(bits, parsed);
        }
    }

    private static string HexText(double value)
    {
        var bits = BitConverter.DoubleToUInt64Bits(value);
        var sign = (bits >> 63) != 0 ? "-" : "";
        var exponent = (int)((bits >> 52) & 0x7FF);
        var mantissa = bits & 0xF_FFFF_FFFF_FFFFUL;
        return exponent == 0
            ? $"{sign}0x0.{mantissa:x13}p-1022"
            : $"{sign}0x1.{mantissa:x13}p{exponent - 1023}";
    }
}
