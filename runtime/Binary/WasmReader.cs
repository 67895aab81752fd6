using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;

namespace WasmHarness.Binary;

/// <summary>
/// A forward-only reader over the bytes of a binary module: fixed-width little-endian words, LEB128
/// integers with the spec's range checks, and UTF-8 names.
/// </summary>
/// <remarks>
/// Every failure is a <see cref="BinaryFormatException"/> whose reason is the reference interpreter's
/// message and whose offset is relative to the start of the span. Reading past the end reports
/// <c>unexpected end of section or function</c>, as the reference interpreter does (the suite's
/// <c>unexpected end</c> is a prefix of it).
/// </remarks>
public ref struct WasmReader
{
    /// <summary>The reason given when the input ends in the middle of something.</summary>
    public const string UnexpectedEndReason = "unexpected end of section or function";

    private readonly ReadOnlySpan<byte> _bytes;
    private int _position;

    public WasmReader(ReadOnlySpan<byte> bytes)
    {
        _bytes = bytes;
        _position = 0;
    }

    /// <summary>The offset of the next byte to read.</summary>
    public int Position
    {
        readonly get => _position;
        set => _position = value >= 0 && value <= _bytes.Length ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public readonly int Length => _bytes.Length;

    public readonly int Remaining => _bytes.Length - _position;

    public readonly bool AtEnd => _position >= _bytes.Length;

    /// <summary>The next byte without consuming it, or -1 at the end.</summary>
    public readonly int Peek() => _position < _bytes.Length ? _bytes[_position] : -1;

    /// <summary>The byte <paramref name="ahead"/> positions after the next one, or -1 past the end.</summary>
    public readonly int PeekAt(int ahead) =>
        ahead >= 0 && ahead < _bytes.Length - _position ? _bytes[_position + ahead] : -1;

    public byte ReadByte()
    {
        if (_position >= _bytes.Length)
        {
            throw UnexpectedEnd();
        }
        return _bytes[_position++];
    }

    /// <summary>Reads <paramref name="count"/> raw bytes; a negative count or one past the end is an unexpected end.</summary>
    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count < 0 || count > _bytes.Length - _position)
        {
            throw UnexpectedEnd();
        }
        var slice = _bytes.Slice(_position, count);
        _position += count;
        return slice;
    }

    public uint ReadFixedU32() => BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4));

    public ulong ReadFixedU64() => BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8));

    /// <summary>An unsigned LEB128 integer of at most 32 bits (spec: <c>u32</c>).</summary>
    public uint ReadU32() => (uint)ReadUnsigned(32);

    /// <summary>An unsigned LEB128 integer of at most 64 bits (spec: <c>u64</c>).</summary>
    public ulong ReadU64() => ReadUnsigned(64);

    /// <summary>A signed LEB128 integer of at most 32 bits (spec: <c>s32</c>).</summary>
    public int ReadS32() => (int)ReadSigned(32);

    /// <summary>A signed LEB128 integer of at most 33 bits (spec: <c>s33</c>, block types and heap types).</summary>
    public long ReadS33() => ReadSigned(33);

    /// <summary>A signed LEB128 integer of at most 64 bits (spec: <c>s64</c>).</summary>
    public long ReadS64() => ReadSigned(64);

    /// <summary>A signed LEB128 integer of at most 7 bits: one byte (type constructors are encoded so).</summary>
    public int ReadS7() => (int)ReadSigned(7);

    /// <summary>
    /// Reads an unsigned LEB128 integer of at most <paramref name="bits"/> bits: more bytes than
    /// <c>ceil(bits / 7)</c> are "integer representation too long", set bits beyond <paramref name="bits"/>
    /// in the last byte are "integer too large".
    /// </summary>
    public ulong ReadUnsigned(int bits)
    {
        ulong result = 0;
        var shift = 0;
        var left = bits;
        while (true)
        {
            if (left <= 0)
            {
                throw Error("integer representation too long", _position);
            }
            var b = ReadByte();
            if (left < 7 && (b & 0x7F) >= 1 << left)
            {
                throw Error("integer too large", _position - 1);
            }
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
            shift += 7;
            left -= 7;
        }
    }

    /// <summary>
    /// Reads a signed LEB128 integer of at most <paramref name="bits"/> bits, sign-extended to 64 bits; in
    /// the last possible byte, the bits beyond the width must all equal the sign bit ("integer too large").
    /// </summary>
    public long ReadSigned(int bits)
    {
        long result = 0;
        var shift = 0;
        var left = bits;
        while (true)
        {
            if (left <= 0)
            {
                throw Error("integer representation too long", _position);
            }
            var b = ReadByte();
            if (left < 7)
            {
                var mask = (-1 << (left - 1)) & 0x7F;
                if ((b & mask) != 0 && (b & mask) != mask)
                {
                    throw Error("integer too large", _position - 1);
                }
            }
            result |= (long)(b & 0x7F) << shift;
            shift += 7;
            if ((b & 0x80) == 0)
            {
                if (shift < 64 && (b & 0x40) != 0)
                {
                    result |= -1L << shift;
                }
                return result;
            }
            left -= 7;
        }
    }

    /// <summary>
    /// A vector length or byte count (u32) that must not exceed the bytes left in the input, counted from
    /// the length's first byte ("length out of bounds"): every element takes at least one byte, so this
    /// bounds allocations.
    /// </summary>
    public int ReadLength()
    {
        var start = _position;
        var n = ReadU32();
        // Like the reference interpreter, the bound counts the length's own bytes.
        if (n > (uint)(_bytes.Length - start))
        {
            throw Error("length out of bounds", start);
        }
        return (int)n;
    }

    /// <summary>A name: a length-prefixed UTF-8 string ("malformed UTF-8 encoding" when it is not valid UTF-8).</summary>
    public string ReadName()
    {
        var start = _position;
        var bytes = ReadBytes(ReadLength());
        if (!Utf8.IsValid(bytes))
        {
            throw Error("malformed UTF-8 encoding", start);
        }
        return Encoding.UTF8.GetString(bytes);
    }

    public readonly BinaryFormatException UnexpectedEnd() => new(UnexpectedEndReason, _bytes.Length);

    public static BinaryFormatException Error(string reason, long offset) => new(reason, offset);
}
