using WasmHarness.Engines;
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
        ModuleGenerator.Generate(Unstructured.FromSeed(seed, 4096), GeneratorConfig.Swarm(Unstructured.FromSeed(seed, 64)) with { Imports = true });

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
