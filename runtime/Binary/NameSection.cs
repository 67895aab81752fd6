using WasmHarness.Syntax;

namespace WasmHarness.Binary;

/// <summary>
/// Reads the <c>name</c> custom section's module name and function names into <see cref="Module.Name"/>
/// and <see cref="Module.FunctionNames"/>. The spec does not validate custom sections, so a malformed
/// name section (or subsection) is ignored rather than reported.
/// </summary>
public static class NameSection
{
    /// <summary>The custom section's name.</summary>
    public const string SectionName = "name";

    private const byte ModuleNameId = 0;
    private const byte FunctionNamesId = 1;

    /// <summary>Fills the module's names from its first <c>name</c> custom section, if any; returns whether it had one.</summary>
    public static bool Apply(Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var section = module.CustomSections.FirstOrDefault(custom => custom.Name == SectionName);
        if (section is null)
        {
            return false;
        }
        var reader = new WasmReader(section.Content.Span);
        try
        {
            while (!reader.AtEnd)
            {
                var id = reader.ReadByte();
                var size = reader.ReadLength();
                var content = reader.ReadBytes(size);
                switch (id)
                {
                    case ModuleNameId:
                        if (TryReadModuleName(content, out var name))
                        {
                            module.Name = name;
                        }
                        break;
                    case FunctionNamesId:
                        if (TryReadNameMap(content, out var names))
                        {
                            foreach (var (index, functionName) in names)
                            {
                                module.FunctionNames.TryAdd(index, functionName);
                            }
                        }
                        break;
                }
            }
        }
        catch (BinaryFormatException)
        {
            // The subsection headers are broken: keep what was read before.
        }
        return true;
    }

    private static bool TryReadModuleName(ReadOnlySpan<byte> content, out string? name)
    {
        name = null;
        var reader = new WasmReader(content);
        try
        {
            name = reader.ReadName();
            return reader.AtEnd;
        }
        catch (BinaryFormatException)
        {
            return false;
        }
    }

    private static bool TryReadNameMap(ReadOnlySpan<byte> content, out List<(uint Index, string Name)> names)
    {
        names = [];
        var reader = new WasmReader(content);
        try
        {
            var count = reader.ReadLength();
            for (var i = 0; i < count; i++)
            {
                var index = reader.ReadU32();
                names.Add((index, reader.ReadName()));
            }
            return reader.AtEnd;
        }
        catch (BinaryFormatException)
        {
            return false;
        }
    }
}
