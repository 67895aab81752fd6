using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;

namespace WasmHarness.Reports.Tests;

/// <summary>
/// Two <c>reports</c> runs over changing results, as CI makes them: the results folders the tools leave, the
/// history file growing by a line per run, then the site of the second run (page, drill-down pages).
/// </summary>
public sealed class TwoRuns : IDisposable
{
    public const string FirstCommit = "1111111111111111111111111111111111111111";
    public const string SecondCommit = "2222222222222222222222222222222222222222";

    /// <summary>The spec runner's JSON (spec-runner --json): b.wast has a failure on interp and skips on wasmtime.</summary>
    public static string SpecJson(int passed) => $$"""
        {"suite":"/s","mode":"execute","profile":"wasm2","engines":[
          {"engine":"interp","files":[
            {"file":"a.wast","commands":[{"line":1,"command":"module","verdict":"Passed","detail":null}],"error":null,"passed":{{passed}},"failed":0,"skipped":0},
            {"file":"proposals/gc/b.wast","commands":[
              {"line":7,"command":"assert_return invoke \"f\"","verdict":"Failed","detail":"result 0 is (i32.const 1), expected (i32.const 2)","expected":"(i32.const 2)","actual":"(i32.const 1)"}],
             "error":null,"passed":1,"failed":1,"skipped":0}]},
          {"engine":"wasmtime","files":[
            {"file":"a.wast","commands":[],"error":null,"passed":{{passed}},"failed":0,"skipped":0},
            {"file":"proposals/gc/b.wast","commands":[
              {"line":12,"command":"assert_return invoke \"g\"","verdict":"Skipped","detail":"wasmtime's .NET API cannot pass a GC reference"},
              {"line":13,"command":"assert_return invoke \"h\"","verdict":"Passed","detail":null}],
             "error":null,"passed":1,"failed":0,"skipped":1}]}]}
        """;

    private const string BenchmarkJson = """
        {"Benchmarks":[
          {"Type":"ProgramBenchmarks","Method":"Native","Parameters":"ProgramName=sort","Statistics":{"Mean":2000000,"StandardDeviation":100000,"ConfidenceInterval":{"Margin":300000}}},
          {"Type":"ProgramBenchmarks","Method":"Jit","Parameters":"ProgramName=sort","Statistics":{"Mean":6000000,"StandardDeviation":600000,"ConfidenceInterval":{"Margin":900000}}},
          {"Type":"ProgramBenchmarks","Method":"Native","Parameters":"ProgramName=nbody","Statistics":{"Mean":1000000,"StandardDeviation":50000}},
          {"Type":"ProgramBenchmarks","Method":"Jit","Parameters":"ProgramName=nbody","Statistics":{"Mean":2000000,"StandardDeviation":200000}}]}
        """;

    public string Root { get; } = Directory.CreateTempSubdirectory("reports-history").FullName;

    public string Results => Path.Combine(Root, "results");

    public string Output => Path.Combine(Root, "out");

    public string HistoryFile => Path.Combine(Root, "history", "history.jsonl");

    public TwoRuns()
    {
        Directory.CreateDirectory(Path.Combine(Results, "fuzz"));
        File.WriteAllText(Path.Combine(Results, "bench.json"), BenchmarkJson);
        Run(FirstCommit, passed: 3, execsPerSecond: 500, day: 1);
        Run(SecondCommit, passed: 4, execsPerSecond: 650, day: 2);
    }

    private void Run(string commit, int passed, double execsPerSecond, int day)
    {
        File.WriteAllText(Path.Combine(Results, "spec.json"), SpecJson(passed));
        File.WriteAllText(Path.Combine(Results, "fuzz", "decode.json"),
            $$"""{"target":"decode","runTimeSeconds":60,"executions":{{execsPerSecond * 60}},"execsPerSecond":{{execsPerSecond}},"pathsFound":{{day * 10}}}""");
        var metadata = new RunMetadata(commit, new DateTimeOffset(2026, 12, day, 4, 0, 0, TimeSpan.Zero), "ci-runner: 2 logical cores", $"0.{day}0 0.20 0.30");
        Site.Write(Inputs.Read(Results), metadata, Output, HistoryFile);
    }

    public string Page(string relative) => File.ReadAllText(Path.Combine(Output, relative));

    public static XDocument Parse(string html)
    {
        using var reader = XmlReader.Create(new StringReader(html), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore });
        return XDocument.Load(reader);
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

public sealed class HistoryTests(TwoRuns runs) : IClassFixture<TwoRuns>
{
    private const string SkippedPage = "spec/spec/wasmtime/proposals/gc/b.wast.html";

