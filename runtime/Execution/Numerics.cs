using System.Numerics;
using System.Runtime.CompilerServices;

namespace WasmHarness.Execution;

/// <summary>
/// The numeric operators of the spec (exec/numerics), one method per operator, shared by both tiers. Floats
/// are handled through their bits wherever .NET arithmetic could change a NaN's payload or sign; arithmetic
/// that returns a NaN returns a quiet NaN (canonical when the inputs were canonical), as the spec allows.
/// </summary>
public static class Numerics
{
    // ---- Integer operators -----------------------------------------------------------------------------

    /// <summary><c>i32.div_s</c>: traps on zero divisor and on MIN / -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I32DivS(int a, int b)
    {
        if (b == 0)
        {
            TrapException.Throw(TrapKind.IntegerDivideByZero);
        }
        if (b == -1 && a == int.MinValue)
        {
            TrapException.Throw(TrapKind.IntegerOverflow);
        }
        return a / b;
    }

    /// <summary><c>i32.div_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint I32DivU(uint a, uint b)
    {
        if (b == 0)
        {
            TrapException.Throw(TrapKind.IntegerDivideByZero);
        }
        return a / b;
    }

    /// <summary><c>i32.rem_s</c>: MIN rem -1 is 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int I32RemS(int a, int b)
    {
        if (b == 0)
        {
            TrapException.Throw(TrapKind.IntegerDivideByZero);
        }
        return b == -1 ? 0 : a % b;
    }

    /// <summary><c>i32.rem_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint I32RemU(uint a, uint b)
    {
        if (b == 0)
        {
            TrapException.Throw(TrapKind.IntegerDivideByZero);
        }
        return a % b;
    }

    /// <summary><c>i64.div_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long I64DivS(long a, long b)
    {
        if (b == 0)
        {
            TrapException.Throw(TrapKind.IntegerDivideByZero);
        }
        if (b == -1 && a == long.MinValue)
        {
            TrapException.Throw(TrapKind.IntegerOverflow);
        }
        return a / b;
    }

    /// <summary><c>i64.div_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong I64DivU(ulong a, ulong b)
    {
        if (b == 0)
        {
            TrapException.Throw(TrapKind.IntegerDivideByZero);
        }
        return a / b;
    }

    /// <summary><c>i64.rem_s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long I64RemS(long a, long b)
    {
        if (b == 0)
        {
            TrapException.Throw(TrapKind.IntegerDivideByZero);
        }
        return b == -1 ? 0 : a % b;
    }

    /// <summary><c>i64.rem_u</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong I64RemU(ulong a, ulong b)
    {
        if (b == 0)
        {
            TrapException.Throw(TrapKind.IntegerDivideByZero);
        }
        return a % b;
    }

    /// <summary><c>i32.rotl</c>.</summary>
    public static uint I32Rotl(uint a, uint b) => BitOperations.RotateLeft(a, (int)(b & 31));

    /// <summary><c>i32.rotr</c>.</summary>
    public static uint I32Rotr(uint a, uint b) => BitOperations.RotateRight(a, (int)(b & 31));

    /// <summary><c>i64.rotl</c>.</summary>
    public static ulong I64Rotl(ulong a, ulong b) => BitOperations.RotateLeft(a, (int)(b & 63));

    /// <summary><c>i64.rotr</c>.</summary>
    public static ulong I64Rotr(ulong a, ulong b) => BitOperations.RotateRight(a, (int)(b & 63));

    // ---- Float operators on bits ---------------------------------------------------------------------

    private const uint F32SignBit = 0x8000_0000u;
    private const ulong F64SignBit = 0x8000_0000_0000_0000ul;
    private const uint F32QuietBit = 0x0040_0000u;
    private const ulong F64QuietBit = 0x0008_0000_0000_0000ul;

    /// <summary><c>f32.abs</c>: clears the sign bit, NaNs included.</summary>
    public static uint F32Abs(uint a) => a & ~F32SignBit;

    /// <summary><c>f32.neg</c>: flips the sign bit, NaNs included.</summary>
    public static uint F32Neg(uint a) => a ^ F32SignBit;

    /// <summary><c>f32.copysign</c>.</summary>
    public static uint F32Copysign(uint a, uint b) => (a & ~F32SignBit) | (b & F32SignBit);

    /// <summary><c>f64.abs</c>.</summary>
    public static ulong F64Abs(ulong a) => a & ~F64SignBit;

    /// <summary><c>f64.neg</c>.</summary>
    public static ulong F64Neg(ulong a) => a ^ F64SignBit;

    /// <summary><c>f64.copysign</c>.</summary>
    public static ulong F64Copysign(ulong a, ulong b) => (a & ~F64SignBit) | (b & F64SignBit);

