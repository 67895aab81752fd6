namespace WasmHarness.Wast.Wasi;

/// <summary>
/// Finds the official WASI test suite (WebAssembly/wasi-testsuite, branch <c>prod/testsuite-base</c>) the way
/// <see cref="SuiteLocator"/> finds the core suite: <c>--wasi-suite</c>, then <c>WASI_TESTSUITE</c>, then the
/// <c>corpus/wasi-testsuite</c> submodule, then <c>../shared/wasi-testsuite</c> beside the repository.
/// </summary>
public static class WasiSuiteLocator
{
    /// <summary>Where the suite was found; or null with the places tried.</summary>
    public static (string? Root, IReadOnlyList<string> Tried) Locate(string? fromOption, string startDirectory) =>
        SuiteLocator.Locate(new SuiteLocator.SuiteSearch("--wasi-suite", Variable, "wasi-testsuite", "wasi-testsuite", IsSuite, IsSuite), fromOption, startDirectory, Environment.GetEnvironmentVariable);

    /// <summary>The environment variable naming the WASI suite (<see cref="SuiteLocator.Disabled"/> turns the fallbacks off).</summary>
    public const string Variable = "WASI_TESTSUITE";

    /// <summary>The WASI suite for tests that read it; or, when it is missing, the reason a test skips.</summary>
    public static (string? Root, string? MissingReason) ForTests()
    {
        var (root, tried) = Locate(null, AppContext.BaseDirectory);
        return root is not null ? (root, null) : (null, Missing(tried));
    }

    /// <summary>Why the WASI suite is missing: the places tried and how to get it.</summary>
    public static string Missing(IReadOnlyList<string> tried) =>
        SuiteLocator.MissingMessage("the WASI test suite", tried, "git submodule update --init --depth 1 corpus/wasi-testsuite", $"{Variable} or pass --wasi-suite DIR");

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
