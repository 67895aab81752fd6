using WasmHarness.Binary;
using WasmHarness.Syntax;
using static WasmHarness.Tests.Binary.Wasm;

namespace WasmHarness.Tests.Binary;

/// <summary>Well-formed modules: what the decoder makes of them, names included, and its robustness.</summary>
public class DecoderTests
{
    [Fact]
    public void Decodes_types_functions_and_bodies()
    {
        var bytes = Module(
            Section(1, 0x02, 0x60, 0x01, 0x7F, 0x01, 0x7E, 0x4E, 0x02, 0x50, 0x00, 0x5F, 0x01, 0x78, 0x01, 0x4F, 0x01, 0x01, 0x5E, 0x63, 0x01, 0x00),
            Section(3, 0x01, 0x00),
            Section(10, 0x01, 0x07, 0x01, 0x02, 0x7D, 0x20, 0x00, 0xAC, 0x0B));
        var module = ModuleDecoder.Decode(bytes);

        Assert.Equal(2, module.Types.Count);
        Assert.Equal(new FunctionType([ValType.I32], [ValType.I64]), module.Types[0].Types.Single().Body);
        var group = module.Types[1].Types;
        Assert.False(group[0].Final);
        Assert.Equal(new StructType([new FieldType(StorageType.I8, Mutable: true)]), group[0].Body);
        Assert.True(group[1].Final);
        Assert.Equal([1u], group[1].Supertypes);
        Assert.Equal(new ArrayType(new FieldType(new StorageType(ValType.Ref(HeapType.Concrete(1), nullable: true)), Mutable: false)), group[1].Body);
        Assert.Equal(3, module.TypeDefinitions.Count());

        var function = module.Functions.Single();
        Assert.Equal(0u, function.TypeIndex);
        Assert.Equal([new LocalGroup(2, ValType.F32)], function.Locals);
        Assert.Equal(
            [Instruction.WithIndex(Opcode.LocalGet, 0), Instruction.Simple(Opcode.I64ExtendI32S), Instruction.Simple(Opcode.End)],
            function.Body.Instructions);
    }

    [Fact]
    public void Accepts_what_is_invalid_but_well_formed()
    {
        // Out-of-range indices, an alignment beyond natural, min above max, a 64-bit offset on a 32-bit
        // memory, a non-constant global initializer and an unused function type: all for the validator.
        var bytes = Module(
            Section(1, 0x01, 0x60, 0x00, 0x00),
            Section(3, 0x01, 0x05),
            Section(5, 0x01, 0x01, 0x05, 0x02),
            Section(6, 0x01, 0x7F, 0x00, 0x10, 0x09, 0x0B),
            Section(10, 0x01, 0x14, 0x00, 0x41, 0x00, 0x28, 0x3F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x1A, 0x10, 0xE7, 0x07, 0x0B));
        var module = ModuleDecoder.Decode(bytes);
        Assert.Equal(5u, module.Functions.Single().TypeIndex);
        Assert.Equal(new Limits(5, 2), module.Memories.Single().Limits);
        var load = module.Functions.Single().Body.Instructions[1];
        Assert.Equal(new MemArg(63, ulong.MaxValue, 0), load.MemArg);
        Assert.Equal(999u, module.Functions.Single().Body.Instructions[3].Index);
    }

    [Fact]
    public void Memarg_with_explicit_memory_index()
    {
        var module = ModuleDecoder.Decode(OneFunction(0x00, 0x41, 0x00, 0x2C, 0x40, 0x00, 0x00, 0x1A, 0x41, 0x00, 0x2C, 0x40, 0x83, 0x01, 0x04, 0x1A, 0x0B));
        var body = module.Functions.Single().Body.Instructions;
        Assert.Equal(new MemArg(0, 0, 0), body[1].MemArg);
        Assert.Equal(new MemArg(0, 4, 131), body[4].MemArg);
    }

    [Fact]
    public void Reference_types_in_short_and_long_form_are_the_same()
    {
        var shortForm = ModuleDecoder.Decode(Module(Section(1, 0x01, 0x60, 0x02, 0x70, 0x6E, 0x00)));
        var longForm = ModuleDecoder.Decode(Module(Section(1, 0x01, 0x60, 0x02, 0x63, 0x70, 0x63, 0x6E, 0x00)));
        ModuleComparer.AssertEqual(shortForm, longForm);
        Assert.Equal(new FunctionType([ValType.FuncRef, ValType.AnyRef], []), shortForm.Types[0].Types[0].Body);
    }

    [Fact]
    public void Data_count_section_satisfies_memory_init()
    {
        var module = ModuleDecoder.Decode(Module(
            TypeSection,
            FunctionSection(),
            Section(12, 0x01),
            CodeSection([0x00, 0xFC, 0x09, 0x00, 0x0B]),
            Section(11, 0x01, 0x01, 0x02, 0xAB, 0xCD)));
        Assert.Equal(1u, module.DataCount);
        Assert.Equal([0xAB, 0xCD], module.Data.Single().Bytes.ToArray());
    }

    private static byte[] NameSection(params byte[][] subsections) =>
        Section(0, [.. Name("name"), .. subsections.SelectMany(s => s)]);

