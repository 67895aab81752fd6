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
        var regions = EveryScriptPasses(() => new JitEngine(new EngineOptions { JitEager = true, JitMethodBudget = 40 })).Sum(statistics => statistics.Regions);
        // The run did go through regions (997 at the time of writing): the budget is not silently ignored.
        Assert.True(regions > 500, $"only {regions} regions outlined");
    }

    /// <summary>
    /// Tier-up's loop variants call the regions of the function's ordinary method: with regions everywhere and every
    /// call moved at its first loop head, the suite checks that sharing (which depends on the variant having the same
    /// plan and the same blocks around each region call), and the whole variant made when the hot loop lies inside a
    /// region.
    /// </summary>
    [CoreSuiteFact]
    public void Every_script_passes_when_calls_move_into_compiled_code_cut_into_regions()
    {
        var engines = EveryScriptPasses(() => new JitEngine(EngineRegistry.TierUpAtOnce(new EngineOptions { JitMethodBudget = 40 }), "jit-tierup"));
        var entries = engines.Sum(statistics => statistics.LoopEntries);
        var variants = engines.Sum(statistics => statistics.LoopVariants);
        // Calls did move (164 at the time of writing).
        Assert.True(entries > 100, $"only {entries} calls moved into compiled code");
        // With no background thread every variant is entered at once, except a first one whose hot loop is inside a
        // region: then a whole variant follows, and the call moves through it (2 at the time of writing).
        Assert.True(variants > entries, $"{variants} loop variants for {entries} moves: no loop inside a region was hot");
    }

    /// <summary>Runs every core script on a fresh engine each, asserts that every command passed, and returns the engines' JIT statistics.</summary>
    private static List<WasmHarness.Jit.JitStatistics> EveryScriptPasses(Func<JitEngine> engine)
    {
        var failures = new List<string>();
        var statistics = new List<WasmHarness.Jit.JitStatistics>();
        foreach (var script in SuiteFiles.Find(SuiteRoot, [], includeProposals: false))
        {
            var jit = engine();
            var options = new SpecRunOptions(SuiteRoot, [], IncludeProposals: false, CrossCheckWith: null, Engines: [jit]);
            var result = SpecRun.RunScript(options, script)[0];
            statistics.Add(jit.RuntimeEngine.JitStatistics);
            if (result.Error is { } error)
            {
                failures.Add($"{script}: {error}");
            }
            failures.AddRange(result.Commands.Where(c => c.Verdict != Verdict.Passed).Select(c => $"{script}:{c.Line}: {c.Command}: {c.Verdict} {c.Detail}"));
        }
        Assert.Empty(failures);
        return statistics;
    }
}
