using WasmHarness.Tests.Shared;
using WasmHarness.Wast;
using System.Runtime.Intrinsics;

namespace WasmHarness.SpecRunner.Tests;

/// <summary>The named selections of files, and the platform line every run records.</summary>
public sealed class ProfileTests
{
    private static string SuiteRoot => CoreSuite.Root;

    private static IReadOnlyList<string> CoreFiles => SuiteFiles.Find(SuiteRoot, [], includeProposals: false);

    [CoreSuiteFact]
    public void Every_profile_lists_only_core_files_of_the_suite()
    {
        foreach (var profile in Profiles.All)
        {
            Assert.All(profile.Files, file => Assert.Contains(file, CoreFiles));
        }
    }

    [CoreSuiteFact]
    public void The_isa_profile_holds_every_simd_file_of_the_suite()
    {
        var simd = CoreFiles.Where(f => f.StartsWith("simd_", StringComparison.Ordinal) || f.StartsWith("relaxed_", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(simd);
        Assert.All(simd, file => Assert.Contains(file, Profiles.Isa.Files));
    }

    [Fact]
    public void The_platform_line_names_the_path_vector_code_takes()
    {
        var platform = SimdPlatform.Current;
        Assert.Equal(Vector128.IsHardwareAccelerated, platform.Vector128Accelerated);
        Assert.Contains(platform.Vector128Accelerated ? "on hardware" : "in software", platform.ToString(), StringComparison.Ordinal);
        if (platform.Vector128Accelerated)
        {
            Assert.NotEmpty(platform.InstructionSets);
        }
    }

    [Theory]
    [InlineData("binary.wast", WasmHarness.Validation.WasmFeatures.Wasm3)]
    [InlineData("proposals/custom-descriptors/binary.wast", WasmHarness.Validation.WasmFeatures.Wasm3)]
    [InlineData("proposals/custom-page-sizes/binary.wast", WasmHarness.Validation.WasmFeatures.Wasm3 | WasmHarness.Validation.WasmFeatures.CustomPageSizes)]
    [InlineData("proposals/wide-arithmetic/wide-arithmetic.wast", WasmHarness.Validation.WasmFeatures.Wasm3 | WasmHarness.Validation.WasmFeatures.WideArithmetic)]
    public void The_front_end_reads_a_script_as_Wasm3_plus_its_own_proposal(string relativePath, WasmHarness.Validation.WasmFeatures expected)
    {
        Assert.Equal(expected, SpecRun.FrontEndFeatures(relativePath));
    }
}
