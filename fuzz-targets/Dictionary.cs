using System.Text;
using WasmHarness.Fuzz.Targets;
using WasmHarness.Syntax;

namespace WasmHarness.Fuzz;

/// <summary>
/// An AFL++ dictionary (<c>-x</c>) for a target, made from the opcode table so that it never goes stale: the text
/// format's keywords and instruction names for <c>text</c>; the magic, version, section headers, type constructors
/// and multi-byte opcodes for the binary targets.
/// </summary>
public static class Dictionary
{
    private static readonly string[] s_keywords =
    [
        "(module", "(func", "(param", "(result", "(local", "(type", "(import", "(export", "(memory", "(data", "(table",
        "(elem", "(global", "(mut", "(start", "(tag", "(rec", "(sub", "(struct", "(array", "(field", "(ref", "(then",
        "(else", "(item", "(offset", "(declare", "null", "final", "i32", "i64", "f32", "f64", "v128", "funcref",
        "externref", "anyref", "eqref", "i31ref", "structref", "arrayref", "exnref", "nullref", "nullfuncref",
        "nullexternref", "i8", "i16", "func", "extern", "any", "eq", "i31", "none", "noextern", "nofunc", "exn",
        "noexn", "offset=", "align=", "$f", "$0", "0x", "nan", "inf", "nan:0x", "-0", ")", "\"", "(@",
    ];

    public static string For(FuzzTarget target)
    {
        var text = new StringBuilder();
        var n = 0;
        void Entry(ReadOnlySpan<byte> bytes) => text.Append("k").Append(n++).Append("=\"").Append(Escape(bytes)).Append("\"\n");
        if (target.TakesText)
        {
            foreach (var keyword in s_keywords.Concat(OpcodeTable.All.Select(o => o.Name)).Distinct(StringComparer.Ordinal))
            {
                Entry(Encoding.UTF8.GetBytes(keyword));
            }
            return text.ToString();
        }
        Entry("\0asm\u0001\0\0\0"u8);
        for (byte section = 0; section <= 13; section++)
        {
            Entry([section, 0x01, 0x00]);
        }
        foreach (byte b in new byte[] { 0x60, 0x5E, 0x5F, 0x50, 0x4F, 0x4E, 0x70, 0x6F, 0x63, 0x64, 0x7B, 0x40, 0x0B, 0x41, 0x42, 0xD0, 0xD2 })
        {
            Entry([b]);
        }
        foreach (var info in OpcodeTable.All.Where(o => o.Prefix != 0))
        {
            var bytes = new List<byte> { info.Prefix };
            var code = info.Code;
            do
            {
                var b = (byte)(code & 0x7F);
                code >>= 7;
                bytes.Add(code != 0 ? (byte)(b | 0x80) : b);
            }
            while (code != 0);
            Entry(bytes.ToArray());
        }
        return text.ToString();
    }

    private static string Escape(ReadOnlySpan<byte> bytes)
    {
        var s = new StringBuilder();
        foreach (var b in bytes)
        {
            s.Append(b is >= 0x20 and < 0x7F and not (byte)'"' and not (byte)'\\' ? ((char)b).ToString() : $"\\x{b:X2}");
        }
        return s.ToString();
    }
}
