using System.Text;

namespace WasmHarness.Cli.Tests;

/// <summary>
/// Real C programs (corpus/wasi) run by our command line and by wasmtime (the Wasmtime package's WASI) in
/// identical sandboxes: stdout, stderr, exit code and the files left behind must agree.
/// </summary>
public sealed class CProgramTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private int _runs;

    public void Dispose() => _temp.Dispose();

    /// <summary>Makes a world: <c>secret.txt</c> outside, the preopened <c>box</c> with files (and escape links) inside.</summary>
    private static string MakeWorld(string root)
    {
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Join(root, "secret.txt"), "the secret\n");
        var box = Path.Join(root, "box");
        Directory.CreateDirectory(Path.Join(box, "sub", "deeper"));
        File.WriteAllText(Path.Join(box, "inside.txt"), "inside the box\n");
        File.WriteAllText(Path.Join(box, "notes.txt"), "line one\nline two\n");
        File.WriteAllText(Path.Join(box, "sub", "a.txt"), "a\n");
        File.WriteAllText(Path.Join(box, "sub", "deeper", "b.txt"), "b\n");
        File.CreateSymbolicLink(Path.Join(box, "link-out"), "../secret.txt");
        File.CreateSymbolicLink(Path.Join(box, "link-abs"), Path.Join(root, "secret.txt"));
        return box;
    }

    private static Dictionary<string, string> Snapshot(string box) =>
        Directory.EnumerateFileSystemEntries(box, "*", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .ToDictionary(
                path => Path.GetRelativePath(box, path),
                path => new FileInfo(path).LinkTarget is { } target ? $"-> {target.Replace(Path.GetDirectoryName(box)!, "ROOT")}"
                    : Directory.Exists(path) ? "<dir>" : File.ReadAllText(path));

    private static CliResult Ours(string tier, string program, string box, string[] args, string[] env, string stdin) =>
        CliRunner.RunWithInput(stdin, ["--tier", tier, .. env.SelectMany(e => new[] { "--env", e }), "--dir", $"{box}::.", "--argv0", program, CPrograms.Wasm(program), .. args]);

    private CliResult Wasmtime(string program, string box, string[] args, string[] env, string stdin)
    {
        var output = Path.Join(_temp.Path, "wasmtime.out");
        var error = Path.Join(_temp.Path, "wasmtime.err");
        var input = _temp.File("wasmtime.in", stdin);
        using var engine = new global::Wasmtime.Engine();
        using var module = global::Wasmtime.Module.FromFile(engine, CPrograms.Wasm(program));
        using var linker = new global::Wasmtime.Linker(engine);
        linker.DefineWasi();
        using var store = new global::Wasmtime.Store(engine);
        var configuration = new global::Wasmtime.WasiConfiguration()
            .WithArgs([program, .. args])
            .WithPreopenedDirectory(box, ".", true)
            .WithStandardInput(input)
            .WithStandardOutput(output)
            .WithStandardError(error);
        foreach (var variable in env)
        {
            var parts = variable.Split('=', 2);
            configuration.WithEnvironmentVariable(parts[0], parts[1]);
        }
        store.SetWasiConfiguration(configuration);
        var instance = linker.Instantiate(store, module);
        var code = 0;
        try
        {
            instance.GetAction("_start")!();
        }
        catch (global::Wasmtime.WasmtimeException e) when (e.ExitCode is { } exit)
        {
            code = exit;
        }
        return new CliResult(code, File.ReadAllText(output), File.ReadAllText(error));
    }

    /// <summary>
    /// Runs a program on wasmtime and on our interpreter and JIT, each in a fresh, identical world; asserts that
    /// they agree and returns our interpreter's result.
    /// </summary>
    private (CliResult Result, Dictionary<string, string> Files) RunBoth(string program, string[] args, string[]? env = null, string stdin = "")
    {
        env ??= [];
        var run = ++_runs;
        var theirsBox = MakeWorld(Path.Join(_temp.Path, $"wasmtime{run}"));
        var theirs = Wasmtime(program, theirsBox, args, env, stdin);
        var theirFiles = Snapshot(theirsBox);
        (CliResult, Dictionary<string, string>)? first = null;
        foreach (var tier in new[] { "interp", "jit" })
        {
            var root = Path.Join(_temp.Path, $"{tier}{run}");
            var box = MakeWorld(root);
            var ours = Ours(tier, program, box, args, env, stdin);
            Assert.True(theirs.Stdout == ours.Stdout, $"{tier} stdout differs from wasmtime's:\n{ours.Stdout}\n---\n{theirs.Stdout}");
            Assert.True(theirs.Stderr == ours.Stderr, $"{tier} stderr differs from wasmtime's:\n{ours.Stderr}\n---\n{theirs.Stderr}");
            Assert.True(theirs.ExitCode == ours.ExitCode, $"{tier} exit code {ours.ExitCode}, wasmtime {theirs.ExitCode}");
            var files = Snapshot(box);
            Assert.Equal(theirFiles, files);
            Assert.Equal("the secret\n", File.ReadAllText(Path.Join(root, "secret.txt")));
            first ??= (ours, files);
        }
        return first!.Value;
    }

    [CProgramFact]
    public void CatPrintsFiles()
    {
        var (result, _) = RunBoth("cat", ["inside.txt", "./sub/a.txt", "missing.txt"]);
        Assert.Equal("inside the box\na\n", result.Stdout);
        Assert.Equal("cat: missing.txt: No such file or directory\n", result.Stderr);
        Assert.Equal(1, result.ExitCode);
    }

    [CProgramFact]
    public void CatCopiesStdin()
    {
        var (result, _) = RunBoth("cat", [], stdin: "from stdin\n");
        Assert.Equal("from stdin\n", result.Stdout);
    }

    [CProgramFact]
    public void CopyLeavesTheSameFiles()
    {
        var (result, files) = RunBoth("copy", ["notes.txt", "sub/copy.txt"]);
        Assert.Equal("copied 18 bytes\n", result.Stdout);
        Assert.Equal("line one\nline two\n", files[Path.Join("sub", "copy.txt")]);
    }

    [CProgramFact]
    public void WalkListsTheTree()
    {
        var (result, _) = RunBoth("walk", ["."]);
        Assert.Contains("sub/\n  a.txt\n  deeper/\n    b.txt\n", result.Stdout);
    }

    [CProgramFact]
    public void EnvPrintsArgsAndEnvironment()
    {
        var (result, _) = RunBoth("env", ["one", "two words"], ["A=1", "B=x=y"]);
        Assert.Equal("argv[0]=env\nargv[1]=one\nargv[2]=two words\nenv A=1\nenv B=x=y\n", result.Stdout);
    }

    [CProgramFact]
    public void ClocksAndRandom()
    {
        var (result, _) = RunBoth("clock", []);
        Assert.Equal("slept: yes\nafter 2020: yes\nrandom: yes\n", result.Stdout);
    }

    [CProgramFact]
    public void ExitCodes()
    {
        foreach (var code in new[] { 0, 1, 42, 125 })
        {
            var (result, _) = RunBoth("exitcode", [code.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            Assert.Equal(code, result.ExitCode);
            Assert.Equal("to stderr\n", result.Stderr);
        }
    }

    [CProgramFact]
    public void EscapesFailOnBothEngines()
    {
        var (result, files) = RunBoth("escape", []);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines.Where(l => !l.Contains("inside.txt")), line => Assert.DoesNotContain("OPENED", line));
        Assert.Contains("open inside.txt: OPENED (15 bytes)", lines);
        Assert.Equal("-> ../secret.txt", files["made-link"]);
    }

    [CProgramFact]
    public void FileSystemOperationsAndTheirErrnos()
    {
        var (result, files) = RunBoth("fsops", []);
        Assert.Contains("rmdir made (not empty)                   Directory not empty\n", result.Stdout);
        Assert.Contains("mkdir ../out                             Operation not permitted\n", result.Stdout);
        Assert.Equal("a", files["hard.txt"]);
        Assert.False(files.ContainsKey("made"));
    }

    [CProgramFact]
    public void TheReadmeScenario()
    {
        // harness run --dir . cat.wasm -- ./README.md, from the repository root.
        var root = CPrograms.RepositoryRoot;
        var result = CliRunner.Run("run", "--dir", $"{root}::.", CPrograms.Wasm("cat"), "--", "./README.md");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(File.ReadAllText(Path.Join(root, "README.md")), result.Stdout);
    }
}
