namespace WasmHarness.Cli.Tests;

/// <summary>wasmtime's flags: -W timeout/--timeout, feature switches, -S, --preload, settings, "not supported".</summary>
public sealed class WasmtimeFlagTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("interp", "-W", "timeout=200ms")]
    [InlineData("jit", "-W", "timeout=200ms")]
    [InlineData("interp", "--timeout", "200ms")]
    [InlineData("jit", "--timeout", "0.2s")]
    public void A_timeout_stops_an_infinite_loop_as_a_trap(string tier, string option, string value)
    {
        var loop = _temp.File("loop.wat", """(module (func $spin (loop $l (br $l))) (func (export "_start") (call $spin)))""");
        var result = CliRunner.Run("run", "--tier", tier, option, value, loop);
        Assert.Equal(Harness.TrapExit, result.ExitCode);
        Assert.StartsWith("error: wasm trap: interrupted (the time limit of 200ms was reached)\n", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("loop.wat!spin", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_timeout_also_stops_a_start_function()
    {
        var loop = _temp.File("start.wat", """(module (func $s (loop $l (br $l))) (start $s))""");
        Assert.Equal(Harness.TrapExit, CliRunner.Run("-W", "timeout=100ms", "--invoke", "nothing", loop).ExitCode);
    }

    [Fact]
    public void A_timeout_that_is_not_reached_changes_nothing()
    {
        var add = _temp.File("add.wat", """(module (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))""");
        var result = CliRunner.Run("-W", "timeout=1h", "--tier", "jit", "--invoke", "add", add, "2", "3");
        Assert.Equal((0, "5\n", ""), (result.ExitCode, result.Stdout, result.Stderr));
    }

    [Theory]
    [InlineData("timeout=1")]
    [InlineData("timeout=0s")]
    [InlineData("timeout=-1s")]
    [InlineData("timeout=1x")]
    public void A_bad_duration_is_one_error_line(string setting)
    {
        var result = CliRunner.Run("-W", setting, _temp.File("m.wat", "(module)"));
        Assert.Equal(Harness.ErrorExit, result.ExitCode);
        Assert.StartsWith("harness: error: bad -W timeout:", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("simd", """(module (func (export "f") (result i32) (i32x4.extract_lane 0 (v128.const i32x4 1 2 3 4))))""")]
    [InlineData("simd", """(module (func (export "f") (param v128)))""")]
    [InlineData("gc", """(module (type (struct (field i32))))""")]
    [InlineData("tail-call", """(module (func $f (return_call $f)))""")]
    [InlineData("multi-memory", """(module (memory 1) (memory 1))""")]
    [InlineData("memory64", """(module (memory i64 1))""")]
    [InlineData("exceptions", """(module (tag))""")]
    public void A_feature_switched_off_rejects_a_module_that_uses_it(string feature, string text)
    {
        var module = _temp.File($"{feature}.wat", text);
        var off = CliRunner.Run("-W", $"{feature}=n", "--invoke", "f", module);
        Assert.Equal(Harness.ErrorExit, off.ExitCode);
        Assert.Equal($"harness: error: {module}: invalid module: {feature} support is not enabled\n", off.Stderr);
        // On (the default, or -W NAME / -W NAME=y) the module gets past validation: the error is the missing export.
        foreach (var on in new[] { feature, $"{feature}=y" })
        {
            Assert.DoesNotContain("support is not enabled", CliRunner.Run("-W", $"{feature}=n", "-W", on, "--invoke", "f", module).Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_module_without_the_feature_still_runs_with_it_switched_off()
    {
        var add = _temp.File("add.wat", """(module (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))""");
        Assert.Equal("5\n", CliRunner.Run("-W", "simd=n", "-W", "gc=n", "--invoke", "add", add, "2", "3").Stdout);
    }

    [Theory]
    [InlineData(new[] { "-W", "component-model=y" }, "not supported: -W component-model")]
    [InlineData(new[] { "-W", "stack-switching" }, "not supported: -W stack-switching")]
    [InlineData(new[] { "-W", "bulk-memory=n" }, "not supported: -W bulk-memory=n")]
    [InlineData(new[] { "-W", "nan-canonicalization=y" }, "not supported: -W nan-canonicalization")]
    [InlineData(new[] { "-O", "opt-level=2" }, "not supported: -O")]
    [InlineData(new[] { "-Ccache=n" }, "not supported: -C")]
    [InlineData(new[] { "--profile=perfmap" }, "not supported: --profile")]
    [InlineData(new[] { "-S", "tcp" }, "not supported: -S tcp")]
    [InlineData(new[] { "-Spreview2=y" }, "not supported: -S preview2")]
    [InlineData(new[] { "-S", "nope" }, "unknown -S setting 'nope'")]
    public void Wasmtime_names_we_lack_are_not_supported_in_one_line(string[] options, string message)
    {
        var result = CliRunner.Run([.. options, _temp.File("m.wat", "(module)")]);
        Assert.Equal(Harness.ErrorExit, result.ExitCode);
        Assert.StartsWith($"harness: error: {message}", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Switches_for_what_we_never_have_may_be_turned_off()
    {
        var result = CliRunner.Run("-W", "threads=n", "-W", "component-model=n", "-W", "bulk-memory=y", "-S", "preview2=n", "-S", "cli", "--wasm", "simd=y", _temp.File("m.wat", "(module (func (export \"_start\")))"));
        Assert.Equal((0, ""), (result.ExitCode, result.Stderr));
    }

    [CProgramFact]
    public void Inherit_env_passes_the_hosts_variables_and_env_overrides_them()
    {
        var env = CPrograms.Wasm("env");
        Assert.Contains("env PATH=", CliRunner.Run("run", "-S", "inherit-env", env).Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("env PATH=", CliRunner.Run("run", env).Stdout, StringComparison.Ordinal);
        Assert.Contains("env PATH=mine\n", CliRunner.Run("run", "-Sinherit-env=y", "--env", "PATH=mine", env).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Preload_links_the_main_module_to_another_modules_exports()
    {
        var library = _temp.File("lib.wat", """(module (func (export "twice") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2))))""");
        var main = _temp.File("main.wat", """
            (module (import "lib" "twice" (func $twice (param i32) (result i32)))
              (func (export "quad") (param i32) (result i32) (call $twice (call $twice (local.get 0)))))
            """);
        var result = CliRunner.Run("--preload", $"lib={library}", "--invoke", "quad", main, "5");
        Assert.Equal((0, "20\n", ""), (result.ExitCode, result.Stdout, result.Stderr));

        var missing = CliRunner.Run("--invoke", "quad", main, "5");
        Assert.Equal(Harness.ErrorExit, missing.ExitCode);
        Assert.Contains("lib.twice", missing.Stderr, StringComparison.Ordinal);

        Assert.StartsWith("harness: error: bad --preload 'lib'", CliRunner.Run("--preload", "lib", main).Stderr, StringComparison.Ordinal);
        var wasi = _temp.File("wasi.wat", """(module (import "wasi_snapshot_preview1" "proc_exit" (func (param i32))))""");
        Assert.StartsWith("harness: error: not supported: --preload w=", CliRunner.Run("--preload", $"w={wasi}", main).Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_lists_features_and_every_setting()
    {
        var result = CliRunner.Run("settings");
        Assert.Equal(0, result.ExitCode);
        foreach (var expected in new[] { "  simd                   on", "  gc                     on", "  timeout ", "  max-functions ", "  inherit-env ", "not supported: " })
        {
            Assert.Contains(expected, result.Stdout, StringComparison.Ordinal);
        }
    }
}
