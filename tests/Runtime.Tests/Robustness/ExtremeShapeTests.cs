using WasmHarness.Execution;
using WasmHarness.Generator.Shapes;
using WasmHarness.Validation;

namespace WasmHarness.Tests.Robustness;

/// <summary>
/// Valid but extreme modules (<see cref="ExtremeShapes"/>) end in their defined outcome on both tiers: a result
/// within the engine's budgets (fuel bounds the run; the JIT's budgets bound its compilation, beyond them the
/// function runs in the interpreter), or an <see cref="ImplementationLimitException"/> naming the limit. The default
/// run uses sizes at and just past each boundary; <c>ROBUSTNESS_SCALE=full</c> (the nightly job) adds the sizes
/// that once crashed or hung the runtime.
/// </summary>
public sealed class ExtremeShapeTests
{
    private static readonly bool Full = Environment.GetEnvironmentVariable("ROBUSTNESS_SCALE") == "full";

    /// <summary>The sizes run by default: each side of every limit and budget.</summary>
    private static readonly (string Shape, int Size)[] Small =
    [
        ("deep-operand-stack", 100), ("deep-operand-stack", 9_000),
        ("many-results", 1_000), ("many-results", 1_001),
        ("wide-struct", 10_000), ("wide-struct", 10_001),
        ("array-new-fixed", 10_000), ("array-new-fixed", 10_001),
        ("sequential-try", 100), ("sequential-try", 2_001),
        ("nested-try", 64), ("nested-try", 300),
        ("nested-blocks", 4_095), ("nested-blocks", 4_096),
        ("many-functions", 2_000), ("tail-call-chain", 1_500),
        ("many-locals", 50_000), ("many-locals", 50_001),
        ("deep-subtypes", 63), ("deep-subtypes", 64),
        ("wide-br-table", 100_000),
    ];

    /// <summary>The sizes of the robustness report (nightly): operand stacks past CIL's 65,535 locals, 70,000 results, fields and operands, 33,000 try blocks, 10,000 nested try blocks, 10⁶ nested blocks and functions, a 100,000-deep subtype chain.</summary>
    private static readonly (string Shape, int Size)[] Big =
    [
        ("deep-operand-stack", 70_000), ("many-results", 70_000), ("wide-struct", 70_000), ("array-new-fixed", 70_000),
        ("sequential-try", 33_000), ("nested-try", 1_000), ("nested-try", 2_000), ("nested-try", 10_000),
        ("nested-blocks", 1_000_000), ("many-functions", 1_000_000), ("tail-call-chain", 1_000_000), ("deep-subtypes", 100_000), ("wide-br-table", 1_000_001),
    ];

    public static TheoryData<string, int, ExecutionTier> Cases()
    {
        var data = new TheoryData<string, int, ExecutionTier>();
        foreach (var (shape, size) in Full ? [.. Small, .. Big] : Small)
        {
            data.Add(shape, size, ExecutionTier.Interpreter);
            data.Add(shape, size, ExecutionTier.Jit);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Ends_in_its_defined_outcome(string name, int size, ExecutionTier tier)
    {
        var shape = ExtremeShapes.All[name](size);
        var fallbacks = new List<string>();
        // Fuel bounds the run; the JIT's budgets bound its compilation (every function it leaves is reported).
        var engine = new Engine(new EngineOptions { Tier = tier, Fuel = 100_000_000, JitFallback = (_, reason) => fallbacks.Add(reason) });
        if (shape.Outcome == ShapeOutcome.ExceedsLimit)
        {
            var error = Assert.Throws<ImplementationLimitException>(() => CompiledModule.Compile(engine, shape.Module));
            Assert.Equal(shape.Limit, error.Limit);
            Assert.Contains($"ModuleLimits.{shape.Limit}", error.Message, StringComparison.Ordinal);
            return;
        }
        var instance = CompiledModule.Compile(engine, shape.Module).Instantiate(new Store(engine));
        var result = instance.Invoke("run", []);
        Assert.Equal(shape.Expected, result[0].I32);
        if (tier == ExecutionTier.Jit)
        {
            // Either compiled, or left to the interpreter for a stated budget: never an unexplained refusal.
            Assert.All(fallbacks, reason => Assert.StartsWith("over the JIT's budget", reason, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void The_JIT_leaves_functions_over_its_budgets_to_the_interpreter_and_says_why()
    {
        string Fallback(ExtremeShape shape)
        {
            var reasons = new List<string>();
            var engine = new Engine(new EngineOptions { Tier = ExecutionTier.Jit, JitFallback = (_, reason) => reasons.Add(reason) });
            Assert.Equal(shape.Expected, CompiledModule.Compile(engine, shape.Module).Instantiate(new Store(engine)).Invoke("run", [])[0].I32);
            return Assert.Single(reasons);
        }
        Assert.Contains("operand slots", Fallback(ExtremeShapes.DeepOperandStack(9_000)), StringComparison.Ordinal);
        Assert.Contains("try blocks nested", Fallback(ExtremeShapes.NestedTry(65)), StringComparison.Ordinal);
        Assert.Contains("try blocks >", Fallback(ExtremeShapes.SequentialTry(2_001)), StringComparison.Ordinal);
    }

    [Fact]
    public void Limits_are_settings_of_the_engine()
    {
        var shape = ExtremeShapes.ManyFunctions(20);
        var strict = new Engine(new EngineOptions { ModuleLimits = ModuleLimits.Default with { Functions = 10 } });
        Assert.Equal("Functions", Assert.Throws<ImplementationLimitException>(() => CompiledModule.Compile(strict, shape.Module)).Limit);
        var loose = new Engine(new EngineOptions { ModuleLimits = ModuleLimits.Default with { Results = 2_000 } });
        Assert.Equal(7, CompiledModule.Compile(loose, ExtremeShapes.ManyResults(1_500).Module).Instantiate(new Store(loose)).Invoke("run", [])[0].I32);
    }

    [Fact]
    public void The_decoder_refuses_a_body_over_the_limit_before_reading_it()
    {
        var bytes = WasmHarness.Binary.ModuleEncoder.Encode(ExtremeShapes.ManyLocals(10).Module);
        var tight = ModuleLimits.Default with { FunctionBodyBytes = 4 };
        Assert.Equal("FunctionBodyBytes", Assert.Throws<ImplementationLimitException>(() => WasmHarness.Binary.ModuleDecoder.Decode(bytes, tight)).Limit);
        Assert.Equal("ModuleBytes", Assert.Throws<ImplementationLimitException>(() => WasmHarness.Binary.ModuleDecoder.Decode(bytes, ModuleLimits.Default with { ModuleBytes = 8 })).Limit);
    }
}
