using System.Diagnostics;
using WasmHarness.Oracle;

namespace WasmHarness.Differential.Tests;

public sealed class ParallelCampaignTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("parallel-campaign-").FullName;

    private static readonly CampaignOptions Options = new() { Engines = ["interp"], RoundTrip = false, Seconds = 120, MaxCases = 10, Seed = 31, JitIlCheckEvery = 0 };

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Strided_partitions_together_run_exactly_the_cases_of_one_run()
    {
        var whole = Campaign.Run(Options with { MaxCases = 24 });
        var parts = Enumerable.Range(0, 3).Select(k => Campaign.Run(Options with { MaxCases = 24, FirstCase = k, CaseStride = 3 })).ToList();
        Assert.Equal([8, 8, 8], parts.Select(p => p.Cases));
        var merged = ParallelCampaign.Merge(Options, parts, 1);
        Assert.Equal(whole.Cases, merged.Cases);
        Assert.Equal(whole.Agreed, merged.Agreed);
        Assert.Equal(whole.Calls, merged.Calls);
        Assert.Equal(whole.FeatureMix.OrderBy(p => p.Key), merged.FeatureMix.OrderBy(p => p.Key));
        Assert.Equal(whole.Traps.OrderBy(p => p.Key), merged.Traps.OrderBy(p => p.Key));
        // Phase times are wall-clock, so not equal to the whole run's; they are measured and summed over the parts.
        Assert.Contains("generate", whole.PhaseSeconds.Keys);
        Assert.True(whole.PhaseSeconds["interp: invoke"] > 0);
        Assert.Equal(parts.Sum(p => p.PhaseSeconds["interp: invoke"]), merged.PhaseSeconds["interp: invoke"], 9);
    }

    [Fact]
    public void A_worker_that_dies_is_restarted_after_its_case_which_is_recorded()
    {
        var starts = new List<WorkerStart>();
        var result = ParallelCampaign.Run(Options, 2, start =>
        {
            lock (starts)
            {
                starts.Add(start);
            }
            var lines = Protocol(start);
            // The first worker 0 dies (SIGKILL, as a process taken down by an engine) while running its third case.
            return start is { Worker: 0, FirstCase: 0 }
                ? Shell(lines.TakeWhile(l => !l.StartsWith("@@case 6 ", StringComparison.Ordinal)), "kill -9 $$")
                : Shell(lines, "exit 0");
        });
        Assert.Equal([(0, 0L), (0, 6L), (1, 1L)], starts.Select(s => (s.Worker, s.FirstCase)).Order());
        Assert.All(starts, s => Assert.Equal(2, s.Stride));
        Assert.Equal(1, result.WorkerCrashes);
        var crash = Assert.Single(result.Found);
        Assert.Equal(("worker-crash", 4L, Campaign.CaseSeed(Options.Seed, 4)), (crash.Category, crash.Case, crash.CaseSeed));
        Assert.Contains("exited with code 137", crash.Detail, StringComparison.Ordinal);
        // Cases 0 and 2 before the crash, 4 the crash, 6 and 8 after the restart, and the odd ones.
        Assert.Equal(10, result.Cases);
        Assert.Equal(9, result.Agreed);
    }

    [Fact]
    public void A_divergence_stops_the_other_workers_without_counting_them_as_crashes()
    {
        var result = ParallelCampaign.Run(Options with { RegressionDirectory = null }, 2, start =>
        {
            var lines = Protocol(start);
            if (start.Worker == 0)
            {
                var diverged = Campaign.Run(Options with { MaxCases = 1 });
                diverged.Divergences = 1;
                return Shell([.. lines.SkipLast(1), "@@done " + System.Text.Json.JsonSerializer.Serialize(diverged)], "sleep 1; exit 0");
            }
            // Worker 1 reports its first case, then would run far past any test's patience unless it is stopped.
            return Shell(lines.Take(2), "sleep 600");
        });
        Assert.Equal(1, result.Divergences);
        Assert.Equal(0, result.WorkerCrashes);
        Assert.Empty(result.Found);
    }

    /// <summary>What a real worker prints for <paramref name="start"/> (run here, in process).</summary>
    private static List<string> Protocol(WorkerStart start)
    {
        using var output = new StringWriter();
        ParallelCampaign.RunWorker(Options with { FirstCase = start.FirstCase, CaseStride = start.Stride }, output);
        return [.. output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    /// <summary>A stand-in worker process: prints <paramref name="lines"/>, then runs <paramref name="then"/>.</summary>
    private ProcessStartInfo Shell(IEnumerable<string> lines, string then)
    {
        var file = Path.Combine(_dir, Guid.NewGuid().ToString("N"));
        File.WriteAllLines(file, lines);
        var info = new ProcessStartInfo("sh");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"cat \"$0\"; {then}");
        info.ArgumentList.Add(file);
        return info;
    }
}
