using WasmHarness.Execution;
using WasmHarness.Wasi;

namespace WasmHarness.Tests.Wasi;

/// <summary>
/// wasi-threads (<see cref="WasiThreads"/>) on both tiers: threads share the imported memory, get distinct ids, and a
/// thread's trap or <c>proc_exit</c> ends the program even while the main thread waits for ever.
/// </summary>
public sealed class WasiThreadsTests
{
    public static TheoryData<ExecutionTier> Tiers => [ExecutionTier.Interpreter, ExecutionTier.Jit];

    /// <summary>
    /// <c>_start</c> spawns COUNT threads with start argument MODE, then waits on address 0 until the counter at 4
    /// reaches COUNT (or for ever, for the modes that never count), and exits with counter * 100 + the sum of the ids.
    /// Mode 1: add 1 to the counter and the thread's id at 8, then notify address 0. Mode 2: trap. Mode 3:
    /// <c>proc_exit(7)</c>. Mode 4: wait for ever.
    /// </summary>
    private const string Program = """
        (module
          (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (import "env" "memory" (memory 1 1 shared))
          (func (export "wasi_thread_start") (param $tid i32) (param $mode i32)
            (if (i32.eq (local.get $mode) (i32.const 2)) (then unreachable))
            (if (i32.eq (local.get $mode) (i32.const 3)) (then (call $exit (i32.const 7))))
            (if (i32.eq (local.get $mode) (i32.const 4))
              (then (drop (memory.atomic.wait32 (i32.const 12) (i32.const 0) (i64.const -1))) (return)))
            (drop (i32.atomic.rmw.add (i32.const 8) (local.get $tid)))
            (drop (i32.atomic.rmw.add (i32.const 4) (i32.const 1)))
            (drop (memory.atomic.notify (i32.const 0) (i32.const 1))))
          (func (export "_start")
            (local $i i32) (local $id i32)
            (loop $spawn
              (local.set $id (call $spawn (i32.const MODE)))
              (if (i32.lt_s (local.get $id) (i32.const 0)) (then (call $exit (i32.sub (i32.const 1000) (local.get $id)))))
              (br_if $spawn (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const COUNT))))
            (loop $wait
              (if (i32.lt_u (i32.atomic.load (i32.const 4)) (i32.const COUNT))
                (then
                  (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const 10000000)))
                  (br $wait))))
            (call $exit (i32.add (i32.mul (i32.atomic.load (i32.const 4)) (i32.const 100)) (i32.atomic.load (i32.const 8))))))
        """;

    private static string Make(int count, int mode) => Program.Replace("COUNT", $"{count}").Replace("MODE", $"{mode}");

    /// <summary>Runs a program as <c>harness run</c> does; fails instead of hanging when it does not end in 60 s.</summary>
    private static int Run(ExecutionTier tier, string wat, int maxThreads = 256, string entry = WasiThreads.EntryName)
    {
        var run = Task.Run(() =>
        {
            var engine = new Engine(new EngineOptions { Tier = tier });
            var module = CompiledModule.FromText(engine, wat.Replace(WasiThreads.EntryName, entry));
            using var wasi = new WasiContext(new WasiConfiguration());
            var linker = wasi.Define(new Linker());
            var store = new Store(engine);
            using var threads = new WasiThreads(module, linker, wasi) { MaxThreads = maxThreads };
            threads.Define(store);
            return threads.RunCommand(module.Instantiate(store, linker));
        });
        Assert.True(run.Wait(TimeSpan.FromSeconds(60)), "the program did not end");
        return run.Result;
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void ThreadsShareTheMemoryAndGetDistinctIds(ExecutionTier tier) =>
        Assert.Equal(4 * 100 + (1 + 2 + 3 + 4), Run(tier, Make(4, 1)));

    [Theory]
    [MemberData(nameof(Tiers))]
    public void ATrapInAThreadEndsTheProgramWhileMainWaits(ExecutionTier tier)
    {
        var trap = Assert.Throws<AggregateException>(() => Run(tier, Make(1, 2))).InnerException;
        Assert.Equal(TrapKind.Unreachable, Assert.IsType<TrapException>(trap).Kind);
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void ProcExitInAThreadEndsTheProgramWithItsCode(ExecutionTier tier) => Assert.Equal(7, Run(tier, Make(1, 3)));

    [Theory]
    [MemberData(nameof(Tiers))]
    public void SpawnFailsWithEagainBeyondTheThreadLimit(ExecutionTier tier) =>
        // Two threads wait for ever; the third spawn answers -EAGAIN (6), and the program's end stops the two.
        Assert.Equal(1006, Run(tier, Make(3, 4), maxThreads: 2));

    [Theory]
    [MemberData(nameof(Tiers))]
    public void SpawnFailsWithEagainWithoutTheEntryExport(ExecutionTier tier) =>
        Assert.Equal(1006, Run(tier, Make(1, 1), entry: "not_the_entry"));

    [Fact]
    public void OnlyModulesThatImportThreadSpawnUseThreads()
    {
        Assert.True(WasiThreads.IsUsedBy(WasmHarness.Text.WatParser.ParseModule(Make(1, 1))));
        Assert.False(WasiThreads.IsUsedBy(WasmHarness.Text.WatParser.ParseModule("(module (memory (export \"memory\") 1))")));
    }
}
