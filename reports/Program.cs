using System.CommandLine;
using WasmHarness.Reports;

var resultsOption = new Option<string>("--results") { Description = "Folder of result files (spec-runner --json, BenchmarkDotNet JSON exports).", DefaultValueFactory = _ => "results" };
var benchOption = new Option<string>("--bench-results") { Description = "Folder of BenchmarkDotNet's exports.", DefaultValueFactory = _ => "BenchmarkDotNet.Artifacts/results" };
var outOption = new Option<string>("--out") { Description = "Where to write index.html and report.md.", DefaultValueFactory = _ => "reports/out" };

var root = new RootCommand("Turns the latest spec, benchmark (and later fuzz) results into a static dashboard.") { resultsOption, benchOption, outOption };
root.SetAction(parse =>
{
    var (spec, benchmarks) = Inputs.Read(parse.GetValue(resultsOption)!);
    var (_, moreBenchmarks) = Inputs.Read(parse.GetValue(benchOption)!);
    benchmarks.AddRange(moreBenchmarks);
    var output = parse.GetValue(outOption)!;
    Directory.CreateDirectory(output);
    var now = DateTimeOffset.UtcNow;
    File.WriteAllText(Path.Combine(output, "index.html"), Dashboard.Html(spec, benchmarks, now));
    File.WriteAllText(Path.Combine(output, "report.md"), Dashboard.Markdown(spec, benchmarks, now));
    Console.WriteLine($"{spec.Count} spec run(s), {benchmarks.Count} benchmark result(s) → {Path.GetFullPath(output)}/index.html, report.md");
    return 0;
});
return root.Parse(args).Invoke();
