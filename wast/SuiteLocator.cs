namespace WasmHarness.Wast;

/// <summary>
/// Finds the official test suite: <c>--suite</c>, then <c>WASM_TESTSUITE</c>, then the <c>corpus/testsuite</c>
/// submodule, then <c>../shared/wasm-testsuite</c> beside the repository.
/// </summary>
public static class SuiteLocator
{
    /// <summary>Where the suite was found, and how; or null with the places tried.</summary>
    public static (string? Root, IReadOnlyList<string> Tried) Locate(string? fromOption, string startDirectory)
    {
        var tried = new List<string>();

        if (!string.IsNullOrEmpty(fromOption))
        {
            tried.Add($"--suite {fromOption}");
            return (IsSuite(fromOption) ? Path.GetFullPath(fromOption) : null, tried);
        }

        var fromEnvironment = Environment.GetEnvironmentVariable("WASM_TESTSUITE");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            tried.Add($"WASM_TESTSUITE={fromEnvironment}");
            if (IsSuite(fromEnvironment))
            {
                return (Path.GetFullPath(fromEnvironment), tried);
            }
        }

        var repository = FindRepositoryRoot(startDirectory);
        if (repository is not null)
        {
            var submodule = Path.Combine(repository, "corpus", "testsuite");
            tried.Add(submodule);
            if (IsSuite(submodule))
            {
                return (submodule, tried);
            }
            var shared = Path.GetFullPath(Path.Combine(repository, "..", "shared", "wasm-testsuite"));
            tried.Add(shared);
            if (IsSuite(shared))
            {
                return (shared, tried);
            }
        }
        return (null, tried);
    }

    /// <summary>The pinned commit recorded next to the suite (PROVENANCE.txt), if any.</summary>
    public static string? Provenance(string root)
    {
        var file = Path.Combine(root, "PROVENANCE.txt");
        return File.Exists(file) ? File.ReadLines(file).FirstOrDefault(line => line.Contains("commit", StringComparison.Ordinal))?.Trim() : null;
    }

    private static bool IsSuite(string path) => File.Exists(Path.Combine(path, "address.wast"));

    private static string? FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Harness.sln")))
            {
                return dir.FullName;
            }
        }
        return null;
    }
}
