using WasmHarness.Execution;
using WasmHarness.Interpreter.Threaded;

namespace WasmHarness.Tests.Interpreter;

/// <summary>
/// The interpreter's threaded code (runtime/Interpreter/Threaded): which functions it takes, and that what it runs
/// keeps the dispatch loop's guarantees: bounded recursion, interrupts, traps with their frames, host calls that come
/// back in, calls across instances. The core suite runs through it and through the loop alone (ExecutionTests).
/// </summary>
public sealed class ThreadedMachineTests
{
    private static (Store Store, ModuleInstance Instance) Instantiate(string text, EngineOptions? options = null, Linker? linker = null)
    {
        var engine = new Engine(options ?? new EngineOptions());
        var store = new Store(engine);
        return (store, CompiledModule.FromText(engine, text).Instantiate(store, linker));
    }

    private static ThreadedCode CodeOf(ModuleInstance instance, string export) => ThreadedCode.Of((WasmFunction)instance.GetFunction(export));

    [Fact]
    public void This_process_makes_the_tail_calls_the_handlers_need()
    {
#if !DEBUG
        Assert.True(ThreadedMachine.TailCallsWork, "the threaded machine probed no tail calls: every function would run in the dispatch loop");
#endif
    }

    [Fact]
    public void Functions_whose_values_are_all_numbers_run_threaded_and_the_others_in_the_loop()
    {
        var (store, instance) = Instantiate("""
            (module
              (memory 1)
              (global $g (mut i64) (i64.const 0))
              (func (export "numbers") (param i32 f64) (result i64) (local f32)
                (global.set $g (i64.extend_i32_u (i32.load (local.get 0))))
                (i64.trunc_sat_f64_s (local.get 1)))
              (func (export "reference") (param externref) (result i32) (ref.is_null (local.get 0)))
              (func (export "vector") (result i32) (i32x4.extract_lane 0 (v128.const i32x4 1 2 3 4)))
              (func (export "tail") (result i64) (return_call 0 (i32.const 0) (f64.const 1)))
              (func (export "null-test") (result i32) (ref.is_null (ref.null func))))
            """);
        Assert.True(CodeOf(instance, "numbers") is { Entry: not null });
        Assert.Same(ThreadedCode.None, CodeOf(instance, "reference"));
        Assert.Same(ThreadedCode.None, CodeOf(instance, "vector"));
        Assert.True(CodeOf(instance, "tail") is { Entry: not null });
        Assert.Same(ThreadedCode.None, CodeOf(instance, "null-test"));
        Assert.Equal(1, instance.Invoke("null-test")[0].I32);
        Assert.Equal(7L, instance.Invoke("numbers", Value.FromI32(0), Value.FromF64(7.9))[0].I64);
        // Each function counted once, the others with the reason they stay in the loop.
        var statistics = store.Engine.InterpreterStatistics;
        Assert.Equal(2, statistics.Threaded);
        Assert.Equal(3, statistics.InLoop);
        Assert.Equal(new Dictionary<string, long> { ["ref.null"] = 1, ["v128.const"] = 1, ["value type"] = 1 }, statistics.LoopReasons);
    }

    [Fact]
    public void Runaway_recursion_traps_and_the_store_runs_on()
    {
        var (_, instance) = Instantiate("""
            (module
              (func $down (export "down") (param i32) (result i32)
                (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
                  (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1))))))))
            """);
        var trap = Assert.Throws<TrapException>(() => instance.Invoke("down", Value.FromI32(10_000_000)));
        Assert.Equal(TrapKind.CallStackExhausted, trap.Kind);
        Assert.Equal(1000, instance.Invoke("down", Value.FromI32(1000))[0].I32);
    }

    [Fact]
    public void Tail_calls_run_in_constant_space_and_may_call_out()
    {
        var linker = new Linker().DefineFunction("env", "host", (int x) => x + 1000);
        var (_, instance) = Instantiate("""
            (module
              (import "env" "host" (func $host (param i32) (result i32)))
              (type $t (func (param i32 i64) (result i64)))
              (table 1 funcref) (elem (i32.const 0) $count)
              (func $count (export "count") (type $t) (local f64)
                (if (result i64) (i32.eqz (local.get 0)) (then (local.get 1))
                  (else (return_call_indirect (type $t) (i32.sub (local.get 0) (i32.const 1)) (i64.add (local.get 1) (i64.const 2)) (i32.const 0)))))
              (func $even (export "even") (param i32) (result i32)
                (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 1)) (else (return_call $odd (i32.sub (local.get 0) (i32.const 1))))))
              (func $odd (param i32) (result i32)
                (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0)) (else (return_call $even (i32.sub (local.get 0) (i32.const 1))))))
              (func (export "out") (param i32) (result i32) (return_call $host (i32.add (local.get 0) (i32.const 1)))))
            """, linker: linker);
        Assert.True(CodeOf(instance, "count") is { Entry: not null });
        Assert.Equal(20_000_000L, instance.Invoke("count", Value.FromI32(10_000_000), Value.FromI64(0))[0].I64);
        Assert.Equal(1, instance.Invoke("even", Value.FromI32(1_000_001 - 1))[0].I32);
        Assert.Equal(0, instance.Invoke("even", Value.FromI32(1_000_001))[0].I32);
        Assert.Equal(1042, instance.Invoke("out", Value.FromI32(41))[0].I32);
    }

