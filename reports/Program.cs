using System.CommandLine;
using WasmHarness.Reports;

var resultsOption = new Option<string[]>("--results")
{
    Description = "Folders of result files: spec-runner --json, fuzz/ and differential/ campaign JSON, BenchmarkDotNet exports.",
    DefaultValueFactory = _ => ["results", Path.Combine("reports", "results")],
    AllowMultipleArgumentsPerToken = true,
};
var benchOption = new Option<string>("--bench-results") { Description = "Folder of BenchmarkDotNet's exports.", DefaultValueFactory = _ => Path.Combine("BenchmarkDotNet.Artifacts", "results") };
var outOption = new Option<string>("--out") { Description = "Where to write index.html, report.md, the charts (bench-SUITE.svg) and the drill-down pages (spec/).", DefaultValueFactory = _ => Path.Combine("reports", "out") };
var historyOption = new Option<string>("--history") { Description = "The results history (JSON lines): this run's summary is appended to it, and the trends are drawn from it.", DefaultValueFactory = _ => Path.Combine("reports", "history", "history.jsonl") };
var noAppendOption = new Option<bool>("--no-append") { Description = "Draw the trends from the history without recording this run (re-rendering the same results)." };
var commitOption = new Option<string?>("--commit") { Description = "The commit the results belong to (default: $GITHUB_SHA, else git rev-parse HEAD)." };

var root = new RootCommand("Turns the latest spec, benchmark, fuzz and differential results into a static dashboard, and records them in a results history.")
{
    resultsOption, benchOption, outOption, historyOption, noAppendOption, commitOption,
};
root.SetAction(parse =>
{
    var results = Inputs.Read([.. parse.GetValue(resultsOption)!, parse.GetValue(benchOption)!]);
    var output = parse.GetValue(outOption)!;
    var historyPath = parse.GetValue(historyOption)!;
    var run = RunMetadata.Collect(DateTimeOffset.UtcNow, parse.GetValue(commitOption));
    var (runs, pages) = Site.Write(results, run, output, historyPath, append: !parse.GetValue(noAppendOption));
    Console.WriteLine($"{results.Spec.Count} spec run(s), {results.Benchmarks.Count} benchmark result(s), {results.Fuzz.Count} fuzz campaign(s), "
        + $"{results.Differential.Count + results.Faults.Count} differential result(s), {runs} run(s) in {historyPath} "
        + $"→ {Path.GetFullPath(output)}/index.html, report.md, {pages} drill-down page(s) in spec/");
    foreach (var problem in results.Problems)
    {
        Console.Error.WriteLine($"warning: not read: {problem}");
    }
    return 0;
});
return root.Parse(args).Invoke();
