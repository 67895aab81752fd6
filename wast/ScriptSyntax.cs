using System.Globalization;
using WasmHarness.Engines;
using WasmHarness.Syntax;

namespace WasmHarness.Wast;

/// <summary>
/// Values and result patterns written as a <c>.wast</c> script writes them (<c>(i32.const 3)</c>,
/// <c>(f32.const nan:canonical)</c>, <c>(v128.const i32x4 1 2 3 4)</c>, <c>(ref.func)</c>), so a failure reads as the
/// line of the script it compares with.
/// </summary>
public static class ScriptSyntax
{
    /// <summary>An engine's result as a script constant.</summary>
    public static string Format(EngineValue value) => value.Kind switch
    {
        ValueKind.I32 => $"(i32.const {(int)(uint)value.Low})",
        ValueKind.I64 => $"(i64.const {(long)value.Low})",
        ValueKind.F32 => $"(f32.const {F32((uint)value.Low)})",
        ValueKind.F64 => $"(f64.const {F64(value.Low)})",
        ValueKind.V128 => Vector(new V128(value.Low, value.High)),
        _ => value.Reference switch
        {
            ReferenceClass.Null => "(ref.null)",
            ReferenceClass.Extern => $"(ref.extern {value.HostId})",
            var reference => $"(ref.{reference.ToString().ToLowerInvariant()})",
        },
    };

    /// <summary>Several results: <c>(i32.const 1) (f64.const 2.5)</c>, or <c>nothing</c>.</summary>
    public static string Format(IEnumerable<EngineValue> values)
    {
        var text = string.Join(" ", values.Select(Format));
        return text.Length == 0 ? "nothing" : text;
    }

    /// <summary>A constant of the script.</summary>
    public static string Format(ScriptValue value) => value switch
    {
        NumberValue number => Format(new EngineValue(number.Type, number.Bits)),
        VectorValue vector => Vector(vector.Value),
        NullRefValue nullRef => $"(ref.null {nullRef.Type})",
        ExternRefValue externRef => $"(ref.extern {externRef.Id})",
        HostRefValue host => $"(ref.host {host.Id})",
        _ => value.ToString(),
    };

    /// <summary>What an <c>assert_return</c> expects.</summary>
    public static string Format(ResultPattern pattern) => pattern switch
    {
        ExactPattern exact => Format(exact.Value),
        NanPattern nan => $"({Name(nan.Type)}.const {Nan(nan.Kind)})",
        VectorPattern vector => $"(v128.const {vector.Shape.ToString().ToLowerInvariant()} {string.Join(" ", vector.Lanes.Select(Lane))})",
        RefPattern { Kind: RefPatternKind.Null } => "(ref.null)",
        RefPattern reference => $"(ref.{reference.Kind.ToString().ToLowerInvariant()})",
        EitherPattern either => $"(either {string.Join(" ", either.Alternatives.Select(Format))})",
        _ => pattern.ToString(),
    };

    // A lane of a v128 pattern: the number alone (the shape is said once).
    private static string Lane(ResultPattern lane) => lane switch
    {
        NanPattern nan => Nan(nan.Kind),
        ExactPattern { Value: NumberValue number } => number.Type switch
        {
            ValueKind.F32 => F32((uint)number.Bits),
            ValueKind.F64 => F64(number.Bits),
            _ => unchecked((long)number.Bits).ToString(CultureInfo.InvariantCulture),
        },
        _ => Format(lane),
    };

    private static string Nan(NanKind kind) => kind == NanKind.Canonical ? "nan:canonical" : "nan:arithmetic";

    private static string Name(ValueKind kind) => kind.ToString().ToLowerInvariant();

    // v128 results are shown as i32x4, the shape that reads best for most lanes, in hex to keep the bit patterns.
    private static string Vector(V128 value) =>
        $"(v128.const i32x4 0x{(uint)value.Low:x8} 0x{(uint)(value.Low >> 32):x8} 0x{(uint)value.High:x8} 0x{(uint)(value.High >> 32):x8})";

    private static string F32(uint bits)
    {
        var value = BitConverter.UInt32BitsToSingle(bits);
        return float.IsNaN(value) ? NanText(bits >> 31 != 0, bits & 0x7F_FFFF, 0x40_0000)
            : float.IsInfinity(value) ? (value < 0 ? "-inf" : "inf")
            : value.ToString("R", CultureInfo.InvariantCulture);
    }

    private static string F64(ulong bits)
    {
        var value = BitConverter.UInt64BitsToDouble(bits);
        return double.IsNaN(value) ? NanText(bits >> 63 != 0, bits & 0xF_FFFF_FFFF_FFFF, 0x8_0000_0000_0000)
            : double.IsInfinity(value) ? (value < 0 ? "-inf" : "inf")
            : value.ToString("R", CultureInfo.InvariantCulture);
    }

    private static string NanText(bool negative, ulong payload, ulong canonical) =>
        (negative ? "-" : "") + (payload == canonical ? "nan" : $"nan:0x{payload:x}");
}
