namespace WasmHarness.Cli.Tests;

/// <summary>
/// The test assembly doubles as the command line in a child process (<c>dotnet exec WasmHarness.Cli.Tests.dll run ...</c>):
/// tests that must start a fresh runtime, with environment settings read only at start-up such as RyuJIT's disassembly,
/// run the same <see cref="Harness"/> the <c>harness</c> executable runs, without depending on that executable being
/// built (<c>dotnet test</c> builds test projects and what they reference, not the solution's executables).
/// The test host never calls this; it loads the assembly and runs the tests.
/// </summary>
public static class ChildProcessEntry
{
    public static int Main(string[] args) => Harness.Execute(args, HostStreams.Inherit());

    /// <summary>Path of this assembly, to pass to <c>dotnet exec</c>.</summary>
    public static string AssemblyPath => typeof(ChildProcessEntry).Assembly.Location;
}
