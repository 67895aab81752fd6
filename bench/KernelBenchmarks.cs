using BenchmarkDotNet.Attributes;
using WasmHarness.Engines;
using WasmHarness.Engines.Wasmtime;

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

/// <summary>
/// Time until a module is ready to run, per engine: the front end (ours) or wasmtime's compile, instantiation,
/// and one call of the kernel with its smallest argument, so the JIT's lazy compilation (and RyuJIT's) is inside
/// the measurement. Divided by the module's size it gives compile time per MB of Wasm.
/// </summary>
[MemoryDiagnoser]
[JsonExporterAttribute.Full]
public class InstantiateBenchmarks
{
    private WasmtimeEngine _wasmtimeEngine = null!;
    private InterpreterEngine _interpEngine = null!;
    private JitEngine _jitEngine = null!;
    private Kernel _kernel = null!;
    private ModuleArtifact _module = null!;

    [ParamsSource(nameof(KernelNames))]
    public string Kernel { get; set; } = "";

    public static IEnumerable<string> KernelNames => WasmHarness.Bench.Kernel.All.Select(k => k.Name);

    [GlobalSetup]
    public void Setup()
    {
        _kernel = WasmHarness.Bench.Kernel.Named(Kernel);
        _module = _kernel.Load();
        Console.WriteLine($"// {Kernel}: {_module.Binary.Length} bytes of Wasm");
        _wasmtimeEngine = new WasmtimeEngine();
        _interpEngine = new InterpreterEngine();
        _jitEngine = new JitEngine(new EngineOptions { JitEager = true });
    }

    [GlobalCleanup]
    public void Cleanup() => _wasmtimeEngine.Dispose();

    [Benchmark(Baseline = true)]
    public EngineValue Wasmtime() => ReadyAndRun(_wasmtimeEngine);

    [Benchmark]
    public EngineValue Interpreter() => ReadyAndRun(_interpEngine);

    /// <summary>With eager compilation: the first call compiles every function of the module.</summary>
    [Benchmark]
    public EngineValue Jit() => ReadyAndRun(_jitEngine);

    private EngineValue ReadyAndRun(IEngine engine)
    {
        using var session = engine.CreateSession();
        var instance = session.Instantiate(_module);
        return session.Invoke(instance, _kernel.Export, [_kernel.Smallest])[0];
    }
}
