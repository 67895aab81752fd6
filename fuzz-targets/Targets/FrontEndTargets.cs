using WasmHarness.Binary;
using WasmHarness.Syntax;
using WasmHarness.Text;
using WasmHarness.Validation;

namespace WasmHarness.Fuzz.Targets;

/// <summary><c>decode</c>: raw bytes → binary decoder → validator.</summary>
public sealed class DecodeTarget : FuzzTarget
{
    public override string Name => "decode";

    public override string Description => "raw bytes -> binary decoder -> validator";

    public override Outcome Run(ReadOnlySpan<byte> input)
    {
        Module module;
        try
        {
            module = ModuleDecoder.Decode(input);
        }
        catch (MalformedException)
        {
            return Outcome.Malformed;
        }
        return FrontEnd.Validate(module);
    }
}

/// <summary><c>text</c>: raw UTF-8 → WAT parser → validator.</summary>
public sealed class TextTarget : FuzzTarget
{
    public override string Name => "text";

    public override string Description => "raw UTF-8 -> text (WAT) parser -> validator; valid modules must survive encode -> decode";

    public override bool TakesText => true;

    public override Outcome Run(ReadOnlySpan<byte> input)
    {
        Module module;
        try
        {
            module = WatParser.ParseModule(input);
        }
        catch (MalformedException)
        {
            return Outcome.Malformed;
        }
        var outcome = FrontEnd.Validate(module);
        if (outcome == Outcome.Valid)
        {
            // What the text parser makes, the encoder must write and the decoder read back unchanged (names aside:
            // the encoder writes no name section of its own).
            Module decoded;
            try
            {
                decoded = ModuleDecoder.Decode(ModuleEncoder.Encode(module));
            }
            catch (MalformedException e)
            {
                throw new FuzzFinding(Name, $"the encoder's bytes of a valid text module do not decode: {e.Message}", e);
            }
            if (ModuleEquality.FirstDifference(module, decoded) is { } difference)
            {
                throw new FuzzFinding(Name, $"decode(encode(parse(text))) != parse(text): {difference}");
            }
        }
        return outcome;
    }
}

/// <summary>
/// <c>roundtrip</c>: bytes that decode → encode → decode again; the two modules must be equal
/// (<see cref="ModuleEquality.FirstDifference"/>), and the validator must judge both alike.
/// </summary>
public sealed class RoundTripTarget : FuzzTarget
{
    public override string Name => "roundtrip";

    public override string Description => "bytes that decode -> encode -> decode: modules must be equal and validate alike";

    public override Outcome Run(ReadOnlySpan<byte> input)
    {
        Module first;
        try
        {
            first = ModuleDecoder.Decode(input);
        }
        catch (MalformedException)
        {
            return Outcome.Malformed;
        }
        var encoded = ModuleEncoder.Encode(first);
        Module second;
        try
        {
            second = ModuleDecoder.Decode(encoded);
        }
        catch (MalformedException e)
        {
            throw new FuzzFinding(Name, $"the encoder's bytes do not decode: {e.Message}", e);
        }
        if (ModuleEquality.FirstDifference(first, second, compareNames: true) is { } difference)
        {
            throw new FuzzFinding(Name, $"decode(encode(m)) != m: {difference}");
        }
        var firstOutcome = FrontEnd.Validate(first, out var firstReason);
        var secondOutcome = FrontEnd.Validate(second, out var secondReason);
        if (firstOutcome != secondOutcome || firstReason != secondReason)
        {
            throw new FuzzFinding(Name, $"validation differs after the round trip: {firstReason ?? "valid"} vs {secondReason ?? "valid"}");
        }
        return firstOutcome;
    }
}

/// <summary>Helpers shared by the targets.</summary>
internal static class FrontEnd
{
    public static Outcome Validate(Module module) => Validate(module, out _);

    public static Outcome Validate(Module module, out string? reason)
    {
        try
        {
            ModuleValidator.Validate(module);
            reason = null;
            return Outcome.Valid;
        }
        catch (InvalidModuleException e)
        {
            reason = e.Reason;
            return Outcome.Invalid;
        }
    }

    /// <summary>Decodes and validates, or returns null (with the outcome) when the front end rejects the input.</summary>
    public static ValidatedModule? DecodeAndValidate(ReadOnlySpan<byte> input, out Outcome outcome)
    {
        Module module;
        try
        {
            module = ModuleDecoder.Decode(input);
        }
        catch (MalformedException)
        {
            outcome = Outcome.Malformed;
            return null;
        }
        try
        {
            outcome = Outcome.Valid;
            return ModuleValidator.Validate(module);
        }
        catch (InvalidModuleException)
        {
            outcome = Outcome.Invalid;
            return null;
        }
    }
}
