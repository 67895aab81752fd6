namespace WasmHarness.Cli.Tests;

/// <summary>What the command line says when something is wrong: source excerpts, long backtraces, script values.</summary>
public sealed class DiagnosticsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_text_syntax_error_names_the_file_and_shows_the_line_with_a_caret()
    {
        var bad = _temp.File("bad.wat", "(module\n  (func (export \"f\") (result i32)\n    (i32.add (i32.const 1) (i32.konst 2))))\n");
        var result = CliRunner.Run("--invoke", "f", bad);
        Assert.Equal(Harness.ErrorExit, result.ExitCode);
        Assert.Equal(
            $"harness: error: {bad}:3:29: unknown operator i32.konst\n" +
            "3 |     (i32.add (i32.const 1) (i32.konst 2))))\n" +
            "  |                             ^\n",
            result.Stderr);
    }

    [Fact]
    public void A_deep_backtrace_shows_the_first_and_last_frames_and_how_many_are_left_out()
    {
        var recursion = _temp.File("rec.wat", """(module (func $down (export "f") (call $down)))""");
        var result = CliRunner.Run("-W", "max-call-depth=1000", "--invoke", "f", recursion);
        Assert.Equal(Harness.TrapExit, result.ExitCode);
        var lines = result.Stderr.TrimEnd('\n').Split('\n');
        Assert.Equal("error: wasm trap: call stack exhausted", lines[0]);
        Assert.Equal("wasm backtrace:", lines[1]);
        Assert.Equal(2 + 10 + 1 + 5, lines.Length);
        Assert.Equal("    0: rec.wat!down", lines[2]);
        Assert.Equal("    9: rec.wat!down", lines[11]);
        Assert.Matches(@"^  \.\.\. \d+ frames not shown \(\d+ in all\)$", lines[12]);
        var total = int.Parse(System.Text.RegularExpressions.Regex.Match(lines[12], @"\((\d+) in all\)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal($"  {total - 1,3}: rec.wat!down", lines[^1]);
    }

    [Fact]
    public void A_short_backtrace_is_shown_whole()
    {
        var three = _temp.File("three.wat", """(module (func $a (unreachable)) (func $b (call $a)) (func (export "f") (call $b)))""");
        var lines = CliRunner.Run("--invoke", "f", three).Stderr.TrimEnd('\n').Split('\n');
        Assert.Equal(["error: wasm trap: unreachable", "wasm backtrace:", "    0: three.wat!a", "    1: three.wat!b", "    2: three.wat!<wasm function 2>"], lines);
    }

    [Fact]
    public void Wast_failures_show_values_as_the_script_writes_them()
    {
        var script = _temp.File("values.wast", """
            (module
              (func (export "f") (result i32 f64) (i32.const 3) (f64.const 2.5))
              (func (export "nan") (result f32) (f32.const nan:0x200000))
              (func (export "r") (result funcref) (ref.null func)))
            (assert_return (invoke "f") (i32.const 4) (f64.const 2.5))
            (assert_return (invoke "nan") (f32.const nan:canonical))
            (assert_return (invoke "r") (ref.func))
            (assert_trap (invoke "f") "unreachable")
            """);
        var result = CliRunner.Run("wast", script);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("values.wast:5: assert_return invoke \"f\": result 0 is (i32.const 3), expected (i32.const 4)", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("values.wast:6: assert_return invoke \"nan\": result 0 is (f32.const nan:0x200000), expected (f32.const nan:canonical)", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("values.wast:7: assert_return invoke \"r\": result 0 is (ref.null), expected (ref.func)", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("values.wast:8: assert_trap: returned (i32.const 3) (f64.const 2.5), expected Trap \"unreachable\"", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Pattern {", result.Stderr, StringComparison.Ordinal);
    }
}
