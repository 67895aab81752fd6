using WasmHarness.Binary;
using WasmHarness.Syntax;
using static WasmHarness.Tests.Binary.SampleModules;

namespace WasmHarness.Tests.Binary;

/// <summary>Encoding then decoding gives back the same module, and the encoding is canonical.</summary>
public class EncoderRoundTripTests
{
    private static Module RoundTrip(Module module) => ModuleDecoder.Decode(ModuleEncoder.Encode(module));

    private static Module WithBody(params Instruction[] body)
    {
        var module = new Module();
        module.Types.Add(new RecursiveType([new SubType(FunctionType.Empty)]));
        module.Functions.Add(new Function(0, [], new Expression(body)));
        module.DataCount = 0; // memory.init and data.drop need it
        return module;
    }

    [Fact]
    public void Everything_round_trips()
    {
        var module = Everything();
        var decoded = RoundTrip(module);
        ModuleComparer.AssertEqual(module, decoded);
        Assert.Equal(ModuleEncoder.Encode(module), ModuleEncoder.Encode(decoded));
    }

    [Fact]
    public void Empty_module_is_the_header_alone()
    {
        Assert.Equal(Wasm.Header, ModuleEncoder.Encode(new Module()));
        ModuleComparer.AssertEqual(new Module(), ModuleDecoder.Decode(Wasm.Header));
    }

    public static TheoryData<string> AllOpcodes()
    {
        var data = new TheoryData<string>();
        foreach (var info in OpcodeTable.All)
        {
            data.Add(info.Opcode.ToString());
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(AllOpcodes))]
    public void Every_opcode_round_trips(string name)
    {
        var opcode = Enum.Parse<Opcode>(name);
        var info = OpcodeTable.Get(opcode);
        var sample = Sample(info);
        Instruction[] body = opcode switch
        {
            Opcode.End => [Instruction.Block(Opcode.Block, BlockType.Empty), End, End],
            Opcode.Else => [Instruction.Block(Opcode.If, BlockType.Value(ValType.I32)), I32(1), Instruction.Simple(Opcode.Else), I32(2), End, End],
            Opcode.Catch => [Instruction.Block(Opcode.Try, BlockType.Empty), sample, Instruction.Simple(Opcode.CatchAll), End, End],
            Opcode.CatchAll => [Instruction.Block(Opcode.Try, BlockType.Empty), sample, End, End],
            Opcode.Delegate => [Instruction.Block(Opcode.Try, BlockType.Empty), sample, End],
            _ when opcode.OpensBlock() => [sample, End, End],
            _ => [sample, End],
        };
        var module = WithBody(body);
        var bytes = ModuleEncoder.Encode(module);
        var decoded = ModuleDecoder.Decode(bytes);
        Assert.Equal(body, decoded.Functions.Single().Body.Instructions);
        Assert.Contains(decoded.Functions.Single().Body.Instructions, instruction => instruction.Opcode == opcode);
        ModuleComparer.AssertEqual(module, decoded);
    }

