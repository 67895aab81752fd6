using System.Globalization;
using System.Text.Json;

namespace WasmHarness.Reports;

/// <summary>
/// One engine's verdicts on one script, as the spec runner's JSON gives them; <paramref name="NotPassed"/> holds its
/// failed and skipped commands (null when the JSON has no command list) and <paramref name="Error"/> why the script
/// could not be read at all.
/// </summary>
public sealed record FileVerdicts(string File, int Passed, int Failed, int Skipped, IReadOnlyList<CommandOutcome>? NotPassed = null, string? Error = null);

/// <summary>
/// A command that did not pass: its script line, the command, <c>Failed</c> or <c>Skipped</c>, the runner's reason
/// and, where the runner knows them, the expected and actual outcome in the script's syntax.
/// </summary>
public sealed record CommandOutcome(int Line, string Command, string Verdict, string? Reason, string? Expected, string? Actual);

/// <summary>A spec-runner run: which engines, and per engine the verdicts of every file.</summary>
public sealed record SpecRun(string Source, string Profile, IReadOnlyList<string> Engines, IReadOnlyDictionary<string, IReadOnlyList<FileVerdicts>> Files);

/// <summary>
/// One benchmark measurement: in a suite (the benchmark class), an engine (the method) running a kernel (the
/// first parameter), mean time in nanoseconds, and bytes allocated per operation when the memory diagnoser ran.
/// </summary>
/// <param name="StdDevNanoseconds">BenchmarkDotNet's standard deviation of the iterations (the chart's error bars).</param>
/// <param name="ErrorNanoseconds">Half the 99.9% confidence interval of the mean (BenchmarkDotNet's "Error" column).</param>
public sealed record BenchmarkResult(string Kernel, string Engine, double MeanNanoseconds, string Suite = "", double? AllocatedBytes = null, double? StdDevNanoseconds = null, double? ErrorNanoseconds = null);

/// <summary>One AFL++ campaign of one fuzz target (<c>fuzz stats</c>' JSON, docs/fuzzing.md), dated by its file.</summary>
/// <param name="Instances">AFL++ instances that ran together (<c>fuzz/run.sh --jobs</c>); the counts are their sum.</param>
public sealed record FuzzCampaign(string Target, DateTimeOffset When, long RunTimeSeconds, long Executions, double ExecsPerSecond, long PathsFound, long PathsTotal, long Crashes, long Hangs, string? BitmapCoverage, string Source, int Instances = 1);

/// <summary>A differential campaign's summary (<c>differential --json</c>).</summary>
/// <param name="Jobs">Worker processes (<c>differential --jobs</c>); <paramref name="WorkerCrashes"/>: workers an engine took down.</param>
public sealed record DifferentialCampaign(string Source, string Engines, long Seed, long Cases, long Agreed, long Divergences, long Inconclusive, long InvalidModules, double Seconds, double CasesPerSecond, int Jobs = 1, long WorkerCrashes = 0);

/// <summary>A fault-injection benchmark (<c>differential --fault-benchmark --json</c>): how many injected faults a campaign found.</summary>
public sealed record FaultBenchmark(string Source, string Engines, int Faults, int Detected, double MedianSecondsToDetect, IReadOnlyList<FaultDetection> Results)
{
    /// <summary>The faults the run missed.</summary>
    public IReadOnlyList<string> Undetected { get; } = [.. Results.Where(r => !r.Detected).Select(r => r.Fault)];
}

/// <summary>One fault of a fault benchmark: whether its campaign found it, and how fast (seconds, cases generated).</summary>
public sealed record FaultDetection(string Fault, string Area, bool Detected, double Seconds, long Cases);

/// <summary>Everything the dashboard shows, and the files it could not read (listed on the page, never fatal).</summary>
public sealed class ResultSet
{
    public List<SpecRun> Spec { get; } = [];

    public List<BenchmarkResult> Benchmarks { get; } = [];

    public List<FuzzCampaign> Fuzz { get; } = [];

    public List<DifferentialCampaign> Differential { get; } = [];

    public List<FaultBenchmark> Faults { get; } = [];

    public List<string> Problems { get; } = [];
}

