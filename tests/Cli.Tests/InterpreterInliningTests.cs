using System.Diagnostics;

namespace WasmHarness.Cli.Tests;

/// <summary>
/// The interpreter's loop (<c>Machine.Run</c>) is one large method, and RyuJIT inlines into a method only up to a
/// budget proportional to its size: past it, even <c>AggressiveInlining</c> methods stay calls. A new case in the loop
/// can silently push the semantics of <c>f64.mul</c> or every memory access's bounds check out of it (stop 36 found 71
/// such calls, nbody 10% slower; docs/execution.md, "RyuJIT's inlining budget"). This runs the command line (a child process) on
/// a hot loop with RyuJIT's disassembly on and checks that the optimized code of <c>Run</c> calls none of the helpers
/// every instruction relies on. (The loop runs what the threaded machine does not; the kernel is run with that off.)
/// </summary>
public sealed class InterpreterInliningTests
{
    private const string Kernel = """
        (module (memory 1)
          (func (export "kernel") (param $n i32) (result f64) (local $i i32) (local $p i32) (local $f f64) (local $acc i32)
            (loop $l
              (local.set $p (i32.and (i32.shl (local.get $i) (i32.const 3)) (i32.const 0xFFF0)))
              (f64.store (local.get $p) (f64.add (f64.mul (local.get $f) (f64.const 1.5)) (f64.load offset=8 (local.get $p))))
              (local.set $f (f64.sub (f64.div (f64.load (local.get $p)) (f64.const 3)) (local.get $f)))
              (local.set $acc (i32.xor (local.get $acc) (i32.load8_u (i32.add (local.get $p) (i32.const 3)))))
              (i32.store offset=4 (local.get $p) (i32.mul (local.get $acc) (i32.const 7)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
            (f64.add (local.get $f) (f64.convert_i32_u (local.get $acc)))))
        """;

    /// <summary>Callees that must be inlined into the loop: instruction semantics, bounds checks, op fields, memories.</summary>
    private static readonly string[] MustInline = ["ScalarOps:", "MemoryInstance:Address", "Interpreter.Op:", "ModuleInstance:get_Memories", "Machine:SetBits", "Machine:CopyBits"];

    [Fact]
    public void The_interpreter_loop_keeps_its_hot_helpers_inlined()
    {
#if !DEBUG // a Debug build compiles Run without optimizations: nothing to check
        using var directory = new TempDirectory();
        var module = directory.File("kernel.wat", Kernel);
        var listing = System.IO.Path.Join(directory.Path, "run.asm");
        // This assembly as the command line (ChildProcessEntry): the same Runtime assembly the harness executable loads.
        var start = new ProcessStartInfo("dotnet", ["exec", ChildProcessEntry.AssemblyPath, "run", "--tier", "interp", "-W", "threaded-interpreter=n", "--invoke", "kernel", module, "3000000"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_JitDisasm"] = "Run";
        start.Environment["DOTNET_JitStdOutFile"] = listing;
        using (var process = Process.Start(start)!)
        {
            // Both streams are a line or two: reading one after the other cannot fill the other's pipe.
            var stdout = process.StandardOutput.ReadToEnd();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"harness exited with {process.ExitCode}: {stdout}{stderr}");
        }
        // The last optimized compilation of Machine.Run (on-stack replacement of the running loop, or tier 1).
        var sections = File.ReadAllText(listing).Split("; Assembly listing for method ");
        var run = sections.LastOrDefault(s => s.StartsWith("WasmHarness.Interpreter.Machine:Run(", StringComparison.Ordinal) && s.Contains("; optimized code", StringComparison.Ordinal));
        Assert.True(run is not null, "no optimized compilation of Machine.Run in RyuJIT's listing");
        var calls = run.Split('\n')
            .Where(line => line.TrimStart().StartsWith("call ", StringComparison.Ordinal) && MustInline.Any(name => line.Contains(name, StringComparison.Ordinal)))
            .Select(line => line.Trim())
            .ToList();
        Assert.True(calls.Count == 0, $"Machine.Run is over RyuJIT's inlining budget; {calls.Count} calls left:\n{string.Join('\n', calls.Distinct())}");
#endif
    }
}