    /// <summary>An instruction of the opcode with immediates that use more than one LEB128 byte where they can.</summary>
    private static Instruction Sample(OpcodeInfo info)
    {
        var op = info.Opcode;
        return info.Immediates switch
        {
            ImmediateKind.None => Instruction.Simple(op),
            ImmediateKind.BlockType => Instruction.Block(op, BlockType.Indexed(200)),
            ImmediateKind.Label or ImmediateKind.Function or ImmediateKind.Type or ImmediateKind.Local or ImmediateKind.Global
                or ImmediateKind.Table or ImmediateKind.Memory or ImmediateKind.Data or ImmediateKind.Element
                or ImmediateKind.Tag => Instruction.WithIndex(op, 129),
            ImmediateKind.CallIndirect or ImmediateKind.TypeAndField or ImmediateKind.TypeAndType or ImmediateKind.TypeAndData
                or ImmediateKind.TypeAndElem or ImmediateKind.TableAndTable or ImmediateKind.ElemAndTable
                or ImmediateKind.MemoryAndMemory or ImmediateKind.DataAndMemory => Instruction.WithIndices(op, 7, uint.MaxValue),
            ImmediateKind.TypeAndCount => Instruction.ArrayNewFixed(300, 10000),
            ImmediateKind.BranchTable => Instruction.BrTable([0, 1, 200, 70000], 3),
            ImmediateKind.MemArg => Instruction.Memory(op, new MemArg(info.NaturalAlignment, 0x1_0000_0000, 1)),
            ImmediateKind.MemArgAndLane => Instruction.MemoryLane(op, new MemArg(info.NaturalAlignment, 16, 0), 1),
            ImmediateKind.Lane => Instruction.Lane(op, 3),
            ImmediateKind.Shuffle => Instruction.Shuffle(new V128(0x0706050403020100, 0x1F1E1D1C1B1A1918)),
            ImmediateKind.I32 => Instruction.I32Const(int.MinValue),
            ImmediateKind.I64 => Instruction.I64Const(long.MinValue + 1),
            ImmediateKind.F32 => Instruction.F32Const(0x7FC00001),
            ImmediateKind.F64 => Instruction.F64Const(0xFFF0000000000001),
            ImmediateKind.V128 => Instruction.V128Const(new V128(ulong.MaxValue, 0x8000000000000001)),
            ImmediateKind.HeapType => Instruction.WithHeapType(op, HeapType.Concrete(70)),
            ImmediateKind.BrOnCast => Instruction.BrOnCast(op, 2, ValType.Ref(HeapType.Any, true), ValType.Ref(HeapType.Concrete(100), false)),
            ImmediateKind.SelectTypes => Instruction.SelectTyped([ValType.Ref(HeapType.Concrete(64), true)]),
            ImmediateKind.TryTable => Instruction.TryTable(
                BlockType.Value(ValType.I32),
                [new(CatchKind.Catch, 1, 0), new(CatchKind.CatchRef, 200, 1), new(CatchKind.CatchAll, 0, 2), new(CatchKind.CatchAllRef, 0, 3)]),
            _ => throw new InvalidOperationException($"no sample for {info.Immediates}"),
        };
    }

    public static TheoryData<string, Instruction, byte[]> CanonicalInstructions => new()
    {
        { "i32.const -1", I32(-1), [0x41, 0x7F] },
        { "i32.const 63", I32(63), [0x41, 0x3F] },
        { "i32.const 64", I32(64), [0x41, 0xC0, 0x00] },
        { "i32.const min", I32(int.MinValue), [0x41, 0x80, 0x80, 0x80, 0x80, 0x78] },
        { "i64.const -64", Instruction.I64Const(-64), [0x42, 0x40] },
        { "f32.const 1", Instruction.F32Const(0x3F800000), [0x43, 0x00, 0x00, 0x80, 0x3F] },
        { "block type index 64", Instruction.Block(Opcode.Block, BlockType.Indexed(64)), [0x02, 0xC0, 0x00] },
        { "block type empty", Instruction.Block(Opcode.Loop, BlockType.Empty), [0x03, 0x40] },
        { "block type (ref null 5)", Instruction.Block(Opcode.Block, BlockType.Value(ValType.Ref(HeapType.Concrete(5), true))), [0x02, 0x63, 0x05] },
        { "block type (ref func)", Instruction.Block(Opcode.Block, BlockType.Value(RefFunc)), [0x02, 0x64, 0x70] },
        { "block type funcref", Instruction.Block(Opcode.Block, BlockType.Value(ValType.FuncRef)), [0x02, 0x70] },
        { "load memory 0", Instruction.Memory(Opcode.I64Load, new MemArg(3, 0)), [0x29, 0x03, 0x00] },
        { "load memory 1", Instruction.Memory(Opcode.I64Load, new MemArg(3, 128, 1)), [0x29, 0x43, 0x01, 0x80, 0x01] },
        { "memory.size 0", Instruction.WithIndex(Opcode.MemorySize, 0), [0x3F, 0x00] },
        { "call_indirect type 2 table 1", Instruction.WithIndices(Opcode.CallIndirect, 2, 1), [0x11, 0x02, 0x01] },
        { "memory.init data 3 memory 0", Instruction.WithIndices(Opcode.MemoryInit, 3, 0), [0xFC, 0x08, 0x03, 0x00] },
        { "v128.load8_lane", Instruction.MemoryLane(Opcode.V128Load8Lane, new MemArg(0, 1), 15), [0xFD, 0x54, 0x00, 0x01, 0x0F] },
        { "f64x2.convert_low_i32x4_u", Instruction.Simple(Opcode.F64x2ConvertLowI32x4U), [0xFD, 0xFF, 0x01] },
        { "ref.null extern", Instruction.WithHeapType(Opcode.RefNull, HeapType.Extern), [0xD0, 0x6F] },
        { "ref.test (ref null 3)", Instruction.WithHeapType(Opcode.RefTestNull, HeapType.Concrete(3)), [0xFB, 0x15, 0x03] },
        { "br_on_cast_fail", Instruction.BrOnCast(Opcode.BrOnCastFail, 1, ValType.AnyRef, ValType.Ref(HeapType.Eq, false)), [0xFB, 0x19, 0x01, 0x01, 0x6E, 0x6D] },
        { "select (result i32)", Instruction.SelectTyped([ValType.I32]), [0x1C, 0x01, 0x7F] },
        { "br_table", Instruction.BrTable([1, 2], 0), [0x0E, 0x02, 0x01, 0x02, 0x00] },
        { "try_table", Instruction.TryTable(BlockType.Empty, [new(CatchKind.CatchRef, 4, 0), new(CatchKind.CatchAll, 0, 1)]), [0x1F, 0x40, 0x02, 0x01, 0x04, 0x00, 0x02, 0x01] },
    };

