using WasmHarness.Tests.Shared;
using WasmHarness.Engines;
using WasmHarness.Engines.Wasi;
using WasmHarness.Engines.Wasmtime;
using WasmHarness.Wast.Wasi;

namespace WasmHarness.SpecRunner.Tests;

/// <summary>
/// The official WASI suite (preview 1), one test case per program and engine: what <c>spec-runner --wasi</c>
/// runs, judged by the same <see cref="WasiSuiteRun.RunOne"/>, so a regression names its program.
/// </summary>
public sealed class WasiSuiteTests
{
    private static string SuiteRoot => WasiSuite.Root;

    private static readonly EngineRegistry Registry = EngineRegistry.Ours().WithWasmtime();

    private static readonly Dictionary<string, IWasiRunner> Engines = new[] { "interp", "jit", "wasmtime" }
        .ToDictionary(name => name, name => (IWasiRunner)Registry.Create(name));

    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var test in WasiTestCase.All(SuiteRoot))
        {
            foreach (var engine in Engines.Keys)
            {
                cases.Add(engine, test.Name);
            }
        }
        return cases;
    }

    [WasiSuiteTheory]
    [MemberData(nameof(Cases))]
    public void Every_program_exits_and_prints_as_its_specification_says(string engine, string test)
    {
        var testCase = WasiTestCase.All(SuiteRoot).Single(t => t.Name == test);
        var result = WasiSuiteRun.RunOne(Engines[engine], testCase);
        Assert.True(result.Passed, result.Detail);
    }

    [WasiSuiteFact]
    public void The_suite_holds_all_72_preview1_programs() => Assert.Equal(72, WasiTestCase.All(SuiteRoot).Count);
}
