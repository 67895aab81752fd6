using WasmHarness.Engines;
using WasmHarness.Syntax;

namespace WasmHarness.Oracle;

/// <summary>One injected miscompilation: which instruction, and what the faulty interpreter runs instead.</summary>
public sealed record Fault(string Name, string Area, Opcode Target, Func<Instruction, IReadOnlyList<Instruction>> Replacement)
{
    public IReadOnlyList<Instruction>? Rewrite(Instruction instruction) => instruction.Opcode == Target ? Replacement(instruction) : null;
}

/// <summary>
/// The fault-injection benchmark's faults (issue 8): realistic miscompilations across integer, float, memory,
/// control, table and SIMD instructions. Each replaces one instruction by a sequence of the same type that computes
/// something else in some cases (a signed/unsigned mix-up, a wrong operand, a lost check, an off-by-one).
/// </summary>
public static class FaultCatalog
{
    private static Instruction S(Opcode opcode) => Instruction.Simple(opcode);

    private static Fault Swap(string area, Opcode target, Opcode instead) =>
        new($"{OpcodeTable.Get(target).Name}->{OpcodeTable.Get(instead).Name}", area, target, _ => [S(instead)]);

    public static IReadOnlyList<Fault> All { get; } =
    [
        // Integer.
        Swap("integer", Opcode.I32Add, Opcode.I32Sub),
        Swap("integer", Opcode.I32DivS, Opcode.I32DivU),
        Swap("integer", Opcode.I32ShrS, Opcode.I32ShrU),
        Swap("integer", Opcode.I32LtS, Opcode.I32LtU),
        Swap("integer", Opcode.I64RemS, Opcode.I64RemU),
        Swap("integer", Opcode.I32Rotl, Opcode.I32Rotr),
        Swap("integer", Opcode.I64Clz, Opcode.I64Ctz),
        Swap("integer", Opcode.I64ExtendI32S, Opcode.I64ExtendI32U),
        new("i32.extend8_s->zero-extend", "integer", Opcode.I32Extend8S, _ => [Instruction.I32Const(0xFF), S(Opcode.I32And)]),
        new("i64.mul-off-by-one", "integer", Opcode.I64Mul, _ => [S(Opcode.I64Mul), Instruction.I64Const(1), S(Opcode.I64Add)]),
        // Float.
        Swap("float", Opcode.F64Min, Opcode.F64Max),
        Swap("float", Opcode.F32Nearest, Opcode.F32Trunc),
        Swap("float", Opcode.F32ConvertI32S, Opcode.F32ConvertI32U),
        Swap("float", Opcode.I32TruncF32S, Opcode.I32TruncSatF32S),
        new("f64.copysign->keep-sign", "float", Opcode.F64Copysign, _ => [S(Opcode.Drop)]),
        Swap("float", Opcode.F64Ge, Opcode.F64Gt),
        // Memory.
        Swap("memory", Opcode.I32Load8s, Opcode.I32Load8u),
        Swap("memory", Opcode.I32Store16, Opcode.I32Store8),
        new("i64.load-offset+1", "memory", Opcode.I64Load, i => [Instruction.Memory(Opcode.I64Load, i.MemArg with { Offset = i.MemArg.Offset + 1 })]),
        new("memory.grow-always-fails", "memory", Opcode.MemoryGrow, _ => [S(Opcode.Drop), Instruction.I32Const(-1)]),
        new("memory.fill-no-op", "memory", Opcode.MemoryFill, _ => [S(Opcode.Drop), S(Opcode.Drop), S(Opcode.Drop)]),
        // Control.
        new("br_if-inverted", "control", Opcode.BrIf, i => [S(Opcode.I32Eqz), i]),
        new("select-inverted", "control", Opcode.Select, i => [S(Opcode.I32Eqz), i]),
        new("br_table-always-first", "control", Opcode.BrTable, i => [S(Opcode.Drop), Instruction.I32Const(0), i]),
        new("if-inverted", "control", Opcode.If, i => [S(Opcode.I32Eqz), i]),
        // Table.
        new("table.size-off-by-one", "table", Opcode.TableSize, i => [i, Instruction.I32Const(1), S(Opcode.I32Sub)]),
        new("table.get-index+1", "table", Opcode.TableGet, i => [Instruction.I32Const(1), S(Opcode.I32Add), i]),
        new("table.grow-always-fails", "table", Opcode.TableGrow, _ => [S(Opcode.Drop), S(Opcode.Drop), Instruction.I32Const(-1)]),
        new("call_indirect-index+1", "table", Opcode.CallIndirect, i => [Instruction.I32Const(1), S(Opcode.I32Add), i]),
        // SIMD.
        Swap("simd", Opcode.I32x4Add, Opcode.I32x4Sub),
        Swap("simd", Opcode.I8x16AddSatS, Opcode.I8x16Add),
        Swap("simd", Opcode.I16x8ShrS, Opcode.I16x8ShrU),
        Swap("simd", Opcode.I8x16ExtractLaneS, Opcode.I8x16ExtractLaneU),
        Swap("simd", Opcode.F32x4Min, Opcode.F32x4PMin),
        Swap("simd", Opcode.I16x8NarrowI32x4S, Opcode.I16x8NarrowI32x4U),
    ];

    public static Fault? Find(string name) => All.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>An interpreter engine that miscompiles as <paramref name="fault"/> says (named <c>interp!fault</c>).</summary>
    public static IEngine FaultyInterpreter(Fault fault)
    {
        var engine = new InterpreterEngine();
        engine.RuntimeEngine.InjectFault(fault.Rewrite);
        return new NamedEngine(engine, $"interp!{fault.Name}");
    }

    /// <summary>A JIT engine that miscompiles as <paramref name="fault"/> says (named <c>jit!fault</c>).</summary>
    public static IEngine FaultyJit(Fault fault)
    {
        var engine = new JitEngine();
        engine.RuntimeEngine.InjectFault(fault.Rewrite);
        return new NamedEngine(engine, $"jit!{fault.Name}");
    }

    /// <summary>Our engine <paramref name="name"/> (<c>interp</c> or <c>jit</c>) miscompiling as <paramref name="fault"/> says.</summary>
    public static IEngine Faulty(string name, Fault fault) => name switch
    {
        "interp" => FaultyInterpreter(fault),
        "jit" => FaultyJit(fault),
        _ => throw new ArgumentException($"faults are injected into interp or jit, not {name}"),
    };

    /// <summary>True when <paramref name="module"/> has the instruction <paramref name="fault"/> miscompiles (else the case cannot detect it).</summary>
    public static bool Covers(Fault fault, Module module) =>
        module.Functions.Any(f => f.Body.Instructions.Any(i => i.Opcode == fault.Target));

    private sealed class NamedEngine(IEngine inner, string name) : IEngine
    {
        public string Name => name;

        public IEngineSession CreateSession() => inner.CreateSession();
    }
}