    private static byte[] Subsection(byte id, params byte[] content) => [id, .. U32((uint)content.Length), .. content];

    [Fact]
    public void Name_section_gives_module_and_function_names()
    {
        var bytes = Module(
            TypeSection,
            FunctionSection(2),
            CodeSection([0x00, 0x0B], [0x00, 0x0B]),
            NameSection(
                Subsection(0, Name("the module")),
                Subsection(1, [0x02, 0x00, .. Name("first"), 0x01, .. Name("second")]),
                Subsection(2, 0x00)));
        var module = ModuleDecoder.Decode(bytes);
        Assert.Equal("the module", module.Name);
        Assert.Equal("first", module.FunctionNames[0]);
        Assert.Equal("second", module.FunctionNames[1]);
        // The name section stays a custom section, so it is written back as it was.
        Assert.Equal(Convert.ToHexString(bytes), Convert.ToHexString(ModuleEncoder.Encode(module)));
    }

    [Fact]
    public void Malformed_name_section_does_not_make_the_module_malformed()
    {
        var bytes = Module(
            TypeSection,
            FunctionSection(),
            CodeSection([0x00, 0x0B]),
            NameSection(
                Subsection(0, [.. Name("ok"), 0xFF]),            // trailing byte: ignored
                Subsection(1, 0x05, 0x00, 0x01, 0xFF),          // count past the end, bad UTF-8
                Subsection(7, 0x01, 0x02, 0x03),                // unknown subsection
                [0x01, 0x7F]));                                 // size past the end
        var module = ModuleDecoder.Decode(bytes);
        Assert.Null(module.Name);
        Assert.Empty(module.FunctionNames);
        Assert.Equal("name", module.CustomSections.Single().Name);
    }

    [Fact]
    public void Later_subsections_still_count_after_a_bad_one()
    {
        var bytes = Module(NameSection(Subsection(1, 0x01, 0x00, 0x01, 0xC0), Subsection(0, Name("m"))));
        var module = ModuleDecoder.Decode(bytes);
        Assert.Equal("m", module.Name);
        Assert.Empty(module.FunctionNames);
    }

    [Fact]
    public void Encoder_does_not_make_up_a_name_section()
    {
        var module = new Module { Name = "m" };
        module.FunctionNames[0] = "f";
        Assert.Equal(Header, ModuleEncoder.Encode(module));
    }

    [Fact]
    public void Every_truncation_fails_with_a_binary_format_exception()
    {
        var bytes = ModuleEncoder.Encode(SampleModules.Everything());
        var failures = 0;
        for (var length = 0; length < bytes.Length; length++)
        {
            try
            {
                // A cut between sections before the function section leaves a well-formed module.
                ModuleDecoder.Decode(bytes.AsSpan(0, length));
            }
            catch (BinaryFormatException)
            {
                failures++;
            }
        }
        Assert.InRange(failures, bytes.Length - 20, bytes.Length);
    }

    [Fact]
    public void Mutated_modules_fail_cleanly_or_round_trip()
    {
        var original = ModuleEncoder.Encode(SampleModules.Everything());
        var random = new Random(20261125);
        var decodedCount = 0;
        for (var iteration = 0; iteration < 3000; iteration++)
        {
            var bytes = (byte[])original.Clone();
            var edits = random.Next(1, 4);
            for (var e = 0; e < edits; e++)
            {
                var at = random.Next(8, bytes.Length);
                bytes[at] = random.Next(3) switch
                {
                    0 => (byte)random.Next(256),
                    1 => (byte)(bytes[at] ^ (1 << random.Next(8))),
                    _ => (byte)(bytes[at] + random.Next(-2, 3)),
                };
            }
            Module module;
            try
            {
                module = ModuleDecoder.Decode(bytes);
            }
            catch (BinaryFormatException)
            {
                continue;
            }
            decodedCount++;
            var again = ModuleDecoder.Decode(ModuleEncoder.Encode(module));
            var difference = ModuleEquality.FirstDifference(module, again, compareNames: true);
            Assert.True(difference is null, $"iteration {iteration}: {difference}");
        }
        Assert.InRange(decodedCount, 1, 2999);
    }

    [Fact]
    public void Huge_declared_counts_do_not_allocate()
    {
        // Counts are checked against the bytes left before anything is reserved.
        var error = Assert.Throws<BinaryFormatException>(() => ModuleDecoder.Decode(Module([0x01, 0x06, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x60])));
        Assert.Equal("length out of bounds", error.Reason);
        // Local counts are kept as runs, never expanded.
        var module = ModuleDecoder.Decode(OneFunction(0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x7F, 0x0B));
        Assert.Equal(uint.MaxValue, module.Functions.Single().LocalCount);
    }

    [Fact]
    public void Deep_nesting_does_not_recurse()
    {
        const int depth = 100_000;
        var body = new List<byte> { 0x00 };
        body.AddRange(Enumerable.Repeat(new byte[] { 0x02, 0x40 }, depth).SelectMany(b => b));
        body.AddRange(Enumerable.Repeat((byte)0x0B, depth + 1));
        var module = ModuleDecoder.Decode(OneFunction([.. body]));
        Assert.Equal(2 * depth + 1, module.Functions.Single().Body.Instructions.Count);
    }
}
