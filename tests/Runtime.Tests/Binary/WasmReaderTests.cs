using FsCheck.Xunit;
using WasmHarness.Binary;

namespace WasmHarness.Tests.Binary;

/// <summary>LEB128 and name decoding at the reader's level, and the writer's shortest encodings.</summary>
public class WasmReaderTests
{
    private delegate T Read<T>(ref WasmReader reader);

    private static T ReadAll<T>(byte[] bytes, Read<T> read)
    {
        var reader = new WasmReader(bytes);
        var value = read(ref reader);
        Assert.True(reader.AtEnd, $"{reader.Remaining} bytes left");
        return value;
    }

    private static string Failure<T>(byte[] bytes, Read<T> read)
    {
        try
        {
            var reader = new WasmReader(bytes);
            read(ref reader);
        }
        catch (BinaryFormatException e)
        {
            return e.Reason;
        }
        return "no error";
    }

    [Theory]
    [InlineData(new byte[] { 0x00 }, 0u)]
    [InlineData(new byte[] { 0x7F }, 127u)]
    [InlineData(new byte[] { 0x80, 0x01 }, 128u)]
    [InlineData(new byte[] { 0x80, 0x00 }, 0u)] // not the shortest form, but allowed
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F }, uint.MaxValue)]
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x00 }, 0u)]
    public void U32_reads(byte[] bytes, uint expected) => Assert.Equal(expected, ReadAll(bytes, static (ref WasmReader r) => r.ReadU32()));

    [Theory]
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x00 }, "integer representation too long")]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x1F }, "integer too large")]
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x40 }, "integer too large")]
    [InlineData(new byte[] { 0x80, 0x80 }, WasmReader.UnexpectedEndReason)]
    [InlineData(new byte[] { }, WasmReader.UnexpectedEndReason)]
    public void U32_failures(byte[] bytes, string reason) => Assert.Equal(reason, Failure(bytes, static (ref WasmReader r) => r.ReadU32()));

    [Theory]
    [InlineData(new byte[] { 0x7F }, -1)]
    [InlineData(new byte[] { 0x40 }, -64)]
    [InlineData(new byte[] { 0x3F }, 63)]
    [InlineData(new byte[] { 0xC0, 0x00 }, 64)]
    [InlineData(new byte[] { 0xFF, 0x7F }, -1)]
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x78 }, int.MinValue)]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x07 }, int.MaxValue)]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x7F }, -1)]
    public void S32_reads(byte[] bytes, int expected) => Assert.Equal(expected, ReadAll(bytes, static (ref WasmReader r) => r.ReadS32()));

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F }, "integer too large")] // 2^32 - 1 does not fit
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x70 }, "integer too large")]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F }, "integer representation too long")]
    public void S32_failures(byte[] bytes, string reason) => Assert.Equal(reason, Failure(bytes, static (ref WasmReader r) => r.ReadS32()));

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F }, 0xFFFF_FFFFL)]
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x70 }, -0x1_0000_0000L)]
    [InlineData(new byte[] { 0x40 }, -64L)]
    public void S33_reads(byte[] bytes, long expected) => Assert.Equal(expected, ReadAll(bytes, static (ref WasmReader r) => r.ReadS33()));

    [Theory]
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x10 }, "integer too large")]
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x60 }, "integer too large")]
    public void S33_failures(byte[] bytes, string reason) => Assert.Equal(reason, Failure(bytes, static (ref WasmReader r) => r.ReadS33()));

    [Theory]
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7F }, long.MinValue)]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00 }, long.MaxValue)]
    public void S64_reads(byte[] bytes, long expected) => Assert.Equal(expected, ReadAll(bytes, static (ref WasmReader r) => r.ReadS64()));

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, "integer too large")]
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00 }, "integer representation too long")]
    public void S64_failures(byte[] bytes, string reason) => Assert.Equal(reason, Failure(bytes, static (ref WasmReader r) => r.ReadS64()));

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02 }, "integer too large")]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x81, 0x00 }, "integer representation too long")]
    public void U64_failures(byte[] bytes, string reason) => Assert.Equal(reason, Failure(bytes, static (ref WasmReader r) => r.ReadU64()));

    [Fact]
    public void U64_reads_its_maximum() =>
        Assert.Equal(ulong.MaxValue, ReadAll([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], static (ref WasmReader r) => r.ReadU64()));

    [Theory]
    [InlineData(new byte[] { 0x00 }, "")]
    [InlineData(new byte[] { 0x03, 0x61, 0x62, 0x63 }, "abc")]
    [InlineData(new byte[] { 0x04, 0xF0, 0x9F, 0x98, 0x80 }, "\U0001F600")]
    [InlineData(new byte[] { 0x03, 0xEF, 0xBB, 0xBF }, "\uFEFF")]
    public void Names_read(byte[] bytes, string expected) => Assert.Equal(expected, ReadAll(bytes, static (ref WasmReader r) => r.ReadName()));

    [Theory]
    [InlineData(new byte[] { 0x01, 0x80 })]                   // continuation byte alone
    [InlineData(new byte[] { 0x02, 0xC1, 0xBF })]             // overlong two-byte form
    [InlineData(new byte[] { 0x03, 0xE0, 0x80, 0xAF })]       // overlong three-byte form
    [InlineData(new byte[] { 0x03, 0xED, 0xB0, 0x80 })]       // surrogate
    [InlineData(new byte[] { 0x04, 0xF4, 0x90, 0x80, 0x80 })] // beyond U+10FFFF
    [InlineData(new byte[] { 0x02, 0xE2, 0x82 })]             // truncated sequence
    [InlineData(new byte[] { 0x01, 0xFE })]
    public void Names_must_be_utf8(byte[] bytes) =>
        Assert.Equal("malformed UTF-8 encoding", Failure(bytes, static (ref WasmReader r) => r.ReadName()));

    [Fact]
    public void Lengths_are_bounded_by_the_bytes_left_counting_their_own()
    {
        Assert.Equal(2, ReadAll([0x02, 0x00], static (ref WasmReader r) => r.ReadLength() + r.ReadByte()));
        Assert.Equal("length out of bounds", Failure([0x03, 0x00], static (ref WasmReader r) => r.ReadLength()));
        Assert.Equal("length out of bounds", Failure([0xFF, 0xFF, 0xFF, 0xFF, 0x0F], static (ref WasmReader r) => r.ReadLength()));
    }

    [Property]
    public bool U64_round_trips_in_the_shortest_form(ulong value)
    {
        var writer = new WasmWriter();
        writer.WriteU64(value);
        var bytes = writer.ToArray();
        var shortest = value == 0 ? 1 : (64 - System.Numerics.BitOperations.LeadingZeroCount(value) + 6) / 7;
        return bytes.Length == shortest && ReadAll(bytes, static (ref WasmReader r) => r.ReadU64()) == value;
    }

    [Property]
    public bool U32_round_trips(uint value)
    {
        var writer = new WasmWriter();
        writer.WriteU32(value);
        return ReadAll(writer.ToArray(), static (ref WasmReader r) => r.ReadU32()) == value;
    }

    [Property]
    public bool S32_round_trips(int value)
    {
        var writer = new WasmWriter();
        writer.WriteS32(value);
        var bytes = writer.ToArray();
        return bytes.Length <= 5 && ReadAll(bytes, static (ref WasmReader r) => r.ReadS32()) == value;
    }

    [Property]
    public bool S64_round_trips(long value)
    {
        var writer = new WasmWriter();
        writer.WriteS64(value);
        var bytes = writer.ToArray();
        return bytes.Length <= 10 && ReadAll(bytes, static (ref WasmReader r) => r.ReadS64()) == value;
    }

    [Property]
    public bool S33_round_trips(int high, bool negative)
    {
        // Every value of 33 bits: [-2^32, 2^32 - 1].
        var value = negative ? -1L - (uint)high : (uint)high;
        var writer = new WasmWriter();
        writer.WriteS64(value);
        var bytes = writer.ToArray();
        return bytes.Length <= 5 && ReadAll(bytes, static (ref WasmReader r) => r.ReadS33()) == value;
    }

    [Property]
    public bool Names_round_trip(string? name)
    {
        // Strings with lone surrogates have no UTF-8 form; the writer replaces them, so compare with that.
        name ??= "";
        var expected = System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(name));
        var writer = new WasmWriter();
        writer.WriteName(name);
        return ReadAll(writer.ToArray(), static (ref WasmReader r) => r.ReadName()) == expected;
    }
}
