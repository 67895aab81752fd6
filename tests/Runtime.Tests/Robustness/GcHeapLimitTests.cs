using WasmHarness.Execution;

namespace WasmHarness.Tests.Robustness;

/// <summary>
/// The store-level GC heap limit (<see cref="EngineOptions.MaxGcHeapBytes"/>, <see cref="GcHeap"/>): live structs
/// and arrays beyond it trap with <c>resource exhausted</c> on both tiers, garbage does not count, and each store
/// has its own budget.
/// </summary>
public sealed class GcHeapLimitTests
{
    public static TheoryData<ExecutionTier> Tiers => [ExecutionTier.Interpreter, ExecutionTier.Jit];

    private const long MiB = 1024 * 1024;

    private const string Module = """
        (module
          (type $i8 (array (mut i8)))
          (type $i64 (array (mut i64)))
          (type $refs (array (mut (ref null $i8))))
          (type $node (struct (field (ref null $node)) (field i64)))
          (global $count (export "count") (mut i32) (i32.const 0))
          (global $keep (mut (ref null $refs)) (ref.null $refs))
          (global $list (mut (ref null $node)) (ref.null $node))
          (func (export "big") (param i32) (result i32)
            (array.len (array.new_default $i64 (local.get 0))))
          (func (export "big_fill") (param i32) (result i32)
            (array.len (array.new $i64 (i64.const 7) (local.get 0))))
          (func (export "keep_arrays") (param $n i32) (param $size i32)
            (local $i i32)
            (global.set $keep (array.new_default $refs (local.get $n)))
            (loop $l
              (array.set $refs (global.get $keep) (local.get $i) (array.new_default $i8 (local.get $size)))
              (global.set $count (local.tee $i (i32.add (local.get $i) (i32.const 1))))
              (br_if $l (i32.lt_u (local.get $i) (local.get $n)))))
          (func (export "keep_nodes") (param $n i32)
            (local $i i32)
            (loop $l
              (global.set $list (struct.new $node (global.get $list) (i64.extend_i32_u (local.get $i))))
              (global.set $count (local.tee $i (i32.add (local.get $i) (i32.const 1))))
              (br_if $l (i32.lt_u (local.get $i) (local.get $n)))))
          (func (export "garbage_arrays") (param $n i32) (param $size i32) (result i32)
            (local $i i32) (local $sum i32)
            (loop $l
              (local.set $sum (i32.add (local.get $sum) (array.len (array.new_default $i8 (local.get $size)))))
              (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
            (local.get $sum))
          (func (export "garbage_nodes") (param $n i32) (result i32)
            (local $i i32) (local $x (ref null $node))
            (loop $l
              (local.set $x (struct.new $node (ref.null $node) (i64.const 1)))
              (drop (array.new_fixed $i8 2 (i32.const 1) (i32.const 2)))
              (local.set $x (struct.new_default $node))
              (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
            (local.get $i))
          (func (export "release") (global.set $keep (ref.null $refs)) (global.set $list (ref.null $node)))
        )
        """;

    private static ModuleInstance Instantiate(ExecutionTier tier, long limit, Store? store = null)
    {
        var engine = store?.Engine ?? new Engine(new EngineOptions { Tier = tier, JitEager = true, MaxGcHeapBytes = limit });
        return CompiledModule.FromText(engine, Module).Instantiate(store ?? new Store(engine));
    }

    private static TrapException Traps(ModuleInstance instance, string name, params Value[] args)
    {
        var trap = Assert.Throws<TrapException>(() => instance.Invoke(name, args));
        Assert.Equal(TrapKind.ResourceExhausted, trap.Kind);
        return trap;
    }

