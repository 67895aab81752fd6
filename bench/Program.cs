using BenchmarkDotNet.Running;
using WasmHarness.Bench;
using WasmHarness.Differential.Engines;
using WasmHarness.Differential.Wasmtime;

// `bench --check`: run every kernel once on every engine and verify its result (seconds; what CI can afford).
// Anything else goes to BenchmarkDotNet, e.g. `bench --filter '*'` or `bench --filter '*Kernel*' --job short`.
if (args is ["--check"])
{
    using var wasmtime = new WasmtimeEngine();
    IEngine[] engines = [new InterpreterEngine(), new JitEngine(), wasmtime];
    foreach (var kernel in Kernel.All)
    {
        foreach (var engine in engines)
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            using var prepared = new PreparedKernel(engine, kernel);
            Console.WriteLine($"{kernel.Name,-8} {engine.Name,-9} ok  ({started.Elapsed.TotalMilliseconds:F0} ms incl. compile)");
        }
    }
    return 0;
}

// `bench --quick [runs]`: each kernel on each engine in this process, best of a few runs (a rough table in seconds).
if (args is ["--quick", ..])
{
    var runs = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5;
    using var wasmtime = new WasmtimeEngine();
    IEngine[] engines = [new InterpreterEngine(), new JitEngine(), wasmtime];
    Console.WriteLine($"{"kernel",-8} {"engine",-9} {"best ms",10} {"vs wasmtime",12}");
    foreach (var kernel in Kernel.All)
    {
        var best = new Dictionary<string, double>();
        foreach (var engine in engines)
        {
            using var prepared = new PreparedKernel(engine, kernel);
            var times = Enumerable.Range(0, runs).Select(_ =>
            {
                var watch = System.Diagnostics.Stopwatch.StartNew();
                prepared.Run();
                return watch.Elapsed.TotalMilliseconds;
            }).ToList();
            best[engine.Name] = times.Min();
        }
        foreach (var (name, ms) in best)
        {
            Console.WriteLine($"{kernel.Name,-8} {name,-9} {ms,10:F2} {ms / best["wasmtime"],11:F2}x");
        }
    }
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(KernelBenchmarks).Assembly).Run(args);
return 0;
