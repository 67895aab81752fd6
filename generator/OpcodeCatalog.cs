using WasmHarness.Syntax;
using WasmHarness.Validation;

namespace WasmHarness.Generator;

/// <summary>Which lanes of a result may hold a nondeterministic NaN, so the generator knows how to canonicalize it.</summary>
public enum NanShape : byte
{
    None,
    F32,
    F64,
    F32x4,
    F64x2,
}

/// <summary>One fixed-signature instruction the generator can emit: its operand and result types and what it needs.</summary>
public sealed record OpcodeEntry(Opcode Opcode, ValType[] Parameters, ValType[] Results, InstructionClass Class, NanShape Nan, bool CanTrap, int LaneCount)
{
    public string Name => OpcodeTable.Get(Opcode).Name;
}

/// <summary>
/// The instructions the generator draws from, with their types taken from the validator's own signature table
/// (so the generator and the validator cannot disagree about an instruction's type) and whether they trap or make a
/// NaN from the instruction table (<c>runtime/Syntax/Instructions.table</c>). Relaxed SIMD is left out:
/// its results are implementation-defined, so engines may rightly differ (a nondeterminism rule).
/// </summary>
public static class OpcodeCatalog
{
    /// <summary>Numeric and vector instructions without immediates (or with only a lane index), Wasm 2.0, no relaxed SIMD.</summary>
    public static IReadOnlyList<OpcodeEntry> Fixed { get; } = BuildFixed();

    public static IReadOnlyList<Opcode> FixedOpcodes { get; } = [.. Fixed.Select(e => e.Opcode)];

    /// <summary>
    /// The wide-arithmetic instructions (beyond Wasm 3.0, <see cref="GeneratorConfig.WideArithmetic"/>): fixed
    /// signatures with two results. Kept apart from <see cref="Fixed"/> and <see cref="SwarmOpcodes"/>, so that the
    /// swarm subsets drawn before the proposal existed stay the same.
    /// </summary>
    public static IReadOnlyList<OpcodeEntry> WideArithmetic { get; } = BuildFixed(beyondWasm3: true);

    private static readonly Dictionary<Opcode, NanShape> NanShapes = Fixed.Concat(WideArithmetic).Where(e => e.Nan != NanShape.None).ToDictionary(e => e.Opcode, e => e.Nan);

    /// <summary>The shape of the nondeterministic NaN <paramref name="opcode"/> may make (<see cref="NanShape.None"/>: none).</summary>
    public static NanShape NanShapeOf(Opcode opcode) => NanShapes.GetValueOrDefault(opcode);

    /// <summary>
    /// The threads proposal's instructions that take a memory argument (<see cref="GeneratorConfig.Threads"/>):
    /// atomic loads, stores, read-modify-writes and compare-exchanges, <c>memory.atomic.notify</c> and the waits; the
    /// types after the address and the results come from the validator's table, the width from the natural alignment.
    /// </summary>
    public static IReadOnlyList<(Opcode Opcode, ValType[] Operands, ValType[] Results, int NaturalAlignment)> Atomics { get; } =
    [
        .. OpcodeTable.All
            .Where(info => info.Prefix == 0xFE && info.Immediates == ImmediateKind.MemArg)
            .Select(info => InstructionSignatures.TryGetAddressed(info.Opcode, out var signature)
                ? (info.Opcode, signature.Parameters, signature.Results, (int)info.NaturalAlignment)
                : (info.Opcode, [], [], -1))
            .Where(atomic => atomic.Item4 >= 0)
            .OrderBy(atomic => (int)atomic.Item1),
    ];

    /// <summary>Loads and stores (not lane accesses): the type loaded or stored, and whether it stores.</summary>
    public static IReadOnlyList<(Opcode Opcode, ValType Type, bool Store, int NaturalAlignment)> MemoryAccesses { get; } =
    [
        .. OpcodeTable.All
            .Where(info => info.Immediates == ImmediateKind.MemArg && info.Prefix is 0 or 0xFD)
            .Select(info => InstructionSignatures.TryGetMemoryAccess(info.Opcode, out var type, out var store)
                ? (info.Opcode, type, store, (int)info.NaturalAlignment)
                : (info.Opcode, ValType.Bottom, false, 0))
            .Where(access => access.Item2.Kind != ValueKind.Bottom),
    ];

    /// <summary>The opcodes a swarm subset is drawn from: the fixed-signature ones and the loads and stores.</summary>
    public static IReadOnlyList<Opcode> SwarmOpcodes { get; } = [.. FixedOpcodes, .. MemoryAccesses.Select(a => a.Opcode)];

    /// <summary>
    /// True for the instructions of proposals beyond Wasm 3.0 (threads, wide arithmetic, custom page sizes), which are
    /// not in <see cref="Fixed"/>: the generator emits them only behind their own swarm flags.
    /// </summary>
    public static bool IsBeyondWasm3(Opcode opcode) =>
        (FeatureDetector.OfOpcode(opcode) & (Wasm3Features.Threads | Wasm3Features.WideArithmetic | Wasm3Features.CustomPageSizes)) != 0;

    /// <summary>True for relaxed SIMD opcodes, which the generator never emits.</summary>
    public static bool IsRelaxedSimd(Opcode opcode) => OpcodeTable.Get(opcode).Feature == "relaxed-simd";

    private static List<OpcodeEntry> BuildFixed(bool beyondWasm3 = false)
    {
        var entries = new List<OpcodeEntry>();
        foreach (var opcode in InstructionSignatures.FixedOpcodes.OrderBy(o => (int)o))
        {
            var wide = (FeatureDetector.OfOpcode(opcode) & Wasm3Features.WideArithmetic) != 0;
            if (IsRelaxedSimd(opcode) || (beyondWasm3 ? !wide : IsBeyondWasm3(opcode)) || !InstructionSignatures.TryGetFixed(opcode, out var signature))
            {
                continue;
            }
            var info = OpcodeTable.Get(opcode);
            var name = info.Name;
            var prefix = (int)opcode >> 16;
            var kind = prefix == 0xFD ? InstructionClass.Simd
                : signature.Parameters.Concat(signature.Results).Any(t => t.Kind is ValueKind.F32 or ValueKind.F64)
                    ? (signature.Parameters.Length == 1 && signature.Parameters[0] != signature.Results[0] ? InstructionClass.Conversion : InstructionClass.Float)
                    : signature.Parameters.Length == 1 && signature.Parameters[0] != signature.Results[0] ? InstructionClass.Conversion : InstructionClass.Numeric;
            var shape = NanShape.None;
            if (info.MayProduceNaN)
            {
                shape = name[..name.IndexOf('.')] switch
                {
                    "f32" => NanShape.F32,
                    "f64" => NanShape.F64,
                    "f32x4" => NanShape.F32x4,
                    "f64x2" => NanShape.F64x2,
                    _ => NanShape.None,
                };
            }
            var canTrap = info.CanTrap;
            var lanes = InstructionSignatures.HasLane(opcode) ? InstructionSignatures.LaneCount(opcode) : 0;
            entries.Add(new OpcodeEntry(opcode, signature.Parameters, signature.Results, kind, shape, canTrap, lanes));
        }
        return entries;
    }
}
