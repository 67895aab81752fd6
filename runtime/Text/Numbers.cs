using System.Numerics;

namespace WasmHarness.Text;

/// <summary>The lexical shapes of numbers (spec: text/values), checked by hand rather than by regular expressions.</summary>
internal static class NumberSyntax
{
    private static bool IsDigit(char c) => c is >= '0' and <= '9';

    private static bool IsHex(char c) => c is >= '0' and <= '9' or >= 'a' and <= 'f' or >= 'A' and <= 'F';

    /// <summary>Matches <c>d(_?d)*</c> at <paramref name="pos"/>; returns the end, or -1.</summary>
    private static int Digits(string s, int pos, bool hex)
    {
        if (pos >= s.Length || !(hex ? IsHex(s[pos]) : IsDigit(s[pos])))
        {
            return -1;
        }
        pos++;
        while (pos < s.Length)
        {
            if (hex ? IsHex(s[pos]) : IsDigit(s[pos]))
            {
                pos++;
            }
            else if (s[pos] == '_' && pos + 1 < s.Length && (hex ? IsHex(s[pos + 1]) : IsDigit(s[pos + 1])))
            {
                pos += 2;
            }
            else
            {
                break;
            }
        }
        return pos;
    }

    public static bool IsNum(string s) => Digits(s, 0, hex: false) == s.Length;

    public static bool IsHexNum(string s) => Digits(s, 0, hex: true) == s.Length;

    public static bool IsNat(string s) => NatEnd(s, 0) == s.Length;

    private static int NatEnd(string s, int pos)
    {
        if (pos + 1 < s.Length && s[pos] == '0' && s[pos + 1] == 'x')
        {
            return Digits(s, pos + 2, hex: true);
        }
        return Digits(s, pos, hex: false);
    }

    public static bool IsInt(string s) => s.Length > 1 && s[0] is '+' or '-' && NatEnd(s, 1) == s.Length;

    public static bool IsFloat(string s)
    {
        var pos = 0;
        if (pos < s.Length && s[pos] is '+' or '-')
        {
            pos++;
        }
        var rest = s[pos..];
        if (rest is "inf" or "nan")
        {
            return true;
        }
        if (rest.StartsWith("nan:0x", StringComparison.Ordinal))
        {
            return Digits(rest, 6, hex: true) == rest.Length;
        }
        var hex = rest.StartsWith("0x", StringComparison.Ordinal);
        var p = hex ? 2 : 0;
        p = Digits(rest, p, hex);
        if (p < 0)
        {
            return false;
        }
        var fraction = false;
        if (p < rest.Length && rest[p] == '.')
        {
            fraction = true;
            p++;
            var q = Digits(rest, p, hex);
            if (q >= 0)
            {
                p = q;
            }
        }
        if (p < rest.Length && (hex ? rest[p] is 'p' or 'P' : rest[p] is 'e' or 'E'))
        {
            p++;
            if (p < rest.Length && rest[p] is '+' or '-')
            {
                p++;
            }
            p = Digits(rest, p, hex: false);
            return p == rest.Length;
        }
        return fraction && p == rest.Length;
    }
}

/// <summary>Converts numeric literals to values, with the ranges and the exact rounding of the spec.</summary>
public static class NumberLiterals
{
    /// <summary>Parses an unsigned integer literal (<c>nat</c>) of at most <paramref name="bits"/> bits.</summary>
    public static bool TryParseNat(string text, int bits, out ulong value)
    {
        value = 0;
        if (!NumberSyntax.IsNat(text))
        {
            return false;
        }
        if (!TryMagnitude(text, out var magnitude))
        {
            return false;
        }
        var max = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
        if (magnitude > max)
        {
            return false;
        }
        value = (ulong)magnitude;
        return true;
    }

