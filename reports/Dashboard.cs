using System.Globalization;
using System.Net;
using System.Text;

namespace WasmHarness.Reports;

/// <summary>
/// Renders results as one self-contained HTML page (inline CSS and SVG, no scripts, nothing fetched: it works
/// offline and in CI artifacts) and as a Markdown summary with the same numbers.
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

    public static string Html(IReadOnlyList<SpecRun> spec, IReadOnlyList<BenchmarkResult> benchmarks, DateTimeOffset generated)
    {
        var html = new StringBuilder();
        html.Append("""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"/><title>WasmHarness dashboard</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:2em;color:#222}
            table{border-collapse:collapse;font-size:13px}
            td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}
            td:first-child,th:first-child{text-align:left}
            .pass{background:#c8efc8}.fail{background:#f5b5b5}.skip{background:#e4e4e4}
            .totals td{font-weight:bold}
            </style></head><body>
            """);
        html.Append($"<h1>WasmHarness dashboard</h1><p>Generated {Encode(generated.ToString("u", CultureInfo.InvariantCulture))}.</p>");

        html.Append("<h2>Conformance</h2>");
        if (spec.Count == 0)
        {
            html.Append("<p>No spec-runner results (run <code>dotnet run --project spec-runner -c Release -- --engine all --json results/spec.json</code>).</p>");
        }
        foreach (var run in spec)
        {
            AppendMatrix(html, run);
        }

        html.Append("<h2>Benchmarks</h2>");
        if (benchmarks.Count == 0)
        {
            html.Append("<p>No benchmark results (run <code>dotnet run --project bench -c Release -- --filter '*' --exporters json</code>).</p>");
        }
        foreach (var suite in benchmarks.GroupBy(b => b.Suite).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            html.Append($"<h3>{Encode(suite.Key)}</h3>");
            AppendBenchmarks(html, [.. suite]);
        }
        html.Append("</body></html>\n");
        return html.ToString();
    }

    public static string Markdown(IReadOnlyList<SpecRun> spec, IReadOnlyList<BenchmarkResult> benchmarks, DateTimeOffset generated)
    {
        var md = new StringBuilder();
        md.AppendLine("# WasmHarness results").AppendLine().AppendLine($"Generated {generated.ToString("u", CultureInfo.InvariantCulture)}.").AppendLine();
        foreach (var run in spec)
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
        foreach (var suite in benchmarks.GroupBy(b => b.Suite).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var (kernels, ratios, geomean) = Ratios([.. suite]);
            md.AppendLine($"## Benchmarks: {suite.Key} (time relative to {Baseline(suite)})").AppendLine();
            md.AppendLine($"| engine | {string.Join(" | ", kernels)} | geomean |").AppendLine($"|---|{string.Concat(kernels.Select(_ => "---:|"))}---:|");
            foreach (var (engine, values) in ratios)
            {
                md.AppendLine($"| {engine} | {string.Join(" | ", values.Select(Ratio))} | {Ratio(geomean[engine])} |");
            }
            md.AppendLine();
        }
        return md.ToString();
    }

    private static void AppendMatrix(StringBuilder html, SpecRun run)
    {
        html.Append($"<h3>{Encode(run.Source)} (profile {Encode(run.Profile)})</h3><table><tr><th>file</th>");
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
        var names = run.Files[run.Engines[0]].Select(f => f.File).ToList();
        for (var i = 0; i < names.Count; i++)
        {
            html.Append($"<tr><td>{Encode(names[i])}</td>");
            foreach (var engine in run.Engines)
            {
                var file = run.Files[engine][i];
                html.Append($"<td class=\"{CellClass(file.Failed, file.Passed)}\" title=\"{file.Skipped} skipped\">{file.Passed} / {file.Failed}</td>");
            }
            html.Append("</tr>");
        }
        html.Append("</table>");
    }

    /// <summary>A bar chart per kernel (log scale, so 1× and 100× both read), then the geomean.</summary>
    private static void AppendBenchmarks(StringBuilder html, IReadOnlyList<BenchmarkResult> benchmarks)
    {
        var (kernels, ratios, geomean) = Ratios(benchmarks);
        var rows = kernels.Select((kernel, k) => (Label: kernel, Values: ratios.Select(pair => (Engine: pair.Key, Ratio: pair.Value[k])).ToList()))
            .Append((Label: "geomean", Values: ratios.Select(pair => (Engine: pair.Key, Ratio: geomean[pair.Key])).ToList()))
            .ToList();
        const int barHeight = 16, labelWidth = 170, chartWidth = 520;
        var max = Math.Max(2, rows.SelectMany(r => r.Values).Select(v => v.Ratio).Where(double.IsFinite).DefaultIfEmpty(2).Max());
        var scale = chartWidth / Math.Log10(max * 1.2);
        var height = rows.Sum(r => (r.Values.Count * barHeight) + 10) + 20;
        html.Append($"<p>Time relative to {Encode(Baseline(benchmarks))} (lower is better; log scale).</p>");
        html.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{labelWidth + chartWidth + 80}\" height=\"{height}\" role=\"img\" aria-label=\"benchmark ratios\">");
        var y = 10;
        string[] colours = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2"];
        foreach (var (label, values) in rows)
        {
            for (var e = 0; e < values.Count; e++)
            {
                var (engine, ratio) = values[e];
                var width = double.IsFinite(ratio) ? Math.Max(1, Math.Log10(Math.Max(ratio, 1)) * scale) : 0;
                html.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{y + 12}\" font-size=\"12\">{Encode(e == 0 ? label : "")}</text>");
                html.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth - 75}\" y=\"{y + 12}\" font-size=\"11\">{Encode(engine)}</text>");
                html.Append(CultureInfo.InvariantCulture, $"<rect x=\"{labelWidth}\" y=\"{y}\" width=\"{width:F1}\" height=\"{barHeight - 3}\" fill=\"{colours[e % colours.Length]}\"/>");
                html.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth + width + 4:F1}\" y=\"{y + 12}\" font-size=\"11\">{Encode(Ratio(ratio))}</text>");
                y += barHeight;
            }
            y += 10;
        }
        html.Append("</svg>");
    }

    private static string CellClass(int failed, int passed) => failed > 0 ? "fail" : passed > 0 ? "pass" : "skip";

    private static string Ratio(double ratio) => double.IsFinite(ratio) ? ratio.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "–";

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
