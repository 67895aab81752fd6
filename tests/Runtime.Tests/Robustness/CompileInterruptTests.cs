using WasmHarness.Execution;

namespace WasmHarness.Tests.Robustness;

/// <summary>
/// Compiling on first call observes <see cref="Store.Interrupt"/> (issue: robustness): an interrupted store's call
/// traps before the group is compiled, nothing half-compiled stays behind, and a later call compiles and runs.
/// </summary>
public sealed class CompileInterruptTests
{
    private const string Text = """
        (module
          (func $helper (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
          (func (export "run") (param i32) (result i32) (call $helper (i32.add (local.get 0) (i32.const 1)))))
        """;

    [Fact]
    public void An_interrupted_store_traps_instead_of_compiling_and_a_later_call_compiles()
    {
        var engine = new Engine(new EngineOptions { Tier = ExecutionTier.Jit });
        var store = new Store(engine);
        var instance = CompiledModule.FromText(engine, Text).Instantiate(store);

        store.Interrupt();
        var trap = Assert.Throws<TrapException>(() => instance.Invoke("run", Value.FromI32(1)));
        Assert.Equal(TrapKind.Interrupted, trap.Kind);
        Assert.Equal(0, engine.JitStatistics.Compiled);
        Assert.Equal(0, engine.JitStatistics.FallenBack);

        store.ClearInterrupt();
        Assert.Equal(6, instance.Invoke("run", Value.FromI32(1))[0].I32);
        Assert.Equal(2, engine.JitStatistics.Compiled);
    }

    [Fact]
    public void Another_store_of_the_same_module_compiles_while_one_is_interrupted()
    {
        var engine = new Engine(new EngineOptions { Tier = ExecutionTier.Jit });
        var module = CompiledModule.FromText(engine, Text);
        var interrupted = new Store(engine);
        var first = module.Instantiate(interrupted);
        var second = module.Instantiate(new Store(engine));
        interrupted.Interrupt();
        Assert.Throws<TrapException>(() => first.Invoke("run", Value.FromI32(2)));
        Assert.Equal(9, second.Invoke("run", Value.FromI32(2))[0].I32);
        Assert.Equal(2, engine.JitStatistics.Compiled);
    }
}
