using System.Diagnostics;
using System.Text.Json;
using WasmHarness.Engines;
using WasmHarness.Generator;
using WasmHarness.Generator.Reducer;
using WasmHarness.Syntax;
using WasmHarness.Validation;

namespace WasmHarness.Oracle;

public sealed record CampaignOptions
{
    public double Seconds { get; init; } = 10;
    public ulong Seed { get; init; } = 1;
    /// <summary>Engine names: <c>interp</c>, <c>jit</c>, <c>wasmtime</c>; outcomes are compared with the first.</summary>
    public IReadOnlyList<string> Engines { get; init; } = ["interp", "wasmtime"];
    /// <summary>Where <see cref="Engines"/> names are looked up; programs that run wasmtime add it (<c>WithWasmtime()</c>).</summary>
    public EngineRegistry Registry { get; init; } = EngineRegistry.Ours();
    /// <summary>
    /// Also check each module's encode → decode round trip (the metamorphic check of the codec): the decoded module must
    /// equal the generated one (<see cref="RoundTripDifference"/>).
    /// </summary>
    public bool RoundTrip { get; init; } = true;
    /// <summary>The language generated: Wasm 2.0, or with the 3.0 features the tiers support (the default).</summary>
    public GeneratorProfile Profile { get; init; } = GeneratorProfile.Wasm3;
    /// <summary>
    /// Make one of our engines miscompute as this fault says (the fault-injection benchmark): the first of
    /// <see cref="Engines"/> that is <c>interp</c> or <c>jit</c>; a clean interpreter is added when it would be alone.
    /// </summary>
    public Fault? Fault { get; init; }
    /// <summary>
    /// With <see cref="Fault"/>: run the oracle only on cases whose module contains the faulted instruction (the
    /// others cannot detect it), as mutation testing runs only the tests that cover a mutant. Skipped cases are
    /// still generated and counted, so the cases-to-detect figure is the same as without the selection.
    /// </summary>
    public bool SelectCoveringCases { get; init; }
    /// <summary>
    /// When the JIT is one of the engines: every this many cases, also compile the case twice and compare the IL
    /// (<see cref="JitDeterminism"/>, the metamorphic check "same IL twice"); 0: never.
    /// </summary>
    public int JitIlCheckEvery { get; init; } = 8;
    /// <summary>
    /// How many times each case's module is checked: each run instantiates it afresh on every engine and calls its
    /// exports with arguments drawn from the run's own seed (<see cref="Campaign.RunSeed"/>), while each engine
    /// compiles the module once (the engines keep what they compiled for a module the oracle checks again). Run 0
    /// is the case as one run checked it before runs existed, so a campaign with 1 run repeats earlier campaigns.
    /// </summary>
    public int RunsPerCase { get; init; } = 1;
    /// <summary>Run cases up to this index, exclusive (every worker of a parallel campaign shares the same bound).</summary>
    public int? MaxCases { get; init; }
    /// <summary>
    /// The case indices this run takes: <see cref="FirstCase"/>, then every <see cref="CaseStride"/>th after it.
    /// Worker k of a campaign of N workers runs k, k + N, k + 2N, ...; case i is always <c>CaseSeed(Seed, i)</c>, so
    /// the workers together run exactly the cases of one run, and a campaign is reproducible for a seed and N.
    /// </summary>
    public long FirstCase { get; init; }
    public int CaseStride { get; init; } = 1;
    /// <summary>Called before each case with its index and the counts so far (a parallel campaign's worker reports through it).</summary>
    public Action<long, CampaignResult>? BeforeCase { get; init; }
    public bool StopOnDivergence { get; init; } = true;
    /// <summary>Where reduced divergences go (null: not reduced, not written).</summary>
    public string? RegressionDirectory { get; init; }
    public TimeSpan ReduceBudget { get; init; } = TimeSpan.FromSeconds(30);
    public TextWriter? Log { get; init; }
    public double ProgressSeconds { get; init; } = 5;
}

