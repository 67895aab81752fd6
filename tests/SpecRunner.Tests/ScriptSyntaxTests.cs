using WasmHarness.Engines;
using WasmHarness.Syntax;
using WasmHarness.Wast;

namespace WasmHarness.SpecRunner.Tests;

/// <summary>Values and patterns printed in .wast syntax, so that what a failure prints can be pasted into a script.</summary>
public sealed class ScriptSyntaxTests
{
    [Theory]
    [InlineData(ValueKind.I32, 0xFFFF_FFFFUL, "(i32.const -1)")]
    [InlineData(ValueKind.I64, 5UL, "(i64.const 5)")]
    [InlineData(ValueKind.F32, 0x3DCC_CCCDUL, "(f32.const 0.1)")]
    [InlineData(ValueKind.F32, 0x7FC0_0000UL, "(f32.const nan)")]
    [InlineData(ValueKind.F32, 0xFFA0_0000UL, "(f32.const -nan:0x200000)")]
    [InlineData(ValueKind.F32, 0xFF80_0000UL, "(f32.const -inf)")]
    [InlineData(ValueKind.F64, 0x8000_0000_0000_0000UL, "(f64.const -0)")]
    [InlineData(ValueKind.F64, 0x7FF8_0000_0000_0001UL, "(f64.const nan:0x8000000000001)")]
    public void Numbers_are_script_constants(ValueKind kind, ulong bits, string expected) =>
        Assert.Equal(expected, ScriptSyntax.Format(new EngineValue(kind, bits)));

    [Fact]
    public void Vectors_references_and_patterns_are_script_forms()
    {
        Assert.Equal("(v128.const i32x4 0x00000001 0x00000002 0x00000003 0x00000004)", ScriptSyntax.Format(EngineValue.V128(new V128(0x0000_0002_0000_0001, 0x0000_0004_0000_0003))));
        Assert.Equal("(ref.extern 7)", ScriptSyntax.Format(EngineValue.Host(7)));
        Assert.Equal("(ref.struct)", ScriptSyntax.Format(EngineValue.Ref(ReferenceClass.Struct)));
        Assert.Equal("nothing", ScriptSyntax.Format(Array.Empty<EngineValue>()));
        Assert.Equal("(f64.const nan:arithmetic)", ScriptSyntax.Format(new NanPattern(ValueKind.F64, NanKind.Arithmetic)));
        Assert.Equal("(v128.const f32x4 1 nan:canonical -2.5 inf)", ScriptSyntax.Format(new VectorPattern(LaneShape.F32x4,
            [new ExactPattern(new NumberValue(ValueKind.F32, 0x3F80_0000)), new NanPattern(ValueKind.F32, NanKind.Canonical), new ExactPattern(new NumberValue(ValueKind.F32, 0xC020_0000)), new ExactPattern(new NumberValue(ValueKind.F32, 0x7F80_0000))])));
        Assert.Equal("(either (i32.const 1) (ref.null))", ScriptSyntax.Format(new EitherPattern([new ExactPattern(new NumberValue(ValueKind.I32, 1)), new RefPattern(RefPatternKind.Null)])));
        Assert.Equal("(ref.null func)", ScriptSyntax.Format(new NullRefValue(HeapType.Func)));
    }
}
