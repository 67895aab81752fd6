using WasmHarness.Execution;
using WasmHarness.Syntax;
using static WasmHarness.Tests.Execution.ModuleBuilder;

namespace WasmHarness.Tests.Execution;

public sealed class MemoryTests
{
    private static readonly ValType[] I32 = [ValType.I32];
    private static readonly ValType[] I64 = [ValType.I64];

    private static ModuleInstance LoadStore(bool is64 = false, ulong offset = 0, ulong pages = 1, ulong? max = null, EngineOptions? options = null)
    {
        var builder = new ModuleBuilder();
        var address = is64 ? I64 : I32;
        builder.Memory(pages, max, is64, "mem");
        builder.Func(address, I32, [I(Opcode.LocalGet, 0), Mem(Opcode.I32Load, offset)], "load");
        builder.Func(address, [ValType.I64], [I(Opcode.LocalGet, 0), Mem(Opcode.I64Load8s, offset)], "load8s");
        builder.Func(address, [ValType.I64], [I(Opcode.LocalGet, 0), Mem(Opcode.I64Load32u, offset)], "load32u");
        builder.Func([.. address, ValType.I32], [], [I(Opcode.LocalGet, 0), I(Opcode.LocalGet, 1), Mem(Opcode.I32Store, offset)], "store");
        builder.Func([.. address, ValType.I32], [], [I(Opcode.LocalGet, 0), I(Opcode.LocalGet, 1), Mem(Opcode.I32Store8, offset)], "store8");
        builder.Func(address, address, [I(Opcode.LocalGet, 0), I(Opcode.MemoryGrow, 0)], "grow");
        builder.Func([], address, [I(Opcode.MemorySize, 0)], "size");
        return builder.Instantiate(options);
    }

    private static TrapKind Trap(Action action) => Assert.Throws<TrapException>(action).Kind;

    [Fact]
    public void LoadsAndStoresEveryWidthLittleEndian()
    {
        var instance = LoadStore();
        instance.Invoke("store", Value.FromI32(8), Value.FromI32(unchecked((int)0xF1F2F3F4)));
        Assert.Equal(unchecked((int)0xF1F2F3F4), instance.Invoke("load", Value.FromI32(8))[0].I32);
        Assert.Equal(unchecked((long)0xFFFFFFFFFFFFFFF4), instance.Invoke("load8s", Value.FromI32(8))[0].I64);
        Assert.Equal(0xF1F2F3F4L, instance.Invoke("load32u", Value.FromI32(8))[0].I64);
        instance.Invoke("store8", Value.FromI32(9), Value.FromI32(0x1234));
        Assert.Equal(0x34, instance.GetMemory("mem").Span[9]);
    }

    [Fact]
    public void AccessesAtTheEndOfMemory()
    {
        var instance = LoadStore();
        Assert.Equal(0, instance.Invoke("load", Value.FromI32(65532))[0].I32);
        Assert.Equal(TrapKind.OutOfBoundsMemoryAccess, Trap(() => instance.Invoke("load", Value.FromI32(65533))));
        Assert.Equal(TrapKind.OutOfBoundsMemoryAccess, Trap(() => instance.Invoke("load", Value.FromI32(-1))));
        Assert.Equal(TrapKind.OutOfBoundsMemoryAccess, Trap(() => instance.Invoke("store", Value.FromI32(65536), Value.FromI32(0))));
        var trap = Assert.Throws<TrapException>(() => instance.Invoke("load", Value.FromI32(65536)));
        Assert.Equal("out of bounds memory access", trap.Reason);
    }

    [Fact]
    public void OffsetsNear4GiBDoNotWrap()
    {
        // address + offset exceeds 2^32: must trap, not wrap to a small address.
        var instance = LoadStore(offset: 0xFFFF_FFFF);
        Assert.Equal(TrapKind.OutOfBoundsMemoryAccess, Trap(() => instance.Invoke("load", Value.FromI32(1))));
        Assert.Equal(TrapKind.OutOfBoundsMemoryAccess, Trap(() => instance.Invoke("load", Value.FromI32(-1))));
        Assert.Equal(TrapKind.OutOfBoundsMemoryAccess, Trap(() => instance.Invoke("store8", Value.FromI32(1), Value.FromI32(0))));
    }

