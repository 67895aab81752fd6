using System.CommandLine;

namespace WasmHarness.Cli;

/// <summary><c>harness compile module.wasm -o out.dll</c>: ahead-of-time output of the JIT tier, which does not exist yet.</summary>
internal static class CompileCommand
{
    public static Command Create(HostStreams streams)
    {
        var module = new Argument<string>("module") { Description = "The module to compile (.wasm or .wat)." };
        var output = new Option<string?>("--output", "-o") { Description = "The assembly to write." };
        var command = new Command("compile", "Compiles a module ahead of time to a .NET assembly (needs the JIT tier).") { module, output };
        command.SetAction(_ =>
        {
            streams.Err("harness: error: `compile` is not available yet: the JIT tier emits in-memory DynamicMethods; ahead-of-time output needs a PersistedAssemblyBuilder back end it does not have. Use `harness run --tier jit`.");
            return Harness.NotAvailableExit;
        });
        return command;
    }
}
