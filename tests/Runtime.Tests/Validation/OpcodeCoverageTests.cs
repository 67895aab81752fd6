using WasmHarness.Syntax;
using WasmHarness.Validation;
using static WasmHarness.Tests.Validation.ValidationTestKit;

namespace WasmHarness.Tests.Validation;

/// <summary>Every instruction of the opcode table reaches a typing rule of the validator.</summary>
public class OpcodeCoverageTests
{
    private const uint FuncType = 0, StructTypeIndex = 1, ArrayTypeIndex = 2;

    private static Module Context(Instruction[] body)
    {
        var module = new Module();
        module.AddType(Sig([], []));
        module.AddType(new StructType([new FieldType(new StorageType(I32), true)]));
        module.AddType(new ArrayType(new FieldType(new StorageType(I32), true)));
        module.Memories.Add(new MemoryType(new Limits(1)));
        module.Tables.Add(new Table(new TableType(new Limits(1), ValType.FuncRef)));
        module.Globals.Add(new Global(new GlobalType(I32, true), Expression.Of(I32Const())));
        module.Tags.Add(new TagType(FuncType));
        module.Elements.Add(new ElementSegment(SegmentMode.Passive, ValType.FuncRef, []));
        module.Data.Add(new DataSegment(SegmentMode.Passive, Array.Empty<byte>()));
        module.DataCount = 1;
        module.Exports.Add(new Export("f", ExternKind.Function, 0));
        module.AddFunc(FuncType, [I32], [Op(Opcode.Unreachable), .. body]);
        return module;
    }

    private static Instruction[]? Sample(OpcodeInfo info)
    {
        var op = info.Opcode;
        var typeIndex = op is >= Opcode.StructNew and <= Opcode.StructSet ? StructTypeIndex
            : op is >= Opcode.ArrayNew and <= Opcode.ArrayInitElem ? ArrayTypeIndex
            : FuncType;
        return info.Immediates switch
        {
            ImmediateKind.None when op is Opcode.End or Opcode.Else or Opcode.CatchAll => null,
            ImmediateKind.None => [Instruction.Simple(op)],
            ImmediateKind.BlockType => [Instruction.Block(op, BlockType.Empty), End],
            ImmediateKind.Label when op == Opcode.Delegate => null,
            ImmediateKind.Label => [Instruction.WithIndex(op, 0)],
            ImmediateKind.BranchTable => [Instruction.BrTable([], 0)],
            ImmediateKind.Function => [Instruction.WithIndex(op, 0)],
            ImmediateKind.CallIndirect => [Instruction.WithIndices(op, FuncType, 0)],
            ImmediateKind.Type => [Instruction.WithIndex(op, typeIndex)],
            ImmediateKind.TypeAndField => [Instruction.WithIndices(op, typeIndex, 0)],
            ImmediateKind.TypeAndType => [Instruction.WithIndices(op, typeIndex, typeIndex)],
            ImmediateKind.TypeAndData or ImmediateKind.TypeAndElem => [Instruction.WithIndices(op, typeIndex, 0)],
            ImmediateKind.TypeAndCount => [Instruction.ArrayNewFixed(typeIndex, 2)],
            ImmediateKind.Local or ImmediateKind.Global or ImmediateKind.Table or ImmediateKind.Memory
                or ImmediateKind.Data or ImmediateKind.Element => [Instruction.WithIndex(op, 0)],
            ImmediateKind.Tag when op == Opcode.Catch => null,
            ImmediateKind.Tag => [Instruction.WithIndex(op, 0)],
            ImmediateKind.TableAndTable or ImmediateKind.ElemAndTable or ImmediateKind.MemoryAndMemory
                or ImmediateKind.DataAndMemory => [Instruction.WithIndices(op, 0, 0)],
            ImmediateKind.MemArg => [Instruction.Memory(op, new MemArg(info.NaturalAlignment, 0))],
            ImmediateKind.MemArgAndLane => [Instruction.MemoryLane(op, new MemArg(info.NaturalAlignment, 0), 0)],
            ImmediateKind.Lane => [Instruction.Lane(op, 0)],
            ImmediateKind.Shuffle => [Instruction.Shuffle(default)],
            ImmediateKind.I32 => [Instruction.I32Const(0)],
            ImmediateKind.I64 => [Instruction.I64Const(0)],
            ImmediateKind.F32 => [Instruction.F32Const(0)],
            ImmediateKind.F64 => [Instruction.F64Const(0)],
            ImmediateKind.V128 => [Instruction.V128Const(default)],
            ImmediateKind.HeapType => [Instruction.WithHeapType(op, HeapType.Func)],
            ImmediateKind.BrOnCast => [Instruction.BrOnCast(op, 0, ValType.AnyRef, ValType.AnyRef)],
            ImmediateKind.SelectTypes => [Instruction.SelectTyped([I32])],
            ImmediateKind.TryTable => [Instruction.TryTable(BlockType.Empty, []), End],
            _ => throw new InvalidOperationException($"no sample for {info.Immediates}"),
        };
    }

