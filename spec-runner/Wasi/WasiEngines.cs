using System.Text;
using WasmHarness.Execution;
using WasmHarness.Wasi;

namespace WasmHarness.SpecRunner.Wasi;

/// <summary>What one run of a WASI program produced.</summary>
public sealed record WasiOutcome(int ExitCode, string Stdout, string? Error = null);

/// <summary>An engine that runs WASI preview 1 programs: our two tiers, or wasmtime through its .NET package.</summary>
public interface IWasiEngine
{
    string Name { get; }

    /// <summary>Runs <paramref name="test"/>'s program with its arguments and environment, <paramref name="root"/> (if any) preopened as <c>/</c>, empty standard input.</summary>
    WasiOutcome Run(WasiTestCase test, string? root);
}

/// <summary>Our runtime on one tier, with <see cref="WasiContext"/>.</summary>
public sealed class OurWasiEngine(string name, ExecutionTier tier) : IWasiEngine
{
    public string Name { get; } = name;

    public WasiOutcome Run(WasiTestCase test, string? root)
    {
        var engine = new Engine(new EngineOptions { Tier = tier });
        var stdout = new MemoryStream();
        var configuration = new WasiConfiguration()
            .WithArg(Path.GetFileName(test.Wasm)).WithArgs(test.Args)
            .WithStandardInput(new MemoryStream())
            .WithStandardOutput(stdout)
            .WithStandardError(Stream.Null);
        foreach (var (key, value) in test.Env)
        {
            configuration.WithEnvironmentVariable(key, value);
        }
        if (root is not null)
        {
            configuration.WithPreopenedDirectory(root, "/");
        }
        using var wasi = new WasiContext(configuration);
        int code;
        string? error = null;
        try
        {
            var module = CompiledModule.FromBinary(engine, File.ReadAllBytes(test.Wasm));
            var instance = module.Instantiate(new Store(engine), wasi.Define(new Linker()));
            code = wasi.RunCommand(instance);
        }
        catch (TrapException trap)
        {
            // As wasmtime's command line: a trap ends the process with 134.
            (code, error) = (134, $"trap: {trap.Message}");
        }
        return new WasiOutcome(code, Encoding.UTF8.GetString(stdout.ToArray()), error);
    }
}

/// <summary>wasmtime through the Wasmtime package's WASI (<c>WasiConfiguration</c>): the reference column.</summary>
public sealed class WasmtimeWasiEngine : IWasiEngine, IDisposable
{
    private readonly global::Wasmtime.Engine _engine = new();

    public string Name => "wasmtime";

    public WasiOutcome Run(WasiTestCase test, string? root)
    {
        var scratch = Directory.CreateTempSubdirectory("wasi-wasmtime-");
        try
        {
            var output = Path.Combine(scratch.FullName, "stdout");
            var input = Path.Combine(scratch.FullName, "stdin");
            File.WriteAllText(input, "");
            using var module = global::Wasmtime.Module.FromFile(_engine, test.Wasm);
            using var linker = new global::Wasmtime.Linker(_engine);
            linker.DefineWasi();
            using var store = new global::Wasmtime.Store(_engine);
            var configuration = new global::Wasmtime.WasiConfiguration()
                .WithArgs([Path.GetFileName(test.Wasm), .. test.Args])
                .WithStandardInput(input)
                .WithStandardOutput(output);
            foreach (var (key, value) in test.Env)
            {
                configuration.WithEnvironmentVariable(key, value);
            }
            if (root is not null)
            {
                configuration.WithPreopenedDirectory(root, "/", true);
            }
            store.SetWasiConfiguration(configuration);
            int code;
            string? error = null;
            try
            {
                var instance = linker.Instantiate(store, module);
                instance.GetAction("_start")!();
                code = 0;
            }
            catch (global::Wasmtime.WasmtimeException e) when (e.ExitCode is { } exit)
            {
                code = exit;
            }
            catch (global::Wasmtime.WasmtimeException e)
            {
                (code, error) = (134, e.Message);
            }
            return new WasiOutcome(code, File.ReadAllText(output), error);
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    public void Dispose() => _engine.Dispose();
}
