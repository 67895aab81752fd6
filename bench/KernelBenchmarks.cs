using BenchmarkDotNet.Attributes;
using WasmHarness.Differential.Engines;
using WasmHarness.Differential.Wasmtime;

namespace WasmHarness.Bench;

/// <summary>
/// Throughput of each engine on each compute kernel, in one run; wasmtime is the baseline, so the Ratio column
/// reads "times slower than wasmtime".
/// </summary>
[MemoryDiagnoser]
[JsonExporterAttribute.Full]
public class KernelBenchmarks
{
    private WasmtimeEngine _wasmtimeEngine = null!;
    private PreparedKernel _wasmtime = null!;
    private PreparedKernel _interp = null!;

    [ParamsSource(nameof(KernelNames))]
    public string Kernel { get; set; } = "";

    public static IEnumerable<string> KernelNames => WasmHarness.Bench.Kernel.All.Select(k => k.Name);

    [GlobalSetup]
    public void Setup()
    {
        var kernel = WasmHarness.Bench.Kernel.Named(Kernel);
        _wasmtimeEngine = new WasmtimeEngine();
        _wasmtime = new PreparedKernel(_wasmtimeEngine, kernel);
        _interp = new PreparedKernel(new InterpreterEngine(), kernel);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _wasmtime.Dispose();
        _interp.Dispose();
        _wasmtimeEngine.Dispose();
    }

    [Benchmark(Baseline = true)]
    public EngineValue Wasmtime() => _wasmtime.Run();

    [Benchmark]
    public EngineValue Interpreter() => _interp.Run();
}

/// <summary>Compile and instantiate time per engine: front end, validation and code generation included.</summary>
[MemoryDiagnoser]
[JsonExporterAttribute.Full]
public class InstantiateBenchmarks
{
    private WasmtimeEngine _wasmtimeEngine = null!;
    private InterpreterEngine _interpEngine = null!;
    private ModuleArtifact _module = null!;

    [ParamsSource(nameof(KernelNames))]
    public string Kernel { get; set; } = "";

    public static IEnumerable<string> KernelNames => WasmHarness.Bench.Kernel.All.Select(k => k.Name);

    [GlobalSetup]
    public void Setup()
    {
        _module = WasmHarness.Bench.Kernel.Named(Kernel).Load();
        _ = _module.Binary;
        _wasmtimeEngine = new WasmtimeEngine();
        _interpEngine = new InterpreterEngine();
    }

    [GlobalCleanup]
    public void Cleanup() => _wasmtimeEngine.Dispose();

    [Benchmark(Baseline = true)]
    public void Wasmtime()
    {
        using var session = _wasmtimeEngine.CreateSession();
        session.Instantiate(_module);
    }

    [Benchmark]
    public void Interpreter()
    {
        using var session = _interpEngine.CreateSession();
        session.Instantiate(_module);
    }
}
