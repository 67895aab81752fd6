namespace WasmHarness.Text;

/// <summary>A position in a source text, 1-based, for error messages of the form <c>file:line:column</c>.</summary>
public readonly record struct SourceLocation(int Line, int Column)
{
    public override string ToString() => $"{Line}:{Column}";
}
