using WasmHarness.Fuzz;
using WasmHarness.Fuzz.Targets;
using Xunit.Abstractions;

namespace WasmHarness.Tests.Fuzz;

/// <summary>
/// Replays the inputs that fuzzing found (<c>corpus/regressions/TARGET/</c>, written by <c>fuzz/triage.sh</c>): each
/// must now be handled by its target without anything but the runtime's own errors escaping. Inputs of findings not
/// fixed yet live in <c>corpus/regressions/TARGET/open/</c>: they are replayed and reported, not asserted.
/// </summary>
public sealed class RegressionTests(ITestOutputHelper output)
{
    public static TheoryData<string> Targets => [.. FuzzTarget.All.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Targets))]
    public void Fixed_findings_stay_fixed(string name)
    {
        var target = FuzzTarget.Find(name)!;
        var failures = new List<string>();
        var files = Inputs(name, "").ToList();
        foreach (var file in files)
        {
            if (Triage.Replay(target, File.ReadAllBytes(file)) is { } found)
            {
                failures.Add($"{Path.GetFileName(file)}: {found.Signature}\n{found.Error}");
            }
        }
        output.WriteLine($"{name}: {files.Count} regression inputs replayed");
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Open_findings_are_reported(string name)
    {
        var target = FuzzTarget.Find(name)!;
        foreach (var file in Inputs(name, "open"))
        {
            var found = Triage.Replay(target, File.ReadAllBytes(file));
            output.WriteLine($"{Path.GetFileName(file)}: {(found is null ? "fixed now: move it up to corpus/regressions/" + name : found.Value.Signature)}");
        }
    }

    private static IEnumerable<string> Inputs(string target, string sub)
    {
        var dir = Path.Combine(RepositoryRoot(), "corpus", "regressions", target, sub);
        return Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir).Where(f => Path.GetExtension(f) is ".wasm" or ".wat" or ".bin").Order(StringComparer.Ordinal)
            : [];
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Harness.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("the repository root (Harness.sln) was not found above " + AppContext.BaseDirectory);
    }
}
