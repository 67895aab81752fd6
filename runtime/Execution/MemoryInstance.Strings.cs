using System.Text;

namespace WasmHarness.Execution;

// Strings in linear memory, for host functions (wasmtime-dotnet's Memory.ReadString/WriteString): UTF-8 unless told
// otherwise; out-of-bounds ranges trap (TrapException "out of bounds memory access"), as a guest access would.
public sealed unsafe partial class MemoryInstance
{
    /// <summary>The <paramref name="length"/> bytes at <paramref name="address"/> decoded as <paramref name="encoding"/> (default UTF-8).</summary>
    public string ReadString(ulong address, int length, Encoding? encoding = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return (encoding ?? Encoding.UTF8).GetString(Address(address, 0, (ulong)length), length);
    }

    /// <summary>The bytes from <paramref name="address"/> up to the first zero byte (not included), decoded as UTF-8.</summary>
    public string ReadNullTerminatedString(ulong address)
    {
        var end = address;
        while (Read<byte>(end) != 0)
        {
            end++;
        }
        return ReadString(address, checked((int)(end - address)));
    }

    /// <summary>Writes <paramref name="value"/> at <paramref name="address"/> as <paramref name="encoding"/> (default UTF-8, no terminator); returns the bytes written.</summary>
    public int WriteString(ulong address, string value, Encoding? encoding = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        var bytes = (encoding ?? Encoding.UTF8).GetBytes(value);
        WriteBytes(address, bytes);
        return bytes.Length;
    }
}