    [Fact]
    public void Memory64AddressesNear2To64DoNotWrap()
    {
        var instance = LoadStore(is64: true, offset: 1);
        Assert.Equal(0, instance.Invoke("load", Value.FromI64(65531))[0].I32);
        Assert.Equal(TrapKind.OutOfBoundsMemoryAccess, Trap(() => instance.Invoke("load", Value.FromI64(-1))));
        Assert.Equal(TrapKind.OutOfBoundsMemoryAccess, Trap(() => instance.Invoke("load", Value.FromI64(long.MaxValue))));
        var big = LoadStore(is64: true, offset: ulong.MaxValue);
        Assert.Equal(TrapKind.OutOfBoundsMemoryAccess, Trap(() => big.Invoke("load", Value.FromI64(1))));
        Assert.Equal(TrapKind.OutOfBoundsMemoryAccess, Trap(() => big.Invoke("load", Value.FromI64(0))));
        Assert.Equal(1L, big.Invoke("size")[0].I64);
        Assert.Equal(1L, big.Invoke("grow", Value.FromI64(1))[0].I64);
    }

    [Fact]
    public void GrowReturnsOldSizeAndMinusOneBeyondMax()
    {
        var instance = LoadStore(pages: 1, max: 3);
        Assert.Equal(1, instance.Invoke("grow", Value.FromI32(1))[0].I32);
        Assert.Equal(2, instance.Invoke("size")[0].I32);
        Assert.Equal(-1, instance.Invoke("grow", Value.FromI32(2))[0].I32);
        Assert.Equal(2, instance.Invoke("grow", Value.FromI32(0))[0].I32);
        Assert.Equal(2, instance.Invoke("grow", Value.FromI32(1))[0].I32);
        Assert.Equal(-1, instance.Invoke("grow", Value.FromI32(-1))[0].I32);
        // New pages are zero and addressable.
        Assert.Equal(0, instance.Invoke("load", Value.FromI32(3 * 65536 - 4))[0].I32);
    }

    [Fact]
    public void GrowRespectsTheHostLimit()
    {
        var instance = LoadStore(pages: 1, options: new EngineOptions { MaxMemoryBytes = 4 * 65536 });
        Assert.Equal(1, instance.Invoke("grow", Value.FromI32(3))[0].I32);
        Assert.Equal(-1, instance.Invoke("grow", Value.FromI32(1))[0].I32);
        Assert.Equal(-1, instance.Invoke("grow", Value.FromI32(65536))[0].I32);
    }

    [Fact]
    public void GrowKeepsContents()
    {
        var instance = LoadStore(pages: 1);
        instance.Invoke("store", Value.FromI32(100), Value.FromI32(42));
        for (var i = 0; i < 10; i++)
        {
            instance.Invoke("grow", Value.FromI32(7));
        }
        Assert.Equal(42, instance.Invoke("load", Value.FromI32(100))[0].I32);
        Assert.Equal(71, instance.Invoke("size")[0].I32);
    }

