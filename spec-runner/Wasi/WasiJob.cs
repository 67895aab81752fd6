using System.Text.Json;
using Spectre.Console;
using WasmHarness.Engines;
using WasmHarness.Engines.Wasi;
using WasmHarness.Wast.Wasi;

namespace WasmHarness.SpecRunner.Wasi;

/// <summary><c>spec-runner --wasi</c>: finds the WASI suite, runs it on the chosen engines, prints the matrix and writes JSON.</summary>
public static class WasiJob
{
    public static int Run(EngineRegistry registry, string? suiteOption, IReadOnlyList<string> engineNames, IReadOnlyList<string> filters, string? jsonPath, int maxFailuresShown)
    {
        var (suite, tried) = WasiSuiteLocator.Locate(suiteOption, Directory.GetCurrentDirectory());
        if (suite is null)
        {
            Console.Error.WriteLine($"error: {WasiSuiteLocator.Missing(tried)}");
            return 2;
        }
        var engines = new List<IWasiRunner>();
        try
        {
            foreach (var engine in registry.Create(engineNames.Count == 0 ? ["interp"] : engineNames))
            {
                if (engine is not IWasiRunner runner)
                {
                    Console.Error.WriteLine($"error: engine '{engine.Name}' cannot run WASI programs");
                    return 2;
                }
                engines.Add(runner);
            }
        }
        catch (UnknownEngineException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }

        var run = WasiSuiteRun.Execute(suite, engines, filters);
        foreach (var engine in engines.OfType<IDisposable>())
        {
            engine.Dispose();
        }
        Print(AnsiConsole.Console, Console.Out, run, maxFailuresShown);
        if (jsonPath is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(jsonPath))!);
            File.WriteAllText(jsonPath, JsonSerializer.Serialize(run, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
        }
        return run.Failures == 0 ? 0 : 1;
    }

    /// <summary>The test × engine matrix, the failures, and one totals line per engine (the line CI reads).</summary>
    public static void Print(IAnsiConsole console, TextWriter plain, WasiRunResult run, int maxFailuresShown)
    {
        if (run.Engines.Count == 0)
        {
            return;
        }
        var table = new Table().Border(TableBorder.Rounded).AddColumn("test");
        foreach (var engine in run.Engines)
        {
            table.AddColumn(new TableColumn(engine.Engine).Centered());
        }
        for (var i = 0; i < run.Engines[0].Tests.Count; i++)
        {
            table.AddRow([Markup.Escape(run.Engines[0].Tests[i].Test), .. run.Engines.Select(e => e.Tests[i].Passed ? "pass" : "[red]FAIL[/]")]);
        }
        console.Write(table);
        plain.Flush();
        foreach (var engine in run.Engines.Where(e => e.Failed > 0))
        {
            plain.WriteLine($"Failures on {engine.Engine} ({engine.Failed}, showing up to {maxFailuresShown}):");
            foreach (var test in engine.Tests.Where(t => !t.Passed).Take(maxFailuresShown))
            {
                plain.WriteLine($"  {test.Test}: {test.Detail}");
            }
        }
        plain.WriteLine($"WASI suite: {run.Suite}{(run.SuiteProvenance is null ? "" : $" ({run.SuiteProvenance})")}; platform: {run.Platform}");
        foreach (var engine in run.Engines)
        {
            plain.WriteLine($"{engine.Engine}: {engine.Passed} passed, {engine.Failed} failed (of {engine.Tests.Count} WASI preview 1 tests)");
        }
    }
}