    [Fact]
    public void The_slot_limit_bounds_threaded_frames()
    {
        var options = new EngineOptions { MaxStackSlots = 10_000 };
        var (_, instance) = Instantiate("""
            (module
              (func $down (export "down") (param i32) (result i32) (local i64 i64 i64 i64 i64 i64 i64 i64)
                (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
                  (else (call $down (i32.sub (local.get 0) (i32.const 1)))))))
            """, options);
        Assert.Equal(TrapKind.CallStackExhausted, Assert.Throws<TrapException>(() => instance.Invoke("down", Value.FromI32(5000))).Kind);
        Assert.Equal(0, instance.Invoke("down", Value.FromI32(100))[0].I32);
    }

    [Fact]
    public void An_interrupt_stops_a_loop_without_calls()
    {
        var (store, instance) = Instantiate("""
            (module (func (export "spin") (local i32) (loop $l (local.set 0 (i32.add (local.get 0) (i32.const 1))) (br $l))))
            """);
        Assert.True(CodeOf(instance, "spin") is { Entry: not null });
        using var timer = new Timer(_ => store.Interrupt(), null, 100, Timeout.Infinite);
        Assert.Equal(TrapKind.Interrupted, Assert.Throws<TrapException>(() => instance.Invoke("spin")).Kind);
    }

    [Fact]
    public void A_trap_carries_the_threaded_frames_innermost_first()
    {
        var (_, instance) = Instantiate("""
            (module
              (memory 1)
              (func $inner (param i32) (result i32) (i32.load (local.get 0)))
              (func $outer (export "outer") (param i32) (result i32) (i32.add (i32.const 1) (call $inner (local.get 0)))))
            """);
        var trap = Assert.Throws<TrapException>(() => instance.Invoke("outer", Value.FromI32(65535)));
        Assert.Equal(TrapKind.OutOfBoundsMemoryAccess, trap.Kind);
        Assert.Equal(["func inner", "func outer"], trap.WasmBacktrace.Select(f => f.ToString()));
        Assert.Equal(1, instance.Invoke("outer", Value.FromI32(0))[0].I32);
    }

    [Fact]
    public void A_host_function_may_call_back_in_and_the_caller_keeps_its_operands()
    {
        ModuleInstance? self = null;
        var linker = new Linker().DefineFunction("env", "twice", (int x) => 2 * self!.Invoke("square", Value.FromI32(x))[0].I32);
        var (_, instance) = Instantiate("""
            (module
              (import "env" "twice" (func $twice (param i32) (result i32)))
              (func (export "square") (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
              (func (export "f") (param i32) (result i32)
                (i32.add (i32.add (local.get 0) (i32.const 1000)) (call $twice (local.get 0)))))
            """, linker: linker);
        self = instance;
        Assert.Equal(7 + 1000 + 2 * 49, instance.Invoke("f", Value.FromI32(7))[0].I32);
    }

    [Fact]
    public void A_call_into_another_instance_uses_that_instances_memory_and_globals()
    {
        var engine = new Engine();
        var store = new Store(engine);
        var provider = CompiledModule.FromText(engine, """
            (module
              (memory 1) (data (i32.const 0) "\2a")
              (global $count (mut i32) (i32.const 0))
              (func (export "peek") (param i32) (result i32)
                (global.set $count (i32.add (global.get $count) (i32.const 1)))
                (i32.add (i32.load8_u (local.get 0)) (global.get $count))))
            """).Instantiate(store);
        var linker = new Linker().DefineInstance("provider", provider);
        var user = CompiledModule.FromText(engine, """
            (module
              (import "provider" "peek" (func $peek (param i32) (result i32)))
              (memory 1) (data (i32.const 0) "\01")
              (func (export "f") (result i32) (i32.add (i32.load8_u (i32.const 0)) (call $peek (i32.const 0)))))
            """).Instantiate(store, linker);
        Assert.Equal(1 + 42 + 1, user.Invoke("f")[0].I32);
        Assert.Equal(1 + 42 + 2, user.Invoke("f")[0].I32);
    }

