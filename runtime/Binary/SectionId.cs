namespace WasmHarness.Binary;

/// <summary>The ids of the binary format's sections (the byte before each section's size).</summary>
public enum SectionId : byte
{
    Custom = 0,
    Type = 1,
    Import = 2,
    Function = 3,
    Table = 4,
    Memory = 5,
    Global = 6,
    Export = 7,
    Start = 8,
    Element = 9,
    Code = 10,
    Data = 11,
    DataCount = 12,
    Tag = 13,
}

/// <summary>Facts about section ids.</summary>
public static class SectionOrder
{
    /// <summary>The non-custom sections in the order a module must list them (tag and data count are out of id order).</summary>
    public static IReadOnlyList<SectionId> Standard { get; } =
    [
        SectionId.Type,
        SectionId.Import,
        SectionId.Function,
        SectionId.Table,
        SectionId.Memory,
        SectionId.Tag,
        SectionId.Global,
        SectionId.Export,
        SectionId.Start,
        SectionId.Element,
        SectionId.DataCount,
        SectionId.Code,
        SectionId.Data,
    ];
}
