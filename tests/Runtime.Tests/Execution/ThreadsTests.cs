using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Tests.Execution;

/// <summary>
/// The threads proposal on real .NET threads, on both tiers: one shared memory imported by an instance per thread,
/// atomic read-modify-writes that lose no update, and wait/notify through the memory's waiter queue.
/// </summary>
public sealed class ThreadsTests
{
    private const string Worker = """
        (module
          (import "env" "memory" (memory 1 2 shared))
          (func (export "add") (param $n i32)
            (loop $again
              (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
              (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
          (func (export "wait") (param $expected i32) (param $timeout i64) (result i32)
            (memory.atomic.wait32 (i32.const 8) (local.get $expected) (local.get $timeout)))
          (func (export "notify") (param $count i32) (result i32)
            (memory.atomic.notify (i32.const 8) (local.get $count)))
          (func (export "grow") (result i32) (memory.grow (i32.const 1)))
          (func (export "load_high") (result i32) (i32.atomic.load (i32.const 65536))))
        """;

    public static TheoryData<ExecutionTier> Tiers => new() { ExecutionTier.Interpreter, ExecutionTier.Jit };

    private static MemoryInstance SharedMemory() => new(new MemoryType(new Limits(1, 2, Shared: true)));

    private static ModuleInstance Instance(ExecutionTier tier, MemoryInstance memory)
    {
        var engine = new Engine(new EngineOptions { Tier = tier });
        var linker = new Linker().Define("env", "memory", memory);
        return CompiledModule.FromText(engine, Worker).Instantiate(new Store(engine), linker);
    }

