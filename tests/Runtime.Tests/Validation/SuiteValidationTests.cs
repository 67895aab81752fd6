using WasmHarness.Tests.Shared;
using WasmHarness.Wast;
using WasmHarness.Binary;
using WasmHarness.Syntax;
using WasmHarness.Tests.Support;
using WasmHarness.Text;
using WasmHarness.Validation;
using Xunit.Abstractions;

namespace WasmHarness.Tests.Validation;

/// <summary>
/// Every module of the core suite that must be valid is accepted, and every <c>assert_invalid</c> is rejected by
/// the validator with a reason that starts with the suite's message (the reference interpreter's rule).
/// </summary>
public sealed class SuiteValidationTests(ITestOutputHelper output)
{
    public static TheoryData<string> Scripts() => TestSuite.CoreScriptData();

    [CoreSuiteTheory]
    [MemberData(nameof(Scripts))]
    public void ScriptValidates(string relativePath)
    {
        var counts = Check(relativePath);
        foreach (var failure in counts.Failures)
        {
            output.WriteLine(failure);
        }
        Assert.Empty(counts.Failures);
    }

    [CoreSuiteFact]
    public void WholeSuiteCounts()
    {
        var total = new Counts();
        foreach (var relativePath in TestSuite.CoreScripts())
        {
            total.Add(Check(relativePath));
        }
        output.WriteLine($"assert_invalid judged correctly: {total.InvalidCorrect}/{total.InvalidTotal}; valid modules accepted: {total.ValidAccepted}/{total.ValidTotal}; not judged (malformed text or binary where a module was expected): {total.NotLoaded}");
        foreach (var failure in total.Failures)
        {
            output.WriteLine(failure);
        }
        Assert.Empty(total.Failures);
        Assert.True(total.InvalidTotal > 2500, $"only {total.InvalidTotal} assert_invalid commands found");
        Assert.True(total.ValidTotal > 2000, $"only {total.ValidTotal} valid modules found");
    }

    private sealed class Counts
    {
        public int InvalidCorrect, InvalidTotal, ValidAccepted, ValidTotal, NotLoaded;
        public List<string> Failures { get; } = [];

        public void Add(Counts other)
        {
            InvalidCorrect += other.InvalidCorrect;
            InvalidTotal += other.InvalidTotal;
            ValidAccepted += other.ValidAccepted;
            ValidTotal += other.ValidTotal;
            NotLoaded += other.NotLoaded;
            Failures.AddRange(other.Failures);
        }
    }

    private static Counts Check(string relativePath)
    {
        var counts = new Counts();
        var script = WastParser.ParseFile(Path.Combine(TestSuite.Root, relativePath));
        foreach (var command in script.Commands)
        {
            var (scriptModule, expected) = command switch
            {
                ModuleCommand c => (c.Module, (string?)null),
                AssertUnlinkableCommand c => (c.Module, null),
                AssertModuleTrapCommand c => (c.Module, null),
                AssertInvalidCommand c => (c.Module, c.Message),
                _ => ((ScriptModule?)null, (string?)null),
            };
            if (scriptModule is null)
            {
                continue;
            }
            var where = $"{relativePath}:{command.Location.Line}";
            Module module;
            try
            {
                module = scriptModule switch
                {
                    TextScriptModule { Module: { } parsed } => parsed,
                    TextScriptModule text => throw new InvalidOperationException($"text did not parse: {text.ParseError}"),
                    BinaryScriptModule binary => ModuleDecoder.Decode(binary.Bytes),
                    QuoteScriptModule quote => WatParser.ParseModule(quote.Text),
                    _ => throw new InvalidOperationException(scriptModule.GetType().Name),
                };
            }
            catch (Exception e) when (e is MalformedException or InvalidOperationException)
            {
                counts.NotLoaded++;
                counts.Failures.Add($"{where}: module did not load: {e.Message}");
                continue;
            }
            string? reason = null;
            try
            {
                ModuleValidator.Validate(module);
            }
            catch (InvalidModuleException e)
            {
                reason = e.Reason;
            }
            if (expected is null)
            {
                counts.ValidTotal++;
                if (reason is null)
                {
                    counts.ValidAccepted++;
                }
                else
                {
                    counts.Failures.Add($"{where}: valid module rejected: {reason}");
                }
            }
            else
            {
                counts.InvalidTotal++;
                if (reason is not null && reason.StartsWith(expected, StringComparison.Ordinal))
                {
                    counts.InvalidCorrect++;
                }
                else
                {
                    counts.Failures.Add($"{where}: expected \"{expected}\", got {(reason is null ? "valid" : $"\"{reason}\"")}");
                }
            }
        }
        return counts;
    }
}