    [Fact]
    public void Every_opcode_has_a_typing_rule()
    {
        var unsupported = new List<string>();
        var checkedCount = 0;
        foreach (var info in OpcodeTable.All)
        {
            if (Sample(info) is not { } body)
            {
                continue;
            }
            checkedCount++;
            try
            {
                ModuleValidator.Validate(Context(body));
            }
            catch (InvalidModuleException e) when (e.Reason.StartsWith("unsupported", StringComparison.Ordinal))
            {
                unsupported.Add(info.Name);
            }
            catch (InvalidModuleException)
            {
                // A typing error is fine here: the instruction was typed.
            }
        }
        Assert.Empty(unsupported);
        Assert.True(checkedCount > 480, $"only {checkedCount} opcodes sampled");
    }

    [Fact]
    public void Every_numeric_and_vector_opcode_without_context_has_a_fixed_signature()
    {
        var missing = OpcodeTable.All
            .Where(info => info.Immediates is ImmediateKind.None or ImmediateKind.Lane)
            .Where(info => info.Prefix == 0xFD || info.Prefix == 0xFC || ((uint)info.Opcode is >= 0x45 and <= 0xC4))
            .Where(info => !InstructionSignatures.TryGetFixed(info.Opcode, out _))
            .Select(info => info.Name)
            .ToList();
        Assert.Empty(missing);
    }

    [Theory]
    [InlineData(Opcode.I32Eqz, "[i32] -> [i32]")]
    [InlineData(Opcode.F64Lt, "[f64 f64] -> [i32]")]
    [InlineData(Opcode.I64ExtendI32U, "[i32] -> [i64]")]
    [InlineData(Opcode.F32ReinterpretI32, "[i32] -> [f32]")]
    [InlineData(Opcode.I64TruncSatF32U, "[f32] -> [i64]")]
    [InlineData(Opcode.I16x8Splat, "[i32] -> [v128]")]
    [InlineData(Opcode.F64x2Splat, "[f64] -> [v128]")]
    [InlineData(Opcode.I64x2ReplaceLane, "[v128 i64] -> [v128]")]
    [InlineData(Opcode.V128Bitselect, "[v128 v128 v128] -> [v128]")]
    [InlineData(Opcode.I32x4AllTrue, "[v128] -> [i32]")]
    [InlineData(Opcode.I8x16Shl, "[v128 i32] -> [v128]")]
    [InlineData(Opcode.F32x4RelaxedMadd, "[v128 v128 v128] -> [v128]")]
    [InlineData(Opcode.I32x4RelaxedDotI8x16I7x16AddS, "[v128 v128 v128] -> [v128]")]
    [InlineData(Opcode.I64x2Bitmask, "[v128] -> [i32]")]
    public void Fixed_signatures(Opcode opcode, string expected)
    {
        Assert.True(InstructionSignatures.TryGetFixed(opcode, out var signature));
        Assert.Equal(expected, $"[{string.Join(' ', signature.Parameters)}] -> [{string.Join(' ', signature.Results)}]");
    }
}
