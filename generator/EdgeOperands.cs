using WasmHarness.Syntax;

namespace WasmHarness.Generator;

/// <summary>
/// Operands chosen to sit on an instruction's edges, where miscompilations hide: a random value almost never is
/// <c>INT64_MIN % -1</c>, <c>min(-0, +0)</c>, a tie at .5, a conversion one ulp past 2^31 or a shift by exactly
/// the width, because each needs two specific values at once (issue 22's census: 1 case in 12,000). The recipes
/// are by instruction shape (integer or float, unary or binary, conversion and its target range), not by opcode,
/// so an instruction added to the table gets them too.
/// </summary>
internal static class EdgeOperands
{
    /// <summary>
    /// Constants for every operand of <paramref name="entry"/>, drawn from its shape's edge recipes; null when the
    /// instruction takes a vector or reference (those keep the generator's usual operands).
    /// </summary>
    public static Instruction[]? Choose(OpcodeEntry entry, Unstructured u)
    {
        var parameters = entry.Parameters;
        if (parameters.Length is 0 || parameters.Any(p => p.Kind is not (ValueKind.I32 or ValueKind.I64 or ValueKind.F32 or ValueKind.F64)))
        {
            return null;
        }
        if (parameters.Length > 2)
        {
            // Three or more operands (i64.add128's two halves of two 128-bit values): an edge for each, so that
            // carries and borrows across the halves (all ones plus one, zero minus one) meet often.
            return [.. parameters.Select(p => Const(p.Kind, p.Kind is ValueKind.I32 or ValueKind.I64 ? IntegerEdge(p.Kind, u) : FloatEdge(p.Kind, u)))];
        }
        if (parameters.Length == 2)
        {
            var kind = parameters[0].Kind;
            var (first, second) = kind is ValueKind.I32 or ValueKind.I64 ? IntegerPair(kind, u) : FloatPair(kind, u);
            return [Const(kind, first), Const(parameters[1].Kind, second)];
        }
        var result = entry.Results.Length == 1 ? entry.Results[0] : parameters[0];
        return [Const(parameters[0].Kind, Unary(parameters[0].Kind, result.Kind, OpcodeTable.Get(entry.Opcode).Name, u))];
    }

    // ---- Values as raw bits: i32/f32 in the low 32 bits, i64/f64 in all 64 -------------------------------------

    private static Instruction Const(ValueKind kind, ulong bits) => kind switch
    {
        ValueKind.I32 => Instruction.I32Const((int)(uint)bits),
        ValueKind.I64 => Instruction.I64Const((long)bits),
        ValueKind.F32 => Instruction.F32Const((uint)bits),
        _ => Instruction.F64Const(bits),
    };

    private static int Width(ValueKind kind) => kind is ValueKind.I32 or ValueKind.F32 ? 32 : 64;

    private static ulong Integer(ValueKind kind, long value) => kind == ValueKind.I32 ? (uint)(int)value : (ulong)value;

    private static ulong IntegerEdge(ValueKind kind, Unstructured u) =>
        kind == ValueKind.I32 ? (uint)u.Choose(EdgeValues.I32) : (ulong)u.Choose(EdgeValues.I64);

    private static ulong FloatEdge(ValueKind kind, Unstructured u) =>
        kind == ValueKind.F32 ? u.Choose(EdgeValues.F32) : u.Choose(EdgeValues.F64);

    private static ulong Float(ValueKind kind, double value) =>
        kind == ValueKind.F32 ? BitConverter.SingleToUInt32Bits((float)value) : BitConverter.DoubleToUInt64Bits(value);

    private static ulong Negate(ValueKind kind, ulong bits) => bits ^ (kind == ValueKind.F32 ? 0x8000_0000UL : 0x8000_0000_0000_0000UL);

    /// <summary>Division and remainder overflow and by zero/−1, shifts by 0/width/width±1, equal operands, MIN/MAX ± 1.</summary>
    private static (ulong, ulong) IntegerPair(ValueKind kind, Unstructured u)
    {
        var bits = Width(kind);
        var min = Integer(kind, bits == 32 ? int.MinValue : long.MinValue);
        var max = Integer(kind, bits == 32 ? int.MaxValue : long.MaxValue);
        var x = IntegerEdge(kind, u);
        switch (u.Int(7))
        {
            case 0:
                return (min, Integer(kind, -1));
            case 1:
                return (x, u.Choose<ulong>([0, 1, Integer(kind, -1)]));
            case 2:
                return (x, x);
            case 3:
                return (x, Integer(kind, u.Choose<long>([0, bits - 1, bits, bits + 1, 2 * bits - 1, -1])));
            case 4:
                return u.Bool() ? (max, 1UL) : (min, 1UL);
            case 5:
                return (Integer(kind, -1), x);
            default:
                return (x, IntegerEdge(kind, u));
        }
    }

