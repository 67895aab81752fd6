using System.Text;

namespace WasmHarness.Cli.Tests;

/// <summary>What one run of the command line produced.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr);

/// <summary>Runs <c>harness</c> in process with captured streams.</summary>
internal static class CliRunner
{
    public static CliResult Run(params string[] args) => RunWithInput("", args);

    public static CliResult RunWithInput(string stdin, params string[] args)
    {
        var output = new MemoryStream();
        var error = new MemoryStream();
        var code = Harness.Execute(args, new HostStreams(new MemoryStream(Encoding.UTF8.GetBytes(stdin)), output, error));
        return new CliResult(code, Encoding.UTF8.GetString(output.ToArray()), Encoding.UTF8.GetString(error.ToArray()));
    }
}

/// <summary>A temporary directory removed after the test.</summary>
internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("harness-cli-").FullName;

    public string File(string name, string contents)
    {
        var path = System.IO.Path.Join(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, contents);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
