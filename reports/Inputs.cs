using System.Text.Json;

namespace WasmHarness.Reports;

/// <summary>One engine's verdicts on one script, as the spec runner's JSON gives them.</summary>
public sealed record FileVerdicts(string File, int Passed, int Failed, int Skipped);

/// <summary>A spec-runner run: which engines, and per engine the verdicts of every file.</summary>
public sealed record SpecRun(string Source, string Profile, IReadOnlyList<string> Engines, IReadOnlyDictionary<string, IReadOnlyList<FileVerdicts>> Files);

/// <summary>One benchmark measurement: in a suite (the benchmark class), an engine running a kernel, mean time in nanoseconds.</summary>
public sealed record BenchmarkResult(string Kernel, string Engine, double MeanNanoseconds, string Suite = "");

/// <summary>Reads the result files the other tools write: the spec runner's <c>--json</c> and BenchmarkDotNet's full JSON export.</summary>
public static class Inputs
{
    /// <summary>Every result file under <paramref name="directory"/> that this tool understands (others are ignored).</summary>
    public static (List<SpecRun> Spec, List<BenchmarkResult> Benchmarks) Read(string directory)
    {
        var spec = new List<SpecRun>();
        var benchmarks = new List<BenchmarkResult>();
        if (!Directory.Exists(directory))
        {
            return (spec, benchmarks);
        }
        foreach (var path in Directory.EnumerateFiles(directory, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var root = document.RootElement;
            if (root.TryGetProperty("engines", out _) && root.TryGetProperty("suite", out _))
            {
                spec.Add(ReadSpecRun(Path.GetFileName(path), root));
            }
            else if (root.TryGetProperty("Benchmarks", out var list))
            {
                benchmarks.AddRange(ReadBenchmarks(list));
            }
        }
        return (spec, benchmarks);
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
                file.GetProperty("skipped").GetInt32()))];
        }
        var profile = root.TryGetProperty("profile", out var p) ? p.GetString() ?? "all" : "all";
        return new SpecRun(source, profile, engines, files);
    }

    /// <summary>BenchmarkDotNet's full JSON: each benchmark's method is the engine, its <c>Kernel</c> parameter the kernel.</summary>
    internal static IEnumerable<BenchmarkResult> ReadBenchmarks(JsonElement list)
    {
        foreach (var benchmark in list.EnumerateArray())
        {
            if (!benchmark.TryGetProperty("Statistics", out var statistics) || statistics.ValueKind != JsonValueKind.Object)
            {
                continue;
            }
            var parameters = benchmark.TryGetProperty("Parameters", out var ps) ? ps.GetString() ?? "" : "";
            var kernel = parameters.Split('&').Select(part => part.Split('=')).FirstOrDefault(kv => kv is ["Kernel", _])?[1] ?? parameters;
            var suite = benchmark.TryGetProperty("Type", out var type) ? type.GetString() ?? "" : "";
            yield return new BenchmarkResult(kernel, benchmark.GetProperty("Method").GetString()!, statistics.GetProperty("Mean").GetDouble(), suite);
        }
    }
}
