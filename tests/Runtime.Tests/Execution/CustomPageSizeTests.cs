using WasmHarness.Binary;
using WasmHarness.Execution;
using WasmHarness.Syntax;
using WasmHarness.Text;
using WasmHarness.Tests.Binary;
using WasmHarness.Validation;

namespace WasmHarness.Tests.Execution;

/// <summary>
/// Custom page sizes: a memory of 1-byte pages sizes and grows in bytes on both tiers, is bounded by the address
/// space in bytes, matches only imports of the same page size, and round-trips through the binary and text formats.
/// </summary>
public sealed class CustomPageSizeTests
{
    private const string BytePages = """
        (module
          (memory (export "mem") 0 (pagesize 1))
          (func (export "size") (result i32) (memory.size))
          (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
          (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))
          (func (export "load32") (param i32) (result i32) (i32.load (local.get 0)))
          (func (export "store") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
        )
        """;

    public static TheoryData<ExecutionTier> Tiers => new() { ExecutionTier.Interpreter, ExecutionTier.Jit };

    private static ModuleInstance Instantiate(ExecutionTier tier, string text, Linker? linker = null)
    {
        var engine = new Engine(new EngineOptions { Tier = tier });
        return CompiledModule.FromText(engine, text).Instantiate(new Store(engine), linker);
    }

    private static int I32(Value[] results) => results[0].I32;

