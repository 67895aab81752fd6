using WasmHarness.Execution;
using WasmHarness.Jit;

namespace WasmHarness.Tests.Jit;

/// <summary>
/// The JIT's code belongs to the module, not to an instance: instantiating a compiled module many times, in one
/// store or in several, compiles each function once, and every instance still sees only its own state.
/// </summary>
public sealed class JitModuleCodeTests
{
    private const string Counter = """
        (module
          (memory 1)
          (global $count (mut i32) (i32.const 0))
          (table 2 funcref)
          (elem (i32.const 0) $bump $read)
          (type $t (func (result i32)))
          (func $bump (result i32)
            (global.set $count (i32.add (global.get $count) (i32.const 1)))
            (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 10)))
            (global.get $count))
          (func $read (result i32) (i32.add (global.get $count) (i32.load (i32.const 0))))
          (func (export "bump") (result i32) (call_indirect (type $t) (i32.const 0)))
          (func (export "read") (result i32) (call_indirect (type $t) (i32.const 1))))
        """;

    [Fact]
    public void Instantiating_a_module_a_hundred_times_compiles_each_function_once()
    {
        var engine = new Engine(new EngineOptions { Tier = ExecutionTier.Jit });
        var module = CompiledModule.FromText(engine, Counter);
        var stores = new[] { new Store(engine), new Store(engine) };
        var instances = Enumerable.Range(0, 100).Select(i => module.Instantiate(stores[i % 2])).ToList();
        foreach (var instance in instances)
        {
            Assert.Equal(1, instance.Invoke("bump")[0].I32);
            Assert.Equal(11, instance.Invoke("read")[0].I32);
        }
        Assert.Equal(4, engine.JitStatistics.Compiled);
        Assert.Equal(0, engine.JitStatistics.FallenBack);
        Assert.All(instances, instance => Assert.Same(JitModule.For(instances[0]), JitModule.For(instance)));
    }

    [Fact]
    public void Instances_sharing_code_keep_their_own_globals_memories_and_tables()
    {
        var engine = new Engine(new EngineOptions { Tier = ExecutionTier.Jit });
        var module = CompiledModule.FromText(engine, Counter);
        var store = new Store(engine);
        var first = module.Instantiate(store);
        var second = module.Instantiate(store);
        first.Invoke("bump");
        first.Invoke("bump");
        second.Invoke("bump");
        Assert.Equal(2 + 20, first.Invoke("read")[0].I32);
        Assert.Equal(1 + 10, second.Invoke("read")[0].I32);
        Assert.Equal(20, first.Memories[0].Read<int>(0));
        Assert.Equal(10, second.Memories[0].Read<int>(0));
    }

    [Fact]
    public void Another_engine_compiles_its_own_code()
    {
        // Engines differ in what the code does (fuel, coverage probes, fault injection), so code is per engine.
        var metered = new Engine(new EngineOptions { Tier = ExecutionTier.Jit, Fuel = 1_000 });
        var free = new Engine(new EngineOptions { Tier = ExecutionTier.Jit });
        var syntax = WasmHarness.Text.WatParser.ParseModule(Counter);
        var a = CompiledModule.Compile(metered, syntax).Instantiate(new Store(metered));
        var b = CompiledModule.Compile(free, syntax).Instantiate(new Store(free));
        a.Invoke("read");
        b.Invoke("read");
        Assert.NotSame(JitModule.For(a), JitModule.For(b));
        Assert.Equal(2, metered.JitStatistics.Compiled); // "read" and, through call_indirect, $read: compiled lazily
        Assert.Equal(2, free.JitStatistics.Compiled);
    }
}