    [Fact]
    public void TheLimitDefaultsTo4GiBAndMustBePositive()
    {
        Assert.Equal(4L << 30, new EngineOptions().MaxGcHeapBytes);
        Assert.Throws<ArgumentOutOfRangeException>(() => new EngineOptions { MaxGcHeapBytes = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new EngineOptions { MaxGcHeapBytes = -1 });
        Assert.Equal(4L << 30, new Store(new Engine()).GcHeap.Limit);
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void AnArrayBeyondTheLimitTraps(ExecutionTier tier)
    {
        var m = Instantiate(tier, MiB);
        Assert.Equal(100_000, m.Invoke("big", Value.FromI32(100_000))[0].I32); // 800 kB
        var trap = Traps(m, "big", Value.FromI32(200_000)); // 1.6 MB
        Assert.Equal("resource exhausted", trap.Reason);
        Assert.Contains("GC heap limit of 1048576 bytes", trap.Message, StringComparison.Ordinal);
        Traps(m, "big_fill", Value.FromI32(200_000));
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void LiveArraysBeyondTheLimitTrap(ExecutionTier tier)
    {
        var m = Instantiate(tier, 4 * MiB);
        Traps(m, "keep_arrays", Value.FromI32(1000), Value.FromI32(100 * 1024));
        // 4 MiB holds 40 arrays of 100 KiB (and their headers): the 41st traps.
        Assert.InRange(m.GetGlobal("count").Value.I32, 38, 40);
        Assert.True(m.Store.GcHeap.Bytes <= 4 * MiB);

        // Once they are garbage, the store can allocate again.
        m.Invoke("release");
        m.Invoke("keep_arrays", Value.FromI32(30), Value.FromI32(100 * 1024));
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void LiveStructsBeyondTheLimitTrap(ExecutionTier tier)
    {
        var m = Instantiate(tier, MiB);
        Traps(m, "keep_nodes", Value.FromI32(1_000_000));
        // Each node (two fields) counts about 112 bytes: 1 MiB holds about 9,000.
        Assert.InRange(m.GetGlobal("count").Value.I32, 5_000, 9_400);
        m.Invoke("release");
        m.Invoke("keep_nodes", Value.FromI32(4_000));
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void GarbageDoesNotTripTheLimit(ExecutionTier tier)
    {
        var m = Instantiate(tier, 4 * MiB);
        // 200 arrays of 1 MiB (50 times the limit) and 300,000 small objects (about 7 times the limit), all garbage.
        Assert.Equal(200 * (int)MiB, m.Invoke("garbage_arrays", Value.FromI32(200), Value.FromI32((int)MiB))[0].I32);
        Assert.Equal(100_000, m.Invoke("garbage_nodes", Value.FromI32(100_000))[0].I32);
        Assert.True(m.Store.GcHeap.Remeasurements > 0);
        Assert.True(m.Store.GcHeap.Bytes <= 4 * MiB);
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void TheLimitIsPerStore(ExecutionTier tier)
    {
        var first = Instantiate(tier, 4 * MiB);
        var second = Instantiate(tier, 4 * MiB, new Store(first.Store.Engine));
        // Each store keeps 3 MiB live: together beyond one store's limit, each within its own.
        first.Invoke("keep_arrays", Value.FromI32(31), Value.FromI32(100 * 1024));
        second.Invoke("keep_arrays", Value.FromI32(31), Value.FromI32(100 * 1024));
        Assert.InRange(first.Store.GcHeap.Bytes, 3 * MiB, 4 * MiB);
        Assert.InRange(second.Store.GcHeap.Bytes, 3 * MiB, 4 * MiB);
        Traps(first, "big", Value.FromI32(200_000)); // 1.6 MB more does not fit in the first store
        Assert.Equal(100_000, second.Invoke("big", Value.FromI32(100_000))[0].I32); // 800 kB still fits in the second
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void HugeArraysTrapCleanly(ExecutionTier tier)
    {
        var m = Instantiate(tier, new EngineOptions().MaxGcHeapBytes);
        Traps(m, "big", Value.FromI32(int.MinValue)); // 2^31 elements
        Traps(m, "big", Value.FromI32(-1));
        Traps(m, "big", Value.FromI32(600_000_000)); // 4.8 GB: beyond the default limit
        Traps(m, "garbage_arrays", Value.FromI32(1), Value.FromI32(int.MinValue));
    }

    [Fact]
    public void ConstantExpressionsAreCountedToo()
    {
        const string text = """
            (module
              (type $i8 (array (mut i8)))
              (global (ref $i8) (array.new_default $i8 (i32.const 2000000))))
            """;
        var engine = new Engine(new EngineOptions { MaxGcHeapBytes = MiB });
        var trap = Assert.Throws<TrapException>(() => CompiledModule.FromText(engine, text).Instantiate(new Store(engine)));
        Assert.Equal(TrapKind.ResourceExhausted, trap.Kind);
        var roomy = new Engine(new EngineOptions { MaxGcHeapBytes = 4 * MiB });
        var store = new Store(roomy);
        CompiledModule.FromText(roomy, text).Instantiate(store);
        Assert.InRange(store.GcHeap.Bytes, 2_000_000, 2_100_000);
    }
}
