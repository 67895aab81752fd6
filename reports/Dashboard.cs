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

    /// <summary>
    /// Each engine's ratio to the baseline per kernel, give or take one standard deviation of both means (first-order
    /// propagation: the relative deviations add in quadrature); NaN where a deviation is unknown. The low end is
    /// cut at a tenth of the ratio so that a noisy run keeps a drawable whisker on a log scale.
    /// </summary>
    public static IReadOnlyDictionary<string, (double Low, double High)[]> RatioRanges(IReadOnlyList<BenchmarkResult> results)
    {
        var baseline = Baseline(results);
        var (kernels, ratios, _) = Ratios(results);
        return ratios.ToDictionary(pair => pair.Key, pair => kernels.Select((kernel, k) =>
        {
            var time = results.FirstOrDefault(r => r.Kernel == kernel && r.Engine == pair.Key);
            var reference = results.FirstOrDefault(r => r.Kernel == kernel && r.Engine == baseline);
            if (time?.StdDevNanoseconds is not { } sdTime || reference?.StdDevNanoseconds is not { } sdReference || !double.IsFinite(pair.Value[k])
                || time.MeanNanoseconds <= 0 || reference.MeanNanoseconds <= 0)
            {
                return (double.NaN, double.NaN);
            }
            var relative = Math.Sqrt(Math.Pow(sdTime / time.MeanNanoseconds, 2) + Math.Pow(sdReference / reference.MeanNanoseconds, 2));
            var ratio = pair.Value[k];
            return (Math.Max(ratio * (1 - relative), ratio / 10), ratio * (1 + relative));
        }).ToArray());
    }

    /// <summary>One standalone SVG chart per benchmark suite, by suite name (written next to the page, for the README).</summary>
    public static IReadOnlyDictionary<string, string> BenchmarkCharts(IReadOnlyList<BenchmarkResult> benchmarks) =>
        benchmarks.GroupBy(b => b.Suite).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(
            suite => suite.Key,
            suite =>
            {
                var (kernels, ratios, geomean) = Ratios([.. suite]);
                return Charts.RatioBars($"{suite.Key}: time relative to {Baseline(suite)}", kernels, ratios, geomean, Baseline(suite), RatioRanges([.. suite]));
            });

    /// <summary>The page for results without a recorded run (tests, previews): no commit, machine or history.</summary>
    public static string Html(ResultSet results, DateTimeOffset generated) =>
        Html(results, new RunMetadata("unknown", generated, "unknown", null), []);

    /// <summary>
    /// The whole page: <paramref name="run"/> in the header, <paramref name="history"/> (oldest first, the current
    /// run last when it was recorded) as trend lines, then the latest results.
    /// </summary>
    public static string Html(ResultSet results, RunMetadata run, IReadOnlyList<HistoryEntry> history)
    {
        var html = new StringBuilder();
        html.Append(Head("WasmHarness dashboard"));
        html.Append("<h1>WasmHarness dashboard</h1>");
        AppendMetadata(html, run);
        html.Append("<p><a href=\"#history\">History</a> · <a href=\"#conformance\">Conformance</a> · <a href=\"#benchmarks\">Benchmarks</a> · <a href=\"#fuzz\">Fuzzing</a> · <a href=\"#differential\">Differential testing</a></p>");

        html.Append("<h2 id=\"history\">History</h2>");
        AppendHistory(html, history);

        html.Append("<h2 id=\"conformance\">Conformance</h2>");
        if (results.Spec.Count == 0)
        {
            html.Append("<p class=\"note\">No spec-runner results (run <code>dotnet run --project spec-runner -c Release -- --engine all --json results/spec.json</code>).</p>");
        }
        foreach (var spec in results.Spec)
        {
            AppendMatrix(html, spec, RunFolder(results, spec));
        }

        html.Append("<h2 id=\"benchmarks\">Benchmarks</h2>");
        if (results.Benchmarks.Count == 0)
        {
            html.Append("<p class=\"note\">No benchmark results (run <code>dotnet run --project bench -c Release -- --filter '*ProgramBenchmarks*' '*StartupBenchmarks*'</code>).</p>");
        }
        if (results.Benchmarks.Any(b => b.Engine == "Native"))
        {
            html.Append("<p class=\"note\">The <b>Native</b> column includes process start: each native run is a new process (fork/exec, dynamic linking, libc start-up, exit), while the engines' runs are a new instance in the benchmark process; <code>StartupBenchmarks.Native</code> measures that cost alone (docs/bench.md).</p>");
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
        return Markdown(md, results);
    }

    /// <summary>The summary with the run's commit, machine and load average.</summary>
    public static string Markdown(ResultSet results, RunMetadata run)
    {
        var md = new StringBuilder();
        md.AppendLine("# WasmHarness results").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Commit `{run.Commit}`, {run.Date.ToString("u", CultureInfo.InvariantCulture)}, {run.Machine}, load average {run.LoadAverage ?? "unknown"}.").AppendLine();
        return Markdown(md, results);
    }

    private static string Markdown(StringBuilder md, ResultSet results)
    {
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

    private static void AppendMatrix(StringBuilder html, SpecRun run, string folder)
    {
        html.Append($"<h3>{Encode(run.Source)} (profile {Encode(run.Profile)})</h3><p class=\"note\">Each cell: assertions passed / failed, then the skipped ones; it links to that script's failing and skipped commands. Green: all passed; amber: none failed but some skipped; red: any failed; grey: nothing ran.</p><table><tr><th>file</th>");
        foreach (var engine in run.Engines)
        {
            html.Append($"<th>{Encode(engine)}</th>");
        }
        html.Append("</tr><tr class=\"totals\"><td>total passed / failed / skipped</td>");
        foreach (var engine in run.Engines)
        {
            var files = run.Files[engine];
            var (passed, failed, skipped) = (files.Sum(f => f.Passed), files.Sum(f => f.Failed), files.Sum(f => f.Skipped));
            html.Append($"<td class=\"{CellClass(failed, passed, skipped)}\">{passed} / {failed} / {skipped}</td>");
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
                    html.Append($"<td class=\"{CellClass(file.Failed, file.Passed, file.Skipped)}\" title=\"{file.Passed} passed, {file.Failed} failed, {file.Skipped} skipped\"><a href=\"{Encode(DrillDownPath(folder, engine, name))}\">{CellText(file)}</a></td>");
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

    /// <summary>"passed / failed", and "/ N skipped" when any were: a skip is seen without hovering.</summary>
    public static string CellText(FileVerdicts file) =>
        file.Skipped > 0 ? $"{file.Passed} / {file.Failed} / {file.Skipped} skipped" : $"{file.Passed} / {file.Failed}";

    /// <summary>
    /// The folder of a spec run's drill-down pages under <c>spec/</c>: the result file's name, with a number added
    /// when two runs came from files of the same name (from different results folders).
    /// </summary>
    public static string RunFolder(ResultSet results, SpecRun run)
    {
        var stem = Slug(Path.GetFileNameWithoutExtension(run.Source));
        var same = results.Spec.Where(r => Slug(Path.GetFileNameWithoutExtension(r.Source)) == stem).ToList();
        return same.Count > 1 ? $"{stem}-{same.IndexOf(run) + 1}" : stem;
    }

    /// <summary>
    /// Where the page of one script on one engine goes, relative to index.html: <c>spec/RUN/ENGINE/SCRIPT.html</c>,
    /// the script's folders kept (<c>proposals/gc/array.wast</c>), every segment reduced to safe characters.
    /// </summary>
    public static string DrillDownPath(string runFolder, string engine, string script) =>
        string.Join('/', new[] { "spec", runFolder, Slug(engine) }.Concat(script.Split('/', '\\').Where(s => s.Length > 0).Select(Slug))) + ".html";

    /// <summary>Letters, digits, '.', '-' and '_' kept, anything else '_'; "." and ".." cannot escape the folder.</summary>
    private static string Slug(string segment)
    {
        var slug = new string([.. segment.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_')]);
        return slug is "" or "." or ".." ? "_" + slug : slug;
    }

    /// <summary>Every drill-down page of every spec run: one per script and engine, by its path relative to index.html.</summary>
    public static IEnumerable<(string Path, string Html)> DrillDownPages(ResultSet results, RunMetadata run)
    {
        foreach (var spec in results.Spec)
        {
            var folder = RunFolder(results, spec);
            foreach (var engine in spec.Engines)
            {
                foreach (var file in spec.Files[engine])
                {
                    var path = DrillDownPath(folder, engine, file.File);
                    yield return (path, DrillDown(spec, engine, file, run, string.Concat(Enumerable.Repeat("../", path.Count(c => c == '/')))));
                }
            }
        }
    }

    /// <summary>
    /// One script on one engine: its counts, and a row per failed or skipped command (line, command, verdict,
    /// expected, actual, reason), failures first. <paramref name="up"/> leads back to index.html.
    /// </summary>
    public static string DrillDown(SpecRun spec, string engine, FileVerdicts file, RunMetadata run, string up)
    {
        var html = new StringBuilder();
        html.Append(Head($"{file.File} on {engine}"));
        html.Append($"<p><a href=\"{Encode(up)}index.html#conformance\">← dashboard</a></p><h1>{Encode(file.File)} on {Encode(engine)}</h1>");
        AppendMetadata(html, run);
        html.Append($"<p>{Encode(spec.Source)}, profile {Encode(spec.Profile)}: <span class=\"{CellClass(file.Failed, file.Passed, file.Skipped)}\">{file.Passed} passed, {file.Failed} failed, {file.Skipped} skipped</span>.</p>");
        if (file.Error is { } error)
        {
            html.Append($"<p class=\"fail\">The script could not be run: {Encode(error)}</p>");
        }
        if (file.NotPassed is null)
        {
            html.Append("<p class=\"note\">This result file has no per-command results (written by an older spec runner): rerun <code>spec-runner --json</code> to see the commands.</p>");
        }
        else if (file.NotPassed.Count == 0)
        {
            html.Append("<p class=\"note\">Every command passed.</p>");
        }
        else
        {
            html.Append("<table class=\"commands\"><tr><th>line</th><th>command</th><th>verdict</th><th>expected</th><th>actual</th><th>reason</th></tr>");
            foreach (var command in file.NotPassed.OrderBy(c => c.Verdict == "Failed" ? 0 : 1).ThenBy(c => c.Line))
            {
                var verdict = command.Verdict == "Failed" ? "fail" : "skip";
                html.Append(CultureInfo.InvariantCulture, $"<tr class=\"{verdict}\"><td>{command.Line}</td><td>{Encode(command.Command)}</td><td>{Encode(command.Verdict.ToLowerInvariant())}</td><td>{Encode(command.Expected ?? "–")}</td><td>{Encode(command.Actual ?? "–")}</td><td>{Encode(command.Reason ?? "–")}</td></tr>");
            }
            html.Append("</table>");
        }
        html.Append("</body></html>\n");
        return html.ToString();
    }

    /// <summary>The commit, date, machine and load average of the run the page shows.</summary>
    private static void AppendMetadata(StringBuilder html, RunMetadata run) =>
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"meta\">Commit <code>{Encode(run.Commit)}</code> · {Encode(run.Date.ToString("u", CultureInfo.InvariantCulture))} · machine: {Encode(run.Machine)} · load average (1, 5, 15 min): {Encode(run.LoadAverage ?? "unknown")}</p>");

    /// <summary>
    /// Trend lines over the recorded runs (x: run, labelled by commit): passed assertions per spec run and engine,
    /// benchmark geomeans per suite and engine, fuzz execs/s per target, differential cases/s per campaign.
    /// </summary>
    private static void AppendHistory(StringBuilder html, IReadOnlyList<HistoryEntry> history)
    {
        if (history.Count == 0)
        {
            html.Append("<p class=\"note\">No history yet: each <code>dotnet run --project reports</code> appends this run's summary to <code>reports/history/history.jsonl</code> (or <code>--history FILE</code>), and the trends are drawn from it.</p>");
            return;
        }
        var runs = history.Select(h => h.Run.ShortCommit).ToList();
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">{history.Count} run(s), {Encode(history[0].Run.Date.ToString("u", CultureInfo.InvariantCulture))} to {Encode(history[^1].Run.Date.ToString("u", CultureInfo.InvariantCulture))}; x: one run, labelled by its commit. Compare timings only between runs on the same machine at a similar load (each run's are in the history file).</p><div class=\"trends\">");
        double[] Series<T>(Func<HistoryEntry, IEnumerable<T>> items, Func<T, double> value) =>
            [.. history.Select(h => items(h).Select(value).DefaultIfEmpty(double.NaN).First())];
        foreach (var group in history.SelectMany(h => h.Spec).Select(s => (s.Source, s.Profile)).Distinct().Order())
        {
            var engines = history.SelectMany(h => h.Spec).Where(s => (s.Source, s.Profile) == group).Select(s => s.Engine).Distinct().ToList();
            html.Append(Charts.TrendLines($"Passed: {group.Source} (profile {group.Profile})",
                runs, engines.ToDictionary(e => e, e => Series(h => h.Spec.Where(s => (s.Source, s.Profile) == group && s.Engine == e), s => (double)s.Passed))));
        }
        foreach (var suite in history.SelectMany(h => h.Benchmarks).Select(b => b.Suite).Distinct().Order(StringComparer.Ordinal))
        {
            var engines = history.SelectMany(h => h.Benchmarks).Where(b => b.Suite == suite).Select(b => b.Engine).Distinct().ToList();
            var baseline = history.SelectMany(h => h.Benchmarks).Last(b => b.Suite == suite).Baseline;
            html.Append(Charts.TrendLines($"{suite}: geomean time / {baseline}",
                runs, engines.ToDictionary(e => e, e => Series(h => h.Benchmarks.Where(b => b.Suite == suite && b.Engine == e), b => b.Geomean))));
        }
        foreach (var target in history.SelectMany(h => h.Fuzz).Select(f => f.Target).Distinct().Order(StringComparer.Ordinal))
        {
            html.Append(Charts.TrendLines($"Fuzz {target}: execs/s",
                runs, new Dictionary<string, double[]> { [target] = Series(h => h.Fuzz.Where(f => f.Target == target), f => f.ExecsPerSecond) }));
        }
        var campaigns = history.SelectMany(h => h.Differential).Select(d => d.Source).Distinct().Order(StringComparer.Ordinal).ToList();
        if (campaigns.Count > 0)
        {
            html.Append(Charts.TrendLines("Differential: cases/s",
                runs, campaigns.ToDictionary(c => c, c => Series(h => h.Differential.Where(d => d.Source == c), d => d.CasesPerSecond))));
        }
        html.Append("</div>");
    }

    private static string Head(string title) => $$"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"/><title>{{Encode(title)}}</title>
        <style>
        body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}
        table{border-collapse:collapse;font-size:13px;margin:0.5em 0 1em}
        td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}
        td:first-child,th:first-child{text-align:left}
        .commands td,.commands th{text-align:left;vertical-align:top}
        .pass{background:#c8efc8}.fail{background:#f5b5b5}.skip{background:#e4e4e4}.part{background:#f3e3a6}
        td a{color:inherit;text-decoration:none}td a:hover{text-decoration:underline}
        .totals td{font-weight:bold}
        .note,.meta{color:#555}
        .trends svg{margin:0 8px 8px 0}
        </style></head><body>
        """;

    /// <summary>Mean time and allocation per kernel and engine, with each engine's ratio to the baseline.</summary>
    private static void AppendBenchmarkTable(StringBuilder html, IReadOnlyList<BenchmarkResult> benchmarks)
    {
        var (kernels, ratios, geomean) = Ratios(benchmarks);
        var engines = ratios.Keys.ToList();
        html.Append("<table><tr><th>kernel</th>");
        foreach (var engine in engines)
        {
            html.Append($"<th>{Encode(engine)} ms ± sd</th><th>ratio</th><th>allocated</th>");
        }
        html.Append("</tr>");
        for (var k = 0; k < kernels.Count; k++)
        {
            html.Append($"<tr><td>{Encode(kernels[k])}</td>");
            foreach (var engine in engines)
            {
                var result = benchmarks.FirstOrDefault(b => b.Kernel == kernels[k] && b.Engine == engine);
                html.Append(CultureInfo.InvariantCulture, $"<td>{(result is null ? "–" : Milliseconds(result))}</td><td>{Charts.Ratio(ratios[engine][k])}</td><td>{Bytes(result?.AllocatedBytes)}</td>");
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

    /// <summary>Mean ± standard deviation in milliseconds, as BenchmarkDotNet measured them.</summary>
    private static string Milliseconds(BenchmarkResult result) =>
        (result.MeanNanoseconds / 1e6).ToString("0.###", CultureInfo.InvariantCulture)
        + (result.StdDevNanoseconds is { } sd ? " ± " + (sd / 1e6).ToString("0.###", CultureInfo.InvariantCulture) : "");

    private static string Bytes(double? bytes) => bytes switch
    {
        null => "–",
        >= 1 << 20 => (bytes.Value / (1 << 20)).ToString("0.#", CultureInfo.InvariantCulture) + " MB",
        >= 1 << 10 => (bytes.Value / (1 << 10)).ToString("0.#", CultureInfo.InvariantCulture) + " KB",
        _ => bytes.Value.ToString("0", CultureInfo.InvariantCulture) + " B",
    };

    private static string CellClass(int failed, int passed, int skipped) => failed > 0 ? "fail" : passed > 0 ? (skipped > 0 ? "part" : "pass") : "skip";

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
