using System.Text;
using WasmHarness.Execution;

namespace WasmHarness.Tests.Jit;

/// <summary>
/// The vector instructions the JIT compiles inline (<c>JitSimd</c>) against the interpreter, bit for bit: lanes
/// built from float edge cases (NaNs with payloads and signs, ±0, the i32 range's ends) and integer edge cases,
/// in every pairing, so NaN propagation, saturation and lane order must all agree.
/// </summary>
public sealed class JitSimdTests
{
    private static readonly string[] Binary =
    [
        "f32x4.min", "f32x4.max", "f64x2.min", "f64x2.max", "f32x4.add", "f32x4.sub", "f32x4.mul", "f32x4.div",
        "f64x2.add", "f64x2.div", "f32x4.ne", "f32x4.lt", "f64x2.ge", "i8x16.narrow_i16x8_s", "i8x16.narrow_i16x8_u",
        "i16x8.narrow_i32x4_s", "i16x8.narrow_i32x4_u", "i32x4.min_u", "i8x16.max_s", "i64x2.lt_s", "i16x8.gt_u",
        "i64x2.mul", "i16x8.mul", "v128.andnot", "i8x16.add",
    ];

    private static readonly string[] Unary = ["i32x4.trunc_sat_f32x4_s", "f32x4.abs", "f64x2.neg", "v128.not", "i8x16.bitmask", "i64x2.all_true", "v128.any_true"];

    private static readonly uint[] F32Lanes =
    [
        0x00000000, 0x80000000, 0x3f800000, 0xbf000000, 0x4effffff, 0x4f000000, 0xcf000000, 0xcf000001, 0x7f800000, 0xff800000,
        0x7fc00000, 0xffc00000, 0x7fa00001, 0xffc12345, 0x7f812345, 0x00000001,
    ];

    private static string ModuleText()
    {
        var text = new StringBuilder("(module\n");
        foreach (var op in Binary)
        {
            text.Append($"""
                (func (export "{op}") (param i64 i64 i64 i64) (result i64 i64) (local v128)
                  ({op} (i64x2.replace_lane 1 (i64x2.splat (local.get 0)) (local.get 1)) (i64x2.replace_lane 1 (i64x2.splat (local.get 2)) (local.get 3)))
                  (local.set 4) (i64x2.extract_lane 0 (local.get 4)) (i64x2.extract_lane 1 (local.get 4)))

                """);
        }
        foreach (var op in Unary)
        {
            var scalar = op.EndsWith("true", StringComparison.Ordinal) || op.EndsWith("bitmask", StringComparison.Ordinal);
            var result = scalar ? "(i64.extend_i32_u) (i64.const 0)" : "(local.set 2) (i64x2.extract_lane 0 (local.get 2)) (i64x2.extract_lane 1 (local.get 2))";
            text.Append($"""
                (func (export "{op}") (param i64 i64) (result i64 i64) (local v128)
                  ({op} (i64x2.replace_lane 1 (i64x2.splat (local.get 0)) (local.get 1))) {result})

                """);
        }
        // Shuffle with lanes from both sources, and a load/store round trip at an offset.
        text.Append("""
              (memory 1)
              (func (export "shuffle") (param i64 i64 i64 i64) (result i64 i64) (local v128)
                (i8x16.shuffle 0 17 2 19 31 16 15 1 8 24 9 25 3 3 30 7
                  (i64x2.replace_lane 1 (i64x2.splat (local.get 0)) (local.get 1)) (i64x2.replace_lane 1 (i64x2.splat (local.get 2)) (local.get 3)))
                (local.set 4) (i64x2.extract_lane 0 (local.get 4)) (i64x2.extract_lane 1 (local.get 4)))
              (func (export "round-trip") (param i64 i64 i64 i64) (result i64 i64) (local v128)
                (v128.store offset=3 (i32.const 7) (i64x2.replace_lane 1 (i64x2.splat (local.get 0)) (local.get 1)))
                (local.set 4 (i32x4.add (v128.load offset=5 (i32.const 5)) (v128.load32_splat offset=1 (i32.const 9))))
                (i64x2.extract_lane 0 (local.get 4)) (i64x2.extract_lane 1 (local.get 4)))
            )
            """);
        return text.ToString();
    }

    private static ModuleInstance Instantiate(ExecutionTier tier)
    {
        var engine = new Engine(new EngineOptions { Tier = tier });
        return CompiledModule.FromText(engine, ModuleText()).Instantiate(new Store(engine));
    }

