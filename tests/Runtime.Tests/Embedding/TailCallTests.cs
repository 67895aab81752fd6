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
    }
}
