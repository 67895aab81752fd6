using WasmHarness.Engines;
using WasmHarness.Syntax;
using WasmHarness.Text;

namespace WasmHarness.Bench;

/// <summary>
/// A compute kernel: a WAT program from <c>corpus/bench/wat</c>, the export to call, its argument, the result
/// every engine must produce (checked before anything is timed), and the smallest argument (a call that does
/// almost no work, for measuring the time until a module is ready).
/// </summary>
public sealed record Kernel(string Name, string File, string Export, EngineValue Argument, EngineValue Expected, EngineValue Smallest)
{
    public static readonly IReadOnlyList<Kernel> All =
    [
        new("fib", "fib.wat", "fib", EngineValue.I32(25), EngineValue.I32(75025), EngineValue.I32(0)),
        new("hash", "hash.wat", "hash", EngineValue.I32(1_000_000), EngineValue.I32(351718733), EngineValue.I32(0)),
        new("matmul", "matmul.wat", "matmul", EngineValue.I32(64), EngineValue.F64(BitConverter.DoubleToUInt64Bits(89456640.0)), EngineValue.I32(1)),
        new("gc-tree", "gctree.wat", "gctree", EngineValue.I32(4), EngineValue.I32(-262144), EngineValue.I32(0)),
    ];

    public static Kernel Named(string name) => All.Single(k => k.Name == name);

    /// <summary>The kernel's module, parsed by our text parser (every engine gets the same bytes).</summary>
    public ModuleArtifact Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "kernels", File);
        return new ModuleArtifact(WatParser.ParseModule(System.IO.File.ReadAllText(path), File));
    }

    public override string ToString() => Name;
}

/// <summary>One engine with the kernel instantiated, ready to call; checks the kernel's result once.</summary>
public sealed class PreparedKernel : IDisposable
{
    private readonly IEngineSession _session;
    private readonly IEngineInstance _instance;
    private readonly Kernel _kernel;
    private readonly EngineValue[] _arguments;

    public PreparedKernel(IEngine engine, Kernel kernel)
    {
        _kernel = kernel;
        _session = engine.CreateSession();
        _instance = _session.Instantiate(kernel.Load());
        _arguments = [kernel.Argument];
        var result = Run();
        if (result != kernel.Expected)
        {
            throw new InvalidOperationException($"{engine.Name} computed {result} for {kernel.Name}, expected {kernel.Expected}");
        }
    }

    public EngineValue Run() => _session.Invoke(_instance, _kernel.Export, _arguments)[0];

    public void Dispose() => _session.Dispose();
}