/// <param name="Replay">
/// Where the divergence reproduces when the case is checked again in this process (<see cref="Campaign.Replay"/>):
/// on the campaign's engines, on fresh engines, on fresh engines on a fresh thread. Tells engine state, thread
/// state and process state apart.
/// </param>
/// <param name="Run">Which run of the case diverged (<see cref="CampaignOptions.RunsPerCase"/>): its arguments come from <see cref="Campaign.RunSeed"/>.</param>
public sealed record DivergenceRecord(ulong CaseSeed, long Case, double AtSeconds, string Category, string Detail, string? Regression, string? Replay = null, int Run = 0)
{
    /// <summary>The seed of the diverging run's arguments.</summary>
    public ulong RunSeed => Campaign.RunSeed(CaseSeed, Run);
}

public sealed record CampaignResult
{
    public required string Engines { get; init; }
    public ulong Seed { get; init; }
    public string Profile { get; init; } = "";
    public long Cases { get; set; }
    public long Agreed { get; set; }
    public long Inconclusive { get; set; }
    public long Divergences { get; set; }
    public long InvalidModules { get; set; }
    /// <summary>Cases generated but not run (<see cref="CampaignOptions.SelectCoveringCases"/>).</summary>
    public long Skipped { get; set; }
    /// <summary>Runs of the cases (<see cref="CampaignOptions.RunsPerCase"/> each, fewer when one diverges first).</summary>
    public long Runs { get; set; }
    public long Calls { get; set; }
    /// <summary>Cases also compiled twice by the JIT to compare the IL (<see cref="CampaignOptions.JitIlCheckEvery"/>).</summary>
    public long JitIlChecks { get; set; }
    public double Seconds { get; set; }
    /// <summary>Functions the JIT engines of the campaign compiled (zero when none ran).</summary>
    public long JitCompiled { get; set; }
    /// <summary>Functions the JIT engines left to the interpreter.</summary>
    public long JitFallenBack { get; set; }
    /// <summary>Calls moved from the interpreter into compiled code at a loop head (the <c>jit-tierup</c> engine; docs/jit.md, "Tier-up").</summary>
    public long JitLoopEntries { get; set; }
    /// <summary>Worker processes the campaign ran at once (<see cref="ParallelCampaign"/>); 1 in process.</summary>
    public int Jobs { get; set; } = 1;
    /// <summary>Worker processes of a parallel campaign that died (an engine took the process down) and were restarted.</summary>
    public long WorkerCrashes { get; set; }
    public double CasesPerSecond => Seconds > 0 ? Cases / Seconds : 0;
    public double RunsPerSecond => Seconds > 0 ? Runs / Seconds : 0;
    public double InconclusiveRate => Cases > 0 ? (double)Inconclusive / Cases : 0;
    public Dictionary<string, long> FeatureMix { get; } = [];
    /// <summary>Wall-clock seconds per phase of a case (generate, validate, each engine's session/instantiate/invoke, compares), summed over cases.</summary>
    public Dictionary<string, double> PhaseSeconds { get; } = [];
    public Dictionary<string, long> InconclusiveReasons { get; } = [];
    /// <summary>Calls that trapped on the reference engine, by trap message.</summary>
    public Dictionary<string, long> Traps { get; } = [];
    public List<DivergenceRecord> Found { get; } = [];
}

/// <summary>The differential campaign: generate, check on every engine, reduce and record what diverges.</summary>
public static class Campaign
{
    public static List<IEngine> CreateEngines(CampaignOptions options)
    {
        var engines = new List<IEngine>();
        var faulty = options.Fault is null ? null : options.Engines.FirstOrDefault(name => name is "interp" or "jit");
        foreach (var name in options.Engines)
        {
            engines.Add(options.Fault is { } fault && name == faulty ? FaultCatalog.Faulty(name, fault) : options.Registry.Create(name));
            faulty = name == faulty ? null : faulty;
        }
        if (options.Fault is not null && engines.Count == 1)
        {
            engines.Add(new InterpreterEngine());
        }
        return engines;
    }

    /// <summary>
    /// Where <paramref name="module"/>'s encode → decode round trip differs from it (names aside), or null. Until stop 32
    /// the campaign ran the round trip on the interpreter as a fourth engine (<see cref="RoundTripEngine"/>); but a
    /// module equal to the original runs exactly as the original does, and a codec bug shows as a difference here
    /// (named precisely) before it could show as behaviour: the same check for a tenth of the time (1.8 of 20 ms a case).
    /// </summary>
    public static string? RoundTripDifference(Module module)
    {
        var difference = ModuleEquality.FirstDifference(module, Binary.ModuleDecoder.Decode(Binary.ModuleEncoder.Encode(module)));
        return difference is null ? null : $"round trip: the decoded module differs in {difference}";
    }