    /// <summary>Signed zeros both ways, equal operands, NaN on either side, x and −x, two edges.</summary>
    private static (ulong, ulong) FloatPair(ValueKind kind, Unstructured u)
    {
        var zero = Float(kind, 0.0);
        var x = FloatEdge(kind, u);
        return u.Int(6) switch
        {
            0 => u.Bool() ? (Negate(kind, zero), zero) : (zero, Negate(kind, zero)),
            1 => (x, x),
            2 => u.Bool() ? (Nan(kind, u), x) : (x, Nan(kind, u)),
            3 => (x, Negate(kind, x)),
            4 => (x, u.Bool() ? zero : Negate(kind, zero)),
            _ => (x, FloatEdge(kind, u)),
        };
    }

    /// <summary>A NaN with the sign and payload of one of the edge NaNs.</summary>
    private static ulong Nan(ValueKind kind, Unstructured u) => kind == ValueKind.F32
        ? u.Choose<ulong>([0x7FC00000, 0xFFC00000, 0x7FC00001, 0x7F800001, 0x7FFFFFFF])
        : u.Choose<ulong>([0x7FF8000000000000, 0xFFF8000000000000, 0x7FF8000000000001, 0x7FF0000000000001, 0x7FFFFFFFFFFFFFFF]);

    /// <summary>The operand of a unary instruction from <paramref name="from"/> to <paramref name="to"/>.</summary>
    private static ulong Unary(ValueKind from, ValueKind to, string name, Unstructured u)
    {
        var fromFloat = from is ValueKind.F32 or ValueKind.F64;
        var toFloat = to is ValueKind.F32 or ValueKind.F64;
        if (fromFloat && !toFloat && !name.Contains("reinterpret", StringComparison.Ordinal))
        {
            return TruncationEdge(from, to, name.Contains("_u", StringComparison.Ordinal), u);
        }
        if (fromFloat)
        {
            return RoundingEdge(from, u);
        }
        if (toFloat && !name.Contains("reinterpret", StringComparison.Ordinal))
        {
            // Integers that round when converted: just past 2^24 / 2^53, odd values near the top, ties.
            long[] rounding = [(1L << 24) + 1, (1L << 53) + 1, 0x7FFF_FFC0, 0x7FFF_FFBF, 0x7FFF_FFFF_FFFF_FE00, 0x7FFF_FFFF_FFFF_FDFF, -((1L << 24) + 1), (1L << 25) + 3];
            return u.Bool() ? Integer(from, u.Choose(rounding)) : IntegerEdge(from, u);
        }
        // Bit-counting and extension: where the counted or sign bit sits at each end.
        long[] bitEdges = [0, -1, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, unchecked((long)0x8000_0000_0000_0000)];
        return u.Bool() ? Integer(from, u.Choose(bitEdges)) : IntegerEdge(from, u);
    }

    /// <summary>Float-to-integer conversions: exactly at, one ulp inside and one ulp outside the target's range.</summary>
    private static ulong TruncationEdge(ValueKind from, ValueKind to, bool unsigned, Unstructured u)
    {
        var bits = Width(to);
        double top = unsigned ? Math.Pow(2, bits) : Math.Pow(2, bits - 1); // first value out of range
        double bottom = unsigned ? -1 : -Math.Pow(2, bits - 1) - 1;        // first value out of range below (before truncation)
        double[] values = [top, bottom, -Math.Pow(2, bits - 1), -0.99, 0.99, -1.0, -0.0];
        var value = u.Choose(values);
        var bitsOf = Float(from, value);
        return u.Int(3) switch
        {
            0 => bitsOf,
            1 => TowardZero(from, bitsOf), // one ulp inside
            _ => u.Bool() ? Nan(from, u) : FloatEdge(from, u),
        };
    }

    /// <summary>Rounding instructions (and the other float-to-float ones): ties, signed zeros, the last fractional values.</summary>
    private static ulong RoundingEdge(ValueKind kind, Unstructured u)
    {
        var mantissa = kind == ValueKind.F32 ? 23 : 52;
        double[] values = [0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, 0.25, -0.25, Math.Pow(2, mantissa) - 0.5, Math.Pow(2, mantissa) + 1, -0.0];
        var bits = Float(kind, u.Choose(values));
        return u.Int(4) switch
        {
            0 => Negate(kind, bits),
            1 => TowardZero(kind, bits),
            2 => FloatEdge(kind, u),
            _ => bits,
        };
    }

    /// <summary>The float one ulp closer to zero than <paramref name="bits"/> (zero stays zero).</summary>
    private static ulong TowardZero(ValueKind kind, ulong bits)
    {
        if (kind == ValueKind.F32)
        {
            var f = BitConverter.UInt32BitsToSingle((uint)bits);
            return f == 0 || !float.IsFinite(f) ? bits : BitConverter.SingleToUInt32Bits(MathF.CopySign(MathF.BitDecrement(MathF.Abs(f)), f));
        }
        var d = BitConverter.UInt64BitsToDouble(bits);
        return d == 0 || !double.IsFinite(d) ? bits : BitConverter.DoubleToUInt64Bits(Math.CopySign(Math.BitDecrement(Math.Abs(d)), d));
    }
}
