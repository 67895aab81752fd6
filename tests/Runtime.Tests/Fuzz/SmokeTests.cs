using WasmHarness.Tests.Shared;
using WasmHarness.Fuzz;
using WasmHarness.Fuzz.Targets;
using Xunit.Abstractions;

namespace WasmHarness.Tests.Fuzz;

/// <summary>
/// Every fuzz target runs in process over the built-in seeds and a few hundred deterministic mutants of them, so the
/// targets' wiring cannot rot between campaigns: seeds must get through the front end, and nothing may escape
/// but the runtime's own errors.
/// </summary>
public sealed class SmokeTests(ITestOutputHelper output)
{
    public static TheoryData<string> Targets => [.. FuzzTarget.All.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Targets))]
    public void Target_handles_seeds_and_mutants(string name)
    {
        var target = FuzzTarget.Find(name)!;
        var seeds = BuiltinSeeds.For(target).ToList();
        var result = SelfFuzz.Run(target, seeds, iterations: 400, randomSeed: 20261125);
        output.WriteLine($"{name}: {result.Executions} executions; {result.Summary}");
        foreach (var (signature, input) in result.Findings)
        {
            output.WriteLine($"FINDING {signature}: {Convert.ToHexString(input)}");
        }
        Assert.Empty(result.Findings);
        Assert.True(result.Outcomes.GetValueOrDefault(Outcome.Valid) + result.Outcomes.GetValueOrDefault(Outcome.Skipped) >= seeds.Count - 1,
            "the built-in seeds must get through the front end");
        Assert.True(target.TakesGeneratorBytes || result.Outcomes.GetValueOrDefault(Outcome.Malformed) > 0, "mutants must reach the front end's error paths");
    }

    [Fact]
    public void Every_builtin_seed_is_valid()
    {
        foreach (var target in FuzzTarget.All.Where(t => t is not DifferentialTarget))
        {
            foreach (var seed in BuiltinSeeds.For(target))
            {
                Assert.Contains(target.Run(seed), new[] { Outcome.Valid, Outcome.Skipped });
            }
        }
    }

    [Fact]
    public void Run_target_stops_an_infinite_loop_with_fuel()
    {
        var module = """(module (func (export "spin") (loop $l (br $l))))""";
        var bytes = global::WasmHarness.Binary.ModuleEncoder.Encode(global::WasmHarness.Text.WatParser.ParseModule(module));
        Assert.Equal(Outcome.Valid, new RunTarget().Run(bytes));
    }

    [Fact]
    public void Jit_gen_target_fills_the_guest_map_by_the_path_of_each_input()
    {
        var target = new GeneratedJitRunTarget();
        Assert.NotNull(target.Coverage);
        var maps = new List<byte[]>();
        foreach (var seed in BuiltinSeeds.For(target).Take(8))
        {
            target.Run(seed);
            maps.Add((byte[])target.Coverage.Map.Clone());
        }
        Assert.Contains(maps, m => m.Any(b => b != 0));
        Assert.True(maps.Select(Convert.ToHexString).Distinct().Count() > 1, "different generated programs must take different guest edges");
    }

    [Fact]
    public void Roundtrip_target_reports_what_the_encoder_changes()
    {
        // A custom section survives the round trip; an input the encoder would change is a finding, which the
        // comparison of the two modules reports (here: none).
        var bytes = global::WasmHarness.Binary.ModuleEncoder.Encode(global::WasmHarness.Text.WatParser.ParseModule("(module (@custom \"x\" \"abc\"))"));
        Assert.Equal(Outcome.Valid, new RoundTripTarget().Run(bytes));
    }

    [Theory]
    [InlineData(0x7FC0_0000u, 0x7FC0_0001u, true)]
    [InlineData(0xFFC0_0000u, 0x7FC0_0000u, true)]
    [InlineData(0x7F80_0000u, 0x7FC0_0000u, false)]
    [InlineData(0x0000_0000u, 0x8000_0000u, false)]
    public void Differential_compares_nans_by_class(uint x, uint y, bool same) =>
        Assert.Equal(same, ValueComparer.Same(global::WasmHarness.Engines.EngineValue.F32(x), WasmHarness.Engines.EngineValue.F32(y)));

    [Fact]
    public void Differential_compares_vector_nans_lane_wise()
    {
        var x = global::WasmHarness.Engines.EngineValue.V128(new global::WasmHarness.Syntax.V128(0x7FC0_0000_3F80_0000, 0));
        var y = global::WasmHarness.Engines.EngineValue.V128(new global::WasmHarness.Syntax.V128(0x7FC0_0001_3F80_0000, 0));
        var z = global::WasmHarness.Engines.EngineValue.V128(new global::WasmHarness.Syntax.V128(0x7FC0_0001_3F80_0001, 0));
        Assert.True(ValueComparer.Same(x, y));
        Assert.False(ValueComparer.Same(x, z));
    }

    [CoreSuiteFact]
    public void Seed_corpus_comes_from_the_suite_when_it_is_there()
    {
        var root = SeedCorpus.LocateSuite();
        Assert.Equal(CoreSuite.Root, root);
        var binary = SeedCorpus.Build(new DecodeTarget(), root, 50);
        var text = SeedCorpus.Build(new TextTarget(), root, 50);
        Assert.Equal(50, binary.Count);
        Assert.Equal(50, text.Count);
        Assert.All(text, seed => Assert.StartsWith("(module", System.Text.Encoding.UTF8.GetString(seed), StringComparison.Ordinal));
    }

    [Fact]
    public void Triage_signature_names_the_exception_and_the_finding()
    {
        var signature = Triage.Signature(new FuzzFinding("roundtrip", "types[3]: expected 12, got 13"));
        Assert.Equal("FuzzFinding [roundtrip: types[N]: expected N, got N] at ?", signature);
    }
}
