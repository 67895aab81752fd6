using WasmHarness.Syntax;

namespace WasmHarness.Tests.Binary;

/// <summary>
/// Structural comparison of two modules (the model's parts implement equality; <see cref="Module"/> itself
/// does not). Returns a description of the first difference, or null when the modules are equal.
/// </summary>
public static class ModuleComparer
{
    /// <param name="expectedCustomSections">What to compare the custom sections with instead of the expected module's.</param>
    public static string? FirstDifference(Module expected, Module actual, IReadOnlyList<CustomSection>? expectedCustomSections = null)
    {
        return List("types", expected.Types, actual.Types)
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
            ?? List("custom sections", expectedCustomSections ?? expected.CustomSections, actual.CustomSections)
            ?? Value("name", expected.Name, actual.Name)
            ?? List(
                "function names",
                expected.FunctionNames.OrderBy(pair => pair.Key).ToList(),
                actual.FunctionNames.OrderBy(pair => pair.Key).ToList());
    }

    /// <summary>Fails the test with the first difference, if any.</summary>
    public static void AssertEqual(Module expected, Module actual)
    {
        var difference = FirstDifference(expected, actual);
        Assert.True(difference is null, difference);
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
