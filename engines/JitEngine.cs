
namespace WasmHarness.Engines;

/// <summary>
/// Our own runtime behind <see cref="IEngine"/>: the JIT tier (Wasm → CIL → RyuJIT). It shares everything but
/// code execution with the interpreter, so it is the interpreter's engine with <see cref="ExecutionTier.Jit"/>.
/// </summary>
public sealed class JitEngine(EngineOptions? options = null, string name = "jit") : IEngine, Wasi.IWasiRunner
{
    private readonly InterpreterEngine _engine = new((options ?? new EngineOptions()) with { Tier = ExecutionTier.Jit }, name);

    public string Name => name;

    /// <summary>The runtime engine behind this one (its options; the key of test-only fault injection).</summary>
    public Engine RuntimeEngine => _engine.RuntimeEngine;

    public IEngineSession CreateSession() => _engine.CreateSession();

    public Wasi.WasiOutcome RunWasi(Wasi.WasiProgram program) => _engine.RunWasi(program);
}
