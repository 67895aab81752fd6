using BenchmarkDotNet.Attributes;
using WasmHarness.Execution;

namespace WasmHarness.Bench;

/// <summary>
/// The JIT's code belongs to the module: instantiating an already compiled module costs no compilation. Each
/// benchmark makes <see cref="Instances"/> instances of a kernel and calls its export once (smallest argument) in
/// each. <see cref="Reuse"/> instantiates a module whose code exists (compiled in the setup); <see cref="CompileOnceThenReuse"/>
/// starts from a fresh engine each time, so it pays one compilation and then reuses it; <see cref="CompileOnly"/> is
/// that one compilation with a single instance. Reuse ≈ CompileOnceThenReuse − CompileOnly shows that the 99 other
/// instances compiled nothing; the setup prints the compile counts too.
/// </summary>
[MemoryDiagnoser]
[JsonExporterAttribute.Full]
public class ModuleReuseBenchmarks
{
    private Engine _engine = null!;
    private CompiledModule _module = null!;
    private Kernel _kernel = null!;
    private Syntax.Module _syntax = null!;
    private Value[] _argument = [];

    [ParamsSource(nameof(KernelNames))]
    public string Kernel { get; set; } = "";

    [Params(100)]
    public int Instances { get; set; }

    public static IEnumerable<string> KernelNames => WasmHarness.Bench.Kernel.All.Select(k => k.Name);

    private static readonly EngineOptions JitOptions = new() { Tier = ExecutionTier.Jit, JitEager = true };

    [GlobalSetup]
    public void Setup()
    {
        _kernel = WasmHarness.Bench.Kernel.Named(Kernel);
        _syntax = _kernel.Load().Module;
        _argument = [new Value(_kernel.Smallest.Low, _kernel.Smallest.High)];
        _engine = new Engine(JitOptions);
        _module = CompiledModule.Compile(_engine, _syntax);
        RunInstances(_module, 1);
        var before = _engine.JitStatistics.Compiled;
        RunInstances(_module, Instances);
        Console.WriteLine($"// {Kernel}: {before} functions compiled for the first instance, {_engine.JitStatistics.Compiled - before} for {Instances} more");
    }

    /// <summary><see cref="Instances"/> instances of a module whose code already exists.</summary>
    [Benchmark(Baseline = true)]
    public int Reuse() => RunInstances(_module, Instances);

    /// <summary>A fresh engine: one compilation, then <see cref="Instances"/> instances sharing it.</summary>
    [Benchmark]
    public int CompileOnceThenReuse()
    {
        var engine = new Engine(JitOptions);
        return RunInstances(CompiledModule.Compile(engine, _syntax), Instances);
    }

    /// <summary>A fresh engine, one compilation and one instance: the compilation's own cost.</summary>
    [Benchmark]
    public int CompileOnly()
    {
        var engine = new Engine(JitOptions);
        return RunInstances(CompiledModule.Compile(engine, _syntax), 1);
    }

    private int RunInstances(CompiledModule module, int count)
    {
        using var store = new Store(module.Engine);
        var checksum = 0;
        for (var i = 0; i < count; i++)
        {
            var instance = module.Instantiate(store);
            checksum += (int)instance.Invoke(_kernel.Export, _argument)[0].Low;
        }
        return checksum;
    }
}
