namespace WasmHarness;

/// <summary>
/// Base of every error the runtime reports about a module or program. <see cref="Reason"/> is the spec's
/// own wording (the text that <c>assert_*</c> commands of the official suite expect); <see cref="Exception.Message"/>
/// adds where it happened, for people.
/// </summary>
public abstract class WasmException(string reason, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The spec's message for this failure, e.g. <c>unexpected end</c> or <c>type mismatch</c>.</summary>
    public string Reason { get; } = reason;
}

/// <summary>A module's binary or text form is not well formed (spec: <c>assert_malformed</c>).</summary>
public class MalformedException(string reason, string message, Exception? inner = null) : WasmException(reason, message, inner)
{
}

/// <summary>A binary module could not be decoded; <see cref="Offset"/> is the byte offset where decoding stopped.</summary>
public sealed class BinaryFormatException(string reason, long offset)
    : MalformedException(reason, $"{reason} (at offset 0x{offset:x})")
{
    public long Offset { get; } = offset;
}

/// <summary>A text module or script could not be parsed; <see cref="Location"/> is where.</summary>
public sealed class TextFormatException(string reason, Text.SourceLocation location, string? fileName = null)
    : MalformedException(reason, $"{fileName ?? "<text>"}:{location}: {reason}")
{
    public Text.SourceLocation Location { get; } = location;
}

/// <summary>A well-formed module fails validation (spec: <c>assert_invalid</c>).</summary>
public class InvalidModuleException(string reason, string? context = null)
    : WasmException(reason, context is null ? reason : $"{reason} ({context})")
{
    /// <summary>Where in the module, for people: e.g. <c>func 3, instruction 12 (i32.add)</c>.</summary>
    public string? Context { get; } = context;
}
