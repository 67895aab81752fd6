using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using WasmHarness.Engines;
using WasmHarness.Engines.Wasmtime;
using WasmHarness.Generator;
using WasmHarness.Oracle;

// dotnet run --project differential -c Release -- --seconds N [--jobs N] [--cases N] [--seed S] [--engines interp,wasmtime] [--profile wasm2|wasm3] [--json FILE]
//     [--no-roundtrip] [--regressions DIR] [--keep-going] [--il-check-every N]
// dotnet run --project differential -- --fault-benchmark [--seconds-per-fault 60] [--engines interp|jit|interp,wasmtime] [--all-cases] [--json FILE]
// dotnet run --project differential -- --list-faults | --replay FILE.wasm [--engines E] [--seed S] [--repeat N] | --case SEED [--profile P]
//     (options may come before or after --replay and --case)
// (--worker --first-case K --case-stride N: one worker process of a --jobs campaign, started by the campaign itself)
var defaults = new CampaignOptions();
var secondsOption = new Option<double>("--seconds") { Description = "How long the campaign runs.", DefaultValueFactory = _ => defaults.Seconds };
var jobsOption = new Option<int>("--jobs")
{
    Description = "Worker processes (default: every core; 1: in this process). Case i is the same case whatever N is; worker k runs k, k + N, ...",
    // All cores by default: a campaign of N workers runs the cases of one in about 1/N of the time on free cores.
    DefaultValueFactory = _ => Environment.ProcessorCount,
};
jobsOption.Validators.Add(result =>
{
    if (result.GetValueOrDefault<int>() < 1)
    {
        result.AddError("--jobs must be at least 1");
    }
});
var casesOption = new Option<int?>("--cases") { Description = "Stop after this many cases (case indices 0 to N - 1, over all workers)." };
var seedOption = new Option<ulong>("--seed") { Description = "The campaign's seed (case i is CaseSeed(seed, i)); with --replay, the arguments' seed.", DefaultValueFactory = _ => defaults.Seed };
var enginesOption = new Option<string>("--engines") { Description = "Engines, comma-separated; the first is the reference.", DefaultValueFactory = _ => string.Join(",", defaults.Engines) };
var jsonOption = new Option<string?>("--json") { Description = "Write the result as JSON to this file." };
var noRoundTripOption = new Option<bool>("--no-roundtrip") { Description = "Do not check that each module's encode → decode round trip equals it." };
var regressionsOption = new Option<string>("--regressions") { Description = "Where reduced divergences go.", DefaultValueFactory = _ => Path.Combine("corpus", "regressions", "differential") };
var noReduceOption = new Option<bool>("--no-reduce") { Description = "Neither reduce nor write divergences." };
var keepGoingOption = new Option<bool>("--keep-going") { Description = "Do not stop at the first divergence." };
var faultOption = new Option<string?>("--fault") { Description = "Make our first engine miscompute as this fault says (see --list-faults)." };
var faultBenchmarkOption = new Option<bool>("--fault-benchmark") { Description = "One campaign per injected fault, until detected or --seconds-per-fault." };
var allCasesOption = new Option<bool>("--all-cases") { Description = "Fault benchmark: run the oracle on every case, not only those containing the faulted instruction." };
var profileOption = new Option<GeneratorProfile?>("--profile") { Description = "The language generated: Wasm2 or Wasm3 (default; Wasm2 for the fault benchmark)." };
var ilCheckOption = new Option<int>("--il-check-every") { Description = "With the JIT: compile every Nth case twice and compare the IL (0: never).", DefaultValueFactory = _ => defaults.JitIlCheckEvery };
var censusOption = new Option<bool>("--census") { Description = "Measure, per instruction class, how often a result that runs reaches the compared state (over --cases cases, default 2000)." };
var onlyOption = new Option<string?>("--only") { Description = "Fault benchmark: only this fault." };
var runsOption = new Option<int>("--runs") { Description = "Runs of each case: the module compiled once per engine, instantiated afresh and called with new arguments each run (--replay, --case: runs of the given seed).", DefaultValueFactory = _ => defaults.RunsPerCase };
runsOption.Validators.Add(result =>
{
    if (result.GetValueOrDefault<int>() < 1)
    {
        result.AddError("--runs must be at least 1");
    }
});
var repeatOption = new Option<int>("--repeat") { Description = "--replay: check the module this many times on the same engines.", DefaultValueFactory = _ => 1 };
var caseOption = new Option<ulong?>("--case") { Description = "Regenerate one campaign case from its case seed and run the oracle on it." };
var replayOption = new Option<string?>("--replay") { Description = "Run the oracle on one module file." };
var traceOption = new Option<bool>("--trace") { Description = "--replay, --case: print every call the oracle makes and each engine's outcome." };
var perFaultOption = new Option<double>("--seconds-per-fault") { Description = "Fault benchmark: the limit per fault.", DefaultValueFactory = _ => 60 };
var listFaultsOption = new Option<bool>("--list-faults") { Description = "List the injectable faults." };
// A worker of a --jobs campaign: started by the campaign (WorkerStartInfo below), never by hand.
var workerOption = new Option<bool>("--worker") { Hidden = true };
var firstCaseOption = new Option<long>("--first-case") { Hidden = true };
var strideOption = new Option<int>("--case-stride") { Hidden = true, DefaultValueFactory = _ => 1 };

