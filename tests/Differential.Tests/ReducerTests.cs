using WasmHarness.Binary;
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
        var (oracle, found) = FirstDivergence.Of(fault, cases: 2000);
        if (found is (var module, var seed, var report))
        {
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

/// <summary>The first generated case (campaign seed 1) on which an interpreter carrying a fault diverges from a clean one.</summary>
internal static class FirstDivergence
{
    public static (DifferentialOracle Oracle, (WasmHarness.Syntax.Module Module, ulong Seed, OracleReport Report)? Found) Of(Fault fault, long cases)
    {
        var oracle = new DifferentialOracle([FaultCatalog.FaultyInterpreter(fault), new InterpreterEngine()]);
        for (var index = 0L; index < cases; index++)
        {
            var seed = Campaign.CaseSeed(1, index);
            var module = Campaign.GenerateCase(seed, out _);
            // A case without the faulted instruction cannot diverge: skip running it.
            if (FaultCatalog.Covers(fault, module) && oracle.Check(module, seed) is { Verdict: Verdict.Divergence } report)
            {
                return (oracle, (module, seed, report));
            }
        }
        return (oracle, null);
    }
}

public class BoundedReducerTests
{
    [Fact]
    public void A_divergence_reduces_to_a_small_module_within_a_step_budget()
    {
        // The fault whose reduction once hung (issue 22): candidates that broke a loop's fuel check ran forever. (The
        // interpreter carries the fault here: the same module rewrite as on the JIT, without compiling every candidate.)
        var fault = FaultCatalog.Find("i64.load16_u-address-wraps")!;
        var (oracle, found) = FirstDivergence.Of(fault, cases: 30000);
        if (found is (var module, var seed, var report))
        {
            Assert.True(TestCaseReducer.IsFueled(module));
            var steps = 0;
            var reduced = TestCaseReducer.Reduce(module, m =>
            {
                steps++;
                Assert.True(TestCaseReducer.IsFueled(m), "a candidate with an unfueled loop was run");
                return oracle.Check(m, seed) is { Verdict: Verdict.Divergence } again && again.Category == report.Category;
            }, TimeSpan.FromMinutes(2), maxSteps: 400);
            Assert.True(steps <= 400, $"{steps} steps");
            Assert.Equal(Verdict.Divergence, oracle.Check(reduced, seed).Verdict);
            var size = reduced.Functions.Sum(f => f.Body.Instructions.Count);
            Assert.True(size < module.Functions.Sum(f => f.Body.Instructions.Count) / 2, $"reduced to {size} instructions only");
            Assert.Contains(reduced.Functions, f => f.Body.Instructions.Any(i => i.Opcode == WasmHarness.Syntax.Opcode.I64Load16u));
            return;
        }
        Assert.Fail("the fault was never detected");
    }

    [Fact]
    public void The_module_a_case_carries_is_reduced_too()
    {
        // A divergence inside a provider's function (stop 30's pmin bug was one) needs the provider reduced: the case
        // that imports from it is only its caller. Here the "failure" is that the provider still holds an instruction.
        var (module, provider, opcode) = Enumerable.Range(0, 500)
            .Select(i => Campaign.GenerateCase(Campaign.CaseSeed(3, i), out _))
            .Select(m => (Module: m, Providers: WasmHarness.Generator.ProviderModules.Of(m)))
            .Where(c => c.Providers.Count > 0)
            .Select(c => (c.Module, Provider: c.Providers[0].Module, Opcode: c.Providers[0].Module.Functions
                .SelectMany(f => f.Body.Instructions).Select(i => i.Opcode).FirstOrDefault(o => WasmHarness.Syntax.OpcodeTable.Get(o).IsPure)))
            .First(c => c.Opcode != default && c.Provider.Functions.Sum(f => f.Body.Instructions.Count) > 40);
        bool Holds(WasmHarness.Syntax.Module m) =>
            WasmHarness.Generator.ProviderModules.Of(m)[0].Module.Functions.Any(f => f.Body.Instructions.Any(i => i.Opcode == opcode));
        var reduced = TestCaseReducer.Reduce(module, Holds, TimeSpan.FromSeconds(60), maxSteps: 2000);
        var reducedProvider = WasmHarness.Generator.ProviderModules.Of(reduced)[0].Module;
        Assert.True(Holds(reduced));
        Assert.True(TestCaseReducer.IsValid(reducedProvider));
        var (before, after) = (provider.Functions.Sum(f => f.Body.Instructions.Count), reducedProvider.Functions.Sum(f => f.Body.Instructions.Count));
        Assert.True(after < before / 2, $"the provider went from {before} to {after} instructions only");
    }

    [Fact]
    public void A_candidate_that_breaks_a_loops_fuel_check_is_never_run()
    {
        var module = Campaign.GenerateCase(Campaign.CaseSeed(7, 0), out _);
        var calls = 0;
        // A predicate that "fails" for everything: the reducer shrinks as far as it can, and no candidate it runs may
        // have an unfueled loop.
        TestCaseReducer.Reduce(module, m =>
        {
            calls++;
            Assert.True(TestCaseReducer.IsFueled(m));
            return true;
        }, TimeSpan.FromSeconds(30), maxSteps: 300);
        Assert.InRange(calls, 1, 300);
    }

    [Fact]
    public void Generated_cases_canonicalize_every_nondeterministic_nan_as_the_reducer_checks()
    {
        var checkedCases = 0;
        for (var i = 0; i < 300; i++)
        {
            var module = Campaign.GenerateCase(Campaign.CaseSeed(11, i), out var config);
            if (config.CanonicalizeNans)
            {
                Assert.True(TestCaseReducer.NansCanonicalized(module), $"case {i}");
                checkedCases++;
            }
        }
        Assert.True(checkedCases > 100);
    }

    [Fact]
    public void A_candidate_that_breaks_a_nan_canonicalization_is_never_run()
    {
        // A predicate that "fails" while an f32.div or f64.div is left: the reducer deletes all it can around them, and
        // no candidate it runs may have one whose NaN is no longer canonicalized (two engines could then rightly differ).
        var module = Enumerable.Range(0, 200).Select(i => Campaign.GenerateCase(Campaign.CaseSeed(12, i), out _))
            .First(m => m.Functions.Any(f => f.Body.Instructions.Any(x => x.Opcode is Syntax.Opcode.F32Div or Syntax.Opcode.F64Div)) && TestCaseReducer.NansCanonicalized(m));
        var calls = 0;
        var reduced = TestCaseReducer.Reduce(module, m =>
        {
            calls++;
            Assert.True(TestCaseReducer.NansCanonicalized(m));
            return m.Functions.Any(f => f.Body.Instructions.Any(x => x.Opcode is Syntax.Opcode.F32Div or Syntax.Opcode.F64Div));
        }, TimeSpan.FromSeconds(30), maxSteps: 400);
        Assert.InRange(calls, 1, 400);
        Assert.True(reduced.Functions.Sum(f => f.Body.Instructions.Count) < module.Functions.Sum(f => f.Body.Instructions.Count));
    }
}

/// <summary>
/// A case that took its worker down is reduced in child processes (<see cref="CrashReducer"/>). The "engine" here is a
/// shell that kills itself with SIGSEGV whenever the module file still holds the export name <c>f0</c>: the reducer
/// must shrink the case while keeping that, and write it under <c>crashes/</c> expecting a crash.
/// </summary>
public sealed class CrashReducerTests
{
    [Fact]
    public void A_case_that_kills_its_process_is_reduced_in_child_processes()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the stand-in engine is a POSIX shell
        }
        var caseSeed = Campaign.CaseSeed(5, 3);
        var original = ModuleEncoder.Encode(Campaign.GenerateCase(caseSeed, out _));
        Assert.True(System.Text.Encoding.ASCII.GetString(original).Contains("f0", StringComparison.Ordinal));
        var directory = Directory.CreateTempSubdirectory("crash-reducer-");
        try
        {
            var options = new CampaignOptions { RegressionDirectory = directory.FullName, ReduceBudget = TimeSpan.FromSeconds(20), Engines = ["jit"] };
            var found = new DivergenceRecord(caseSeed, 3, 0, "worker-crash", "worker 0 exited with code 139 during this case", null);
            var written = CrashReducer.Reduce(options, found, (file, _) =>
            {
                var start = new System.Diagnostics.ProcessStartInfo("bash");
                foreach (var argument in new[] { "-c", "grep -q f0 \"$0\" && kill -SEGV $$; exit 0", file })
                {
                    start.ArgumentList.Add(argument);
                }
                return start;
            });
            Assert.NotNull(written);
            Assert.Equal(Path.Combine(directory.FullName, "crashes"), Path.GetDirectoryName(written));
            var reduced = File.ReadAllBytes(written);
            Assert.True(reduced.Length < original.Length / 2, $"reduced to {reduced.Length} of {original.Length} bytes only");
            Assert.Contains("f0", System.Text.Encoding.ASCII.GetString(reduced), StringComparison.Ordinal);
            var info = System.Text.Json.JsonSerializer.Deserialize<RegressionInfo>(File.ReadAllText(Path.ChangeExtension(written, ".json")))!;
            Assert.Equal("crash", info.Expect);
            Assert.Contains("139", info.Detail, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_crash_that_does_not_happen_again_is_not_recorded()
    {
        var directory = Directory.CreateTempSubdirectory("crash-reducer-");
        try
        {
            var options = new CampaignOptions { RegressionDirectory = directory.FullName, Engines = ["jit"] };
            var found = new DivergenceRecord(Campaign.CaseSeed(5, 4), 4, 0, "worker-crash", "worker 1 exited with code 134 during this case", null);
            Assert.Null(CrashReducer.Reduce(options, found, (_, _) => new System.Diagnostics.ProcessStartInfo("true")));
            Assert.False(Directory.Exists(Path.Combine(directory.FullName, "crashes")));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
