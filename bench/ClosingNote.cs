using System.Globalization;
using BenchmarkDotNet.Reports;

namespace WasmHarness.Bench;

/// <summary>
/// The line the issue asks for after a run: geometric means over the C kernels of interp/native, jit/native,
/// wasmtime/native and jit/wasmtime, from the <see cref="ProgramBenchmarks"/> summary of this run only (the
/// machine's load changes between runs; ratios within one run are what compare).
/// </summary>
public static class ClosingNote
{
    public static string? For(IEnumerable<Summary> summaries)
    {
        var means = new Dictionary<(string Program, string Engine), double>();
        foreach (var report in summaries.SelectMany(s => s.Reports))
        {
            if (report.BenchmarkCase.Descriptor.Type != typeof(ProgramBenchmarks) || report.ResultStatistics is not { } statistics)
            {
                continue;
            }
            var program = report.BenchmarkCase.Parameters[nameof(ProgramBenchmarks.ProgramName)]?.ToString() ?? "";
            means[(program, report.BenchmarkCase.Descriptor.WorkloadMethod.Name)] = statistics.Mean;
        }
        return means.Count == 0 ? null : Format(means);
    }

    /// <summary>The note for per-(program, method) mean times; programs missing a column are left out of that ratio.</summary>
    public static string Format(IReadOnlyDictionary<(string Program, string Engine), double> means)
    {
        var programs = means.Keys.Select(k => k.Program).Distinct().Order(StringComparer.Ordinal).ToList();
        string Geomean(string engine, string baseline)
        {
            var ratios = programs
                .Where(p => means.ContainsKey((p, engine)) && means.ContainsKey((p, baseline)))
                .Select(p => means[(p, engine)] / means[(p, baseline)])
                .ToList();
            return ratios.Count == 0 ? "n/a" : Math.Exp(ratios.Average(Math.Log)).ToString("0.00", CultureInfo.InvariantCulture) + "x";
        }
        return $"geomean over {programs.Count} C kernels (this run): "
            + $"interp/native {Geomean("Interpreter", "Native")}, jit/native {Geomean("Jit", "Native")}, "
            + $"wasmtime/native {Geomean("Wasmtime", "Native")}, jit/wasmtime {Geomean("Jit", "Wasmtime")}";
    }
}
