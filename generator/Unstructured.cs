using System.Buffers.Binary;

namespace WasmHarness.Generator;

/// <summary>
/// The generator's only source of decisions: a byte string read front to back (as wasm-smith's <c>Unstructured</c>).
/// The same bytes always give the same module, a fuzzer's mutations of the bytes mutate the module, and shorter
/// input gives a smaller module. Once the bytes run out every read returns zero, and the generator takes zero to
/// mean "stop": close what is open and finish.
/// </summary>
public sealed class Unstructured(ReadOnlyMemory<byte> data)
{
    private int _position;

    /// <summary>A byte string of <paramref name="length"/> bytes drawn from a seeded random source.</summary>
    public static Unstructured FromSeed(ulong seed, int length)
    {
        var bytes = new byte[length];
        new Random((int)(seed ^ (seed >> 32))).NextBytes(bytes);
        return new Unstructured(bytes);
    }

    public bool IsEmpty => _position >= data.Length;

    /// <summary>Bytes consumed so far.</summary>
    public int Consumed => Math.Min(_position, data.Length);

    public int Remaining => Math.Max(0, data.Length - _position);

    public byte Byte() => _position < data.Length ? data.Span[_position++] : (byte)0;

    public uint UInt32()
    {
        Span<byte> bytes = stackalloc byte[4];
        for (var i = 0; i < 4; i++)
        {
            bytes[i] = Byte();
        }
        return BinaryPrimitives.ReadUInt32LittleEndian(bytes);
    }

    public ulong UInt64() => UInt32() | ((ulong)UInt32() << 32);

    /// <summary>A number in [0, <paramref name="count"/>): one byte for small ranges, four otherwise.</summary>
    public int Int(int count)
    {
        if (count <= 1)
        {
            return 0;
        }
        return count <= 256 ? Byte() % count : (int)(UInt32() % (uint)count);
    }

    /// <summary>A number in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int Range(int min, int max) => min + Int(max - min + 1);

    public bool Bool() => (Byte() & 1) != 0;

    /// <summary>True with probability about <paramref name="numerator"/>/<paramref name="denominator"/> (never once the input is spent).</summary>
    public bool Chance(int numerator, int denominator) => !IsEmpty && Int(denominator) < numerator;

    public T Choose<T>(IReadOnlyList<T> items) => items[Int(items.Count)];
}
