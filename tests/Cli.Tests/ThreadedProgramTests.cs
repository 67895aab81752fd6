using WasmHarness.Engines.Wasmtime;

namespace WasmHarness.Cli.Tests;

/// <summary>
/// corpus/wasi/threads/psum.c, a parallel sum with POSIX threads and a mutex built for wasi-threads: our command line
/// on both tiers and wasmtime (with <see cref="WasmtimeWasiThreads"/>) print the sum that C# computes.
/// </summary>
public sealed class ThreadedProgramTests
{
    private const ulong Count = 3_000_000;

    /// <summary>psum's f, for the expected result.</summary>
    private static uint F(ulong i)
    {
        var x = unchecked((uint)i * 2654435761u);
        x ^= x >> 15;
        x = unchecked(x * 2246822519u);
        x ^= x >> 13;
        return x & 0xffff;
    }

    private static string Expected(int threads)
    {
        ulong sum = 0;
        for (ulong i = 0; i < Count; i++)
        {
            sum += F(i);
        }
        return $"sum of f(i) for i < {Count}: {sum} ({threads} threads)\n";
    }

    [CProgramFact]
    public void ParallelSumAgreesOnBothTiersAndWasmtime()
    {
        foreach (var threads in new[] { 4, 1 })
        {
            var expected = Expected(threads);
            foreach (var tier in new[] { "interp", "jit" })
            {
                var ours = CliRunner.Run("run", "--tier", tier, CPrograms.Wasm("psum"), "--", $"{threads}", $"{Count}");
                Assert.True(ours.ExitCode == 0, $"{tier}, {threads} threads: exit {ours.ExitCode}: {ours.Stderr}");
                Assert.Equal(expected, ours.Stdout);
            }
            Assert.Equal(expected, Wasmtime(threads));
        }
    }

    /// <summary>
    /// `harness run` of a wasi-threads program whose spawned thread traps while the main thread waits for ever (on
    /// both tiers): the run ends, with the trap's exit code and the thread's trap message, not a hang.
    /// </summary>
    [Theory]
    [InlineData("interp")]
    [InlineData("jit")]
    public async Task A_trap_in_a_spawned_thread_ends_the_run_with_the_trap(string tier)
    {
        using var temp = new TempDirectory();
        var program = temp.File("trap.wat", """
            (module
              (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
              (import "env" "memory" (memory 1 1 shared))
              (export "memory" (memory 0))
              (func (export "wasi_thread_start") (param i32 i32) unreachable)
              (func (export "_start")
                (drop (call $spawn (i32.const 0)))
                (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1)))))
            """);
        // WaitAsync throws (and the test fails) if the run hangs.
        var result = await Task.Run(() => CliRunner.Run("run", "--tier", tier, program)).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(Harness.TrapExit, result.ExitCode);
        Assert.Contains("unreachable", result.Stderr, StringComparison.Ordinal);
    }

    /// <summary>psum on wasmtime: its WASI for the main thread, wasi-threads from <see cref="WasmtimeWasiThreads"/>.</summary>
    private static string Wasmtime(int threads)
    {
        using var temp = new TempDirectory();
        var output = Path.Join(temp.Path, "stdout");
        var path = CPrograms.Wasm("psum");
        using var config = WasmtimeWasiThreads.EnableThreads(new global::Wasmtime.Config());
        using var engine = new global::Wasmtime.Engine(config);
        using var module = global::Wasmtime.Module.FromFile(engine, path);
        using var linker = new global::Wasmtime.Linker(engine);
        linker.DefineWasi();
        var stores = new List<global::Wasmtime.Store>();
        global::Wasmtime.Store NewStore(bool main)
        {
            var store = new global::Wasmtime.Store(engine);
            var wasi = new global::Wasmtime.WasiConfiguration().WithArgs(["psum", $"{threads}", $"{Count}"]);
            store.SetWasiConfiguration(main ? wasi.WithStandardOutput(output) : wasi);
            lock (stores)
            {
                stores.Add(store);
            }
            return store;
        }
        var main = NewStore(main: true);
        var decoded = Binary.ModuleDecoder.Decode(File.ReadAllBytes(path));
        using var spawner = new WasmtimeWasiThreads(engine, linker, main, module, decoded, () => NewStore(main: false));
        var instance = linker.Instantiate(main, module);
        instance.GetAction("_start")!();
        Assert.True(spawner.WaitForThreads(TimeSpan.FromSeconds(60)), "wasmtime's threads did not finish");
        Assert.Null(spawner.Failure);
        foreach (var store in stores)
        {
            store.Dispose();
        }
        return File.ReadAllText(output);
    }
}
