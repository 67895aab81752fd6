namespace WasmHarness.Text;

/// <summary>The line of a text module or script that an error points at, with a caret under the column, as compilers show it.</summary>
public static class SourceExcerpt
{
    /// <summary>
    /// Two lines: <c>  3 | (i32.konst 2)</c> and a caret under <paramref name="location"/>'s column (tabs kept, so
    /// the caret lines up); null when the location is not in <paramref name="text"/>.
    /// </summary>
    public static string? Render(string text, SourceLocation location)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split('\n');
        if (location.Line < 1 || location.Line > lines.Length)
        {
            return null;
        }
        var line = lines[location.Line - 1].TrimEnd('\r');
        var gutter = location.Line.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var column = Math.Clamp(location.Column - 1, 0, line.Length);
        var pad = new string([.. line[..column].Select(c => c == '\t' ? '\t' : ' ')]);
        return $"{gutter} | {line}\n{new string(' ', gutter.Length)} | {pad}^";
    }
}
