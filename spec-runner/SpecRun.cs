using WasmHarness.Text;

namespace WasmHarness.SpecRunner;

/// <summary>The options of one run of the spec runner.</summary>
public sealed record SpecRunOptions(
    string SuiteRoot,
    IReadOnlyList<string> Filters,
    bool IncludeProposals,
    bool CrossCheckWasmtime);

/// <summary>Runs the selected scripts of the suite and collects their results.</summary>
public static class SpecRun
{
    public static RunResult Execute(SpecRunOptions options, Action<string>? onScriptDone = null)
    {
        var files = SuiteFiles.Find(options.SuiteRoot, options.Filters, options.IncludeProposals);
        using var crossCheck = options.CrossCheckWasmtime ? new CrossCheck() : null;

        var results = new ScriptResult[files.Count];
        Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            results[i] = RunScript(options.SuiteRoot, files[i], crossCheck);
            onScriptDone?.Invoke(files[i]);
        });

        return new RunResult(
            Suite: options.SuiteRoot,
            SuiteProvenance: SuiteLocator.Provenance(options.SuiteRoot),
            Mode: "validate-only",
            Core: Totals.Of(results.Where(r => !r.IsProposal)),
            Proposals: options.IncludeProposals ? Totals.Of(results.Where(r => r.IsProposal)) : null,
            Files: results,
            CrossCheck: crossCheck?.Result());
    }

    /// <summary>Parses one script and judges each of its commands; a script that cannot be parsed fails as a whole.</summary>
    public static ScriptResult RunScript(string suiteRoot, string relativePath, CrossCheck? crossCheck = null)
    {
        Script script;
        try
        {
            script = WastParser.ParseScript(File.ReadAllText(Path.Combine(suiteRoot, relativePath)), relativePath);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new ScriptResult(relativePath, [], e is WasmException ? e.Message : $"{e.GetType().Name}: {e.Message}");
        }

        var judge = new ModuleLevelJudge(crossCheck is null ? null : (module, outcome) => crossCheck.Observe(relativePath, module, outcome));
        return new ScriptResult(relativePath, [.. script.Commands.Select(judge.Judge)]);
    }
}