    /// <summary>
    /// The NaN a min or max returns when <paramref name="a"/> or <paramref name="b"/> is NaN: the first NaN operand,
    /// quieted (spec: an arithmetic NaN, canonical when the inputs are). Chosen with bit operations, not by an
    /// addition: which payload a hardware addition of two NaNs keeps depends on its operand order, which RyuJIT may
    /// swap, and an addition of a known -0 it folds away, returning a signalling NaN. Bits make both tiers agree.
    /// </summary>
    private static float NaNOf(float a, float b) =>
        BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(float.IsNaN(a) ? a : b) | F32QuietBit);

    /// <summary>The f64 <see cref="NaNOf(float, float)"/>.</summary>
    private static double NaNOf(double a, double b) =>
        BitConverter.UInt64BitsToDouble(BitConverter.DoubleToUInt64Bits(double.IsNaN(a) ? a : b) | F64QuietBit);

    /// <summary><c>f32.min</c>: NaN if either is NaN, -0 below +0.</summary>
    public static float F32Min(float a, float b)
    {
        if (float.IsNaN(a) || float.IsNaN(b))
        {
            return NaNOf(a, b);
        }
        if (a == b)
        {
            return BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(a) | BitConverter.SingleToUInt32Bits(b));
        }
        return a < b ? a : b;
    }

    /// <summary><c>f32.max</c>: NaN if either is NaN, +0 above -0.</summary>
    public static float F32Max(float a, float b)
    {
        if (float.IsNaN(a) || float.IsNaN(b))
        {
            return NaNOf(a, b);
        }
        if (a == b)
        {
            return BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(a) & BitConverter.SingleToUInt32Bits(b));
        }
        return a > b ? a : b;
    }

    /// <summary><c>f64.min</c>.</summary>
    public static double F64Min(double a, double b)
    {
        if (double.IsNaN(a) || double.IsNaN(b))
        {
            return NaNOf(a, b);
        }
        if (a == b)
        {
            return BitConverter.UInt64BitsToDouble(BitConverter.DoubleToUInt64Bits(a) | BitConverter.DoubleToUInt64Bits(b));
        }
        return a < b ? a : b;
    }

    /// <summary><c>f64.max</c>.</summary>
    public static double F64Max(double a, double b)
    {
        if (double.IsNaN(a) || double.IsNaN(b))
        {
            return NaNOf(a, b);
        }
        if (a == b)
        {
            return BitConverter.UInt64BitsToDouble(BitConverter.DoubleToUInt64Bits(a) & BitConverter.DoubleToUInt64Bits(b));
        }
        return a > b ? a : b;
    }

    /// <summary><c>f32.ceil</c> (a NaN comes back quiet).</summary>
    public static float F32Ceil(float a) => float.IsNaN(a) ? a + a : MathF.Ceiling(a);

    /// <summary><c>f32.floor</c>.</summary>
    public static float F32Floor(float a) => float.IsNaN(a) ? a + a : MathF.Floor(a);

    /// <summary><c>f32.trunc</c>.</summary>
    public static float F32Trunc(float a) => float.IsNaN(a) ? a + a : MathF.Truncate(a);

    /// <summary><c>f32.nearest</c>: round half to even, keeping the sign of zero.</summary>
    public static float F32Nearest(float a) => float.IsNaN(a) ? a + a : MathF.CopySign(MathF.Round(a, MidpointRounding.ToEven), a);

    /// <summary><c>f32.sqrt</c>.</summary>
    public static float F32Sqrt(float a) => float.IsNaN(a) ? a + a : MathF.Sqrt(a);

    /// <summary><c>f64.ceil</c>.</summary>
    public static double F64Ceil(double a) => double.IsNaN(a) ? a + a : Math.Ceiling(a);

    /// <summary><c>f64.floor</c>.</summary>
    public static double F64Floor(double a) => double.IsNaN(a) ? a + a : Math.Floor(a);

    /// <summary><c>f64.trunc</c>.</summary>
    public static double F64Trunc(double a) => double.IsNaN(a) ? a + a : Math.Truncate(a);

    /// <summary><c>f64.nearest</c>.</summary>
    public static double F64Nearest(double a) => double.IsNaN(a) ? a + a : Math.CopySign(Math.Round(a, MidpointRounding.ToEven), a);

    /// <summary><c>f64.sqrt</c>.</summary>
    public static double F64Sqrt(double a) => double.IsNaN(a) ? a + a : Math.Sqrt(a);

    // ---- Conversions -----------------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void TruncTrap(double a) =>
        TrapException.Throw(double.IsNaN(a) ? TrapKind.InvalidConversionToInteger : TrapKind.IntegerOverflow);

    /// <summary><c>i32.trunc_f32_s</c> and <c>i32.trunc_f64_s</c> (f32 widens exactly to f64).</summary>
    public static int I32TruncS(double a)
    {
        if (!(a > -2147483649.0 && a < 2147483648.0))
        {
            TruncTrap(a);
        }
        return (int)a;
    }

    /// <summary><c>i32.trunc_f32_u</c> and <c>i32.trunc_f64_u</c>.</summary>
    public static uint I32TruncU(double a)
    {
        if (!(a > -1.0 && a < 4294967296.0))
        {
            TruncTrap(a);
        }
        return (uint)a;
    }

    /// <summary><c>i64.trunc_f32_s</c> and <c>i64.trunc_f64_s</c>.</summary>
    public static long I64TruncS(double a)
    {
        if (!(a >= -9223372036854775808.0 && a < 9223372036854775808.0))
        {
            TruncTrap(a);
        }
        return (long)a;
    }

    /// <summary><c>i64.trunc_f32_u</c> and <c>i64.trunc_f64_u</c>.</summary>
    public static ulong I64TruncU(double a)
    {
        if (!(a > -1.0 && a < 18446744073709551616.0))
        {
            TruncTrap(a);
        }
        return a >= 9223372036854775808.0 ? (ulong)(long)(a - 9223372036854775808.0) + 0x8000_0000_0000_0000ul : (ulong)(long)a;
    }

    /// <summary><c>i32.trunc_sat_f*_s</c>: NaN to 0, saturating.</summary>
    public static int I32TruncSatS(double a) =>
        double.IsNaN(a) ? 0 : a <= -2147483648.0 ? int.MinValue : a >= 2147483647.0 ? int.MaxValue : (int)a;

    /// <summary><c>i32.trunc_sat_f*_u</c>.</summary>
    public static uint I32TruncSatU(double a) =>
        double.IsNaN(a) || a <= 0 ? 0 : a >= 4294967295.0 ? uint.MaxValue : (uint)a;

    /// <summary><c>i64.trunc_sat_f*_s</c>.</summary>
    public static long I64TruncSatS(double a) =>
        double.IsNaN(a) ? 0 : a <= -9223372036854775808.0 ? long.MinValue : a >= 9223372036854775808.0 ? long.MaxValue : (long)a;

    /// <summary><c>i64.trunc_sat_f*_u</c>.</summary>
    public static ulong I64TruncSatU(double a) =>
        double.IsNaN(a) || a <= 0 ? 0 : a >= 18446744073709551616.0 ? ulong.MaxValue : I64TruncU(a);

    /// <summary><c>f32.convert_i64_u</c> (and <c>_i32_u</c>): rounds once, to nearest with ties to even, in software.</summary>
    public static float F32ConvertU64(ulong a) => (float)RoundToSignificand(a, 24, out var scale) * MathF.ScaleB(1.0f, scale);

    /// <summary><c>f32.convert_i64_s</c> (and <c>_i32_s</c>).</summary>
    public static float F32ConvertS64(long a)
    {
        var magnitude = F32ConvertU64(a < 0 ? (ulong)-a : (ulong)a);
        return a < 0 ? -magnitude : magnitude;
    }

    /// <summary><c>f64.convert_i64_u</c>.</summary>
    public static double F64ConvertU64(ulong a) => (double)RoundToSignificand(a, 53, out var scale) * Math.ScaleB(1.0, scale);

    /// <summary><c>f64.convert_i64_s</c>.</summary>
    public static double F64ConvertS64(long a)
    {
        var magnitude = F64ConvertU64(a < 0 ? (ulong)-a : (ulong)a);
        return a < 0 ? -magnitude : magnitude;
    }

    /// <summary>
    /// Rounds <paramref name="a"/> to <paramref name="bits"/> significant bits (ties to even): returns a
    /// significand that the target type holds exactly, and the power of two to scale it by.
    /// </summary>
    private static ulong RoundToSignificand(ulong a, int bits, out int scale)
    {
        var width = 64 - BitOperations.LeadingZeroCount(a);
        scale = width - bits;
        if (scale <= 0)
        {
            scale = 0;
            return a;
        }
        var significand = a >> scale;
        var remainder = a & ((1UL << scale) - 1);
        var half = 1UL << (scale - 1);
        if (remainder > half || (remainder == half && (significand & 1) != 0))
        {
            significand++;
        }
        return significand;
    }

    /// <summary><c>f32.demote_f64</c>; a NaN is quieted explicitly (as the hardware does), so RyuJIT cannot fold a promote-demote pair into nothing.</summary>
    public static float F32Demote(double a) => double.IsNaN(a) ? BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits((float)a) | 0x0040_0000) : (float)a;

    /// <summary><c>f64.promote_f32</c>, quieting a NaN explicitly (see <see cref="F32Demote"/>).</summary>
    public static double F64Promote(float a) => float.IsNaN(a) ? BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(a) | 0x0008_0000_0000_0000) : a;
}
