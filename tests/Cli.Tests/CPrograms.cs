using System.Diagnostics;

namespace WasmHarness.Cli.Tests;

/// <summary>
/// The C programs of <c>corpus/wasi</c>, built once per test run by <c>corpus/wasi/build.sh</c> with Debian's
/// clang-14 and wasi-libc. Tests that need them are skipped with a reason when the toolchain is absent.
/// </summary>
internal static class CPrograms
{
    public const string MissingToolchain =
        "needs clang-14 with wasi-libc, and python3 (apt-get install clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32 python3); .ci/run installs them";

    private static readonly Lazy<string> BuildDirectory = new(Build);

    /// <summary>True when clang, wasm-ld and the wasm32-wasi sysroot are installed.</summary>
    public static bool ToolchainAvailable { get; } = FindCompiler() is not null
        && (File.Exists("/usr/lib/wasm32-wasi/libc.a") || Directory.Exists("/usr/share/wasi-sysroot"))
        && (OnPath("wasm-ld-14") || OnPath("wasm-ld"))
        && OnPath("python3"); // build.sh's export_memory.py (threads/psum)

    /// <summary>The repository root (the folder with Harness.sln).</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The path of a built program, e.g. <c>cat</c>.</summary>
    public static string Wasm(string name) => Path.Join(BuildDirectory.Value, name + ".wasm");

    private static string Build()
    {
        var output = Path.Join(Path.GetTempPath(), $"harness-wasi-programs-{Environment.ProcessId}");
        var start = new ProcessStartInfo("bash", [Path.Join(RepositoryRoot, "corpus", "wasi", "build.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["OUT"] = output;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"corpus/wasi/build.sh failed ({process.ExitCode}):\n{stdout.Result}\n{stderr}");
        }
        return output;
    }

    private static string? FindCompiler() => OnPath("clang-14") ? "clang-14" : OnPath("clang") ? "clang" : null;

    private static bool OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => dir.Length > 0 && File.Exists(Path.Join(dir, name)));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Join(dir.FullName, "Harness.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Harness.sln not found above the test assembly");
    }
}

/// <summary>A fact that needs the C programs: skipped, with the reason, when clang and wasi-libc are absent.</summary>
public sealed class CProgramFactAttribute : FactAttribute
{
    public CProgramFactAttribute()
    {
        if (!CPrograms.ToolchainAvailable)
        {
            Skip = CPrograms.MissingToolchain;
        }
    }
}