    private static XElement TrendChart(XDocument page, string title) =>
        page.Descendants().Single(e => e.Name.LocalName == "svg" && (string?)e.Attribute("aria-label") == title);

    private static List<XElement> Points(XElement chart) =>
        [.. chart.Descendants().Where(e => e.Name.LocalName == "circle" && (string?)e.Attribute("class") == "point")];

    [Fact]
    public void Each_run_appends_one_line_with_its_metadata_and_numbers()
    {
        var problems = new List<string>();
        var history = History.Read(runs.HistoryFile, problems);
        Assert.Empty(problems);
        Assert.Equal([TwoRuns.FirstCommit, TwoRuns.SecondCommit], history.Select(h => h.Run.Commit));
        Assert.Equal("0.20 0.20 0.30", history[1].Run.LoadAverage);
        Assert.Equal([(4, 1, 0), (5, 1, 0)], history.Select(h => h.Spec.Single(s => s.Engine == "interp") is var s ? (s.Passed, s.Failed, s.Skipped) : default));
        Assert.Equal(2.0 * Math.Sqrt(1.5), history[1].Benchmarks.Single().Geomean, precision: 9); // sqrt(3 * 2)
        Assert.Equal("Native", history[1].Benchmarks.Single().Baseline);
        Assert.Equal([500.0, 650.0], history.Select(h => h.Fuzz.Single().ExecsPerSecond));
    }

    [Fact]
    public void The_page_draws_a_trend_with_one_point_per_run()
    {
        var page = TwoRuns.Parse(runs.Page("index.html"));
        var passed = TrendChart(page, "Passed: spec.json (profile wasm2)");
        var points = Points(passed);
        Assert.Equal(4, points.Count); // two runs × two engines
        Assert.Contains(points, p => p.Value == "interp at 111111111111: 4"); // passed = a.wast's 3 + b.wast's 1
        Assert.Contains(points, p => p.Value == "interp at 222222222222: 5");
        Assert.Equal(2, Points(TrendChart(page, "Fuzz decode: execs/s")).Count);
        Assert.Equal(2, Points(TrendChart(page, "ProgramBenchmarks: geomean time / Native")).Count);
        // The two interp points are at different heights: the line rises with the pass count.
        var heights = points.Where(p => p.Value.StartsWith("interp", StringComparison.Ordinal)).Select(p => (string?)p.Attribute("cy")).Distinct();
        Assert.Equal(2, heights.Count());
    }

