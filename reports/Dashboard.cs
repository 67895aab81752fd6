using System.Globalization;
using System.Net;
using System.Text;

namespace WasmHarness.Reports;

/// <summary>
/// Renders results as one self-contained HTML page (inline CSS and SVG, no scripts, nothing fetched: it works
/// offline and in CI artifacts) and as a Markdown summary with the same numbers. Every section says how to
/// produce its results when there are none.
/// </summary>
public static class Dashboard
{
    /// <summary>The engine every benchmark ratio is taken against: the native build when measured, else wasmtime.</summary>
    public static string Baseline(IEnumerable<BenchmarkResult> results) =>
        results.Any(r => r.Engine == "Native") ? "Native" : "Wasmtime";

    /// <summary>Each engine's time over the baseline's, per kernel, and the geometric mean over kernels.</summary>
    public static (IReadOnlyList<string> Kernels, IReadOnlyDictionary<string, double[]> Ratios, IReadOnlyDictionary<string, double> Geomean) Ratios(IReadOnlyList<BenchmarkResult> results)
    {
        var baseline = Baseline(results);
        var kernels = results.Select(r => r.Kernel).Distinct().Order(StringComparer.Ordinal).ToList();
        var engines = results.Select(r => r.Engine).Distinct().OrderBy(e => e == baseline ? "" : e, StringComparer.Ordinal).ToList();
        var ratios = new Dictionary<string, double[]>();
        foreach (var engine in engines)
        {
            ratios[engine] = [.. kernels.Select(kernel =>
            {
                var time = results.FirstOrDefault(r => r.Kernel == kernel && r.Engine == engine)?.MeanNanoseconds;
                var reference = results.FirstOrDefault(r => r.Kernel == kernel && r.Engine == baseline)?.MeanNanoseconds;
                return time is { } t && reference is { } b && b > 0 ? t / b : double.NaN;
            })];
        }
        var geomean = ratios.ToDictionary(
            pair => pair.Key,
            pair => pair.Value.Where(double.IsFinite).ToList() is { Count: > 0 } finite ? Math.Exp(finite.Average(Math.Log)) : double.NaN);
        return (kernels, ratios, geomean);
    }

    /// <summary>One standalone SVG chart per benchmark suite, by suite name (written next to the page, for the README).</summary>
    public static IReadOnlyDictionary<string, string> BenchmarkCharts(IReadOnlyList<BenchmarkResult> benchmarks) =>
        benchmarks.GroupBy(b => b.Suite).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(
            suite => suite.Key,
            suite =>
            {
                var (kernels, ratios, geomean) = Ratios([.. suite]);
                return Charts.RatioBars($"{suite.Key}: time relative to {Baseline(suite)}", kernels, ratios, geomean, Baseline(suite));
            });

    public static string Html(ResultSet results, DateTimeOffset generated)
    {
        var html = new StringBuilder();
        html.Append("""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"/><title>WasmHarness dashboard</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}
            table{border-collapse:collapse;font-size:13px;margin:0.5em 0 1em}
            td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}
            td:first-child,th:first-child{text-align:left}
            .pass{background:#c8efc8}.fail{background:#f5b5b5}.skip{background:#e4e4e4}
            .totals td{font-weight:bold}
            .note{color:#555}
            .trends svg{margin:0 8px 8px 0}
            </style></head><body>
            """);
        html.Append($"<h1>WasmHarness dashboard</h1><p class=\"note\">Generated {Encode(generated.ToString("u", CultureInfo.InvariantCulture))}.</p>");
        html.Append("<p><a href=\"#conformance\">Conformance</a> · <a href=\"#benchmarks\">Benchmarks</a> · <a href=\"#fuzz\">Fuzzing</a> · <a href=\"#differential\">Differential testing</a></p>");

        html.Append("<h2 id=\"conformance\">Conformance</h2>");
        if (results.Spec.Count == 0)
        {
            html.Append("<p class=\"note\">No spec-runner results (run <code>dotnet run --project spec-runner -c Release -- --engine all --json results/spec.json</code>).</p>");
        }
        foreach (var run in results.Spec)
        {
            AppendMatrix(html, run);
        }

        html.Append("<h2 id=\"benchmarks\">Benchmarks</h2>");
        if (results.Benchmarks.Count == 0)
        {
            html.Append("<p class=\"note\">No benchmark results (run <code>dotnet run --project bench -c Release -- --filter '*ProgramBenchmarks*' '*StartupBenchmarks*'</code>).</p>");
        }
        var charts = BenchmarkCharts(results.Benchmarks);
        foreach (var suite in results.Benchmarks.GroupBy(b => b.Suite).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            html.Append($"<h3>{Encode(suite.Key)}</h3>");
            if (suite.Select(b => b.Kernel).Distinct().Count() > 1)
            {
                html.Append(charts[suite.Key]);
            }
            AppendBenchmarkTable(html, [.. suite]);
        }

        html.Append("<h2 id=\"fuzz\">Fuzzing</h2>");
        AppendFuzz(html, results.Fuzz);

        html.Append("<h2 id=\"differential\">Differential testing</h2>");
        AppendDifferential(html, results);

        if (results.Problems.Count > 0)
        {
            html.Append("<h2>Files not read</h2><ul>");
            foreach (var problem in results.Problems)
            {
                html.Append($"<li>{Encode(problem)}</li>");
            }
            html.Append("</ul>");
        }
        html.Append("</body></html>\n");
        return html.ToString();
    }

