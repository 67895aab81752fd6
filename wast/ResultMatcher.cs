using WasmHarness.Engines;
using WasmHarness.Syntax;
using WasmHarness.Text;

namespace WasmHarness.Wast;

/// <summary>Decides whether an engine's result satisfies an <c>assert_return</c> pattern, as the spec's script semantics say.</summary>
public static class ResultMatcher
{
    public static bool Matches(EngineValue actual, ResultPattern pattern) => pattern switch
    {
        ExactPattern { Value: var expected } => MatchesExact(actual, expected),
        NanPattern nan => actual.Kind == nan.Type && IsNan(nan.Type, actual.Low, nan.Kind),
        VectorPattern vector => actual.Kind == ValueKind.V128 && MatchesLanes(actual, vector),
        RefPattern reference => MatchesReference(actual, reference.Kind),
        EitherPattern either => either.Alternatives.Any(alternative => Matches(actual, alternative)),
        _ => false,
    };

    private static bool MatchesExact(EngineValue actual, ScriptValue expected) => expected switch
    {
        NumberValue number => actual.Kind == number.Type && actual.Low == number.Bits,
        VectorValue vector => actual.Kind == ValueKind.V128 && actual.Low == vector.Value.Low && actual.High == vector.Value.High,
        // A null of any heap type: engines do not all keep a null's static type.
        NullRefValue => actual.Reference == ReferenceClass.Null,
        ExternRefValue host => actual.Reference == ReferenceClass.Extern && actual.HostId == host.Id,
        HostRefValue host => actual.Reference == ReferenceClass.Extern && actual.HostId == host.Id,
        _ => false,
    };

    private static bool MatchesReference(EngineValue actual, RefPatternKind kind) => kind switch
    {
        RefPatternKind.Null => actual.Reference == ReferenceClass.Null,
        RefPatternKind.Func => actual.Reference == ReferenceClass.Func,
        RefPatternKind.Extern => actual.Reference == ReferenceClass.Extern,
        RefPatternKind.Host => actual.Reference == ReferenceClass.Extern,
        RefPatternKind.I31 => actual.Reference == ReferenceClass.I31,
        RefPatternKind.Struct => actual.Reference == ReferenceClass.Struct,
        RefPatternKind.Array => actual.Reference == ReferenceClass.Array,
        RefPatternKind.Exn => actual.Reference == ReferenceClass.Exn,
        // eq ⊇ i31, struct, array; any ⊇ eq and internalized host references.
        RefPatternKind.Eq => actual.Reference is ReferenceClass.I31 or ReferenceClass.Struct or ReferenceClass.Array or ReferenceClass.Any,
        RefPatternKind.Any => actual.Reference is not (ReferenceClass.None or ReferenceClass.Null or ReferenceClass.Func or ReferenceClass.Exn),
        _ => false,
    };

    /// <summary>
    /// <c>nan:canonical</c>: only the sign may vary, the payload is exactly the quiet bit. <c>nan:arithmetic</c>:
    /// any NaN with the quiet bit set.
    /// </summary>
    public static bool IsNan(ValueKind type, ulong bits, NanKind kind) => type switch
    {
        ValueKind.F32 => IsNan32((uint)bits, kind),
        ValueKind.F64 => IsNan64(bits, kind),
        _ => false,
    };

    private static bool IsNan32(uint bits, NanKind kind)
    {
        const uint exponent = 0x7F80_0000, quiet = 0x0040_0000, payload = 0x007F_FFFF;
        var magnitude = bits & 0x7FFF_FFFF;
        return kind == NanKind.Canonical
            ? magnitude == (exponent | quiet)
            : (magnitude & exponent) == exponent && (magnitude & quiet) != 0 && (magnitude & payload) != 0;
    }

    private static bool IsNan64(ulong bits, NanKind kind)
    {
        const ulong exponent = 0x7FF0_0000_0000_0000, quiet = 0x0008_0000_0000_0000, payload = 0x000F_FFFF_FFFF_FFFF;
        var magnitude = bits & 0x7FFF_FFFF_FFFF_FFFF;
        return kind == NanKind.Canonical
            ? magnitude == (exponent | quiet)
            : (magnitude & exponent) == exponent && (magnitude & quiet) != 0 && (magnitude & payload) != 0;
    }

    /// <summary>Checks each lane of a <c>v128</c> result: exact lane values, or NaN patterns for float lanes.</summary>
    private static bool MatchesLanes(EngineValue actual, VectorPattern pattern)
    {
        Span<byte> bytes = stackalloc byte[16];
        new V128(actual.Low, actual.High).WriteTo(bytes);
        var (laneBytes, laneType) = pattern.Shape switch
        {
            LaneShape.I8x16 => (1, ValueKind.I32),
            LaneShape.I16x8 => (2, ValueKind.I32),
            LaneShape.I32x4 => (4, ValueKind.I32),
            LaneShape.I64x2 => (8, ValueKind.I64),
            LaneShape.F32x4 => (4, ValueKind.F32),
            _ => (8, ValueKind.F64),
        };
        for (var lane = 0; lane < pattern.Lanes.Count; lane++)
        {
            ulong bits = 0;
            for (var b = laneBytes - 1; b >= 0; b--)
            {
                bits = (bits << 8) | bytes[lane * laneBytes + b];
            }
            var ok = pattern.Lanes[lane] switch
            {
                NanPattern nan => IsNan(laneType, bits, nan.Kind),
                ExactPattern { Value: NumberValue number } => Truncate(number.Bits, laneBytes) == bits,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }
        return true;
    }

    private static ulong Truncate(ulong bits, int bytes) => bytes == 8 ? bits : bits & ((1UL << (bytes * 8)) - 1);
}
