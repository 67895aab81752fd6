using System.Globalization;
using WasmHarness.Differential;
using WasmHarness.Differential.Oracle;

// dotnet run --project differential -- --seconds N [--seed S] [--engines interp,wasmtime] [--json FILE]
//     [--no-roundtrip] [--regressions DIR] [--keep-going]
// dotnet run --project differential -- --fault-benchmark [--seconds-per-fault 60] [--engines interp,wasmtime] [--json FILE]
// dotnet run --project differential -- --list-faults | --fault NAME ...
var options = new CampaignOptions { Log = Console.Out, RegressionDirectory = Path.Combine("corpus", "regressions", "differential") };
string? json = null;
var benchmark = false;
var perFault = 60.0;
string? only = null;
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--seconds": options = options with { Seconds = double.Parse(Next(), CultureInfo.InvariantCulture) }; break;
        case "--seed": options = options with { Seed = ulong.Parse(Next(), CultureInfo.InvariantCulture) }; break;
        case "--engines": options = options with { Engines = Next().Split(',', StringSplitOptions.RemoveEmptyEntries) }; break;
        case "--json": json = Next(); break;
        case "--no-roundtrip": options = options with { RoundTrip = false }; break;
        case "--regressions": options = options with { RegressionDirectory = Next() }; break;
        case "--no-reduce": options = options with { RegressionDirectory = null }; break;
        case "--keep-going": options = options with { StopOnDivergence = false }; break;
        case "--fault": options = options with { Fault = FaultCatalog.Find(Next()) ?? throw new ArgumentException("unknown fault (see --list-faults)") }; break;
        case "--fault-benchmark": benchmark = true; break;
        case "--only": only = Next(); break;
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

if (Environment.GetEnvironmentVariable("DIFF_DEBUG_OPCODE") is { } debugOpcode)
{
    var op = Enum.Parse<WasmHarness.Syntax.Opcode>(debugOpcode);
    var contains = 0;
    for (var c = 0UL; c < 300; c++)
    {
        var module = Campaign.GenerateCase(Campaign.CaseSeed(1, (long)c), out _);
        if (module.Functions.Any(f => f.Body.Instructions.Any(x => x.Opcode == op)))
        {
            contains++;
            if (contains <= 1)
            {
                Console.WriteLine(WasmHarness.Differential.Reducer.RegressionCase.Print(module));
            }
        }
    }
    Console.WriteLine($"{contains}/300 modules contain {op}");
    return 0;
}
if (benchmark)
{
    var results = FaultBenchmark.Run(options with { RegressionDirectory = null, Log = null }, perFault, Console.Out, only);
    if (json is not null)
    {
        File.WriteAllText(json, Campaign.ToJson(results));
    }
    return results.Detected == results.Faults ? 0 : 1;
}

Console.WriteLine($"differential campaign: {options.Seconds}s, seed {options.Seed}, engines {string.Join(",", options.Engines)}{(options.RoundTrip ? " (+ interp round trip)" : "")}{(options.Fault is { } f ? $", fault {f.Name}" : "")}");
var result = Campaign.Run(options);
Console.WriteLine($"summary: {result.Cases} cases in {result.Seconds:F1}s ({result.CasesPerSecond:F1} cases/s), {result.Calls} calls; agreed {result.Agreed}, inconclusive {result.Inconclusive} ({100 * result.InconclusiveRate:F1}%), divergences {result.Divergences}, invalid modules {result.InvalidModules}");
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
return result.Divergences > 0 || result.InvalidModules > 0 ? 1 : 0;
