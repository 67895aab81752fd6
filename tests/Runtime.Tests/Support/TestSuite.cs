namespace WasmHarness.Tests.Support;

/// <summary>
/// Finds the official test suite for tests that read it, in the order the spec runner uses:
/// <c>WASM_TESTSUITE</c>, then <c>corpus/testsuite</c> (the submodule), then <c>../shared/wasm-testsuite</c>.
/// </summary>
public static class TestSuite
{
    private static readonly Lazy<string?> s_root = new(Locate);

    /// <summary>The suite's root folder, or null where no copy exists.</summary>
    public static string? Root => s_root.Value;

    /// <summary>The core scripts as xunit theory data, one case per script so a failure names its file.</summary>
    public static TheoryData<string> CoreScriptData() => [.. CoreScripts()];

    /// <summary>Every core <c>.wast</c> file (top level, <c>legacy/</c>, <c>custom/</c>), relative to the root.</summary>
    public static IEnumerable<string> CoreScripts()
    {
        if (Root is null)
        {
            yield break;
        }
        foreach (var folder in new[] { "", "legacy", "custom" })
        {
            var dir = Path.Combine(Root, folder);
            if (!Directory.Exists(dir))
            {
                continue;
            }
            foreach (var file in Directory.EnumerateFiles(dir, "*.wast").Order(StringComparer.Ordinal))
            {
                yield return Path.GetRelativePath(Root, file);
            }
        }
    }

    private static string? Locate()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("WASM_TESTSUITE");
        if (!string.IsNullOrEmpty(fromEnvironment) && Directory.Exists(fromEnvironment))
        {
            return fromEnvironment;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var submodule = Path.Combine(dir.FullName, "corpus", "testsuite");
            if (File.Exists(Path.Combine(submodule, "address.wast")))
            {
                return submodule;
            }
            var shared = Path.Combine(dir.FullName, "..", "shared", "wasm-testsuite");
            if (File.Exists(Path.Combine(shared, "address.wast")))
            {
                return Path.GetFullPath(shared);
            }
        }
        return null;
    }
}
