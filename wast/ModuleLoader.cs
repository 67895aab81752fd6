using WasmHarness.Binary;
using WasmHarness.Syntax;
using WasmHarness.Text;
using WasmHarness.Validation;

namespace WasmHarness.Wast;

/// <summary>The stage of the front end that rejected a module.</summary>
public enum Stage
{
    /// <summary>Not rejected: decoded or parsed, and valid.</summary>
    None,
    /// <summary>The decoder or text parser (<c>assert_malformed</c>).</summary>
    Malformed,
    /// <summary>The validator (<c>assert_invalid</c>).</summary>
    Invalid,
    /// <summary>Anything else: an exception our front end must never throw (a bug).</summary>
    Crash,
}

/// <summary>What became of a script module on its way through decoder or parser and validator.</summary>
public sealed record LoadOutcome(Stage RejectedBy, string? Reason, Module? Module, byte[]? Binary)
{
    public bool Accepted => RejectedBy == Stage.None;
}

/// <summary>Takes a script module through the front end exactly once: text or bytes to the model, then validation.</summary>
public static class ModuleLoader
{
    /// <summary>The module's model if the decoder or parser can produce it, else null (no validation).</summary>
    public static Module? Parse(ScriptModule scriptModule)
    {
        try
        {
            return ToModel(scriptModule);
        }
        catch (MalformedException)
        {
            return null;
        }
    }

    /// <summary>
    /// Decodes or parses, then validates; <paramref name="features"/> are those the decoder honours (a core script is
    /// judged as Wasm 3.0, <see cref="WasmFeatures.Wasm3"/>; a proposal's script with the proposals on).
    /// </summary>
    public static LoadOutcome Load(ScriptModule scriptModule, WasmFeatures features = WasmFeatures.All)
    {
        Module module;
        var binary = (scriptModule as BinaryScriptModule)?.Bytes;
        try
        {
            module = ToModel(scriptModule, features);
        }
        catch (MalformedException e)
        {
            return new(Stage.Malformed, e.Reason, null, binary);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new(Stage.Crash, $"{e.GetType().Name}: {e.Message}", null, binary);
        }

        try
        {
            ModuleValidator.Validate(module);
            return new(Stage.None, null, module, binary);
        }
        catch (InvalidModuleException e)
        {
            return new(Stage.Invalid, e.Reason, module, binary);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new(Stage.Crash, $"{e.GetType().Name}: {e.Message}", module, binary);
        }
    }

    /// <summary>
    /// The model of a script module: parsed already (text), decoded (binary) or parsed now (quote). A text module
    /// the script parser could not parse throws its parse error again.
    /// </summary>
    private static Module ToModel(ScriptModule scriptModule, WasmFeatures features = WasmFeatures.All) => scriptModule switch
    {
        TextScriptModule { Module: { } parsed } => parsed,
        TextScriptModule text => throw text.Error ?? new TextFormatException(text.ParseError ?? "malformed module", text.Location),
        BinaryScriptModule bytes => ModuleDecoder.Decode(bytes.Bytes, features: features),
        QuoteScriptModule quote => WatParser.ParseModule(quote.Text),
        _ => throw new NotSupportedException(scriptModule.GetType().Name),
    };
}
