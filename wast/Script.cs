using WasmHarness.Text;
using WasmHarness.Syntax;

namespace WasmHarness.Wast;

/// <summary>A parsed <c>.wast</c> script (spec interpreter: <c>script</c>): commands in order.</summary>
public sealed record Script(string FileName, IReadOnlyList<ScriptCommand> Commands);

// ---- Modules as a script names them ----------------------------------------------------------------------

/// <summary>A module as written in a script: text already parsed, raw binary bytes, or quoted text parsed only when judged.</summary>
public abstract record ScriptModule(SourceLocation Location, string? Id)
{
}

/// <summary>
/// <c>(module $id? ...fields)</c>: parsed by the script parser into the module model. Where the text could not
/// be parsed, <see cref="Module"/> is null and <see cref="ParseError"/> says why, so that one bad module fails
/// its own command rather than the whole script.
/// </summary>
public sealed record TextScriptModule(SourceLocation Location, string? Id, Module? Module, string? ParseError = null) : ScriptModule(Location, Id)
{
    /// <summary>The parse failure in full (reason and position), where <see cref="ParseError"/> is set.</summary>
    public TextFormatException? Error { get; init; }
}

/// <summary><c>(module $id? binary "...")</c>: bytes for the decoder.</summary>
public sealed record BinaryScriptModule(SourceLocation Location, string? Id, byte[] Bytes) : ScriptModule(Location, Id);

/// <summary>
/// <c>(module $id? quote "...")</c>: text for the WAT parser, kept unparsed (malformed text is judged when the command runs).
/// The strings are concatenated as the reference interpreter does (no separator); bytes that are not UTF-8 are kept
/// as lone surrogates U+DC80..U+DCFF (see <see cref="Utf8Text.Decode"/>), which <see cref="WatParser.ParseModule(string, string?)"/>
/// reports as malformed UTF-8.
/// </summary>
public sealed record QuoteScriptModule(SourceLocation Location, string? Id, string Text) : ScriptModule(Location, Id);

// ---- Values and result patterns --------------------------------------------------------------------------

/// <summary>A constant in a script: an argument to <c>invoke</c> or an exact expected result.</summary>
public abstract record ScriptValue;

/// <summary>A number constant of type i32, i64, f32 or f64, as its bit pattern (zero-extended).</summary>
public sealed record NumberValue(ValueKind Type, ulong Bits) : ScriptValue;

/// <summary>A <c>v128.const</c>.</summary>
public sealed record VectorValue(V128 Value) : ScriptValue;

/// <summary><c>(ref.null ht)</c>.</summary>
public sealed record NullRefValue(HeapType Type) : ScriptValue;

/// <summary><c>(ref.extern n)</c>: a host reference the script identifies by number.</summary>
public sealed record ExternRefValue(uint Id) : ScriptValue;

/// <summary><c>(ref.host n)</c>: a host reference seen as <c>anyref</c> (internalized extern).</summary>
public sealed record HostRefValue(uint Id) : ScriptValue;

/// <summary>What an <c>assert_return</c> accepts for one result.</summary>
public abstract record ResultPattern;

/// <summary>Exactly this value (for floats: this bit pattern).</summary>
public sealed record ExactPattern(ScriptValue Value) : ResultPattern;

/// <summary>Which NaNs a <c>nan:*</c> pattern accepts.</summary>
public enum NanKind : byte
{
    /// <summary><c>nan:canonical</c>: the canonical NaN of either sign.</summary>
    Canonical,
    /// <summary><c>nan:arithmetic</c>: any NaN whose most significant payload bit is set.</summary>
    Arithmetic,
}

/// <summary><c>(f32.const nan:canonical)</c> and friends.</summary>
public sealed record NanPattern(ValueKind Type, NanKind Kind) : ResultPattern;

/// <summary>The lane shapes of <c>v128.const</c>.</summary>
public enum LaneShape : byte
{
    I8x16,
    I16x8,
    I32x4,
    I64x2,
    F32x4,
    F64x2,
}

/// <summary>A <c>v128.const</c> result whose lanes are checked one by one (float lanes may be NaN patterns).</summary>
public sealed record VectorPattern(LaneShape Shape, IReadOnlyList<ResultPattern> Lanes) : ResultPattern
{
    public bool Equals(VectorPattern? other) => other is not null && Shape == other.Shape && Lanes.SequenceEqual(other.Lanes);

    public override int GetHashCode() => HashCode.Combine(Shape, Lanes.Count);
}

/// <summary>The reference result forms of <c>assert_return</c>: <c>(ref.func)</c>, <c>(ref.extern)</c>, <c>(ref.any)</c>, <c>(ref.eq)</c>, <c>(ref.i31)</c>, <c>(ref.struct)</c>, <c>(ref.array)</c>, <c>(ref.exn)</c>, <c>(ref.null)</c> without a type, ...</summary>
public enum RefPatternKind : byte
{
    /// <summary><c>(ref.null)</c> with no heap type: any null reference.</summary>
    Null,
    Func,
    Extern,
    Any,
    Eq,
    I31,
    Struct,
    Array,
    Exn,
    Host,
}

/// <summary>A non-exact reference pattern: a non-null reference of the given kind, or any null for <see cref="RefPatternKind.Null"/>.</summary>
public sealed record RefPattern(RefPatternKind Kind) : ResultPattern;

