namespace WasmHarness.Syntax;

/// <summary>
/// Structural equality of whole modules: the same sections with the same contents in the same order.
/// Used by round-trip checks (decode → encode → decode) and by the test-case reducer.
/// </summary>
public static class ModuleEquality
{
    /// <summary>
    /// A description of the first difference between two modules, or null when they are equal. Names (the
    /// module's and functions', from the text format or the name section) are compared only when asked: the
    /// encoder does not write a name section, so a text module and its binary form differ only there.
    /// </summary>
    public static string? FirstDifference(Module expected, Module actual, bool compareNames = false)
    {
        var difference = List("types", expected.Types, actual.Types)
            ?? List("imports", expected.Imports, actual.Imports)
            ?? List("functions", expected.Functions, actual.Functions)
            ?? List("tables", expected.Tables, actual.Tables)
            ?? List("memories", expected.Memories, actual.Memories)
            ?? List("globals", expected.Globals, actual.Globals)
            ?? List("tags", expected.Tags, actual.Tags)
            ?? List("exports", expected.Exports, actual.Exports)
            ?? Value("start", expected.Start, actual.Start)
            ?? List("elements", expected.Elements, actual.Elements)
            ?? List("data", expected.Data, actual.Data)
            ?? Value("data count", expected.DataCount, actual.DataCount)
            ?? List("custom sections", expected.CustomSections, actual.CustomSections);
        if (difference is null && compareNames)
        {
            difference = Value("name", expected.Name, actual.Name)
                ?? List("function names", [.. expected.FunctionNames.OrderBy(pair => pair.Key)], [.. actual.FunctionNames.OrderBy(pair => pair.Key)]);
        }
        return difference;
    }

    /// <summary>True when both modules have equal contents (names aside); <paramref name="difference"/> describes the first that differs.</summary>
    public static bool AreEqual(Module x, Module y, out string? difference)
    {
        difference = FirstDifference(x, y);
        return difference is null;
    }

    private static string? List<T>(string what, IReadOnlyList<T> expected, IReadOnlyList<T> actual)
    {
        for (var i = 0; i < Math.Min(expected.Count, actual.Count); i++)
        {
            if (!EqualityComparer<T>.Default.Equals(expected[i], actual[i]))
            {
                return $"{what}[{i}]: expected {Describe(expected[i])}, got {Describe(actual[i])}";
            }
        }
        return expected.Count == actual.Count ? null : $"{what}: expected {expected.Count}, got {actual.Count}";
    }

    private static string? Value<T>(string what, T expected, T actual) =>
        EqualityComparer<T>.Default.Equals(expected, actual) ? null : $"{what}: expected {expected}, got {actual}";

    private static string Describe<T>(T value) => value switch
    {
        Function function => $"func type {function.TypeIndex} locals [{string.Join(", ", function.Locals)}] body {function.Body}",
        ElementSegment segment => $"elem {segment.Mode} {segment.Type} table {segment.Table} offset {segment.Offset} items [{string.Join(" | ", segment.Items)}]",
        DataSegment segment => $"data {segment.Mode} memory {segment.Memory} offset {segment.Offset} {segment.Bytes.Length} bytes",
        CustomSection custom => $"custom \"{custom.Name}\" after {custom.After}, {custom.Content.Length} bytes",
        RecursiveType group => $"rec [{string.Join(", ", group.Types)}]",
        _ => value?.ToString() ?? "null",
    };
}
