using System.Xml.Linq;

namespace WasmHarness.Reports.Tests;

/// <summary>Reading a results folder as the tools leave it: every kind of file, missing folders, broken files.</summary>
public sealed class InputsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("reports-inputs").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Write(string relative, string text)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    [Fact]
    public void Every_kind_of_result_is_recognised_by_its_shape()
    {
        Write("spec.json", """{"suite":"/s","engines":[{"engine":"jit","files":[{"file":"a.wast","passed":1,"failed":0,"skipped":0}]}]}""");
        Write("fuzz/decode.json", """{"target":"decode","runTimeSeconds":300,"executions":1962048,"execsPerSecond":6540,"pathsFound":498,"pathsTotal":898,"crashes":0,"hangs":0,"bitmapCoverage":"4.76%"}""");
        Write("fuzz/history/decode-1.json", """{"target":"decode","runTimeSeconds":60,"executions":1000,"execsPerSecond":16.7,"pathsFound":40,"finishedAt":"2026-01-02T03:04:05Z"}""");
        Write("differential/campaign.json", """{"Engines":"interp,wasmtime","Seed":7,"Cases":100,"Agreed":99,"Inconclusive":1,"Divergences":0,"InvalidModules":0,"Seconds":10.5,"CasesPerSecond":9.5}""");
        Write("differential/faults.json", """{"Engines":"interp","Faults":2,"Detected":1,"MedianSecondsToDetect":2.5,"Results":[{"Fault":"a","Detected":true},{"Fault":"i64.rem_s->i64.rem_u","Detected":false}]}""");
        Write("bench/x-report-full.json", """{"Benchmarks":[{"Type":"ProgramBenchmarks","Method":"Native","Parameters":"ProgramName=sort","Statistics":{"Mean":2000000},"Memory":{"BytesAllocatedPerOperation":1024}}]}""");
        Write("fuzz/history/decode-2.json", """{"target":"decode","runTimeSeconds":300,"executions":1962048,"execsPerSecond":6540,"pathsFound":498,"pathsTotal":898,"crashes":0,"hangs":0,"bitmapCoverage":"4.76%"}""");
        Write("fuzz/work/decode/bin/fuzz.deps.json", "{ not read: published binaries live here");

        var set = Inputs.Read(_root, Path.Combine(_root, "missing"));

        Assert.Single(set.Spec);
        Assert.Equal(2, set.Fuzz.Count); // the copy in history/ of the latest campaign is the same campaign
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), set.Fuzz.Single(c => c.RunTimeSeconds == 60).When);
        Assert.Equal(1962048, Dashboard.LatestPerTarget(set.Fuzz).Single().Executions);
        Assert.Equal(99, set.Differential.Single().Agreed);
        Assert.Equal(["i64.rem_s->i64.rem_u"], set.Faults.Single().Undetected);
        Assert.Equal(new BenchmarkResult("sort", "Native", 2000000, "ProgramBenchmarks", 1024), set.Benchmarks.Single());
        Assert.Empty(set.Problems);
    }

    [Fact]
    public void Parallel_campaigns_show_their_instances_and_jobs()
    {
        Write("fuzz/decode.json", """{"target":"decode","runTimeSeconds":60,"executions":613435,"execsPerSecond":10223.9,"pathsFound":567,"instances":2}""");
        Write("differential/campaign.json", """{"Engines":"interp,jit","Seed":1,"Cases":100,"Agreed":99,"Divergences":0,"Seconds":10,"CasesPerSecond":10,"Jobs":2,"WorkerCrashes":1}""");
        var set = Inputs.Read(_root);
        Assert.Equal(2, set.Fuzz.Single().Instances);
        Assert.Equal((2, 1L), (set.Differential.Single().Jobs, set.Differential.Single().WorkerCrashes));
        Assert.Contains("| decode | ", Dashboard.Markdown(set, DateTimeOffset.UnixEpoch), StringComparison.Ordinal);
        Assert.Contains("| 60 | 2 | 613435 |", Dashboard.Markdown(set, DateTimeOffset.UnixEpoch), StringComparison.Ordinal);
        Assert.Contains("seed 1, 2 job(s)", Dashboard.Markdown(set, DateTimeOffset.UnixEpoch), StringComparison.Ordinal);
    }

    [Fact]
    public void A_broken_file_is_reported_and_the_rest_still_read()
    {
        Write("broken.json", "{\"engines\": [");
        Write("fuzz/text.json", """{"target":"text","executions":5}""");
        var set = Inputs.Read(_root);
        Assert.Contains(set.Problems, p => p.Contains("broken.json", StringComparison.Ordinal));
        Assert.Single(set.Fuzz);
        var html = Dashboard.Html(set, DateTimeOffset.UnixEpoch);
        Assert.Contains("Files not read", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_results_give_a_page_that_says_how_to_make_each_section()
    {
        var html = Dashboard.Html(Inputs.Read(Path.Combine(_root, "nothing")), DateTimeOffset.UnixEpoch);
        Assert.Contains("No spec-runner results", html, StringComparison.Ordinal);
        Assert.Contains("No benchmark results", html, StringComparison.Ordinal);
        Assert.Contains("No fuzz campaign results", html, StringComparison.Ordinal);
        Assert.Contains("No differential results", html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_ratio_chart_is_a_standalone_svg_without_the_baseline_and_with_the_geomean()
    {
        BenchmarkResult[] results =
        [
            new("a", "Native", 10, "P"), new("a", "Interpreter", 1000, "P"), new("a", "Jit", 20, "P"),
            new("b", "Native", 10, "P"), new("b", "Interpreter", 100, "P"), new("b", "Jit", 5, "P"),
        ];
        var svg = XDocument.Parse(Dashboard.BenchmarkCharts(results)["P"]);
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(ns + "svg", svg.Root!.Name);
        var texts = svg.Descendants(ns + "text").Select(t => t.Value).ToList();
        Assert.Contains("geomean", texts);
        Assert.Contains("31.62×", texts); // sqrt(100 * 10)
        Assert.Contains("0.50×", texts); // faster than native: the bar goes left of the 1× line
        Assert.DoesNotContain("Native", texts);
    }
}
