using WasmHarness.Tests.Shared;
using WasmHarness.Wast;
using WasmHarness.Engines;

namespace WasmHarness.SpecRunner.Tests;

/// <summary>
/// Outlining (docs/jit.md, "Large functions"): the JIT moves parts of functions over its method budget into methods
/// of their own. The suite's functions are small, so with the default budget none is cut; with a budget of 40 IL
/// instructions 997 regions over the suite, which puts locals through the frame buffer, branches
/// to outer labels and <c>return</c> through exit codes, and regions inside regions, under every script of the core
/// suite on the JIT. (Found this way: regions overlapping at an edge ran part of memory_copy's test twice.)
/// </summary>
public sealed class JitOutliningSuiteTests
{
    private static string SuiteRoot => CoreSuite.Root;

    [CoreSuiteFact]
    public void Every_script_passes_on_the_jit_with_functions_cut_into_regions()
    {
        var regions = EveryScriptPasses(() => new JitEngine(new EngineOptions { JitEager = true, JitMethodBudget = 40 }), statistics => statistics.Regions);
        // The run did go through regions (997 at the time of writing): the budget is not silently ignored.
        Assert.True(regions > 500, $"only {regions} regions outlined");
    }

    /// <summary>
    /// Tier-up's loop variants call the regions of the function's ordinary method: with regions everywhere and every
    /// call moved at its first loop head, the suite checks that sharing (which depends on the variant having the same
    /// plan and the same blocks around each region call).
    /// </summary>
    [CoreSuiteFact]
    public void Every_script_passes_when_calls_move_into_compiled_code_cut_into_regions()
    {
        var entries = EveryScriptPasses(
            () => new JitEngine(EngineRegistry.TierUpAtOnce(new EngineOptions { JitMethodBudget = 40 }), "jit-tierup"),
            statistics => statistics.LoopEntries);
        // Calls did move (161 at the time of writing).
        Assert.True(entries > 100, $"only {entries} calls moved into compiled code");
    }

    /// <summary>Runs every core script on a fresh engine each, asserts that every command passed, and sums <paramref name="counted"/> over the engines.</summary>
    private static long EveryScriptPasses(Func<JitEngine> engine, Func<WasmHarness.Jit.JitStatistics, long> counted)
    {
        var failures = new List<string>();
        long count = 0;
        foreach (var script in SuiteFiles.Find(SuiteRoot, [], includeProposals: false))
        {
            var jit = engine();
            var options = new SpecRunOptions(SuiteRoot, [], IncludeProposals: false, CrossCheckWith: null, Engines: [jit]);
            var result = SpecRun.RunScript(options, script)[0];
            count += counted(jit.RuntimeEngine.JitStatistics);
            if (result.Error is { } error)
            {
                failures.Add($"{script}: {error}");
            }
            failures.AddRange(result.Commands.Where(c => c.Verdict != Verdict.Passed).Select(c => $"{script}:{c.Line}: {c.Command}: {c.Verdict} {c.Detail}"));
        }
        Assert.Empty(failures);
        return count;
    }
}
