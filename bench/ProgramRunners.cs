using System.Diagnostics;
using System.Text;
using WasmHarness.Execution;
using WasmHarness.Wasi;
using Wt = Wasmtime;

namespace WasmHarness.Bench;

/// <summary>One way of running a C program to completion: returns what it printed on stdout.</summary>
public interface IProgramRunner : IDisposable
{
    string Engine { get; }

    /// <summary>One whole run: for Wasm a fresh instance (and WASI context) and its <c>_start</c>; natively a fresh process.</summary>
    string Run();
}

/// <summary>The native build, one process per run: startup included (see docs/bench.md for why that is fair).</summary>
public sealed class NativeRunner(CProgram program) : IProgramRunner
{
    public string Engine => "native";

    public string Run()
    {
        var start = new ProcessStartInfo(program.NativePath, program.Arguments) { RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"{program.Name} exited with {process.ExitCode}: {output}");
    }

    public void Dispose()
    {
    }
}

/// <summary>
/// wasm3 (github.com/wasm3/wasm3, a fast interpreter written in C), one process per run like the native build: its
/// start-up (a few milliseconds) is included. Not a NuGet package: <see cref="Find"/> looks for a binary built from
/// its public source (docs/bench.md, "wasm3").
/// </summary>
public sealed class Wasm3Runner(CProgram program, string wasm3) : IProgramRunner
{
    public string Engine => "wasm3";

    /// <summary>The wasm3 binary: <c>$WASM3</c>, else <c>wasm3</c> on the PATH; null when there is none.</summary>
    public static string? Find()
    {
        if (Environment.GetEnvironmentVariable("WASM3") is { Length: > 0 } named)
        {
            return File.Exists(named) ? named : null;
        }
        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(folder => Path.Combine(folder, "wasm3"))
            .FirstOrDefault(File.Exists);
    }

    public string Run()
    {
        var start = new ProcessStartInfo(wasm3, [program.WasmPath, .. program.Arguments]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"{program.Name} exited with {process.ExitCode} on wasm3: {error.Result.Trim()}");
    }

    public void Dispose()
    {
    }
}

/// <summary>
/// Our interpreter or JIT with our WASI host (<c>runtime/Wasi</c>). The module is decoded and validated once;
/// each run instantiates it in a new store with a new WASI context whose stdout is a memory stream.
/// </summary>
public sealed class OurRunner : IProgramRunner
{
    private readonly CProgram _program;
    private readonly Engine _engine;
    private readonly CompiledModule _module;

    public OurRunner(CProgram program, ExecutionTier tier)
        : this(program, new Engine(new EngineOptions { Tier = tier }))
    {
    }

    /// <summary>Decodes and validates the module now, for <paramref name="engine"/> (its tier and options).</summary>
    public OurRunner(CProgram program, Engine engine)
    {
        _program = program;
        _engine = engine;
        Engine = engine.Options.Tier == ExecutionTier.Jit ? "jit" : "interp";
        _module = CompiledModule.FromBinary(_engine, File.ReadAllBytes(program.WasmPath));
    }

    public string Engine { get; }

    public string Run()
    {
        using var stdout = new MemoryStream();
        var configuration = new WasiConfiguration()
            .WithArg(_program.Name)
            .WithArgs(_program.Arguments)
            .WithStandardInput(Stream.Null)
            .WithStandardOutput(stdout)
            .WithStandardError(stdout);
        if (_program.Directory is { } directory)
        {
            configuration = configuration.WithPreopenedDirectory(directory, ".", readOnly: true);
        }
        using var wasi = new WasiContext(configuration);
        // Disposed as wasmtime's store is: the run's memory goes back at once, not when a finalizer gets to it.
        using var store = new Store(_engine);
        var instance = _module.Instantiate(store, wasi.Define(new Linker()));
        var code = wasi.RunCommand(instance);
        return code == 0 ? Encoding.UTF8.GetString(stdout.ToArray()) : throw new InvalidOperationException($"{_program.Name} exited with {code} on {Engine}");
    }

