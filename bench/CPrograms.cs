using System.Diagnostics;

namespace WasmHarness.Bench;

/// <summary>
/// A C benchmark kernel from <c>corpus/bench/c</c>, built by <c>corpus/bench/build.sh</c> to wasm32-wasi and to a
/// native executable (both clang-14 -O2). Every run prints one checksum line; <see cref="Arguments"/> picks the size.
/// </summary>
public sealed record CProgram(string Name, string WasmPath, string NativePath)
{
    /// <summary>The guest's and the native process's arguments after argv[0]: none means the benchmark size.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>
    /// Built with Wasm's vector instructions (<c>-msimd128</c> on the source's <c>// wasm-flags:</c> line, which
    /// <c>build.sh</c> passes to clang): engines without SIMD, such as wasm3, cannot run it.
    /// </summary>
    public bool UsesSimd { get; init; }

    /// <summary>
    /// A folder the guest sees as <c>.</c> (read-only), as <c>harness run --dir .</c> would give it: a script an
    /// interpreter built to Wasm reads. None for the kernels.
    /// </summary>
    public string? Directory { get; init; }

    /// <summary>True for a program of the C corpus: it has a native build whose output is the reference.</summary>
    public bool HasNativeBuild => NativePath.Length > 0;

    /// <summary>
    /// Any WASI program with its arguments (e.g. <c>lua.wasm bench.lua 1</c>), run with the working directory
    /// preopened: no native build, so engines are checked against each other.
    /// </summary>
    public static CProgram External(string wasmPath, IReadOnlyList<string> arguments) =>
        new(Path.GetFileNameWithoutExtension(wasmPath), Path.GetFullPath(wasmPath), "")
        {
            Arguments = arguments,
            Directory = System.IO.Directory.GetCurrentDirectory(),
        };

    public override string ToString() => Name;
}

/// <summary>Finds, builds and lists the C programs. The build happens at benchmark time; nothing built is committed.</summary>
public static class CPrograms
{
    /// <summary>The empty program: the process-startup baseline, not a kernel.</summary>
    public const string EmptyName = "empty";

    /// <summary>The repository root: the first folder above this assembly with <c>Harness.sln</c> (BenchmarkDotNet's child processes run from a folder below bin/).</summary>
    public static string RepositoryRoot { get; } = FindRoot(AppContext.BaseDirectory);

    public static string SourceFolder => Path.Combine(RepositoryRoot, "corpus", "bench", "c");

    public static string BuildFolder => Path.Combine(RepositoryRoot, "corpus", "bench", "build");

    /// <summary>Every kernel whose Wasm and native builds exist, by name (the empty program excluded).</summary>
    public static IReadOnlyList<CProgram> Kernels => [.. Built().Where(p => p.Name != EmptyName)];

    public static CProgram? Empty => Built().FirstOrDefault(p => p.Name == EmptyName);

    public static CProgram Named(string name) =>
        Built().FirstOrDefault(p => p.Name == name) ?? throw new InvalidOperationException($"C program '{name}' is not built (run corpus/bench/build.sh)");

    private static IEnumerable<CProgram> Built() =>
        Directory.Exists(SourceFolder)
            ? Directory.EnumerateFiles(SourceFolder, "*.c")
                .Select(source => Path.GetFileNameWithoutExtension(source))
                .Order(StringComparer.Ordinal)
                .Select(name => new CProgram(name, Path.Combine(BuildFolder, "wasm", name + ".wasm"), Path.Combine(BuildFolder, "native", name))
                {
                    UsesSimd = WasmFlags(Path.Combine(SourceFolder, name + ".c")).Contains("-msimd128", StringComparison.Ordinal),
                })
                .Where(p => File.Exists(p.WasmPath) && File.Exists(p.NativePath))
            : [];

    /// <summary>The extra clang flags a source asks for on its <c>// wasm-flags:</c> line (as <c>build.sh</c> reads them).</summary>
    private static string WasmFlags(string source) =>
        File.ReadLines(source).FirstOrDefault(line => line.StartsWith(WasmFlagsPrefix, StringComparison.Ordinal))?[WasmFlagsPrefix.Length..] ?? "";

    private const string WasmFlagsPrefix = "// wasm-flags: ";

    /// <summary>
    /// Runs <c>build.sh</c> (which rebuilds only what changed). Returns an explanation when the toolchain is
    /// missing or the build fails, else null.
    /// </summary>
    public static string? Build()
    {
        var script = Path.Combine(RepositoryRoot, "corpus", "bench", "build.sh");
        var start = new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        try
        {
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? null : $"{script} failed ({process.ExitCode}): {error.Result}{output}".Trim()
                + "\n(needs: apt-get install clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32)";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"cannot run bash for {script}: {e.Message}";
        }
    }

    private static string FindRoot(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Harness.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"no Harness.sln above {start}: the bench runs from a clone of the repository");
    }
}
