using System.CommandLine;
using WasmHarness.Reports;

var resultsOption = new Option<string[]>("--results")
{
    Description = "Folders of result files: spec-runner --json, fuzz/ and differential/ campaign JSON, BenchmarkDotNet exports.",
    DefaultValueFactory = _ => ["results", Path.Combine("reports", "results")],
    AllowMultipleArgumentsPerToken = true,
};
var benchOption = new Option<string>("--bench-results") { Description = "Folder of BenchmarkDotNet's exports.", DefaultValueFactory = _ => Path.Combine("BenchmarkDotNet.Artifacts", "results") };
var outOption = new Option<string>("--out") { Description = "Where to write index.html, report.md and the charts (bench-SUITE.svg).", DefaultValueFactory = _ => Path.Combine("reports", "out") };

var root = new RootCommand("Turns the latest spec, benchmark, fuzz and differential results into a static dashboard.") { resultsOption, benchOption, outOption };
root.SetAction(parse =>
{
    var results = Inputs.Read([.. parse.GetValue(resultsOption)!, parse.GetValue(benchOption)!]);
    var output = parse.GetValue(outOption)!;
    Directory.CreateDirectory(output);
    var now = DateTimeOffset.UtcNow;
    File.WriteAllText(Path.Combine(output, "index.html"), Dashboard.Html(results, now));
    File.WriteAllText(Path.Combine(output, "report.md"), Dashboard.Markdown(results, now));
    foreach (var (suite, svg) in Dashboard.BenchmarkCharts(results.Benchmarks))
    {
        File.WriteAllText(Path.Combine(output, $"bench-{suite}.svg"), svg);
    }
    Console.WriteLine($"{results.Spec.Count} spec run(s), {results.Benchmarks.Count} benchmark result(s), {results.Fuzz.Count} fuzz campaign(s), "
        + $"{results.Differential.Count + results.Faults.Count} differential result(s) → {Path.GetFullPath(output)}/index.html, report.md");
    foreach (var problem in results.Problems)
    {
        Console.Error.WriteLine($"warning: not read: {problem}");
    }
    return 0;
});
return root.Parse(args).Invoke();