    [Fact]
    public void BulkMemoryInstructions()
    {
        var builder = new ModuleBuilder();
        builder.Memory(1, export: "mem");
        builder.Module.Data.Add(new DataSegment(SegmentMode.Passive, new byte[] { 1, 2, 3, 4, 5 }));
        builder.Module.DataCount = 1;
        ValType[] three = [ValType.I32, ValType.I32, ValType.I32];
        builder.Func(three, [], [I(Opcode.LocalGet, 0), I(Opcode.LocalGet, 1), I(Opcode.LocalGet, 2), Instruction.WithIndices(Opcode.MemoryInit, 0, 0)], "init");
        builder.Func([], [], [I(Opcode.DataDrop, 0)], "drop");
        builder.Func(three, [], [I(Opcode.LocalGet, 0), I(Opcode.LocalGet, 1), I(Opcode.LocalGet, 2), Instruction.WithIndices(Opcode.MemoryCopy, 0, 0)], "copy");
        builder.Func(three, [], [I(Opcode.LocalGet, 0), I(Opcode.LocalGet, 1), I(Opcode.LocalGet, 2), I(Opcode.MemoryFill, 0)], "fill");
        var instance = builder.Instantiate();
        var memory = instance.GetMemory("mem");
        instance.Invoke("init", Value.FromI32(10), Value.FromI32(1), Value.FromI32(3));
        Assert.Equal([2, 3, 4], memory.Span[10..13].ToArray());
        instance.Invoke("copy", Value.FromI32(11), Value.FromI32(10), Value.FromI32(3));
        Assert.Equal([2, 2, 3, 4], memory.Span[10..14].ToArray());
        instance.Invoke("fill", Value.FromI32(65530), Value.FromI32(0x1FF), Value.FromI32(6));
        Assert.Equal(0xFF, memory.Span[65535]);
        Assert.Equal(TrapKind.OutOfBoundsMemoryAccess, Trap(() => instance.Invoke("fill", Value.FromI32(65530), Value.FromI32(0), Value.FromI32(7))));
        Assert.Equal(0xFF, memory.Span[65530]); // bounds are checked before any write
        Assert.Equal(TrapKind.OutOfBoundsMemoryAccess, Trap(() => instance.Invoke("copy", Value.FromI32(0), Value.FromI32(65535), Value.FromI32(2))));
        Assert.Equal(TrapKind.OutOfBoundsMemoryAccess, Trap(() => instance.Invoke("init", Value.FromI32(0), Value.FromI32(4), Value.FromI32(2))));
        instance.Invoke("init", Value.FromI32(65536), Value.FromI32(5), Value.FromI32(0));
        instance.Invoke("drop");
        instance.Invoke("init", Value.FromI32(0), Value.FromI32(0), Value.FromI32(0));
        Assert.Equal(TrapKind.OutOfBoundsMemoryAccess, Trap(() => instance.Invoke("init", Value.FromI32(0), Value.FromI32(0), Value.FromI32(1))));
    }

    [Fact]
    public void MemoryInstanceChecksNeverOverflow()
    {
        using var memory = new MemoryInstance(new MemoryType(new Limits(1, null, AddressType.I64)));
        Assert.True(memory.InBounds(0, 0, 65536));
        Assert.False(memory.InBounds(0, 0, 65537));
        Assert.False(memory.InBounds(ulong.MaxValue, 1, 1));
        Assert.False(memory.InBounds(1, ulong.MaxValue, 1));
        Assert.False(memory.InBounds(65536, 0, ulong.MaxValue));
        Assert.True(memory.InBounds(65536, 0, 0));
        Assert.False(memory.InBounds(65537, 0, 0));
    }

    [Fact]
    public void Wasm32MemoryCanReach4GiBWithinTheLimit()
    {
        using var memory = new MemoryInstance(new MemoryType(new Limits(0)), maxBytes: 1UL << 32);
        Assert.Equal(65536UL, memory.MaxPages);
        Assert.Equal(-1, memory.Grow(65537));
    }

    [Fact]
    public void WithoutAReservationMemoryGrowsByReallocationAndKeepsItsBytes()
    {
        using var memory = new MemoryInstance(new MemoryType(new Limits(1)), maxBytes: 1UL << 32, reserve: false);
        Assert.False(memory.GrowsInPlace);
        memory.Write<uint>(65532, 0, 0xDEADBEEF);
        Assert.Equal(1, memory.Grow(3));
        Assert.Equal(4 * MemoryType.DefaultPageSize, memory.Length);
        Assert.Equal(0xDEADBEEFu, memory.Read<uint>(65532));
        Assert.Equal(0u, memory.Read<uint>(3 * MemoryType.DefaultPageSize));
        Assert.Throws<TrapException>(() => memory.Read<byte>(4 * MemoryType.DefaultPageSize));
    }

