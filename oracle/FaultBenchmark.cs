namespace WasmHarness.Oracle;

public sealed record FaultResult(string Fault, string Area, bool Detected, double SecondsToDetect, long Cases, string? Detail);

public sealed record FaultBenchmarkResult(string Engines, int Faults, int Detected, double DetectionRate, double MedianSecondsToDetect, double SlowestSecondsToDetect, bool CoveringCasesOnly, List<FaultResult> Results);

/// <summary>
/// The fault-injection benchmark: for each fault of <see cref="FaultCatalog"/>, a campaign with the faulty engine (the
/// first of ours in the engine list: the interpreter or the JIT) against the others, until the first divergence or
/// the time limit. With <see cref="CampaignOptions.SelectCoveringCases"/> only cases that contain the faulted
/// instruction are run (the case count stays that of all cases generated).
/// </summary>
public static class FaultBenchmark
{
    public static FaultBenchmarkResult Run(CampaignOptions options, double secondsPerFault, TextWriter? log, string? only = null)
    {
        var results = new List<FaultResult>();
        foreach (var fault in FaultCatalog.All.Where(f => only is null || f.Name.Contains(only, StringComparison.OrdinalIgnoreCase)))
        {
            var result = Campaign.Run(options with { Fault = fault, Seconds = secondsPerFault, StopOnDivergence = true, RoundTrip = false, Profile = fault.Profile ?? options.Profile });
            var found = result.Found.FirstOrDefault();
            var detected = result.Divergences > 0;
            var entry = new FaultResult(fault.Name, fault.Area, detected, detected ? found!.AtSeconds : result.Seconds, result.Cases, found?.Detail);
            results.Add(entry);
            log?.WriteLine($"{fault.Area,-8} {fault.Name,-36} {(detected ? "detected" : "MISSED  ")} {entry.SecondsToDetect,7:F2}s {entry.Cases,6} cases  {Truncate(found?.Detail)}");
        }
        var times = results.Where(r => r.Detected).Select(r => r.SecondsToDetect).Order().ToList();
        var median = times.Count == 0 ? double.NaN : times.Count % 2 == 1 ? times[times.Count / 2] : (times[times.Count / 2 - 1] + times[times.Count / 2]) / 2;
        var detectedCount = results.Count(r => r.Detected);
        var slowest = times.Count == 0 ? double.NaN : times[^1];
        var summary = new FaultBenchmarkResult(string.Join(",", options.Engines), results.Count, detectedCount, results.Count == 0 ? 0 : (double)detectedCount / results.Count, median, slowest, options.SelectCoveringCases, results);
        log?.WriteLine($"fault injection: {detectedCount}/{results.Count} detected ({100 * summary.DetectionRate:F0}%), median time to detect {median:F2}s, slowest {slowest:F2}s");
        return summary;
    }

    private static string Truncate(string? text) => text is null ? "" : text.Length > 110 ? text[..110] + "…" : text;
}
