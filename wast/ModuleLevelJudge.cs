using WasmHarness.Text;

namespace WasmHarness.Wast;

/// <summary>
/// Judges the commands of a script that need no execution: every module must decode (or parse) and
/// validate, every <c>assert_malformed</c> must be rejected by the decoder or parser and every
/// <c>assert_invalid</c> by the validator, each with the spec's message. Actions are skipped.
/// </summary>
/// <remarks>
/// A message matches when ours starts with the expected text, the rule of the spec's reference interpreter
/// (the suite sometimes abbreviates, e.g. <c>unknown memory</c> for <c>unknown memory 0</c>).
/// </remarks>
public sealed class ModuleLevelJudge(FrontEndCache frontEnd)
{
    public CommandResult Judge(ScriptCommand command) => command switch
    {
        ModuleCommand c => ExpectValid(c.Location, c.IsDefinition ? "module definition" : "module", c.Module),
        AssertUnlinkableCommand c => ExpectValid(c.Location, "assert_unlinkable (module part)", c.Module),
        AssertModuleTrapCommand c => ExpectValid(c.Location, "assert_trap (module part)", c.Module),
        AssertMalformedCommand c => ExpectRejected(c.Location, "assert_malformed", c.Module, Stage.Malformed, c.Message),
        AssertInvalidCommand c => ExpectRejected(c.Location, "assert_invalid", c.Module, Stage.Invalid, c.Message),
        // Custom sections (annotations, branch hints) are checked by the text parser as it builds them.
        AssertMalformedCustomCommand c => ExpectRejected(c.Location, "assert_malformed_custom", c.Module, Stage.Malformed, c.Message),
        AssertInvalidCustomCommand c => ExpectRejected(c.Location, "assert_invalid_custom", c.Module, Stage.Malformed, c.Message),
        _ => new CommandResult(command.Location.Line, Describe(command), Verdict.Skipped, "not judged at module level: validate-only runs no actions"),
    };

    private CommandResult ExpectValid(SourceLocation location, string name, ScriptModule module)
    {
        var outcome = Load(module);
        return outcome.Accepted
            ? new(location.Line, name, Verdict.Passed)
            : new(location.Line, name, Verdict.Failed, $"rejected as {StageName(outcome.RejectedBy)}: {outcome.Reason}", "valid", $"{StageName(outcome.RejectedBy)} \"{outcome.Reason}\"");
    }

    private CommandResult ExpectRejected(SourceLocation location, string name, ScriptModule module, Stage expected, string message)
    {
        var outcome = Load(module);
        if (outcome.RejectedBy != expected && Superseded(expected, message, outcome) is { } lifted)
        {
            return new(location.Line, name, Verdict.Skipped, $"superseded: {lifted}");
        }
        if (outcome.RejectedBy != expected)
        {
            var actually = outcome.Accepted ? "accepted" : $"rejected as {StageName(outcome.RejectedBy)} ({outcome.Reason})";
            return new(location.Line, name, Verdict.Failed, $"expected {StageName(expected)} \"{message}\", but {actually}", $"{StageName(expected)} \"{message}\"", actually);
        }
        return MessageMatches(outcome.Reason, message)
            ? new(location.Line, name, Verdict.Passed)
            : new(location.Line, name, Verdict.Failed, $"expected \"{message}\", got \"{outcome.Reason}\"", $"{StageName(expected)} \"{message}\"", $"{StageName(expected)} \"{outcome.Reason}\"");
    }

    /// <summary>
    /// Rules of Wasm 1.0 that a later standard changed, which scripts forked from 1.0 (the threads proposal's) still
    /// assert: the module is judged as Wasm 3.0 judges it, so the assertion is not judged, and says why. Each entry:
    /// the expected stage and message, the stage Wasm 3.0 gives instead (None: valid) and its message prefix, and why.
    /// </summary>
    private static readonly (Stage Expected, string Message, Stage Actual, string? ActualPrefix, string Reason)[] s_lifted =
    [
        (Stage.Invalid, "multiple memories", Stage.None, null, "Wasm 3.0 (multi-memory) allows several memories; the script predates it"),
        (Stage.Invalid, "multiple tables", Stage.None, null, "Wasm 2.0 (reference types) allows several tables; the script predates it"),
        (Stage.Malformed, "i32 constant out of range", Stage.Invalid, "memory size",
            "Wasm 3.0 (memory64) writes limits as u64, so a 2^32-page memory parses and is invalid (the core suite's memory.wast); the script predates it"),
    ];

    private static string? Superseded(Stage expected, string message, LoadOutcome outcome) => s_lifted
        .Where(rule => rule.Expected == expected && rule.Message == message && rule.Actual == outcome.RejectedBy
            && (rule.ActualPrefix is null || MessageMatches(outcome.Reason, rule.ActualPrefix)))
        .Select(rule => rule.Reason)
        .FirstOrDefault();

    private LoadOutcome Load(ScriptModule module) => frontEnd.Load(module);

    /// <summary>The reference interpreter's rule: the actual message must start with the expected one.</summary>
    public static bool MessageMatches(string? actual, string expected) =>
        actual is not null && actual.StartsWith(expected, StringComparison.Ordinal);

    private static string StageName(Stage stage) => stage switch
    {
        Stage.Malformed => "malformed",
        Stage.Invalid => "invalid",
        Stage.Crash => "crash",
        _ => "valid",
    };

    private static string Describe(ScriptCommand command) => command switch
    {
        ModuleInstanceCommand => "module instance",
        RegisterCommand => "register",
        ActionCommand { Action: InvokeAction invoke } => $"invoke \"{invoke.Name}\"",
        ActionCommand { Action: GetAction get } => $"get \"{get.Name}\"",
        AssertReturnCommand => "assert_return",
        AssertTrapCommand => "assert_trap",
        AssertExhaustionCommand => "assert_exhaustion",
        AssertExceptionCommand => "assert_exception",
        _ => command.GetType().Name,
    };
}
