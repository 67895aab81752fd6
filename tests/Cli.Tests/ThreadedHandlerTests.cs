using System.Diagnostics;
using System.Text.RegularExpressions;

namespace WasmHarness.Cli.Tests;

/// <summary>
/// The threaded interpreter chains its handlers by calls in tail position, and runs in constant .NET stack only if
/// RyuJIT compiles every one of them as a jump: a single handler that keeps its frame would grow the stack by a frame
/// per execution, and a long loop through it would end the process with a stack overflow. C# cannot demand a tail call,
/// and RyuJIT gives it up silently (an address-exposed local, a struct returned through a buffer: the wide
/// multiplications did, until their results got a helper of their own). This compiles every handler in a child
/// process with RyuJIT's disassembly on and checks each listing: it ends in <c>tail.jmp</c> (or never returns, as
/// <c>unreachable</c>), and never calls through a register (the next handler called, not jumped to).
/// </summary>
public sealed partial class ThreadedHandlerTests
{
    [Fact]
    public void Every_handler_jumps_to_the_next()
    {
#if !DEBUG // a Debug build compiles without optimizations, and the machine then falls back to the dispatch loop
        using var directory = new TempDirectory();
        var listing = System.IO.Path.Join(directory.Path, "handlers.asm");
        var start = new ProcessStartInfo("dotnet", ["exec", ChildProcessEntry.AssemblyPath, ChildProcessEntry.CompileThreadedHandlers])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_JitDisasm"] = "WasmHarness.Interpreter.Threaded.Handlers:*";
        start.Environment["DOTNET_JitStdOutFile"] = listing;
        int compiled;
        using (var process = Process.Start(start)!)
        {
            var stdout = process.StandardOutput.ReadToEnd();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"child exited with {process.ExitCode}: {stdout}{stderr}");
            compiled = int.Parse(stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }
        var handlers = File.ReadAllText(listing).Split("; Assembly listing for method ")
            .Where(section => section.StartsWith("WasmHarness.Interpreter.Threaded.Handlers:", StringComparison.Ordinal)
                && section.Contains("(ptr,ptr,ptr,WasmHarness.Interpreter.Threaded.ThreadedContext):ptr", StringComparison.Ordinal)
                && !section.StartsWith("WasmHarness.Interpreter.Threaded.Handlers:StackDepthProbe", StringComparison.Ordinal))
            .ToList();
        Assert.True(handlers.Count >= compiled - 1, $"{compiled} handlers compiled, {handlers.Count} listed");
        var broken = handlers
            .Select(section => (Name: section[..section.IndexOf('(', StringComparison.Ordinal)], Lines: section.Split('\n').Select(line => line.Trim()).ToList()))
            .Where(handler => handler.Lines.Any(line => IndirectCall().IsMatch(line))
                || (!handler.Lines.Any(line => line.StartsWith("tail.jmp", StringComparison.Ordinal)) && handler.Lines.Any(line => line == "ret")))
            .Select(handler => handler.Name)
            .ToList();
        Assert.True(broken.Count == 0, $"handlers RyuJIT did not compile as tail calls:\n{string.Join('\n', broken)}");
#endif
    }

    /// <summary>A call through a register or a pointer in memory: the next handler called instead of jumped to.</summary>
    [GeneratedRegex(@"^call\s+(r\w+|qword ptr \[r)")]
    private static partial Regex IndirectCall();
}