    private static Thread Start(Action action)
    {
        var thread = new Thread(() => action()) { IsBackground = true };
        thread.Start();
        return thread;
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void FourThreadsOfAMillionAtomicAddsLoseNoUpdate(ExecutionTier tier)
    {
        const int Threads = 4, Adds = 1_000_000;
        var memory = SharedMemory();
        // Each thread has its own store and instance; only the memory is shared.
        var instances = Enumerable.Range(0, Threads).Select(_ => Instance(tier, memory)).ToList();
        var threads = instances.Select(instance => Start(() => instance.Invoke("add", Value.FromI32(Adds)))).ToList();
        threads.ForEach(thread => Assert.True(thread.Join(TimeSpan.FromMinutes(2))));
        Assert.Equal(Threads * Adds, memory.Read<int>(0));
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void WaitReturnsNotEqualAtOnceAndTimedOutAfterItsTimeout(ExecutionTier tier)
    {
        var instance = Instance(tier, SharedMemory());
        Assert.Equal(1, instance.Invoke("wait", Value.FromI32(7), Value.FromI64(-1))[0].I32); // memory holds 0, not 7
        var clock = Stopwatch.StartNew();
        Assert.Equal(2, instance.Invoke("wait", Value.FromI32(0), Value.FromI64(50_000_000))[0].I32); // 50 ms
        Assert.InRange(clock.ElapsedMilliseconds, 45, 10_000);
        Assert.Equal(2, instance.Invoke("wait", Value.FromI32(0), Value.FromI64(0))[0].I32);
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void NotifyWakesExactlyTheCountAsked(ExecutionTier tier)
    {
        var memory = SharedMemory();
        var results = new int[3];
        var waiters = Enumerable.Range(0, 3)
            .Select(i => (Index: i, Instance: Instance(tier, memory)))
            .Select(w => Start(() => results[w.Index] = w.Instance.Invoke("wait", Value.FromI32(0), Value.FromI64(-1))[0].I32))
            .ToList();
        var notifier = Instance(tier, memory);
        SpinUntil(() => memory.WaiterCount == 3);
        Assert.Equal(2, notifier.Invoke("notify", Value.FromI32(2))[0].I32);
        SpinUntil(() => waiters.Count(thread => !thread.IsAlive) == 2);
        Thread.Sleep(50);
        Assert.Equal(1, waiters.Count(thread => thread.IsAlive)); // the third still waits
        Assert.Equal(1, memory.WaiterCount);
        Assert.Equal(1, notifier.Invoke("notify", Value.FromI32(5))[0].I32); // only one was left to wake
        waiters.ForEach(thread => Assert.True(thread.Join(TimeSpan.FromSeconds(30))));
        Assert.Equal([0, 0, 0], results);
        Assert.Equal(0, notifier.Invoke("notify", Value.FromI32(1))[0].I32);
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void GrowthOnOneThreadIsSeenByAnotherAndTheMemoryNeverMoves(ExecutionTier tier)
    {
        var memory = SharedMemory();
        var reader = Instance(tier, memory);
        var grower = Instance(tier, memory);
        Assert.Equal(TrapKind.OutOfBoundsMemoryAccess, Assert.Throws<TrapException>(() => reader.Invoke("load_high")).Kind);
        var before = memory.Span;
        Assert.True(Start(() => grower.Invoke("grow")).Join(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, reader.Invoke("load_high")[0].I32); // the reader's compiled code sees the new length
        Assert.Equal(2UL, memory.Pages);
        Assert.True(Unsafe.AreSame(ref MemoryMarshal.GetReference(before), ref MemoryMarshal.GetReference(memory.Span)));
    }

    [Fact]
    public void WaitOnAnUnsharedMemoryTrapsAndAtomicsCheckBoundsBeforeAlignment()
    {
        var engine = new Engine();
        var instance = CompiledModule.FromText(engine, """
            (module
              (memory 1 1)
              (func (export "wait") (result i32) (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const 0)))
              (func (export "notify") (result i32) (memory.atomic.notify (i32.const 0) (i32.const 1)))
              (func (export "load") (param i32) (result i32) (i32.atomic.load (local.get 0))))
            """).Instantiate(new Store(engine));
        Assert.Equal("expected shared memory", Assert.Throws<TrapException>(() => instance.Invoke("wait")).Reason);
        Assert.Equal(0, instance.Invoke("notify")[0].I32);
        Assert.Equal(TrapKind.UnalignedAtomic, Assert.Throws<TrapException>(() => instance.Invoke("load", Value.FromI32(1))).Kind);
        Assert.Equal(TrapKind.OutOfBoundsMemoryAccess, Assert.Throws<TrapException>(() => instance.Invoke("load", Value.FromI32(65535))).Kind);
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void EveryAtomicFamilyRunsAndRoundTripsThroughTheBinaryFormat(ExecutionTier tier)
    {
        const string Source = """
            (module
              (memory 1 1 shared)
              (func (export "run") (result i64)
                (atomic.fence)
                (i64.atomic.store (i32.const 8) (i64.const 0x1122334455667788))
                (drop (i32.atomic.rmw8.sub_u (i32.const 8) (i32.const 0x89)))   ;; 0x88 - 0x89 wraps to 0xFF in its byte
                (drop (i64.atomic.rmw16.cmpxchg_u (i32.const 10) (i64.const 0x10066) (i64.const 0xABCD))) ;; expected wraps to 0x0066, 0x5566 is there: no change
                (drop (i64.atomic.rmw16.cmpxchg_u (i32.const 10) (i64.const 0x15566) (i64.const 0xABCD))) ;; wraps to 0x5566: replaced
                (drop (i32.atomic.rmw16.cmpxchg_u (i32.const 12) (i32.const 0x3344) (i32.const 0x12345678))) ;; replacement wraps to 0x5678
                (i64.add (i64.atomic.load (i32.const 8)) (i64.extend_i32_u (i32.atomic.rmw.xchg (i32.const 0) (i32.const 5))))))
            """;
        var module = WasmHarness.Text.WatParser.ParseModule(Source);
        var bytes = WasmHarness.Binary.ModuleEncoder.Encode(module);
        Assert.Equal(bytes, WasmHarness.Binary.ModuleEncoder.Encode(WasmHarness.Binary.ModuleDecoder.Decode(bytes)));
        var engine = new Engine(new EngineOptions { Tier = tier });
        var instance = CompiledModule.FromBinary(engine, bytes).Instantiate(new Store(engine));
        Assert.Equal(0x11225678ABCD77FFL, instance.Invoke("run")[0].I64);
    }

    [Fact]
    public void A_shared_memory_alone_needs_threads_and_must_have_a_maximum()
    {
        var module = WasmHarness.Text.WatParser.ParseModule("(module (memory 1 2 shared))");
        Assert.True(FeatureDetector.Of(module).HasFlag(Wasm3Features.Threads));
        Assert.False(FeatureDetector.Of(WasmHarness.Text.WatParser.ParseModule("(module (memory 1 2))")).HasFlag(Wasm3Features.Threads));
        var unbounded = Assert.Throws<InvalidModuleException>(() => CompiledModule.FromText(new Engine(), "(module (memory 1 shared))"));
        Assert.StartsWith("shared memory must have maximum", unbounded.Reason, StringComparison.Ordinal);
        var misaligned = Assert.Throws<InvalidModuleException>(() => CompiledModule.FromText(new Engine(), "(module (memory 1 1 shared) (func (drop (i32.atomic.load align=2 (i32.const 0)))) (func (drop (i64.atomic.load align=4 (i32.const 0)))))"));
        Assert.StartsWith("atomic alignment must be natural", misaligned.Reason, StringComparison.Ordinal);
    }

    private static void SpinUntil(Func<bool> condition) =>
        Assert.True(SpinWait.SpinUntil(condition, TimeSpan.FromSeconds(30)), "timed out waiting for the other threads");
}
