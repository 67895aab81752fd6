using System.Reflection;
using System.Runtime.CompilerServices;

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
    /// <summary>The argument that makes the child compile every threaded handler instead of running the command line.</summary>
    public const string CompileThreadedHandlers = "--compile-threaded-handlers";

    public static int Main(string[] args) =>
        args is [CompileThreadedHandlers] ? CompileHandlers() : Harness.Execute(args, HostStreams.Inherit());

    /// <summary>Path of this assembly, to pass to <c>dotnet exec</c>.</summary>
    public static string AssemblyPath => typeof(ChildProcessEntry).Assembly.Location;

    /// <summary>
    /// Has RyuJIT compile every handler of the threaded interpreter (each generic one for each of its comparisons), as
    /// it would at first use: with <c>DOTNET_JitDisasm</c> set, the listing shows how each ends. Prints the count.
    /// </summary>
    private static int CompileHandlers()
    {
        var handlers = typeof(Engine).Assembly.GetType("WasmHarness.Interpreter.Threaded.Handlers", throwOnError: true)!;
        var comparisons = handlers.GetNestedTypes(BindingFlags.NonPublic).Where(t => t.IsValueType).ToArray();
        var count = 0;
        foreach (var method in handlers.GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly))
        {
            if (!method.MethodImplementationFlags.HasFlag(MethodImplAttributes.AggressiveOptimization))
            {
                continue; // helpers and tables, not handlers
            }
            foreach (var instance in method.IsGenericMethodDefinition ? comparisons.Select(t => method.MakeGenericMethod(t)) : [method])
            {
                RuntimeHelpers.PrepareMethod(instance.MethodHandle);
                count++;
            }
        }
        Console.WriteLine(count);
        return 0;
    }
}
