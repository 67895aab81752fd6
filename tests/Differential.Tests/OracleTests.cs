using WasmHarness.Engines;
using WasmHarness.Generator;
using WasmHarness.Oracle;
using WasmHarness.Engines.Wasmtime;
using WasmHarness.Text;

namespace WasmHarness.Differential.Tests;

public class OracleTests
{
    [Fact]
    public void The_interpreter_agrees_with_its_own_round_trip_on_generated_cases()
    {
        var result = Campaign.Run(new CampaignOptions { Engines = ["interp"], Seconds = 60, MaxCases = 150, Seed = 21 });
        Assert.Equal(0, result.Divergences);
        Assert.Equal(150, result.Cases);
        Assert.True(result.Calls > 300);
    }

    [Fact]
    public void The_interpreter_agrees_with_wasmtime_on_generated_cases()
    {
        var result = Campaign.Run(new CampaignOptions { Registry = EngineRegistry.Ours().WithWasmtime(), Engines = ["interp", "wasmtime"], Seconds = 60, MaxCases = 60, Seed = 22, RoundTrip = false });
        Assert.True(result.Divergences == 0, string.Join("\n", result.Found.Select(f => f.Detail)));
        Assert.Equal(60, result.Cases);
    }

    [Fact]
    public void Memories_tables_and_globals_are_read_alike_by_both_engines()
    {
        var module = WatParser.ParseModule("""
            (module
              (memory (export "mem") 1 2)
              (table (export "table") 3 funcref)
              (global (export "g") (mut i64) (i64.const -5))
              (func $f (export "f") (param i32) (result i32)
                (i32.store8 (i32.const 7) (local.get 0))
                (table.set (i32.const 1) (ref.func $f))
                (global.set 0 (i64.const 9))
                (i32.add (local.get 0) (i32.const 1))))
            """);
        var oracle = new DifferentialOracle([new InterpreterEngine(), new WasmtimeEngine()]);
        var report = oracle.Check(module, 1);
        Assert.Equal(Verdict.Agree, report.Verdict);

        using var session = new InterpreterEngine().CreateSession();
        var instance = session.Instantiate(new ModuleArtifact(module));
        session.Invoke(instance, "f", [EngineValue.I32(0x1AB)]);
        var memory = session.ReadMemory(instance, "mem");
        Assert.Equal(65536, memory.Length);
        Assert.Equal(0xAB, memory[7]);
        Assert.Equal([EngineValue.Null, EngineValue.Ref(ReferenceClass.Func), EngineValue.Null], session.ReadTable(instance, "table"));

        // The in-place read the oracle compares with sees the same bytes, on our tier and on wasmtime.
        Assert.Equal((65536, 0xAB), session.ReadMemory(instance, "mem", bytes => (bytes.Length, bytes[7])));
        using var wasmtime = new WasmtimeEngine();
        using var other = wasmtime.CreateSession();
        var otherInstance = other.Instantiate(new ModuleArtifact(module));
        other.Invoke(otherInstance, "f", [EngineValue.I32(0x1AB)]);
        Assert.Equal((65536, 0xAB), other.ReadMemory(otherInstance, "mem", bytes => (bytes.Length, bytes[7])));
    }

    [Fact]
    public void Wasmtime_reads_a_shared_memory_export_as_our_tiers_do()
    {
        // The Wasmtime package's GetMemory answers null for a shared memory; the engine reads it through the C API.
        var module = WatParser.ParseModule("""
            (module
              (memory (export "mem") 1 2 shared)
              (func (export "f") (param i32) (result i32)
                (i32.atomic.store (i32.const 8) (local.get 0))
                (drop (memory.grow (i32.const 1)))
                (i32.atomic.rmw.add (i32.const 8) (i32.const 1))))
            """);
        Assert.Equal(Verdict.Agree, new DifferentialOracle([new InterpreterEngine(), new WasmtimeEngine()]).Check(module, 1).Verdict);

        using var engine = new WasmtimeEngine();
        using var session = engine.CreateSession();
        var instance = session.Instantiate(new ModuleArtifact(module));
        session.Invoke(instance, "f", [EngineValue.I32(0x01020304)]);
        var memory = session.ReadMemory(instance, "mem");
        Assert.Equal(2 * 65536, memory.Length);
        Assert.Equal([0x05, 0x03, 0x02, 0x01], memory[8..12]);
    }

