using WasmHarness.Wast;
using WasmHarness.Syntax;
using WasmHarness.Text;

namespace WasmHarness.Tests.Text;

public sealed class WastParserTests
{
    private static Script Parse(string text) => WastParser.ParseScript(text, "test.wast");

    [Fact]
    public void ModulesOfEveryForm()
    {
        var script = Parse("""
            (module $a (func (export "f")))
            (module $b binary "\00asm" "\01\00\00\00")
            (module $c quote "(func" " (nop))")
            (module definition $d (memory 1))
            (module instance $i $d)
            (module instance $d)
            (register "m" $a)
            (register "n")
            """);
        var commands = script.Commands;
        var a = Assert.IsType<TextScriptModule>(Assert.IsType<ModuleCommand>(commands[0]).Module);
        Assert.Equal("a", a.Id);
        Assert.Equal("a", a.Module!.Name);
        Assert.Single(a.Module.Functions);
        var b = Assert.IsType<BinaryScriptModule>(Assert.IsType<ModuleCommand>(commands[1]).Module);
        Assert.Equal(new byte[] { 0, 0x61, 0x73, 0x6D, 1, 0, 0, 0 }, b.Bytes);
        var c = Assert.IsType<QuoteScriptModule>(Assert.IsType<ModuleCommand>(commands[2]).Module);
        Assert.Equal("(func (nop))", c.Text);
        var d = Assert.IsType<ModuleCommand>(commands[3]);
        Assert.True(d.IsDefinition);
        Assert.Equal("d", d.Module.Id);
        Assert.Equal(new ModuleInstanceCommand(new SourceLocation(5, 1), "i", "d"), commands[4]);
        Assert.Equal(new ModuleInstanceCommand(new SourceLocation(6, 1), null, "d"), commands[5]);
        Assert.Equal(new RegisterCommand(new SourceLocation(7, 1), "m", "a"), commands[6]);
        Assert.Equal(new RegisterCommand(new SourceLocation(8, 1), "n", null), commands[7]);
    }

    [Fact]
    public void ActionsAndValues()
    {
        var script = Parse("""
            (invoke $m "f" (i32.const -1) (i64.const 0x10) (f32.const -0.0) (f64.const nan:0x1) (v128.const i16x8 1 2 3 4 5 6 7 -1) (ref.null func) (ref.extern 7) (ref.host 3) (ref.null 0))
            (get "g")
            """);
        var invoke = Assert.IsType<InvokeAction>(Assert.IsType<ActionCommand>(script.Commands[0]).Action);
        Assert.Equal("m", invoke.ModuleId);
        Assert.Equal("f", invoke.Name);
        Assert.Equal(
            [
                new NumberValue(ValueKind.I32, 0xFFFF_FFFF),
                new NumberValue(ValueKind.I64, 16),
                new NumberValue(ValueKind.F32, 0x8000_0000),
                new NumberValue(ValueKind.F64, 0x7FF0_0000_0000_0001),
                new VectorValue(new V128(0x0004_0003_0002_0001, 0xFFFF_0007_0006_0005)),
                new NullRefValue(HeapType.Func),
                new ExternRefValue(7),
                new HostRefValue(3),
                new NullRefValue(HeapType.Concrete(0)),
            ],
            invoke.Arguments);
        var get = Assert.IsType<GetAction>(Assert.IsType<ActionCommand>(script.Commands[1]).Action);
        Assert.Null(get.ModuleId);
        Assert.Equal("g", get.Name);
    }

