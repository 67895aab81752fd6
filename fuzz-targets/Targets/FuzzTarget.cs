namespace WasmHarness.Fuzz.Targets;

/// <summary>
/// One fuzz target: a function of raw bytes. Its contract: an input may be rejected with the runtime's own error
/// types (<see cref="WasmException"/> and its subclasses), which the target swallows; anything else that escapes
/// (another exception type, a <see cref="FuzzFinding"/>, a crash, a hang past fuel) is a finding.
/// </summary>
public abstract class FuzzTarget
{
    /// <summary>The name used on the command line: <c>fuzz NAME</c>.</summary>
    public abstract string Name { get; }

    /// <summary>What the target checks, for <c>fuzz --help</c>.</summary>
    public abstract string Description { get; }

    /// <summary>Whether seeds are text modules (<c>.wat</c>) rather than binary modules (<c>.wasm</c>).</summary>
    public virtual bool TakesText => false;

    /// <summary>Whether inputs are the generator's decisions (any bytes), not modules: seeds are random bytes.</summary>
    public virtual bool TakesGeneratorBytes => false;

    /// <summary>The file extension of the target's inputs: <c>wat</c>, <c>bin</c> (generator bytes) or <c>wasm</c>.</summary>
    public string Extension => TakesText ? "wat" : TakesGeneratorBytes ? "bin" : "wasm";

    /// <summary>
    /// Seeds this target chooses itself, or null to take the shared ones (<see cref="BuiltinSeeds.For"/>): a target
    /// whose bytes have a structure of their own seeds AFL++ with inputs that reach its interesting paths.
    /// </summary>
    public virtual IEnumerable<byte[]>? OwnSeeds => null;

    /// <summary>Runs one input. Returns what happened to it (for statistics and smoke tests); throws on a finding.</summary>
    public abstract Outcome Run(ReadOnlySpan<byte> input);

    /// <summary>Every target, by name.</summary>
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new DecodeTarget(),
        new TextTarget(),
        new RoundTripTarget(),
        new RunTarget(),
        new DifferentialTarget(),
        new GeneratedRunTarget(),
        new GeneratedDifferentialTarget(),
        new GeneratedJitRunTarget(),
        new WasiPathsTarget(),
        new ShapesTarget(),
    ];

    /// <summary>The target named <paramref name="name"/>, or null.</summary>
    public static FuzzTarget? Find(string name) => All.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>How far an input got: the smoke tests check that seeds get past the front end.</summary>
public enum Outcome
{
    /// <summary>Not well formed (decoder or text parser).</summary>
    Malformed,
    /// <summary>Well formed, not valid.</summary>
    Invalid,
    /// <summary>Valid; the target did all it does with a valid module.</summary>
    Valid,
    /// <summary>Valid, but the target skipped the rest (a known gap: a feature an engine does not support).</summary>
    Skipped,
}
