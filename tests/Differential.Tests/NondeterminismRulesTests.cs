using WasmHarness.Engines;
using WasmHarness.Generator;
using WasmHarness.Oracle;

namespace WasmHarness.Differential.Tests;

/// <summary>One test per rule of <see cref="NondeterminismRules"/>.</summary>
public class NondeterminismRulesTests
{
    [Fact]
    public void Exact_mode_compares_nan_bits()
    {
        Assert.True(NondeterminismRules.ValuesAgree(EngineValue.F32(0x7FC00000), EngineValue.F32(0x7FC00000), NanComparison.Exact));
        Assert.False(NondeterminismRules.ValuesAgree(EngineValue.F32(0x7FC00000), EngineValue.F32(0xFFC00000), NanComparison.Exact));
        Assert.False(NondeterminismRules.ValuesAgree(EngineValue.F64(0x7FF8000000000000), EngineValue.F64(0x7FF8000000000001), NanComparison.Exact));
    }

    [Fact]
    public void Arithmetic_nans_of_any_sign_and_payload_agree()
    {
        Assert.True(NondeterminismRules.ValuesAgree(EngineValue.F32(0x7FC00000), EngineValue.F32(0xFFC00000), NanComparison.ArithmeticClass));
        Assert.True(NondeterminismRules.ValuesAgree(EngineValue.F32(0x7FC00001), EngineValue.F32(0x7FC00000), NanComparison.ArithmeticClass));
        Assert.True(NondeterminismRules.ValuesAgree(EngineValue.F64(0xFFF8000000000000), EngineValue.F64(0x7FFC000000000000), NanComparison.ArithmeticClass));
        Assert.True(NondeterminismRules.ValuesAgree(EngineValue.V128(new(0x7FC00000_7FC00000, 0)), EngineValue.V128(new(0xFFC00000_7FC00000, 0)), NanComparison.ArithmeticClass));
    }

    [Fact]
    public void A_signalling_nan_is_not_an_arithmetic_result_and_must_match_exactly()
    {
        Assert.False(NondeterminismRules.ValuesAgree(EngineValue.F32(0x7F800001), EngineValue.F32(0x7FC00000), NanComparison.ArithmeticClass));
        Assert.False(NondeterminismRules.ValuesAgree(EngineValue.F64(0x7FF0000000000001), EngineValue.F64(0x7FF8000000000000), NanComparison.ArithmeticClass));
        Assert.False(NondeterminismRules.ValuesAgree(EngineValue.F32(0x7FC00000), EngineValue.F32(0x3F800000), NanComparison.ArithmeticClass));
    }

    [Fact]
    public void Relaxed_simd_is_never_generated()
    {
        Assert.DoesNotContain(OpcodeCatalog.Fixed, e => OpcodeCatalog.IsRelaxedSimd(e.Opcode));
        for (var seed = 0L; seed < 500; seed++)
        {
            var module = Campaign.GenerateCase(Campaign.CaseSeed(5, seed), out _);
            Assert.DoesNotContain(module.Functions.SelectMany(f => f.Body.Instructions), i => OpcodeCatalog.IsRelaxedSimd(i.Opcode));
        }
    }

    [Fact]
    public void Exhaustion_on_one_engine_is_inconclusive_between_different_engines()
    {
        Assert.Equal(Verdict.Inconclusive, NondeterminismRules.Exhaustion("interp", true, "wasmtime", false));
        Assert.Equal(Verdict.Inconclusive, NondeterminismRules.Exhaustion("interp", false, "wasmtime", true));
        Assert.Equal(Verdict.Agree, NondeterminismRules.Exhaustion("interp", true, "wasmtime", true));
    }

    [Fact]
    public void Exhaustion_must_match_exactly_between_our_own_tiers()
    {
        Assert.Equal(Verdict.Divergence, NondeterminismRules.Exhaustion("interp", true, "jit", false));
        Assert.Equal(Verdict.Divergence, NondeterminismRules.Exhaustion("interp", false, "interp+rt", true));
        Assert.Equal(Verdict.Agree, NondeterminismRules.Exhaustion("interp", true, "jit", true));
    }

    [Fact]
    public void Traps_agree_when_their_message_sets_intersect()
    {
        var wasmtime = new EngineFailure(FailureKind.Trap, "out of bounds table access") { Aliases = ["out of bounds table access", "undefined element"] };
        Assert.True(NondeterminismRules.TrapsAgree("interp", new EngineFailure(FailureKind.Trap, "undefined element 3"), "wasmtime", wasmtime));
        Assert.True(NondeterminismRules.TrapsAgree("interp", new EngineFailure(FailureKind.Trap, "out of bounds table access"), "wasmtime", wasmtime));
        Assert.False(NondeterminismRules.TrapsAgree("interp", new EngineFailure(FailureKind.Trap, "integer overflow"), "wasmtime", wasmtime));
        // Two checks of one array instruction, made in another order (a null operand and a range out of bounds).
        Assert.True(NondeterminismRules.TrapsAgree("interp", new EngineFailure(FailureKind.Trap, "null array reference"), "wasmtime", new EngineFailure(FailureKind.Trap, "out of bounds array access")));
        Assert.False(NondeterminismRules.TrapsAgree("interp", new EngineFailure(FailureKind.Trap, "null array reference"), "jit", new EngineFailure(FailureKind.Trap, "out of bounds array access")));
        Assert.False(NondeterminismRules.TrapsAgree("interp", new EngineFailure(FailureKind.Trap, "null array reference"), "wasmtime", new EngineFailure(FailureKind.Trap, "out of bounds memory access")));
    }

    [Fact]
    public void References_compare_by_class_and_host_identity()
    {
        Assert.True(NondeterminismRules.ValuesAgree(EngineValue.Ref(ReferenceClass.Func), EngineValue.Ref(ReferenceClass.Func), NanComparison.Exact));
        Assert.False(NondeterminismRules.ValuesAgree(EngineValue.Null, EngineValue.Ref(ReferenceClass.Func), NanComparison.Exact));
        Assert.False(NondeterminismRules.ValuesAgree(EngineValue.Host(1), EngineValue.Host(2), NanComparison.Exact));
    }
}
