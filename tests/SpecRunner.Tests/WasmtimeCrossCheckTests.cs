using WasmHarness.Tests.Shared;
using WasmHarness.Engines.Wasmtime;
using WasmHarness.Wast;

namespace WasmHarness.SpecRunner.Tests;

/// <summary>
/// Our front end against wasmtime's over the whole core suite: wherever we accept a module, wasmtime accepts our
/// encoding of it; wherever we reject a binary module, wasmtime rejects it too. The only modules wasmtime may
/// decline to judge are those using the legacy exception instructions, which wasmtime 50 cannot enable.
/// </summary>
public sealed class WasmtimeCrossCheckTests
{
    [CoreSuiteFact]
    public void Wasmtime_agrees_with_every_verdict_of_our_front_end()
    {
        var suite = CoreSuite.Root;
        var run = SpecRun.Execute(new SpecRunOptions(suite, [], IncludeProposals: false, CrossCheckWith: () => new WasmtimeValidator()));
        var check = run.CrossCheck!;

        Assert.Empty(check.Disagreements.Select(d => $"{d.File}:{d.Line}: ours {d.Ours}; wasmtime {d.Wasmtime}"));
        Assert.True(check.AcceptedAgreed > 2000, $"only {check.AcceptedAgreed} accepted modules were cross-checked");
        Assert.True(check.MalformedBinaryAgreed > 500, $"only {check.MalformedBinaryAgreed} malformed binaries were cross-checked");
        Assert.All(check.NotJudgedByWasmtime, d => Assert.StartsWith("legacy/", d.File, StringComparison.Ordinal));
    }
}