    [Fact]
    public void Wasm32MemoryGrowsTo4GiBInPlace()
    {
        using var memory = new MemoryInstance(new MemoryType(new Limits(0)), maxBytes: 1UL << 32);
        if (!memory.GrowsInPlace)
        {
            return; // the reservation is Linux-only; elsewhere growth reallocates
        }
        Assert.Equal(0, memory.Grow(1));
        memory.Write<uint>(0, 0, 0xDEADBEEF);
        Assert.Equal(1, memory.Grow(65535));
        Assert.Equal(1UL << 32, memory.Length);
        memory.Write<byte>((1UL << 32) - 1, 0, 0x7F);
        Assert.Equal(0x7F, memory.Read<byte>((1UL << 32) - 1));
        Assert.Equal(0xDEADBEEFu, memory.Read<uint>(0));
        Assert.Equal(0u, memory.Read<uint>(1UL << 31));
        Assert.Equal(-1, memory.Grow(1));
        Assert.Throws<TrapException>(() => memory.Read<byte>(1UL << 32));
        Assert.Throws<TrapException>(() => memory.Read<ushort>((1UL << 32) - 1));
    }

    [Fact]
    public unsafe void A_small_memory_reuses_a_disposed_reservation_of_its_size_and_reads_zero_throughout()
    {
        // Seven pages at most: a reservation size no other test uses, so the reservation this test returns is the one
        // it rents next (ReservationPool). Each round fills the whole memory, grown to its maximum, then disposes it.
        var type = new MemoryType(new Limits(1, 7));
        var addresses = new HashSet<nint>();
        for (var round = 0; round < 3; round++)
        {
            using var memory = new MemoryInstance(type);
            if (!memory.GrowsInPlace)
            {
                return; // the reservation (and so its pool) is Linux-only
            }
            addresses.Add((nint)memory.Data);
            Assert.True(memory.Span.IndexOfAnyExcept((byte)0) < 0, $"round {round}: a fresh memory is not zero");
            memory.Span.Fill(0xAB);
            Assert.Equal(1, memory.Grow(6));
            Assert.True(memory.Span[(int)MemoryType.DefaultPageSize..].IndexOfAnyExcept((byte)0) < 0, $"round {round}: grown pages are not zero");
            memory.Span.Fill(0xCD);
        }
        Assert.Single(addresses);
        Assert.True(ReservationPool.PooledBytes <= ReservationPool.MaxPooledBytes);
    }

    [Fact]
    public void A_memory_larger_than_the_pool_keeps_is_unmapped_not_kept()
    {
        var type = new MemoryType(new Limits(20, 20)); // 1.25 MiB reserved: above ReservationPool.MaxReservation
        using (var memory = new MemoryInstance(type))
        {
            memory.Span.Fill(1);
        }
        Assert.False(ReservationPool.TryRent(20 * MemoryType.DefaultPageSize, out _, out _));
    }

    [Fact]
    public void DisposingTheStoreFreesItsMemoriesAndLaterAccessesTrap()
    {
        var engine = new Engine();
        var store = new Store(engine);
        var instance = CompiledModule.FromText(engine, """
            (module (memory (export "mem") 1)
              (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
              (func (export "fill") (memory.fill (i32.const 0) (i32.const 0) (i32.const 0))))
            """).Instantiate(store);
        Assert.Equal(0, instance.Invoke("load", Value.FromI32(0))[0].I32);
        store.Dispose();
        Assert.Equal(0UL, instance.GetMemory("mem").Length);
        Assert.Equal(TrapKind.OutOfBoundsMemoryAccess, Trap(() => instance.Invoke("load", Value.FromI32(0))));
        instance.Invoke("fill"); // zero bytes at address 0 stay in bounds
    }
}