    [Fact]
    public void Threaded_code_and_the_loop_call_each_other()
    {
        // $mid has a reference local, so the loop runs it; $leaf and $top run threaded.
        var (_, instance) = Instantiate("""
            (module
              (func $leaf (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
              (func $mid (param i32) (result i32) (local externref)
                (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
                  (else (i32.add (call $leaf (local.get 0)) (call $top (i32.sub (local.get 0) (i32.const 1)))))))
              (func $top (export "top") (param i32) (result i32) (call $mid (local.get 0))))
            """);
        Assert.Same(ThreadedCode.None, ThreadedCode.Of((WasmFunction)instance.Functions[1]));
        Assert.Equal(3 * (10 * 11 / 2), instance.Invoke("top", Value.FromI32(10))[0].I32);
    }

    [Fact]
    public void Indirect_calls_check_their_element_and_type()
    {
        var (_, instance) = Instantiate("""
            (module
              (type $unary (func (param i32) (result i32)))
              (table 3 funcref)
              (elem (i32.const 0) $double $nullary)
              (func $double (type $unary) (i32.add (local.get 0) (local.get 0)))
              (func $nullary (result i32) (i32.const 1))
              (func (export "call") (param i32 i32) (result i32) (call_indirect (type $unary) (local.get 1) (local.get 0))))
            """);
        Assert.Equal(42, instance.Invoke("call", Value.FromI32(0), Value.FromI32(21))[0].I32);
        Assert.Equal(TrapKind.IndirectCallTypeMismatch, Assert.Throws<TrapException>(() => instance.Invoke("call", Value.FromI32(1), Value.FromI32(0))).Kind);
        Assert.Equal(TrapKind.UninitializedElement, Assert.Throws<TrapException>(() => instance.Invoke("call", Value.FromI32(2), Value.FromI32(0))).Kind);
        Assert.Equal(TrapKind.UndefinedElement, Assert.Throws<TrapException>(() => instance.Invoke("call", Value.FromI32(3), Value.FromI32(0))).Kind);
    }

    [Fact]
    public void Segments_and_numeric_table_instructions_run_threaded()
    {
        var (_, instance) = Instantiate("""
            (module
              (memory 1) (data $d "\01\02\03\04")
              (table $t 4 funcref) (elem $e func $f $f)
              (func $f (result i32) (i32.const 7))
              (func (export "f") (result i32)
                (memory.init $d (i32.const 100) (i32.const 1) (i32.const 3))
                (data.drop $d)
                (table.init $t $e (i32.const 2) (i32.const 0) (i32.const 2))
                (elem.drop $e)
                (table.copy $t $t (i32.const 0) (i32.const 2) (i32.const 2))
                (i32.add (i32.load (i32.const 100)) (i32.add (table.size $t) (call_indirect (result i32) (i32.const 1)))))
              (func (export "again") (memory.init $d (i32.const 0) (i32.const 0) (i32.const 1))))
            """);
        Assert.True(CodeOf(instance, "f") is { Entry: not null });
        Assert.Equal(0x040302 + 4 + 7, instance.Invoke("f")[0].I32);
        Assert.Equal(TrapKind.OutOfBoundsMemoryAccess, Assert.Throws<TrapException>(() => instance.Invoke("again")).Kind);
    }

    [Fact]
    public void Memory_grown_by_threaded_code_is_addressable_at_once()
    {
        var (_, instance) = Instantiate("""
            (module
              (memory 1)
              (func (export "f") (result i32)
                (drop (memory.grow (i32.const 2)))
                (i32.store (i32.const 196604) (i32.const 77))
                (i32.add (i32.load (i32.const 196604)) (memory.size))))
            """);
        Assert.Equal(77 + 3, instance.Invoke("f")[0].I32);
    }

    [Fact]
    public void Fuel_and_the_switch_turn_the_threaded_code_off_with_the_same_results()
    {
        const string Text = """
            (module (func (export "sum") (param i32) (result i64) (local i64)
              (loop $l (local.set 1 (i64.add (local.get 1) (i64.extend_i32_u (local.get 0))))
                (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
              (local.get 1)))
            """;
        foreach (var options in new[] { new EngineOptions(), new EngineOptions { ThreadedInterpreter = false }, new EngineOptions { Fuel = 1_000_000 } })
        {
            var (_, instance) = Instantiate(Text, options);
            Assert.Equal(5050L, instance.Invoke("sum", Value.FromI32(100))[0].I64);
        }
    }
}