    [Theory]
    [MemberData(nameof(Tiers))]
    public void ByteSizedPagesGrowAndBoundInBytes(ExecutionTier tier)
    {
        var instance = Instantiate(tier, BytePages);
        Assert.Equal(0, I32(instance.Invoke("size")));
        Assert.Equal(0, I32(instance.Invoke("grow", Value.FromI32(5))));
        Assert.Equal(5, I32(instance.Invoke("size")));
        Assert.Equal(5UL, instance.GetMemory("mem").Length);
        instance.Invoke("store", Value.FromI32(4), Value.FromI32(0xAB));
        Assert.Equal(0xAB, I32(instance.Invoke("load", Value.FromI32(4))));
        Assert.Equal(TrapKind.OutOfBoundsMemoryAccess, Assert.Throws<TrapException>(() => instance.Invoke("load", Value.FromI32(5))).Kind);
        // A 4-byte access at 2 ends at 6, one past the 5 bytes, although the OS page behind it is committed.
        Assert.Equal(TrapKind.OutOfBoundsMemoryAccess, Assert.Throws<TrapException>(() => instance.Invoke("load32", Value.FromI32(2))).Kind);
        Assert.Equal(0xAB, I32(instance.Invoke("load32", Value.FromI32(1))) >>> 24);
        Assert.Equal(5, I32(instance.Invoke("grow", Value.FromI32(4091))));
        Assert.Equal(4096, I32(instance.Invoke("size")));
        Assert.Equal(0, I32(instance.Invoke("load", Value.FromI32(4095))));
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void GrowingA32BitBytePageMemoryPast4GiBFails(ExecutionTier tier)
    {
        var instance = Instantiate(tier, BytePages);
        Assert.Equal(0, I32(instance.Invoke("grow", Value.FromI32(100))));
        // 100 + (2^32 - 100) = 2^32 bytes: one more than a wasm32 memory of 1-byte pages may have (2^32 - 1).
        Assert.Equal(-1, I32(instance.Invoke("grow", Value.FromI32(unchecked((int)(0x1_0000_0000 - 100))))));
        Assert.Equal(-1, I32(instance.Invoke("grow", Value.FromI32(-1))));
        Assert.Equal(100, I32(instance.Invoke("size")));
        Assert.Equal(uint.MaxValue, instance.GetMemory("mem").MaxPages);
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void AnExplicitDefaultPageSizeStillStopsAt65536Pages(ExecutionTier tier)
    {
        var instance = Instantiate(tier, """
            (module
              (memory 0 (pagesize 65536))
              (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))
            """);
        Assert.Equal(-1, I32(instance.Invoke("grow", Value.FromI32(65537))));
        Assert.Equal(0, I32(instance.Invoke("grow", Value.FromI32(1))));
    }

    [Fact]
    public void TheAddressSpaceBoundsPagesInBytes()
    {
        Assert.Equal(uint.MaxValue, new MemoryType(new Limits(0), 0).MaxPagesOfAddressSpace);
        Assert.Equal(65536UL, new MemoryType(new Limits(0)).MaxPagesOfAddressSpace);
        Assert.Equal(ulong.MaxValue, new MemoryType(new Limits(0, null, AddressType.I64), 0).MaxPagesOfAddressSpace);
        Assert.Equal(1UL << 48, new MemoryType(new Limits(0, null, AddressType.I64)).MaxPagesOfAddressSpace);
    }

    [Theory]
    [InlineData("(module (memory 0xFFFF_FFFF (pagesize 1)))", null)]
    [InlineData("(module (memory 0x1_0000_0000 (pagesize 1)))", "memory size must be at most")]
    [InlineData("(module (memory 1 (pagesize 4096)))", "invalid custom page size")]
    [InlineData("(module (memory i64 0xFFFF_FFFF_FFFF_FFFF (pagesize 1)))", null)]
    public void ValidationChecksThePageSizeAndTheLimitsInItsUnit(string text, string? error)
    {
        var module = WatParser.ParseModule(text);
        if (error is null)
        {
            Assert.NotNull(ModuleValidator.Validate(module));
        }
        else
        {
            Assert.StartsWith(error, Assert.Throws<InvalidModuleException>(() => ModuleValidator.Validate(module)).Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void APageSizeThatIsNotAPowerOfTwoIsMalformed()
    {
        Assert.Equal("invalid custom page size", Assert.Throws<TextFormatException>(() => WatParser.ParseModule("(module (memory 0 (pagesize 3)))")).Reason);
        // Binary: flags 0x08, minimum 0, log2 65 (does not fit a u64).
        byte[] bytes = [.. Wasm.Header, 0x05, 0x04, 0x01, 0x08, 0x00, 0x41];
        Assert.Equal("invalid custom page size", Assert.Throws<BinaryFormatException>(() => ModuleDecoder.Decode(bytes)).Reason);
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void AnImportMustHaveTheSamePageSize(ExecutionTier tier)
    {
        var engine = new Engine(new EngineOptions { Tier = tier });
        var store = new Store(engine);
        ModuleInstance Instantiate(string text, Linker? linker = null) => CompiledModule.FromText(engine, text).Instantiate(store, linker);
        var exporter = Instantiate("(module (memory (export \"bytes\") 0 (pagesize 1)))");
        var linker = new Linker().Define("m", "bytes", exporter.GetMemory("bytes"));
        Instantiate("(module (memory (import \"m\" \"bytes\") 0 (pagesize 1)))", linker);
        var error = Assert.Throws<LinkException>(() => Instantiate("(module (memory (import \"m\" \"bytes\") 0))", linker));
        Assert.Contains("incompatible import type", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PageSizesRoundTripThroughTheBinaryFormat()
    {
        var module = WatParser.ParseModule("""
            (module
              (import "m" "small" (memory 1 2 (pagesize 1)))
              (memory 3 (pagesize 1))
              (memory i64 4 (pagesize 65536))
              (memory (pagesize 1) (data "xyz")))
            """);
        Assert.Equal([0, 0, 16, 0], [.. module.ImportsOf(ExternKind.Memory).Select(i => ((MemoryType)i.Type).PageSizeLog2), .. module.Memories.Select(m => m.PageSizeLog2)]);
        Assert.Equal(new Limits(3, 3), module.Memories[2].Limits);
        var bytes = ModuleEncoder.Encode(module);
        var decoded = ModuleDecoder.Decode(bytes);
        ModuleComparer.AssertEqual(module, decoded);
        Assert.Equal(bytes, ModuleEncoder.Encode(decoded));
        Assert.True(FeatureDetector.Of(decoded).HasFlag(Wasm3Features.CustomPageSizes));

        // The default page size is written as before (no flag 0x08), so a module without custom pages keeps its bytes
        // and needs no feature.
        var plain = WatParser.ParseModule("(module (memory 1 (pagesize 65536)))");
        Assert.Equal(ModuleEncoder.Encode(WatParser.ParseModule("(module (memory 1))")), ModuleEncoder.Encode(plain));
        Assert.False(FeatureDetector.Of(plain).HasFlag(Wasm3Features.CustomPageSizes));
    }
}