    public void Dispose()
    {
    }
}

/// <summary>
/// Wasmtime (the Wasmtime NuGet package) with its WASI. The module is compiled once; each run gets a new
/// store and instance. Wasmtime's WASI writes stdout to a file, read back after the run.
/// </summary>
public sealed class WasmtimeRunner : IProgramRunner
{
    private readonly CProgram _program;
    private readonly Wt.Engine _engine;
    private readonly bool _ownsEngine;
    private readonly Wt.Module _module;
    private readonly Wt.Linker _linker;
    private readonly string _stdout = Path.GetTempFileName();

    /// <summary>Compiles the module now, with <paramref name="engine"/> when given (kept alive by the caller), else a new one.</summary>
    public WasmtimeRunner(CProgram program, Wt.Engine? engine = null)
    {
        _program = program;
        _ownsEngine = engine is null;
        _engine = engine ?? new Wt.Engine();
        _module = Wt.Module.FromFile(_engine, program.WasmPath);
        _linker = new Wt.Linker(_engine);
        _linker.DefineWasi();
    }

    public string Engine => "wasmtime";

    public string Run()
    {
        using var store = new Wt.Store(_engine);
        var configuration = new Wt.WasiConfiguration()
            .WithArgs([_program.Name, .. _program.Arguments])
            .WithStandardOutput(_stdout)
            .WithStandardError(_stdout);
        if (_program.Directory is { } directory)
        {
            configuration = configuration.WithPreopenedDirectory(directory, ".", mutable: false);
        }
        store.SetWasiConfiguration(configuration);
        var instance = _linker.Instantiate(store, _module);
        try
        {
            instance.GetAction("_start")!();
        }
        catch (Wt.WasmtimeException e) when (e.ExitCode is { } code)
        {
            if (code != 0)
            {
                throw new InvalidOperationException($"{_program.Name} exited with {code} on wasmtime");
            }
        }
        return File.ReadAllText(_stdout);
    }

    public void Dispose()
    {
        _linker.Dispose();
        _module.Dispose();
        if (_ownsEngine)
        {
            _engine.Dispose();
        }
        File.Delete(_stdout);
    }
}

/// <summary>Runs a program on every engine and compares each output with the native build's, before any timing.</summary>
public static class ProgramCheck
{
    public static IProgramRunner Create(string engine, CProgram program) => engine switch
    {
        "native" => new NativeRunner(program),
        "interp" => new OurRunner(program, ExecutionTier.Interpreter),
        "jit" => new OurRunner(program, ExecutionTier.Jit),
        "wasmtime" => new WasmtimeRunner(program),
        "wasm3" => new Wasm3Runner(program, Wasm3Runner.Find() ?? throw new InvalidOperationException("no wasm3 binary: set WASM3 or put wasm3 on the PATH (docs/bench.md, \"wasm3\")")),
        _ => throw new ArgumentException($"unknown engine '{engine}' (native, interp, jit, wasmtime, wasm3)", nameof(engine)),
    };

    /// <summary>A runner of <paramref name="engine"/> for the named program whose output matched the native build's.</summary>
    public static IProgramRunner CreateVerified(string engine, string programName)
    {
        var program = CPrograms.Named(programName);
        var runner = Create(engine, program);
        Verify(runner, program, NativeOutput(program));
        return runner;
    }

    public static readonly IReadOnlyList<string> Engines = ["native", "interp", "jit", "wasmtime"];

    /// <summary>The native output, computed once per process and program.</summary>
    public static string NativeOutput(CProgram program)
    {
        using var native = new NativeRunner(program);
        return native.Run();
    }

    /// <summary>Runs <paramref name="runner"/> once and throws unless it printed <paramref name="expected"/>.</summary>
    public static void Verify(IProgramRunner runner, CProgram program, string expected)
    {
        var output = runner.Run();
        if (output != expected)
        {
            throw new InvalidOperationException($"{runner.Engine} printed '{output.Trim()}' for {program.Name}, native printed '{expected.Trim()}'");
        }
    }
}
