using System.Diagnostics;
using System.Globalization;
using WasmHarness.Engines;
using WasmHarness.Engines.Wasmtime;
using WasmHarness.Oracle;

// dotnet run --project differential -- --seconds N [--jobs N] [--cases N] [--seed S] [--engines interp,wasmtime] [--profile wasm2|wasm3] [--json FILE]
//     [--no-roundtrip] [--regressions DIR] [--keep-going] [--il-check-every N]
// (--worker --first-case K --case-stride N: one worker process of a --jobs campaign, started by the campaign itself)
// dotnet run --project differential -- --fault-benchmark [--seconds-per-fault 60] [--engines interp|jit|interp,wasmtime] [--all-cases] [--json FILE]
// dotnet run --project differential -- --list-faults | --replay FILE.wasm [--engines E] [--seed S] [--repeat N] | --case SEED [--profile P]
//     (options may come before or after --replay and --case)
var options = new CampaignOptions { Registry = EngineRegistry.Ours().WithWasmtime(), Log = Console.Out, RegressionDirectory = Path.Combine("corpus", "regressions", "differential") };
string? json = null;
var benchmark = false;
var perFault = 60.0;
string? only = null;
var repeat = 1;
var allCases = false;
WasmHarness.Generator.GeneratorProfile? profile = null;
ulong? caseSeed = null;
string? replay = null;
// All cores by default: a campaign of N workers runs the cases of one in about 1/N of the time.
var jobs = Environment.ProcessorCount;
var worker = false;
try
{
    for (var i = 0; i < args.Length; i++)
    {
        string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
        switch (args[i])
        {
            case "--seconds": options = options with { Seconds = double.Parse(Next(), CultureInfo.InvariantCulture) }; break;
            case "--cases": options = options with { MaxCases = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
            case "--seed": options = options with { Seed = ulong.Parse(Next(), CultureInfo.InvariantCulture) }; break;
            case "--engines": options = options with { Engines = Next().Split(',', StringSplitOptions.RemoveEmptyEntries) }; break;
            case "--json": json = Next(); break;
            case "--no-roundtrip": options = options with { RoundTrip = false }; break;
            case "--regressions": options = options with { RegressionDirectory = Next() }; break;
            case "--no-reduce": options = options with { RegressionDirectory = null }; break;
            case "--keep-going": options = options with { StopOnDivergence = false }; break;
            case "--fault": options = options with { Fault = FaultCatalog.Find(Next()) ?? throw new ArgumentException("unknown fault (see --list-faults)") }; break;
            case "--fault-benchmark": benchmark = true; break;
            case "--all-cases": allCases = true; break;
            case "--profile": profile = Enum.Parse<WasmHarness.Generator.GeneratorProfile>(Next(), ignoreCase: true); break;
            case "--il-check-every": options = options with { JitIlCheckEvery = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
            case "--only": only = Next(); break;
            case "--repeat": repeat = int.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--case": caseSeed = ulong.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--replay": replay = Next(); break;
            case "--jobs": jobs = int.Parse(Next(), CultureInfo.InvariantCulture) is >= 1 and var n ? n : throw new ArgumentException("--jobs must be at least 1"); break;
            case "--worker": worker = true; break;
            case "--first-case": options = options with { FirstCase = long.Parse(Next(), CultureInfo.InvariantCulture) }; break;
            case "--case-stride": options = options with { CaseStride = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
            case "--seconds-per-fault": perFault = double.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--list-faults":
                foreach (var fault in FaultCatalog.All)
                {
                    Console.WriteLine($"{fault.Area,-8} {fault.Name}");
                }
                return 0;
            default:
                Console.Error.WriteLine($"unknown option {args[i]}");
                return 2;
        }
    }
}
catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
{
    // A bad option value is one line, never a .NET trace (ArgumentException covers an unknown --profile too).
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
if (options.Engines.FirstOrDefault(name => !options.Registry.Contains(name)) is { } unknownEngine)
{
    Console.Error.WriteLine($"error: unknown engine '{unknownEngine}' (known: {string.Join(", ", options.Registry.Names)})");
    return 2;
}

// --case and --replay run one case, with every option of the command line wherever it was given.
if (caseSeed is not null && replay is not null)
{
    Console.Error.WriteLine("--case and --replay cannot be combined");
    return 2;
}
if (caseSeed is { } seed)
{
    // Regenerates one campaign case from its case seed and runs the oracle on it.
    var module = Campaign.GenerateCase(seed, out _, profile ?? options.Profile);
    var engines = Campaign.CreateEngines(options with { RoundTrip = false });
    for (var attempt = 0; attempt < 5; attempt++)
    {
        Console.WriteLine(DifferentialOracle.Describe(new DifferentialOracle(engines).Check(module, seed)));
    }
    return 0;
}
if (replay is not null)
{
    // Runs the oracle on one module file with the chosen engines and --seed; --repeat N: the same case N times on
    // the same long-lived engines, as a campaign runs them.
    var module = WasmHarness.Binary.ModuleDecoder.Decode(File.ReadAllBytes(replay));
    var engines = Campaign.CreateEngines(options with { RoundTrip = false });
    var oracle = new DifferentialOracle(engines);
    var report = oracle.Check(module, options.Seed);
    for (var n = 1; n < repeat && report.Verdict != Verdict.Divergence; n++)
    {
        report = oracle.Check(module, options.Seed);
        if (report.Verdict == Verdict.Divergence)
        {
            Console.WriteLine($"diverged on repetition {n}");
        }
    }
    Console.WriteLine(DifferentialOracle.Describe(report));
    return report.Verdict == Verdict.Divergence ? 1 : 0;
}

if (benchmark)
{
    // Wasm 2.0 by default: what both tiers compile (the JIT leaves functions with 3.0 instructions to the interpreter).
    var results = FaultBenchmark.Run(options with { RegressionDirectory = null, Log = null, SelectCoveringCases = !allCases, Profile = profile ?? WasmHarness.Generator.GeneratorProfile.Wasm2 }, perFault, Console.Out, only);
    if (json is not null)
    {
        File.WriteAllText(json, Campaign.ToJson(results));
    }
    return results.Detected == results.Faults ? 0 : 1;
}

options = options with { Profile = profile ?? options.Profile };
if (worker)
{
    // One worker of a --jobs campaign: stdout is the protocol, the log goes to stderr, and the campaign (not the
    // worker) prints progress and reduces what diverged.
    ParallelCampaign.RunWorker(options with { Log = Console.Error, ProgressSeconds = double.PositiveInfinity, RegressionDirectory = null }, Console.Out);
    return 0;
}
Console.WriteLine($"differential campaign: {options.Seconds}s, seed {options.Seed}, {options.Profile}, engines {string.Join(",", options.Engines)}{(options.RoundTrip && options.Fault is null ? " (+ interp round trip)" : "")}{(options.Fault is { } f ? $", fault {f.Name}" : "")}, {jobs} job(s)");
// One job runs in this process (as before --jobs); more run as worker processes of this same program.
var result = jobs == 1 ? Campaign.Run(options) : ParallelCampaign.Run(options, jobs, WorkerStartInfo);
Console.WriteLine($"summary: {result.Cases} cases in {result.Seconds:F1}s ({result.CasesPerSecond:F1} cases/s), {result.Calls} calls, {result.JitIlChecks} JIT IL determinism checks; agreed {result.Agreed}, inconclusive {result.Inconclusive} ({100 * result.InconclusiveRate:F1}%), divergences {result.Divergences}, invalid modules {result.InvalidModules}");
if (options.Engines.Contains("jit"))
{
    Console.WriteLine($"  JIT: {result.JitCompiled} functions compiled, {result.JitFallenBack} left to the interpreter");
}
if (result.WorkerCrashes > 0)
{
    Console.WriteLine($"  worker processes that died and were restarted: {result.WorkerCrashes}");
}
Console.WriteLine($"  calls that trapped: {string.Join(", ", result.Traps.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value}"))}");
foreach (var (reason, count) in result.InconclusiveReasons)
{
    Console.WriteLine($"  inconclusive: {reason} {count}");
}
foreach (var found in result.Found)
{
    Console.WriteLine($"  {found.Category} at {found.AtSeconds:F1}s (case seed {found.CaseSeed}): {found.Detail}{(found.Regression is null ? "" : $" -> {found.Regression}")}");
}
if (json is not null)
{
    File.WriteAllText(json, Campaign.ToJson(result));
}
return result.Divergences > 0 || result.InvalidModules > 0 || result.WorkerCrashes > 0 ? 1 : 0;

// A worker is this program again, with the options that shape the cases and its partition of them. Under `dotnet
// WasmHarness.Differential.dll`-style hosting the process is dotnet itself, and the program's dll comes first.
ProcessStartInfo WorkerStartInfo(WorkerStart start)
{
    var info = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet");
    if (Path.GetFileNameWithoutExtension(info.FileName) == "dotnet")
    {
        info.ArgumentList.Add(System.Reflection.Assembly.GetEntryAssembly()?.Location ?? throw new InvalidOperationException("cannot find this program's assembly"));
    }
    string[] arguments =
    [
        "--worker", "--first-case", start.FirstCase.ToString(CultureInfo.InvariantCulture), "--case-stride", start.Stride.ToString(CultureInfo.InvariantCulture),
        "--seconds", start.Seconds.ToString("R", CultureInfo.InvariantCulture), "--seed", options.Seed.ToString(CultureInfo.InvariantCulture),
        "--engines", string.Join(",", options.Engines), "--profile", options.Profile.ToString(), "--il-check-every", options.JitIlCheckEvery.ToString(CultureInfo.InvariantCulture),
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
