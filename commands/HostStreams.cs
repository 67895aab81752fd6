namespace WasmHarness.Cli;

/// <summary>Where the command line reads and writes: the process's streams, or buffers in tests.</summary>
/// <param name="Input">Standard input (the guest's too).</param>
/// <param name="Output">Standard output (the guest's too).</param>
/// <param name="Error">Standard error (the guest's too).</param>
public sealed record HostStreams(Stream Input, Stream Output, Stream Error)
{
    /// <summary>The process's own streams.</summary>
    public static HostStreams Inherit() => new(Console.OpenStandardInput(), Console.OpenStandardOutput(), Console.OpenStandardError());

    /// <summary>Writes a line of text to <see cref="Output"/>.</summary>
    public void Out(string line) => WriteLine(Output, line);

    /// <summary>Writes a line of text to <see cref="Error"/>.</summary>
    public void Err(string line) => WriteLine(Error, line);

    private static void WriteLine(Stream stream, string line)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(line + "\n");
        stream.Write(bytes);
        stream.Flush();
    }
}