    /// <summary>The seed of case <paramref name="index"/> of a campaign seeded with <paramref name="seed"/>.</summary>
    public static ulong CaseSeed(ulong seed, long index)
    {
        var x = seed * 0x9E3779B97F4A7C15UL + (ulong)index;
        x ^= x >> 31;
        x *= 0xBF58476D1CE4E5B9UL;
        return x ^ (x >> 29);
    }

    /// <summary>The seed of run <paramref name="run"/> of a case (its arguments, its draw of a second instance); run 0 is the case seed itself.</summary>
    public static ulong RunSeed(ulong caseSeed, int run) => run == 0 ? caseSeed : CaseSeed(caseSeed, run);

    /// <summary>
    /// How much memory the oracle compares after each call of run <paramref name="run"/>: all of it in run 0 (the case
    /// as it was checked before runs existed), a prefix in the further runs (<see cref="MemoryComparison"/>), which are
    /// there to be cheap.
    /// </summary>
    public static MemoryComparison MemoryComparisonOf(int run) => run == 0 ? MemoryComparison.WholeAfterEveryCall : MemoryComparison.PrefixAfterEveryCall;

    /// <summary>The module of one case: a swarm configuration and a body drawn from bytes derived from the case seed.</summary>
    public static Module GenerateCase(ulong caseSeed, out GeneratorConfig config, GeneratorProfile profile = GeneratorProfile.Wasm3)
    {
        var length = 256 + (int)(caseSeed % 3840);
        var u = Unstructured.FromSeed(caseSeed, length);
        config = GeneratorConfig.Swarm(u, profile);
        return ModuleGenerator.Generate(u, config);
    }

    public static CampaignResult Run(CampaignOptions options)
    {
        var engines = CreateEngines(options);
        try
        {
            var result = Run(options, engines);
            foreach (var jit in engines.OfType<JitEngine>())
            {
                result.JitCompiled += jit.RuntimeEngine.JitStatistics.Compiled;
                result.JitFallenBack += jit.RuntimeEngine.JitStatistics.FallenBack;
                result.JitLoopEntries += jit.RuntimeEngine.JitStatistics.LoopEntries;
            }
            return result;
        }
        finally
        {
            foreach (var engine in engines.OfType<IDisposable>())
            {
                engine.Dispose();
            }
        }
    }

