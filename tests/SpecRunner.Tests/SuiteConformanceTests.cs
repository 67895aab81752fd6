using WasmHarness.Binary;
using WasmHarness.Syntax;
using WasmHarness.Text;

namespace WasmHarness.SpecRunner.Tests;

/// <summary>
/// The whole core suite (top level, legacy/, custom/) judged at module level, one test case per script, so a
/// regression names its file. Actions are skipped here: they need an execution engine.
/// </summary>
public sealed class SuiteConformanceTests
{
    private static readonly string SuiteRoot = SuiteLocator.Locate(null, AppContext.BaseDirectory).Root
        ?? throw new InvalidOperationException("the WebAssembly test suite was not found (see README: The test suite)");

    public static TheoryData<string> CoreScripts() => [.. SuiteFiles.Find(SuiteRoot, [], includeProposals: false)];

    [Theory]
    [MemberData(nameof(CoreScripts))]
    public void Every_module_level_command_is_judged_correctly(string script)
    {
        var result = SpecRun.RunScript(SuiteRoot, script);
        Assert.Null(result.Error);
        var failures = result.Commands.Where(c => c.Verdict == Verdict.Failed).Select(c => $"line {c.Line}: {c.Command}: {c.Detail}").ToList();
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Theory]
    [MemberData(nameof(CoreScripts))]
    public void Every_valid_module_survives_decode_encode_decode(string script)
    {
        var parsed = WastParser.ParseScript(File.ReadAllText(Path.Combine(SuiteRoot, script)), script);
        var modules = parsed.Commands.OfType<ModuleCommand>()
            .Select(c => ModuleLoader.Load(c.Module))
            .Where(outcome => outcome.Accepted)
            .Select(outcome => outcome.Module!);
        foreach (var module in modules)
        {
            var bytes = ModuleEncoder.Encode(module);
            var decoded = ModuleDecoder.Decode(bytes);
            var again = ModuleDecoder.Decode(ModuleEncoder.Encode(decoded));
            Assert.True(ModuleEquality.AreEqual(decoded, again, out var difference), $"{script}: {difference} differ after a round trip");
            Assert.True(ModuleEquality.AreEqual(module, decoded, out difference), $"{script}: {difference} differ between the parsed and the decoded module");
        }
    }
}
