using WasmHarness.Tests.Shared;
using WasmHarness.Wast;
using System.Text;
using WasmHarness.Tests.Support;
using WasmHarness.Text;

namespace WasmHarness.Tests.Text;

/// <summary>Malformed text of every kind ends in a <see cref="TextFormatException"/>, never in another exception.</summary>
public sealed class RobustnessTests
{
    private static readonly string[] s_pieces =
    [
        "(", ")", " ", "$x", "0", "-1", "\"", "(;", ";)", ";;", "\n", "i32", "block", "end", "(then", "(@a", "0x",
        "nan:0x1", "1e400", "(ref", "null", "(type 0)", "(param i32)", "(result i32)", "else", "try", "delegate", "catch",
        "offset=", "align=3", "\\u{", "\u00e9", "\udc80", "(elem", "(item", "declare", "(mut", "i8x16.shuffle", "v128.const",
    ];

    [CoreSuiteFact]
    public void MutatedSuiteScriptsRaiseOnlyTextFormatErrors()
    {
        var sources = TestSuite.CoreScripts()
            .Select(path => File.ReadAllText(Path.Combine(TestSuite.Root, path)))
            .Where(text => text.Length < 20_000)
            .ToList();
        var random = new Random(20261125);
        for (var run = 0; run < 3000; run++)
        {
            var text = Mutate(sources[random.Next(sources.Count)], random);
            try
            {
                var script = WastParser.ParseScript(text, "mutant.wast");
                foreach (var command in script.Commands)
                {
                    if (command is AssertMalformedCommand { Module: QuoteScriptModule quote })
                    {
                        ParseQuietly(quote.Text);
                    }
                }
            }
            catch (TextFormatException)
            {
            }
        }
    }

    [Fact]
    public void MutatedModulesRaiseOnlyTextFormatErrors()
    {
        var modules = new[]
        {
            """(module (type $t (func (param i32) (result i32))) (func $f (export "f") (type $t) (local.get 0)) (table 1 funcref (elem $f)) (memory 1 (data "ab")))""",
            """(module (rec (type $s (sub (struct (field (mut i32)) (field $g i64))))) (func (param (ref null $s)) (drop (struct.get $s $g (local.get 0)))))""",
            """(module (tag $e (param i32)) (func (result i32) (block $h (result i32) (try_table (catch $e $h) (throw $e (i32.const 1)))) ))""",
            """(module (memory 1) (func (param v128) (result v128) (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 (local.get 0) (v128.load8_lane 1 (i32.const 0) (local.get 0)))))""",
            """(module (func (if (result f64) (i32.const 1) (then (f64.const 0x1.8p3)) (else (f64.const -nan:0x1)))) (elem declare func 0) (global (mut f32) (f32.const 1e38)))""",
        };
        var random = new Random(7);
        for (var run = 0; run < 20_000; run++)
        {
            ParseQuietly(Mutate(modules[random.Next(modules.Length)], random));
        }
    }

    private static void ParseQuietly(string text)
    {
        try
        {
            WatParser.ParseModule(text);
        }
        catch (TextFormatException)
        {
        }
    }

    private static string Mutate(string text, Random random)
    {
        var builder = new StringBuilder(text);
        var edits = random.Next(1, 4);
        for (var edit = 0; edit < edits && builder.Length > 0; edit++)
        {
            var position = random.Next(builder.Length);
            switch (random.Next(4))
            {
                case 0:
                    builder.Remove(position, Math.Min(random.Next(1, 8), builder.Length - position));
                    break;
                case 1:
                    builder.Insert(position, s_pieces[random.Next(s_pieces.Length)]);
                    break;
                case 2:
                    var length = Math.Min(random.Next(1, 30), builder.Length - position);
                    builder.Insert(random.Next(builder.Length), builder.ToString(position, length));
                    break;
                default:
                    builder[position] = (char)random.Next(0, 128);
                    break;
            }
        }
        return builder.ToString();
    }
}