    [Theory]
    [MemberData(nameof(CanonicalInstructions))]
    public void Instructions_have_their_canonical_encoding(string name, Instruction instruction, byte[] expected)
    {
        var writer = new WasmWriter();
        ModuleEncoder.WriteInstruction(writer, instruction);
        Assert.True(expected.AsSpan().SequenceEqual(writer.WrittenSpan), $"{name}: {Convert.ToHexString(writer.WrittenSpan)}");
    }

    public static TheoryData<int, byte[]> ElementFlags => new()
    {
        { 0, [0x00, 0x41, 0x00, 0x0B, 0x02, 0x00, 0x02] },
        { 1, [0x01, 0x00, 0x02, 0x00, 0x02] },
        { 2, [0x02, 0x01, 0x42, 0x01, 0x0B, 0x00, 0x02, 0x00, 0x02] },
        { 3, [0x03, 0x00, 0x02, 0x00, 0x02] },
        { 4, [0x04, 0x41, 0x01, 0x0B, 0x02, 0xD0, 0x70, 0x0B, 0xD2, 0x01, 0x0B] },
        { 5, [0x05, 0x70, 0x02, 0xD0, 0x70, 0x0B, 0xD2, 0x01, 0x0B] },
        { 6, [0x06, 0x02, 0x41, 0x02, 0x0B, 0x70, 0x02, 0xD0, 0x70, 0x0B, 0xD2, 0x01, 0x0B] },
        { 7, [0x07, 0x64, 0x00, 0x01, 0xD2, 0x01, 0x0B] },
        { 8, [0x05, 0x6F, 0x00] },
    };

    [Theory]
    [MemberData(nameof(ElementFlags))]
    public void Element_segments_take_the_shortest_form(int index, byte[] expected)
    {
        var module = new Module();
        module.Elements.Add(Everything().Elements[index]);
        var bytes = ModuleEncoder.Encode(module);
        byte[] section = [.. Wasm.Section(9, [0x01, .. expected])];
        Assert.Equal(Convert.ToHexString([.. Wasm.Header, .. section]), Convert.ToHexString(bytes));
        ModuleComparer.AssertEqual(module, ModuleDecoder.Decode(bytes));
    }

    [Fact]
    public void Index_form_items_decode_as_ref_func_of_non_null_func()
    {
        // Passive, element kind 0x00, two function indices.
        var module = ModuleDecoder.Decode(Wasm.Module(Wasm.Section(9, 0x01, 0x01, 0x00, 0x02, 0x05, 0x80, 0x01)));
        var segment = module.Elements.Single();
        Assert.Equal(RefFunc, segment.Type);
        Assert.Equal(SegmentMode.Passive, segment.Mode);
        Assert.Equal(
            [Expression.Of(Instruction.WithIndex(Opcode.RefFunc, 5)), Expression.Of(Instruction.WithIndex(Opcode.RefFunc, 128))],
            segment.Items);
    }

