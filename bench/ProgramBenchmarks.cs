using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using WasmHarness.Execution;
using Wt = Wasmtime;

namespace WasmHarness.Bench;

/// <summary>
/// The four columns on one C program: the native build (the baseline, so Ratio reads "times slower than native"),
/// our interpreter, our JIT and wasmtime. Each Wasm run is a whole command: a fresh instance with WASI and its
/// <c>_start</c>; each native run a whole process. Before a column is timed its output is compared with the native
/// output. A run is 50 ms or more natively, so one invocation per iteration; few iterations, because the
/// interpreter takes seconds per run (override with --job).
/// </summary>
[MemoryDiagnoser]
[JsonExporterAttribute.Full]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3, invocationCount: 1)]
public abstract class WasiProgramBenchmarks
{
    private IProgramRunner? _runner;

    public abstract string ProgramName { get; set; }

    [GlobalSetup(Target = nameof(Native))]
    public void SetupNative() => Prepare("native");

    [GlobalSetup(Target = nameof(Interpreter))]
    public void SetupInterpreter() => Prepare("interp");

    [GlobalSetup(Target = nameof(Jit))]
    public void SetupJit() => Prepare("jit");

    [GlobalSetup(Target = nameof(Wasmtime))]
    public void SetupWasmtime() => Prepare("wasmtime");

    [GlobalCleanup]
    public void Cleanup() => _runner?.Dispose();

    [Benchmark(Baseline = true)]
    public string Native() => _runner!.Run();

    [Benchmark]
    public string Interpreter() => _runner!.Run();

    [Benchmark]
    public string Jit() => _runner!.Run();

    [Benchmark]
    public string Wasmtime() => _runner!.Run();

    private void Prepare(string engine) => _runner = ProgramCheck.CreateVerified(engine, ProgramName);
}

/// <summary>Every C kernel of <c>corpus/bench/c</c> on the four columns.</summary>
public class ProgramBenchmarks : WasiProgramBenchmarks
{
    [ParamsSource(nameof(Programs))]
    public override string ProgramName { get; set; } = "";

    public static IEnumerable<string> Programs => CPrograms.Kernels.Select(p => p.Name);
}

/// <summary>
/// The empty C program on the four columns: natively the cost of starting a process (included in every native
/// time above), on the Wasm engines the fixed cost of a run (instantiation with WASI, wasi-libc's start-up).
/// </summary>
public class StartupBenchmarks : WasiProgramBenchmarks
{
    [Params(CPrograms.EmptyName)]
    public override string ProgramName { get; set; } = CPrograms.EmptyName;
}

/// <summary>
/// Time until each C program has run once, from its bytes: decode, validate, instantiate with WASI and the
/// smallest run (argument 0: a few milliseconds of work natively) on our interpreter; the same with every function
/// compiled on the first call (our JIT, eager); Cranelift's compile, instantiation and the run (wasmtime). A WASI
/// command exports only <c>_start</c>, so a run is the only way to make the lazy parts (our JIT, RyuJIT) happen.
/// </summary>
[MemoryDiagnoser]
[JsonExporterAttribute.Full]
[ShortRunJob]
public class ProgramCompileBenchmarks
{
    private CProgram _program = null!;
    private Engine _interp = null!;
    private Engine _jit = null!;
    private Wt.Engine _wasmtime = null!;

    [ParamsSource(nameof(Programs))]
    public string ProgramName { get; set; } = "";

    public static IEnumerable<string> Programs => ProgramBenchmarks.Programs;

    [GlobalSetup]
    public void Setup()
    {
        _program = CPrograms.Named(ProgramName) with { Arguments = ["0"] };
        _interp = new Engine(new EngineOptions { Tier = ExecutionTier.Interpreter });
        _jit = new Engine(new EngineOptions { Tier = ExecutionTier.Jit, JitEager = true });
        _wasmtime = new Wt.Engine();
        Console.WriteLine($"// {ProgramName}: {new FileInfo(_program.WasmPath).Length} bytes of Wasm");
    }

    [GlobalCleanup]
    public void Cleanup() => _wasmtime.Dispose();

    [Benchmark(Baseline = true)]
    public string Wasmtime()
    {
        using var runner = new WasmtimeRunner(_program, _wasmtime);
        return runner.Run();
    }

    [Benchmark]
    public string Interpreter()
    {
        using var runner = new OurRunner(_program, _interp);
        return runner.Run();
    }

    [Benchmark]
    public string Jit()
    {
        using var runner = new OurRunner(_program, _jit);
        return runner.Run();
    }
}

/// <summary>
/// Our interpreter against wasm3, the fast C interpreter it is measured by (issue 20's interp/wasm3 mark), on every
/// C kernel wasm3 can run (not those built with SIMD). BenchmarkDotNet runs each case in a process of its own, so
/// the interpreter loop's optimized code is compiled from the profile of the program measured, as in a
/// <c>harness run</c>; wasm3 is a process per run, its start-up (a few milliseconds) included. Needs a wasm3 binary
/// (<c>$WASM3</c> or <c>wasm3</c> on the PATH; docs/bench.md, "wasm3"); without one, <c>bench</c> leaves this
/// suite out.
/// </summary>
[JsonExporterAttribute.Full]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5, invocationCount: 1)]
public class Wasm3Benchmarks
{
    private IProgramRunner? _runner;

    [ParamsSource(nameof(Programs))]
    public string ProgramName { get; set; } = "";

    public static IEnumerable<string> Programs => CPrograms.Kernels.Where(p => !p.UsesSimd).Select(p => p.Name);

    [GlobalSetup(Target = nameof(Wasm3))]
    public void SetupWasm3() => _runner = ProgramCheck.CreateVerified("wasm3", ProgramName);

    [GlobalSetup(Target = nameof(Interpreter))]
    public void SetupInterpreter() => _runner = ProgramCheck.CreateVerified("interp", ProgramName);

    [GlobalCleanup]
    public void Cleanup() => _runner?.Dispose();

    [Benchmark(Baseline = true)]
    public string Wasm3() => _runner!.Run();

    [Benchmark]
    public string Interpreter() => _runner!.Run();
}