    public static CampaignResult Run(CampaignOptions options, IReadOnlyList<IEngine> engines)
    {
        var oracle = new DifferentialOracle(engines);
        var result = new CampaignResult { Engines = string.Join(",", engines.Select(e => e.Name)), Seed = options.Seed, Profile = options.Profile.ToString() };
        var clock = Stopwatch.StartNew();
        var nextProgress = options.ProgressSeconds;
        var ilCheckEvery = options.Fault is null && options.Engines.Contains("jit") ? options.JitIlCheckEvery : 0;
        if (options.CaseStride < 1 || options.FirstCase < 0)
        {
            throw new ArgumentException("a campaign's case stride must be at least 1 and its first case not negative");
        }
        // The checks of a case's module itself, once per case (not per run): the codec's round trip, and on every
        // ilCheckEvery-th case the JIT's IL determinism. Null when they pass.
        OracleReport? CheckModule(Module module, long index)
        {
            if (options.RoundTrip && options.Fault is null && oracle.Times.Time("round trip", () => RoundTripDifference(module)) is { } codec)
            {
                return new OracleReport(Verdict.Divergence, codec, 0, "round-trip");
            }
            if (ilCheckEvery > 0 && index % ilCheckEvery == 0)
            {
                result.JitIlChecks++;
                if (oracle.Times.Time("jit IL check", () => JitDeterminism.Check(module)) is { } difference)
                {
                    return new OracleReport(Verdict.Divergence, difference, 0, "jit-il");
                }
            }
            return null;
        }
        for (var index = options.FirstCase; clock.Elapsed.TotalSeconds < options.Seconds && (options.MaxCases is not { } max || index < max); index += options.CaseStride)
        {
            options.BeforeCase?.Invoke(index, result);
            var caseSeed = CaseSeed(options.Seed, index);
            GeneratorConfig config = null!;
            var module = oracle.Times.Time("generate", () => GenerateCase(caseSeed, out config, options.Profile));
            result.Cases++;
            foreach (var feature in config.FeatureNames())
            {
                result.FeatureMix[feature] = result.FeatureMix.GetValueOrDefault(feature) + 1;
            }
            if (options.SelectCoveringCases && options.Fault is { } fault && !FaultCatalog.Covers(fault, module))
            {
                result.Skipped++;
                continue;
            }
            try
            {
                oracle.Times.Time("validate", () => ModuleValidator.Validate(module));
            }
            catch (WasmException e)
            {
                result.InvalidModules++;
                result.Found.Add(new DivergenceRecord(caseSeed, index, clock.Elapsed.TotalSeconds, "invalid-module", $"generator produced an invalid module: {e.Message}", null));
                options.Log?.WriteLine($"[{clock.Elapsed.TotalSeconds,6:F1}s] case {index} seed {caseSeed}: INVALID MODULE {e.Message}");
                if (options.StopOnDivergence)
                {
                    break;
                }
                continue;
            }
            var verdict = Verdict.Agree;
            for (var run = 0; run < Math.Max(1, options.RunsPerCase) && verdict != Verdict.Divergence; run++)
            {
                var runSeed = RunSeed(caseSeed, run);
                var report = oracle.Check(module, runSeed, MemoryComparisonOf(run));
                result.Runs++;
                if (run == 0 && report.Verdict != Verdict.Divergence && CheckModule(module, index) is { } moduleReport)
                {
                    report = moduleReport with { Calls = report.Calls };
                }
                oracle.Times.DrainInto(result.PhaseSeconds);
                result.Calls += report.Calls;
                foreach (var (message, count) in report.Traps)
                {
                    // By kind: "undefined element 7" and "undefined element 8" count together.
                    var kind = message.TrimEnd("0123456789".ToCharArray()).TrimEnd();
                    result.Traps[kind] = result.Traps.GetValueOrDefault(kind) + count;
                }
                if (report.Verdict == Verdict.Inconclusive && verdict == Verdict.Agree)
                {
                    verdict = Verdict.Inconclusive;
                    result.InconclusiveReasons[report.Category ?? "?"] = result.InconclusiveReasons.GetValueOrDefault(report.Category ?? "?") + 1;
                }
                if (report.Verdict == Verdict.Divergence)
                {
                    verdict = Verdict.Divergence;
                    var at = clock.Elapsed.TotalSeconds;
                    options.Log?.WriteLine($"[{at,6:F1}s] case {index} seed {caseSeed}{(run > 0 ? $" run {run} (seed {runSeed})" : "")}: DIVERGENCE {report.Detail}");
                    var replay = options.Fault is null && !IsModuleCheck(report.Category) ? Replay(oracle, options, module, runSeed) : null;
                    if (replay is not null)
                    {
                        options.Log?.WriteLine($"         replayed: {replay}");
                    }
                    string? written = null;
                    if (options.RegressionDirectory is { } directory)
                    {
                        written = Record(directory, oracle, module, runSeed, report, options, result.Engines);
                        options.Log?.WriteLine($"         reduced case: {written}");
                    }
                    result.Found.Add(new DivergenceRecord(caseSeed, index, at, report.Category ?? "?", report.Detail, written, replay, run));
                }
            }
            switch (verdict)
            {
                case Verdict.Agree:
                    result.Agreed++;
                    break;
                case Verdict.Inconclusive:
                    result.Inconclusive++;
                    break;
                case Verdict.Divergence:
                    result.Divergences++;
                    if (options.StopOnDivergence)
                    {
                        result.Seconds = clock.Elapsed.TotalSeconds;
                        return result;
                    }
                    break;
            }
            if (options.Log is not null && clock.Elapsed.TotalSeconds >= nextProgress)
            {
                nextProgress += options.ProgressSeconds;
                Progress(options.Log, result, clock.Elapsed.TotalSeconds);
            }
        }
        oracle.Times.DrainInto(result.PhaseSeconds);
        result.Seconds = clock.Elapsed.TotalSeconds;
        return result;
    }

