using System.Buffers.Binary;
using System.Text;

namespace WasmHarness.Binary;

/// <summary>
/// A growable byte buffer with the binary format's encodings: LEB128 integers in their shortest form,
/// little-endian fixed-width words and length-prefixed names.
/// </summary>
public sealed class WasmWriter
{
    private byte[] _buffer;
    private int _length;

    public WasmWriter(int capacity = 256) => _buffer = new byte[Math.Max(capacity, 16)];

    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public byte[] ToArray() => WrittenSpan.ToArray();

    public void Clear() => _length = 0;

    public void WriteByte(byte value)
    {
        Reserve(1)[0] = value;
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Reserve(bytes.Length));

    public void WriteFixedU32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Reserve(4), value);

    public void WriteFixedU64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Reserve(8), value);

    public void WriteU32(uint value) => WriteU64(value);

    public void WriteU64(ulong value)
    {
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            WriteByte(value != 0 ? (byte)(b | 0x80) : b);
        }
        while (value != 0);
    }

    public void WriteS32(int value) => WriteS64(value);

    public void WriteS64(long value)
    {
        while (true)
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            var done = (value == 0 && (b & 0x40) == 0) || (value == -1 && (b & 0x40) != 0);
            WriteByte(done ? b : (byte)(b | 0x80));
            if (done)
            {
                return;
            }
        }
    }

    /// <summary>A vector length or size: a u32 that must fit.</summary>
    public void WriteLength(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        WriteU32((uint)length);
    }

    /// <summary>A name: UTF-8 bytes prefixed by their count.</summary>
    public void WriteName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var byteCount = Encoding.UTF8.GetByteCount(name);
        WriteLength(byteCount);
        Encoding.UTF8.GetBytes(name, Reserve(byteCount));
    }

    /// <summary>Bytes prefixed by their count.</summary>
    public void WriteByteVector(ReadOnlySpan<byte> bytes)
    {
        WriteLength(bytes.Length);
        WriteBytes(bytes);
    }

    private Span<byte> Reserve(int count)
    {
        if (_buffer.Length - _length < count)
        {
            var size = Math.Max(_buffer.Length * 2L, (long)_length + count);
            Array.Resize(ref _buffer, (int)Math.Min(size, Array.MaxLength));
        }
        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
