using WasmHarness.Execution;
using WasmHarness.Jit;

namespace WasmHarness.Tests.Jit;

/// <summary>
/// Tail calls in compiled code: out of exception handler regions (the replaced frame's handlers no longer apply),
/// to compiled, interpreted and host callees, with multiple results; the depth count stays constant.
/// </summary>
public sealed class JitTailCallTests
{
    private const string Module = """
        (module
          (import "host" "add" (func $host (param i32 i32) (result i32)))
          (type $t (func (param i32) (result i32)))
          (type $pair (func (param i32) (result i32 i64)))
          (tag $e (param i32))
          (table funcref (elem $thrower $host_pair_caller))
          (elem declare func $thrower $interpreted)
          (func $thrower (type $t) (throw $e (i32.add (local.get 0) (i32.const 1))))
          ;; runs in the interpreter (the test's filter)
          (func $interpreted (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
          (func $host_pair_caller (param i32 i32) (result i32) (return_call $host (local.get 0) (local.get 1)))
          (func $pair (type $pair) (local.get 0) (i64.extend_i32_s (local.get 0)))

          ;; each tail-calls from inside a try_table whose catch_all would return -1: the callee's exception must
          ;; reach the caller's handler instead
          (func $direct (param i32) (result i32)
            (block $h (try_table (catch_all $h) (return_call $thrower (local.get 0)))) (i32.const -1))
          (func $indirect (param i32) (result i32)
            (block $h (try_table (catch_all $h) (return_call_indirect (type $t) (local.get 0) (i32.const 0)))) (i32.const -1))
          (func $by_ref (param i32) (result i32)
            (block $h (try_table (catch_all $h) (return_call_ref $t (local.get 0) (ref.func $thrower)))) (i32.const -1))
          (func (export "catch") (param i32 i32) (result i32)
            (block $h (result i32)
              (try_table (result i32) (catch $e $h)
                (if (result i32) (i32.eqz (local.get 1))
                  (then (call $direct (local.get 0)))
                  (else (if (result i32) (i32.eq (local.get 1) (i32.const 1))
                    (then (call $indirect (local.get 0)))
                    (else (call $by_ref (local.get 0)))))))))

          ;; a loop of tail calls inside a handler region, far deeper than the call depth limit
          (func $count (export "count") (param i32) (result i32)
            (block $h
              (try_table (catch_all $h)
                (if (i32.eqz (local.get 0)) (then (return (i32.const 77))))
                (return_call $count (i32.sub (local.get 0) (i32.const 1)))))
            (i32.const -1))

          ;; tail calls to an interpreted function, a host function (directly and through the table) and with two results
          (func (export "to_interpreted") (param i32) (result i32) (return_call $interpreted (local.get 0)))
          (func (export "to_interpreted_ref") (param i32) (result i32) (return_call_ref $t (local.get 0) (ref.func $interpreted)))
          (func (export "to_host") (param i32) (result i32) (return_call $host (local.get 0) (i32.const 1000)))
          (func (export "to_host_indirect") (param i32) (result i32)
            (return_call_indirect (param i32 i32) (result i32) (local.get 0) (i32.const 2000) (i32.const 1)))
          (func (export "pair") (param i32) (result i32 i64) (return_call $pair (local.get 0))))
        """;

    private static ModuleInstance Instantiate(out List<string> fallbacks)
    {
        var found = new List<string>();
        var engine = new Engine(new EngineOptions
        {
            Tier = ExecutionTier.Jit,
            MaxCallDepth = 50,
            JitFilter = f => f.Index != 2,
            JitFallback = (function, reason) => found.Add($"{function}: {reason}"),
        });
        var linker = new Linker().DefineFunction("host", "add", new Syntax.FunctionType([Syntax.ValType.I32, Syntax.ValType.I32], [Syntax.ValType.I32]),
            args => [Value.FromI32(args[0].I32 + args[1].I32)]);
        fallbacks = found;
        return CompiledModule.FromText(engine, Module).Instantiate(new Store(engine), linker);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void The_tail_calling_frames_handlers_do_not_catch_what_the_callee_throws(int kind)
    {
        var instance = Instantiate(out var fallbacks);
        Assert.Equal(6, instance.Invoke("catch", Value.FromI32(5), Value.FromI32(kind))[0].I32);
        Assert.Empty(fallbacks);
    }

    [Fact]
    public void Tail_calls_out_of_a_handler_region_run_in_constant_depth()
    {
        var instance = Instantiate(out _);
        Assert.Equal(77, instance.Invoke("count", Value.FromI32(100_000))[0].I32);
        Assert.True(JitModule.For(instance).Runs((int)((WasmFunction)instance.GetFunction("count")).Index));
    }

    [Fact]
    public void Tail_calls_across_instances_run_in_constant_stack_space()
    {
        // $ping (instance a) tail-calls the imported $pong (instance b), which tail-calls $ping through b's table:
        // five million round trips are far more frames than the guest stack holds, so both must be real tail calls.
        const string b = """
            (module
              (type $t (func (param i32) (result i32)))
              (table (export "table") 1 funcref)
              (func (export "pong") (param i32) (result i32) (return_call_indirect (type $t) (local.get 0) (i32.const 0))))
            """;
        const string a = """
            (module
              (import "b" "table" (table 1 funcref))
              (import "b" "pong" (func $pong (param i32) (result i32)))
              (elem (table 0) (i32.const 0) func $ping)
              (func $ping (export "ping") (param i32) (result i32)
                (if (result i32) (i32.eqz (local.get 0))
                  (then (i32.const 5))
                  (else (return_call $pong (i32.sub (local.get 0) (i32.const 1)))))))
            """;
        var engine = new Engine(new EngineOptions { Tier = ExecutionTier.Jit, MaxCallDepth = 100 });
        var store = new Store(engine);
        var pong = CompiledModule.FromText(engine, b).Instantiate(store);
        var ping = CompiledModule.FromText(engine, a).Instantiate(store, new Linker().DefineInstance("b", pong));
        Assert.Equal(5, ping.Invoke("ping", Value.FromI32(5_000_000))[0].I32);
    }

    [Fact]
    public void Tail_calls_reach_interpreted_and_host_functions_and_pass_multiple_results()
    {
        var instance = Instantiate(out var fallbacks);
        Assert.Equal(21, instance.Invoke("to_interpreted", Value.FromI32(7))[0].I32);
        Assert.Equal(21, instance.Invoke("to_interpreted_ref", Value.FromI32(7))[0].I32);
        Assert.Equal(1007, instance.Invoke("to_host", Value.FromI32(7))[0].I32);
        Assert.Equal(2007, instance.Invoke("to_host_indirect", Value.FromI32(7))[0].I32);
        var pair = instance.Invoke("pair", Value.FromI32(-9));
        Assert.Equal(-9, pair[0].I32);
        Assert.Equal(-9L, pair[1].I64);
        Assert.Single(fallbacks, f => f.EndsWith("excluded by EngineOptions.JitFilter", StringComparison.Ordinal));
    }
}