    [Fact]
    public void Expression_form_with_ref_func_items_and_non_null_type_re_encodes_in_index_form()
    {
        // Flag 5 (passive, expressions), type (ref func), one item ref.func 3.
        var bytes = Wasm.Module(Wasm.Section(9, 0x01, 0x05, 0x64, 0x70, 0x01, 0xD2, 0x03, 0x0B));
        var module = ModuleDecoder.Decode(bytes);
        var encoded = ModuleEncoder.Encode(module);
        Assert.Equal(Convert.ToHexString(Wasm.Module(Wasm.Section(9, 0x01, 0x01, 0x00, 0x01, 0x03))), Convert.ToHexString(encoded));
        ModuleComparer.AssertEqual(module, ModuleDecoder.Decode(encoded));
    }

    [Fact]
    public void Tables_with_an_initializer_use_the_0x40_form()
    {
        var module = new Module();
        module.Tables.Add(new Table(new TableType(new Limits(1), ValType.FuncRef), Expression.Of(Instruction.WithHeapType(Opcode.RefNull, HeapType.Func))));
        module.Tables.Add(new Table(new TableType(new Limits(1, 2, AddressType.I64), ValType.ExternRef)));
        var bytes = ModuleEncoder.Encode(module);
        Assert.Equal(
            Convert.ToHexString(Wasm.Module(Wasm.Section(4, 0x02, 0x40, 0x00, 0x70, 0x00, 0x01, 0xD0, 0x70, 0x0B, 0x6F, 0x05, 0x01, 0x02))),
            Convert.ToHexString(bytes));
        ModuleComparer.AssertEqual(module, ModuleDecoder.Decode(bytes));
    }

    [Fact]
    public void Limits_flags_carry_maximum_shared_and_address_type()
    {
        var module = new Module();
        module.Memories.Add(new MemoryType(new Limits(1, 3, AddressType.I64, Shared: true)));
        module.Memories.Add(new MemoryType(new Limits(0x1_0000_0000)));
        var bytes = ModuleEncoder.Encode(module);
        Assert.Equal(
            Convert.ToHexString(Wasm.Module(Wasm.Section(5, 0x02, 0x07, 0x01, 0x03, 0x00, 0x80, 0x80, 0x80, 0x80, 0x10))),
            Convert.ToHexString(bytes));
        ModuleComparer.AssertEqual(module, ModuleDecoder.Decode(bytes));
    }

    [Fact]
    public void Data_count_is_written_only_when_the_module_has_one()
    {
        var module = new Module();
        module.Data.Add(new DataSegment(SegmentMode.Passive, new byte[] { 9 }));
        Assert.DoesNotContain((byte)12, ModuleEncoder.Encode(module).Skip(8).Take(1));
        Assert.Null(RoundTrip(module).DataCount);
        module.DataCount = 1;
        var bytes = ModuleEncoder.Encode(module);
        Assert.Equal(Convert.ToHexString(Wasm.Module(Wasm.Section(12, 0x01), Wasm.Section(11, 0x01, 0x01, 0x01, 0x09))), Convert.ToHexString(bytes));
        Assert.Equal(1u, ModuleDecoder.Decode(bytes).DataCount);
    }

