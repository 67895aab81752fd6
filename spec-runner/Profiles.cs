using WasmHarness.Syntax;
using WasmHarness.Text;

namespace WasmHarness.SpecRunner;

/// <summary>A named selection of the suite's scripts, e.g. the files that need only Wasm 2.0.</summary>
public sealed record SuiteProfile(string Name, string Description, IReadOnlySet<string> Files)
{
    public bool Contains(string relativePath) => Files.Contains(relativePath);
}

/// <summary>
/// The profiles the spec runner knows. Each is an explicit list, so a profile never shrinks silently; a test
/// checks each list against <see cref="FeatureSurvey"/> (which features the file's modules really use).
/// </summary>
public static class Profiles
{
    /// <summary>
    /// Files of the core suite whose modules (every module the script defines, valid or not) use no Wasm 3.0
    /// feature, per <see cref="FeatureDetector"/>: what an engine of Wasm 2.0 must pass.
    /// </summary>
    public static readonly SuiteProfile Wasm2 = new("wasm2", "the files that need only Wasm 2.0 features", new HashSet<string>(StringComparer.Ordinal)
    {
        "address.wast",
        "align.wast",
        "binary-gc.wast",
        "binary.wast",
        "block.wast",
        "br.wast",
        "call.wast",
        "comments.wast",
        "const.wast",
        "conversions.wast",
        "custom.wast",
        "endianness.wast",
        "f32.wast",
        "f32_bitwise.wast",
        "f32_cmp.wast",
        "f64.wast",
        "f64_bitwise.wast",
        "f64_cmp.wast",
        "fac.wast",
        "float_exprs.wast",
        "float_literals.wast",
        "float_memory.wast",
        "float_misc.wast",
        "forward.wast",
        "i32.wast",
        "i64.wast",
        "id.wast",
        "if.wast",
        "inline-module.wast",
        "int_exprs.wast",
        "int_literals.wast",
        "labels.wast",
        "left-to-right.wast",
        "load.wast",
        "local_get.wast",
        "local_set.wast",
        "loop.wast",
        "memory.wast",
        "memory_copy.wast",
        "memory_fill.wast",
        "memory_init.wast",
        "memory_redundancy.wast",
        "memory_size.wast",
        "memory_trap.wast",
        "names.wast",
        "nop.wast",
        "obsolete-keywords.wast",
        "return.wast",
        "simd_address.wast",
        "simd_align.wast",
        "simd_bit_shift.wast",
        "simd_bitwise.wast",
        "simd_boolean.wast",
        "simd_const.wast",
        "simd_conversions.wast",
        "simd_f32x4.wast",
        "simd_f32x4_arith.wast",
        "simd_f32x4_cmp.wast",
        "simd_f32x4_pmin_pmax.wast",
        "simd_f32x4_rounding.wast",
        "simd_f64x2.wast",
        "simd_f64x2_arith.wast",
        "simd_f64x2_cmp.wast",
        "simd_f64x2_pmin_pmax.wast",
        "simd_f64x2_rounding.wast",
        "simd_i16x8_arith.wast",
        "simd_i16x8_arith2.wast",
        "simd_i16x8_cmp.wast",
        "simd_i16x8_extadd_pairwise_i8x16.wast",
        "simd_i16x8_extmul_i8x16.wast",
        "simd_i16x8_q15mulr_sat_s.wast",
        "simd_i16x8_sat_arith.wast",
        "simd_i32x4_arith.wast",
        "simd_i32x4_arith2.wast",
        "simd_i32x4_cmp.wast",
        "simd_i32x4_dot_i16x8.wast",
        "simd_i32x4_extadd_pairwise_i16x8.wast",
        "simd_i32x4_extmul_i16x8.wast",
        "simd_i32x4_trunc_sat_f32x4.wast",
        "simd_i32x4_trunc_sat_f64x2.wast",
        "simd_i64x2_arith.wast",
        "simd_i64x2_arith2.wast",
        "simd_i64x2_cmp.wast",
        "simd_i64x2_extmul_i32x4.wast",
        "simd_i8x16_arith.wast",
        "simd_i8x16_arith2.wast",
        "simd_i8x16_cmp.wast",
        "simd_i8x16_sat_arith.wast",
        "simd_int_to_int_extend.wast",
        "simd_lane.wast",
        "simd_linking.wast",
        "simd_load.wast",
        "simd_load16_lane.wast",
        "simd_load32_lane.wast",
        "simd_load64_lane.wast",
        "simd_load8_lane.wast",
        "simd_load_extend.wast",
        "simd_load_splat.wast",
        "simd_load_zero.wast",
        "simd_select.wast",
        "simd_splat.wast",
        "simd_store.wast",
        "simd_store16_lane.wast",
        "simd_store32_lane.wast",
        "simd_store64_lane.wast",
        "simd_store8_lane.wast",
        "skip-stack-guard-page.wast",
        "stack.wast",
        "start.wast",
        "store.wast",
        "switch.wast",
        "table_fill.wast",
        "table_size.wast",
        "traps.wast",
        "type.wast",
        "unreachable.wast",
        "unwind.wast",
        "utf8-custom-section-id.wast",
        "utf8-import-field.wast",
        "utf8-import-module.wast",
        "utf8-invalid-encoding.wast",
        "custom/branch_hint.wast",
        "custom/custom_annot.wast",
    });

    public static IReadOnlyList<SuiteProfile> All { get; } = [Wasm2];

    public static SuiteProfile? Find(string name) => All.FirstOrDefault(p => p.Name == name);
}

/// <summary>Which Wasm 3.0 features each script's modules use: the basis of the profiles, and a report of its own (<c>--features</c>).</summary>
public static class FeatureSurvey
{
    /// <summary>The union of the features of every module the script defines, in any command (unparsable modules count as none).</summary>
    public static Wasm3Features Of(string suiteRoot, string relativePath)
    {
        var script = WastParser.ParseScript(File.ReadAllText(Path.Combine(suiteRoot, relativePath)), relativePath);
        var features = Wasm3Features.None;
        foreach (var command in script.Commands)
        {
            var module = command switch
            {
                ModuleCommand c => c.Module,
                AssertInvalidCommand c => c.Module,
                AssertMalformedCommand c => c.Module,
                AssertUnlinkableCommand c => c.Module,
                AssertModuleTrapCommand c => c.Module,
                _ => null,
            };
            if (module is not null && ModuleLoader.Parse(module) is { } parsed)
            {
                features |= FeatureDetector.Of(parsed);
            }
        }
        return features;
    }
}
