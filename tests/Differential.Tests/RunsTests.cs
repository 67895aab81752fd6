using WasmHarness.Engines;
using CompiledModule = WasmHarness.CompiledModule;
using WasmHarness.Generator;
using WasmHarness.Oracle;
using WasmHarness.Text;

namespace WasmHarness.Differential.Tests;

/// <summary>Runs of a case: one module compiled once per engine, checked several times with other arguments.</summary>
public class RunsTests
{
    private const string TwoFunctions = """
        (module
          (memory (export "mem") 1 2)
          (func (export "f") (param i32) (result i32) (call $g (local.get 0)))
          (func $g (param i32) (result i32)
            (i32.store16 (i32.const 60000) (i32.const 0x1234))
            (i32.add (local.get 0) (i32.const 1))))
        """;

    [Fact]
    public void Each_engine_compiles_a_module_once_however_often_the_oracle_checks_it()
    {
        var module = WatParser.ParseModule(TwoFunctions);
        var compiles = 0;
        var counting = new InterpreterEngine(compile: (engine, m) =>
        {
            compiles++;
            return CompiledModule.Compile(engine, m);
        });
        var jit = new JitEngine();
        var oracle = new DifferentialOracle([counting, jit, new RoundTripEngine(new InterpreterEngine())]);
        for (var run = 0; run < 4; run++)
        {
            Assert.Equal(Verdict.Agree, oracle.Check(module, Campaign.RunSeed(7, run), Campaign.MemoryComparisonOf(run)).Verdict);
        }
        Assert.Equal(1, compiles);
        Assert.Equal(2, jit.RuntimeEngine.JitStatistics.Compiled);
        // Another module object is another module, even with the same text.
        oracle.Check(WatParser.ParseModule(TwoFunctions), 7);
        Assert.Equal(2, compiles);
    }

    [Fact]
    public void A_later_run_finds_state_that_leaks_from_one_instance_of_a_module_to_the_next()
    {
        // The leaky engine's instances of a module it has instantiated before (in any session) start from the last
        // one's memory, as code compiled once per module would if it kept a pointer to its first instance's memory.
        var options = new CampaignOptions { Engines = ["interp"], RoundTrip = false, Seconds = 60, MaxCases = 40, Profile = GeneratorProfile.Wasm2 };
        var once = Campaign.Run(options with { RunsPerCase = 1 }, [new InterpreterEngine(), new LeakyEngine()]);
        Assert.Equal(0, once.Divergences);
        Assert.Equal(once.Cases, once.Runs);

        var twice = Campaign.Run(options with { RunsPerCase = 2 }, [new InterpreterEngine(), new LeakyEngine()]);
        Assert.Equal(1, twice.Divergences);
        var found = Assert.Single(twice.Found);
        Assert.Equal(1, found.Run);
        Assert.Equal(Campaign.RunSeed(found.CaseSeed, 1), found.RunSeed);
        Assert.NotEqual(found.CaseSeed, found.RunSeed);
    }

    [Fact]
    public void A_write_past_the_compared_prefix_is_still_compared_after_the_last_call()
    {
        // g stores 0x1234 at 60000, past the prefix compared after every call but the last; the faulty engine stores 0x34 only.
        var module = WatParser.ParseModule(TwoFunctions);
        var fault = FaultCatalog.Find("i32.store16->i32.store8")!;
        var report = new DifferentialOracle([new InterpreterEngine(), FaultCatalog.FaultyInterpreter(fault)])
            .Check(module, 3, MemoryComparison.PrefixAfterEveryCall);
        Assert.Equal(Verdict.Divergence, report.Verdict);
        Assert.Equal("memory", report.Category);
        Assert.Contains("byte 60001", report.Detail, StringComparison.Ordinal);
    }

    /// <summary>An engine whose memories keep what an earlier instance of the same module wrote (see the test).</summary>
    private sealed class LeakyEngine : IEngine
    {
        private readonly InterpreterEngine _inner = new();
        private readonly Dictionary<ModuleArtifact, byte[]> _left = new(ReferenceEqualityComparer.Instance);

        public string Name => "leaky";

        public IEngineSession CreateSession() => new Session(this, _inner.CreateSession());

        private sealed class Session(LeakyEngine owner, IEngineSession inner) : IEngineSession
        {
            private readonly List<(ModuleArtifact Module, IEngineInstance Instance)> _made = [];

            public IEngineInstance Instantiate(ModuleArtifact module)
            {
                var instance = inner.Instantiate(module);
                _made.Add((module, instance));
                if (owner._left.TryGetValue(module, out var bytes) && module.Module.Exports.FirstOrDefault(e => e.Kind == Syntax.ExternKind.Memory) is { } memory)
                {
                    Leak(instance, memory.Name, bytes);
                }
                return instance;
            }

            private void Leak(IEngineInstance instance, string export, byte[] bytes) =>
                inner.ReadMemory(instance, export, span =>
                {
                    unsafe
                    {
                        fixed (byte* target = span)
                        {
                            bytes.AsSpan(0, Math.Min(bytes.Length, span.Length)).CopyTo(new Span<byte>(target, span.Length));
                        }
                    }
                    return 0;
                });

            public void Register(string name, IEngineInstance instance) => inner.Register(name, instance);

            public IReadOnlyList<EngineValue> Invoke(IEngineInstance instance, string export, IReadOnlyList<EngineValue> arguments) => inner.Invoke(instance, export, arguments);

            public EngineValue GetGlobal(IEngineInstance instance, string export) => inner.GetGlobal(instance, export);

            public T ReadMemory<T>(IEngineInstance instance, string export, MemoryReader<T> reader) => inner.ReadMemory(instance, export, reader);

            public IReadOnlyList<EngineValue> ReadTable(IEngineInstance instance, string export) => inner.ReadTable(instance, export);

            public void DefineFunction(string module, string name, Syntax.FunctionType type, IReadOnlyList<string> callbacks, HostFunction body) =>
                inner.DefineFunction(module, name, type, callbacks, body);

            public void Dispose()
            {
                foreach (var (module, instance) in _made)
                {
                    if (module.Module.Exports.FirstOrDefault(e => e.Kind == Syntax.ExternKind.Memory) is { } memory)
                    {
                        owner._left[module] = inner.ReadMemory(instance, memory.Name);
                    }
                }
                inner.Dispose();
            }
        }
    }
}

/// <summary>The campaign's check of the codec: a module's encode → decode round trip must equal it.</summary>
public class RoundTripCheckTests
{
    [Fact]
    public void Generated_cases_round_trip_and_the_campaign_checks_each()
    {
        var result = Campaign.Run(new CampaignOptions { Engines = ["interp"], Seconds = 60, MaxCases = 30, Seed = 3 });
        Assert.Equal(0, result.Divergences);
        Assert.True(result.PhaseSeconds.ContainsKey("round trip"));
    }

    [Fact]
    public void A_module_the_codec_changes_is_named_with_its_difference()
    {
        // A name UTF-8 cannot hold (a lone surrogate) comes back changed: the check names where.
        var module = WatParser.ParseModule("""(module (func (export "f")))""");
        module.Exports[0] = module.Exports[0] with { Name = "f\uD800" };
        Assert.Contains("exports", Campaign.RoundTripDifference(module), StringComparison.Ordinal);
        Assert.Null(Campaign.RoundTripDifference(WatParser.ParseModule("""(module (func (export "f")))""")));
    }
}
