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
        Assert.Contains(cells, td => (string?)td.Attribute("class") == "skip" && td.Value == "0 / 0 / 3 skipped");
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

public sealed class FaultMatrixTests
{
    [Fact]
    public void Each_fault_gets_a_row_with_its_time_and_cases_to_detection_per_run()
    {
        const string Interp = """{"Engines":"interp","Faults":2,"Detected":1,"MedianSecondsToDetect":0.5,"Results":[{"Fault":"i32.add->i32.sub","Area":"integer","Detected":true,"SecondsToDetect":0.5,"Cases":40},{"Fault":"br_table-count-takes-last-label","Area":"control","Detected":false,"SecondsToDetect":60,"Cases":9000}]}""";
        const string Jit = """{"Engines":"jit","Faults":1,"Detected":1,"MedianSecondsToDetect":2,"Results":[{"Fault":"i32.add->i32.sub","Area":"integer","Detected":true,"SecondsToDetect":2.25,"Cases":300}]}""";
        var set = new ResultSet();
        set.Faults.Add(Inputs.ReadFaultBenchmark("interp.json", JsonDocument.Parse(Interp).RootElement));
        set.Faults.Add(Inputs.ReadFaultBenchmark("jit.json", JsonDocument.Parse(Jit).RootElement));
        Assert.Equal(new FaultDetection("i32.add->i32.sub", "integer", true, 2.25, 300), set.Faults[1].Results.Single());

        var html = Dashboard.Html(set, DateTimeOffset.UnixEpoch);
        using var reader = XmlReader.Create(new StringReader(html), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore });
        var rows = XDocument.Load(reader).Descendants("tr")
            .Where(tr => tr.Elements("td").Skip(1).FirstOrDefault()?.Value is "i32.add->i32.sub" or "br_table-count-takes-last-label")
            .ToDictionary(tr => tr.Elements("td").ElementAt(1).Value, tr => tr.Elements("td").Skip(2).Select(td => ((string?)td.Attribute("class"), td.Value)).ToList());
        Assert.Equal([("pass", "0.50 s / 40"), ("pass", "2.25 s / 300")], rows["i32.add->i32.sub"]);
        Assert.Equal([("fail", "missed (60 s / 9000)"), (null, "–")], rows["br_table-count-takes-last-label"]);
    }
}
