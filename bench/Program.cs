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

BenchmarkSwitcher.FromAssembly(typeof(KernelBenchmarks).Assembly).Run(args);
return 0;
