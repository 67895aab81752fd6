using WasmHarness.Tests.Support;

namespace WasmHarness.Tests.Interpreter;

/// <summary>
/// Runs official suite scripts on the interpreter (execution commands only; see <see cref="WastRunner"/>).
/// Every script listed here must pass completely.
/// </summary>
public sealed class SpecScriptTests
{
    /// <summary>Scripts that need what the interpreter does not do yet (none today).</summary>
    private static readonly HashSet<string> NotYet = [];

    /// <summary>Every core script of the suite but those in <see cref="NotYet"/>.</summary>
    public static TheoryData<string> Scripts
    {
        get
        {
            var scripts = TestSuite.CoreScripts().Where(script => !NotYet.Contains(script)).ToList();
            return scripts.Count == 0 ? new TheoryData<string>("i32.wast") : new TheoryData<string>(scripts);
        }
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void ScriptPasses(string script)
    {
        if (TestSuite.Root is null)
        {
            return;
        }
        var path = Path.Combine(TestSuite.Root, script);
        if (!File.Exists(path))
        {
            return;
        }
        var runner = WastRunner.RunFile(path);
        Assert.True(runner.Failures.Count == 0, $"{runner.Failures.Count} failures ({runner.Passed} passed):\n" + string.Join('\n', runner.Failures.Take(30)));
    }
}

/// <summary>
/// With <c>WASM_SPEC_REPORT=path</c> set, runs every core script on the interpreter and writes a summary (per
/// script: passed, failed, first failures) to that path. A tool for finding gaps, not a gate.
/// </summary>
public sealed class SpecScriptReport
{
    [Fact]
    public void WriteReport()
    {
        var output = Environment.GetEnvironmentVariable("WASM_SPEC_REPORT");
        if (string.IsNullOrEmpty(output) || TestSuite.Root is null)
        {
            return;
        }
        var filter = Environment.GetEnvironmentVariable("WASM_SPEC_FILTER") ?? "";
        var lines = new List<string>();
        foreach (var script in TestSuite.CoreScripts().Where(s => s.Contains(filter, StringComparison.Ordinal)))
        {
            WastRunner runner;
            try
            {
                runner = WastRunner.RunFile(Path.Combine(TestSuite.Root, script));
            }
            catch (Exception e)
            {
                lines.Add($"{script}: ERROR {e.GetType().Name}: {e.Message}");
                continue;
            }
            lines.Add($"{script}: passed {runner.Passed} failed {runner.Failures.Count}");
            lines.AddRange(runner.Failures.Take(5).Select(f => "    " + f));
        }
        File.WriteAllLines(output, lines);
    }
}
