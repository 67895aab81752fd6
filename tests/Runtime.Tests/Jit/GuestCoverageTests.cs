using WasmHarness.Execution;

namespace WasmHarness.Tests.Jit;

/// <summary>The JIT's guest-coverage probes (<see cref="EngineOptions.GuestCoverage"/>): the map follows the path the guest takes.</summary>
public sealed class GuestCoverageTests
{
    private const string Branchy = """
        (module
          (func $helper (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
          (func (export "pick") (param i32) (result i32)
            (if (result i32) (local.get 0)
              (then (call $helper (i32.const 7)))
              (else (i32.const 1))))
          (func (export "count") (param i32) (result i32) (local i32)
            (block $done
              (loop $next
                (br_if $done (i32.eqz (local.get 0)))
                (local.set 1 (i32.add (local.get 1) (i32.const 1)))
                (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
                (br $next)))
            (local.get 1))
          (func (export "switch") (param i32) (result i32)
            (block $c (block $b (block $a (br_table $a $b $c (local.get 0))) (return (i32.const 10))) (return (i32.const 20)))
            (i32.const 30))
          (elem declare func $helper)
          (func (export "nullish") (param i32) (result i32)
            (block $null
              (drop (br_on_null $null (select (result funcref) (ref.null func) (ref.func $helper) (local.get 0))))
              (return (i32.const 1)))
            (i32.const 0)))
        """;

    private static (ModuleInstance Instance, GuestCoverage Coverage) Instantiate(ExecutionTier tier = ExecutionTier.Jit)
    {
        var coverage = new GuestCoverage();
        var engine = new Engine(new EngineOptions { Tier = tier, GuestCoverage = coverage });
        return (CompiledModule.FromText(engine, Branchy).Instantiate(new Store(engine)), coverage);
    }

    private static byte[] Run(ModuleInstance instance, GuestCoverage coverage, string name, int argument)
    {
        coverage.Reset();
        instance.Invoke(name, Value.FromI32(argument));
        return (byte[])coverage.Map.Clone();
    }

    [Fact]
    public void TheTwoArmsOfAnIfGiveDifferentMaps()
    {
        var (instance, coverage) = Instantiate();
        var then = Run(instance, coverage, "pick", 1);
        var otherwise = Run(instance, coverage, "pick", 0);
        Assert.Contains(then, b => b != 0);
        Assert.NotEqual(then, otherwise);
        // The then arm calls the helper: more edges (the helper's entry and end).
        Assert.True(then.Count(b => b != 0) > otherwise.Count(b => b != 0));
        // The same input gives the same map.
        Assert.Equal(then, Run(instance, coverage, "pick", 1));
    }

    [Fact]
    public void LoopIterationsCountOnTheLoopEdge()
    {
        var (instance, coverage) = Instantiate();
        var once = Run(instance, coverage, "count", 1);
        var five = Run(instance, coverage, "count", 5);
        Assert.Equal(once.Select(b => b != 0), five.Select(b => b != 0));
        Assert.True(five.Sum(b => b) > once.Sum(b => b));
    }

    [Fact]
    public void EachBrTableTargetIsItsOwnEdge()
    {
        var (instance, coverage) = Instantiate();
        var maps = new[] { 0, 1, 2, 99 }.Select(i => Run(instance, coverage, "switch", i)).ToArray();
        Assert.NotEqual(maps[0], maps[1]);
        Assert.NotEqual(maps[1], maps[2]);
        Assert.NotEqual(maps[0], maps[2]);
        Assert.Equal(maps[2], maps[3]); // out of range: the default, $c
    }

    [Fact]
    public void BrOnNullTakenAndNotTakenGiveDifferentMaps()
    {
        var (instance, coverage) = Instantiate();
        Assert.NotEqual(Run(instance, coverage, "nullish", 1), Run(instance, coverage, "nullish", 0));
    }

    [Fact]
    public void TheInterpreterLeavesTheMapAlone()
    {
        var (instance, coverage) = Instantiate(ExecutionTier.Interpreter);
        Assert.Equal(0, Run(instance, coverage, "pick", 1).Count(b => b != 0));
    }

    [Fact]
    public void WithoutAMapNoProbeIsEmitted()
    {
        var listings = new List<string>();
        foreach (var coverage in new[] { null, new GuestCoverage() })
        {
            var text = new System.Text.StringBuilder();
            var engine = new Engine(new EngineOptions { Tier = ExecutionTier.Jit, JitEager = true, GuestCoverage = coverage, JitDumpIl = (_, il) => text.Append(il) });
            CompiledModule.FromText(engine, Branchy).Instantiate(new Store(engine)).Invoke("pick", Value.FromI32(1));
            listings.Add(text.ToString());
        }
        Assert.DoesNotContain("coverage", listings[0], StringComparison.Ordinal);
        Assert.Contains("coverage", listings[1], StringComparison.Ordinal);
    }

    [Fact]
    public void TheMapSizeMustBeAPowerOfTwo()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new GuestCoverage(1000));
        Assert.Equal(1024, new GuestCoverage(1024).Map.Length);
    }
}