    [Fact]
    public void The_header_names_the_commit_date_machine_and_load()
    {
        var meta = TwoRuns.Parse(runs.Page("index.html")).Descendants("p").Single(p => (string?)p.Attribute("class") == "meta").Value;
        Assert.Contains(TwoRuns.SecondCommit, meta, StringComparison.Ordinal);
        Assert.Contains("2026-12-02 04:00:00Z", meta, StringComparison.Ordinal);
        Assert.Contains("ci-runner: 2 logical cores", meta, StringComparison.Ordinal);
        Assert.Contains("0.20 0.20 0.30", meta, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_cell_links_to_its_drill_down_page_and_shows_its_skips()
    {
        var page = TwoRuns.Parse(runs.Page("index.html"));
        var links = page.Descendants("td").SelectMany(td => td.Elements("a")).ToDictionary(a => (string)a.Attribute("href")!, a => (Class: (string?)a.Parent!.Attribute("class"), a.Value));
        Assert.Equal(("part", "1 / 0 / 1 skipped"), links[SkippedPage]);
        Assert.Equal(("fail", "1 / 1"), links["spec/spec/interp/proposals/gc/b.wast.html"]);
        Assert.Equal(4, links.Count);
        Assert.All(links.Keys, href => Assert.True(File.Exists(Path.Combine(runs.Output, href)), href));
    }

    [Fact]
    public void A_drill_down_page_lists_a_skipped_command_with_its_line_and_reason()
    {
        var page = TwoRuns.Parse(runs.Page(SkippedPage));
        var rows = page.Descendants("tr").Skip(1).Select(tr => tr.Elements("td").Select(td => td.Value).ToList()).ToList();
        Assert.Equal([["12", "assert_return invoke \"g\"", "skipped", "–", "–", "wasmtime's .NET API cannot pass a GC reference"]], rows);
        Assert.Equal("../../../../../index.html#conformance", (string?)page.Descendants("a").First().Attribute("href"));
    }

    [Fact]
    public void A_drill_down_page_lists_a_failure_with_expected_and_actual()
    {
        var rows = TwoRuns.Parse(runs.Page("spec/spec/interp/proposals/gc/b.wast.html")).Descendants("tr").Skip(1)
            .Select(tr => tr.Elements("td").Select(td => td.Value).ToList()).ToList();
        Assert.Equal([["7", "assert_return invoke \"f\"", "failed", "(i32.const 2)", "(i32.const 1)", "result 0 is (i32.const 1), expected (i32.const 2)"]], rows);
        Assert.Contains("Every command passed.", runs.Page("spec/spec/interp/a.wast.html"), StringComparison.Ordinal);
    }

    [Fact]
    public void Benchmark_charts_have_error_bars_and_the_page_says_native_includes_process_start()
    {
        var html = runs.Page("index.html");
        var chart = TwoRuns.Parse(runs.Page("bench-ProgramBenchmarks.svg")).Root!;
        var whiskers = chart.Descendants().Where(e => e.Name.LocalName == "g" && (string?)e.Attribute("class") == "whisker").ToList();
        Assert.Equal(2, whiskers.Count); // one per kernel; the geomean has none
        // sort: 3× ± sqrt(0.1² + 0.05²) = ±11.18 %
        Assert.Contains(whiskers, w => w.Value == "sort Jit: 2.66× to 3.34×");
        Assert.Contains("includes process start", html, StringComparison.Ordinal);
        Assert.Contains("6 ± 0.6", html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_page_has_no_scripts()
    {
        Assert.DoesNotContain("<script", runs.Page("index.html"), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", runs.Page(SkippedPage), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_history_line_that_does_not_parse_is_reported_and_the_rest_still_drawn()
    {
        var file = Path.Combine(runs.Root, "broken.jsonl");
        File.WriteAllLines(file, [
            .. File.ReadAllLines(runs.HistoryFile), "{\"run\": 3", "[]", "",
            """{"run":{"commit":"c","date":"2026-12-01T00:00:00Z","machine":"m"},"spec":[null],"benchmarks":[],"fuzz":[],"differential":[]}""",
            """{"run":{"date":"2026-12-01T00:00:00Z","machine":"m"},"spec":[],"benchmarks":[],"fuzz":[],"differential":[]}"""]);
        var problems = new List<string>();
        var history = History.Read(file, problems);
        Assert.Equal(2, history.Count);
        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.Contains("broken.jsonl:3", StringComparison.Ordinal));
        Assert.Empty(History.Read(Path.Combine(runs.Root, "missing.jsonl"), problems));
    }

    /// <summary>The same checks in a real browser: Chromium's DOM of the page, then of the drill-down page.</summary>
    [ChromiumFact]
    public void In_headless_chromium_the_trend_has_two_points_and_the_drill_down_page_lists_the_skip()
    {
        var work = Path.Combine(runs.Root, "chromium");
        Directory.CreateDirectory(work);

        var (exitCode, dom, log) = HeadlessChromium.DumpDom(Path.Combine(runs.Output, "index.html"), work);
        Assert.True(exitCode == 0, $"chromium exited with {exitCode}:\n{log}");
        var chart = Regex.Match(dom, @"<svg[^>]*aria-label=""Fuzz decode: execs/s"".*?</svg>", RegexOptions.Singleline);
        Assert.True(chart.Success, "no fuzz trend in Chromium's DOM:\n" + dom[..Math.Min(dom.Length, 2000)]);
        Assert.Equal(2, Regex.Matches(chart.Value, @"<circle class=""point""").Count);
        Assert.Contains("decode at 111111111111: 500", chart.Value, StringComparison.Ordinal);
        Assert.Contains("decode at 222222222222: 650", chart.Value, StringComparison.Ordinal);
        Assert.Contains(">1 / 0 / 1 skipped</a>", dom, StringComparison.Ordinal);

        (exitCode, dom, log) = HeadlessChromium.DumpDom(Path.Combine(runs.Output, SkippedPage), work);
        Assert.True(exitCode == 0, $"chromium exited with {exitCode}:\n{log}");
        Assert.Matches(@"<tr class=""skip""><td>12</td><td>assert_return invoke ""g""</td><td>skipped</td><td>–</td><td>–</td><td>wasmtime's \.NET API cannot pass a GC reference</td></tr>", dom);

        var screenshot = HeadlessChromium.Screenshot(Path.Combine(runs.Output, "index.html"), work);
        Assert.True(screenshot.ConsoleMessages.Count == 0, "console: " + string.Join("\n", screenshot.ConsoleMessages));
    }
}