    /// <summary>Two 64-bit halves of a vector: float lanes paired so that every lane meets every other lane somewhere.</summary>
    private static IEnumerable<(long Low, long High)> Vectors()
    {
        for (var i = 0; i < F32Lanes.Length; i += 2)
        {
            for (var j = 0; j < F32Lanes.Length; j += 2)
            {
                yield return ((long)(F32Lanes[i] | ((ulong)F32Lanes[i + 1] << 32)), (long)(F32Lanes[j] | ((ulong)F32Lanes[j + 1] << 32)));
            }
        }
        yield return (0x7ff4000000000001, unchecked((long)0xfff8000000000000));
        yield return (unchecked((long)0x8000000000000000), 0);
        yield return (0x7fff_8000_00ff_ff80, unchecked((long)0x8001_7fff_0100_feff));
    }

    [Fact]
    public void Inline_vector_instructions_match_the_interpreter_bit_for_bit()
    {
        var jit = Instantiate(ExecutionTier.Jit);
        var interpreter = Instantiate(ExecutionTier.Interpreter);
        var vectors = Vectors().ToArray();
        var checkedCount = 0;
        foreach (var op in Binary.Append("shuffle").Append("round-trip"))
        {
            foreach (var (aLow, aHigh) in vectors)
            {
                foreach (var (bLow, bHigh) in vectors)
                {
                    Value[] args = [Value.FromI64(aLow), Value.FromI64(aHigh), Value.FromI64(bLow), Value.FromI64(bHigh)];
                    var (expected, actual) = (Bits(interpreter.Invoke(op, args)), Bits(jit.Invoke(op, args)));
                    Assert.True(expected == actual, $"{op}({aLow:x16} {aHigh:x16}, {bLow:x16} {bHigh:x16}): interp {expected}, jit {actual}");
                    checkedCount++;
                }
            }
        }
        foreach (var op in Unary)
        {
            foreach (var (low, high) in vectors)
            {
                Value[] args = [Value.FromI64(low), Value.FromI64(high)];
                Assert.Equal(Bits(interpreter.Invoke(op, args)), Bits(jit.Invoke(op, args)));
            }
        }
        Assert.True(checkedCount > 1000);
    }

    [Fact]
    public void Min_and_max_follow_the_spec_for_zeros_and_nans()
    {
        var jit = Instantiate(ExecutionTier.Jit);
        // Lanes: (+0, -0) and (1, NaN with payload 0x12345).
        var a = (long)(0x00000000UL | (0x3f800000UL << 32));
        var b = (long)(0x80000000UL | (0x7fc12345UL << 32));
        var min = jit.Invoke("f32x4.min", Value.FromI64(a), Value.FromI64(0), Value.FromI64(b), Value.FromI64(0));
        var max = jit.Invoke("f32x4.max", Value.FromI64(a), Value.FromI64(0), Value.FromI64(b), Value.FromI64(0));
        Assert.Equal(0x80000000UL, (ulong)min[0].I64 & 0xffffffff);
        Assert.Equal(0UL, (ulong)max[0].I64 & 0xffffffff);
        Assert.True(float.IsNaN(BitConverter.UInt32BitsToSingle((uint)((ulong)min[0].I64 >> 32))));
        Assert.True(float.IsNaN(BitConverter.UInt32BitsToSingle((uint)((ulong)max[0].I64 >> 32))));
    }

    [Fact]
    public void Vector_loads_and_stores_trap_out_of_bounds()
    {
        var engine = new Engine(new EngineOptions { Tier = ExecutionTier.Jit });
        var instance = CompiledModule.FromText(engine, """
            (module (memory 1)
              (func (export "load") (param i32) (result i64) (i64x2.extract_lane 0 (v128.load offset=1 (local.get 0))))
              (func (export "store") (param i32) (v128.store (local.get 0) (v128.const i64x2 1 2))))
            """).Instantiate(new Store(engine));
        Assert.Equal(0, instance.Invoke("load", Value.FromI32(65536 - 17))[0].I64);
        Assert.Throws<TrapException>(() => instance.Invoke("load", Value.FromI32(65536 - 16)));
        Assert.Throws<TrapException>(() => instance.Invoke("store", Value.FromI32(65536 - 15)));
        instance.Invoke("store", Value.FromI32(65536 - 16));
    }

    private static string Bits(Value[] results) => string.Join(",", results.Select(r => $"{r.Low:x16}"));
}
