using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace WasmHarness.Fuzz;

/// <summary>
/// One AFL++ campaign of one target, as <c>reports/</c> renders it: read from AFL++'s <c>fuzzer_stats</c> and the
/// <c>crashes/</c>, <c>hangs/</c> and <c>queue/</c> folders of its output directory.
/// </summary>
public sealed record CampaignStats
{
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public required string Target { get; init; }

    /// <summary>When the campaign started (UTC, from AFL++'s <c>start_time</c>).</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When AFL++ last wrote its stats (UTC, <c>last_update</c>): the end of the campaign.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    public long RunTimeSeconds { get; init; }

    public long Executions { get; init; }

    /// <summary>Executions per second over the whole run (AFL++'s <c>execs_per_sec</c>).</summary>
    public double ExecsPerSecond { get; init; }

    /// <summary>Inputs in the queue that AFL++ found (not seeds): <c>corpus_found</c> (<c>paths_found</c> in older versions).</summary>
    public long PathsFound { get; init; }

    /// <summary>All inputs in the queue, seeds included.</summary>
    public long PathsTotal { get; init; }

    public long Crashes { get; init; }

    public long Hangs { get; init; }

    /// <summary>Edges covered, as AFL++ reports it (e.g. <c>3.21%</c>).</summary>
    public string? BitmapCoverage { get; init; }

    public string? AflVersion { get; init; }

    /// <summary>AFL++ instances of the campaign (<c>-M</c>/<c>-S</c> sharing one output directory); 1 for a single one.</summary>
    public int Instances { get; init; } = 1;

    /// <summary>The queue minimized at the end of the campaign (<c>afl-cmin</c>), when it was: inputs kept.</summary>
    public long? CorpusMinimized { get; init; }

    /// <summary><c>afl-whatsup -s</c>'s summary of the campaign, key by key as it prints them (when it ran).</summary>
    public Dictionary<string, string>? Whatsup { get; init; }

    /// <summary>
    /// Reads <paramref name="aflOut"/>: the <c>-o</c> folder with one instance folder (<c>default/</c>) or several
    /// (<c>main/</c>, <c>s1/</c>, ... of a parallel campaign), or one instance folder itself. Several instances are
    /// added up: executions, finds, crashes and hangs summed, execs/s over the longest run time (the campaign's
    /// combined rate), the queue and coverage of the instance that reached most (they share finds).
    /// </summary>
    public static CampaignStats Read(string target, string aflOut, string? whatsup = null, long? corpusMinimized = null)
    {
        var dirs = File.Exists(Path.Combine(aflOut, "fuzzer_stats"))
            ? [aflOut]
            : Directory.Exists(aflOut)
                ? Directory.EnumerateDirectories(aflOut).Where(d => File.Exists(Path.Combine(d, "fuzzer_stats")) || Path.GetFileName(d) == "default").Order(StringComparer.Ordinal).ToList()
                : [];
        var instances = dirs.Count == 0 ? [ReadInstance(target, Path.Combine(aflOut, "default"))] : dirs.Select(d => ReadInstance(target, d)).ToList();
        var runTime = instances.Max(i => i.RunTimeSeconds);
        var executions = instances.Sum(i => i.Executions);
        static double Percent(string? coverage) =>
            double.TryParse(coverage?.TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture, out var p) ? p : -1;
        return instances[0] with
        {
            StartedAt = instances.Min(i => i.StartedAt),
            FinishedAt = instances.Max(i => i.FinishedAt),
            RunTimeSeconds = runTime,
            Executions = executions,
            ExecsPerSecond = runTime > 0 ? Math.Round((double)executions / runTime, 1) : 0,
            PathsFound = instances.Sum(i => i.PathsFound),
            PathsTotal = instances.Max(i => i.PathsTotal),
            Crashes = instances.Sum(i => i.Crashes),
            Hangs = instances.Sum(i => i.Hangs),
            BitmapCoverage = instances.MaxBy(i => Percent(i.BitmapCoverage))!.BitmapCoverage,
            Instances = instances.Count,
            CorpusMinimized = corpusMinimized,
            Whatsup = whatsup is null ? null : ReadColonSeparated(whatsup.Split('\n')),
        };
    }

    /// <summary>Key/value lines <c>key : value</c> (AFL++'s <c>fuzzer_stats</c>, <c>afl-whatsup</c>'s summary); other lines skipped.</summary>
    private static Dictionary<string, string> ReadColonSeparated(IEnumerable<string> lines)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[(colon + 1)..].Trim() is { Length: > 0 } value)
            {
                values[line[..colon].Trim()] = value;
            }
        }
        return values;
    }

    private static CampaignStats ReadInstance(string target, string dir)
    {
        var file = Path.Combine(dir, "fuzzer_stats");
        var stats = File.Exists(file) ? ReadColonSeparated(File.ReadLines(file)) : new Dictionary<string, string>(StringComparer.Ordinal);
        long Number(params string[] keys) =>
            keys.Select(k => stats.GetValueOrDefault(k)).FirstOrDefault(v => v is not null) is { } v
            && long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;
        int Count(string folder) =>
            Directory.Exists(Path.Combine(dir, folder))
                ? Directory.EnumerateFiles(Path.Combine(dir, folder)).Count(f => !Path.GetFileName(f).StartsWith("README", StringComparison.Ordinal))
                : 0;
        var start = Number("start_time");
        var last = Number("last_update");
        var runTime = Number("run_time") is > 0 and var r ? r : Math.Max(0, last - start);
        var execs = Number("execs_done");
        DateTimeOffset? Time(long unixSeconds) => unixSeconds > 0 ? DateTimeOffset.FromUnixTimeSeconds(unixSeconds) : null;
        return new CampaignStats
        {
            Target = target,
            StartedAt = Time(start),
            FinishedAt = Time(last),
            RunTimeSeconds = runTime,
            Executions = execs,
            ExecsPerSecond = runTime > 0 ? Math.Round((double)execs / runTime, 1) : 0,
            PathsFound = Number("corpus_found", "paths_found"),
            PathsTotal = Number("corpus_count", "paths_total"),
            Crashes = Math.Max(Number("saved_crashes", "unique_crashes"), Count("crashes")),
            Hangs = Math.Max(Number("saved_hangs", "unique_hangs"), Count("hangs")),
            BitmapCoverage = stats.GetValueOrDefault("bitmap_cvg"),
            AflVersion = stats.GetValueOrDefault("afl_version"),
        };
    }
}
