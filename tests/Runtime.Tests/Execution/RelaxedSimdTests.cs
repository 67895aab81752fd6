using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using WasmHarness.Execution;

namespace WasmHarness.Tests.Execution;

/// <summary>
/// <see cref="EngineOptions.RelaxedSimd"/>: the deterministic choice on every host, the host's instruction with
/// <see cref="RelaxedSimdMode.Native"/>, the same on both tiers (inputs chosen where the two choices differ).
/// </summary>
public sealed class RelaxedSimdTests
{
    private const string Module = """
        (module
          ;; lane 0 of relaxed_swizzle([10, 11, ..., 25], [index, 0, ...])
          (func (export "swizzle") (param i32) (result i32)
            (i8x16.extract_lane_u 0
              (i8x16.relaxed_swizzle (v128.const i8x16 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25)
                                     (i8x16.replace_lane 0 (v128.const i64x2 0 0) (local.get 0)))))
          (func (export "trunc") (param f32) (result i32)
            (i32x4.extract_lane 0 (i32x4.relaxed_trunc_f32x4_s (f32x4.splat (local.get 0)))))
          (func (export "madd") (param f32 f32 f32) (result f32)
            (f32x4.extract_lane 0 (f32x4.relaxed_madd (f32x4.splat (local.get 0)) (f32x4.splat (local.get 1)) (f32x4.splat (local.get 2)))))
          (func (export "q15mulr") (param i32 i32) (result i32)
            (i16x8.extract_lane_s 0 (i16x8.relaxed_q15mulr_s (i16x8.splat (local.get 0)) (i16x8.splat (local.get 1))))))
        """;

    public static TheoryData<ExecutionTier> Tiers() => [ExecutionTier.Interpreter, ExecutionTier.Jit];

    private static ModuleInstance Instantiate(ExecutionTier tier, RelaxedSimdMode mode)
    {
        var engine = new Engine(new EngineOptions { Tier = tier, RelaxedSimd = mode });
        return CompiledModule.FromText(engine, Module).Instantiate(new Store(engine));
    }

    // 1 + 2^-12 squared is 1 + 2^-11 + 2^-24: the separate multiply rounds the 2^-24 away, a fused one keeps it.
    private static readonly float Near1 = 1 + MathF.Pow(2, -12);
    private static readonly float MinusProduct = -(1 + MathF.Pow(2, -11));

    [Theory]
    [MemberData(nameof(Tiers))]
    public void Deterministic_mode_gives_the_non_relaxed_result(ExecutionTier tier)
    {
        var instance = Instantiate(tier, RelaxedSimdMode.Deterministic);
        Assert.Equal(0, instance.Invoke("swizzle", Value.FromI32(17))[0].I32);
        Assert.Equal(11, instance.Invoke("swizzle", Value.FromI32(1))[0].I32);
        Assert.Equal(0, instance.Invoke("trunc", Value.FromF32(float.NaN))[0].I32);
        Assert.Equal(int.MaxValue, instance.Invoke("trunc", Value.FromF32(3e9f))[0].I32);
        Assert.Equal(0f, instance.Invoke("madd", Value.FromF32(Near1), Value.FromF32(Near1), Value.FromF32(MinusProduct))[0].F32);
        Assert.Equal(short.MaxValue, instance.Invoke("q15mulr", Value.FromI32(-32768), Value.FromI32(-32768))[0].I32);
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void Native_mode_gives_the_hosts_result(ExecutionTier tier)
    {
        var instance = Instantiate(tier, RelaxedSimdMode.Native);
        Assert.Equal(11, instance.Invoke("swizzle", Value.FromI32(1))[0].I32);
        Assert.Equal(Ssse3.IsSupported ? 11 : 0, instance.Invoke("swizzle", Value.FromI32(17))[0].I32);
        Assert.Equal(0, instance.Invoke("swizzle", Value.FromI32(0x80))[0].I32);
        Assert.Equal(Sse2.IsSupported ? int.MinValue : 0, instance.Invoke("trunc", Value.FromF32(float.NaN))[0].I32);
        Assert.Equal(Sse2.IsSupported ? int.MinValue : int.MaxValue, instance.Invoke("trunc", Value.FromF32(3e9f))[0].I32);
        var fused = Fma.IsSupported || AdvSimd.IsSupported;
        Assert.Equal(fused ? MathF.Pow(2, -24) : 0f, instance.Invoke("madd", Value.FromF32(Near1), Value.FromF32(Near1), Value.FromF32(MinusProduct))[0].F32);
        Assert.Equal(Ssse3.IsSupported ? short.MinValue : short.MaxValue, instance.Invoke("q15mulr", Value.FromI32(-32768), Value.FromI32(-32768))[0].I32);
    }
}
