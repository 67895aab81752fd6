namespace WasmHarness.Reports;

/// <summary>What one <c>reports</c> run writes: the history line, then the page, the summary, the charts and the drill-down pages.</summary>
public static class Site
{
    /// <summary>
    /// Appends <paramref name="results"/>' summary to the history at <paramref name="historyPath"/> (unless
    /// <paramref name="append"/> is false), then writes <c>index.html</c> with the trends of every recorded run,
    /// <c>report.md</c>, <c>bench-SUITE.svg</c> and <c>spec/…</c> under <paramref name="output"/>. Returns the number
    /// of runs in the history and of drill-down pages written. Unreadable history lines join <c>results.Problems</c>.
    /// </summary>
    public static (int Runs, int Pages) Write(ResultSet results, RunMetadata run, string output, string historyPath, bool append = true)
    {
        Directory.CreateDirectory(output);
        if (append)
        {
            History.Append(historyPath, History.Summarize(results, run));
        }
        var history = History.Read(historyPath, results.Problems);
        File.WriteAllText(Path.Combine(output, "index.html"), Dashboard.Html(results, run, history));
        File.WriteAllText(Path.Combine(output, "report.md"), Dashboard.Markdown(results, run));
        foreach (var (suite, svg) in Dashboard.BenchmarkCharts(results.Benchmarks))
        {
            File.WriteAllText(Path.Combine(output, $"bench-{suite}.svg"), svg);
        }
        // The previous run's drill-down pages go first: a script or engine that is gone leaves no stale page.
        var pages = Path.Combine(output, "spec");
        if (Directory.Exists(pages))
        {
            Directory.Delete(pages, recursive: true);
        }
        var count = 0;
        foreach (var (relative, html) in Dashboard.DrillDownPages(results, run))
        {
            var path = Path.Combine(output, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, html);
            count++;
        }
        return (history.Count, count);
    }
}
