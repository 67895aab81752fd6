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
    private PreparedKernel _jit = null!;

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
        _jit = new PreparedKernel(new JitEngine(), kernel);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _wasmtime.Dispose();
        _interp.Dispose();
        _jit.Dispose();
        _wasmtimeEngine.Dispose();
    }

    [Benchmark(Baseline = true)]
    public EngineValue Wasmtime() => _wasmtime.Run();

    [Benchmark]
    public EngineValue Interpreter() => _interp.Run();

    [Benchmark]
    public EngineValue Jit() => _jit.Run();
}

/// <summary>Compile and instantiate time per engine: front end, validation and code generation included.</summary>
[MemoryDiagnoser]
[JsonExporterAttribute.Full]
public partial class InstantiateBenchmarks
{
    private WasmtimeEngine _wasmtimeEngine = null!;
    private InterpreterEngine _interpEngine = null!;
    private JitEngine _jitEngine = null!;
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
        _jitEngine = new JitEngine(new EngineOptions { JitEager = true });
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

    /// <summary>With eager compilation, so the JIT's code generation is inside the measurement.</summary>
    [Benchmark]
    public void Jit()
    {
        using var session = _jitEngine.CreateSession();
        session.Instantiate(_module);
    }
}

/// <summary>Instantiate time of the JIT with eager compilation (every function compiled before the first call returns).</summary>
public partial class InstantiateBenchmarks
{
    [Benchmark]
    public void JitEager()
    {
        using var session = _jitEngine.CreateSession();
        session.Instantiate(_module);
    }
}
