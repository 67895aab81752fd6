using WasmHarness.Engines;
using WasmHarness.Engines.Wasmtime;
using WasmHarness.Generator;
using WasmHarness.Oracle;
using WasmHarness.Syntax;
using WasmHarness.Text;
using WasmHarness.Validation;

namespace WasmHarness.Differential.Tests;

/// <summary>Generated imports (issue 22): a case imports from a second generated module it carries.</summary>
public class ImportTests
{
    private static Module Generate(ulong seed) =>
        ModuleGenerator.Generate(Unstructured.FromSeed(seed, 4096), GeneratorConfig.Swarm(Unstructured.FromSeed(seed, 64)) with { Imports = true, HostFunctions = false });

    [Fact]
    public void A_case_with_imports_carries_a_valid_provider_that_it_links_to_on_both_tiers()
    {
        int linked = 0, mutableGlobals = 0, memories = 0, tables = 0, functions = 0;
        var oracle = new DifferentialOracle(EngineRegistry.Ours().Create(["interp", "jit"]));
        for (var seed = 0UL; seed < 60; seed++)
        {
            var module = Generate(seed);
            var providers = ProviderModules.Of(module);
            Assert.Single(providers);
            ModuleValidator.Validate(providers[0].Module);
            ModuleValidator.Validate(module);
            Assert.All(module.Imports, import => Assert.Equal(ProviderModules.Name, import.Module));
            mutableGlobals += module.ImportsOf(ExternKind.Global).Count(i => ((GlobalType)i.Type).Mutable);
            memories += module.ImportedMemoryCount;
            tables += module.ImportedTableCount;
            functions += module.ImportedFunctionCount;

            var report = oracle.Check(module, seed);
            Assert.True(report.Verdict == Verdict.Agree, $"seed {seed}: {DifferentialOracle.Describe(report)}");
            linked += report.Calls > 0 ? 1 : 0;
        }
        // Most cases link and run; every kind of import occurs.
        Assert.True(linked > 50, $"only {linked} of 60 cases linked and ran");
        Assert.True(mutableGlobals > 0 && memories > 0 && tables > 0 && functions > 0, $"imports: {mutableGlobals} mutable globals, {memories} memories, {tables} tables, {functions} functions");
    }

    [Fact]
    public void Cases_with_host_functions_link_and_agree_on_both_tiers()
    {
        var oracle = new DifferentialOracle(EngineRegistry.Ours().Create(["interp", "jit"]));
        var ran = 0;
        for (var seed = 0UL; seed < 40; seed++)
        {
            var module = ModuleGenerator.Generate(Unstructured.FromSeed(seed, 4096), GeneratorConfig.Swarm(Unstructured.FromSeed(seed, 64)) with { HostFunctions = true });
            Assert.Equal(HostModule.Functions.Count, module.ImportsOf(ExternKind.Function).Count(i => i.Module == HostModule.Name));
            Assert.Contains(module.Exports, e => e.Name == HostModule.CallbackExport);
            var report = oracle.Check(module, seed);
            Assert.True(report.Verdict == Verdict.Agree, $"seed {seed}: {DifferentialOracle.Describe(report)}");
            ran += report.Calls > 0 ? 1 : 0;
        }
        Assert.True(ran > 35, $"only {ran} of 40 cases linked and ran");
    }

    /// <summary>The host's semantics, through the engine-neutral definition, on both tiers: mixing, re-entry, a trap caught by the host, the depth bound.</summary>
    [Theory]
    [InlineData("interp")]
    [InlineData("jit")]
    [InlineData("wasmtime")]
    public void The_host_module_mixes_reenters_and_survives_a_trap_in_the_callback(string tier)
    {
        var module = WatParser.ParseModule("""
            (module
              (import "host" "mix_i32" (func $mix (param i32 i32) (result i32)))
              (import "host" "reenter" (func $reenter (param i32) (result i32)))
              (global $calls (export "calls") (mut i32) (i32.const 0))
              (func (export "callback") (param i32) (result i32)
                (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
                (if (i32.eq (local.get 0) (i32.const 100)) (then unreachable))
                (if (result i32) (i32.ge_u (local.get 0) (i32.const 50)) (then (call $reenter (local.get 0))) (else (i32.mul (local.get 0) (i32.const 2)))))
              (func (export "mix") (result i32) (call $mix (i32.const 1) (i32.const 2)))
              (func (export "once") (result i32) (call $reenter (i32.const 5)))
              (func (export "trapping") (result i32) (call $reenter (i32.const 99)))
              (func (export "deep") (result i32) (call $reenter (i32.const 50))))
            """);
        using var session = EngineRegistry.Ours().WithWasmtime().Create(tier).CreateSession();
        OracleHost.Define(session);
        var instance = session.Instantiate(new ModuleArtifact(module));
        int Call(string export) => (int)(uint)session.Invoke(instance, export, [])[0].Low;

        Assert.Equal(HostModule.MixI32(1, 2), Call("mix"));
        Assert.Equal(12 ^ 0x5BD1E995, Call("once"));      // callback(6) = 12
        Assert.Equal(-1, Call("trapping"));              // callback(100) traps; the host catches it
        Assert.Equal(12 ^ 0x5BD1E995, Call("once"));      // and the instance goes on
        // reenter(50) → callback(51) → reenter(51) → ... until MaxReentry re-entries are under way: -2, then each level xors.
        var expected = -2;
        for (var level = 0; level < HostModule.MaxReentry; level++)
        {
            expected ^= 0x5BD1E995;
        }
        Assert.Equal(expected, Call("deep"));
    }

    [Fact]
    public void A_private_copy_of_an_imported_mutable_global_is_wrong_after_a_write_and_right_before_it()
    {
        var provider = WatParser.ParseModule("""
            (module (global (export "g") (mut i32) (i32.const 5))
                    (func (export "set") (param i32) (global.set 0 (local.get 0))))
            """);
        var module = WatParser.ParseModule("""
            (module (import "provider" "g" (global $g (mut i32))) (import "provider" "set" (func $set (param i32)))
                    (func (export "plain") (result i32) (global.get $g))
                    (func (export "edge") (result i32) (call $set (i32.const 9)) (global.get $g)))
            """);
        var fault = FaultCatalog.Find("imported-global-read-private-copy")!;
        Assert.True(FaultCatalog.Covers(fault, module));
        foreach (var tier in new[] { "interp", "jit" })
        {
            string Run(IEngine engine, string export)
            {
                using var session = engine.CreateSession();
                session.Register("provider", session.Instantiate(new ModuleArtifact(provider)));
                return string.Join(",", session.Invoke(session.Instantiate(new ModuleArtifact(module)), export, []));
            }
            var (faulty, clean) = (FaultCatalog.Faulty(tier, fault), EngineRegistry.Ours().Create(tier));
            Assert.Equal(Run(clean, "plain"), Run(faulty, "plain"));
            Assert.Equal("i32:9", Run(clean, "edge"));
            Assert.Equal("i32:5", Run(faulty, "edge"));
        }
    }
}