var root = new RootCommand("Differential execution: generated modules on several engines, everything observable compared (docs/differential.md).")
{
    secondsOption, jobsOption, casesOption, seedOption, enginesOption, jsonOption, noRoundTripOption, regressionsOption, noReduceOption, keepGoingOption,
    faultOption, faultBenchmarkOption, censusOption, allCasesOption, profileOption, ilCheckOption, onlyOption, runsOption, repeatOption, caseOption, replayOption, traceOption, perFaultOption,
    listFaultsOption, workerOption, firstCaseOption, strideOption,
};
root.SetAction(parse =>
{
    if (parse.GetValue(listFaultsOption))
    {
        foreach (var fault in FaultCatalog.All)
        {
            Console.WriteLine($"{fault.Area,-8} {fault.Name}");
        }
        return 0;
    }
    Fault? injected = null;
    if (parse.GetValue(faultOption) is { } faultName && (injected = FaultCatalog.Find(faultName)) is null)
    {
        return Error("unknown fault (see --list-faults)");
    }
    var options = defaults with
    {
        Registry = EngineRegistry.Ours().WithWasmtime(),
        Log = Console.Out,
        Seconds = parse.GetValue(secondsOption),
        MaxCases = parse.GetValue(casesOption),
        Seed = parse.GetValue(seedOption),
        Engines = parse.GetValue(enginesOption)!.Split(',', StringSplitOptions.RemoveEmptyEntries),
        RoundTrip = !parse.GetValue(noRoundTripOption),
        RegressionDirectory = parse.GetValue(noReduceOption) ? null : parse.GetValue(regressionsOption),
        StopOnDivergence = !parse.GetValue(keepGoingOption),
        Fault = injected,
        JitIlCheckEvery = parse.GetValue(ilCheckOption),
        RunsPerCase = parse.GetValue(runsOption),
        FirstCase = parse.GetValue(firstCaseOption),
        CaseStride = parse.GetValue(strideOption),
    };
    var profile = parse.GetValue(profileOption);
    var json = parse.GetValue(jsonOption);
    if (options.Engines.FirstOrDefault(name => !options.Registry.Contains(name)) is { } unknownEngine)
    {
        return Error($"unknown engine '{unknownEngine}' (known: {string.Join(", ", options.Registry.Names)})");
    }

    // --case and --replay run one case, with every option of the command line wherever it was given.
    var caseSeed = parse.GetValue(caseOption);
    var replay = parse.GetValue(replayOption);
    if (caseSeed is not null && replay is not null)
    {
        Console.Error.WriteLine("--case and --replay cannot be combined");
        return 2;
    }
    OracleOptions Traced() => new() { Trace = parse.GetValue(traceOption) ? Console.Out : null };
    // Each run of a case, as the campaign checks them: the first report that diverges, else the last.
    OracleReport CheckRuns(DifferentialOracle oracle, WasmHarness.Syntax.Module module, ulong seed)
    {
        OracleReport report = null!;
        for (var run = 0; run < options.RunsPerCase && report?.Verdict != Verdict.Divergence; run++)
        {
            report = oracle.Check(module, Campaign.RunSeed(seed, run), Campaign.MemoryComparisonOf(run));
            if (report.Verdict == Verdict.Divergence && run > 0)
            {
                Console.WriteLine($"diverged on run {run} (seed {Campaign.RunSeed(seed, run)})");
            }
        }
        return report;
    }
    if (caseSeed is { } seed)
    {
        // Regenerates one campaign case from its case seed and runs the oracle on it.
        var module = Campaign.GenerateCase(seed, out _, profile ?? options.Profile);
        var engines = Campaign.CreateEngines(options with { RoundTrip = false });
        for (var attempt = 0; attempt < 5; attempt++)
        {
            Console.WriteLine(DifferentialOracle.Describe(CheckRuns(new DifferentialOracle(engines, Traced()), module, seed)));
        }
        return 0;
    }
    if (replay is not null)
    {
        // Runs the oracle on one module file with the chosen engines and --seed; --repeat N: the same case N times on
        // the same long-lived engines, as a campaign runs them.
        var module = WasmHarness.Binary.ModuleDecoder.Decode(File.ReadAllBytes(replay));
        var engines = Campaign.CreateEngines(options with { RoundTrip = false });
        var oracle = new DifferentialOracle(engines, Traced());
        var report = CheckRuns(oracle, module, options.Seed);
        for (var n = 1; n < parse.GetValue(repeatOption) && report.Verdict != Verdict.Divergence; n++)
        {
            report = CheckRuns(oracle, module, options.Seed);
            if (report.Verdict == Verdict.Divergence)
            {
                Console.WriteLine($"diverged on repetition {n}");
            }
        }
        Console.WriteLine(DifferentialOracle.Describe(report));
        return report.Verdict == Verdict.Divergence ? 1 : 0;
    }

    if (parse.GetValue(censusOption))
    {
        // docs/differential.md, "Observability census".
        var rows = ObservabilityCensus.Run(options.Seed, options.MaxCases ?? 2000, profile ?? options.Profile, Console.Error);
        Console.WriteLine($"{"class",-12} {"present",8} {"executed",9} {"observed",9} {"observed/executed",18}");
        foreach (var row in rows.OrderBy(r => r.ObservedRate))
        {
            Console.WriteLine($"{row.Class,-12} {row.Present,8} {row.Executed,9} {row.Observed,9} {100 * row.ObservedRate,17:F1}%");
        }
        if (json is not null)
        {
            File.WriteAllText(json, System.Text.Json.JsonSerializer.Serialize(rows, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        }
        return 0;
    }

    if (parse.GetValue(faultBenchmarkOption))
    {
        // Wasm 2.0 by default: what both tiers compile (the JIT leaves functions with 3.0 instructions to the interpreter).
        var results = FaultBenchmark.Run(options with { RegressionDirectory = null, Log = null, SelectCoveringCases = !parse.GetValue(allCasesOption), Profile = profile ?? GeneratorProfile.Wasm2 }, parse.GetValue(perFaultOption), Console.Out, parse.GetValue(onlyOption));
        if (json is not null)
        {
            File.WriteAllText(json, Campaign.ToJson(results));
        }
        return results.Detected == results.Faults ? 0 : 1;
    }

    options = options with { Profile = profile ?? options.Profile };
    if (parse.GetValue(workerOption))
    {
        // One worker of a --jobs campaign: stdout is the protocol, the log goes to stderr, and the campaign (not the
        // worker) prints progress and reduces what diverged.
        ParallelCampaign.RunWorker(options with { Log = Console.Error, ProgressSeconds = double.PositiveInfinity, RegressionDirectory = null }, Console.Out);
        return 0;
    }
    var jobs = parse.GetValue(jobsOption);
    Console.WriteLine($"differential campaign: {options.Seconds}s, seed {options.Seed}, {options.Profile}, engines {string.Join(",", options.Engines)}{(options.RoundTrip && options.Fault is null ? " (+ round-trip check)" : "")}{(options.Fault is { } f ? $", fault {f.Name}" : "")}, {jobs} job(s)");
    // One job runs in this process (as before --jobs); more run as worker processes of this same program.
    var result = jobs == 1 ? Campaign.Run(options) : ParallelCampaign.Run(options, jobs, start => WorkerStartInfo(options, start), (file, seed) => ReplayStartInfo(options, file, seed));
    Console.WriteLine($"summary: {result.Cases} cases in {result.Seconds:F1}s ({result.CasesPerSecond:F1} cases/s), {result.Runs} runs ({result.RunsPerSecond:F1}/s), {result.Calls} calls, {result.JitIlChecks} JIT IL determinism checks; agreed {result.Agreed}, inconclusive {result.Inconclusive} ({100 * result.InconclusiveRate:F1}%), divergences {result.Divergences}, invalid modules {result.InvalidModules}");
    if (options.Engines.Any(engine => engine.StartsWith("jit", StringComparison.Ordinal)))
    {
        Console.WriteLine($"  JIT: {result.JitCompiled} functions compiled, {result.JitFallenBack} left to the interpreter{(result.JitLoopEntries > 0 ? $", {result.JitLoopEntries} calls moved into compiled code at a loop head" : "")}");
    }
    if (result.PhaseSeconds.Values.Sum() is var measured and > 0)
    {
        // Where a case's time goes (docs/differential.md); summed over the workers of a --jobs campaign.
        var perCase = result.PhaseSeconds.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {1000 * p.Value / result.Cases:F2} ({100 * p.Value / measured:F0}%)");
        Console.WriteLine($"  time per case ({1000 * measured / result.Cases:F1} ms measured, {(double)result.Runs / Math.Max(1, result.Cases):F1} runs): {string.Join(", ", perCase)}");
    }
    if (result.WorkerCrashes > 0)
    {
        Console.WriteLine($"  worker processes that died and were restarted: {result.WorkerCrashes}");
    }
    Console.WriteLine($"  features (share of cases): {Campaign.FeatureMix(result)}");
    Console.WriteLine($"  calls that trapped: {string.Join(", ", result.Traps.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value}"))}");
    foreach (var (reason, count) in result.InconclusiveReasons)
    {
        Console.WriteLine($"  inconclusive: {reason} {count}");
    }
    foreach (var found in result.Found)
    {
        Console.WriteLine($"  {found.Category} at {found.AtSeconds:F1}s (case seed {found.CaseSeed}{(found.Run > 0 ? $", run {found.Run}, run seed {found.RunSeed}" : "")}): {found.Detail}{(found.Regression is null ? "" : $" -> {found.Regression}")}");
    }
    if (json is not null)
    {
        File.WriteAllText(json, Campaign.ToJson(result));
    }
    return result.Divergences > 0 || result.InvalidModules > 0 || result.WorkerCrashes > 0 ? 1 : 0;
});

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // A bad option or value is one line each, never a .NET trace, and exit code 2 as before System.CommandLine.
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine($"error: {error.Message}");
    }
    return 2;
}
// Everything runs on a thread with a large stack: the JIT runs guest code on a calling thread that has one and
// otherwise hands each call to a guest thread of its own (two thread switches per call, a tenth of a campaign's
// time). 64 MiB, as the spec runner's script threads: above the JIT's threshold for running inline.
const int MainStackSize = 64 * 1024 * 1024;
var exitCode = 0;
var main = new Thread(() => exitCode = parsed.Invoke(), MainStackSize) { Name = "differential" };
main.Start();
main.Join();
return exitCode;

