using BenchmarkDotNet.Attributes;
using WasmHarness.Engines;

namespace WasmHarness.Bench;

/// <summary>
/// What the JIT's guest coverage (<see cref="EngineOptions.GuestCoverage"/>) costs on the compute kernels: off (no
/// probes are emitted; compare with <see cref="KernelBenchmarks.Jit"/> of a build without the feature) and on.
/// </summary>
[JsonExporterAttribute.Full]
public class GuestCoverageBenchmarks
{
    private PreparedKernel _off = null!;
    private PreparedKernel _on = null!;

    [ParamsSource(nameof(KernelNames))]
    public string Kernel { get; set; } = "";

    public static IEnumerable<string> KernelNames => WasmHarness.Bench.Kernel.All.Select(k => k.Name);

    [GlobalSetup]
    public void Setup()
    {
        var kernel = WasmHarness.Bench.Kernel.Named(Kernel);
        _off = new PreparedKernel(new JitEngine(), kernel);
        _on = new PreparedKernel(new JitEngine(new EngineOptions { GuestCoverage = new GuestCoverage() }), kernel);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _off.Dispose();
        _on.Dispose();
    }

    [Benchmark(Baseline = true)]
    public EngineValue Off() => _off.Run();

    [Benchmark]
    public EngineValue On() => _on.Run();
}
