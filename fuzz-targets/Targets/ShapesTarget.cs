using WasmHarness.Execution;
using WasmHarness.Generator.Shapes;
using WasmHarness.Validation;

namespace WasmHarness.Fuzz.Targets;

/// <summary>
/// <c>shapes</c>: the input chooses an extreme shape (<see cref="ExtremeShapes"/>), its size (up to
/// <see cref="MaxSize"/>) and the tier; the module must end in the shape's defined outcome: the expected result under
/// fuel, or an <see cref="ImplementationLimitException"/> naming the shape's limit. A crash, any other exception, a
/// wrong result or a hang (AFL++'s timeout: a compile or run beyond the budgets) is a finding. Sizes near the limits
/// and budgets are where the coverage changes, so AFL++ finds them.
/// </summary>
public sealed class ShapesTarget : FuzzTarget
{
    /// <summary>Largest size the target builds: past every limit and budget, small enough to build in milliseconds.</summary>
    public const int MaxSize = 120_000;

    private static readonly string[] Names = [.. ExtremeShapes.All.Keys];

    public override string Name => "shapes";

    public override string Description => "an extreme module shape and size (deep stacks, wide types, nesting, many functions) -> its defined outcome on interp or jit";

    public override bool TakesGeneratorBytes => true;

    /// <summary>Every shape at a few sizes within its limits, on both tiers: the input layout that <see cref="Run"/> reads.</summary>
    public override IEnumerable<byte[]> OwnSeeds =>
        from shape in Enumerable.Range(0, Names.Length)
        from size in new[] { 1, 8, 48 }
        from tier in new byte[] { 0, 1 }
        select Input(shape, size, tier);

    private static byte[] Input(int shape, int size, byte tier) =>
        [(byte)shape, (byte)(size - 1), (byte)((size - 1) >> 8), (byte)((size - 1) >> 16), tier];

    public override Outcome Run(ReadOnlySpan<byte> input)
    {
        if (input.Length < 4)
        {
            return Outcome.Malformed;
        }
        var name = Names[input[0] % Names.Length];
        var size = 1 + (int)((uint)(input[1] | input[2] << 8 | input[3] << 16) % MaxSize);
        var tier = input.Length > 4 && (input[4] & 1) == 1 ? ExecutionTier.Jit : ExecutionTier.Interpreter;
        var shape = ExtremeShapes.All[name](size);
        var engine = new Engine(RunTarget.Options with { Tier = tier, Fuel = 50_000_000 });
        CompiledModule module;
        try
        {
            module = CompiledModule.Compile(engine, shape.Module);
        }
        catch (ImplementationLimitException e) when (shape.Outcome == ShapeOutcome.ExceedsLimit && e.Limit == shape.Limit)
        {
            return Outcome.Invalid;
        }
        if (shape.Outcome == ShapeOutcome.ExceedsLimit)
        {
            throw new FuzzFinding(Name, $"{shape} on {tier}: accepted, but it exceeds ModuleLimits.{shape.Limit}");
        }
        Value[] result;
        try
        {
            result = module.Instantiate(new Store(engine)).Invoke("run", []);
        }
        catch (TrapException e)
        {
            // Every shape within the limits runs to its result well inside the fuel and stack given here.
            throw new FuzzFinding(Name, $"{shape} on {tier}: trapped ({e.Message})", e);
        }
        if (result[0].I32 != shape.Expected)
        {
            throw new FuzzFinding(Name, $"{shape} on {tier}: {result[0].I32}, expected {shape.Expected}");
        }
        return Outcome.Valid;
    }
}
