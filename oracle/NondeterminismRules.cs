using WasmHarness.Engines;
using WasmHarness.Syntax;

namespace WasmHarness.Oracle;

/// <summary>How two engines' float results are compared.</summary>
public enum NanComparison
{
    /// <summary>Bit for bit. Right when the module canonicalizes every NaN an operation may produce (the generator's default).</summary>
    Exact,
    /// <summary>
    /// A NaN matches any NaN of the class the spec allows for an operation's result: arithmetic NaNs (quiet bit set)
    /// match each other whatever their sign and payload; a NaN without the quiet bit can only come from
    /// bit-preserving instructions and must match exactly.
    /// </summary>
    ArithmeticClass,
}

/// <summary>
/// Every nondeterminism rule the differential oracle applies, in one place (each has a test in
/// <c>tests/Differential.Tests/NondeterminismRulesTests.cs</c>):
/// <list type="number">
/// <item>NaN results: compared by <see cref="NanComparison"/> (canonical vs arithmetic classes per spec).</item>
/// <item>Relaxed SIMD: never generated (its results are implementation-defined); see <see cref="Generator.OpcodeCatalog.IsRelaxedSimd"/>.</item>
/// <item>Resource exhaustion (stack, fuel, host limits) on one engine only is inconclusive, not a bug, except between
/// our own tiers (interpreter, JIT and its variants), which share limits and must match exactly.</item>
/// <item>Trap kinds: two traps agree when the sets of spec messages their engines' codes stand for intersect
/// (wasmtime's codes are coarser than the spec's messages). An array instruction with both a null operand and a range
/// out of bounds may trap either way: the spec checks the null first, wasmtime the bounds (V8 documents the same
/// freedom), so "null array reference" and "out of bounds array access" agree, except between our own tiers, which
/// both follow the spec's order and must match exactly.</item>
/// <item>References: compared by class (null, func, extern with host id); engines do not expose function identity.</item>
/// </list>
/// </summary>
public static class NondeterminismRules
{
    /// <summary>Engine names that are our own tiers (sharing limits): exhaustion must agree exactly between them.</summary>
    public static bool IsOwnTier(string engineName) =>
        engineName.StartsWith("interp", StringComparison.Ordinal) || engineName.StartsWith("jit", StringComparison.Ordinal);

    /// <summary>Whether two engines' values agree.</summary>
    public static bool ValuesAgree(EngineValue a, EngineValue b, NanComparison nans)
    {
        if (a.Kind != b.Kind)
        {
            return false;
        }
        return a.Kind switch
        {
            ValueKind.F32 => F32Agree((uint)a.Low, (uint)b.Low, nans),
            ValueKind.F64 => F64Agree(a.Low, b.Low, nans),
            ValueKind.V128 => nans == NanComparison.Exact
                ? a.Low == b.Low && a.High == b.High
                : (a.Low == b.Low && a.High == b.High)
                  || (F32Agree((uint)a.Low, (uint)b.Low, nans) && F32Agree((uint)(a.Low >> 32), (uint)(b.Low >> 32), nans)
                      && F32Agree((uint)a.High, (uint)b.High, nans) && F32Agree((uint)(a.High >> 32), (uint)(b.High >> 32), nans))
                  || (F64Agree(a.Low, b.Low, nans) && F64Agree(a.High, b.High, nans)),
            ValueKind.Ref => a.Reference == b.Reference && a.HostId == b.HostId,
            _ => a.Low == b.Low,
        };
    }

    public static bool F32Agree(uint a, uint b, NanComparison nans)
    {
        if (a == b)
        {
            return true;
        }
        const uint exponent = 0x7F800000, quiet = 0x00400000;
        var aNan = (a & exponent) == exponent && (a & 0x007FFFFF) != 0;
        var bNan = (b & exponent) == exponent && (b & 0x007FFFFF) != 0;
        return nans == NanComparison.ArithmeticClass && aNan && bNan && (a & quiet) != 0 && (b & quiet) != 0;
    }

    public static bool F64Agree(ulong a, ulong b, NanComparison nans)
    {
        if (a == b)
        {
            return true;
        }
        const ulong exponent = 0x7FF0000000000000, quiet = 0x0008000000000000;
        var aNan = (a & exponent) == exponent && (a & 0x000FFFFFFFFFFFFF) != 0;
        var bNan = (b & exponent) == exponent && (b & 0x000FFFFFFFFFFFFF) != 0;
        return nans == NanComparison.ArithmeticClass && aNan && bNan && (a & quiet) != 0 && (b & quiet) != 0;
    }

    /// <summary>
    /// Whether two traps agree: the messages each engine's trap stands for intersect, or (unless both engines are our
    /// own tiers, see <see cref="IsOwnTier"/>) both are array traps whose order of checks the engines may differ on.
    /// </summary>
    public static bool TrapsAgree(string engineA, EngineFailure a, string engineB, EngineFailure b) =>
        a.Aliases.Any(x => b.Aliases.Any(y => x.StartsWith(y, StringComparison.Ordinal) || y.StartsWith(x, StringComparison.Ordinal)))
        || (!(IsOwnTier(engineA) && IsOwnTier(engineB)) && IsArrayTrap(a) && IsArrayTrap(b));

    private static bool IsArrayTrap(EngineFailure failure) =>
        failure.Aliases.Any(m => m is "null array reference" or "out of bounds array access");

    /// <summary>
    /// The verdict on two outcomes where at least one is exhaustion: both exhausted agree; exhaustion on one only is
    /// inconclusive between engines with different limits, a divergence between our own tiers.
    /// </summary>
    public static Verdict Exhaustion(string engineA, bool exhaustedA, string engineB, bool exhaustedB) =>
        exhaustedA && exhaustedB ? Verdict.Agree
        : IsOwnTier(engineA) && IsOwnTier(engineB) ? Verdict.Divergence
        : Verdict.Inconclusive;
}
