using System.Text;

namespace WasmHarness.Cli.Tests;

/// <summary>
/// Exit codes as wasmtime's (the guest's own for proc_exit, 134 for a trap, 1 for an uncaught exception or bad
/// input, 70 for a host failure), module files that are no regular file or too large, and <c>-W</c> settings.
/// </summary>
public sealed class ExitCodeTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _exceptions;

    public ExitCodeTests()
    {
        _exceptions = _temp.File("exn.wat", """
            (module
              (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (tag $oops (export "oops") (param i32 f64))
              (tag $hidden (param i64))
              (func $throw (export "throw") (throw $oops (i32.const 7) (f64.const 2.5)))
              (func (export "throw_hidden") (throw $hidden (i64.const -1)))
              (func (export "caught") (result i32) (block $h (result i32 f64) (try_table (catch $oops $h) (call $throw)) (unreachable)) (drop))
              (func (export "trap") (unreachable))
              (func (export "exit") (call $exit (i32.const 42)))
              (func (export "_start") (call $throw))
              (memory (export "memory") 1))
            """);
    }

    public void Dispose() => _temp.Dispose();

    private static void AssertNoDotNetTrace(CliResult result) => Assert.DoesNotContain("   at ", result.Stderr + result.Stdout);

    [Theory]
    [InlineData("interp")]
    [InlineData("jit")]
    public void AnUncaughtExceptionIsExit1WithItsTagAndPayload(string tier)
    {
        var result = CliRunner.Run("--tier", tier, _exceptions);
        Assert.Equal(Harness.UncaughtExceptionExit, result.ExitCode);
        Assert.Equal("error: uncaught wasm exception: tag \"oops\" (export) with payload (i32 7, f64 2.5)\n", result.Stderr);

        result = CliRunner.Run("--tier", tier, "--invoke", "throw_hidden", _exceptions);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: uncaught wasm exception: tag 1 with payload (i64 -1)\n", result.Stderr);
        AssertNoDotNetTrace(result);

        Assert.Equal("7\n", CliRunner.Run("--tier", tier, "--invoke", "caught", _exceptions).Stdout);
    }

    [Theory]
    [InlineData("interp")]
    [InlineData("jit")]
    public void TheStartFunctionIsHandledAlike(string tier)
    {
        var thrower = _temp.File("start-throw.wat", "(module (tag $t (param i32)) (func $s (throw $t (i32.const 3))) (start $s))");
        var result = CliRunner.Run("--tier", tier, thrower);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: uncaught wasm exception: a tag of type (i32) with payload (i32 3)\n", result.Stderr);

        var trapper = _temp.File("start-trap.wat", "(module (func $s unreachable) (start $s))");
        result = CliRunner.Run("--tier", tier, trapper);
        Assert.Equal(Harness.TrapExit, result.ExitCode);
        Assert.StartsWith("error: wasm trap: unreachable", result.Stderr);
        AssertNoDotNetTrace(result);

        var exiter = _temp.File("start-exit.wat", """
            (module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32))) (memory (export "memory") 1)
              (func $s (call $exit (i32.const 5))) (start $s))
            """);
        Assert.Equal(5, CliRunner.Run("--tier", tier, exiter).ExitCode);
    }

    [Theory]
    [InlineData("interp")]
    [InlineData("jit")]
    public void TrapsAndExitsOfInvoke(string tier)
    {
        var result = CliRunner.Run("--tier", tier, "--invoke", "trap", _exceptions);
        Assert.Equal(Harness.TrapExit, result.ExitCode);
        Assert.StartsWith("error: wasm trap: unreachable\nwasm backtrace:", result.Stderr);
        Assert.Equal(42, CliRunner.Run("--tier", tier, "--invoke", "exit", _exceptions).ExitCode);
    }

    [Fact]
    public void CompiledCodeHandlesExceptionsAlike()
    {
        var output = Path.Join(_temp.Path, "exn.dll");
        Assert.Equal(0, CliRunner.Run("compile", _exceptions, "-o", output).ExitCode);
        var result = CliRunner.Run(output);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("tag \"oops\" (export) with payload (i32 7, f64 2.5)", result.Stderr);
    }

    [Theory]
    [InlineData("/dev/zero", "not a regular file (a character device)")]
    [InlineData("DIR", "not a regular file (a directory)")]
    [InlineData("FIFO", "not a regular file (a FIFO)")]
    public void OnlyRegularFilesAreRead(string path, string message)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        if (path == "FIFO")
        {
            path = Path.Join(_temp.Path, "fifo");
            using var mkfifo = System.Diagnostics.Process.Start("mkfifo", [path]);
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }
        path = path == "DIR" ? _temp.Path : path;
        foreach (var args in new[] { new[] { path }, ["compile", path, "-o", Path.Join(_temp.Path, "x.dll")], ["wast", path] })
        {
            var result = CliRunner.Run(args);
            Assert.Equal(Harness.ErrorExit, result.ExitCode);
            Assert.Equal($"harness: error: {path}: {message}\n", result.Stderr);
        }
    }

    [Fact]
    public void ModulesLargerThanTheLimitAreRefusedUnread()
    {
        var big = Path.Join(_temp.Path, "big.wasm");
        File.WriteAllBytes(big, [0, (byte)'a', (byte)'s', (byte)'m', 1, 0, 0, 0, .. new byte[1000]]);
        var result = CliRunner.Run("--max-module-size", "100", big);
        Assert.Equal(Harness.ErrorExit, result.ExitCode);
        Assert.Equal($"harness: error: {big}: 1008 bytes exceeds the limit of 100 bytes (--max-module-size)\n", result.Stderr);
        // -W max-module-bytes is the default read limit too.
        Assert.Contains("exceeds the limit of 1000 bytes", CliRunner.Run("-W", "max-module-bytes=1000", big).Stderr);
        Assert.Contains("exceeds the limit of 100 bytes", CliRunner.Run("compile", "--max-module-size", "100", big).Stderr);
        Assert.Contains("malformed module", CliRunner.Run(big).Stderr);
    }

    [Fact]
    public void WSettingsReachTheEngine()
    {
        var result = CliRunner.Run("-W", "max-functions=2", "--invoke", "trap", _exceptions);
        Assert.Equal(Harness.ErrorExit, result.ExitCode);
        Assert.Contains("invalid module: too many functions: 7 exceeds this implementation's limit of 2", result.Stderr);
        Assert.Equal(Harness.TrapExit, CliRunner.Run("-Wmax-functions=7", "--invoke", "trap", _exceptions).ExitCode);
        Assert.Contains("limit of 0", CliRunner.Run("compile", "-W", "max-tags=0", _exceptions).Stderr);

        var grow = _temp.File("grow.wat", "(module (func (export \"grow\") (result i32) (memory.grow (i32.const 2))) (memory 1))");
        Assert.Equal("1\n", CliRunner.Run("--invoke", "grow", grow).Stdout);
        Assert.Equal("-1\n", CliRunner.Run("-W", "max-memory-size=131072", "--invoke", "grow", grow).Stdout);
        var spin = _temp.File("spin.wat", "(module (func (export \"spin\") (loop $l (br $l))))");
        Assert.StartsWith("error: wasm trap: all fuel consumed", CliRunner.Run("-W", "fuel=1000", "--invoke", "spin", spin).Stderr);
        var bytes = _temp.File("bytes.wat", "(module (type $a (array (mut i8))) (func (export \"make\") (drop (array.new_default $a (i32.const 1000000)))))");
        Assert.Equal(0, CliRunner.Run("--invoke", "make", bytes).ExitCode);
        var gc = CliRunner.Run("-W", "max-gc-heap=100000", "--invoke", "make", bytes);
        Assert.Equal(Harness.TrapExit, gc.ExitCode);
        Assert.StartsWith("error: wasm trap: resource exhausted", gc.Stderr);
    }

    [Theory]
    [InlineData("nope=1", "unknown -W setting 'nope'")]
    [InlineData("max-functions=x", "bad -W max-functions: 'x' is not valid")]
    [InlineData("max-functions=-1", "bad -W max-functions: '-1' is not valid")]
    [InlineData("fuel=-1", "bad -W fuel: '-1' is not valid")]
    [InlineData("max-memory-size", "bad -W 'max-memory-size': expected NAME=VALUE")]
    [InlineData("relaxed-simd-deterministic=maybe", "bad -W relaxed-simd-deterministic")]
    public void BadWSettingsAreOneLineAndExit1(string setting, string message)
    {
        var result = CliRunner.Run("-W", setting, _exceptions);
        Assert.Equal(Harness.ErrorExit, result.ExitCode);
        Assert.StartsWith($"harness: error: {message}", result.Stderr);
        Assert.Single(result.Stderr.TrimEnd('\n').Split('\n'));
    }

    /// <summary>Standard output that fails: a host failure, not the guest's.</summary>
    private sealed class BrokenStream : MemoryStream
    {
        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("the disk is on fire");

        public override void Write(ReadOnlySpan<byte> buffer) => throw new IOException("the disk is on fire");
    }

    [Fact]
    public void AHostFailureIsExit70AndOneLineUnlessVerbose()
    {
        var math = _temp.File("math.wat", "(module (func (export \"one\") (result i32) (i32.const 1)))");
        var error = new MemoryStream();
        var code = Harness.Execute(["--invoke", "one", math], new HostStreams(new MemoryStream(), new BrokenStream(), error));
        var text = Encoding.UTF8.GetString(error.ToArray());
        Assert.Equal(Harness.InternalErrorExit, code);
        Assert.Equal("harness: internal error: IOException: the disk is on fire (run with --verbose for details)\n", text);

        error = new MemoryStream();
        code = Harness.Execute(["--verbose", "--invoke", "one", math], new HostStreams(new MemoryStream(), new BrokenStream(), error));
        text = Encoding.UTF8.GetString(error.ToArray());
        Assert.Equal(Harness.InternalErrorExit, code);
        Assert.StartsWith("harness: internal error: IOException: the disk is on fire\nSystem.IO.IOException: the disk is on fire\n", text);
        Assert.Contains("   at ", text);
        // --verbose after the module is the guest's.
        Assert.Equal(["--verbose", "m.wasm", "--", "--verbose"], Harness.SplitGuestArguments(["--verbose", "m.wasm", "--verbose"]));
    }
}
