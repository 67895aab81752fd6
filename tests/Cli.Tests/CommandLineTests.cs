namespace WasmHarness.Cli.Tests;

/// <summary>The command line's parsing, <c>--invoke</c> output, exit codes and one-line errors.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _math;

    public CommandLineTests()
    {
        _math = _temp.File("math.wat", """
            (module
              (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
              (func (export "add64") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1)))
              (func (export "div") (param f64 f64) (result f64) (f64.div (local.get 0) (local.get 1)))
              (func (export "half") (param f32) (result f32) (f32.mul (local.get 0) (f32.const 0.5)))
              (func (export "pair") (result i32 i64) (i32.const -1) (i64.const 5))
              (func (export "none"))
              (func $inner (unreachable))
              (func $outer (call $inner))
              (func (export "boom") (call $outer))
              (func (export "spin") (loop $l (br $l)))
              (func (export "grow") (result i32) (memory.grow (i32.const 2)))
              (memory 1))
            """);
    }

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("add", new[] { "1", "2" }, "3\n")]
    [InlineData("add", new[] { "-5", "2" }, "-3\n")]
    [InlineData("add", new[] { "4294967295", "0x1" }, "0\n")]
    [InlineData("add64", new[] { "9223372036854775807", "1" }, "-9223372036854775808\n")]
    [InlineData("div", new[] { "1", "4" }, "0.25\n")]
    [InlineData("div", new[] { "1", "0" }, "inf\n")]
    [InlineData("div", new[] { "0", "0" }, "NaN\n")]
    [InlineData("half", new[] { "3" }, "1.5\n")]
    [InlineData("pair", new string[0], "-1\n5\n")]
    [InlineData("none", new string[0], "")]
    public void InvokePrintsResultsOnePerLine(string export, string[] arguments, string expected)
    {
        var result = CliRunner.Run(["--invoke", export, _math, .. arguments]);
        Assert.Equal("", result.Stderr);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(expected, result.Stdout);
    }

    [Fact]
    public void RunVerbIsOptionalAndOptionsMayUseEquals()
    {
        Assert.Equal("3\n", CliRunner.Run("run", "--invoke", "add", _math, "1", "2").Stdout);
        Assert.Equal("3\n", CliRunner.Run("--invoke=add", _math, "--", "1", "2").Stdout);
    }

    [Theory]
    [InlineData("wrong count", new[] { "--invoke", "add", "MATH", "1" }, "'add' takes 2 arguments")]
    [InlineData("not a number", new[] { "--invoke", "add", "MATH", "1", "x" }, "is not a valid i32")]
    [InlineData("out of range", new[] { "--invoke", "add", "MATH", "1", "99999999999" }, "is not a valid i32")]
    [InlineData("no such export", new[] { "--invoke", "nope", "MATH" }, "no function named 'nope'")]
    [InlineData("no _start", new[] { "MATH" }, "exports no '_start'")]
    [InlineData("missing file", new[] { "missing.wasm" }, "no such file: missing.wasm")]
    [InlineData("missing directory", new[] { "--dir", "/no/such/dir", "MATH" }, "no such directory")]
    [InlineData("bad --env", new[] { "--env", "=x", "MATH" }, "bad --env")]
    [InlineData("unknown option", new[] { "--frobnicate", "MATH" }, "unknown option '--frobnicate'")]
    [InlineData("unknown tier", new[] { "--tier", "turbo", "MATH" }, "unknown tier")]
    public void BadInputIsOneLineAndNonZero(string what, string[] args, string message)
    {
        var result = CliRunner.Run([.. args.Select(a => a == "MATH" ? _math : a)]);
        Assert.True(result.ExitCode != 0, what);
        Assert.Contains(message, result.Stderr);
        Assert.StartsWith("harness: error: ", result.Stderr);
        Assert.Single(result.Stderr.TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public void MalformedAndInvalidModulesAreReported()
    {
        var garbage = _temp.File("garbage.wasm", "\0asm\u0001\0\0\0\u0001");
        var result = CliRunner.Run(garbage);
        Assert.Equal(Harness.ErrorExit, result.ExitCode);
        Assert.StartsWith($"harness: error: {garbage}: malformed module", result.Stderr);

        var invalid = _temp.File("invalid.wat", "(module (func (result i32) (i64.const 1)))");
        result = CliRunner.Run(invalid);
        Assert.Equal(Harness.ErrorExit, result.ExitCode);
        Assert.Contains("invalid module: type mismatch", result.Stderr);

        var text = _temp.File("text.wat", "(module (func");
        result = CliRunner.Run(text);
        Assert.Equal(Harness.ErrorExit, result.ExitCode);
        // A text syntax error is FILE:LINE:COLUMN: reason, then the line with a caret (DiagnosticsTests).
        Assert.StartsWith($"harness: error: {text}:1:", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(3, result.Stderr.TrimEnd('\n').Split('\n').Length);
    }

    [Fact]
    public void UnknownImportsAreALinkError()
    {
        var module = _temp.File("imports.wat", """(module (import "env" "f" (func)) (func (export "_start")))""");
        var result = CliRunner.Run(module);
        Assert.Equal(Harness.ErrorExit, result.ExitCode);
        Assert.Contains("unknown import: env.f", result.Stderr);
    }

    [Theory]
    [InlineData("interp")]
    [InlineData("jit")]
    public void ATrapPrintsItsKindAndANamedBacktrace(string tier)
    {
        var result = CliRunner.Run("--tier", tier, "--invoke", "boom", _math);
        Assert.Equal(Harness.TrapExit, result.ExitCode);
        var lines = result.Stderr.TrimEnd('\n').Split('\n');
        Assert.Equal("error: wasm trap: unreachable", lines[0]);
        Assert.Equal("wasm backtrace:", lines[1]);
        Assert.EndsWith("0: math.wat!inner", lines[2]);
        Assert.EndsWith("1: math.wat!outer", lines[3]);
        Assert.EndsWith("2: math.wat!<wasm function 8>", lines[4]);
    }

    [Fact]
    public void FuelAndMemoryLimits()
    {
        var result = CliRunner.Run("--fuel", "10000", "--invoke", "spin", _math);
        Assert.Equal(Harness.TrapExit, result.ExitCode);
        Assert.StartsWith("error: wasm trap: all fuel consumed", result.Stderr);

        Assert.Equal("1\n", CliRunner.Run("--invoke", "grow", _math).Stdout);
        Assert.Equal("-1\n", CliRunner.Run("--max-memory", "131072", "--invoke", "grow", _math).Stdout);
    }

    [Fact]
    public void TheJitTierRunsTheSame()
    {
        Assert.Equal("3\n", CliRunner.Run("--tier", "jit", "--invoke", "add", _math, "1", "2").Stdout);
        Assert.Equal("0.25\n", CliRunner.Run("--tier", "jit", "--invoke", "div", _math, "1", "4").Stdout);
        // Tier-up at once (every call past the first compiled, every loop moved at its first iteration), and off.
        Assert.Equal("3\n", CliRunner.Run("--tier", "jit", "-W", "jit-tier-up=1", "--invoke", "add", _math, "1", "2").Stdout);
        Assert.Equal("3\n", CliRunner.Run("--tier", "jit", "-W", "jit-tier-up=0", "--invoke", "add", _math, "1", "2").Stdout);
        var bad = CliRunner.Run("--tier", "jit", "-W", "jit-tier-up=-1", "--invoke", "add", _math, "1", "2");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("bad -W jit-tier-up", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void CompiledCodeRunsFromItsFileAndStaleFilesAreRefused()
    {
        var output = Path.Join(_temp.Path, "math.dll");
        var compile = CliRunner.Run("compile", _math, "-o", output);
        Assert.Equal(0, compile.ExitCode);
        Assert.Contains("functions compiled", compile.Stderr);
        Assert.Equal("3\n", CliRunner.Run("--invoke", "add", output, "1", "2").Stdout);
        Assert.Equal("0.25\n", CliRunner.Run("run", "--invoke", "div", output, "1", "4").Stdout);

        // Compiled without fuel metering: a run that asks for fuel gets a clear error, not unmetered code.
        var fuel = CliRunner.Run("--fuel", "10", "--invoke", "add", output, "1", "2");
        Assert.Equal(Harness.ErrorExit, fuel.ExitCode);
        Assert.Contains("fuel=off", fuel.Stderr);
        var metered = Path.Join(_temp.Path, "metered.dll");
        Assert.Equal(0, CliRunner.Run("compile", "--consume-fuel", _math, "-o", metered).ExitCode);
        Assert.Equal("3\n", CliRunner.Run("--fuel", "1000", "--invoke", "add", metered, "1", "2").Stdout);

        var image = File.ReadAllBytes(output);
        image[image.AsSpan().IndexOf("\0asm"u8) + 9] ^= 1;
        var changed = Path.Join(_temp.Path, "changed.dll");
        File.WriteAllBytes(changed, image);
        var refused = CliRunner.Run("--invoke", "add", changed, "1", "2");
        Assert.Equal(Harness.ErrorExit, refused.ExitCode);
        Assert.Contains("do not match the hash", refused.Stderr);
        Assert.Equal("", refused.Stdout);
    }

    [Fact]
    public void GuestArgumentsAfterTheModuleAreNeverOurs()
    {
        Assert.Equal(["--dir", "x", "m.wasm", "--", "--dir", "y"], Harness.SplitGuestArguments(["--dir", "x", "m.wasm", "--dir", "y"]));
        Assert.Equal(["m.wasm", "--", "a", "--", "b"], Harness.SplitGuestArguments(["m.wasm", "--", "a", "--", "b"]));
        Assert.Equal(["--env=A=1", "m.wasm", "--"], Harness.SplitGuestArguments(["--env=A=1", "m.wasm"]));
    }

    [Fact]
    public void WasiCommandGetsArgsEnvAndItsExitCode()
    {
        var program = _temp.File("echo.wat", """
            (module
              (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "args_get" (func $get (param i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "environ_sizes_get" (func $esizes (param i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "environ_get" (func $eget (param i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (memory (export "memory") 1)
              (func $print (param $sizes i32) (param $buffer i32)
                (i32.store (i32.const 8) (local.get $buffer))
                (i32.store (i32.const 12) (i32.load (i32.add (local.get $sizes) (i32.const 4))))
                (drop (call $fd_write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 100))))
              (func (export "_start")
                (drop (call $sizes (i32.const 200) (i32.const 204)))
                (drop (call $get (i32.const 300) (i32.const 1000)))
                (call $print (i32.const 200) (i32.const 1000))
                (drop (call $esizes (i32.const 200) (i32.const 204)))
                (drop (call $eget (i32.const 300) (i32.const 2000)))
                (call $print (i32.const 200) (i32.const 2000))
                (call $exit (i32.const 9))))
            """);
        var result = CliRunner.Run("--env", "GREETING=hi there", "--argv0", "prog", program, "a", "--not-an-option");
        Assert.Equal(9, result.ExitCode);
        Assert.Equal("prog\0a\0--not-an-option\0GREETING=hi there\0", result.Stdout);
    }

    [Fact]
    public void WastRunsScriptsAndFailsOnAFailedAssertion()
    {
        var good = _temp.File("good.wast", """
            (module (func (export "f") (result i32) (i32.const 7)))
            (assert_return (invoke "f") (i32.const 7))
            (assert_trap (module (func unreachable) (start 0)) "unreachable")
            """);
        var result = CliRunner.Run("wast", good);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains(" passed, 0 failed", result.Stdout);

        var bad = _temp.File("bad.wast", """
            (module (func (export "f") (result i32) (i32.const 7)))
            (assert_return (invoke "f") (i32.const 8))
            """);
        result = CliRunner.Run("wast", good, bad);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("bad.wast: ", result.Stdout);
        Assert.Contains("passed, 1 failed", result.Stdout);
        Assert.Contains("bad.wast:2:", result.Stderr);

        Assert.Equal(Harness.ErrorExit, CliRunner.Run("wast", Path.Join(_temp.Path, "none.wast")).ExitCode);
        Assert.Equal(0, CliRunner.Run("wast", "--tier", "jit", good).ExitCode);
    }
}
