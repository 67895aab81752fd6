using WasmHarness.Tests.Shared;
using WasmHarness.Wast;
using WasmHarness.Engines;
using WasmHarness.Engines.Wasmtime;
using WasmHarness.Syntax;

namespace WasmHarness.SpecRunner.Tests;

/// <summary>
/// The spec suite executed through the engines: every command of every core script passes on our interpreter (with
/// its threaded code and without) and our JIT; on wasmtime every command passes, which proves the harness itself (a wasmtime failure is a harness bug),
/// except the legacy exception instructions, which wasmtime cannot compile (its only skips, each with wasmtime's reason).
/// </summary>
public sealed class ExecutionTests : IClassFixture<ExecutionTests.Engines>
{
    private static string SuiteRoot => CoreSuite.Root;

    private readonly Engines _engines;

    public ExecutionTests(Engines engines) => _engines = engines;

    /// <summary>One interpreter and one wasmtime engine for all the tests of the class.</summary>
    public sealed class Engines : IDisposable
    {
        public InterpreterEngine Interpreter { get; } = new();

        /// <summary>The interpreter's dispatch loop alone (what runs with fuel), which the threaded code otherwise takes most functions from.</summary>
        public InterpreterEngine InterpreterLoop { get; } = new(new EngineOptions { ThreadedInterpreter = false }, "interp-loop");

        public JitEngine Jit { get; } = new();

        /// <summary>The interpreter tiering up to the JIT at every loop's first iteration (on-stack replacement).</summary>
        public JitEngine TierUp { get; } = new(EngineRegistry.TierUpAtOnce(new EngineOptions()), "jit-tierup");

        public WasmtimeEngine Wasmtime { get; } = new();

        public void Dispose() => Wasmtime.Dispose();
    }

    public static TheoryData<string> Wasm2Scripts() => [.. Profiles.Wasm2.Files.Order(StringComparer.Ordinal)];

    public static TheoryData<string> CoreScripts() => [.. SuiteFiles.Find(SuiteRoot, [], includeProposals: false)];

    [CoreSuiteTheory]
    [MemberData(nameof(CoreScripts))]
    public void Every_command_passes_on_both_tiers_and_on_wasmtime_where_it_can_run(string script)
    {
        IEngine[] engines = [_engines.Interpreter, _engines.InterpreterLoop, _engines.Jit, _engines.TierUp, _engines.Wasmtime];
        var options = new SpecRunOptions(SuiteRoot, [], IncludeProposals: false, CrossCheckWith: null, Engines: engines);
        var results = SpecRun.RunScript(options, script);
        var failures = results
            .SelectMany((result, e) => result.Commands
                .Where(c => c.Verdict == Verdict.Failed || (c.Verdict == Verdict.Skipped && !IsWasmtimeLegacyExceptionSkip(engines[e], c)))
                .Select(c => $"{engines[e].Name}: line {c.Line}: {c.Command}: {c.Verdict} {c.Detail}"))
            .ToList();
        Assert.All(results, result => Assert.Null(result.Error));
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    /// <summary>The one skip allowed: wasmtime 50 refuses to compile <c>try</c>/<c>catch</c>/<c>rethrow</c>/<c>delegate</c>.</summary>
    private bool IsWasmtimeLegacyExceptionSkip(IEngine engine, CommandResult command) =>
        engine == _engines.Wasmtime && command.Detail?.Contains("legacy_exceptions feature required", StringComparison.Ordinal) == true;

    public static TheoryData<string> RelaxedSimdScripts() =>
        [.. SuiteFiles.Find(SuiteRoot, ["*relaxed*"], includeProposals: false)];

    [CoreSuiteTheory]
    [MemberData(nameof(RelaxedSimdScripts))]
    public void Relaxed_simd_scripts_pass_with_the_hosts_native_results_on_both_tiers(string script)
    {
        var native = new EngineOptions { RelaxedSimd = RelaxedSimdMode.Native };
        IEngine[] engines = [new InterpreterEngine(native), new JitEngine(native)];
        var options = new SpecRunOptions(SuiteRoot, [], IncludeProposals: false, CrossCheckWith: null, Engines: engines);
        var results = SpecRun.RunScript(options, script);
        var failures = results
            .SelectMany((result, e) => result.Commands
                .Where(c => c.Verdict != Verdict.Passed)
                .Select(c => $"{engines[e].Name}: line {c.Line}: {c.Command}: {c.Verdict} {c.Detail}"))
            .ToList();
        Assert.All(results, result => Assert.Null(result.Error));
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        Assert.True(results.All(r => r.Commands.Count > 0));
    }

    [CoreSuiteTheory]
    [MemberData(nameof(Wasm2Scripts))]
    public void The_wasm2_profile_lists_only_files_without_wasm3_features(string script) =>
        Assert.Equal(Wasm3Features.None, FeatureSurvey.Of(SuiteRoot, script));

    [CoreSuiteFact]
    public void The_wasm3_nogc_profile_is_exactly_the_core_files_that_need_no_gc()
    {
        var expected = SuiteFiles.Find(SuiteRoot, [], includeProposals: false)
            .Where(file => !FeatureSurvey.Of(SuiteRoot, file).HasFlag(Wasm3Features.GarbageCollection))
            .Order(StringComparer.Ordinal);
        Assert.Equal(expected, Profiles.Wasm3NoGc.Files.Order(StringComparer.Ordinal));
    }
}
