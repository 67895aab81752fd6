using System.CommandLine;
using WasmHarness.Engines;
using WasmHarness.Wast;

namespace WasmHarness.Cli;

/// <summary><c>harness wast FILE...</c>: runs .wast scripts with the spec runner's executor on the interpreter.</summary>
internal static class WastCommand
{
    public static Command Create(HostStreams streams)
    {
        var files = new Argument<string[]>("files") { Description = "The .wast scripts to run.", Arity = ArgumentArity.OneOrMore };
        var tier = new Option<string>("--tier") { Description = "Execution tier: interp or jit.", DefaultValueFactory = _ => "interp" };
        var command = new Command("wast", "Runs WebAssembly script (.wast) files and reports every failed assertion.") { files, tier };
        command.SetAction(parse =>
        {
            var failed = 0;
            var passed = 0;
            var name = parse.GetValue(tier)!;
            var registry = EngineRegistry.Ours();
            var engine = registry.Contains(name) ? registry.Create(name) : throw new CliException($"unknown tier '{name}' (known: {string.Join(", ", registry.Names)})");
            foreach (var file in parse.GetValue(files) ?? [])
            {
                var full = Path.GetFullPath(file);
                ModuleFile.Check(file, ModuleFile.DefaultMaxBytes);
                var options = new SpecRunOptions(Path.GetDirectoryName(full)!, [], IncludeProposals: false, CrossCheckWith: null, Engines: [engine]);
                var result = RunOnLargeStack(() => SpecRun.RunScript(options, Path.GetFileName(full))[0]);
                if (result.Error is not null)
                {
                    streams.Err($"{file}: {result.Error}");
                }
                foreach (var command in result.Commands.Where(c => c.Verdict == Verdict.Failed))
                {
                    streams.Err($"{file}:{command.Line}: {command.Command}: {command.Detail}");
                }
                streams.Out($"{file}: {result.Passed} passed, {result.Failed} failed, {result.Skipped} skipped");
                passed += result.Passed;
                failed += result.Failed;
            }
            return failed == 0 ? 0 : 1;
        });
        return command;
    }

    private static T RunOnLargeStack<T>(Func<T> work)
    {
        T result = default!;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = work();
            }
            catch (Exception e)
            {
                error = e;
            }
        }, 64 * 1024 * 1024);
        thread.Start();
        thread.Join();
        if (error is not null)
        {
            throw new CliException(error.Message);
        }
        return result;
    }
}
