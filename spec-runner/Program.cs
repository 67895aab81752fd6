using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using WasmHarness;
using WasmHarness.Engines;
using WasmHarness.Engines.Wasmtime;
using WasmHarness.Interpreter;
using WasmHarness.Jit;
using WasmHarness.SpecRunner;
using WasmHarness.Wast;

var suiteOption = new Option<string?>("--suite") { Description = "Folder of .wast scripts, searched recursively: the official suite or any other (else WASM_TESTSUITE, which `none` turns off, then corpus/testsuite, ../shared/wasm-testsuite)." };
var filterOption = new Option<string[]>("--filter") { Description = "Glob over script paths relative to the suite, or names, e.g. 'simd_*' or 'legacy/*' (repeatable).", AllowMultipleArgumentsPerToken = true };
var registry = EngineRegistry.Ours().WithWasmtime();
var engineOption = new Option<string[]>("--engine") { Description = $"Engines to run (repeatable; default interp): {registry.Describe()}; or all.", AllowMultipleArgumentsPerToken = true };
var profileOption = new Option<string?>("--profile") { Description = $"Named selection of files: {string.Join(", ", Profiles.All.Select(p => $"{p.Name} ({p.Description})"))}." };
var validateOnlyOption = new Option<bool>("--validate-only") { Description = "Judge only module-level commands (decode, parse, validate); run no engine." };
var proposalsOption = new Option<bool>("--proposals") { Description = "Also run proposals/*, reported apart from the core totals." };
var crossCheckOption = new Option<bool>("--cross-check") { Description = "Cross-check every module against wasmtime's validator (our encoder's bytes)." };
var featuresOption = new Option<bool>("--features") { Description = "List the Wasm 3.0 features each selected script uses, and exit." };
var jsonOption = new Option<string?>("--json") { Description = "Write the results as JSON to this file." };
var relaxedSimdOption = new Option<RelaxedSimdMode>("--relaxed-simd") { Description = "Relaxed SIMD results on interp and jit: Deterministic (default) or Native (the host's vector instructions)." };
var noReservationOption = new Option<bool>("--no-memory-reservation") { Description = "Memories of interp and jit grow by reallocation instead of inside an up-front address-space reservation (for emulators, see docs/arm64.md)." };
var maxMemoryOption = new Option<ulong?>("--max-memory") { Description = "Largest size in bytes a memory of interp, jit and aot may reach (EngineOptions.MaxMemoryBytes, default 4 GiB); e.g. 4295032832 for a 65,537-page memory64, which wasmtime instantiates by default." };
var jitMethodBudgetOption = new Option<int?>("--jit-method-budget") { Description = "Estimated IL instructions per method beyond which the JIT outlines parts of a function (EngineOptions.JitMethodBudget); a small value such as 40 makes jit and aot run most of the suite through outlined regions." };
var maxFailuresOption = new Option<int>("--max-failures") { Description = "How many failures to print per engine.", DefaultValueFactory = _ => 50 };
var wasiOption = new Option<bool>("--wasi") { Description = "Run the official WASI test suite (preview 1) instead of the core suite: exit code and stdout of every test on each engine (see docs/wasi.md)." };
var wasiSuiteOption = new Option<string?>("--wasi-suite") { Description = "Folder of the WASI test suite (else WASI_TESTSUITE, corpus/wasi-testsuite, ../shared/wasi-testsuite)." };
var jitStatsOption = new Option<bool>("--jit-stats") { Description = "After the run, list every reason the JIT left functions to the interpreter, with counts." };
var interpStatsOption = new Option<bool>("--interp-stats") { Description = "After the run, list every reason the interpreter ran functions in its dispatch loop instead of as threaded code, with counts." };

var root = new RootCommand("Runs the official WebAssembly spec tests (.wast scripts) on our engines and wasmtime, and prints a conformance matrix.")
{
    suiteOption, filterOption, engineOption, profileOption, validateOnlyOption, proposalsOption, crossCheckOption, featuresOption, jsonOption, relaxedSimdOption, maxMemoryOption, jitMethodBudgetOption, maxFailuresOption, noReservationOption, jitStatsOption, interpStatsOption, wasiOption, wasiSuiteOption,
};