/// <summary>
/// Reads the result files the other tools write, recognising each by its shape: the spec runner's <c>--json</c>,
/// BenchmarkDotNet's full JSON export, fuzz campaign stats, differential campaigns and fault benchmarks. Only the
/// top level of each folder and its <c>fuzz/</c>, <c>fuzz/history/</c>, <c>differential/</c> and <c>bench/</c>
/// subfolders are read (results/fuzz/work holds published binaries with their own JSON files).
/// </summary>
public static class Inputs
{
    private static readonly string[] Subfolders = ["", "fuzz", Path.Combine("fuzz", "history"), "differential", "bench"];

    public static ResultSet Read(params IEnumerable<string> folders)
    {
        var set = new ResultSet();
        foreach (var folder in folders.Where(Directory.Exists))
        {
            foreach (var path in Subfolders.Select(sub => Path.Combine(folder, sub)).Where(Directory.Exists)
                .SelectMany(dir => Directory.EnumerateFiles(dir, "*.json")).Order(StringComparer.Ordinal))
            {
                ReadFile(set, path);
            }
        }
        // The same campaign can be both results/fuzz/TARGET.json and a copy kept in history/: one point per campaign.
        var campaigns = set.Fuzz.GroupBy(c => (c.Target, c.Executions, c.RunTimeSeconds, c.PathsFound, c.Crashes, c.Hangs)).Select(g => g.MaxBy(c => c.When)!).ToList();
        set.Fuzz.Clear();
        set.Fuzz.AddRange(campaigns);
        return set;
    }

