using WasmHarness.Execution;
using WasmHarness.Jit;

namespace WasmHarness.Tests.Robustness;

/// <summary>Counts the JIT's helper threads, so nothing else may start or end guest calls meanwhile.</summary>
[CollectionDefinition(nameof(GuestThreadCollection), DisableParallelization = true)]
public sealed class GuestThreadCollection
{
}

/// <summary>
/// The JIT's big-stack helper threads are a pool: embedder threads that call deep recursion do not each keep a
/// 512 MiB thread (whose committed stack stayed for the process's life), and idle helpers exit.
/// </summary>
[Collection(nameof(GuestThreadCollection))]
public sealed class GuestThreadTests
{
    private const string Recursion = """
        (module
          (func $down (export "down") (param i32) (result i32)
            (if (result i32) (i32.eqz (local.get 0))
              (then (i32.const 0))
              (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1))))))))
        """;

    [Fact]
    public void Embedder_threads_share_helper_threads_and_idle_ones_exit()
    {
        var engine = new Engine(new EngineOptions { Tier = ExecutionTier.Jit });
        var module = CompiledModule.FromText(engine, Recursion);
        var previous = GuestThread.IdleTimeout;
        GuestThread.IdleTimeout = TimeSpan.FromMilliseconds(200);
        try
        {
            var peak = 0;
            for (var round = 0; round < 3; round++)
            {
                var threads = Enumerable.Range(0, 10).Select(_ => new Thread(() =>
                {
                    var instance = module.Instantiate(new Store(engine));
                    Assert.Equal(15_000, instance.Invoke("down", [Value.FromI32(15_000)])[0].I32);
                })).ToList();
                threads.ForEach(t => t.Start());
                threads.ForEach(t => t.Join());
                peak = Math.Max(peak, GuestThread.LiveWorkers);
            }
            // At most one helper per embedder thread running at once, however many rounds of threads came and went.
            Assert.InRange(peak, 1, 10);
            // Idle helpers exit: wait for it (a deadline for the event, not a speed claim).
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (GuestThread.LiveWorkers > 0 && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50);
            }
            Assert.Equal(0, GuestThread.LiveWorkers);
            // And the pool starts again when needed.
            Assert.Equal(3, module.Instantiate(new Store(engine)).Invoke("down", [Value.FromI32(3)])[0].I32);
        }
        finally
        {
            GuestThread.IdleTimeout = previous;
        }
    }
}
