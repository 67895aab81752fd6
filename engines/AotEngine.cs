namespace WasmHarness.Engines;

/// <summary>
/// Our JIT ahead of time, behind <see cref="IEngine"/>: every module is compiled to a .NET assembly file
/// (<see cref="CompiledModule.Save(string)"/>, what <c>harness compile</c> writes), loaded back from that file
/// (<see cref="CompiledModule.Load"/>) and run from it, so the saved code is what is judged.
/// </summary>
public sealed class AotEngine : IEngine, Wasi.IWasiRunner, IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("harness-aot-");
    private readonly InterpreterEngine _engine;
    private int _files;

    public AotEngine(EngineOptions? options = null)
    {
        _engine = new InterpreterEngine((options ?? new EngineOptions()) with { Tier = ExecutionTier.Jit }, "aot", SaveAndLoad);
    }

    public string Name => "aot";

    /// <summary>The runtime engine behind this one.</summary>
    public Engine RuntimeEngine => _engine.RuntimeEngine;

    public IEngineSession CreateSession() => _engine.CreateSession();

    public Wasi.WasiOutcome RunWasi(Wasi.WasiProgram program) => _engine.RunWasi(program);

    private CompiledModule SaveAndLoad(Engine engine, Syntax.Module module)
    {
        var path = Path.Combine(_directory.FullName, $"module{Interlocked.Increment(ref _files)}.dll");
        CompiledModule.Compile(engine, module).Save(path);
        try
        {
            return CompiledModule.Load(engine, path);
        }
        finally
        {
            File.Delete(path); // loaded from its bytes: the file is not needed once read
        }
    }

    public void Dispose() => _directory.Delete(recursive: true);
}