static int Error(string message)
{
    Console.Error.WriteLine($"error: {message}");
    return 2;
}

// A replay of one module file (a candidate while a worker crash is reduced) is this program again with --replay.
static ProcessStartInfo ReplayStartInfo(CampaignOptions options, string file, ulong seed)
{
    var info = ThisProgram();
    foreach (var argument in new[] { "--replay", file, "--seed", seed.ToString(CultureInfo.InvariantCulture), "--runs", options.RunsPerCase.ToString(CultureInfo.InvariantCulture), "--engines", string.Join(",", options.Engines) })
    {
        info.ArgumentList.Add(argument);
    }
    return info;
}

static ProcessStartInfo ThisProgram()
{
    var info = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet");
    if (Path.GetFileNameWithoutExtension(info.FileName) == "dotnet")
    {
        info.ArgumentList.Add(System.Reflection.Assembly.GetEntryAssembly()?.Location ?? throw new InvalidOperationException("cannot find this program's assembly"));
    }
    return info;
}

// A worker is this program again, with the options that shape the cases and its partition of them. Hosted by
// `dotnet WasmHarness.Differential.dll`, the process is dotnet itself, and the program's dll comes first.
static ProcessStartInfo WorkerStartInfo(CampaignOptions options, WorkerStart start)
{
    var info = ThisProgram();
    string[] arguments =
    [
        "--worker", "--first-case", start.FirstCase.ToString(CultureInfo.InvariantCulture), "--case-stride", start.Stride.ToString(CultureInfo.InvariantCulture),
        "--seconds", start.Seconds.ToString("R", CultureInfo.InvariantCulture), "--seed", options.Seed.ToString(CultureInfo.InvariantCulture),
        "--engines", string.Join(",", options.Engines), "--profile", options.Profile.ToString(), "--il-check-every", options.JitIlCheckEvery.ToString(CultureInfo.InvariantCulture),
        "--runs", options.RunsPerCase.ToString(CultureInfo.InvariantCulture),
        .. options.MaxCases is { } max ? ["--cases", max.ToString(CultureInfo.InvariantCulture)] : Array.Empty<string>(),
        .. options.RoundTrip ? Array.Empty<string>() : ["--no-roundtrip"],
        .. options.StopOnDivergence ? Array.Empty<string>() : ["--keep-going"],
        .. options.Fault is { } fault ? ["--fault", fault.Name] : Array.Empty<string>(),
    ];
    foreach (var argument in arguments)
    {
        info.ArgumentList.Add(argument);
    }
    return info;
}
