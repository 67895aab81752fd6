using WasmHarness.Generator;
using WasmHarness.Oracle;
using WasmHarness.Text;

namespace WasmHarness.Differential.Tests;

public class JitDeterminismTests
{
    [Fact]
    public void Compiling_generated_modules_twice_gives_the_same_il()
    {
        var compared = 0;
        for (var seed = 0L; seed < 60; seed++)
        {
            var module = Campaign.GenerateCase(Campaign.CaseSeed(29, seed), out _, GeneratorProfile.Wasm2);
            var first = JitDeterminism.Compile(module);
            if (first is null)
            {
                continue;
            }
            Assert.NotEmpty(first);
            Assert.Null(JitDeterminism.Compare(first, JitDeterminism.Compile(module)!));
            compared++;
        }
        Assert.True(compared > 40, $"only {compared} modules instantiated");
    }

    [Fact]
    public void The_listing_ends_with_the_il_size_and_a_different_compile_is_reported()
    {
        var a = JitDeterminism.Compile(WatParser.ParseModule("(module (func (export \"f\") (result i32) (i32.add (i32.const 1) (i32.const 2))))"))!;
        var b = JitDeterminism.Compile(WatParser.ParseModule("(module (func (export \"f\") (result i32) (i32.sub (i32.const 1) (i32.const 2))))"))!;
        Assert.Matches(@"// IL size \d+\n$", Assert.Single(a).Il);
        var difference = JitDeterminism.Compare(a, b);
        Assert.NotNull(difference);
        Assert.Contains("add", difference);
        Assert.Contains("sub", difference);
    }

    [Fact]
    public void A_campaign_with_the_jit_samples_the_check()
    {
        var result = Campaign.Run(new CampaignOptions { Engines = ["interp", "jit"], MaxCases = 20, Seconds = 120, JitIlCheckEvery = 4, RoundTrip = false });
        Assert.Equal(5, result.JitIlChecks);
        Assert.Equal(0, result.Divergences);
    }
}
