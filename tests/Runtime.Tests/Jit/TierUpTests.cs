using WasmHarness.Execution;

namespace WasmHarness.Tests.Jit;

/// <summary>
/// Tier-up (<see cref="EngineOptions.JitTierUp"/>): functions start in the interpreter, are compiled once hot, and a
/// call running a hot loop moves into compiled code at the loop's head (on-stack replacement). With the background
/// thread off and a threshold of 1, every loop's first iteration moves its call, so each test checks a move of a
/// state the interpreter built: locals, operand-stack values below the loop and the loop's own parameters.
/// </summary>
public sealed class TierUpTests
{
    private const string Module = """
        (module
          (memory 1)
          (tag $oops (param i32))
          ;; sum of 0..n-1 with a value under the loop and a loop parameter
          (func (export "sum") (param $n i32) (result i64) (local $i i32)
            (i64.const 1000)                     ;; below the loop: added at the end
            (i64.const 5)                        ;; the loop's parameter
            (loop $l (param i64) (result i64)
              (i64.add (i64.extend_i32_u (local.get $i)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
            (i64.add))
          ;; nested loops: the inner one turns hot first
          (func (export "grid") (param $n i32) (result i32) (local $i i32) (local $j i32) (local $acc i32)
            (loop $outer
              (local.set $j (i32.const 0))
              (loop $inner
                (local.set $acc (i32.add (local.get $acc) (i32.mul (local.get $i) (local.get $j))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br_if $inner (i32.lt_u (local.get $j) (local.get $n))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $outer (i32.lt_u (local.get $i) (local.get $n))))
            (local.get $acc))
          ;; a loop inside try_table cannot be entered (no branch into a CIL try block): compiled at its first call
          (func (export "guarded") (param $n i32) (result i32) (local $i i32)
            (block $caught (result i32)
              (try_table (result i32) (catch $oops $caught)
                (loop $l
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
                (local.get $i))))
          ;; two results, and memory written inside the loop
          (func (export "pair") (param $n i32) (result i32 i64) (local $i i32)
            (loop $l
              (i32.store (i32.mul (local.get $i) (i32.const 4)) (local.get $i))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
            (local.get $i)
            (i64.load (i32.const 4)))
          ;; traps in the compiled code after the move
          (func (export "overrun") (param $n i32) (result i32) (local $i i32)
            (loop $l
              (drop (i32.load (i32.mul (local.get $i) (i32.const 4096))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
            (local.get $i))
          ;; throws from the compiled code after the move; an interpreted caller catches
          (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
          (func $thrower (param $n i32) (result i32) (local $i i32)
            (loop $l
              (if (i32.eq (local.get $i) (i32.const 7)) (then (throw $oops (local.get $i))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
            (local.get $i))
          (func (export "catcher") (param $n i32) (result i32)
            (block $caught (result i32)
              (try_table (result i32) (catch $oops $caught)
                (call $thrower (local.get $n))))))
        """;

    private static (ModuleInstance Instance, Engine Engine) Instance(EngineOptions options)
    {
        var engine = new Engine(options);
        return (CompiledModule.FromText(engine, Module).Instantiate(new Store(engine)), engine);
    }

    private static readonly EngineOptions EveryLoop = new() { Tier = ExecutionTier.Jit, JitTierUp = 1, JitBackground = false };

    [Fact]
    public void A_call_moves_into_compiled_code_at_a_loop_head_with_its_locals_and_operands()
    {
        var (jit, engine) = Instance(EveryLoop);
        Assert.Equal(1005L + (99L * 100 / 2), jit.Invoke("sum", Value.FromI32(100))[0].I64);
        Assert.Equal(1, engine.JitStatistics.LoopEntries);
        Assert.Equal(1, engine.JitStatistics.LoopVariants);
        // The second call runs the ordinary compiled method from its start.
        Assert.Equal(1005L + (9L * 10 / 2), jit.Invoke("sum", Value.FromI32(10))[0].I64);
        Assert.Equal(1, engine.JitStatistics.LoopEntries);
    }

    [Fact]
    public void An_inner_loop_can_be_entered_and_the_outer_loop_goes_on_in_compiled_code()
    {
        var (jit, engine) = Instance(EveryLoop);
        var (interp, _) = Instance(new EngineOptions());
        Assert.Equal(interp.Invoke("grid", Value.FromI32(30))[0].I32, jit.Invoke("grid", Value.FromI32(30))[0].I32);
        Assert.Equal(1, engine.JitStatistics.LoopEntries);
    }

    [Fact]
    public void A_function_with_a_loop_inside_a_try_block_is_compiled_at_its_first_call()
    {
        // A call could not move into compiled code at that loop: a long one would stay in the interpreter.
        var (jit, engine) = Instance(new EngineOptions { Tier = ExecutionTier.Jit, JitTierUp = 1000, JitBackground = false });
        Assert.Equal(50, jit.Invoke("guarded", Value.FromI32(50))[0].I32);
        Assert.Equal(1, engine.JitStatistics.Compiled);
        Assert.Equal(0, engine.JitStatistics.LoopEntries);
    }

    [Fact]
    public void Several_results_and_memory_come_back_from_the_moved_call()
    {
        var (jit, engine) = Instance(EveryLoop);
        var results = jit.Invoke("pair", Value.FromI32(10));
        Assert.Equal(10, results[0].I32);
        Assert.Equal(1L | (2L << 32), results[1].I64);
        Assert.Equal(1, engine.JitStatistics.LoopEntries);
    }

    [Fact]
    public void A_trap_after_the_move_is_the_same_trap()
    {
        var (jit, engine) = Instance(EveryLoop);
        var trap = Assert.Throws<TrapException>(() => jit.Invoke("overrun", Value.FromI32(100)));
        Assert.Equal(TrapKind.OutOfBoundsMemoryAccess, trap.Kind);
        Assert.Equal(1, engine.JitStatistics.LoopEntries);
    }

    [Fact]
    public void An_exception_thrown_after_the_move_reaches_the_interpreted_caller_s_handler()
    {
        var (jit, engine) = Instance(EveryLoop);
        Assert.Equal(7, jit.Invoke("catcher", Value.FromI32(100))[0].I32);
        Assert.Equal(1, engine.JitStatistics.LoopEntries);
    }

    [Fact]
    public void A_function_runs_in_the_interpreter_until_it_has_had_more_calls_than_the_threshold()
    {
        var (jit, engine) = Instance(new EngineOptions { Tier = ExecutionTier.Jit, JitTierUp = 3, JitBackground = false });
        for (var call = 1; call <= 3; call++)
        {
            Assert.Equal(call + 1, jit.Invoke("inc", Value.FromI32(call))[0].I32);
            Assert.Equal(0, engine.JitStatistics.Compiled);
        }
        Assert.Equal(5, jit.Invoke("inc", Value.FromI32(4))[0].I32);
        Assert.Equal(1, engine.JitStatistics.Compiled);
    }

    [Fact]
    public void With_the_background_thread_a_hot_loop_moves_once_its_code_is_ready()
    {
        var (jit, engine) = Instance(new EngineOptions { Tier = ExecutionTier.Jit, JitTierUp = 1000 });
        // One long call: the interpreter runs its loop while the background thread compiles it, then moves it (in the
        // interpreter alone the call would take seconds; compiled, well under one).
        const long n = 100_000_000;
        Assert.Equal(1005L + (n * (n - 1) / 2), jit.Invoke("sum", Value.FromI32((int)n))[0].I64);
        Assert.Equal(1, engine.JitStatistics.LoopEntries);
    }
}
