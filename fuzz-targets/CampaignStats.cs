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

    /// <summary>Reads <paramref name="aflOut"/> (the <c>-o</c> folder, or its <c>default/</c> instance folder).</summary>
    public static CampaignStats Read(string target, string aflOut)
    {
        var dir = File.Exists(Path.Combine(aflOut, "fuzzer_stats")) ? aflOut : Path.Combine(aflOut, "default");
        var stats = new Dictionary<string, string>(StringComparer.Ordinal);
        var file = Path.Combine(dir, "fuzzer_stats");
        if (File.Exists(file))
        {
            foreach (var line in File.ReadLines(file))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    stats[line[..colon].Trim()] = line[(colon + 1)..].Trim();
                }
            }
        }
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
