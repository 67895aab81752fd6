namespace WasmHarness.Wast.Wasi;

/// <summary>
/// Finds the official WASI test suite (WebAssembly/wasi-testsuite, branch <c>prod/testsuite-base</c>) the way
/// <see cref="SuiteLocator"/> finds the core suite: <c>--wasi-suite</c>, then <c>WASI_TESTSUITE</c>, then the
/// <c>corpus/wasi-testsuite</c> submodule, then <c>../shared/wasi-testsuite</c> beside the repository.
/// </summary>
public static class WasiSuiteLocator
{
    /// <summary>Where the suite was found; or null with the places tried.</summary>
    public static (string? Root, IReadOnlyList<string> Tried) Locate(string? fromOption, string startDirectory)
    {
        var tried = new List<string>();
        if (!string.IsNullOrEmpty(fromOption))
        {
            tried.Add($"--wasi-suite {fromOption}");
            return (IsSuite(fromOption) ? Path.GetFullPath(fromOption) : null, tried);
        }
        var fromEnvironment = Environment.GetEnvironmentVariable("WASI_TESTSUITE");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            tried.Add($"WASI_TESTSUITE={fromEnvironment}");
            if (IsSuite(fromEnvironment))
            {
                return (Path.GetFullPath(fromEnvironment), tried);
            }
        }
        for (var dir = new DirectoryInfo(startDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "Harness.sln")))
            {
                continue;
            }
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "corpus", "wasi-testsuite"), Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "wasi-testsuite")) })
            {
                tried.Add(candidate);
                if (IsSuite(candidate))
                {
                    return (candidate, tried);
                }
            }
            break;
        }
        return (null, tried);
    }

    /// <summary>The preview 1 test folders (<c>tests/*/testsuite/wasm32-wasip1</c>) of a suite.</summary>
    public static IReadOnlyList<string> TestFolders(string root)
    {
        var tests = Path.Combine(root, "tests");
        return Directory.Exists(tests)
            ? [.. Directory.EnumerateDirectories(tests).Select(language => Path.Combine(language, "testsuite", "wasm32-wasip1")).Where(Directory.Exists).Order(StringComparer.Ordinal)]
            : [];
    }

    private static bool IsSuite(string path) => TestFolders(path).Count > 0;
}
