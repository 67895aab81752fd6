using WasmHarness.Binary;
using WasmHarness.Engines;
using WasmHarness.Generator;
using WasmHarness.Syntax;

namespace WasmHarness.Fuzz.Targets;

/// <summary>
/// Turns the input into a valid module with the differential generator (<see cref="ModuleGenerator"/>: the bytes are
/// its decisions, wasm-smith style), so that every input reaches execution. The generator's module must get through
/// our encoder, decoder and validator; anything else is a finding (in the generator or the front end).
/// </summary>
internal static class Generated
{
    public static byte[] Bytes(string target, ReadOnlySpan<byte> input)
    {
        var module = ModuleGenerator.Generate(input.ToArray());
        var bytes = ModuleEncoder.Encode(module);
        var outcome = new DecodeTarget().Run(bytes);
        if (outcome != Outcome.Valid)
        {
            throw new FuzzFinding(target, $"the generator's module is {outcome.ToString().ToLowerInvariant()} for our front end");
        }
        return bytes;
    }
}

/// <summary><c>run-gen</c>: generator bytes → a valid module → the <c>run</c> target.</summary>
public sealed class GeneratedRunTarget : FuzzTarget
{
    private readonly RunTarget _run = new();

    public override string Name => "run-gen";

    public override bool TakesGeneratorBytes => true;

    public override string Description => "generator bytes -> valid module -> instantiate and call every export on the interpreter, under fuel";

    public override Outcome Run(ReadOnlySpan<byte> input) => _run.Run(Generated.Bytes(Name, input));
}

/// <summary>
/// <c>differential-gen</c>: generator bytes → a valid module → our interpreter and our JIT against wasmtime, with the
/// rules of <see cref="DifferentialTarget"/>, plus exported memories compared byte for byte and tables element by element.
/// </summary>
public sealed class GeneratedDifferentialTarget : DifferentialTarget
{
    public override string Name => "differential-gen";

    public override bool TakesGeneratorBytes => true;

    public override string Description => "generator bytes -> valid module -> interpreter and JIT vs wasmtime: results, traps, globals, memories, tables";

    private protected override IReadOnlyList<IEngine> Engines => [s_interpreter.Value, s_jit.Value, s_wasmtime.Value];

    public override Outcome Run(ReadOnlySpan<byte> input) => base.Run(Generated.Bytes(Name, input));
}

/// <summary>
/// <c>jit-gen</c>: generator bytes → a valid module → the <c>run</c> target on the JIT tier, with guest coverage: the
/// JIT's edge map of the Wasm code (<see cref="EngineOptions.GuestCoverage"/>) is folded into AFL++'s map after each
/// input, so the fuzzer is steered by the generated program's branches too, not only by the runtime's (compiled
/// code is not instrumented by SharpFuzz). <c>FUZZ_GUEST_COVERAGE=0</c> runs it without (for comparison).
/// </summary>
public sealed class GeneratedJitRunTarget : FuzzTarget, IGuestCovered
{
    private readonly RunTarget _run;

    public GeneratedJitRunTarget()
        : this(Environment.GetEnvironmentVariable("FUZZ_GUEST_COVERAGE") != "0")
    {
    }

    public GeneratedJitRunTarget(bool guestCoverage)
    {
        // Nothing of the runtime runs here (see RunTarget): the map and the engine are made on the first run.
        _coverage = new(() => guestCoverage ? new GuestCoverage() : null);
        _run = new RunTarget(Name, () => new Engine(RunTarget.Options with { Tier = ExecutionTier.Jit, GuestCoverage = Coverage }));
    }

    private readonly Lazy<GuestCoverage?> _coverage;

    public override string Name => "jit-gen";

    public override bool TakesGeneratorBytes => true;

    public override string Description => "generator bytes -> valid module -> run on the JIT, steered by guest (Wasm) branch coverage";

    public GuestCoverage? Coverage => _coverage.Value;

    public override Outcome Run(ReadOnlySpan<byte> input)
    {
        var bytes = Generated.Bytes(Name, input);
        Coverage?.Reset();
        return _run.Run(bytes);
    }
}
