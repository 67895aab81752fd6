using System.IO.Enumeration;

namespace WasmHarness.Wast;

/// <summary>The scripts of the suite, grouped as the conformance table reports them.</summary>
public static class SuiteFiles
{
    /// <summary>The folders of the core suite: Wasm 3.0 at the top level, legacy exceptions, custom sections and annotations.</summary>
    public static readonly string[] CoreFolders = ["", "legacy", "custom"];

    /// <summary>
    /// The suite's scripts as paths relative to <paramref name="root"/> with '/' separators, core folders first,
    /// then (when asked) <c>proposals/*</c>; filtered by glob patterns matched against the relative path and the file name.
    /// </summary>
    public static IReadOnlyList<string> Find(string root, IReadOnlyList<string> filters, bool includeProposals)
    {
        var files = new List<string>();
        foreach (var folder in CoreFolders)
        {
            files.AddRange(ScriptsIn(root, folder));
        }
        var proposals = Path.Combine(root, "proposals");
        if (includeProposals && Directory.Exists(proposals))
        {
            foreach (var proposal in Directory.EnumerateDirectories(proposals).Order(StringComparer.Ordinal))
            {
                files.AddRange(ScriptsIn(root, Path.GetRelativePath(root, proposal)));
            }
        }
        return filters.Count == 0 ? files : files.Where(file => filters.Any(filter => Matches(filter, file))).ToList();
    }

    /// <summary>True for files under <c>proposals/</c>, which are reported apart and do not count in the totals.</summary>
    public static bool IsProposal(string relativePath) => relativePath.StartsWith("proposals/", StringComparison.Ordinal);

    private static IEnumerable<string> ScriptsIn(string root, string folder)
    {
        var dir = Path.Combine(root, folder);
        return Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir, "*.wast")
                .Select(file => Path.GetRelativePath(root, file).Replace('\\', '/'))
                .Order(StringComparer.Ordinal)
            : [];
    }

    private static bool Matches(string pattern, string relativePath)
    {
        var withExtension = pattern.EndsWith(".wast", StringComparison.Ordinal) || pattern.EndsWith('*') ? pattern : pattern + ".wast";
        return FileSystemName.MatchesSimpleExpression(withExtension, relativePath)
            || FileSystemName.MatchesSimpleExpression(withExtension, Path.GetFileName(relativePath));
    }
}
