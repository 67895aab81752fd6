namespace WasmHarness.Wast;

/// <summary>
/// Finds the official test suite: <c>--suite</c>, then <c>WASM_TESTSUITE</c>, then the <c>corpus/testsuite</c>
/// submodule, then <c>../shared/wasm-testsuite</c> beside the repository. The spec runner, <c>harness</c>, the fuzz
/// seeds and the tests all ask this one class, so they agree on where the suite is and why it is missing.
/// </summary>
public static class SuiteLocator
{
    /// <summary>The environment variable naming the core suite.</summary>
    public const string Variable = "WASM_TESTSUITE";

    /// <summary>
    /// The value of <see cref="Variable"/> (or <c>WASI_TESTSUITE</c>) that means "no suite": the fallbacks are not
    /// searched, so the tests can be run as on a clone without the suite while a shared copy exists beside it.
    /// </summary>
    public const string Disabled = "none";

    /// <summary>
    /// Where the suite was found, and how; or null with the places tried. <paramref name="fromOption"/> may name any
    /// folder holding <c>.wast</c> files (searched recursively); the fallbacks must hold the official layout.
    /// </summary>
    public static (string? Root, IReadOnlyList<string> Tried) Locate(string? fromOption, string startDirectory) =>
        Locate(Core, fromOption, startDirectory, Environment.GetEnvironmentVariable);

    /// <summary>How the core suite is searched.</summary>
    internal static readonly SuiteSearch Core = new("--suite", Variable, "testsuite", "wasm-testsuite", IsOfficial, HoldsScripts);

    /// <summary>
    /// The official suite for tests that read it, found from <see cref="AppContext.BaseDirectory"/>; or, when it is
    /// missing, the reason a test skips (the places tried and how to get the suite).
    /// </summary>
    public static (string? Root, string? MissingReason) ForTests()
    {
        var (root, tried) = Locate(null, AppContext.BaseDirectory);
        if (root is not null && !IsOfficial(root))
        {
            return (null, $"{root} is not the official suite (no address.wast)");
        }
        return root is not null ? (root, null) : (null, Missing(tried));
    }

    /// <summary>Why the core suite is missing: the places tried and how to get it.</summary>
    public static string Missing(IReadOnlyList<string> tried) =>
        MissingMessage("the WebAssembly test suite", tried, "git submodule update --init --depth 1 corpus/testsuite", $"{Variable} or pass --suite DIR");

    /// <summary>One line naming what was not found, where it was looked for, and how to get it.</summary>
    internal static string MissingMessage(string what, IReadOnlyList<string> tried, string fetch, string alternatives) =>
        $"{what} was not found (tried: {(tried.Count == 0 ? "nothing" : string.Join(", ", tried))}); get it with `{fetch}`, or set {alternatives}";

    /// <summary>The pinned commit recorded next to the suite (PROVENANCE.txt), if any.</summary>
    public static string? Provenance(string root)
    {
        var file = Path.Combine(root, "PROVENANCE.txt");
        return File.Exists(file) ? File.ReadLines(file).FirstOrDefault(line => line.Contains("commit", StringComparison.Ordinal))?.Trim() : null;
    }

    /// <summary>True for a folder with the official suite's layout (its first script, <c>address.wast</c>, at the top).</summary>
    public static bool IsOfficial(string path) => File.Exists(Path.Combine(path, "address.wast"));

    private static bool HoldsScripts(string path) =>
        Directory.Exists(path) && Directory.EnumerateFiles(path, "*.wast", SuiteFiles.Recursive).Any();

    /// <summary>
    /// How one suite is searched: the option's name (for messages), the environment variable, the submodule's name
    /// under <c>corpus/</c> and the shared copy's name under <c>../shared/</c>; what a found folder must satisfy
    /// (<paramref name="IsSuite"/>) and what a folder named by the option or variable must (<paramref name="IsExplicit"/>).
    /// </summary>
    internal sealed record SuiteSearch(string OptionName, string Variable, string Submodule, string SharedName, Func<string, bool> IsSuite, Func<string, bool> IsExplicit);

    /// <summary>
    /// The search every suite shares. The option, then the variable, are final when given: a wrong folder is reported,
    /// not silently replaced by a fallback (and <see cref="Disabled"/> turns the fallbacks off).
    /// </summary>
    internal static (string? Root, IReadOnlyList<string> Tried) Locate(SuiteSearch search, string? fromOption, string startDirectory, Func<string, string?> environment)
    {
        var tried = new List<string>();
        if (!string.IsNullOrEmpty(fromOption))
        {
            tried.Add($"{search.OptionName} {fromOption}");
            return (search.IsExplicit(fromOption) ? Path.GetFullPath(fromOption) : null, tried);
        }

        var fromEnvironment = environment(search.Variable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            tried.Add($"{search.Variable}={fromEnvironment}");
            return (fromEnvironment != Disabled && search.IsExplicit(fromEnvironment) ? Path.GetFullPath(fromEnvironment) : null, tried);
        }

        var repository = FindRepositoryRoot(startDirectory);
        if (repository is not null)
        {
            foreach (var candidate in new[] { Path.Combine(repository, "corpus", search.Submodule), Path.GetFullPath(Path.Combine(repository, "..", "shared", search.SharedName)) })
            {
                tried.Add(candidate);
                if (search.IsSuite(candidate))
                {
                    return (candidate, tried);
                }
            }
        }
        return (null, tried);
    }

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