    [Fact]
    public void ResultPatterns()
    {
        var script = Parse("""
            (assert_return (invoke "f")
              (i32.const 1) (f32.const nan:canonical) (f64.const nan:arithmetic)
              (v128.const f32x4 1.0 nan:canonical -inf nan:arithmetic)
              (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 -1)
              (ref.null) (ref.null extern) (ref.func) (ref.extern) (ref.extern 2) (ref.host 1)
              (ref.any) (ref) (ref.eq) (ref.i31) (ref.struct) (ref.array) (ref.exn)
              (either (i32.const 1) (i32.const 2)))
            """);
        var results = Assert.IsType<AssertReturnCommand>(script.Commands[0]).Results;
        Assert.Equal(new ExactPattern(new NumberValue(ValueKind.I32, 1)), results[0]);
        Assert.Equal(new NanPattern(ValueKind.F32, NanKind.Canonical), results[1]);
        Assert.Equal(new NanPattern(ValueKind.F64, NanKind.Arithmetic), results[2]);
        var floats = Assert.IsType<VectorPattern>(results[3]);
        Assert.Equal(LaneShape.F32x4, floats.Shape);
        Assert.Equal(
            [
                new ExactPattern(new NumberValue(ValueKind.F32, 0x3F80_0000)),
                new NanPattern(ValueKind.F32, NanKind.Canonical),
                new ExactPattern(new NumberValue(ValueKind.F32, 0xFF80_0000)),
                new NanPattern(ValueKind.F32, NanKind.Arithmetic),
            ],
            floats.Lanes);
        var bytes = Assert.IsType<VectorPattern>(results[4]);
        Assert.Equal(new ExactPattern(new NumberValue(ValueKind.I32, 0xFF)), bytes.Lanes[15]);
        Assert.Equal(
            [
                new RefPattern(RefPatternKind.Null), new ExactPattern(new NullRefValue(HeapType.Extern)),
                new RefPattern(RefPatternKind.Func), new RefPattern(RefPatternKind.Extern),
                new ExactPattern(new ExternRefValue(2)), new ExactPattern(new HostRefValue(1)),
                new RefPattern(RefPatternKind.Any), new RefPattern(RefPatternKind.Any), new RefPattern(RefPatternKind.Eq),
                new RefPattern(RefPatternKind.I31), new RefPattern(RefPatternKind.Struct), new RefPattern(RefPatternKind.Array),
                new RefPattern(RefPatternKind.Exn),
            ],
            results.Skip(5).Take(13));
        Assert.Equal(
            new EitherPattern([new ExactPattern(new NumberValue(ValueKind.I32, 1)), new ExactPattern(new NumberValue(ValueKind.I32, 2))]),
            results[18]);
    }

    [Fact]
    public void Assertions()
    {
        var script = Parse("""
            (assert_trap (invoke "f") "unreachable")
            (assert_trap (module (func $s unreachable) (start $s)) "unreachable")
            (assert_exhaustion (invoke "loop") "call stack exhausted")
            (assert_exception (invoke "throw"))
            (assert_malformed (module quote "(func") "unexpected end")
            (assert_invalid (module (func (result i32))) "type mismatch")
            (assert_unlinkable (module (import "x" "y" (func))) "unknown import")
            (assert_malformed_custom (module quote "(@custom)") "@custom annotation: missing section name")
            (assert_invalid_custom (module) "x")
            """);
        Assert.Equal(
            [
                typeof(AssertTrapCommand), typeof(AssertModuleTrapCommand), typeof(AssertExhaustionCommand), typeof(AssertExceptionCommand),
                typeof(AssertMalformedCommand), typeof(AssertInvalidCommand), typeof(AssertUnlinkableCommand),
                typeof(AssertMalformedCustomCommand), typeof(AssertInvalidCustomCommand),
            ],
            script.Commands.Select(c => c.GetType()));
        Assert.Equal("call stack exhausted", ((AssertExhaustionCommand)script.Commands[2]).Message);
        var invalid = (TextScriptModule)((AssertInvalidCommand)script.Commands[5]).Module;
        Assert.NotNull(invalid.Module);
    }

    [Fact]
    public void ABadTextModuleFailsOnlyItsOwnCommand()
    {
        var script = Parse("""
            (module (func (call $nowhere)))
            (assert_return (invoke "f") (i32.const 1))
            """);
        Assert.Equal(2, script.Commands.Count);
        var module = Assert.IsType<TextScriptModule>(Assert.IsType<ModuleCommand>(script.Commands[0]).Module);
        Assert.Null(module.Module);
        Assert.Equal("unknown function $nowhere", module.ParseError);
        Assert.Equal(new SourceLocation(1, 21), module.Error!.Location);
    }

    [Fact]
    public void AScriptOfBareModuleFieldsIsOneModule()
    {
        var script = Parse("(func (export \"f\")) (memory 1)");
        var module = Assert.IsType<TextScriptModule>(Assert.IsType<ModuleCommand>(Assert.Single(script.Commands)).Module);
        Assert.Single(module.Module!.Memories);
    }

    [Theory]
    [InlineData("(assert_return (invoke \"f\") (i32.const nan:canonical))", "NaN pattern with non-float type")]
    [InlineData("(assert_return (invoke \"f\") (v128.const i32x4 nan:canonical 0 0 0))", "invalid vector constant")]
    [InlineData("(assert_return (invoke \"f\") (v128.const i32x4 0 0 0))", "wrong number of lane literals")]
    [InlineData("(invoke \"f\" (i32.const 4294967296))", "constant out of range")]
    [InlineData("(invoke \"\\ff\")", "malformed UTF-8 encoding")]
    [InlineData("(frobnicate)", "unknown operator frobnicate")]
    [InlineData("(assert_return (invoke \"f\") (i32.const 0)", "unexpected end of input")]
    public void ScriptErrors(string text, string reason) =>
        Assert.Equal(reason, Assert.Throws<TextFormatException>(() => Parse(text)).Reason);
}
