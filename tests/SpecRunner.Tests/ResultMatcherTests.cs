using WasmHarness.Wast;
using WasmHarness.Engines;
using WasmHarness.Syntax;
using WasmHarness.Text;

namespace WasmHarness.SpecRunner.Tests;

public sealed class ResultMatcherTests
{
    [Theory]
    [InlineData(0x7FC0_0000u, true, true)]     // canonical, positive
    [InlineData(0xFFC0_0000u, true, true)]     // canonical, negative
    [InlineData(0x7FC0_0001u, false, true)]    // quiet with payload: arithmetic only
    [InlineData(0x7F80_0001u, false, false)]   // signalling: neither
    [InlineData(0x7F80_0000u, false, false)]   // infinity
    [InlineData(0x3F80_0000u, false, false)]   // 1.0
    public void Nan_classes_follow_the_spec(uint bits, bool canonical, bool arithmetic)
    {
        Assert.Equal(canonical, ResultMatcher.Matches(EngineValue.F32(bits), new NanPattern(ValueKind.F32, NanKind.Canonical)));
        Assert.Equal(arithmetic, ResultMatcher.Matches(EngineValue.F32(bits), new NanPattern(ValueKind.F32, NanKind.Arithmetic)));
    }

    [Fact]
    public void Vector_lanes_are_checked_one_by_one()
    {
        var value = EngineValue.V128(new V128(0x7FC0_0000_3F80_0000UL, 0));
        var lanes = new ResultPattern[]
        {
            new ExactPattern(new NumberValue(ValueKind.F32, 0x3F80_0000)),
            new NanPattern(ValueKind.F32, NanKind.Canonical),
            new ExactPattern(new NumberValue(ValueKind.F32, 0)),
            new ExactPattern(new NumberValue(ValueKind.F32, 0)),
        };
        Assert.True(ResultMatcher.Matches(value, new VectorPattern(LaneShape.F32x4, lanes)));
        lanes[0] = new ExactPattern(new NumberValue(ValueKind.F32, 0x4000_0000));
        Assert.False(ResultMatcher.Matches(value, new VectorPattern(LaneShape.F32x4, lanes)));
    }

    [Fact]
    public void Negative_integer_lanes_match_their_truncated_bits()
    {
        var value = EngineValue.V128(new V128(ulong.MaxValue, ulong.MaxValue));
        var lanes = Enumerable.Repeat<ResultPattern>(new ExactPattern(new NumberValue(ValueKind.I32, 0xFFFF_FFFF)), 16).ToList();
        Assert.True(ResultMatcher.Matches(value, new VectorPattern(LaneShape.I8x16, lanes)));
    }

    [Fact]
    public void References_match_by_class_and_host_identity()
    {
        Assert.True(ResultMatcher.Matches(EngineValue.Host(3), new ExactPattern(new ExternRefValue(3))));
        Assert.False(ResultMatcher.Matches(EngineValue.Host(3), new ExactPattern(new ExternRefValue(4))));
        Assert.True(ResultMatcher.Matches(EngineValue.Null, new ExactPattern(new NullRefValue(HeapType.Func))));
        Assert.False(ResultMatcher.Matches(EngineValue.Ref(ReferenceClass.Func), new RefPattern(RefPatternKind.Null)));
        Assert.True(ResultMatcher.Matches(EngineValue.Ref(ReferenceClass.Func), new EitherPattern([new RefPattern(RefPatternKind.Null), new RefPattern(RefPatternKind.Func)])));
    }
}