    /// <summary>Adds what <paramref name="path"/> holds to <paramref name="set"/>; a file that is not JSON or has an unexpected shape becomes a problem line.</summary>
    public static void ReadFile(ResultSet set, string path)
    {
        var name = Path.GetFileName(path);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return;
            }
            if (root.TryGetProperty("engines", out _) && root.TryGetProperty("suite", out _))
            {
                set.Spec.Add(ReadSpecRun(name, root));
            }
            else if (root.TryGetProperty("Benchmarks", out var list))
            {
                set.Benchmarks.AddRange(ReadBenchmarks(list));
            }
            else if (root.TryGetProperty("target", out _) && root.TryGetProperty("executions", out _))
            {
                set.Fuzz.Add(ReadFuzzCampaign(name, root, new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero)));
            }
            else if (root.TryGetProperty("Cases", out _) && root.TryGetProperty("Agreed", out _))
            {
                set.Differential.Add(ReadDifferentialCampaign(name, root));
            }
            else if (root.TryGetProperty("Faults", out _) && root.TryGetProperty("Results", out _))
            {
                set.Faults.Add(ReadFaultBenchmark(name, root));
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException or IOException or UnauthorizedAccessException)
        {
            set.Problems.Add($"{path}: {e.Message}");
        }
    }

    internal static SpecRun ReadSpecRun(string source, JsonElement root)
    {
        var files = new Dictionary<string, IReadOnlyList<FileVerdicts>>(StringComparer.Ordinal);
        var engines = new List<string>();
        foreach (var engine in root.GetProperty("engines").EnumerateArray())
        {
            var name = engine.GetProperty("engine").GetString()!;
            engines.Add(name);
            files[name] = [.. engine.GetProperty("files").EnumerateArray().Select(file => new FileVerdicts(
                file.GetProperty("file").GetString()!,
                file.GetProperty("passed").GetInt32(),
                file.GetProperty("failed").GetInt32(),
                file.GetProperty("skipped").GetInt32(),
                file.TryGetProperty("commands", out var commands) && commands.ValueKind == JsonValueKind.Array ? ReadNotPassed(commands) : null,
                OptionalString(file, "error")))];
        }
        var profile = root.TryGetProperty("profile", out var p) ? p.GetString() ?? "all" : "all";
        return new SpecRun(source, profile, engines, files);
    }

    /// <summary>The failed and skipped commands of one script (passed ones are only counted), in script order.</summary>
    private static List<CommandOutcome> ReadNotPassed(JsonElement commands) =>
        [.. commands.EnumerateArray()
            .Where(c => OptionalString(c, "verdict") is { } verdict && verdict != "Passed")
            .Select(c => new CommandOutcome(
                c.TryGetProperty("line", out var line) && line.ValueKind == JsonValueKind.Number ? line.GetInt32() : 0,
                OptionalString(c, "command") ?? "?",
                OptionalString(c, "verdict")!,
                OptionalString(c, "detail"),
                OptionalString(c, "expected"),
                OptionalString(c, "actual")))];

    private static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>BenchmarkDotNet's full JSON: each benchmark's method is the engine, its first parameter the kernel.</summary>
    internal static IEnumerable<BenchmarkResult> ReadBenchmarks(JsonElement list)
    {
        foreach (var benchmark in list.EnumerateArray())
        {
            if (!benchmark.TryGetProperty("Statistics", out var statistics) || statistics.ValueKind != JsonValueKind.Object)
            {
                continue;
            }
            var parameters = benchmark.TryGetProperty("Parameters", out var ps) ? ps.GetString() ?? "" : "";
            var kernel = parameters.Split('&')[0] is var first && first.IndexOf('=', StringComparison.Ordinal) is >= 0 and var equals ? first[(equals + 1)..] : parameters;
            var suite = benchmark.TryGetProperty("Type", out var type) ? type.GetString() ?? "" : "";
            double? allocated = benchmark.TryGetProperty("Memory", out var memory) && memory.ValueKind == JsonValueKind.Object
                && memory.TryGetProperty("BytesAllocatedPerOperation", out var bytes) && bytes.ValueKind == JsonValueKind.Number
                ? bytes.GetDouble() : null;
            double? stdDev = statistics.TryGetProperty("StandardDeviation", out var sd) && sd.ValueKind == JsonValueKind.Number ? sd.GetDouble() : null;
            double? error = statistics.TryGetProperty("ConfidenceInterval", out var ci) && ci.ValueKind == JsonValueKind.Object
                && ci.TryGetProperty("Margin", out var margin) && margin.ValueKind == JsonValueKind.Number ? margin.GetDouble() : null;
            yield return new BenchmarkResult(kernel, benchmark.GetProperty("Method").GetString()!, statistics.GetProperty("Mean").GetDouble(), suite, allocated, stdDev, error);
        }
    }

    /// <summary>A campaign is dated by a <c>finishedAt</c> field when the file has one, else by the file's time.</summary>
    internal static FuzzCampaign ReadFuzzCampaign(string source, JsonElement root, DateTimeOffset fileTime)
    {
        long Long(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : 0;
        var when = root.TryGetProperty("finishedAt", out var f) && f.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(f.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed : fileTime;
        return new FuzzCampaign(
            root.GetProperty("target").GetString() ?? "?",
            when,
            Long("runTimeSeconds"),
            Long("executions"),
            root.TryGetProperty("execsPerSecond", out var e) && e.ValueKind == JsonValueKind.Number ? e.GetDouble() : 0,
            Long("pathsFound"),
            Long("pathsTotal"),
            Long("crashes"),
            Long("hangs"),
            root.TryGetProperty("bitmapCoverage", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString() : null,
            source,
            (int)Math.Max(1, Long("instances")));
    }

    internal static DifferentialCampaign ReadDifferentialCampaign(string source, JsonElement root)
    {
        long Long(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : 0;
        double Double(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : 0;
        return new DifferentialCampaign(source, root.TryGetProperty("Engines", out var e) ? e.GetString() ?? "" : "",
            Long("Seed"), Long("Cases"), Long("Agreed"), Long("Divergences"), Long("Inconclusive"), Long("InvalidModules"),
            Double("Seconds"), Double("CasesPerSecond"), (int)Math.Max(1, Long("Jobs")), Long("WorkerCrashes"));
    }

    internal static FaultBenchmark ReadFaultBenchmark(string source, JsonElement root)
    {
        var results = root.GetProperty("Results").EnumerateArray().Select(r => new FaultDetection(
            r.GetProperty("Fault").GetString() ?? "?",
            r.TryGetProperty("Area", out var area) ? area.GetString() ?? "" : "",
            r.TryGetProperty("Detected", out var d) && d.ValueKind == JsonValueKind.True,
            r.TryGetProperty("SecondsToDetect", out var seconds) && seconds.ValueKind == JsonValueKind.Number ? seconds.GetDouble() : double.NaN,
            r.TryGetProperty("Cases", out var cases) && cases.ValueKind == JsonValueKind.Number ? cases.GetInt64() : 0)).ToList();
        return new FaultBenchmark(source, root.TryGetProperty("Engines", out var e) ? e.GetString() ?? "" : "",
            root.GetProperty("Faults").GetInt32(), root.GetProperty("Detected").GetInt32(),
            root.TryGetProperty("MedianSecondsToDetect", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetDouble() : double.NaN,
            results);
    }
}