    [Fact]
    public void A_memory_difference_is_a_divergence()
    {
        // The faulty interpreter stores one byte where the real one stores two: only memory shows it.
        var module = WatParser.ParseModule("""
            (module
              (memory (export "mem") 1)
              (func (export "f") (i32.store16 (i32.const 0) (i32.const 0x1234))))
            """);
        var fault = FaultCatalog.Find("i32.store16->i32.store8")!;
        var report = new DifferentialOracle([FaultCatalog.FaultyInterpreter(fault), new InterpreterEngine()]).Check(module, 1);
        Assert.Equal(Verdict.Divergence, report.Verdict);
        Assert.Equal("memory", report.Category);
    }

    [Fact]
    public void Fault_injection_is_inert_for_other_engines()
    {
        var module = WatParser.ParseModule("""(module (func (export "f") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))""");
        var faulty = FaultCatalog.FaultyInterpreter(FaultCatalog.Find("i32.add->i32.sub")!);
        using var a = faulty.CreateSession();
        using var b = new InterpreterEngine().CreateSession();
        var ia = a.Instantiate(new ModuleArtifact(module));
        var ib = b.Instantiate(new ModuleArtifact(module));
        Assert.Equal(EngineValue.I32(-1), a.Invoke(ia, "f", [EngineValue.I32(2), EngineValue.I32(3)])[0]);
        Assert.Equal(EngineValue.I32(5), b.Invoke(ib, "f", [EngineValue.I32(2), EngineValue.I32(3)])[0]);
    }

    [Fact]
    public void Jit_fault_injection_changes_only_that_jit_engine()
    {
        var module = WatParser.ParseModule("""(module (func (export "f") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))""");
        var faulty = FaultCatalog.FaultyJit(FaultCatalog.Find("i32.add->i32.sub")!);
        Assert.Equal("jit!i32.add->i32.sub", faulty.Name);
        foreach (var (engine, expected) in new (IEngine, int)[] { (faulty, -1), (new JitEngine(), 5), (new InterpreterEngine(), 5) })
        {
            using var session = engine.CreateSession();
            var instance = session.Instantiate(new ModuleArtifact(module));
            Assert.Equal(EngineValue.I32(expected), session.Invoke(instance, "f", [EngineValue.I32(2), EngineValue.I32(3)])[0]);
        }
    }

    [Theory]
    [InlineData("br_if-inverted")]
    [InlineData("i32.store16->i32.store8")]
    [InlineData("table.get-index+1")]
    [InlineData("f32x4.min->f32x4.pmin")]
    public void A_short_campaign_detects_an_injected_jit_fault(string name)
    {
        var fault = FaultCatalog.Find(name)!;
        var result = Campaign.Run(new CampaignOptions
        {
            Engines = ["jit"], Fault = fault, Seconds = 60, Seed = 1, Profile = GeneratorProfile.Wasm2, SelectCoveringCases = true, RoundTrip = false,
        });
        Assert.True(result.Divergences > 0, $"{name} not detected in {result.Cases} cases");
        Assert.StartsWith("jit!", result.Engines, StringComparison.Ordinal);
        Assert.EndsWith(",interp", result.Engines, StringComparison.Ordinal);
    }

    [Fact]
    public void A_divergence_is_replayed_on_the_same_and_on_fresh_engines()
    {
        var module = WatParser.ParseModule("""(module (func (export "f") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))""");
        var options = new CampaignOptions { Engines = ["jit"], Fault = FaultCatalog.Find("i32.add->i32.sub")!, RoundTrip = false };
        var oracle = new DifferentialOracle(Campaign.CreateEngines(options));
        Assert.Equal("same engines diverges, fresh engines diverges, fresh engines on a new thread diverges", Campaign.Replay(oracle, options, module, 1));
        var clean = options with { Fault = null, Engines = ["jit", "interp"] };
        Assert.Equal("same engines agree, fresh engines agree, fresh engines on a new thread agree",
            Campaign.Replay(new DifferentialOracle(Campaign.CreateEngines(clean)), clean, module, 1));
    }

    [Fact]
    public void The_catalog_has_at_least_twenty_faults_in_every_area()
    {
        Assert.True(FaultCatalog.All.Count >= 20);
        foreach (var area in new[] { "integer", "float", "memory", "control", "table", "simd", "gc", "exception", "variable" })
        {
            Assert.Contains(FaultCatalog.All, f => f.Area == area);
        }
    }

