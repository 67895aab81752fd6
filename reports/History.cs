using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace WasmHarness.Reports;

/// <summary>
/// Where and when a dashboard run happened: the commit it measured, the time, the machine and the load average
/// (1, 5 and 15 minutes; null where the system has no <c>/proc/loadavg</c>). Timings are only comparable between
/// runs on the same machine at a similar load, so every run carries both.
/// </summary>
public sealed record RunMetadata(string Commit, DateTimeOffset Date, string Machine, string? LoadAverage)
{
    /// <summary>
    /// This machine now: the commit is <paramref name="commit"/> when given, else <c>GITHUB_SHA</c>, else
    /// <c>git rev-parse HEAD</c> in the current folder, else "unknown".
    /// </summary>
    public static RunMetadata Collect(DateTimeOffset now, string? commit = null) =>
        new(commit ?? (Environment.GetEnvironmentVariable("GITHUB_SHA") is { Length: > 0 } sha ? sha : GitHead()) ?? "unknown", now, ThisMachine(), CurrentLoadAverage());

    /// <summary>The first 12 characters of a hash (what a chart's axis has room for); other commit names as given.</summary>
    [JsonIgnore]
    public string ShortCommit => Commit.Length == 40 && Commit.All(char.IsAsciiHexDigit) ? Commit[..12] : Commit;

    private static string? GitHead()
    {
        try
        {
            var start = new ProcessStartInfo("git", ["rev-parse", "HEAD"]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var git = Process.Start(start);
            if (git is null)
            {
                return null;
            }
            var output = git.StandardOutput.ReadToEnd().Trim();
            git.StandardError.ReadToEnd();
            return git.WaitForExit(10_000) && git.ExitCode == 0 && output.Length > 0 ? output : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return null; // no git on PATH: the run is still recorded, as "unknown"
        }
    }

    private static string ThisMachine()
    {
        var cpu = "";
        try
        {
            cpu = File.Exists("/proc/cpuinfo")
                ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? ""
                : "";
        }
        catch (IOException)
        {
        }
        return $"{Environment.MachineName}: {(cpu.Length > 0 ? cpu + ", " : "")}{Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.OSArchitecture}";
    }

    private static string? CurrentLoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}

/// <summary>One engine's totals over one spec run (a line of the pass-count trend).</summary>
public sealed record SpecSummary(string Source, string Profile, string Engine, int Passed, int Failed, int Skipped);

/// <summary>One engine's geomean time over the baseline in one benchmark suite, and its ratio per kernel.</summary>
public sealed record BenchmarkSummary(string Suite, string Engine, string Baseline, double Geomean, IReadOnlyDictionary<string, double> Ratios);

/// <summary>The latest campaign of one fuzz target.</summary>
public sealed record FuzzSummary(string Target, double ExecsPerSecond, long PathsFound);

/// <summary>One differential campaign's rate and verdict.</summary>
public sealed record DifferentialSummary(string Source, string Engines, double CasesPerSecond, long Divergences);

/// <summary>One line of the history file: a run's metadata and the numbers the trend charts draw.</summary>
public sealed record HistoryEntry(
    RunMetadata Run,
    IReadOnlyList<SpecSummary> Spec,
    IReadOnlyList<BenchmarkSummary> Benchmarks,
    IReadOnlyList<FuzzSummary> Fuzz,
    IReadOnlyList<DifferentialSummary> Differential);

/// <summary>
/// The results history: one JSON object per line (JSON lines), oldest first, one line appended per
/// <c>reports</c> run. Appending never rewrites earlier lines, so a history restored from a CI artifact or cache
/// only grows; a line that does not parse is reported and left out of the trends, never fatal.
/// </summary>
public static class History
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>What the trends keep of <paramref name="results"/> (ratios that are not finite are left out).</summary>
    public static HistoryEntry Summarize(ResultSet results, RunMetadata run)
    {
        var spec = results.Spec.SelectMany(r => r.Engines.Select(engine => new SpecSummary(r.Source, r.Profile, engine,
            r.Files[engine].Sum(f => f.Passed), r.Files[engine].Sum(f => f.Failed), r.Files[engine].Sum(f => f.Skipped)))).ToList();
        var benchmarks = new List<BenchmarkSummary>();
        foreach (var suite in results.Benchmarks.GroupBy(b => b.Suite).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var (kernels, ratios, geomean) = Dashboard.Ratios([.. suite]);
            var baseline = Dashboard.Baseline(suite);
            foreach (var (engine, values) in ratios.Where(r => r.Key != baseline && double.IsFinite(geomean[r.Key])))
            {
                benchmarks.Add(new BenchmarkSummary(suite.Key, engine, baseline, geomean[engine],
                    kernels.Select((k, i) => (k, values[i])).Where(p => double.IsFinite(p.Item2)).ToDictionary(p => p.k, p => p.Item2)));
            }
        }
        var fuzz = Dashboard.LatestPerTarget(results.Fuzz).Select(c => new FuzzSummary(c.Target, c.ExecsPerSecond, c.PathsFound)).ToList();
        var differential = results.Differential.Select(c => new DifferentialSummary(c.Source, c.Engines, c.CasesPerSecond, c.Divergences)).ToList();
        return new HistoryEntry(run, spec, benchmarks, fuzz, differential);
    }

    public static string Serialize(HistoryEntry entry) => JsonSerializer.Serialize(entry, Options);

    /// <summary>Appends one line to <paramref name="path"/>, creating the file and its folder when missing.</summary>
    public static void Append(string path, HistoryEntry entry)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.AppendAllText(path, Serialize(entry) + "\n");
    }

    /// <summary>Every readable line of <paramref name="path"/> (none when it does not exist); unreadable lines go to <paramref name="problems"/>.</summary>
    public static List<HistoryEntry> Read(string path, ICollection<string> problems)
    {
        var entries = new List<HistoryEntry>();
        if (!File.Exists(path))
        {
            return entries;
        }
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            try
            {
                var entry = JsonSerializer.Deserialize<HistoryEntry>(line, Options);
                if (!IsComplete(entry))
                {
                    problems.Add($"{path}:{number.ToString(CultureInfo.InvariantCulture)}: not a history entry");
                    continue;
                }
                entries.Add(entry);
            }
            catch (JsonException e)
            {
                problems.Add($"{path}:{number.ToString(CultureInfo.InvariantCulture)}: {e.Message}");
            }
        }
        return entries;
    }

    /// <summary>Every list and name a chart reads is there (JSON nulls and missing fields would otherwise surface as null references).</summary>
    private static bool IsComplete([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] HistoryEntry? entry) =>
        entry is { Run: { Commit: not null, Machine: not null }, Spec: not null, Benchmarks: not null, Fuzz: not null, Differential: not null }
        && entry.Spec.All(s => s is { Source: not null, Profile: not null, Engine: not null })
        && entry.Benchmarks.All(b => b is { Suite: not null, Engine: not null, Baseline: not null, Ratios: not null })
        && entry.Fuzz.All(f => f is { Target: not null })
        && entry.Differential.All(d => d is { Source: not null, Engines: not null });
}
