using WasmHarness.Tests.Shared;
using WasmHarness.Wast;
using WasmHarness.Binary;
using WasmHarness.Syntax;
using WasmHarness.Tests.Support;
using WasmHarness.Text;
using WasmHarness.Validation;
using Xunit.Abstractions;

namespace WasmHarness.Tests.Binary;

/// <summary>
/// The codec over the official suite: every <c>assert_malformed</c> binary module fails with a reason that
/// starts with the suite's message (the reference interpreter's rule), every other binary module decodes,
/// and every module (binary, or text through the text parser) comes back equal from encode → decode.
/// </summary>
public sealed class SuiteCodecTests(ITestOutputHelper output)
{
    // The core suite is Wasm 3.0: a proposal beyond it (custom page sizes) would make some of its malformed modules well-formed.
    private const WasmFeatures Wasm3 = WasmFeatures.Wasm3;

    public static TheoryData<string> Scripts() => TestSuite.CoreScriptData();

    [CoreSuiteTheory]
    [MemberData(nameof(Scripts))]
    public void Script_modules_survive_the_codec(string relativePath)
    {
        var counts = Check(relativePath);
        foreach (var failure in counts.Failures)
        {
            output.WriteLine(failure);
        }
        Assert.Empty(counts.Failures);
    }

    [CoreSuiteFact]
    public void Whole_suite_counts()
    {
        var total = new Counts();
        foreach (var relativePath in TestSuite.CoreScripts())
        {
            total.Add(Check(relativePath));
        }
        output.WriteLine(
            $"assert_malformed binary modules rejected with the suite's reason: {total.MalformedCorrect}/{total.MalformedTotal}; " +
            $"other binary modules decoded: {total.BinaryDecoded}/{total.BinaryTotal}; text modules that round-trip: {total.TextRoundTripped}/{total.TextTotal}");
        Assert.Empty(total.Failures);
        Assert.True(total.MalformedTotal > 700, $"only {total.MalformedTotal} malformed binary modules found");
        Assert.True(total.BinaryTotal > 90, $"only {total.BinaryTotal} binary modules found");
        Assert.True(total.TextTotal > 5000, $"only {total.TextTotal} text modules found");
    }

    private static Counts Check(string relativePath)
    {
        var counts = new Counts();
        var script = WastParser.ParseFile(Path.Combine(TestSuite.Root, relativePath));
        foreach (var command in script.Commands)
        {
            var where = $"{relativePath}:{command.Location}";
            switch (command)
            {
                case AssertMalformedCommand { Module: BinaryScriptModule binary } malformed:
                    counts.MalformedTotal++;
                    try
                    {
                        ModuleDecoder.Decode(binary.Bytes, features: Wasm3);
                        counts.Failures.Add($"{where}: decoded, but the suite expects '{malformed.Message}'");
                    }
                    catch (BinaryFormatException e) when (e.Reason.StartsWith(malformed.Message, StringComparison.Ordinal))
                    {
                        counts.MalformedCorrect++;
                    }
                    catch (BinaryFormatException e)
                    {
                        counts.Failures.Add($"{where}: '{e.Reason}', but the suite expects '{malformed.Message}'");
                    }
                    break;
                case AssertMalformedCommand:
                    break;
                default:
                    foreach (var module in ModulesOf(command))
                    {
                        CheckModule(module, where, counts);
                    }
                    break;
            }
        }
        return counts;
    }

    private static IEnumerable<ScriptModule> ModulesOf(ScriptCommand command) => command switch
    {
        ModuleCommand c => [c.Module],
        AssertInvalidCommand c => [c.Module],
        AssertUnlinkableCommand c => [c.Module],
        AssertModuleTrapCommand c => [c.Module],
        AssertMalformedCustomCommand c => [c.Module],
        AssertInvalidCustomCommand c => [c.Module],
        _ => [],
    };

    private static void CheckModule(ScriptModule scriptModule, string where, Counts counts)
    {
        switch (scriptModule)
        {
            case BinaryScriptModule binary:
                counts.BinaryTotal++;
                Module decoded;
                try
                {
                    decoded = ModuleDecoder.Decode(binary.Bytes, features: Wasm3);
                }
                catch (BinaryFormatException e)
                {
                    counts.Failures.Add($"{where}: well-formed binary module rejected: {e.Message}");
                    return;
                }
                counts.BinaryDecoded++;
                var again = ModuleDecoder.Decode(ModuleEncoder.Encode(decoded));
                if (ModuleEquality.FirstDifference(decoded, again, compareNames: true) is { } binaryDifference)
                {
                    counts.Failures.Add($"{where}: binary module changed by encode → decode: {binaryDifference}");
                }
                break;
            case TextScriptModule { Module: { } text }:
                counts.TextTotal++;
                var roundTripped = ModuleDecoder.Decode(ModuleEncoder.Encode(text));
                // Names aside: the encoder writes no name section for the text format's names.
                var difference = ModuleEquality.FirstDifference(text, roundTripped);
                if (difference is null)
                {
                    counts.TextRoundTripped++;
                }
                else
                {
                    counts.Failures.Add($"{where}: text module changed by encode → decode: {difference}");
                }
                break;
        }
    }

    private sealed class Counts
    {
        public int MalformedTotal { get; set; }

        public int MalformedCorrect { get; set; }

        public int BinaryTotal { get; set; }

        public int BinaryDecoded { get; set; }

        public int TextTotal { get; set; }

        public int TextRoundTripped { get; set; }

        public List<string> Failures { get; } = [];

        public void Add(Counts other)
        {
            MalformedTotal += other.MalformedTotal;
            MalformedCorrect += other.MalformedCorrect;
            BinaryTotal += other.BinaryTotal;
            BinaryDecoded += other.BinaryDecoded;
            TextTotal += other.TextTotal;
            TextRoundTripped += other.TextRoundTripped;
            Failures.AddRange(other.Failures);
        }
    }
}
