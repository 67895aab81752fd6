using System.Text.Json.Serialization;
using WasmHarness.Engines.Wasi;

namespace WasmHarness.Wast.Wasi;

/// <summary>One test on one engine: passed when the exit code and standard output are the expected ones.</summary>
public sealed record WasiTestResult(string Test, bool Passed, string? Detail = null);

/// <summary>One engine's results over the suite.</summary>
public sealed record WasiEngineResult(string Engine, IReadOnlyList<WasiTestResult> Tests)
{
    public int Passed => Tests.Count(t => t.Passed);

    public int Failed => Tests.Count(t => !t.Passed);
}

/// <summary>A run of the WASI suite: where it came from and each engine's results (the JSON written by <c>--json</c>).</summary>
public sealed record WasiRunResult(string Suite, string? SuiteProvenance, string Platform, IReadOnlyList<WasiEngineResult> Engines)
{
    [JsonIgnore]
    public int Failures => Engines.Sum(e => e.Failed);
}

/// <summary>
/// The second conformance job: every preview 1 test of the WASI suite on each engine, each run in a fresh copy of
/// its directory, judged by exit code and standard output as the suite's specification says.
/// </summary>
public static class WasiSuiteRun
{
    /// <summary>How long one test may run before it counts as failed (a hung test must not hang the job).</summary>
    public static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(120);

    public static WasiRunResult Execute(string suiteRoot, IReadOnlyList<IWasiRunner> engines, IReadOnlyList<string> filters, Action<string>? progress = null)
    {
        var tests = WasiTestCase.All(suiteRoot).Where(t => filters.Count == 0 || filters.Any(f => System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(f, t.Name) || System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(f, t.Name.Split('/')[^1]))).ToList();
        var results = engines.Select(engine => new WasiEngineResult(engine.Name, [.. tests.Select(test =>
        {
            progress?.Invoke($"{engine.Name} {test.Name}");
            return RunOne(engine, test);
        })])).ToList();
        return new WasiRunResult(suiteRoot, SuiteLocator.Provenance(suiteRoot), $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription} {System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}", results);
    }

    public static WasiTestResult RunOne(IWasiRunner engine, WasiTestCase test)
    {
        var scratch = Directory.CreateTempSubdirectory("wasi-suite-");
        try
        {
            var root = test.PrepareRoot(scratch.FullName);
            var run = Task.Run(() => engine.RunWasi(new WasiProgram(test.Wasm, test.Args, test.Env, root)));
            if (!run.Wait(TestTimeout))
            {
                return new WasiTestResult(test.Name, false, $"no result within {TestTimeout.TotalSeconds} s");
            }
            var outcome = run.Result;
            var problems = new List<string>();
            if (outcome.ExitCode != test.ExitCode)
            {
                problems.Add($"exit code {outcome.ExitCode}, expected {test.ExitCode}{(outcome.Error is null ? "" : $" ({outcome.Error})")}");
            }
            if (test.Stdout is not null && outcome.Stdout != test.Stdout)
            {
                problems.Add($"stdout {Quote(outcome.Stdout)}, expected {Quote(test.Stdout)}");
            }
            return new WasiTestResult(test.Name, problems.Count == 0, problems.Count == 0 ? null : string.Join("; ", problems));
        }
        catch (AggregateException e)
        {
            return new WasiTestResult(test.Name, false, $"{e.InnerException?.GetType().Name}: {e.InnerException?.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return new WasiTestResult(test.Name, false, $"{e.GetType().Name}: {e.Message}");
        }
        finally
        {
            try
            {
                scratch.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text.Length > 200 ? text[..200] + "..." : text);
}
