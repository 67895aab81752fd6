using WasmHarness.Tests.Shared;
using WasmHarness.Wast;
using System.Collections.Concurrent;
using WasmHarness.Engines;
using WasmHarness.Syntax;
using Xunit.Abstractions;

namespace WasmHarness.SpecRunner.Tests;

/// <summary>
/// The JIT compiles exception handling: every core script with an exception instruction (the feature survey flags
/// every module that has one) passes on the JIT with every function compiled eagerly, and no function falls back
/// to the interpreter because of an exception instruction (the JIT reports each fallback with its reason).
/// </summary>
public sealed class JitExceptionSuiteTests(ITestOutputHelper output)
{
    private static string SuiteRoot => CoreSuite.Root;

    private static readonly string[] ExceptionInstructions = ["try_table", "throw", "throw_ref", "try", "catch", "catch_all", "delegate", "rethrow"];

    public static TheoryData<string> ExceptionScripts() =>
    [
        .. SuiteFiles.Find(SuiteRoot, [], includeProposals: false)
            .Where(file => (FeatureSurvey.Of(SuiteRoot, file) & (Wasm3Features.Exceptions | Wasm3Features.LegacyExceptions)) != 0),
    ];

    [CoreSuiteTheory]
    [MemberData(nameof(ExceptionScripts))]
    public void Passes_on_the_jit_without_falling_back_for_exception_instructions(string script)
    {
        var fallbacks = new ConcurrentBag<(string Function, string Reason)>();
        var jit = new JitEngine(new EngineOptions { JitEager = true, JitFallback = (function, reason) => fallbacks.Add((function.ToString(), reason)) });
        var options = new SpecRunOptions(SuiteRoot, [], IncludeProposals: false, CrossCheckWith: null, Engines: [jit]);
        var result = SpecRun.RunScript(options, script)[0];

        Assert.Null(result.Error);
        var failures = result.Commands.Where(c => c.Verdict != Verdict.Passed).Select(c => $"line {c.Line}: {c.Command}: {c.Verdict} {c.Detail}");
        Assert.Empty(failures);
        // A reason names the instruction the JIT does not compile, e.g. "return_call 3"; none may be an exception instruction.
        foreach (var fallback in fallbacks)
        {
            output.WriteLine($"{fallback.Function}: {fallback.Reason}");
        }
        Assert.DoesNotContain(fallbacks, f => f.Reason.Split(' ', '(', ')').Intersect(ExceptionInstructions).Any());
    }
}