    public static string Markdown(ResultSet results, DateTimeOffset generated)
    {
        var md = new StringBuilder();
        md.AppendLine("# WasmHarness results").AppendLine().AppendLine($"Generated {generated.ToString("u", CultureInfo.InvariantCulture)}.").AppendLine();
        foreach (var run in results.Spec)
        {
            md.AppendLine($"## Conformance ({run.Source}, profile {run.Profile})").AppendLine();
            md.AppendLine("| engine | passed | failed | skipped | files with failures |").AppendLine("|---|---:|---:|---:|---|");
            foreach (var engine in run.Engines)
            {
                var files = run.Files[engine];
                var failing = files.Where(f => f.Failed > 0).Select(f => f.File).ToList();
                md.AppendLine($"| {engine} | {files.Sum(f => f.Passed)} | {files.Sum(f => f.Failed)} | {files.Sum(f => f.Skipped)} | {(failing.Count == 0 ? "none" : string.Join(", ", failing))} |");
            }
            md.AppendLine();
        }
        foreach (var suite in results.Benchmarks.GroupBy(b => b.Suite).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var (kernels, ratios, geomean) = Ratios([.. suite]);
            md.AppendLine($"## Benchmarks: {suite.Key} (time relative to {Baseline(suite)})").AppendLine();
            md.AppendLine($"| engine | {string.Join(" | ", kernels)} | geomean |").AppendLine($"|---|{string.Concat(kernels.Select(_ => "---:|"))}---:|");
            foreach (var (engine, values) in ratios)
            {
                md.AppendLine($"| {engine} | {string.Join(" | ", values.Select(v => Charts.Ratio(v)))} | {Charts.Ratio(geomean[engine])} |");
            }
            md.AppendLine();
        }
        if (results.Fuzz.Count > 0)
        {
            md.AppendLine("## Fuzz campaigns (latest per target)").AppendLine();
            md.AppendLine("| target | date | seconds | instances | executions | execs/s | paths found | coverage | crashes | hangs |").AppendLine("|---|---|---:|---:|---:|---:|---:|---|---:|---:|");
            foreach (var c in LatestPerTarget(results.Fuzz))
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {c.Target} | {c.When:yyyy-MM-dd} | {c.RunTimeSeconds} | {c.Instances} | {c.Executions} | {c.ExecsPerSecond:0.#} | {c.PathsFound} | {c.BitmapCoverage ?? "–"} | {c.Crashes} | {c.Hangs} |");
            }
            md.AppendLine();
        }
        if (results.Differential.Count > 0 || results.Faults.Count > 0)
        {
            md.AppendLine("## Differential testing").AppendLine();
            foreach (var c in results.Differential)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- {c.Source}: {c.Engines}, seed {c.Seed}, {c.Jobs} job(s): {c.Cases} cases in {c.Seconds:0} s, {c.Agreed} agreed, {c.Divergences} divergences, {c.Inconclusive} inconclusive");
            }
            foreach (var f in results.Faults)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- {f.Source}: {f.Engines}: {f.Detected}/{f.Faults} injected faults detected, median {f.MedianSecondsToDetect:0.0} s{(f.Undetected.Count > 0 ? "; missed: " + string.Join(", ", f.Undetected) : "")}");
            }
            md.AppendLine();
        }
        return md.ToString();
    }

    /// <summary>The newest campaign of each target, by target name.</summary>
    public static IEnumerable<FuzzCampaign> LatestPerTarget(IEnumerable<FuzzCampaign> campaigns) =>
        campaigns.GroupBy(c => c.Target).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => g.MaxBy(c => c.When)!);

    private static void AppendMatrix(StringBuilder html, SpecRun run)
    {
        html.Append($"<h3>{Encode(run.Source)} (profile {Encode(run.Profile)})</h3><p class=\"note\">Each cell: assertions passed / failed (hover: skipped). Green: all passed; red: any failed; grey: nothing ran.</p><table><tr><th>file</th>");
        foreach (var engine in run.Engines)
        {
            html.Append($"<th>{Encode(engine)}</th>");
        }
        html.Append("</tr><tr class=\"totals\"><td>total passed / failed / skipped</td>");
        foreach (var engine in run.Engines)
        {
            var files = run.Files[engine];
            html.Append($"<td class=\"{CellClass(files.Sum(f => f.Failed), files.Sum(f => f.Passed))}\">{files.Sum(f => f.Passed)} / {files.Sum(f => f.Failed)} / {files.Sum(f => f.Skipped)}</td>");
        }
        html.Append("</tr>");
        var names = run.Engines.SelectMany(e => run.Files[e].Select(f => f.File)).Distinct().ToList();
        foreach (var name in names)
        {
            html.Append($"<tr><td>{Encode(name)}</td>");
            foreach (var engine in run.Engines)
            {
                if (run.Files[engine].FirstOrDefault(f => f.File == name) is { } file)
                {
                    html.Append($"<td class=\"{CellClass(file.Failed, file.Passed)}\" title=\"{file.Skipped} skipped\">{file.Passed} / {file.Failed}</td>");
                }
                else
                {
                    html.Append("<td class=\"skip\">–</td>");
                }
            }
            html.Append("</tr>");
        }
        html.Append("</table>");
    }

    /// <summary>Mean time and allocation per kernel and engine, with each engine's ratio to the baseline.</summary>
    private static void AppendBenchmarkTable(StringBuilder html, IReadOnlyList<BenchmarkResult> benchmarks)
    {
        var (kernels, ratios, geomean) = Ratios(benchmarks);
        var engines = ratios.Keys.ToList();
        html.Append("<table><tr><th>kernel</th>");
        foreach (var engine in engines)
        {
            html.Append($"<th>{Encode(engine)} ms</th><th>ratio</th><th>allocated</th>");
        }
        html.Append("</tr>");
        for (var k = 0; k < kernels.Count; k++)
        {
            html.Append($"<tr><td>{Encode(kernels[k])}</td>");
            foreach (var engine in engines)
            {
                var result = benchmarks.FirstOrDefault(b => b.Kernel == kernels[k] && b.Engine == engine);
                html.Append(CultureInfo.InvariantCulture, $"<td>{(result is null ? "–" : (result.MeanNanoseconds / 1e6).ToString("0.###", CultureInfo.InvariantCulture))}</td><td>{Charts.Ratio(ratios[engine][k])}</td><td>{Bytes(result?.AllocatedBytes)}</td>");
            }
            html.Append("</tr>");
        }
        html.Append("<tr class=\"totals\"><td>geomean</td>");
        foreach (var engine in engines)
        {
            html.Append($"<td></td><td>{Charts.Ratio(geomean[engine])}</td><td></td>");
        }
        html.Append("</tr></table>");
    }

    private static void AppendFuzz(StringBuilder html, IReadOnlyList<FuzzCampaign> campaigns)
    {
        if (campaigns.Count == 0)
        {
            html.Append("<p class=\"note\">No fuzz campaign results (<code>fuzz/run.sh TARGET SECONDS</code> writes <code>results/fuzz/TARGET.json</code>; keep older ones in <code>results/fuzz/history/</code> for trends).</p>");
            return;
        }
        html.Append("<h3>Latest campaign per target</h3><table><tr><th>target</th><th>date</th><th>seconds</th><th>instances</th><th>executions</th><th>execs/s</th><th>paths found</th><th>queue</th><th>coverage</th><th>crashes</th><th>hangs</th></tr>");
        foreach (var c in LatestPerTarget(campaigns))
        {
            var flagged = c.Crashes + c.Hangs > 0 ? " class=\"fail\"" : " class=\"pass\"";
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Encode(c.Target)}</td><td>{c.When:yyyy-MM-dd HH:mm}</td><td>{c.RunTimeSeconds}</td><td>{c.Instances}</td><td>{c.Executions}</td><td>{c.ExecsPerSecond:0.#}</td><td>{c.PathsFound}</td><td>{c.PathsTotal}</td><td>{Encode(c.BitmapCoverage ?? "–")}</td><td{flagged}>{c.Crashes}</td><td{flagged}>{c.Hangs}</td></tr>");
        }
        html.Append("</table><p class=\"note\">Crashes and hangs are what AFL++ saved; fuzz/triage.sh decides which are findings (docs/fuzzing.md).</p>");
        html.Append("<h3>Trends</h3><div class=\"trends\">");
        foreach (var target in campaigns.GroupBy(c => c.Target).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var ordered = target.OrderBy(c => c.When).ToList();
            html.Append(Charts.Trend($"{target.Key}: execs/s", [.. ordered.Select(c => (c.When, c.ExecsPerSecond))]));
            html.Append(Charts.Trend($"{target.Key}: paths found", [.. ordered.Select(c => (c.When, (double)c.PathsFound))]));
        }
        html.Append("</div>");
    }

    private static void AppendDifferential(StringBuilder html, ResultSet results)
    {
        if (results.Differential.Count == 0 && results.Faults.Count == 0)
        {
            html.Append("<p class=\"note\">No differential results (<code>dotnet run --project differential -c Release -- --seconds 60 --json results/differential/campaign.json</code>).</p>");
            return;
        }
        if (results.Differential.Count > 0)
        {
            html.Append("<h3>Campaigns</h3><table><tr><th>file</th><th>engines</th><th>seed</th><th>cases</th><th>agreed</th><th>divergences</th><th>inconclusive</th><th>invalid modules</th><th>worker crashes</th><th>jobs</th><th>seconds</th><th>cases/s</th></tr>");
            foreach (var c in results.Differential)
            {
                var verdict = c.Divergences > 0 ? "fail" : "pass";
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Encode(c.Source)}</td><td>{Encode(c.Engines)}</td><td>{c.Seed}</td><td>{c.Cases}</td><td>{c.Agreed}</td><td class=\"{verdict}\">{c.Divergences}</td><td>{c.Inconclusive}</td><td>{c.InvalidModules}</td><td class=\"{(c.WorkerCrashes > 0 ? "fail" : "pass")}\">{c.WorkerCrashes}</td><td>{c.Jobs}</td><td>{c.Seconds:0}</td><td>{c.CasesPerSecond:0.#}</td></tr>");
            }
            html.Append("</table>");
        }
        if (results.Faults.Count > 0)
        {
            html.Append("<h3>Fault injection (does a campaign find a planted bug?)</h3><table><tr><th>file</th><th>engines</th><th>detected</th><th>median seconds to detect</th><th>missed</th></tr>");
            foreach (var f in results.Faults)
            {
                var verdict = f.Detected == f.Faults ? "pass" : "fail";
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Encode(f.Source)}</td><td>{Encode(f.Engines)}</td><td class=\"{verdict}\">{f.Detected} / {f.Faults}</td><td>{f.MedianSecondsToDetect:0.0}</td><td>{Encode(f.Undetected.Count == 0 ? "none" : string.Join(", ", f.Undetected))}</td></tr>");
            }
            html.Append("</table>");
            FaultMatrix(html, results.Faults);
        }
    }

    /// <summary>
    /// One row per fault, one column per fault benchmark run: seconds and generated cases to detection, or "missed";
    /// the slowest detections are what a generator change must improve.
    /// </summary>
    private static void FaultMatrix(StringBuilder html, IReadOnlyList<FaultBenchmark> runs)
    {
        var withResults = runs.Where(r => r.Results.Count > 0).ToList();
        if (withResults.Count == 0)
        {
            return;
        }
        html.Append("<h4>Time to detect each fault (seconds / cases generated)</h4><table><tr><th>area</th><th>fault</th>");
        foreach (var run in withResults)
        {
            html.Append(CultureInfo.InvariantCulture, $"<th>{Encode(run.Engines)}<br/><small>{Encode(run.Source)}</small></th>");
        }
        html.Append("</tr>");
        var faults = withResults.SelectMany(r => r.Results).GroupBy(r => r.Fault).Select(g => (g.Key, g.First().Area));
        foreach (var (fault, area) in faults)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Encode(area)}</td><td>{Encode(fault)}</td>");
            foreach (var run in withResults)
            {
                var result = run.Results.FirstOrDefault(r => r.Fault == fault);
                html.Append(result switch
                {
                    null => "<td>–</td>",
                    { Detected: true } => string.Create(CultureInfo.InvariantCulture, $"<td class=\"pass\">{result.Seconds:0.00} s / {result.Cases}</td>"),
                    _ => string.Create(CultureInfo.InvariantCulture, $"<td class=\"fail\">missed ({result.Seconds:0} s / {result.Cases})</td>"),
                });
            }
            html.Append("</tr>");
        }
        html.Append("</table>");
    }

    private static string Bytes(double? bytes) => bytes switch
    {
        null => "–",
        >= 1 << 20 => (bytes.Value / (1 << 20)).ToString("0.#", CultureInfo.InvariantCulture) + " MB",
        >= 1 << 10 => (bytes.Value / (1 << 10)).ToString("0.#", CultureInfo.InvariantCulture) + " KB",
        _ => bytes.Value.ToString("0", CultureInfo.InvariantCulture) + " B",
    };

    private static string CellClass(int failed, int passed) => failed > 0 ? "fail" : passed > 0 ? "pass" : "skip";

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
