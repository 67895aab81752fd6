using System.Diagnostics;
using WasmHarness.Binary;
using WasmHarness.Generator.Reducer;
using WasmHarness.Syntax;

namespace WasmHarness.Oracle;

/// <summary>
/// Reduces a case that took its worker process down (a <c>worker-crash</c> finding: RyuJIT failing inside, a .NET
/// stack overflow, an engine aborting), which no predicate inside the campaign's own process can observe. Each
/// candidate module is written to a file and replayed in a child process (<paramref name="replay"/> says how to start
/// one for a file and the seed of the case's arguments); the candidate still fails when that child dies with the same exit code as the whole case did.
/// The reduced case goes to <c>crashes/</c> under the regression directory with <c>Expect</c> <c>crash</c>: the replay
/// tests leave that folder alone (one would take the test process down), and a case moves up, expecting
/// <c>agree</c>, once its bug is fixed.
/// </summary>
public static class CrashReducer
{
    /// <summary>A child that runs longer than this many times the first reproduction (at least 10 s) counts as not crashing.</summary>
    private const int TimeoutFactor = 5;

    /// <summary>The path of the reduced case written, or null when a child process running the whole case did not die.</summary>
    public static string? Reduce(CampaignOptions options, DivergenceRecord found, Func<string, ulong, ProcessStartInfo> replay, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(found);
        ArgumentNullException.ThrowIfNull(replay);
        var directory = Path.Combine(options.RegressionDirectory ?? throw new ArgumentException("no regression directory to write to"), "crashes");
        var module = Campaign.GenerateCase(found.CaseSeed, out _, options.Profile);
        var scratch = Directory.CreateTempSubdirectory("harness-crash-");
        try
        {
            var candidates = 0;
            var timeout = TimeSpan.FromSeconds(60);
            int? Run(Module candidate)
            {
                var file = Path.Combine(scratch.FullName, $"candidate{candidates++}.wasm");
                File.WriteAllBytes(file, ModuleEncoder.Encode(candidate));
                try
                {
                    return ExitCode(replay(file, found.CaseSeed), timeout);
                }
                finally
                {
                    File.Delete(file);
                }
            }
            var watch = Stopwatch.StartNew();
            var exitCode = Run(module);
            if (exitCode is null or 0 or 1 or 2)
            {
                log?.WriteLine($"case {found.Case} seed {found.CaseSeed}: the worker crash does not happen again in a child process (exit code {exitCode?.ToString() ?? "none: timed out"}); not reduced");
                return null;
            }
            timeout = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(10).Ticks, TimeoutFactor * watch.Elapsed.Ticks));
            var reduced = TestCaseReducer.Reduce(module, candidate => Run(candidate) == exitCode, options.ReduceBudget);
            var info = new RegressionInfo($"crash-{found.CaseSeed:x16}", string.Join(",", options.Engines), found.CaseSeed,
                $"child process exited with code {exitCode}; {found.Detail}", "worker-crash", "crash", DateTime.UtcNow.ToString("u"));
            log?.WriteLine($"case {found.Case} seed {found.CaseSeed}: crash reduced in {candidates} child processes");
            return RegressionCase.Write(directory, info, reduced);
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    /// <summary>The exit code of a process run to its end, or null if it ran past <paramref name="timeout"/> (then it is killed).</summary>
    private static int? ExitCode(ProcessStartInfo start, TimeSpan timeout)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        // Drained, so a chatty child cannot block on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return null;
        }
        return process.ExitCode;
    }
}