    [Fact]
    public void Custom_sections_go_back_after_the_section_they_followed()
    {
        var module = new Module();
        module.Types.Add(new RecursiveType([new SubType(FunctionType.Empty)]));
        module.CustomSections.Add(new CustomSection("a", new byte[] { 1 }, 0));
        module.CustomSections.Add(new CustomSection("b", new byte[] { 2 }, 1));
        module.CustomSections.Add(new CustomSection("c", new byte[] { 3 }, 2)); // after an empty import section
        module.CustomSections.Add(new CustomSection("d", new byte[] { 4 }, 1));
        var bytes = ModuleEncoder.Encode(module);
        var expected = Wasm.Module(
            Wasm.Section(0, [.. Wasm.Name("a"), 1]),
            Wasm.Section(1, 0x01, 0x60, 0x00, 0x00),
            Wasm.Section(0, [.. Wasm.Name("b"), 2]),
            Wasm.Section(0, [.. Wasm.Name("d"), 4]),
            Wasm.Section(2, 0x00),
            Wasm.Section(0, [.. Wasm.Name("c"), 3]));
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(bytes));
        var decoded = ModuleDecoder.Decode(bytes);
        Assert.Equal(["a", "b", "d", "c"], decoded.CustomSections.Select(custom => custom.Name));
        Assert.Equal([0, 1, 1, 2], decoded.CustomSections.Select(custom => (int)custom.After));
    }

    [Fact]
    public void Decoder_records_the_section_each_custom_section_followed()
    {
        var bytes = Wasm.Module(
            Wasm.Section(0, [.. Wasm.Name("x")]),
            Wasm.TypeSection,
            Wasm.Section(13, 0x01, 0x00, 0x00),
            Wasm.Section(0, [.. Wasm.Name("y"), 0xAA]),
            Wasm.Section(12, 0x00),
            Wasm.Section(0, [.. Wasm.Name("z")]),
            Wasm.Section(0, [.. Wasm.Name("w")]));
        var module = ModuleDecoder.Decode(bytes);
        Assert.Equal(["x", "y", "z", "w"], module.CustomSections.Select(custom => custom.Name));
        Assert.Equal([0, 13, 12, 12], module.CustomSections.Select(custom => (int)custom.After));
        Assert.Equal([0xAA], module.CustomSections[1].Content.ToArray());
        Assert.Equal(Convert.ToHexString(bytes), Convert.ToHexString(ModuleEncoder.Encode(module)));
    }

    [Fact]
    public void Legacy_exception_instructions_round_trip()
    {
        var body = new[]
        {
            Instruction.Block(Opcode.Try, BlockType.Value(ValType.I32)),
            Instruction.Block(Opcode.Try, BlockType.Empty),
            Instruction.WithIndex(Opcode.Throw, 0),
            Instruction.WithIndex(Opcode.Delegate, 0),
            I32(1),
            Instruction.WithIndex(Opcode.Catch, 0),
            Instruction.WithIndex(Opcode.Rethrow, 0),
            Instruction.WithIndex(Opcode.Catch, 1),
            I32(2),
            Instruction.Simple(Opcode.CatchAll),
            I32(3),
            End,
            Instruction.Simple(Opcode.Drop),
            End,
        };
        var module = WithBody(body);
        ModuleComparer.AssertEqual(module, RoundTrip(module));
    }

    [Fact]
    public void Nested_blocks_end_where_the_function_ends()
    {
        // block (loop (if (else))) with a one-byte value type and a type index block type.
        var body = new[]
        {
            Instruction.Block(Opcode.Block, BlockType.Value(ValType.I64)),
            Instruction.Block(Opcode.Loop, BlockType.Indexed(0)),
            I32(0),
            Instruction.Block(Opcode.If, BlockType.Empty),
            Instruction.Simple(Opcode.Else),
            Instruction.Block(Opcode.If, BlockType.Empty),
            End,
            End,
            End,
            Instruction.I64Const(5),
            End,
            Instruction.Simple(Opcode.Drop),
            End,
        };
        var module = WithBody(body);
        ModuleComparer.AssertEqual(module, RoundTrip(module));
    }

    [Fact]
    public void Encoder_rejects_what_no_binary_can_say()
    {
        Assert.Throws<ArgumentException>(() => ModuleEncoder.Encode(WithBody(Instruction.Memory(Opcode.I32Load, new MemArg(64, 0)), End)));
        Assert.Throws<ArgumentException>(() => ModuleEncoder.Encode(WithBody(Instruction.Block(Opcode.Block, BlockType.Value(ValType.Bottom)), End, End)));
        Assert.Throws<ArgumentException>(() => ModuleEncoder.Encode(WithBody(Instruction.WithHeapType(Opcode.RefNull, HeapType.Bottom), End)));
    }
}
