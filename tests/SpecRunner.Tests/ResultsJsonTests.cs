using System.Text.Json;
using WasmHarness.Engines;
using WasmHarness.Wast;

namespace WasmHarness.SpecRunner.Tests;

/// <summary>
/// What <c>spec-runner --json</c> writes for commands that did not pass: the dashboard's drill-down pages show each
/// one's line, expected and actual outcome and reason from these fields.
/// </summary>
public sealed class ResultsJsonTests : IDisposable
{
    private const string Script = """
        (module (func (export "one") (result i32) (i32.const 1)))
        (assert_return (invoke "one") (i32.const 2))
        (assert_trap (invoke "one") "unreachable")
        (assert_return (invoke "one") (i32.const 1))
        """;

    private readonly string _suite = Directory.CreateTempSubdirectory("results-json").FullName;

    public ResultsJsonTests() => File.WriteAllText(Path.Combine(_suite, "wrong.wast"), Script);

    public void Dispose() => Directory.Delete(_suite, recursive: true);

    private static List<JsonElement> Commands(string json) =>
        [.. JsonDocument.Parse(json).RootElement.GetProperty("engines")[0].GetProperty("files")[0].GetProperty("commands").EnumerateArray()];

    [Fact]
    public void A_failed_command_has_its_line_expected_actual_and_reason()
    {
        var options = new SpecRunOptions(_suite, [], IncludeProposals: false, CrossCheckWith: null, Engines: [new InterpreterEngine()]);
        var commands = Commands(JsonSerializer.Serialize(SpecRun.Execute(options), ResultsJson.Options));

        var wrongValue = commands.Single(c => c.GetProperty("line").GetInt32() == 2);
        Assert.Equal("Failed", wrongValue.GetProperty("verdict").GetString());
        Assert.Equal("(i32.const 2)", wrongValue.GetProperty("expected").GetString());
        Assert.Equal("(i32.const 1)", wrongValue.GetProperty("actual").GetString());
        Assert.Contains("expected", wrongValue.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var noTrap = commands.Single(c => c.GetProperty("line").GetInt32() == 3);
        Assert.Equal("Trap \"unreachable\"", noTrap.GetProperty("expected").GetString());
        Assert.StartsWith("returned ", noTrap.GetProperty("actual").GetString(), StringComparison.Ordinal);

        var passed = commands.Single(c => c.GetProperty("line").GetInt32() == 4);
        Assert.False(passed.TryGetProperty("expected", out _)); // unknown fields are left out, not written as null
    }

    [Fact]
    public void A_skipped_command_has_its_line_and_reason()
    {
        var options = new SpecRunOptions(_suite, [], IncludeProposals: false, CrossCheckWith: null);
        var commands = Commands(JsonSerializer.Serialize(SpecRun.Execute(options), ResultsJson.Options));

        var skipped = commands.Where(c => c.GetProperty("verdict").GetString() == "Skipped").ToList();
        Assert.Equal([2, 3, 4], skipped.Select(c => c.GetProperty("line").GetInt32()));
        Assert.All(skipped, c => Assert.Contains("validate-only", c.GetProperty("detail").GetString(), StringComparison.Ordinal));
    }
}
