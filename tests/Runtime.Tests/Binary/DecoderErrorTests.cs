using WasmHarness.Binary;
using WasmHarness.Validation;
using static WasmHarness.Tests.Binary.Wasm;

namespace WasmHarness.Tests.Binary;

/// <summary>Malformed modules: each must fail with the reference interpreter's exact reason.</summary>
public class DecoderErrorTests
{
    private const string UnexpectedEnd = "unexpected end of section or function";

    public static TheoryData<string, byte[], string> Cases => new()
    {
        // Preamble
        { "empty input", [], UnexpectedEnd },
        { "magic only", [0x00, 0x61, 0x73, 0x6D], UnexpectedEnd },
        { "truncated version", [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00], UnexpectedEnd },
        { "bad magic", [0x00, 0x61, 0x73, 0x6E, 0x01, 0x00, 0x00, 0x00], "magic header not detected" },
        { "magic of another format", [0x7F, 0x45, 0x4C, 0x46, 0x01, 0x00, 0x00, 0x00], "magic header not detected" },
        { "version 2", [0x00, 0x61, 0x73, 0x6D, 0x02, 0x00, 0x00, 0x00], "unknown binary version" },
        { "component version", [0x00, 0x61, 0x73, 0x6D, 0x0D, 0x00, 0x01, 0x00], "unknown binary version" },

        // Sections
        { "section id 14", Module([0x0E, 0x00]), "malformed section id" },
        { "section id 0x7F after a section", Module(TypeSection, [0x7F, 0x00]), "malformed section id" },
        { "type section twice", Module(TypeSection, TypeSection), "unexpected content after last section" },
        { "import section after function section", Module(TypeSection, FunctionSection(0), Section(2, 0x00)), "unexpected content after last section" },
        { "data count after code", Module(Section(10, 0x00), Section(12, 0x00)), "unexpected content after last section" },
        { "section size past the end", Module([0x01, 0x05, 0x00]), "length out of bounds" },
        { "section size too small", Module([0x01, 0x01, 0x01, 0x60, 0x00, 0x00]), "section size mismatch" },
        { "section size too large", Module([0x01, 0x05, 0x01, 0x60, 0x00, 0x00, 0x00]), "section size mismatch" },
        { "truncated section size", Module([0x01]), UnexpectedEnd },
        { "vector count past the end", Module(Section(1, 0x05, 0x60, 0x00, 0x00)), "length out of bounds" },
        { "vector with a missing element", Module([0x05, 0x01, 0x01]), UnexpectedEnd },

        // LEB128
        { "overlong u32 (6 bytes)", Module([0x01, 0x86, 0x80, 0x80, 0x80, 0x80, 0x00, 0x01, 0x60, 0x00, 0x00]), "integer representation too long" },
        { "u32 with unused bits set", Module([0x01, 0x84, 0x80, 0x80, 0x80, 0x10, 0x01, 0x60, 0x00, 0x00]), "integer too large" },
        { "truncated u32", Module([0x01, 0x84, 0x80]), UnexpectedEnd },
        { "overlong s32", OneFunction(0x00, 0x41, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x1A, 0x0B), "integer representation too long" },
        { "s32 with unused bits unlike the sign", OneFunction(0x00, 0x41, 0xFF, 0xFF, 0xFF, 0xFF, 0x4F, 0x1A, 0x0B), "integer too large" },
        { "s32 positive with sign bits set", OneFunction(0x00, 0x41, 0x80, 0x80, 0x80, 0x80, 0x70, 0x1A, 0x0B), "integer too large" },
        { "overlong s64", OneFunction(0x00, 0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x1A, 0x0B), "integer representation too long" },
        { "s64 with unused bits set", OneFunction(0x00, 0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02, 0x1A, 0x0B), "integer too large" },
        { "u64 memory offset too long", OneFunction(0x00, 0x41, 0x00, 0x28, 0x02, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x1A, 0x0B), "integer representation too long" },
        { "u64 with unused bits set", Module(Section(5, 0x01, 0x00, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02)), "integer too large" },

        // Names
        { "export name with a lone continuation byte", Module(Section(7, [0x01, .. U32(1), 0x80, 0x00, 0x00])), "malformed UTF-8 encoding" },
        { "import name with an overlong encoding", Module(Section(2, [0x01, .. U32(2), 0xC0, 0x80, .. Name("x"), 0x00, 0x00])), "malformed UTF-8 encoding" },
        { "import name with a surrogate", Module(Section(2, [0x01, .. Name("m"), .. U32(3), 0xED, 0xA0, 0x80, 0x00, 0x00])), "malformed UTF-8 encoding" },
        { "custom section name with 0xFF", Module(Section(0, [.. U32(1), 0xFF])), "malformed UTF-8 encoding" },
        { "custom section name past its section", Module([0x00, 0x01, 0x05, 0x61, 0x62, 0x63, 0x64, 0x65]), UnexpectedEnd },
        { "name length past the end", Module(Section(0, 0x10, 0x61)), "length out of bounds" },

        // Types
        { "bad composite type", Module(Section(1, 0x01, 0x61, 0x00, 0x00)), "malformed definition type" },
        { "bad value type", Module(Section(1, 0x01, 0x60, 0x01, 0x10, 0x00)), "malformed reference type" },
        { "two-byte value type", Module(Section(1, 0x01, 0x60, 0x01, 0xFF, 0x7F, 0x00)), "integer representation too long" },
        { "bad storage type", Module(Section(1, 0x01, 0x5F, 0x01, 0x40, 0x00)), "malformed storage type" },
        { "bad mutability", Module(Section(1, 0x01, 0x5E, 0x78, 0x02)), "malformed mutability" },
        { "bad heap type", Module(Section(1, 0x01, 0x60, 0x01, 0x64, 0x60, 0x00)), "malformed heap type" },
        { "heap type index beyond s33", Module(Section(1, 0x01, 0x60, 0x01, 0x63, 0x80, 0x80, 0x80, 0x80, 0x40, 0x00)), "integer representation too long" },
        { "table of i32", Module(Section(4, 0x01, 0x7F, 0x00, 0x00)), "malformed reference type" },
        { "table init prefix without zero", Module(Section(4, 0x01, 0x40, 0x01, 0x70, 0x00, 0x00)), "malformed reference type" },
        { "limits flag 16", Module(Section(5, 0x01, 0x10, 0x00)), "malformed limits flags" },
        { "table limits flag 8 (page sizes are for memories)", Module(Section(4, 0x01, 0x70, 0x08, 0x00, 0x00)), "malformed limits flags" },
        { "page size 2^64", Module(Section(5, 0x01, 0x08, 0x00, 0x40)), "invalid custom page size" },
        { "limits flag as LEB128", Module(Section(5, 0x01, 0x81, 0x00, 0x00)), "malformed limits flags" },
        { "global mutability 2", Module(Section(6, 0x01, 0x7F, 0x02, 0x41, 0x00, 0x0B)), "malformed mutability" },
        { "tag attribute 1", Module(TypeSection, Section(13, 0x01, 0x01, 0x00)), "zero byte expected" },

        // Imports and exports
        { "import kind 5", Module(Section(2, [0x01, .. Name("m"), .. Name("f"), 0x05, 0x00])), "malformed import kind" },
        { "export kind 5", Module(Section(7, [0x01, .. Name("f"), 0x05, 0x00])), "malformed export kind" },

        // Segments
        { "element segment kind 8", Module(Section(9, 0x01, 0x08, 0x41, 0x00, 0x0B, 0x00)), "malformed elements segment kind" },
        { "element kind 1", Module(Section(9, 0x01, 0x01, 0x01, 0x00)), "malformed element kind" },
        { "data segment kind 3", Module(Section(11, 0x01, 0x03, 0x00)), "malformed data segment kind" },
        { "data bytes past the end", Module(Section(11, 0x01, 0x01, 0x05, 0x61)), "length out of bounds" },
        { "data count mismatch", Module(Section(12, 0x02), Section(11, 0x01, 0x01, 0x00)), "data count and data section have inconsistent lengths" },
        { "data count without data", Module(Section(12, 0x01)), "data count and data section have inconsistent lengths" },
        { "memory.init without data count", Module(TypeSection, FunctionSection(), Section(5, 0x01, 0x00, 0x01), CodeSection([0x00, 0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xFC, 0x08, 0x00, 0x00, 0x0B]), Section(11, 0x01, 0x01, 0x00)), "data count section required" },
        { "data.drop without data count", Module(TypeSection, FunctionSection(), CodeSection([0x00, 0xFC, 0x09, 0x00, 0x0B])), "data count section required" },
        { "array.new_data without data count", Module(TypeSection, FunctionSection(), CodeSection([0x00, 0xFB, 0x09, 0x00, 0x00, 0x0B])), "data count section required" },

        // Functions and code
        { "function without code", Module(TypeSection, FunctionSection()), "function and code section have inconsistent lengths" },
        { "code without function", Module(TypeSection, CodeSection([0x00, 0x0B])), "function and code section have inconsistent lengths" },
        { "two functions, one body", Module(TypeSection, FunctionSection(2), CodeSection([0x00, 0x0B])), "function and code section have inconsistent lengths" },
        { "too many locals", OneFunction(0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x7F, 0x01, 0x7E, 0x0B), "too many locals" },
        { "body size too large", Module(TypeSection, FunctionSection(), Section(10, 0x01, 0x03, 0x00, 0x0B, 0x01)), "section size mismatch" },
        { "body missing end at the end of input", Module(TypeSection, FunctionSection(), Section(10, 0x01, 0x03, 0x00, 0x41, 0x01)), UnexpectedEnd },
        { "body size past the end", Module(TypeSection, FunctionSection(), Section(10, 0x01, 0x09, 0x00, 0x0B)), "length out of bounds" },
        { "local of a bad type", OneFunction(0x01, 0x01, 0x10, 0x0B), "malformed reference type" },

        // Instructions
        { "illegal opcode 0xFF", OneFunction(0x00, 0xFF, 0x0B), "illegal opcode ff" },
        { "illegal opcode 0x27", OneFunction(0x00, 0x27, 0x0B), "illegal opcode 27" },
        { "illegal opcode 0xFC 0x7F", OneFunction(0x00, 0xFC, 0x7F, 0x0B), "illegal opcode fc 7f" },
        { "illegal opcode 0xFB 0x1F", OneFunction(0x00, 0xFB, 0x1F, 0x0B), "illegal opcode fb 1f" },
        { "illegal opcode 0xFD 0x9A", OneFunction(0x00, 0xFD, 0x9A, 0x01, 0x0B), "illegal opcode fd 9a" },
        { "else outside if", OneFunction(0x00, 0x05, 0x0B), "END opcode expected" },
        { "second else", OneFunction(0x00, 0x41, 0x00, 0x04, 0x40, 0x05, 0x05, 0x0B, 0x0B), "END opcode expected" },
        { "catch outside try", OneFunction(0x00, 0x02, 0x40, 0x07, 0x00, 0x0B, 0x0B), "END opcode expected" },
        { "catch after catch_all", OneFunction(0x00, 0x06, 0x40, 0x19, 0x07, 0x00, 0x0B, 0x0B), "END opcode expected" },
        { "delegate after catch", OneFunction(0x00, 0x06, 0x40, 0x07, 0x00, 0x18, 0x00, 0x0B), "END opcode expected" },
        { "catch_all in a function", OneFunction(0x00, 0x19, 0x0B), "END opcode expected" },
        { "memop flags 0x80", OneFunction(0x00, 0x41, 0x00, 0x28, 0x80, 0x01, 0x00, 0x1A, 0x0B), "malformed memop flags" },
        { "br_on_cast flags 4", OneFunction(0x00, 0xD0, 0x6E, 0xFB, 0x18, 0x04, 0x00, 0x6E, 0x6E, 0x1A, 0x0B), "malformed br_on_cast flags" },
        { "catch clause kind 4", OneFunction(0x00, 0x1F, 0x40, 0x01, 0x04, 0x00, 0x0B, 0x0B), "malformed catch clause" },
        { "ref.null of a bad heap type", OneFunction(0x00, 0xD0, 0x60, 0x1A, 0x0B), "malformed heap type" },
        { "block of a bad type", OneFunction(0x00, 0x02, 0x50, 0x0B, 0x0B), "malformed reference type" },
        { "block type index beyond i32", OneFunction(0x00, 0x02, 0x80, 0x80, 0x80, 0x80, 0x08, 0x0B, 0x0B), "integer representation too long" },
        { "truncated v128.const", OneFunction(0x00, 0xFD, 0x0C, 0x01, 0x02), UnexpectedEnd },
        { "br_table count past the end", OneFunction(0x00, 0x41, 0x00, 0x0E, 0x7F, 0x00, 0x0B), "length out of bounds" },
        { "global init without end", Module(Section(6, 0x01, 0x7F, 0x00, 0x41, 0x00)), UnexpectedEnd },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fails_with_the_spec_reason(string name, byte[] bytes, string reason)
    {
        var error = Assert.Throws<BinaryFormatException>(() => ModuleDecoder.Decode(bytes));
        Assert.True(reason == error.Reason, $"{name}: expected '{reason}', got '{error.Reason}' ({error.Message})");
    }

    [Fact]
    public void Offsets_point_at_the_problem()
    {
        Assert.Equal(0, Assert.Throws<BinaryFormatException>(() => ModuleDecoder.Decode([0x01, 0x61, 0x73, 0x6D, 1, 0, 0, 0])).Offset);
        Assert.Equal(4, Assert.Throws<BinaryFormatException>(() => ModuleDecoder.Decode([0x00, 0x61, 0x73, 0x6D, 2, 0, 0, 0])).Offset);
        // The section id byte right after the header.
        Assert.Equal(8, Assert.Throws<BinaryFormatException>(() => ModuleDecoder.Decode(Module([0x0E, 0x00]))).Offset);
        // The limits flags byte: header, id, size, count, then the flags.
        Assert.Equal(11, Assert.Throws<BinaryFormatException>(() => ModuleDecoder.Decode(Module(Section(5, 0x01, 0x10, 0x00)))).Offset);
    }

    [Fact]
    public void A_custom_page_size_is_malformed_without_the_proposal()
    {
        // Wasm 3.0 has no flag 0x08; custom-page-sizes reads the page size's log2 after the limits.
        var bytes = Module(Section(5, 0x01, 0x08, 0x00, 0x00));
        var error = Assert.Throws<BinaryFormatException>(() => ModuleDecoder.Decode(bytes, features: WasmFeatures.Wasm3));
        Assert.Equal(("malformed limits flags", 11L), (error.Reason, error.Offset));
        var memory = Assert.Single(ModuleDecoder.Decode(bytes).Memories);
        Assert.Equal((0, 1UL), (memory.PageSizeLog2, memory.PageSize));
    }
}
