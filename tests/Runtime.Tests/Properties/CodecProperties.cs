using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using WasmHarness.Binary;
using WasmHarness.Syntax;

namespace WasmHarness.Tests.Properties;

/// <summary>
/// Property tests of the binary codec on generated modules: any instruction sequence with any immediates
/// survives encode → decode unchanged. The generator here is syntactic only (it makes no attempt at validity);
/// the valid-by-construction generator belongs to the differential tests.
/// </summary>
public sealed class CodecProperties
{
    private static readonly OpcodeInfo[] Plain = [.. OpcodeTable.All.Where(i => i.Opcode is not (Opcode.End or Opcode.Else or Opcode.Delegate or Opcode.Catch or Opcode.CatchAll) && !i.Opcode.OpensBlock())];

    private static Gen<uint> SmallIndex => Gen.Choose(0, 300).Select(i => (uint)i);

    private static Gen<ValType> ValueTypes =>
        Gen.OneOf(
            Gen.Elements(ValType.I32, ValType.I64, ValType.F32, ValType.F64, ValType.V128, ValType.FuncRef, ValType.ExternRef, ValType.ExnRef),
            from heap in HeapTypes
            from nullable in ArbMap.Default.GeneratorFor<bool>()
            select ValType.Ref(heap, nullable));

    private static Gen<HeapType> HeapTypes =>
        Gen.OneOf(
            Gen.Elements(HeapType.Func, HeapType.Extern, HeapType.Any, HeapType.Eq, HeapType.I31, HeapType.Struct, HeapType.Array,
                HeapType.Exn, HeapType.None, HeapType.NoFunc, HeapType.NoExtern, HeapType.NoExn),
            SmallIndex.Select(HeapType.Concrete));

    private static Gen<BlockType> BlockTypes =>
        Gen.OneOf(Gen.Constant(BlockType.Empty), ValueTypes.Select(BlockType.Value), SmallIndex.Select(BlockType.Indexed));

    private static Gen<ulong> Bits => ArbMap.Default.GeneratorFor<ulong>();

    private static Gen<MemArg> MemArgs(OpcodeInfo info) =>
        from align in Gen.Choose(0, info.NaturalAlignment)
        from offset in Gen.OneOf(Gen.Choose(0, 70000).Select(o => (ulong)o), Bits)
        from memory in Gen.Frequency((3, Gen.Constant(0u)), (1, SmallIndex))
        select new MemArg((uint)align, offset, memory);

    private static Gen<Instruction> InstructionFor(OpcodeInfo info) => info.Immediates switch
    {
        ImmediateKind.None => Gen.Constant(Instruction.Simple(info.Opcode)),
        ImmediateKind.BranchTable =>
            from labels in Gen.ListOf(SmallIndex)
            from fallback in SmallIndex
            select Instruction.BrTable([.. labels], fallback),
        ImmediateKind.CallIndirect or ImmediateKind.TypeAndField or ImmediateKind.TypeAndType or ImmediateKind.TypeAndData
            or ImmediateKind.TypeAndElem or ImmediateKind.TableAndTable or ImmediateKind.ElemAndTable
            or ImmediateKind.MemoryAndMemory or ImmediateKind.DataAndMemory =>
            from a in SmallIndex
            from b in SmallIndex
            select Instruction.WithIndices(info.Opcode, a, b),
        ImmediateKind.TypeAndCount =>
            from a in SmallIndex
            from b in SmallIndex
            select Instruction.ArrayNewFixed(a, b),
        ImmediateKind.MemArg => MemArgs(info).Select(arg => Instruction.Memory(info.Opcode, arg)),
        ImmediateKind.MemArgAndLane =>
            from arg in MemArgs(info)
            from lane in Gen.Choose(0, 15)
            select Instruction.MemoryLane(info.Opcode, arg, (byte)lane),
        ImmediateKind.Lane => Gen.Choose(0, 15).Select(lane => Instruction.Lane(info.Opcode, (byte)lane)),
        ImmediateKind.Shuffle => from lo in Bits from hi in Bits select Instruction.Shuffle(new V128(lo, hi)),
        ImmediateKind.I32 => ArbMap.Default.GeneratorFor<int>().Select(Instruction.I32Const),
        ImmediateKind.I64 => Bits.Select(b => Instruction.I64Const((long)b)),
        ImmediateKind.F32 => ArbMap.Default.GeneratorFor<uint>().Select(Instruction.F32Const),
        ImmediateKind.F64 => Bits.Select(Instruction.F64Const),
        ImmediateKind.V128 => from lo in Bits from hi in Bits select Instruction.V128Const(new V128(lo, hi)),
        ImmediateKind.HeapType => HeapTypes.Select(h => Instruction.WithHeapType(info.Opcode, h)),
        ImmediateKind.SelectTypes => Gen.ListOf(ValueTypes).Select(types => Instruction.SelectTyped([.. types])),
        ImmediateKind.BrOnCast =>
            from label in SmallIndex
            from fromHeap in HeapTypes
            from toHeap in HeapTypes
            from nullable in Gen.Two(ArbMap.Default.GeneratorFor<bool>())
            select Instruction.BrOnCast(info.Opcode, label, ValType.Ref(fromHeap, nullable.Item1), ValType.Ref(toHeap, nullable.Item2)),
        _ => SmallIndex.Select(index => Instruction.WithIndex(info.Opcode, index)),
    };

