using System.Globalization;
using System.Net;
using System.Text;

namespace WasmHarness.Reports;

/// <summary>
/// Charts as standalone SVG documents (an <c>xmlns</c>, a white background, fonts from the system): the same text
/// is inlined in the HTML page and written as a .svg file, so a README can embed one. No scripts, nothing fetched.
/// </summary>
public static class Charts
{
    private static readonly string[] Colours = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1"];

    /// <summary>
    /// Grouped horizontal bars, one group per kernel and a last one for the geomean, one bar per engine: its time
    /// over the baseline's, on a log scale (1× and 100× both read), with a dashed line at 1×.
    /// </summary>
    /// <param name="ranges">Per engine and kernel, the ratio's low and high end (drawn as whiskers on the bar; NaN: none).</param>
    public static string RatioBars(string title, IReadOnlyList<string> kernels, IReadOnlyDictionary<string, double[]> ratios, IReadOnlyDictionary<string, double> geomean, string baseline,
        IReadOnlyDictionary<string, (double Low, double High)[]>? ranges = null)
    {
        var engines = ratios.Keys.Where(e => e != baseline).ToList();
        var rows = kernels.Select((kernel, k) => (Label: kernel, Values: engines.Select(e => ratios[e][k]).ToList()))
            .Append((Label: "geomean", Values: engines.Select(e => geomean[e]).ToList()))
            .ToList();
        const int barHeight = 14, gap = 10, labelWidth = 110, chartWidth = 520, top = 58, legendHeight = 22;
        var none = (Low: double.NaN, High: double.NaN);
        var whiskers = kernels.Select((_, k) => engines.Select(e => ranges?.GetValueOrDefault(e) is { } r ? r[k] : none).ToList())
            .Append([.. engines.Select(_ => none)])
            .ToList();
        var finite = rows.SelectMany(r => r.Values).Where(double.IsFinite).Where(v => v > 0).ToList();
        // The axis covers the whiskers' high ends too; low ends below the axis are cut at its left edge.
        finite.AddRange(whiskers.SelectMany(w => w).Select(w => w.High).Where(double.IsFinite).Where(v => v > 0));
        var low = Math.Min(1, finite.DefaultIfEmpty(1).Min());
        var high = Math.Max(10, finite.DefaultIfEmpty(10).Max());
        var decades = (Min: Math.Floor(Math.Log10(low)), Max: Math.Ceiling(Math.Log10(high)));
        double X(double ratio) => labelWidth + ((Math.Log10(ratio) - decades.Min) / (decades.Max - decades.Min) * chartWidth);
        var height = top + rows.Sum(r => (r.Values.Count * barHeight) + gap) + legendHeight + 10;
        var width = labelWidth + chartWidth + 70;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"system-ui,sans-serif\" role=\"img\" aria-label=\"{Encode(title)}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title>{Encode(title)}</title><rect width=\"{width}\" height=\"{height}\" fill=\"#fff\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"16\" font-size=\"14\" font-weight=\"bold\">{Encode(title)}</text>");
        var whiskerNote = whiskers.SelectMany(w => w).Any(w => double.IsFinite(w.High)) ? "; whiskers: ± one standard deviation of both means" : "";
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"32\" font-size=\"11\" fill=\"#555\">time / {Encode(baseline)} time, log scale, lower is better{whiskerNote}</text>");
        var bottom = height - legendHeight - 10;
        for (var decade = decades.Min; decade <= decades.Max; decade++)
        {
            var value = Math.Pow(10, decade);
            var x = X(value);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x:F1}\" y1=\"{top - 6}\" x2=\"{x:F1}\" y2=\"{bottom}\" stroke=\"{(decade == 0 ? "#333" : "#ddd")}\"{(decade == 0 ? " stroke-dasharray=\"4 3\"" : "")}/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x:F1}\" y=\"{top - 9}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#555\">{Encode(Ratio(value, "0.##"))}</text>");
        }
        var y = top;
        for (var row = 0; row < rows.Count; row++)
        {
            var (label, values) = rows[row];
            var groupHeight = values.Count * barHeight;
            var bold = label == "geomean" ? " font-weight=\"bold\"" : "";
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{y + (groupHeight / 2) + 4}\" font-size=\"12\"{bold}>{Encode(label)}</text>");
            for (var e = 0; e < values.Count; e++)
            {
                var ratio = values[e];
                if (double.IsFinite(ratio) && ratio > 0)
                {
                    var x = X(ratio);
                    var (from, to) = ratio >= 1 ? (X(1), x) : (x, X(1));
                    svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{from:F1}\" y=\"{y}\" width=\"{Math.Max(1, to - from):F1}\" height=\"{barHeight - 2}\" fill=\"{Colours[e % Colours.Length]}\"><title>{Encode($"{label} {engines[e]}: {Ratio(ratio)}")}</title></rect>");
                    var labelX = Math.Max(x, X(1)) + 4;
                    if (whiskers[row][e] is var (whiskerLow, whiskerHigh) && double.IsFinite(whiskerHigh) && whiskerHigh > 0)
                    {
                        var (x1, x2, middle) = (double.IsFinite(whiskerLow) && whiskerLow > 0 ? Math.Max(labelWidth, X(whiskerLow)) : labelWidth, X(whiskerHigh), y + ((barHeight - 2) / 2.0));
                        svg.Append(CultureInfo.InvariantCulture, $"<g class=\"whisker\" stroke=\"#222\"><title>{Encode($"{label} {engines[e]}: {Ratio(whiskerLow)} to {Ratio(whiskerHigh)}")}</title>");
                        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x1:F1}\" y1=\"{middle:F1}\" x2=\"{x2:F1}\" y2=\"{middle:F1}\"/><line x1=\"{x1:F1}\" y1=\"{middle - 3:F1}\" x2=\"{x1:F1}\" y2=\"{middle + 3:F1}\"/><line x1=\"{x2:F1}\" y1=\"{middle - 3:F1}\" x2=\"{x2:F1}\" y2=\"{middle + 3:F1}\"/></g>");
                        labelX = Math.Max(labelX, x2 + 4);
                    }
                    svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelX:F1}\" y=\"{y + barHeight - 4}\" font-size=\"10\"{bold}>{Encode(Ratio(ratio))}</text>");
                }
                y += barHeight;
            }
            y += gap;
        }
        var legendX = labelWidth;
        for (var e = 0; e < engines.Count; e++)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{legendX}\" y=\"{bottom + 8}\" width=\"12\" height=\"12\" fill=\"{Colours[e % Colours.Length]}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{legendX + 16}\" y=\"{bottom + 18}\" font-size=\"11\">{Encode(engines[e])}</text>");
            legendX += 30 + (engines[e].Length * 7);
        }
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>A small line chart of one quantity over campaigns (oldest left), points labelled with their values.</summary>
    public static string Trend(string title, IReadOnlyList<(DateTimeOffset When, double Value)> points)
    {
        const int width = 300, height = 120, left = 8, right = 8, top = 28, bottom = 22;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"system-ui,sans-serif\" role=\"img\" aria-label=\"{Encode(title)}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title>{Encode(title)}</title><rect width=\"{width}\" height=\"{height}\" fill=\"#fff\" stroke=\"#ddd\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left}\" y=\"16\" font-size=\"12\" font-weight=\"bold\">{Encode(title)}</text>");
        if (points.Count > 0)
        {
            var max = Math.Max(points.Max(p => p.Value), 1e-9);
            double X(int i) => points.Count == 1 ? width / 2.0 : left + 20 + (i * (width - left - right - 40.0) / (points.Count - 1));
            double Y(double v) => height - bottom - (v / max * (height - top - bottom));
            var path = string.Join(" ", points.Select((p, i) => string.Create(CultureInfo.InvariantCulture, $"{X(i):F1},{Y(p.Value):F1}")));
            svg.Append(CultureInfo.InvariantCulture, $"<polyline points=\"{path}\" fill=\"none\" stroke=\"{Colours[0]}\" stroke-width=\"2\"/>");
            for (var i = 0; i < points.Count; i++)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{X(i):F1}\" cy=\"{Y(points[i].Value):F1}\" r=\"3\" fill=\"{Colours[0]}\"><title>{Encode(points[i].When.ToString("u", CultureInfo.InvariantCulture))}</title></circle>");
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(i):F1}\" y=\"{Y(points[i].Value) - 6:F1}\" font-size=\"9\" text-anchor=\"middle\">{Encode(Compact(points[i].Value))}</text>");
            }
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left}\" y=\"{height - 6}\" font-size=\"9\" fill=\"#555\">{Encode(points[0].When.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{width - right}\" y=\"{height - 6}\" font-size=\"9\" fill=\"#555\" text-anchor=\"end\">{Encode(points[^1].When.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))}</text>");
        }
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>
    /// Lines over runs, oldest left: one x position per run (labelled with its commit below the axis), one line per
    /// series (NaN: that run has no value, the line breaks there). The y axis spans the values seen, not from zero,
    /// so that a change of a few passed assertions out of 65,000 is visible; its ends are labelled. Every point is
    /// a <c>circle class="point"</c> whose tooltip names the run and the value.
    /// </summary>
    public static string TrendLines(string title, IReadOnlyList<string> runs, IReadOnlyDictionary<string, double[]> series)
    {
        const int width = 460, plotTop = 30, plotHeight = 110, left = 56, right = 16;
        var names = series.Keys.ToList();
        // Legend: as many columns as the longest name allows (at most 3), a row of 16 px per line of names.
        var columns = Math.Clamp((width - 16) / ((names.DefaultIfEmpty("").Max(n => n.Length) * 6) + 24), 1, 3);
        var columnWidth = (width - 16) / columns;
        var height = plotTop + plotHeight + 34 + (((names.Count + columns - 1) / columns) * 16);
        var values = series.Values.SelectMany(v => v).Where(double.IsFinite).ToList();
        var (min, max) = values.Count == 0 ? (0.0, 1.0) : (values.Min(), values.Max());
        if (max - min < Math.Max(Math.Abs(max), 1) * 1e-9)
        {
            (min, max) = (min - Math.Max(Math.Abs(min) * 0.05, 0.5), max + Math.Max(Math.Abs(max) * 0.05, 0.5));
        }
        double X(int i) => runs.Count <= 1 ? left + ((width - left - right) / 2.0) : left + 10 + (i * (width - left - right - 20.0) / (runs.Count - 1));
        double Y(double v) => plotTop + 8 + ((max - v) / (max - min) * (plotHeight - 16));
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"trend\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"system-ui,sans-serif\" role=\"img\" aria-label=\"{Encode(title)}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title>{Encode(title)}</title><rect width=\"{width}\" height=\"{height}\" fill=\"#fff\" stroke=\"#ddd\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"8\" y=\"18\" font-size=\"12\" font-weight=\"bold\">{Encode(title)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{plotTop}\" x2=\"{left}\" y2=\"{plotTop + plotHeight}\" stroke=\"#999\"/><line x1=\"{left}\" y1=\"{plotTop + plotHeight}\" x2=\"{width - right}\" y2=\"{plotTop + plotHeight}\" stroke=\"#999\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 4}\" y=\"{Y(max) + 3:F1}\" font-size=\"9\" text-anchor=\"end\" fill=\"#555\">{Encode(Compact(max))}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 4}\" y=\"{Y(min) + 3:F1}\" font-size=\"9\" text-anchor=\"end\" fill=\"#555\">{Encode(Compact(min))}</text>");
        // Commit labels: all of them while they fit, else every k-th and the last.
        var every = Math.Max(1, (int)Math.Ceiling(runs.Count / 6.0));
        for (var i = 0; i < runs.Count; i++)
        {
            if (i % every == 0 || i == runs.Count - 1)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(i):F1}\" y=\"{plotTop + plotHeight + 12}\" font-size=\"9\" text-anchor=\"middle\" fill=\"#555\">{Encode(runs[i])}</text>");
            }
        }
        for (var s = 0; s < names.Count; s++)
        {
            var colour = Colours[s % Colours.Length];
            var points = series[names[s]];
            // Consecutive finite values are joined; a missing run breaks the line.
            var segment = new List<string>();
            void Flush()
            {
                if (segment.Count > 1)
                {
                    svg.Append(CultureInfo.InvariantCulture, $"<polyline points=\"{string.Join(" ", segment)}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>");
                }
                segment.Clear();
            }
            for (var i = 0; i < Math.Min(points.Length, runs.Count); i++)
            {
                if (double.IsFinite(points[i]))
                {
                    segment.Add(string.Create(CultureInfo.InvariantCulture, $"{X(i):F1},{Y(points[i]):F1}"));
                }
                else
                {
                    Flush();
                }
            }
            Flush();
            for (var i = 0; i < Math.Min(points.Length, runs.Count); i++)
            {
                if (double.IsFinite(points[i]))
                {
                    svg.Append(CultureInfo.InvariantCulture, $"<circle class=\"point\" cx=\"{X(i):F1}\" cy=\"{Y(points[i]):F1}\" r=\"3\" fill=\"{colour}\"><title>{Encode($"{names[s]} at {runs[i]}: {points[i].ToString("0.###", CultureInfo.InvariantCulture)}")}</title></circle>");
                }
            }
            var legendX = 8 + ((s % columns) * columnWidth);
            var legendY = plotTop + plotHeight + 28 + ((s / columns) * 16);
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{legendX}\" y=\"{legendY - 9}\" width=\"10\" height=\"10\" fill=\"{colour}\"/><text x=\"{legendX + 14}\" y=\"{legendY}\" font-size=\"10\">{Encode(names[s])}</text>");
        }
        svg.Append("</svg>");
        return svg.ToString();
    }

    public static string Ratio(double ratio, string format = "0.00") =>
        double.IsFinite(ratio) ? ratio.ToString(format, CultureInfo.InvariantCulture) + "×" : "–";

    /// <summary>1234567 → 1.2M: labels that fit above a point.</summary>
    public static string Compact(double value) => Math.Abs(value) switch
    {
        >= 1e9 => (value / 1e9).ToString("0.#", CultureInfo.InvariantCulture) + "G",
        >= 1e6 => (value / 1e6).ToString("0.#", CultureInfo.InvariantCulture) + "M",
        >= 1e4 => (value / 1e3).ToString("0.#", CultureInfo.InvariantCulture) + "k",
        _ => value.ToString("0.##", CultureInfo.InvariantCulture),
    };

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
