using Spectre.Console;

namespace WasmHarness.SpecRunner;

/// <summary>Prints a run's results: the per-file table, the failures, the cross-check, and the totals line.</summary>
/// <remarks>The table goes through Spectre.Console; the other lines are plain text, never wrapped, so they can be grepped.</remarks>
public static class ConsoleReport
{
    public static void Print(IAnsiConsole console, TextWriter plain, RunResult run, int maxFailuresShown)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("file").AddColumn(new TableColumn("passed").RightAligned())
            .AddColumn(new TableColumn("failed").RightAligned()).AddColumn(new TableColumn("skipped").RightAligned());
        foreach (var file in run.Files)
        {
            var failed = file.Failed == 0 ? "0" : $"[red]{file.Failed}[/]";
            table.AddRow(Markup.Escape(file.File), file.Passed.ToString(), failed, file.Skipped.ToString());
        }
        console.Write(table);
        plain.Flush();

        var failures = run.Files
            .SelectMany(f => (f.Error is null ? [] : new[] { $"{f.File}: script error: {f.Error}" })
                .Concat(f.Commands.Where(c => c.Verdict == Verdict.Failed).Select(c => $"{f.File}:{c.Line}: {c.Command}: {c.Detail}")))
            .ToList();
        if (failures.Count > 0)
        {
            plain.WriteLine($"Failures ({failures.Count}, showing up to {maxFailuresShown}):");
            foreach (var failure in failures.Take(maxFailuresShown))
            {
                plain.WriteLine("  " + failure);
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

        if (run.Proposals is { } proposals)
        {
            plain.WriteLine($"proposals (not counted): {proposals}");
        }
        plain.WriteLine($"suite: {run.Suite}{(run.SuiteProvenance is null ? "" : $" ({run.SuiteProvenance})")}");
        // The closing line, in the form CI reads.
        plain.WriteLine(run.Core.ToString());
    }
}