    /// <summary>
    /// Checks a diverging case again: on the campaign's engines, on fresh engines (no state shared with earlier
    /// cases but the process's), and on fresh engines from a new thread (so the JIT's guest thread is new too).
    /// </summary>
    public static string Replay(DifferentialOracle oracle, CampaignOptions options, Module module, ulong runSeed)
    {
        static string Verdict(OracleReport report) => report.Verdict == Oracle.Verdict.Divergence ? "diverges" : report.Verdict.ToString().ToLowerInvariant();
        var again = Verdict(oracle.Check(module, runSeed));
        var fresh = Verdict(new DifferentialOracle(CreateEngines(options)).Check(module, runSeed));
        var onThread = "";
        var thread = new Thread(() => onThread = Verdict(new DifferentialOracle(CreateEngines(options)).Check(module, runSeed)));
        thread.Start();
        thread.Join();
        return $"same engines {again}, fresh engines {fresh}, fresh engines on a new thread {onThread}";
    }

    /// <summary>
    /// Reduces and records a divergence found elsewhere (by a worker process of a parallel campaign): the case is
    /// generated again from its seed and reduced on fresh engines of this process. Returns where it was written.
    /// </summary>
    public static string Reduce(CampaignOptions options, DivergenceRecord found)
    {
        ArgumentNullException.ThrowIfNull(found);
        var directory = options.RegressionDirectory ?? throw new ArgumentException("no regression directory to write to");
        var module = GenerateCase(found.CaseSeed, out _, options.Profile);
        var engines = CreateEngines(options);
        try
        {
            var oracle = new DifferentialOracle(engines);
            var report = new OracleReport(Verdict.Divergence, found.Detail, 0, found.Category);
            return Record(directory, oracle, module, found.RunSeed, report, options, string.Join(",", engines.Select(e => e.Name)));
        }
        finally
        {
            foreach (var engine in engines.OfType<IDisposable>())
            {
                engine.Dispose();
            }
        }
    }

    internal static void Progress(TextWriter log, CampaignResult result, double seconds) =>
        log.WriteLine($"[{seconds,6:F1}s] {result.Cases} cases ({result.Cases / seconds:F1}/s), {result.Runs} runs ({result.Runs / seconds:F1}/s), {result.Calls} calls, inconclusive {100.0 * result.Inconclusive / result.Cases:F1}%, divergences {result.Divergences} | {FeatureMix(result)}");

    /// <summary>Each generated feature and the share of cases that had it (<c>gc 34%</c>), in name order.</summary>
    public static string FeatureMix(CampaignResult result) =>
        string.Join(" ", result.FeatureMix.OrderBy(p => p.Key).Select(p => $"{p.Key} {100.0 * p.Value / Math.Max(1, result.Cases):F0}%"));

    /// <summary>True for the categories of <c>CheckModule</c>'s checks, which judge the module, not a run of it on the engines.</summary>
    private static bool IsModuleCheck(string? category) => category is "round-trip" or "jit-il";

    private static string Record(string directory, DifferentialOracle oracle, Module module, ulong runSeed, OracleReport report, CampaignOptions options, string engines)
    {
        Func<Module, OracleReport> check = report.Category switch
        {
            "jit-il" => candidate => JitDeterminism.Check(candidate) is { } difference ? new OracleReport(Verdict.Divergence, difference, 0, "jit-il") : OracleReport.Agreed(0),
            "round-trip" => candidate => RoundTripDifference(candidate) is { } difference ? new OracleReport(Verdict.Divergence, difference, 0, "round-trip") : OracleReport.Agreed(0),
            _ => candidate => oracle.Check(candidate, runSeed),
        };
        var reduced = TestCaseReducer.Reduce(module, candidate =>
        {
            var again = check(candidate);
            return again.Verdict == Verdict.Divergence && again.Category == report.Category;
        }, options.ReduceBudget);
        var final = check(reduced);
        var name = $"{(options.Fault is { } f ? "fault-" + Sanitize(f.Name) : "case")}-{runSeed:x16}";
        var info = new RegressionInfo(name, engines, runSeed, final.Detail, final.Category ?? "?", options.Fault is null ? "divergence" : "fault-only", DateTime.UtcNow.ToString("u"));
        return RegressionCase.Write(directory, info, reduced);
    }

    private static string Sanitize(string name) => string.Concat(name.Select(c => char.IsLetterOrDigit(c) ? c : '_'));

    public static string ToJson(object value) => JsonSerializer.Serialize(value, RegressionCase.Json);
}
