using WasmHarness.Execution;

namespace WasmHarness.Tests.Embedding;

/// <summary>Unbounded tail recursion runs in constant stack space on both tiers, with a call-depth limit far below its depth.</summary>
public sealed class TailCallTests
{
    private const string Module = """
        (module
          (type $t (func (param i32 i64) (result i64)))
          (table funcref (elem $odd $even))
          (func $count (export "count") (param $n i32) (param $acc i64) (result i64)
            (if (result i64) (i32.eqz (local.get $n))
              (then (local.get $acc))
              (else (return_call $count (i32.sub (local.get $n) (i32.const 1)) (i64.add (local.get $acc) (i64.const 1))))))
          ;; mutual recursion through the table
          (func $even (export "even") (param $n i32) (param $acc i64) (result i64)
            (if (result i64) (i32.eqz (local.get $n))
              (then (local.get $acc))
              (else (return_call_indirect (type $t) (i32.sub (local.get $n) (i32.const 1)) (i64.add (local.get $acc) (i64.const 2)) (i32.const 0)))))
          (func $odd (param $n i32) (param $acc i64) (result i64)
            (if (result i64) (i32.eqz (local.get $n))
              (then (local.get $acc))
              (else (return_call $even (i32.sub (local.get $n) (i32.const 1)) (local.get $acc))))))
        """;

    public static TheoryData<ExecutionTier> Tiers() => [ExecutionTier.Interpreter, ExecutionTier.Jit];

    [Theory]
    [MemberData(nameof(Tiers))]
    public void A_million_tail_calls_do_not_exhaust_the_call_stack(ExecutionTier tier)
    {
        var engine = new Engine(new EngineOptions { Tier = tier, MaxCallDepth = 100 });
        var instance = CompiledModule.FromText(engine, Module).Instantiate(new Store(engine));

        Assert.Equal(1_000_000L, instance.Invoke("count", Value.FromI32(1_000_000), Value.FromI64(0))[0].I64);
        Assert.Equal(1_000_000L, instance.Invoke("even", Value.FromI32(1_000_000), Value.FromI64(0))[0].I64);
        if (tier == ExecutionTier.Jit)
        {
            // The recursion ran in compiled code, not in the interpreter behind the JIT's entry path.
            foreach (var function in instance.Functions)
            {
                Assert.True(instance.Store.Jit!.Runs((WasmFunction)function), $"{function} runs compiled");
            }
        }
    }

    [Fact]
    public void Compiled_tail_calls_run_in_constant_stack_space()
    {
        // Ten million frames would need far more than the guest thread's 512 MiB stack, so only real tail calls
        // (CIL tail. prefix, honoured by RyuJIT) get through; direct, indirect (calli) and call_ref, multi-value too.
        const string module = """
            (module
              (type $t (func (param i32 i64) (result i64 i32)))
              (table funcref (elem $down))
              (elem declare func $down)
              (func $down (export "down") (type $t)
                (if (result i64 i32) (i32.eqz (local.get 0))
                  (then (local.get 1) (i32.const 7))
                  (else
                    (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
                    (local.set 1 (i64.add (local.get 1) (i64.const 1)))
                    (if (i32.eq (i32.rem_u (local.get 0) (i32.const 3)) (i32.const 0))
                      (then (return_call $down (local.get 0) (local.get 1))))
                    (if (i32.eq (i32.rem_u (local.get 0) (i32.const 3)) (i32.const 1))
                      (then (return_call_indirect (type $t) (local.get 0) (local.get 1) (i32.const 0))))
                    (return_call_ref $t (local.get 0) (local.get 1) (ref.func $down))))))
            """;
        var engine = new Engine(new EngineOptions { Tier = ExecutionTier.Jit, MaxCallDepth = 100 });
        var instance = CompiledModule.FromText(engine, module).Instantiate(new Store(engine));

        var results = instance.Invoke("down", Value.FromI32(10_000_000), Value.FromI64(0));

        Assert.Equal(10_000_000L, results[0].I64);
        Assert.Equal(7, results[1].I32);
        Assert.True(instance.Store.Jit!.Runs((WasmFunction)instance.GetFunction("down")));
    }
}