    [Theory]
    [InlineData("br_if-inverted")]
    [InlineData("i32.store16->i32.store8")]
    [InlineData("memory.grow-always-fails")]
    [InlineData("table.size-off-by-one")]
    [InlineData("struct.get_s->struct.get_u")]
    [InlineData("memory64-address-truncated-to-32-bits")]
    public void A_short_campaign_detects_an_injected_fault(string name)
    {
        var fault = FaultCatalog.Find(name)!;
        var result = Campaign.Run(new CampaignOptions { Engines = ["interp"], Fault = fault, Seconds = 30, Seed = 1, Profile = fault.Profile ?? GeneratorProfile.Wasm3, SelectCoveringCases = true });
        Assert.True(result.Divergences > 0, $"{name} not detected in {result.Cases} cases");
    }
}

/// <summary>
/// Cases with a second instance of the case's module: an engine whose instances of one module share state (as
/// compiled code that kept a defined global in a per-module place would) is told apart from a correct one.
/// </summary>
public class SecondInstanceTests
{
    private const string Counter = """
        (module
          (global $count (mut i32) (i32.const 0))
          (func (export "f0") (result i32)
            (global.set $count (i32.add (global.get $count) (i32.const 1)))
            (global.get $count)))
        """;

    [Fact]
    public void Instances_that_share_state_diverge_from_instances_that_do_not()
    {
        var module = WatParser.ParseModule(Counter);
        var options = new OracleOptions { SecondInstanceEvery = 1 };
        Assert.Equal(Verdict.Agree, new DifferentialOracle([new InterpreterEngine(), new JitEngine()], options).Check(module, 1).Verdict);
        var report = new DifferentialOracle([new InterpreterEngine(), new SharingEngine(new InterpreterEngine())], options).Check(module, 1);
        Assert.Equal(Verdict.Divergence, report.Verdict);
        Assert.Contains("instance 2.f0", report.Detail, StringComparison.Ordinal);
        // Without the second instance the sharing cannot show.
        Assert.Equal(Verdict.Agree, new DifferentialOracle([new InterpreterEngine(), new SharingEngine(new InterpreterEngine())], new OracleOptions { SecondInstanceEvery = 0 }).Check(module, 1).Verdict);
    }

    /// <summary>An engine whose session hands back the first instance when the same module is instantiated again.</summary>
    private sealed class SharingEngine(IEngine inner) : IEngine
    {
        public string Name => "sharing";

        public IEngineSession CreateSession() => new Session(inner.CreateSession());

        private sealed class Session(IEngineSession inner) : IEngineSession
        {
            private readonly Dictionary<ModuleArtifact, IEngineInstance> _instances = [];

            public IEngineInstance Instantiate(ModuleArtifact module) =>
                _instances.TryGetValue(module, out var first) ? first : _instances[module] = inner.Instantiate(module);

            public void Register(string name, IEngineInstance instance) => inner.Register(name, instance);

            public IReadOnlyList<EngineValue> Invoke(IEngineInstance instance, string export, IReadOnlyList<EngineValue> arguments) => inner.Invoke(instance, export, arguments);

            public EngineValue GetGlobal(IEngineInstance instance, string export) => inner.GetGlobal(instance, export);

            public void DefineFunction(string module, string name, Syntax.FunctionType type, IReadOnlyList<string> callbacks, HostFunction body) =>
                inner.DefineFunction(module, name, type, callbacks, body);

            public void Dispose() => inner.Dispose();
        }
    }
}

public class ObservabilityCensusTests
{
    [Fact]
    public void The_census_counts_classes_that_ran_and_were_observed()
    {
        var rows = ObservabilityCensus.Run(seed: 5, cases: 40, GeneratorProfile.Wasm3);
        var numeric = Assert.Single(rows, r => r.Class == "numeric");
        Assert.True(numeric.Present > 20 && numeric.Executed > 10 && numeric.Observed > 5, $"{numeric}");
        Assert.All(rows, r => Assert.True(r.Observed <= r.Executed && r.Executed <= r.Present, $"{r}"));
        Assert.Contains(rows, r => r.Class == "memory load");
    }
}
