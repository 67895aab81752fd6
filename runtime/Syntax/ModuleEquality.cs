namespace WasmHarness.Syntax;

/// <summary>
/// Structural equality of whole modules: the same sections with the same contents in the same order.
/// Used by round-trip checks (decode → encode → decode) and by the test-case reducer.
/// </summary>
public static class ModuleEquality
{
    /// <summary>True when both modules have equal contents; <paramref name="difference"/> names the first section that differs.</summary>
    public static bool AreEqual(Module x, Module y, out string? difference)
    {
        difference =
            !x.Types.SequenceEqual(y.Types) ? "types" :
            !x.Imports.SequenceEqual(y.Imports) ? "imports" :
            !x.Functions.SequenceEqual(y.Functions) ? "functions" :
            !x.Tables.SequenceEqual(y.Tables) ? "tables" :
            !x.Memories.SequenceEqual(y.Memories) ? "memories" :
            !x.Globals.SequenceEqual(y.Globals) ? "globals" :
            !x.Tags.SequenceEqual(y.Tags) ? "tags" :
            !x.Exports.SequenceEqual(y.Exports) ? "exports" :
            x.Start != y.Start ? "start" :
            !x.Elements.SequenceEqual(y.Elements) ? "elements" :
            !x.Data.SequenceEqual(y.Data) ? "data" :
            x.DataCount != y.DataCount ? "data count" :
            !x.CustomSections.SequenceEqual(y.CustomSections) ? "custom sections" :
            null;
        return difference is null;
    }

    public static bool AreEqual(Module x, Module y) => AreEqual(x, y, out _);
}
