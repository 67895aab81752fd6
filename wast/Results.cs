using System.Text.Json;
using System.Text.Json.Serialization;

namespace WasmHarness.Wast;

/// <summary>How one script command was judged.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Verdict>))]
public enum Verdict
{
    Passed,
    Failed,
    /// <summary>Not judged in this mode (e.g. an action when only validating).</summary>
    Skipped,
}

/// <summary>
/// The judgement of one command: where it is (its script line), what it is, and for a failure or a skip why
/// (<paramref name="Detail"/>). Where the command states an outcome and the engine produced another,
/// <paramref name="Expected"/> and <paramref name="Actual"/> give both in the script's own syntax, apart from the
/// sentence (the dashboard's drill-down pages show them in columns); left out of the JSON when unknown.
/// </summary>
public sealed record CommandResult(
    int Line,
    string Command,
    Verdict Verdict,
    string? Detail = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Expected = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Actual = null);

/// <summary>The results of one script.</summary>
public sealed record ScriptResult(string File, IReadOnlyList<CommandResult> Commands, string? Error = null)
{
    public int Passed => Commands.Count(c => c.Verdict == Verdict.Passed);

    /// <summary>Failed commands, plus one for a script that could not be read or parsed at all.</summary>
    public int Failed => Commands.Count(c => c.Verdict == Verdict.Failed) + (Error is null ? 0 : 1);

    public int Skipped => Commands.Count(c => c.Verdict == Verdict.Skipped);

    [JsonIgnore]
    public bool IsProposal => SuiteFiles.IsProposal(File);
}

/// <summary>Counts of one kind, for the totals line.</summary>
public sealed record Totals(int Passed, int Failed, int Skipped)
{
    public static Totals Of(IEnumerable<ScriptResult> scripts)
    {
        var list = scripts.ToList();
        return new(list.Sum(s => s.Passed), list.Sum(s => s.Failed), list.Sum(s => s.Skipped));
    }

    /// <summary>The closing line CI reads: <c>N passed, N failed, N skipped</c>.</summary>
    public override string ToString() => $"{Passed} passed, {Failed} failed, {Skipped} skipped";
}

/// <summary>The results of one engine (or of the front end alone, in validate-only mode) over the selected scripts.</summary>
public sealed record EngineRun(string Engine, IReadOnlyList<ScriptResult> Files)
{
    /// <summary>Totals over the core suite (top level, legacy/, custom/).</summary>
    public Totals Core => Totals.Of(Files.Where(f => !f.IsProposal));

    /// <summary>Totals over proposals/, reported apart; null when none ran.</summary>
    public Totals? Proposals => Files.Any(f => f.IsProposal) ? Totals.Of(Files.Where(f => f.IsProposal)) : null;
}

/// <summary>How <c>spec-runner --json</c> writes a <see cref="RunResult"/> (camelCase names; the dashboard reads them).</summary>
public static class ResultsJson
{
    public static JsonSerializerOptions Options { get; } = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
}

/// <summary>Everything one run produced: the JSON file's root object.</summary>
public sealed record RunResult(
    string Suite,
    string? SuiteProvenance,
    string Mode,
    string Profile,
    IReadOnlyList<EngineRun> Engines,
    CrossCheckResult? CrossCheck,
    SimdPlatform Platform)
{
    /// <summary>Failures summed over engines: the run succeeds when this is zero.</summary>
    public int CoreFailures => Engines.Sum(e => e.Core.Failed);
}