    /// <summary>
    /// Parses an integer literal for an <paramref name="bits"/>-bit constant: without sign, any value below
    /// 2^bits; with <c>-</c>, down to -2^(bits-1). Returns the two's complement bits (zero-extended).
    /// </summary>
    public static bool TryParseInt(string text, int bits, out ulong value)
    {
        value = 0;
        var negative = false;
        var body = text;
        if (body.Length > 0 && body[0] is '+' or '-')
        {
            negative = body[0] == '-';
            body = body[1..];
        }
        if (!NumberSyntax.IsNat(body) || !TryMagnitude(body, out var magnitude))
        {
            return false;
        }
        var mask = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
        if (negative)
        {
            if (magnitude > (UInt128)1 << (bits - 1))
            {
                return false;
            }
            value = (ulong)(0 - magnitude) & mask;
        }
        else
        {
            if (magnitude > mask)
            {
                return false;
            }
            value = (ulong)magnitude;
        }
        return true;
    }

    private static bool TryMagnitude(string nat, out UInt128 magnitude)
    {
        magnitude = 0;
        var hex = nat.StartsWith("0x", StringComparison.Ordinal);
        var limit = (UInt128)ulong.MaxValue + 1;
        for (var i = hex ? 2 : 0; i < nat.Length; i++)
        {
            var c = nat[i];
            if (c == '_')
            {
                continue;
            }
            var digit = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
            magnitude = magnitude * (hex ? 16u : 10u) + (uint)digit;
            if (magnitude > limit)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Parses an f32 literal to its bits; false where it is malformed or rounds to infinity.</summary>
    public static bool TryParseF32(string text, out uint bits)
    {
        var ok = TryParseFloat(text, FloatFormat.F32, out var result);
        bits = (uint)result;
        return ok;
    }

    /// <summary>Parses an f64 literal to its bits; false where it is malformed or rounds to infinity.</summary>
    public static bool TryParseF64(string text, out ulong bits) => TryParseFloat(text, FloatFormat.F64, out bits);

    private sealed record FloatFormat(int Precision, int ExponentBits)
    {
        public static readonly FloatFormat F32 = new(24, 8);
        public static readonly FloatFormat F64 = new(53, 11);

        public int Bias => (1 << (ExponentBits - 1)) - 1;

        /// <summary>Exponent of the least significant bit of the smallest subnormal.</summary>
        public int MinExponent => 1 - Bias - (Precision - 1);

        /// <summary>Largest exponent of the least significant bit of a finite value.</summary>
        public int MaxExponent => Bias - (Precision - 1);

        public ulong SignBit => 1UL << (Precision - 1 + ExponentBits);

        public ulong ExponentMask => ((1UL << ExponentBits) - 1) << (Precision - 1);

        public ulong MantissaMask => (1UL << (Precision - 1)) - 1;
    }

    private static bool TryParseFloat(string text, FloatFormat format, out ulong bits)
    {
        bits = 0;
        if (!NumberSyntax.IsFloat(text) && !NumberSyntax.IsNat(text) && !NumberSyntax.IsInt(text))
        {
            return false;
        }
        var negative = false;
        var body = text;
        if (body[0] is '+' or '-')
        {
            negative = body[0] == '-';
            body = body[1..];
        }
        var sign = negative ? format.SignBit : 0;
        if (body == "inf")
        {
            bits = sign | format.ExponentMask;
            return true;
        }
        if (body == "nan")
        {
            bits = sign | format.ExponentMask | (1UL << (format.Precision - 2));
            return true;
        }
        if (body.StartsWith("nan:0x", StringComparison.Ordinal))
        {
            if (!TryMagnitude(body[4..], out var payload) || payload == 0 || payload > format.MantissaMask)
            {
                return false;
            }
            bits = sign | format.ExponentMask | (ulong)payload;
            return true;
        }
        var hex = body.StartsWith("0x", StringComparison.Ordinal);
        var digits = new System.Text.StringBuilder();
        var fractionDigits = 0;
        var inFraction = false;
        var i = hex ? 2 : 0;
        var exponentChar = hex ? 'p' : 'e';
        for (; i < body.Length; i++)
        {
            var c = body[i];
            if (c == '_')
            {
                continue;
            }
            if (c == '.')
            {
                inFraction = true;
                continue;
            }
            if ((c | 0x20) == exponentChar)
            {
                break;
            }
            digits.Append(c);
            if (inFraction)
            {
                fractionDigits++;
            }
        }
        long exponent = 0;
        if (i < body.Length)
        {
            i++;
            var negativeExponent = false;
            if (body[i] is '+' or '-')
            {
                negativeExponent = body[i] == '-';
                i++;
            }
            for (; i < body.Length; i++)
            {
                if (body[i] == '_')
                {
                    continue;
                }
                exponent = Math.Min(exponent * 10 + (body[i] - '0'), 1_000_000_000L);
            }
            if (negativeExponent)
            {
                exponent = -exponent;
            }
        }
        var mantissa = BigInteger.Parse(hex ? "0" + digits : digits.ToString(),
            hex ? System.Globalization.NumberStyles.AllowHexSpecifier : System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture);
        if (mantissa.IsZero)
        {
            bits = sign;
            return true;
        }
        BigInteger numerator, denominator;
        if (hex)
        {
            var binaryExponent = exponent - 4L * fractionDigits;
            var magnitude = (long)mantissa.GetBitLength() + binaryExponent;
            if (magnitude > 2000)
            {
                return false;
            }
            if (magnitude < -2000)
            {
                bits = sign;
                return true;
            }
            numerator = binaryExponent >= 0 ? mantissa << (int)binaryExponent : mantissa;
            denominator = binaryExponent >= 0 ? BigInteger.One : BigInteger.One << (int)-binaryExponent;
        }
        else
        {
            var decimalExponent = exponent - fractionDigits;
            var magnitude = (long)BigInteger.Abs(mantissa).ToString(System.Globalization.CultureInfo.InvariantCulture).Length + decimalExponent;
            if (magnitude > 400)
            {
                return false;
            }
            if (magnitude < -400)
            {
                bits = sign;
                return true;
            }
            numerator = decimalExponent >= 0 ? mantissa * BigInteger.Pow(10, (int)decimalExponent) : mantissa;
            denominator = decimalExponent >= 0 ? BigInteger.One : BigInteger.Pow(10, (int)-decimalExponent);
        }
        if (!TryRound(numerator, denominator, format, out var magnitudeBits))
        {
            return false;
        }
        bits = sign | magnitudeBits;
        return true;
    }

    /// <summary>Rounds the positive rational <paramref name="n"/>/<paramref name="d"/> to the nearest float, ties to even; false on overflow.</summary>
    private static bool TryRound(BigInteger n, BigInteger d, FloatFormat format, out ulong bits)
    {
        bits = 0;
        var precision = format.Precision;
        var e = (int)(n.GetBitLength() - d.GetBitLength()) - precision;
        var (q, r, scaledDenominator) = Divide(n, d, e);
        var top = BigInteger.One << precision;
        if (q >= top)
        {
            e++;
            (q, r, scaledDenominator) = Divide(n, d, e);
        }
        else if (q < top >> 1)
        {
            e--;
            (q, r, scaledDenominator) = Divide(n, d, e);
        }
        if (e < format.MinExponent)
        {
            e = format.MinExponent;
            (q, r, scaledDenominator) = Divide(n, d, e);
        }
        var twice = r * 2;
        var compare = twice.CompareTo(scaledDenominator);
        if (compare > 0 || (compare == 0 && !q.IsEven))
        {
            q += 1;
            if (q == top)
            {
                q >>= 1;
                e++;
            }
        }
        if (e > format.MaxExponent)
        {
            return false;
        }
        var significand = (ulong)q;
        if (significand >= 1UL << (precision - 1))
        {
            var biased = (ulong)(e - format.MinExponent + 1);
            bits = (biased << (precision - 1)) | (significand & format.MantissaMask);
        }
        else
        {
            bits = significand;
        }
        return true;
    }

    /// <summary>q = floor(n / (d * 2^e)), with the remainder r over the denominator d * 2^e (scaled so both are integers).</summary>
    private static (BigInteger Q, BigInteger R, BigInteger Denominator) Divide(BigInteger n, BigInteger d, int e)
    {
        if (e >= 0)
        {
            var denominator = d << e;
            var q = BigInteger.DivRem(n, denominator, out var r);
            return (q, r, denominator);
        }
        else
        {
            var numerator = n << -e;
            var q = BigInteger.DivRem(numerator, d, out var r);
            return (q, r, d);
        }
    }
}