    /// <summary>A body of plain instructions, with some nested blocks (including try_table and legacy try) kept balanced.</summary>
    private static Gen<List<Instruction>> Body(int depth) =>
        Gen.Sized(size => Gen.ListOf(Gen.Frequency(
                (8, Gen.Elements(Plain).SelectMany(InstructionFor).Select(i => new List<Instruction> { i })),
                (depth > 0 ? 1 : 0, Block(depth - 1))))
            .Resize(Math.Min(size, 20)))
        .Select(parts => parts.SelectMany(p => p).ToList());

    private static Gen<List<Instruction>> Block(int depth) => Gen.OneOf(StructuredBlock(depth), LegacyTry(depth));

    /// <summary>Legacy <c>try</c>: catch clauses, an optional <c>catch_all</c>, closed by <c>end</c> or by <c>delegate</c>.</summary>
    private static Gen<List<Instruction>> LegacyTry(int depth) =>
        from type in BlockTypes
        from body in Body(depth)
        from handlers in Gen.ListOf(from tag in SmallIndex from handler in Body(depth) select (tag, handler)).Resize(3)
        from catchAll in Gen.OneOf(Gen.Constant<List<Instruction>?>(null), Body(depth).Select(b => (List<Instruction>?)b))
        from delegateLabel in Gen.OneOf(Gen.Constant<uint?>(null), SmallIndex.Select(l => (uint?)l))
        select (List<Instruction>)[
            Instruction.Block(Opcode.Try, type),
            .. body,
            .. delegateLabel is null
                ? (List<Instruction>)[
                    .. handlers.SelectMany(h => (List<Instruction>)[Instruction.WithIndex(Opcode.Catch, h.tag), .. h.handler]),
                    .. catchAll is null ? [] : (List<Instruction>)[Instruction.Simple(Opcode.CatchAll), .. catchAll],
                    Instruction.Simple(Opcode.End)]
                : [Instruction.WithIndex(Opcode.Delegate, delegateLabel.Value)]];

    private static Gen<List<Instruction>> StructuredBlock(int depth) =>
        from opener in Gen.Elements(Opcode.Block, Opcode.Loop, Opcode.If, Opcode.TryTable)
        from type in BlockTypes
        from catches in Gen.ListOf(
            from kind in Gen.Elements(CatchKind.Catch, CatchKind.CatchRef, CatchKind.CatchAll, CatchKind.CatchAllRef)
            from tag in SmallIndex
            from label in SmallIndex
            select new CatchClause(kind, kind is CatchKind.Catch or CatchKind.CatchRef ? tag : 0, label))
        from body in Body(depth)
        from elseBody in Body(depth)
        select (List<Instruction>)[
            opener == Opcode.TryTable ? Instruction.TryTable(type, [.. catches]) : Instruction.Block(opener, type),
            .. body,
            .. opener == Opcode.If ? (List<Instruction>)[Instruction.Simple(Opcode.Else), .. elseBody] : [],
            Instruction.Simple(Opcode.End)];

    private static Gen<Module> Modules =>
        from bodies in Gen.NonEmptyListOf(Body(2))
        select BuildModule(bodies);

    private static Module BuildModule(IEnumerable<List<Instruction>> bodies)
    {
        var module = new Module();
        module.Types.Add(new RecursiveType([new SubType(FunctionType.Empty)]));
        foreach (var body in bodies)
        {
            module.Functions.Add(new Function(0, [new LocalGroup(2, ValType.I32)], new Expression([.. body, Instruction.Simple(Opcode.End)])));
        }
        // memory.init and data.drop need the data count section to be decodable at all.
        module.DataCount = 0;
        return module;
    }

    [Property(MaxTest = 300)]
    public Property Encoding_then_decoding_gives_back_the_same_module() =>
        Prop.ForAll(Modules.ToArbitrary(), module =>
        {
            var decoded = ModuleDecoder.Decode(ModuleEncoder.Encode(module));
            return ModuleEquality.AreEqual(module, decoded, out var difference).Label($"differs in {difference}");
        });

    [Property(MaxTest = 100)]
    public Property Encoding_is_deterministic_and_canonical() =>
        Prop.ForAll(Modules.ToArbitrary(), module =>
        {
            var once = ModuleEncoder.Encode(module);
            var twice = ModuleEncoder.Encode(ModuleDecoder.Decode(once));
            return once.AsSpan().SequenceEqual(twice);
        });
}
