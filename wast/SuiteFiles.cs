using System.IO.Enumeration;

namespace WasmHarness.Wast;

/// <summary>The scripts of the suite, grouped as the conformance table reports them.</summary>
public static class SuiteFiles
{
    /// <summary>The folders of the core suite: Wasm 3.0 at the top level, legacy exceptions, custom sections and annotations.</summary>
    public static readonly string[] CoreFolders = ["", "legacy", "custom"];

    /// <summary>How scripts are enumerated: every folder below the root, hidden ones (<c>.git</c>) excepted.</summary>
    public static readonly EnumerationOptions Recursive = new() { RecurseSubdirectories = true };

    /// <summary>
    /// The scripts under <paramref name="root"/> (any folder of <c>.wast</c> files, searched recursively) as paths
    /// relative to it with '/' separators: the core folders first (top level, <c>legacy/</c>, <c>custom/</c>), then any
    /// other folder, then (when asked) <c>proposals/*</c>; each group in ordinal order. Filtered by glob patterns
    /// matched against the relative path and the file name.
    /// </summary>
    public static IReadOnlyList<string> Find(string root, IReadOnlyList<string> filters, bool includeProposals)
    {
        var files = Directory.EnumerateFiles(root, "*.wast", Recursive)
            .Select(file => Path.GetRelativePath(root, file).Replace('\\', '/'))
            .Where(file => includeProposals || !IsProposal(file))
            .OrderBy(Group)
            .ThenBy(file => file, StringComparer.Ordinal)
            .ToList();
        return filters.Count == 0 ? files : files.Where(file => filters.Any(filter => Matches(filter, file))).ToList();
    }

    /// <summary>True for files under <c>proposals/</c>, which are reported apart and do not count in the totals.</summary>
    public static bool IsProposal(string relativePath) => relativePath.StartsWith("proposals/", StringComparison.Ordinal);

    // The conformance table lists the core folders in their order, other folders after them, proposals last.
    private static int Group(string relativePath)
    {
        if (IsProposal(relativePath))
        {
            return CoreFolders.Length + 1;
        }
        var slash = relativePath.IndexOf('/', StringComparison.Ordinal);
        var index = Array.IndexOf(CoreFolders, slash < 0 ? "" : relativePath[..slash]);
        return index < 0 ? CoreFolders.Length : index;
    }

    private static bool Matches(string pattern, string relativePath)
    {
        var withExtension = pattern.EndsWith(".wast", StringComparison.Ordinal) || pattern.EndsWith('*') ? pattern : pattern + ".wast";
        return FileSystemName.MatchesSimpleExpression(withExtension, relativePath)
            || FileSystemName.MatchesSimpleExpression(withExtension, Path.GetFileName(relativePath));
    }
}
