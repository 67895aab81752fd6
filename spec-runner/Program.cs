using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using WasmHarness.SpecRunner;

var suiteOption = new Option<string?>("--suite") { Description = "Folder of the official test suite (else WASM_TESTSUITE, corpus/testsuite, ../shared/wasm-testsuite)." };
var filterOption = new Option<string[]>("--filter") { Description = "Glob over script paths or names, e.g. 'simd_*' or 'legacy/*' (repeatable).", AllowMultipleArgumentsPerToken = true };
var validateOnlyOption = new Option<bool>("--validate-only") { Description = "Judge only module-level commands (decode, parse, validate); skip actions." };
var proposalsOption = new Option<bool>("--proposals") { Description = "Also run proposals/*, reported apart from the core totals." };
var crossCheckOption = new Option<bool>("--cross-check") { Description = "Cross-check every module against wasmtime's validator (our encoder's bytes)." };
var jsonOption = new Option<string?>("--json") { Description = "Write the results as JSON to this file." };
var maxFailuresOption = new Option<int>("--max-failures") { Description = "How many failures to print.", DefaultValueFactory = _ => 50 };

var root = new RootCommand("Runs the official WebAssembly spec tests (.wast scripts) and prints a conformance table.")
{
    suiteOption, filterOption, validateOnlyOption, proposalsOption, crossCheckOption, jsonOption, maxFailuresOption,
};

root.SetAction(parse =>
{
    var console = AnsiConsole.Console;
    var (suite, tried) = SuiteLocator.Locate(parse.GetValue(suiteOption), Directory.GetCurrentDirectory());
    if (suite is null)
    {
        Console.Error.WriteLine("error: the WebAssembly test suite was not found. Tried:");
        foreach (var place in tried)
        {
            Console.Error.WriteLine($"  {place}");
        }
        Console.Error.WriteLine("Get it with `git submodule update --init corpus/testsuite`, or pass --suite DIR, or set WASM_TESTSUITE.");
        return 2;
    }

    if (!parse.GetValue(validateOnlyOption))
    {
        // Execution engines (interpreter, JIT, wasmtime) come next; until then every run is module-level.
        console.MarkupLine("[yellow]note:[/] no execution engine yet: judging module-level commands only (as --validate-only).");
    }

    var options = new SpecRunOptions(
        SuiteRoot: suite,
        Filters: parse.GetValue(filterOption) ?? [],
        IncludeProposals: parse.GetValue(proposalsOption),
        CrossCheckWasmtime: parse.GetValue(crossCheckOption));
    var run = SpecRun.Execute(options);
    ConsoleReport.Print(console, Console.Out, run, parse.GetValue(maxFailuresOption));

    if (parse.GetValue(jsonOption) is { } jsonPath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(jsonPath))!);
        File.WriteAllText(jsonPath, JsonSerializer.Serialize(run, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
    }
    return run.Core.Failed == 0 ? 0 : 1;
});

return root.Parse(args).Invoke();
