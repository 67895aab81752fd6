using System.Diagnostics;
using WasmHarness.Execution;

namespace WasmHarness.Bench;

/// <summary>
/// `bench --cold [RUNS] [FILE.wasm [ARGS...]]`: a whole run from the module's bytes, as `harness run` and `wasmtime
/// run` do it (decode, validate or compile, instantiate with WASI, run to exit), with a fresh engine each time: our
/// interpreter, our JIT compiling each function on its first call, our JIT tiering up (the CLI's default, docs/jit.md,
/// "Tier-up") and wasmtime (Cranelift, optimizing, as its CLI). Where <c>--compare</c> times compiled code, this
/// times what a user waits for. In this process, so without the .NET runtime's own start-up, and with our runtime's
/// code already compiled after the first round (as the installed, ReadyToRun tool has it); engines interleaved, each
/// round after a full collection; the median of RUNS (default 3). Without a file: each C program of the corpus.
/// </summary>
public static class ColdRun
{
    private static readonly (string Name, Func<CProgram, IProgramRunner> Create)[] Engines =
    [
        ("interp", program => new OurRunner(program, ExecutionTier.Interpreter)),
        ("jit", program => new OurRunner(program, new Engine(new EngineOptions { Tier = ExecutionTier.Jit }))),
        ("jit tier-up", program => new OurRunner(program, new Engine(new EngineOptions { Tier = ExecutionTier.Jit, JitTierUp = 1000 }))),
        ("wasmtime", program => new WasmtimeRunner(program)),
    ];

    public static int Run(IReadOnlyList<string> args, string? buildError)
    {
        var runs = args.Count > 0 && int.TryParse(args[0], out var n) ? n : 3;
        var rest = args.Skip(args.Count > 0 && int.TryParse(args[0], out _) ? 1 : 0).ToList();
        if (rest.Count == 0 && buildError is not null)
        {
            Console.Error.WriteLine($"--cold needs the C programs or a FILE.wasm: {buildError}");
            return 1;
        }
        IReadOnlyList<CProgram> programs = rest.Count > 0 ? [CProgram.External(rest[0], [.. rest.Skip(1)])] : CPrograms.Kernels;
        Console.WriteLine($"whole runs from the module's bytes, a fresh engine each, median of {runs} (ms)");
        Console.WriteLine($"{"program",-10} {string.Join(" ", Engines.Select(e => $"{e.Name,12}"))} {"tier-up/wasmtime",17}");
        var ratios = new List<double>();
        foreach (var program in programs)
        {
            var times = Engines.Select(_ => new List<double>()).ToArray();
            string? expected = null;
            try
            {
                for (var round = 0; round < runs; round++)
                {
                    for (var e = 0; e < Engines.Length; e++)
                    {
                        GC.Collect();
                        GC.WaitForPendingFinalizers();
                        GC.Collect();
                        var watch = Stopwatch.StartNew();
                        using var runner = Engines[e].Create(program);
                        var output = runner.Run();
                        times[e].Add(watch.Elapsed.TotalMilliseconds);
                        expected ??= output;
                        if (output != expected)
                        {
                            throw new InvalidOperationException($"{Engines[e].Name}'s output differs from {Engines[0].Name}'s");
                        }
                    }
                }
            }
            catch (InvalidOperationException e)
            {
                Console.WriteLine($"{program.Name,-10} left out: {e.Message.Split('\n')[0]}");
                continue;
            }
            var medians = times.Select(Averages.Median).ToArray();
            var ratio = medians[2] / medians[3];
            ratios.Add(ratio);
            Console.WriteLine($"{program.Name,-10} {string.Join(" ", medians.Select(m => $"{m,12:F0}"))} {ratio,16:F2}x");
        }
        if (ratios.Count == 0)
        {
            Console.Error.WriteLine("bench: no program ran on every engine: nothing to compare");
            return 1;
        }
        Console.WriteLine($"geomean jit tier-up/wasmtime: {Averages.GeometricMean(ratios):F2}x over {ratios.Count} programs");
        return 0;
    }
}
