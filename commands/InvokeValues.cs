using System.Globalization;
using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Cli;

/// <summary>Arguments of <c>--invoke</c> read by the parameter's type, and results written as wasmtime prints them.</summary>
internal static class InvokeValues
{
    /// <summary>Reads <paramref name="text"/> as a value of <paramref name="type"/>, or null when it is not one.</summary>
    public static Value? Parse(string text, ValType type)
    {
        var invariant = CultureInfo.InvariantCulture;
        switch (type.Kind)
        {
            case ValueKind.I32:
                if (int.TryParse(text, NumberStyles.AllowLeadingSign, invariant, out var i32))
                {
                    return Value.FromI32(i32);
                }
                if (uint.TryParse(text, NumberStyles.None, invariant, out var u32))
                {
                    return Value.FromI32((int)u32);
                }
                return TryHex(text, 32) is { } h32 ? Value.FromI32((int)h32) : null;
            case ValueKind.I64:
                if (long.TryParse(text, NumberStyles.AllowLeadingSign, invariant, out var i64))
                {
                    return Value.FromI64(i64);
                }
                if (ulong.TryParse(text, NumberStyles.None, invariant, out var u64))
                {
                    return Value.FromI64((long)u64);
                }
                return TryHex(text, 64) is { } h64 ? Value.FromI64((long)h64) : null;
            case ValueKind.F32:
                return ParseFloat(text) is { } f32 ? Value.FromF32((float)f32) : null;
            case ValueKind.F64:
                return ParseFloat(text) is { } f64 ? Value.FromF64(f64) : null;
            default:
                return null;
        }
    }

    private static ulong? TryHex(string text, int bits)
    {
        if (!text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ||
            !ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            return null;
        }
        return bits == 32 && value > uint.MaxValue ? null : value;
    }

    private static double? ParseFloat(string text) => text.ToLowerInvariant() switch
    {
        "nan" => double.NaN,
        "inf" or "+inf" or "infinity" => double.PositiveInfinity,
        "-inf" or "-infinity" => double.NegativeInfinity,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null,
    };

    /// <summary>A result as wasmtime prints it: integers in decimal (signed), floats in their shortest form.</summary>
    public static string Format(Value value, ValType type) => type.Kind switch
    {
        ValueKind.I32 => value.I32.ToString(CultureInfo.InvariantCulture),
        ValueKind.I64 => value.I64.ToString(CultureInfo.InvariantCulture),
        ValueKind.F32 => FormatFloat(value.F32, float.IsNaN(value.F32), float.IsInfinity(value.F32), value.F32.ToString("R", CultureInfo.InvariantCulture)),
        ValueKind.F64 => FormatFloat(value.F64, double.IsNaN(value.F64), double.IsInfinity(value.F64), value.F64.ToString("R", CultureInfo.InvariantCulture)),
        ValueKind.V128 => $"0x{value.High:x16}{value.Low:x16}",
        _ => value.IsNull ? "null" : $"ref({value.Reference})",
    };

    private static string FormatFloat(double value, bool isNaN, bool isInfinity, string text) =>
        isNaN ? "NaN" : isInfinity ? (value > 0 ? "inf" : "-inf") : text;
}