root.SetAction(parse =>
{
    if (parse.GetValue(wasiOption))
    {
        return WasmHarness.SpecRunner.Wasi.WasiJob.Run(registry, parse.GetValue(wasiSuiteOption), parse.GetValue(engineOption) ?? [], parse.GetValue(filterOption) ?? [], parse.GetValue(jsonOption), parse.GetValue(maxFailuresOption));
    }
    var (suite, tried) = SuiteLocator.Locate(parse.GetValue(suiteOption), Directory.GetCurrentDirectory());
    if (suite is null)
    {
        Console.Error.WriteLine($"error: {SuiteLocator.Missing(tried)}");
        return 2;
    }

    SuiteProfile? profile = null;
    if (parse.GetValue(profileOption) is { } profileName && (profile = Profiles.Find(profileName)) is null)
    {
        Console.Error.WriteLine($"error: unknown profile '{profileName}'; known: {string.Join(", ", Profiles.All.Select(p => p.Name))}");
        return 2;
    }

    var filters = parse.GetValue(filterOption) ?? [];
    if (parse.GetValue(featuresOption))
    {
        foreach (var file in SuiteFiles.Find(suite, filters, parse.GetValue(proposalsOption)).Where(f => profile?.Contains(f) ?? true))
        {
            Console.WriteLine($"{file}\t{FeatureSurvey.Of(suite, file)}");
        }
        return 0;
    }

    var engines = new List<IEngine>();
    var engineOptions = new EngineOptions
    {
        RelaxedSimd = parse.GetValue(relaxedSimdOption),
        ReserveMemoryAddressSpace = !parse.GetValue(noReservationOption),
    };
    if (parse.GetValue(jitMethodBudgetOption) is { } budget)
    {
        engineOptions = engineOptions with { JitMethodBudget = budget };
    }
    if (parse.GetValue(maxMemoryOption) is { } maxMemory)
    {
        engineOptions = engineOptions with { MaxMemoryBytes = maxMemory };
    }
    if (!parse.GetValue(validateOnlyOption))
    {
        var names = parse.GetValue(engineOption) is { Length: > 0 } given ? given : ["interp"];
        try
        {
            engines.AddRange(registry.Create(names, engineOptions));
        }
        catch (UnknownEngineException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }

    var options = new SpecRunOptions(suite, filters, parse.GetValue(proposalsOption), parse.GetValue(crossCheckOption) ? () => new WasmtimeValidator() : null, profile, engines);
    var run = ShowProgress(options);
    ConsoleReport.Print(AnsiConsole.Console, Console.Out, run, parse.GetValue(maxFailuresOption));
    var jitStatistics = new JitStatistics();
    foreach (var jit in engines.OfType<JitEngine>())
    {
        jitStatistics.Add(jit.RuntimeEngine.JitStatistics);
    }
    if (engines.Any(engine => engine is JitEngine))
    {
        // Which functions of the run the JIT compiled and which it left to the interpreter (and why).
        var reasons = string.Join(", ", jitStatistics.FallbackReasons.Select(r => $"{r.Key} {r.Value}"));
        Console.WriteLine($"jit code: {jitStatistics.Compiled} functions compiled ({jitStatistics.Regions} regions outlined), {jitStatistics.FallenBack} fell back to the interpreter{(reasons.Length > 0 ? $" (first unsupported instruction: {reasons})" : "")}; IL emitted in {jitStatistics.EmitTime.TotalSeconds:F2} s, compiled by RyuJIT in {jitStatistics.PrepareTime.TotalSeconds:F2} s{(jitStatistics.LoopVariants > 0 ? $"; tier-up: {jitStatistics.LoopVariants} loop variants, {jitStatistics.LoopEntries} calls moved into compiled code at a loop head" : "")}");
    }
    var interpreterStatistics = new InterpreterStatistics();
    foreach (var interpreter in engines.OfType<InterpreterEngine>())
    {
        interpreterStatistics.Add(interpreter.RuntimeEngine.InterpreterStatistics);
    }
    if (interpreterStatistics.Threaded + interpreterStatistics.InLoop > 0)
    {
        // Of the functions the interpreter was asked to run, which became threaded code (docs/execution.md).
        var reasons = string.Join(", ", interpreterStatistics.LoopReasons.OrderByDescending(r => r.Value).Take(5).Select(r => $"{r.Key} {r.Value}"));
        Console.WriteLine($"interp code: {interpreterStatistics.Threaded} functions threaded, {interpreterStatistics.InLoop} in the dispatch loop{(reasons.Length > 0 ? $" (most frequent reasons: {reasons})" : "")}");
    }
    foreach (var engine in engines.OfType<IDisposable>())
    {
        engine.Dispose();
    }

    if (parse.GetValue(jitStatsOption))
    {
        // The same counts as the "jit code" line, one reason per line, most frequent first.
        foreach (var (reason, count) in jitStatistics.FallbackReasons.OrderByDescending(r => r.Value))
        {
            Console.WriteLine($"  {count,7}  {reason}");
        }
    }

    if (parse.GetValue(interpStatsOption))
    {
        // The same counts as the "interp code" line, every reason, most frequent first.
        foreach (var (reason, count) in interpreterStatistics.LoopReasons.OrderByDescending(r => r.Value))
        {
            Console.WriteLine($"  {count,7}  {reason}");
        }
    }

    if (parse.GetValue(jsonOption) is { } jsonPath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(jsonPath))!);
        File.WriteAllText(jsonPath, JsonSerializer.Serialize(run, ResultsJson.Options));
    }
    return run.CoreFailures == 0 ? 0 : 1;
});

return root.Parse(args).Invoke();

// A progress bar on a terminal; nothing extra when the output is redirected (CI logs stay readable).
static RunResult ShowProgress(SpecRunOptions options)
{
    if (Console.IsOutputRedirected)
    {
        return SpecRun.Execute(options);
    }
    var total = SuiteFiles.Find(options.SuiteRoot, options.Filters, options.IncludeProposals).Count(f => options.Profile?.Contains(f) ?? true);
    RunResult? run = null;
    AnsiConsole.Progress().AutoClear(true).Start(context =>
    {
        var task = context.AddTask("scripts", maxValue: total);
        run = SpecRun.Execute(options, file => task.Increment(1));
    });
    return run!;
}
