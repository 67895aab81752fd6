using WasmHarness.Engines;
using WasmHarness.Oracle;
using WasmHarness.Generator.Reducer;

namespace WasmHarness.Differential.Tests;

public class ReducerTests
{
    [Fact]
    public void A_failing_case_shrinks_while_it_keeps_failing()
    {
        var fault = FaultCatalog.Find("memory.grow-always-fails")!;
        var oracle = new DifferentialOracle([FaultCatalog.FaultyInterpreter(fault), new InterpreterEngine()]);
        for (var index = 0L; index < 2000; index++)
        {
            var seed = Campaign.CaseSeed(1, index);
            var module = Campaign.GenerateCase(seed, out _);
            var report = oracle.Check(module, seed);
            if (report.Verdict != Verdict.Divergence)
            {
                continue;
            }
            var reduced = TestCaseReducer.Reduce(module, m => oracle.Check(m, seed) is { Verdict: Verdict.Divergence } r && r.Category == report.Category, TimeSpan.FromSeconds(20));
            Assert.True(TestCaseReducer.IsValid(reduced));
            Assert.Equal(Verdict.Divergence, oracle.Check(reduced, seed).Verdict);
            var size = (WasmHarness.Syntax.Module m) => m.Functions.Sum(f => f.Body.Instructions.Count);
            Assert.True(size(reduced) < size(module), $"{size(reduced)} >= {size(module)}");
            Assert.Contains(RegressionCase.Print(reduced).Split('\n'), line => line.Contains("memory.grow", StringComparison.Ordinal));
            return;
        }
        Assert.Fail("the fault was never detected");
    }
}
