using System.CommandLine;

namespace WasmHarness.Cli;

/// <summary>
/// <c>harness compile module.wasm -o out.dll</c>: the JIT's code of every function, saved as a .NET assembly (like
/// wasmtime's <c>.cwasm</c>). <c>harness run out.dll</c> runs it without compiling again, after checking that it was
/// compiled by this build of the runtime, with the same settings, from the module bytes it carries.
/// </summary>
internal static class CompileCommand
{
    public static Command Create(HostStreams streams)
    {
        var module = new Argument<string>("module") { Description = "The module to compile (.wasm or .wat)." };
        var output = new Option<string?>("--output", "-o") { Description = "The assembly to write (default: the module's name with .dll)." };
        var consumeFuel = new Option<bool>("--consume-fuel") { Description = "Compile fuel metering in, so that `harness run --fuel N` can run the file." };
        var maxModuleSize = RunCommand.MaxModuleSizeOption();
        var settings = RunCommand.SettingsOption();
        var command = new Command("compile", "Compiles a module ahead of time to a .NET assembly that `harness run` runs.") { module, output, consumeFuel, maxModuleSize, settings };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(module)!;
            var target = parse.GetValue(output) ?? Path.ChangeExtension(path, ".dll");
            // Only "on or off" of fuel shapes the code; the budget itself is given when the file runs.
            var (options, timeout) = EngineSettings.Apply(new EngineOptions { Tier = ExecutionTier.Jit }, parse.GetValue(settings) ?? []);
            if (timeout is not null)
            {
                throw new CliException("-W timeout limits a run; give it to `harness run`");
            }
            var engine = new Engine(options with { Fuel = parse.GetValue(consumeFuel) ? long.MaxValue : null });
            var compiled = RunCommand.Load(engine, path, RunCommand.ModuleSizeLimit(engine.Options, parse.GetValue(maxModuleSize)));
            try
            {
                compiled.Save(target);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliException($"cannot write {target}: {e.Message}");
            }
            var statistics = engine.JitStatistics;
            streams.Err($"{target}: {statistics.Compiled} functions compiled{(statistics.FallenBack > 0 ? $", {statistics.FallenBack} left to the interpreter" : "")}");
            return 0;
        });
        return command;
    }
}
