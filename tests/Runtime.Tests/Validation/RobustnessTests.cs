using WasmHarness.Syntax;
using WasmHarness.Validation;
using static WasmHarness.Tests.Validation.ValidationTestKit;

namespace WasmHarness.Tests.Validation;

/// <summary>
/// Whatever module model a generator hands it, the validator answers with a validated module or an
/// <see cref="InvalidModuleException"/>, never another exception.
/// </summary>
public class RobustnessTests
{
    private static readonly AbstractHeapType[] Abstract =
    [
        AbstractHeapType.Func, AbstractHeapType.Extern, AbstractHeapType.Any, AbstractHeapType.Eq, AbstractHeapType.I31,
        AbstractHeapType.Struct, AbstractHeapType.Array, AbstractHeapType.Exn, AbstractHeapType.None, AbstractHeapType.NoFunc,
        AbstractHeapType.NoExtern, AbstractHeapType.NoExn, AbstractHeapType.Bottom,
    ];

    private static HeapType Heap(Random rng) =>
        rng.Next(3) == 0 ? HeapType.Concrete((uint)rng.Next(6)) : HeapType.Abstract(Abstract[rng.Next(Abstract.Length)]);

    private static ValType Value(Random rng) => rng.Next(8) switch
    {
        0 => ValType.Bottom,
        < 4 => ValType.Ref(Heap(rng), rng.Next(2) == 0),
        _ => new[] { I32, I64, F32, F64, Vec }[rng.Next(5)],
    };

    private static uint Index(Random rng) => rng.Next(10) == 0 ? uint.MaxValue - (uint)rng.Next(3) : (uint)rng.Next(5);

    private static Instruction Any(Random rng)
    {
        var info = OpcodeTable.All[rng.Next(OpcodeTable.All.Count)];
        var op = info.Opcode;
        return (rng.Next(20) == 0 ? ImmediateKind.None : info.Immediates) switch
        {
            ImmediateKind.None => Instruction.Simple(op),
            ImmediateKind.BlockType => Instruction.Block(op, rng.Next(3) switch { 0 => BlockType.Empty, 1 => BlockType.Value(Value(rng)), _ => BlockType.Indexed(Index(rng) & 0x7FFF_FFFF) }),
            ImmediateKind.BranchTable => Instruction.BrTable([Index(rng), Index(rng)], Index(rng)),
            ImmediateKind.TypeAndCount => Instruction.ArrayNewFixed(Index(rng), Index(rng)),
            ImmediateKind.MemArg => Instruction.Memory(op, new MemArg(Index(rng), rng.Next(2) == 0 ? 0 : ulong.MaxValue, Index(rng))),
            ImmediateKind.MemArgAndLane => Instruction.MemoryLane(op, new MemArg(Index(rng), 0, Index(rng)), (byte)rng.Next(256)),
            ImmediateKind.Lane => Instruction.Lane(op, (byte)rng.Next(256)),
            ImmediateKind.Shuffle => Instruction.Shuffle(new V128((ulong)rng.NextInt64(), (ulong)rng.NextInt64())),
            ImmediateKind.I32 => Instruction.I32Const(rng.Next()),
            ImmediateKind.I64 => Instruction.I64Const(rng.NextInt64()),
            ImmediateKind.F32 => Instruction.F32Const(0),
            ImmediateKind.F64 => Instruction.F64Const(0),
            ImmediateKind.V128 => Instruction.V128Const(default),
            ImmediateKind.HeapType => Instruction.WithHeapType(op, Heap(rng)),
            ImmediateKind.BrOnCast => Instruction.BrOnCast(op, Index(rng), Value(rng), Value(rng)),
            ImmediateKind.SelectTypes => Instruction.SelectTyped([.. Enumerable.Range(0, rng.Next(3)).Select(_ => Value(rng))]),
            ImmediateKind.TryTable => Instruction.TryTable(BlockType.Empty, [new CatchClause((CatchKind)rng.Next(5), Index(rng), Index(rng))]),
            _ => Instruction.WithIndices(op, Index(rng), Index(rng)),
        };
    }

    private static Module RandomModule(Random rng)
    {
        var module = new Module();
        for (var g = rng.Next(3); g >= 0; g--)
        {
            module.Types.Add(new RecursiveType([.. Enumerable.Range(0, 1 + rng.Next(2)).Select(_ => new SubType(rng.Next(3) switch
            {
                0 => new StructType([.. Enumerable.Range(0, rng.Next(3)).Select(_ => new FieldType(rng.Next(4) == 0 ? StorageType.I16 : new StorageType(Value(rng)), rng.Next(2) == 0))]),
                1 => new ArrayType(new FieldType(new StorageType(Value(rng)), rng.Next(2) == 0)),
                _ => Sig([.. Enumerable.Range(0, rng.Next(3)).Select(_ => Value(rng))], [.. Enumerable.Range(0, rng.Next(2)).Select(_ => Value(rng))]),
            }, rng.Next(3) == 0 ? [Index(rng)] : null, rng.Next(2) == 0))]));
        }
        module.Types.Add(new RecursiveType([new SubType(Sig([I32, ValType.AnyRef], [I32]))]));
        var typeCount = (uint)module.TypeDefinitions.Count();
        if (rng.Next(2) == 0)
        {
            module.Imports.Add(new Import("m", "f", new FunctionTypeUse(Index(rng))));
        }
        if (rng.Next(2) == 0)
        {
            module.Imports.Add(new Import("m", "g", new GlobalType(Value(rng), rng.Next(2) == 0)));
        }
        module.Memories.Add(new MemoryType(new Limits((ulong)rng.Next(3), rng.Next(2) == 0 ? null : (ulong)rng.Next(3), (AddressType)rng.Next(2))));
        module.Tables.Add(new Table(new TableType(new Limits(1, null, (AddressType)rng.Next(2)), Value(rng)), rng.Next(2) == 0 ? null : Expression.Of(Any(rng))));
        module.Globals.Add(new Global(new GlobalType(Value(rng), rng.Next(2) == 0), Expression.Of(Any(rng))));
        module.Tags.Add(new TagType(Index(rng)));
        module.Elements.Add(new ElementSegment((SegmentMode)rng.Next(3), Value(rng), [Expression.Of(Any(rng))], Index(rng), Expression.Of(Any(rng))));
        module.Data.Add(new DataSegment((SegmentMode)rng.Next(3), new byte[] { 1 }, Index(rng), rng.Next(4) == 0 ? null : Expression.Of(Any(rng))));
        module.Exports.Add(new Export("e", (ExternKind)rng.Next(6), Index(rng)));
        module.Start = rng.Next(4) == 0 ? Index(rng) : null;
        var body = new List<Instruction>();
        for (var i = rng.Next(12); i > 0; i--)
        {
            body.Add(rng.Next(8) == 0 ? Instruction.Simple(Opcode.End) : Any(rng));
        }
        body.Add(Instruction.Simple(Opcode.End));
        module.Functions.Add(new Function(rng.Next(4) == 0 ? Index(rng) : typeCount - 1, [new LocalGroup((uint)rng.Next(3), Value(rng))], new Expression(body)));
        return module;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Random_models_are_judged_without_crashing(int seed)
    {
        var rng = new Random(seed);
        int valid = 0, invalid = 0;
        for (var i = 0; i < 5000; i++)
        {
            var module = RandomModule(rng);
            try
            {
                ModuleValidator.Validate(module);
                valid++;
            }
            catch (InvalidModuleException)
            {
                invalid++;
            }
        }
        Assert.Equal(5000, valid + invalid);
        Assert.True(invalid > 0);
    }
}
