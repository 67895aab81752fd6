namespace WasmHarness.Reports.Tests;

/// <summary>The dashboard in a real browser: it loads, renders to a screenshot and writes nothing to the console.</summary>
public sealed class BrowserTests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly string _work = Directory.CreateTempSubdirectory("reports-browser").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    /// <summary>A page with every section filled: spec matrix, benchmark charts, fuzz trends, differential tables.</summary>
    private static ResultSet Everything()
    {
        var set = new ResultSet();
        set.Spec.Add(new SpecRun("spec.json", "wasm2", ["interp", "jit"], new Dictionary<string, IReadOnlyList<FileVerdicts>>
        {
            ["interp"] = [new("a.wast", 10, 0, 0), new("b.wast", 3, 1, 2)],
            ["jit"] = [new("a.wast", 10, 0, 0), new("b.wast", 0, 0, 6)],
        }));
        foreach (var (program, native) in new[] { ("sort", 50e6), ("nbody", 80e6) })
        {
            set.Benchmarks.AddRange([
                new(program, "Native", native, "ProgramBenchmarks", 500), new(program, "Interpreter", native * 60, "ProgramBenchmarks", 2e6),
                new(program, "Jit", native * 3, "ProgramBenchmarks", 3e6), new(program, "Wasmtime", native * 1.3, "ProgramBenchmarks", 1e4)]);
        }
        for (var day = 1; day <= 3; day++)
        {
            set.Fuzz.Add(new FuzzCampaign("decode", new DateTimeOffset(2026, 11, day, 2, 0, 0, TimeSpan.Zero), 1800, day * 1000000, day * 500.0, day * 100, day * 150, 0, day - 1, "4.5%", $"decode-{day}.json"));
        }
        set.Differential.Add(new DifferentialCampaign("campaign.json", "interp,wasmtime", 7, 1000, 1000, 0, 0, 0, 60, 16.7));
        set.Faults.Add(new FaultBenchmark("faults.json", "interp", 35, 33, 4.8, [new FaultDetection("i64.rem_s->i64.rem_u", "integer", false, 60, 4000)]));
        return set;
    }

    [ChromiumFact]
    public void The_dashboard_renders_in_headless_chromium_without_console_messages()
    {
        var page = Path.Combine(_work, "index.html");
        File.WriteAllText(page, Dashboard.Html(Everything(), DateTimeOffset.UnixEpoch));

        var result = HeadlessChromium.Screenshot(page, _work);

        Assert.True(result.ExitCode == 0, $"chromium exited with {result.ExitCode}:\n{result.Log}");
        Assert.True(result.Screenshot.Length > 10_000, $"no real screenshot ({result.Screenshot.Length} bytes):\n{result.Log}");
        Assert.Equal(PngSignature, result.Screenshot[..8]);
        Assert.True(result.ConsoleMessages.Count == 0, "console: " + string.Join("\n", result.ConsoleMessages));
    }

    /// <summary>The check above can fail: a page that logs an error and throws is caught by the same reading of the log.</summary>
    [ChromiumFact]
    public void Console_errors_and_uncaught_exceptions_are_seen()
    {
        var page = Path.Combine(_work, "broken.html");
        File.WriteAllText(page, "<!DOCTYPE html><html><body><p>x</p><script>console.error('dashboard broke'); undefinedFunction();</script></body></html>");

        var result = HeadlessChromium.Screenshot(page, _work);

        Assert.Contains(result.ConsoleMessages, line => line.Contains("dashboard broke", StringComparison.Ordinal));
        Assert.Contains(result.ConsoleMessages, line => line.Contains("undefinedFunction", StringComparison.Ordinal));
    }
}
