using System.Globalization;
using BenchmarkDotNet.Reports;

namespace WasmHarness.Bench;

/// <summary>
/// The line the issue asks for after a run: geometric means over the C kernels of interp/native, jit/native,
/// wasmtime/native and jit/wasmtime, from the <see cref="ProgramBenchmarks"/> summary of this run only (the
/// machine's load changes between runs; ratios within one run are what compare), then jit/wasmtime per kernel.
/// Each time is a median of the run's iterations, not their mean: on a shared machine one disturbed iteration
/// moved a 3-iteration mean by up to 40%. When the run also measured
/// <see cref="StartupBenchmarks"/>, the same ratios follow with the empty native process's time taken off every
/// native time (the native column is a whole process; the Wasm columns start in a process that already runs).
/// When it measured <see cref="Wasm3Benchmarks"/>, interp/wasm3 follows.
/// </summary>
public static class ClosingNote
{
    public static string? For(IEnumerable<Summary> summaries)
    {
        var medians = new Dictionary<(string Program, string Engine), double>();
        var againstWasm3 = new Dictionary<string, (double? Interpreter, double? Wasm3)>();
        double? startup = null;
        foreach (var report in summaries.SelectMany(s => s.Reports))
        {
            if (report.ResultStatistics is not { } statistics)
            {
                continue;
            }
            var type = report.BenchmarkCase.Descriptor.Type;
            var method = report.BenchmarkCase.Descriptor.WorkloadMethod.Name;
            if (type == typeof(ProgramBenchmarks))
            {
                var program = report.BenchmarkCase.Parameters[nameof(ProgramBenchmarks.ProgramName)]?.ToString() ?? "";
                medians[(program, method)] = statistics.Median;
            }
            else if (type == typeof(StartupBenchmarks) && method == nameof(StartupBenchmarks.Native))
            {
                startup = statistics.Median;
            }
            else if (type == typeof(Wasm3Benchmarks))
            {
                var program = report.BenchmarkCase.Parameters[nameof(Wasm3Benchmarks.ProgramName)]?.ToString() ?? "";
                var times = againstWasm3.GetValueOrDefault(program);
                againstWasm3[program] = method == nameof(Wasm3Benchmarks.Wasm3) ? times with { Wasm3 = statistics.Median } : times with { Interpreter = statistics.Median };
            }
        }
        var notes = new List<string>();
        if (medians.Count > 0)
        {
            notes.Add(Format(medians, startup));
        }
        if (FormatAgainstWasm3(againstWasm3) is { } wasm3)
        {
            notes.Add(wasm3);
        }
        return notes.Count == 0 ? null : string.Join('\n', notes);
    }


    /// <summary>interp/wasm3 over the kernels both ran in this run (issue 20's mark is a geomean of at most 1.0), then per kernel.</summary>
    public static string? FormatAgainstWasm3(IReadOnlyDictionary<string, (double? Interpreter, double? Wasm3)> times)
    {
        var ratios = times.Where(t => t.Value is { Interpreter: > 0, Wasm3: > 0 })
            .OrderBy(t => t.Key, StringComparer.Ordinal)
            .Select(t => (Program: t.Key, Ratio: t.Value.Interpreter!.Value / t.Value.Wasm3!.Value))
            .ToList();
        if (ratios.Count == 0)
        {
            return null;
        }
        var geomean = Averages.GeometricMean(ratios.Select(r => r.Ratio));
        return $"interp/wasm3 geomean over {ratios.Count} C kernels (this run): {geomean.ToString("0.00", CultureInfo.InvariantCulture)}x; per kernel: "
            + string.Join(", ", ratios.Select(r => $"{r.Program} {r.Ratio.ToString("0.00", CultureInfo.InvariantCulture)}"));
    }

    /// <summary>The note for per-(program, method) times in ns; programs missing a column are left out of that ratio.</summary>
    public static string Format(IReadOnlyDictionary<(string Program, string Engine), double> times, double? emptyNativeProcess = null)
    {
        var programs = times.Keys.Select(k => k.Program).Distinct().Order(StringComparer.Ordinal).ToList();
        string Geomean(string engine, string baseline, double subtract = 0)
        {
            double Time(string program, string column) => times[(program, column)] - (column == "Native" ? subtract : 0);
            var ratios = programs
                .Where(p => times.ContainsKey((p, engine)) && times.ContainsKey((p, baseline)) && Time(p, baseline) > 0)
                .Select(p => Time(p, engine) / Time(p, baseline))
                .ToList();
            return ratios.Count == 0 ? "n/a" : Averages.GeometricMean(ratios).ToString("0.00", CultureInfo.InvariantCulture) + "x";
        }
        var note = $"geomean over {programs.Count} C kernels (this run): "
            + $"interp/native {Geomean("Interpreter", "Native")}, jit/native {Geomean("Jit", "Native")}, "
            + $"wasmtime/native {Geomean("Wasmtime", "Native")}, jit/wasmtime {Geomean("Jit", "Wasmtime")}";
        if (emptyNativeProcess is { } empty)
        {
            note += $"\nwith the empty native process ({(empty / 1e6).ToString("0.0", CultureInfo.InvariantCulture)} ms) taken off each native time: "
                + $"interp/native {Geomean("Interpreter", "Native", empty)}, jit/native {Geomean("Jit", "Native", empty)}, "
                + $"wasmtime/native {Geomean("Wasmtime", "Native", empty)}";
        }
        var perKernel = programs.Where(p => times.ContainsKey((p, "Jit")) && times.ContainsKey((p, "Wasmtime")))
            .Select(p => $"{p} {(times[(p, "Jit")] / times[(p, "Wasmtime")]).ToString("0.00", CultureInfo.InvariantCulture)}")
            .ToList();
        if (perKernel.Count > 0)
        {
            note += $"\njit/wasmtime per kernel: {string.Join(", ", perKernel)}";
        }
        return note;
    }
}
