using System.Text;
using WasmHarness.Execution;
using WasmHarness.Jit;

namespace WasmHarness.Tests.Jit;

/// <summary>
/// A function is compiled on its first call with a small group of the functions it reaches
/// (<see cref="JitBudget.GroupInstructions"/>); calls to functions outside the group go through the module's code
/// table and compile their target on the first call. These tests put a large function outside its caller's group
/// and call it every way compiled code can: plain, with several results, as a tail call, and when it runs in the
/// interpreter instead. (The background thread that compiles ahead, <see cref="EngineOptions.JitBackground"/>, is off
/// here but in its own test, so that compiled counts say what first calls compiled.)
/// </summary>
public sealed class JitGroupTests
{
    /// <summary>A body of about <paramref name="instructions"/> instructions that leaves its i32 parameter unchanged.</summary>
    private static string Padding(int instructions)
    {
        var text = new StringBuilder();
        for (var i = 0; i < instructions / 3; i++)
        {
            text.Append("(local.set 0 (i32.xor (local.get 0) (i32.const 0)))\n"); // three instructions, no effect
        }
        return text.ToString();
    }

    private static string Module() => $$"""
        (module
          (func $big (param i32) (result i32)
            {{Padding(JitBudget.GroupInstructions + 300)}}
            (i32.mul (local.get 0) (i32.const 3)))
          (func $pair (param i32) (result i32 i64)
            {{Padding(JitBudget.GroupInstructions + 300)}}
            (local.get 0) (i64.extend_i32_u (i32.add (local.get 0) (i32.const 1))))
          (func $small (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
          (func (export "plain") (param i32) (result i32) (call $small (call $big (local.get 0))))
          (func (export "pair") (param i32) (result i64) (local i64)
            (call $pair (local.get 0))
            (local.set 1)
            (i64.add (i64.extend_i32_u) (local.get 1)))
          (func (export "tail") (param i32) (result i32) (return_call $big (local.get 0)))
          (func (export "deep") (param i32) (result i32)
            (if (result i32) (i32.eqz (local.get 0))
              (then (call $big (i32.const 5)))
              (else (call $small (call 6 (i32.sub (local.get 0) (i32.const 1))))))))
        """;

    [Fact]
    public void Calls_outside_the_group_compile_their_target_on_first_call_and_agree_with_the_interpreter()
    {
        var text = Module();
        var interp = Instance(ExecutionTier.Interpreter, text, out _);
        var jit = Instance(ExecutionTier.Jit, text, out var engine);

        Assert.Equal(interp.Invoke("plain", Value.FromI32(7))[0].I32, jit.Invoke("plain", Value.FromI32(7))[0].I32);
        Assert.Equal(22, jit.Invoke("plain", Value.FromI32(7))[0].I32);
        // "plain" and $small form one group; $big is too large to join it and is compiled by the call.
        Assert.Equal(3, engine.JitStatistics.Compiled);

        Assert.Equal(interp.Invoke("pair", Value.FromI32(9))[0].I64, jit.Invoke("pair", Value.FromI32(9))[0].I64);
        Assert.Equal(19L, jit.Invoke("pair", Value.FromI32(9))[0].I64);
        Assert.Equal(21, jit.Invoke("tail", Value.FromI32(7))[0].I32);
        Assert.Equal(interp.Invoke("deep", Value.FromI32(50))[0].I32, jit.Invoke("deep", Value.FromI32(50))[0].I32);
        Assert.Equal(0, engine.JitStatistics.FallenBack);
        Assert.Equal(7, engine.JitStatistics.Compiled); // every function, each once
    }

    [Fact]
    public void A_function_outside_the_group_that_runs_in_the_interpreter_is_called_through_the_store()
    {
        var text = Module();
        var jit = Instance(ExecutionTier.Jit, text, out var engine, function => function.Index != 0); // $big interpreted
        Assert.Equal(22, jit.Invoke("plain", Value.FromI32(7))[0].I32);
        Assert.Equal(21, jit.Invoke("tail", Value.FromI32(7))[0].I32);
        Assert.Equal(1, engine.JitStatistics.FallenBack);
    }

    [Fact]
    public void Every_function_of_a_large_program_is_not_compiled_before_its_first_instruction()
    {
        // A chain of large functions, each calling the next: the first call compiles the entry's group only.
        var text = new StringBuilder("(module\n");
        for (var i = 0; i < 5; i++)
        {
            var next = i < 4 ? $"(call {i + 1} (local.get 0))" : "(local.get 0)";
            text.Append($"(func (param i32) (result i32) {Padding(JitBudget.GroupInstructions / 2 + 100)} (if (result i32) (local.get 0) (then {next}) (else (i32.const -1))))\n");
        }
        text.Append("(export \"run\" (func 0)))");
        var jit = Instance(ExecutionTier.Jit, text.ToString(), out var engine);
        Assert.Equal(-1, jit.Invoke("run", Value.FromI32(0))[0].I32);
        Assert.Equal(1, engine.JitStatistics.Compiled); // no call ran: its callee was not compiled with it
        Assert.Equal(1, jit.Invoke("run", Value.FromI32(1))[0].I32);
        Assert.Equal(5, engine.JitStatistics.Compiled);
    }

    [Fact]
    public void The_background_thread_compiles_what_a_first_call_compiled_calls_before_it_is_called()
    {
        var text = new StringBuilder("(module\n");
        for (var i = 0; i < 5; i++)
        {
            var next = i < 4 ? $"(call {i + 1} (local.get 0))" : "(local.get 0)";
            text.Append($"(func (param i32) (result i32) {Padding(JitBudget.GroupInstructions / 2 + 100)} (if (result i32) (local.get 0) (then {next}) (else (i32.const -1))))\n");
        }
        text.Append("(export \"run\" (func 0)))");
        var jit = Instance(ExecutionTier.Jit, text.ToString(), out var engine, background: true);
        Assert.Equal(-1, jit.Invoke("run", Value.FromI32(0))[0].I32); // compiles the entry's group; its callee follows behind
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (engine.JitStatistics.Compiled < 2 && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            Thread.Sleep(10);
        }
        // One call ahead of what ran, no further: the callee's own callee waits for a call (a bound on waiting, not on speed).
        Assert.Equal(2, engine.JitStatistics.Compiled);
        Assert.Equal(1, jit.Invoke("run", Value.FromI32(1))[0].I32);
        Assert.Equal(5, engine.JitStatistics.Compiled);
        Assert.Equal(0, engine.JitStatistics.FallenBack);
    }

    private static ModuleInstance Instance(ExecutionTier tier, string text, out Engine engine, Func<ModuleFunction, bool>? filter = null, bool background = false)
    {
        engine = new Engine(new EngineOptions { Tier = tier, JitFilter = filter, JitBackground = background });
        return CompiledModule.FromText(engine, text).Instantiate(new Store(engine));
    }
}
