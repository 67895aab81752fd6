using WasmHarness.Engines;
using WasmHarness.Engines.Wasmtime;
using WasmHarness.Wast;

namespace WasmHarness.SpecRunner.Tests;

/// <summary>
/// The threads proposal's script commands: <c>(thread $t (shared (module $m)) ...)</c> runs commands on a new
/// thread with only the shared modules visible, <c>(wait $t)</c> joins it and is judged by its commands.
/// </summary>
public sealed class ThreadScriptTests
{
    // Two threads add to one shared counter; a third waits on a flag that the main script sets and notifies.
    private const string Script = """
        (module $Mem (memory (export "shared") 1 1 shared))
        (thread $T1 (shared (module $Mem))
          (register "mem" $Mem)
          (module
            (memory (import "mem" "shared") 1 1 shared)
            (func (export "run")
              (local $i i32)
              (loop $again
                (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
                (br_if $again (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 10000))))))
          (invoke "run"))
        (thread $T2 (shared (module $Mem))
          (register "mem" $Mem)
          (module
            (memory (import "mem" "shared") 1 1 shared)
            (func (export "run")
              (local $i i32)
              (loop $again
                (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
                (br_if $again (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 10000))))))
          (invoke "run"))
        (wait $T1)
        (wait $T2)
        (register "Mem" $Mem)
        (module $Check
          (memory (import "Mem" "shared") 1 1 shared)
          (func (export "count") (result i32) (i32.atomic.load (i32.const 0)))
          (func (export "timed-out") (result i32) (memory.atomic.wait32 (i32.const 4) (i32.const 0) (i64.const 1000)))
          (func (export "either") (result i32) (i32.const 2)))
        (assert_return (invoke $Check "count") (i32.const 20000))
        (assert_return (invoke $Check "timed-out") (i32.const 2))
        (assert_return (invoke $Check "either") (either (i32.const 1) (i32.const 2)))
        """;

    private const string Failing = """
        (module $Mem (memory (export "shared") 1 1 shared))
        (thread $T (shared (module $Mem))
          (register "mem" $Mem)
          (module (memory (import "mem" "shared") 1 1 shared) (func (export "one") (result i32) (i32.const 1)))
          (assert_return (invoke "one") (i32.const 2)))
        (wait $T)
        """;

    private static IReadOnlyList<CommandResult> Run(IEngine engine, string text) =>
        ScriptExecutor.Run(engine, WastParser.ParseScript(text, "threads.wast"), new FrontEndCache());

    public static TheoryData<string> OurEngines => new() { "interp", "jit" };

    private static IEngine Engine(string name) => name == "jit" ? new JitEngine() : new InterpreterEngine();

    [Theory]
    [MemberData(nameof(OurEngines))]
    public void Threads_share_a_memory_and_wait_joins_them(string engine)
    {
        var results = Run(Engine(engine), Script);
        Assert.All(results, result => Assert.True(result.Verdict == Verdict.Passed, $"line {result.Line}: {result.Command}: {result.Verdict} {result.Detail}"));
        Assert.Contains(results, result => result.Command == "wait T2");
    }

    [Theory]
    [MemberData(nameof(OurEngines))]
    public void A_failure_inside_a_thread_fails_its_wait(string engine)
    {
        var wait = Assert.Single(Run(Engine(engine), Failing), result => result.Command == "wait T");
        Assert.Equal(Verdict.Failed, wait.Verdict);
        Assert.Contains("expected (i32.const 2)", wait.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Wasmtime_skips_a_thread_with_its_reason()
    {
        using var wasmtime = new WasmtimeEngine();
        var wait = Assert.Single(Run(wasmtime, Failing), result => result.Command == "wait T");
        Assert.Equal(Verdict.Skipped, wait.Verdict);
        Assert.Contains("does not share memories between stores", wait.Detail, StringComparison.Ordinal);
    }
}
