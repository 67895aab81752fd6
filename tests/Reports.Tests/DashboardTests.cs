using System.Text.Json;
using System.Xml;
using System.Xml.Linq;

namespace WasmHarness.Reports.Tests;

public sealed class DashboardTests
{
    private const string SpecJson = """
        {"suite":"/s","mode":"execute","profile":"wasm2","engines":[
          {"engine":"interp","files":[{"file":"a.wast","passed":3,"failed":0,"skipped":0},{"file":"b.wast","passed":1,"failed":2,"skipped":0}]},
          {"engine":"wasmtime","files":[{"file":"a.wast","passed":3,"failed":0,"skipped":0},{"file":"b.wast","passed":0,"failed":0,"skipped":3}]}]}
        """;

    private static readonly BenchmarkResult[] Benchmarks =
    [
        new("fib", "Wasmtime", 100, "Kernels"), new("fib", "Interpreter", 1600, "Kernels"),
        new("hash", "Wasmtime", 10, "Kernels"), new("hash", "Interpreter", 40, "Kernels"),
        new("fib", "Wasmtime", 5, "Instantiate"), new("fib", "Interpreter", 1, "Instantiate"),
    ];

    private static SpecRun Spec() => Inputs.ReadSpecRun("spec.json", JsonDocument.Parse(SpecJson).RootElement);

    private static ResultSet Results()
    {
        var set = new ResultSet();
        set.Spec.Add(Spec());
        set.Benchmarks.AddRange(Benchmarks);
        return set;
    }

    [Fact]
    public void Spec_results_are_read_per_engine_and_file()
    {
        var run = Spec();
        Assert.Equal(["interp", "wasmtime"], run.Engines);
        Assert.Equal(new FileVerdicts("b.wast", 1, 2, 0), run.Files["interp"][1]);
        Assert.Equal("wasm2", run.Profile);
    }

    [Fact]
    public void Ratios_are_taken_against_wasmtime_with_a_geometric_mean()
    {
        var (kernels, ratios, geomean) = Dashboard.Ratios([.. Benchmarks.Where(b => b.Suite == "Kernels")]);
        Assert.Equal(["fib", "hash"], kernels);
        Assert.Equal([16.0, 4.0], ratios["Interpreter"]);
        Assert.Equal(8.0, geomean["Interpreter"], precision: 9);
        Assert.Equal(1.0, geomean["Wasmtime"], precision: 9);
    }

    [Fact]
    public void The_page_is_well_formed_and_colours_each_cell_by_its_verdict()
    {
        var html = Dashboard.Html(Results(), DateTimeOffset.UnixEpoch);
        using var reader = XmlReader.Create(new StringReader(html), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore });
        var page = XDocument.Load(reader);
        var cells = page.Descendants("td").ToList();
        Assert.Contains(cells, td => (string?)td.Attribute("class") == "fail" && td.Value == "1 / 2");
        Assert.Contains(cells, td => (string?)td.Attribute("class") == "skip" && td.Value == "0 / 0");
        Assert.Contains(cells, td => (string?)td.Attribute("class") == "pass" && td.Value == "3 / 0");
        var labels = page.Descendants().Where(e => e.Name.LocalName == "svg").SelectMany(svg => svg.Descendants()).Where(e => e.Name.LocalName == "text");
        Assert.Contains(labels, t => t.Value == "8.00×");
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void The_markdown_summary_lists_failing_files_and_ratios()
    {
        var md = Dashboard.Markdown(Results(), DateTimeOffset.UnixEpoch);
        Assert.Contains("| interp | 4 | 2 | 0 | b.wast |", md, StringComparison.Ordinal);
        Assert.Contains("| Interpreter | 16.00× | 4.00× | 8.00× |", md, StringComparison.Ordinal);
        Assert.Contains("## Benchmarks: Instantiate", md, StringComparison.Ordinal);
        Assert.Contains("| Interpreter | 0.20× | 0.20× |", md, StringComparison.Ordinal);
    }
}