/// <summary><c>(either p1 p2 ...)</c>: any one of the alternatives.</summary>
public sealed record EitherPattern(IReadOnlyList<ResultPattern> Alternatives) : ResultPattern
{
    public bool Equals(EitherPattern? other) => other is not null && Alternatives.SequenceEqual(other.Alternatives);

    public override int GetHashCode() => Alternatives.Count;
}

// ---- Actions ---------------------------------------------------------------------------------------------

/// <summary>Something a script does to a module instance.</summary>
public abstract record ScriptAction(SourceLocation Location, string? ModuleId);

/// <summary><c>(invoke $m? "name" args...)</c>.</summary>
public sealed record InvokeAction(SourceLocation Location, string? ModuleId, string Name, IReadOnlyList<ScriptValue> Arguments)
    : ScriptAction(Location, ModuleId);

/// <summary><c>(get $m? "name")</c>: read an exported global.</summary>
public sealed record GetAction(SourceLocation Location, string? ModuleId, string Name) : ScriptAction(Location, ModuleId);

// ---- Commands --------------------------------------------------------------------------------------------

/// <summary>One top-level command of a script.</summary>
public abstract record ScriptCommand(SourceLocation Location);

/// <summary><c>(module ...)</c>: define and instantiate; with <see cref="IsDefinition"/> (<c>(module definition ...)</c>) only define.</summary>
public sealed record ModuleCommand(SourceLocation Location, ScriptModule Module, bool IsDefinition = false) : ScriptCommand(Location);

/// <summary><c>(module instance $instance? $definition?)</c>: instantiate an earlier module definition.</summary>
public sealed record ModuleInstanceCommand(SourceLocation Location, string? InstanceId, string? DefinitionId) : ScriptCommand(Location);

/// <summary><c>(register "name" $m?)</c>: make a module's exports importable under a name.</summary>
public sealed record RegisterCommand(SourceLocation Location, string Name, string? ModuleId) : ScriptCommand(Location);

/// <summary>A bare action at top level.</summary>
public sealed record ActionCommand(SourceLocation Location, ScriptAction Action) : ScriptCommand(Location);

/// <summary><c>(assert_return action results...)</c>.</summary>
public sealed record AssertReturnCommand(SourceLocation Location, ScriptAction Action, IReadOnlyList<ResultPattern> Results) : ScriptCommand(Location);

/// <summary><c>(assert_trap action "message")</c>.</summary>
public sealed record AssertTrapCommand(SourceLocation Location, ScriptAction Action, string Message) : ScriptCommand(Location);

/// <summary><c>(assert_trap (module ...) "message")</c>: instantiation must trap (e.g. in a start function or segment initialization).</summary>
public sealed record AssertModuleTrapCommand(SourceLocation Location, ScriptModule Module, string Message) : ScriptCommand(Location);

/// <summary><c>(assert_exhaustion action "message")</c>: resource exhaustion such as call stack overflow.</summary>
public sealed record AssertExhaustionCommand(SourceLocation Location, ScriptAction Action, string Message) : ScriptCommand(Location);

/// <summary><c>(assert_exception action)</c>: the action throws an uncaught Wasm exception.</summary>
public sealed record AssertExceptionCommand(SourceLocation Location, ScriptAction Action) : ScriptCommand(Location);

/// <summary><c>(assert_malformed module "message")</c>: decoding or text parsing must fail.</summary>
public sealed record AssertMalformedCommand(SourceLocation Location, ScriptModule Module, string Message) : ScriptCommand(Location);

/// <summary><c>(assert_invalid module "message")</c>: validation must fail.</summary>
public sealed record AssertInvalidCommand(SourceLocation Location, ScriptModule Module, string Message) : ScriptCommand(Location);

/// <summary><c>(assert_unlinkable module "message")</c>: instantiation must fail at link time.</summary>
public sealed record AssertUnlinkableCommand(SourceLocation Location, ScriptModule Module, string Message) : ScriptCommand(Location);

/// <summary><c>(assert_malformed_custom module "message")</c>: a custom section or annotation (e.g. <c>@custom</c>) must be rejected.</summary>
public sealed record AssertMalformedCustomCommand(SourceLocation Location, ScriptModule Module, string Message) : ScriptCommand(Location);

/// <summary><c>(assert_invalid_custom module "message")</c>: a custom section's content (e.g. branch hints) must fail validation.</summary>
public sealed record AssertInvalidCustomCommand(SourceLocation Location, ScriptModule Module, string Message) : ScriptCommand(Location);

/// <summary>
/// <c>(thread $t (shared (module $m)...) command...)</c> (threads proposal): runs the commands on a new thread, in a
/// session of its own where only the named modules of the script are visible (a shared memory is reached through them).
/// </summary>
public sealed record ThreadCommand(SourceLocation Location, string Name, IReadOnlyList<string> SharedModules, IReadOnlyList<ScriptCommand> Commands) : ScriptCommand(Location);

/// <summary><c>(wait $t)</c> (threads proposal): waits for a thread's commands to finish; judged by them.</summary>
public sealed record WaitCommand(SourceLocation Location, string Name) : ScriptCommand(Location);
