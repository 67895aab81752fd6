using System.Text;
using WasmHarness.Execution;
using WasmHarness.Wasi;

namespace WasmHarness.Engines.Wasi;

/// <summary>
/// A WASI preview 1 command to run: the program, its arguments (after its name) and environment, and a host
/// directory preopened as <c>/</c> (none when null); standard input is empty.
/// </summary>
public sealed record WasiProgram(string Wasm, IReadOnlyList<string> Args, IReadOnlyList<KeyValuePair<string, string>> Env, string? Root);

/// <summary>What one run of a WASI program produced: its exit code (134 for a trap, as wasmtime's command line), its standard output, and the trap's text.</summary>
public sealed record WasiOutcome(int ExitCode, string Stdout, string? Error = null);

/// <summary>
/// An engine that can also run whole WASI preview 1 commands (the WASI suite's job). Our tiers do it with
/// <see cref="WasiContext"/>, wasmtime with its own WASI; an engine without WASI simply does not implement it.
/// </summary>
public interface IWasiRunner
{
    /// <summary>The engine's name, as in <see cref="IEngine.Name"/>.</summary>
    string Name { get; }

    /// <summary>Runs <paramref name="program"/> to its end (or its trap) in a fresh store.</summary>
    WasiOutcome RunWasi(WasiProgram program);
}

/// <summary>How our runtime runs a WASI command, on whichever tier its engine has.</summary>
internal static class OurWasi
{
    /// <summary>Exit code of a trapped program, as wasmtime's command line reports it.</summary>
    public const int TrapExit = 134;

    public static WasiOutcome Run(Engine engine, Func<Engine, Syntax.Module, CompiledModule> compile, WasiProgram program)
    {
        var stdout = new MemoryStream();
        var configuration = new WasiConfiguration()
            .WithArg(Path.GetFileName(program.Wasm)).WithArgs(program.Args)
            .WithStandardInput(new MemoryStream())
            .WithStandardOutput(stdout)
            .WithStandardError(Stream.Null);
        foreach (var (key, value) in program.Env)
        {
            configuration.WithEnvironmentVariable(key, value);
        }
        if (program.Root is not null)
        {
            configuration.WithPreopenedDirectory(program.Root, "/");
        }
        using var wasi = new WasiContext(configuration);
        int code;
        string? error = null;
        try
        {
            var module = compile(engine, Binary.ModuleDecoder.Decode(File.ReadAllBytes(program.Wasm)));
            var instance = module.Instantiate(new Store(engine), wasi.Define(new Linker()));
            code = wasi.RunCommand(instance);
        }
        catch (TrapException trap)
        {
            (code, error) = (TrapExit, $"trap: {trap.Message}");
        }
        return new WasiOutcome(code, Encoding.UTF8.GetString(stdout.ToArray()), error);
    }
}
