using System.Text;

namespace WasmHarness.Tests.Binary;

/// <summary>Builds binary modules by hand for the decoder's tests.</summary>
public static class Wasm
{
    public static readonly byte[] Header = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00];

    /// <summary>The header followed by the given parts (sections or raw bytes).</summary>
    public static byte[] Module(params byte[][] parts) => [.. Header, .. parts.SelectMany(part => part)];

    /// <summary>A section: id, size (u32) and content.</summary>
    public static byte[] Section(byte id, params byte[] content) => [id, .. U32((uint)content.Length), .. content];

    /// <summary>A vector: count then the items' bytes.</summary>
    public static byte[] Vec(params byte[][] items) => [.. U32((uint)items.Length), .. items.SelectMany(item => item)];

    public static byte[] Name(string name)
    {
        var bytes = Encoding.UTF8.GetBytes(name);
        return [.. U32((uint)bytes.Length), .. bytes];
    }

    public static byte[] U32(uint value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value != 0 ? (byte)(b | 0x80) : b);
        }
        while (value != 0);
        return [.. bytes];
    }

    /// <summary>A type section with one function type [] -> [].</summary>
    public static byte[] TypeSection => Section(1, 0x01, 0x60, 0x00, 0x00);

    /// <summary>A function section declaring <paramref name="count"/> functions of type 0.</summary>
    public static byte[] FunctionSection(int count = 1) => Section(3, [.. U32((uint)count), .. Enumerable.Repeat((byte)0, count)]);

    /// <summary>A code section with one body per argument; each body is given without its size.</summary>
    public static byte[] CodeSection(params byte[][] bodies) =>
        Section(10, Vec(bodies.Select(body => (byte[])[.. U32((uint)body.Length), .. body]).ToArray()));

    /// <summary>A module with one function of type [] -> [] and the given body (locals vector included).</summary>
    public static byte[] OneFunction(params byte[] body) => Module(TypeSection, FunctionSection(), CodeSection(body));
}
