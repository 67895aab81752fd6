using WasmHarness.Wast;
using Spectre.Console;

namespace WasmHarness.SpecRunner;

/// <summary>Prints a run's results: the file × engine matrix, the failures, the cross-check, and a totals line per engine.</summary>
/// <remarks>The table goes through Spectre.Console; the other lines are plain text, never wrapped, so they can be grepped.</remarks>
public static class ConsoleReport
{
    public static void Print(IAnsiConsole console, TextWriter plain, RunResult run, int maxFailuresShown)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("file");
        foreach (var engine in run.Engines)
        {
            table.AddColumn(new TableColumn($"{engine.Engine}\npassed/failed/skipped").RightAligned());
        }
        for (var i = 0; i < run.Engines[0].Files.Count; i++)
        {
            var cells = new List<string> { Markup.Escape(run.Engines[0].Files[i].File) };
            cells.AddRange(run.Engines.Select(engine => Cell(engine.Files[i])));
            table.AddRow([.. cells]);
        }
        console.Write(table);
        plain.Flush();

        foreach (var engine in run.Engines)
        {
            var failures = engine.Files
                .SelectMany(f => (f.Error is null ? [] : new[] { $"{f.File}: script error: {f.Error}" })
                    .Concat(f.Commands.Where(c => c.Verdict == Verdict.Failed).Select(c => $"{f.File}:{c.Line}: {c.Command}: {c.Detail}")))
                .ToList();
            if (failures.Count > 0)
            {
                plain.WriteLine($"Failures on {engine.Engine} ({failures.Count}, showing up to {maxFailuresShown}):");
                foreach (var failure in failures.Take(maxFailuresShown))
                {
                    plain.WriteLine("  " + failure);
                }
            }
        }

        if (run.CrossCheck is { } check)
        {
            plain.WriteLine("Cross-check against wasmtime:");
            plain.WriteLine($"  modules we accept, our encoding accepted by wasmtime: {check.AcceptedAgreed} agree, {check.AcceptedDisagreed} disagree");
            plain.WriteLine($"  binary modules we reject as invalid, rejected by wasmtime: {check.InvalidBinaryAgreed} agree, {check.InvalidBinaryDisagreed} disagree");
            plain.WriteLine($"  binary modules we reject as malformed, rejected by wasmtime: {check.MalformedBinaryAgreed} agree, {check.MalformedBinaryDisagreed} disagree");
            plain.WriteLine($"  text modules we reject as invalid, our encoding rejected by wasmtime: {check.InvalidTextAgreed} agree, {check.InvalidTextDisagreed} disagree");
            plain.WriteLine($"  modules wasmtime cannot judge (a feature it lacks): {check.WasmtimeCannotJudge}, in {string.Join(", ", check.NotJudgedByWasmtime.Select(d => d.File).Distinct())}");
            foreach (var d in check.Disagreements.Take(maxFailuresShown))
            {
                plain.WriteLine($"  {d.File}:{d.Line}: ours: {d.Ours}; wasmtime: {d.Wasmtime}");
            }
        }

        plain.WriteLine($"suite: {run.Suite}{(run.SuiteProvenance is null ? "" : $" ({run.SuiteProvenance})")}; profile: {run.Profile}; platform: {run.Platform}; interpreter: {(Engine.ThreadedInterpreterAvailable ? "threaded code and dispatch loop" : "dispatch loop only (no tail calls in this process)")}");
        foreach (var engine in run.Engines)
        {
            if (engine.Proposals is { } proposals)
            {
                plain.WriteLine($"{engine.Engine} proposals (not counted): {proposals}");
                foreach (var proposal in engine.Files.Where(f => f.IsProposal).GroupBy(f => f.File.Split('/')[1]).OrderBy(g => g.Key, StringComparer.Ordinal))
                {
                    plain.WriteLine($"  {proposal.Key}: {Totals.Of(proposal)}");
                }
            }
        }
        // The closing lines, one per engine, in the form CI reads.
        foreach (var engine in run.Engines)
        {
            plain.WriteLine($"{engine.Engine}: {engine.Core}");
        }
    }

    private static string Cell(ScriptResult file)
    {
        var failed = file.Failed == 0 ? "0" : $"[red]{file.Failed}[/]";
        return $"{file.Passed}/{failed}/{file.Skipped}";
    }
}
