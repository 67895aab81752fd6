using WasmHarness.Differential.Engines;
using WasmHarness.Differential.Wasmtime;
using WasmHarness.Syntax;

namespace WasmHarness.SpecRunner.Tests;

/// <summary>
/// The spec suite executed through the engines: every command of every file of the <c>wasm2</c> profile passes on
/// our interpreter and on wasmtime (the latter proves the harness itself: a failure there is a harness bug).
/// </summary>
public sealed class ExecutionTests : IClassFixture<ExecutionTests.Engines>
{
    private static readonly string SuiteRoot = SuiteLocator.Locate(null, AppContext.BaseDirectory).Root!;

    private readonly Engines _engines;

    public ExecutionTests(Engines engines) => _engines = engines;

    /// <summary>One interpreter and one wasmtime engine for all the tests of the class.</summary>
    public sealed class Engines : IDisposable
    {
        public InterpreterEngine Interpreter { get; } = new();

        public WasmtimeEngine Wasmtime { get; } = new();

        public void Dispose() => Wasmtime.Dispose();
    }

    public static TheoryData<string> Wasm2Scripts() => [.. Profiles.Wasm2.Files.Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Wasm2Scripts))]
    public void Every_command_of_the_wasm2_profile_passes_on_the_interpreter_and_on_wasmtime(string script)
    {
        var options = new SpecRunOptions(SuiteRoot, [], IncludeProposals: false, CrossCheckWasmtime: false, Engines: [_engines.Interpreter, _engines.Wasmtime]);
        var results = SpecRun.RunScript(options, script);
        var failures = results
            .SelectMany((result, engine) => result.Commands.Where(c => c.Verdict != Verdict.Passed)
                .Select(c => $"{options.Engines![engine].Name}: line {c.Line}: {c.Command}: {c.Verdict} {c.Detail}"))
            .ToList();
        Assert.All(results, result => Assert.Null(result.Error));
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Theory]
    [MemberData(nameof(Wasm2Scripts))]
    public void The_wasm2_profile_lists_only_files_without_wasm3_features(string script) =>
        Assert.Equal(Wasm3Features.None, FeatureSurvey.Of(SuiteRoot, script));
}
