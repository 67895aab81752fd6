using WasmHarness.Execution;

namespace WasmHarness.Tests.Robustness;

/// <summary>
/// A trap carries the Wasm frames active when it was raised, innermost first, on both tiers alike, whether the
/// guest trapped or a host function it called did (issue: robustness).
/// </summary>
public sealed class BacktraceTests
{
    private const string Text = """
        (module
          (import "host" "boom" (func $boom))
          (func $inner (call $boom))
          (func $middle (call $inner))
          (func $deep (unreachable))
          (func (export "guest_trap") (call $deep))
          (func (export "host_trap") (call $middle)))
        """;

    public static TheoryData<ExecutionTier, string, uint[]> Cases => new()
    {
        { ExecutionTier.Interpreter, "guest_trap", [3, 4] },
        { ExecutionTier.Jit, "guest_trap", [3, 4] },
        { ExecutionTier.Interpreter, "host_trap", [1, 2, 5] },
        { ExecutionTier.Jit, "host_trap", [1, 2, 5] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_trap_lists_its_wasm_frames_innermost_first(ExecutionTier tier, string export, uint[] expected)
    {
        var engine = new Engine(new EngineOptions { Tier = tier });
        var host = new HostFunction(new Syntax.FunctionType([], []), (_, _) => throw new TrapException(TrapKind.Unreachable), "boom");
        var instance = CompiledModule.FromText(engine, Text).Instantiate(new Store(engine), new Linker().Define("host", "boom", host));
        var trap = Assert.Throws<TrapException>(() => instance.Invoke(export));
        Assert.Equal(expected, trap.WasmBacktrace.Select(frame => frame.Index));
        Assert.All(trap.WasmBacktrace, frame => Assert.Same(instance, frame.Instance));
    }

    [Theory]
    [InlineData("guest_trap", new uint[] { 3, 4 })]
    [InlineData("host_trap", new uint[] { 1, 2, 5 })]
    public void Saved_code_records_the_same_frames(string export, uint[] expected)
    {
        var engine = new Engine(new EngineOptions { Tier = ExecutionTier.Jit });
        var path = Path.Combine(Path.GetTempPath(), $"backtrace-{Guid.NewGuid():N}.dll");
        try
        {
            CompiledModule.FromText(engine, Text).Save(path);
            var host = new HostFunction(new Syntax.FunctionType([], []), (_, _) => throw new TrapException(TrapKind.Unreachable), "boom");
            var instance = CompiledModule.Load(engine, path).Instantiate(new Store(engine), new Linker().Define("host", "boom", host));
            var trap = Assert.Throws<TrapException>(() => instance.Invoke(export));
            Assert.Equal(expected, trap.WasmBacktrace.Select(frame => frame.Index));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
