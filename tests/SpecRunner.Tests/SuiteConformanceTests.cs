using WasmHarness.Tests.Shared;
using WasmHarness.Wast;
using FsCheck;
using FsCheck.Fluent;
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
    private static string SuiteRoot => CoreSuite.Root;

    public static TheoryData<string> CoreScripts() => [.. SuiteFiles.Find(SuiteRoot, [], includeProposals: false)];

    [CoreSuiteTheory]
    [MemberData(nameof(CoreScripts))]
    public void Every_module_level_command_is_judged_correctly(string script)
    {
        var result = SpecRun.RunScript(SuiteRoot, script);
        Assert.Null(result.Error);
        var failures = result.Commands.Where(c => c.Verdict == Verdict.Failed).Select(c => $"line {c.Line}: {c.Command}: {c.Detail}").ToList();
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [CoreSuiteTheory]
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

    /// <summary>Every valid module of the core suite, decoded from our encoding (the property's sample space).</summary>
    private static readonly Lazy<List<(string Script, byte[] Bytes)>> SuiteModules = new(() =>
        [.. SuiteFiles.Find(SuiteRoot, [], includeProposals: false).SelectMany(script =>
            WastParser.ParseScript(File.ReadAllText(Path.Combine(SuiteRoot, script)), script).Commands.OfType<ModuleCommand>()
                .Select(c => ModuleLoader.Load(c.Module))
                .Where(outcome => outcome.Accepted)
                .Select(outcome => (script, outcome.Binary ?? ModuleEncoder.Encode(outcome.Module!))))]);

    /// <summary>
    /// The same round trip as a property over the suite's modules, with FsCheck choosing the module and a custom
    /// section to add at a random placement: decode → encode → decode gives the same model.
    /// </summary>
    [CoreSuiteProperty(MaxTest = 500)]
    public Property Decode_encode_decode_is_the_identity_on_suite_modules() =>
        Prop.ForAll(
            (from index in Gen.Choose(0, SuiteModules.Value.Count - 1)
             from placement in Gen.Elements<byte>(0, 1, 2, 3, 5, 6, 7, 9, 10, 11)
             from payload in Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>())
             select (index, placement, payload)).ToArbitrary(),
            choice =>
            {
                var (script, bytes) = SuiteModules.Value[choice.index];
                var module = ModuleDecoder.Decode(bytes);
                module.CustomSections.Add(new CustomSection("fscheck", choice.payload, choice.placement));
                var decoded = ModuleDecoder.Decode(ModuleEncoder.Encode(module));
                var again = ModuleDecoder.Decode(ModuleEncoder.Encode(decoded));
                var difference = ModuleEquality.FirstDifference(decoded, again);
                return (difference is null && decoded.CustomSections.Any(c => c.Name == "fscheck" && c.Content.Span.SequenceEqual(choice.payload)))
                    .Label($"{script}: {difference ?? "the added custom section was lost"}");
            });
}
