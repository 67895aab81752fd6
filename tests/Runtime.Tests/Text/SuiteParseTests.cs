using WasmHarness.Tests.Shared;
using WasmHarness.Wast;
using WasmHarness.Tests.Support;
using WasmHarness.Text;
using Xunit.Abstractions;

namespace WasmHarness.Tests.Text;

/// <summary>Every core script of the official suite parses; quoted modules are accepted or rejected as the suite says.</summary>
public sealed class SuiteParseTests(ITestOutputHelper output)
{
    public static TheoryData<string> Scripts() => TestSuite.CoreScriptData();

    [CoreSuiteTheory]
    [MemberData(nameof(Scripts))]
    public void ScriptParses(string relativePath)
    {
        var script = WastParser.ParseFile(Path.Combine(TestSuite.Root, relativePath));
        var failures = Check(script);
        foreach (var failure in failures)
        {
            output.WriteLine(failure);
        }
        Assert.Empty(failures);
    }

    [CoreSuiteFact]
    public void WholeSuiteCounts()
    {
        int scripts = 0, textModules = 0, quoteAccepted = 0, quoteRejected = 0, customRejected = 0;
        var failures = new List<string>();
        foreach (var relativePath in TestSuite.CoreScripts())
        {
            Script script;
            try
            {
                script = WastParser.ParseFile(Path.Combine(TestSuite.Root, relativePath));
                scripts++;
            }
            catch (TextFormatException e)
            {
                failures.Add($"{relativePath}: {e.Message}");
                continue;
            }
            failures.AddRange(Check(script, counts: (t, a, r, c) => { textModules += t; quoteAccepted += a; quoteRejected += r; customRejected += c; }));
        }
        output.WriteLine($"scripts parsed: {scripts}; text modules parsed: {textModules}; quote modules accepted: {quoteAccepted}; assert_malformed quote modules rejected with the expected message: {quoteRejected}; assert_malformed_custom ones: {customRejected}; failures: {failures.Count}");
        foreach (var failure in failures)
        {
            output.WriteLine(failure);
        }
        Assert.Empty(failures);
    }

    internal static List<string> Check(Script script, Action<int, int, int, int>? counts = null)
    {
        var failures = new List<string>();
        int text = 0, accepted = 0, rejected = 0, custom = 0;
        foreach (var command in script.Commands)
        {
            var (module, malformedMessage) = command switch
            {
                ModuleCommand c => (c.Module, null),
                AssertInvalidCommand c => (c.Module, null),
                AssertUnlinkableCommand c => (c.Module, null),
                AssertModuleTrapCommand c => (c.Module, null),
                // Branch hint targets are checked by the parser as it reads the annotation.
                AssertInvalidCustomCommand c => (c.Module, c.Message),
                AssertMalformedCommand c => (c.Module, c.Message),
                AssertMalformedCustomCommand c => (c.Module, c.Message),
                _ => ((ScriptModule?)null, (string?)null),
            };
            var where = $"{script.FileName}:{command.Location}";
            switch (module)
            {
                case TextScriptModule t when malformedMessage is not null:
                    if (t.Module is not null || t.Error?.Reason.StartsWith(malformedMessage, StringComparison.Ordinal) != true)
                    {
                        failures.Add($"{where}: expected \"{malformedMessage}\", got {t.Error?.Reason ?? "a module"}");
                    }
                    else
                    {
                        custom++;
                    }
                    break;
                case TextScriptModule t:
                    if (t.Module is null)
                    {
                        failures.Add($"{where}: text module failed: {t.Error?.Message}");
                    }
                    else
                    {
                        text++;
                    }
                    break;
                case QuoteScriptModule q when malformedMessage is null:
                    try
                    {
                        WatParser.ParseModule(q.Text, script.FileName);
                        accepted++;
                    }
                    catch (TextFormatException e)
                    {
                        failures.Add($"{where}: quote module rejected: {e.Message}");
                    }
                    break;
                case QuoteScriptModule q:
                    try
                    {
                        WatParser.ParseModule(q.Text, script.FileName);
                        failures.Add($"{where}: malformed quote module accepted (expected \"{malformedMessage}\")");
                    }
                    catch (TextFormatException e) when (e.Reason.StartsWith(malformedMessage, StringComparison.Ordinal))
                    {
                        if (command is AssertMalformedCustomCommand)
                        {
                            custom++;
                        }
                        else
                        {
                            rejected++;
                        }
                    }
                    catch (TextFormatException e)
                    {
                        failures.Add($"{where}: expected \"{malformedMessage}\", got \"{e.Reason}\" at {e.Location}");
                    }
                    break;
            }
        }
        counts?.Invoke(text, accepted, rejected, custom);
        return failures;
    }
}
