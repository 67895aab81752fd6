using WasmHarness.Execution;
using WasmHarness.Syntax;
using WasmHarness.Text;

namespace WasmHarness.Tests.Execution;

/// <summary>
/// Wide arithmetic (<c>i64.add128</c>, <c>i64.sub128</c>, <c>i64.mul_wide_s/u</c>) at the edges where the two halves
/// interact: carries and borrows across bit 64, and products of <c>INT64_MIN</c>, on both tiers.
/// </summary>
public sealed class WideArithmeticTests
{
    private const string Module = """
        (module
          (func (export "add128") (param i64 i64 i64 i64) (result i64 i64)
            (i64.add128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
          (func (export "sub128") (param i64 i64 i64 i64) (result i64 i64)
            (i64.sub128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
          (func (export "mul_wide_s") (param i64 i64) (result i64 i64)
            (i64.mul_wide_s (local.get 0) (local.get 1)))
          (func (export "mul_wide_u") (param i64 i64) (result i64 i64)
            (i64.mul_wide_u (local.get 0) (local.get 1)))
          ;; The high half only, so that the results are also consumed inside a function (not just returned).
          (func (export "add128_high") (param i64 i64 i64 i64) (result i64)
            (i64.add128 (local.get 0) (local.get 1) (local.get 2) (local.get 3))
            (return))
        )
        """;

    public static TheoryData<ExecutionTier> Tiers => new() { ExecutionTier.Interpreter, ExecutionTier.Jit };

    private static ModuleInstance Instantiate(ExecutionTier tier)
    {
        var engine = new Engine(new EngineOptions { Tier = tier });
        return CompiledModule.FromText(engine, Module).Instantiate(new Store(engine));
    }

    private static (long Low, long High) Call(ModuleInstance instance, string name, params long[] operands)
    {
        var results = instance.Invoke(name, [.. operands.Select(Value.FromI64)]);
        Assert.Equal(2, results.Length);
        return (results[0].I64, results[1].I64);
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void Add128CarriesOutOfTheLowHalf(ExecutionTier tier)
    {
        var instance = Instantiate(tier);
        Assert.Equal((0L, 1L), Call(instance, "add128", -1, 0, 1, 0));
        Assert.Equal((-2L, 1L), Call(instance, "add128", -1, 0, -1, 0));
        // The 128-bit sum wraps: (2^128 - 1) + 1 = 0.
        Assert.Equal((0L, 0L), Call(instance, "add128", -1, -1, 1, 0));
        Assert.Equal((long.MinValue, long.MinValue), Call(instance, "add128", long.MaxValue, long.MaxValue, 1, 1));
        Assert.Equal(1L, instance.Invoke("add128_high", Value.FromI64(-1), Value.FromI64(0), Value.FromI64(1), Value.FromI64(0))[0].I64);
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void Sub128BorrowsFromTheHighHalf(ExecutionTier tier)
    {
        var instance = Instantiate(tier);
        Assert.Equal((-1L, 0L), Call(instance, "sub128", 0, 1, 1, 0));
        // 0 - 1 = 2^128 - 1: both halves all ones.
        Assert.Equal((-1L, -1L), Call(instance, "sub128", 0, 0, 1, 0));
        Assert.Equal((1L, long.MaxValue), Call(instance, "sub128", 0, long.MinValue, -1, 0));
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void MulWideOfInt64Min(ExecutionTier tier)
    {
        var instance = Instantiate(tier);
        // Signed: (-2^63)^2 = 2^126, whose high half is 2^62.
        Assert.Equal((0L, 1L << 62), Call(instance, "mul_wide_s", long.MinValue, long.MinValue));
        // Signed: -2^63 * -1 = 2^63, which does not fit an i64 but does fit 128 bits: high half 0.
        Assert.Equal((long.MinValue, 0L), Call(instance, "mul_wide_s", long.MinValue, -1));
        Assert.Equal((long.MinValue, -1L), Call(instance, "mul_wide_s", long.MinValue, 1));
        // Unsigned: 2^63 * 2^63 = 2^126 as well, 2^63 * 2 = 2^64, and (2^64 - 1)^2 = 2^128 - 2^65 + 1.
        Assert.Equal((0L, 1L << 62), Call(instance, "mul_wide_u", long.MinValue, long.MinValue));
        Assert.Equal((0L, 1L), Call(instance, "mul_wide_u", long.MinValue, 2));
        Assert.Equal((1L, -2L), Call(instance, "mul_wide_u", -1, -1));
        Assert.Equal((1L, 0L), Call(instance, "mul_wide_s", -1, -1));
    }

    [Fact]
    public void TheSemanticsMethodsAgreeWithUInt128AndInt128()
    {
        long[] edges = [0, 1, -1, 2, long.MaxValue, long.MinValue, long.MinValue + 1, 0x1234_5678_9ABC_DEF0, unchecked((long)0xFEDC_BA98_7654_3210)];
        foreach (var a in edges)
        {
            foreach (var b in edges)
            {
                Assert.Equal(Split((UInt128)(ulong)a * (ulong)b), ScalarOps.I64MulWideU(a, b));
                Assert.Equal(Split((UInt128)((Int128)a * b)), ScalarOps.I64MulWideS(a, b));
                Assert.Equal(Split(Join(a, b) + Join(b, a)), ScalarOps.I64Add128(a, b, b, a));
                Assert.Equal(Split(Join(a, b) - Join(b, a)), ScalarOps.I64Sub128(a, b, b, a));
            }
        }

        static UInt128 Join(long low, long high) => ((UInt128)(ulong)high << 64) | (ulong)low;

        static (long, long) Split(UInt128 value) => ((long)(ulong)value, (long)(ulong)(value >> 64));
    }

    [Fact]
    public void TheFeatureDetectorReportsWideArithmetic()
    {
        var module = WatParser.ParseModule(Module);
        Assert.True(FeatureDetector.Of(module).HasFlag(Wasm3Features.WideArithmetic));
        Assert.Equal(Wasm3Features.WideArithmetic, FeatureDetector.OfOpcode(Opcode.I64MulWideU));
    }
}
