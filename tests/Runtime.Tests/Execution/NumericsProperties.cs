using System.Globalization;
using System.Numerics;
using FsCheck.Xunit;
using WasmHarness.Execution;

namespace WasmHarness.Tests.Execution;

/// <summary>
/// The conversions of <see cref="Numerics"/> against independent oracles: .NET's parsers round decimal strings
/// correctly (IEEE 754, ties to even), and <see cref="BigInteger"/> truncates exactly.
/// </summary>
public sealed class NumericsProperties
{
    private static ulong Spread(ulong high, ulong low, byte shift) => ((high << 32) | (low & 0xFFFF_FFFF)) >> (shift % 64);

    private static float ParseF32(BigInteger value) => float.Parse(value.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static double ParseF64(BigInteger value) => double.Parse(value.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    [Property(MaxTest = 2000)]
    public bool Unsigned_to_f32_rounds_once(ulong high, ulong low, byte shift)
    {
        var x = Spread(high, low, shift);
        return BitConverter.SingleToUInt32Bits(Numerics.F32ConvertU64(x)) == BitConverter.SingleToUInt32Bits(ParseF32(x));
    }

    [Property(MaxTest = 2000)]
    public bool Signed_to_f32_rounds_once(ulong high, ulong low, byte shift, bool negative)
    {
        var x = (long)Spread(high, low, shift);
        x = negative ? -x : x;
        return BitConverter.SingleToUInt32Bits(Numerics.F32ConvertS64(x)) == BitConverter.SingleToUInt32Bits(ParseF32(x));
    }

    [Property(MaxTest = 2000)]
    public bool Unsigned_to_f64_rounds_once(ulong high, ulong low, byte shift)
    {
        var x = Spread(high, low, shift);
        return BitConverter.DoubleToUInt64Bits(Numerics.F64ConvertU64(x)) == BitConverter.DoubleToUInt64Bits(ParseF64(x));
    }

    [Property(MaxTest = 2000)]
    public bool Signed_to_f64_rounds_once(ulong high, ulong low, byte shift, bool negative)
    {
        var x = (long)Spread(high, low, shift);
        x = negative ? -x : x;
        return BitConverter.DoubleToUInt64Bits(Numerics.F64ConvertS64(x)) == BitConverter.DoubleToUInt64Bits(ParseF64(x));
    }

    [Fact]
    public void Conversions_round_ties_to_even_at_every_magnitude()
    {
        for (var k = 24; k < 64; k++)
        {
            var unit = 1UL << (k - 24); // the f32 spacing just above 2^k, in integers
            var baseValue = 1UL << k;
            foreach (var x in new[] { baseValue, baseValue + (unit / 2), baseValue + unit + (unit / 2), baseValue + (unit / 2) + 1, baseValue + unit - 1, baseValue - 1 })
            {
                Assert.Equal(BitConverter.SingleToUInt32Bits(ParseF32(x)), BitConverter.SingleToUInt32Bits(Numerics.F32ConvertU64(x)));
            }
        }
        for (var k = 53; k < 64; k++)
        {
            var unit = 1UL << (k - 53);
            var baseValue = 1UL << k;
            foreach (var x in new[] { baseValue, baseValue + (unit / 2), baseValue + unit + (unit / 2), baseValue + (unit / 2) + 1, baseValue - 1 })
            {
                Assert.Equal(BitConverter.DoubleToUInt64Bits(ParseF64(x)), BitConverter.DoubleToUInt64Bits(Numerics.F64ConvertU64(x)));
            }
        }
    }

    [Property(MaxTest = 2000)]
    public bool Truncation_matches_exact_arithmetic(ulong bits)
    {
        var d = BitConverter.UInt64BitsToDouble(bits);
        if (double.IsNaN(d) || double.IsInfinity(d))
        {
            return true;
        }
        var exact = new BigInteger(Math.Truncate(d));
        bool Fits(BigInteger min, BigInteger max) => exact >= min && exact <= max;
        bool Check<T>(Func<double, T> trunc, BigInteger min, BigInteger max, Func<T, BigInteger> widen)
        {
            try
            {
                return Fits(min, max) && widen(trunc(d)) == exact;
            }
            catch (TrapException e) when (e.Kind == TrapKind.IntegerOverflow)
            {
                return !Fits(min, max);
            }
        }
        return Check(Numerics.I32TruncS, int.MinValue, int.MaxValue, v => v)
            && Check(Numerics.I32TruncU, uint.MinValue, uint.MaxValue, v => v)
            && Check(Numerics.I64TruncS, long.MinValue, long.MaxValue, v => v)
            && Check(Numerics.I64TruncU, ulong.MinValue, ulong.MaxValue, v => v);
    }
}
