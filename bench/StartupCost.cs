using System.Diagnostics;
using WasmHarness.Execution;
using WasmHarness.Jit;
using WasmHarness.Wasi;
using Wt = Wasmtime;

namespace WasmHarness.Bench;

/// <summary>
/// `bench --startup [RUNS] [FILE.wasm [ARGS...]]`: what a large program costs before it runs, per engine (issue 20):
/// time to first instruction (decode, validate, instantiate with WASI, and whatever compiling the engine does before
/// <c>_start</c>'s first instruction: measured as the time until a fuel budget of one instruction traps) and, for the
/// compilers, compile throughput in MB/s of the code section. In this process, a fresh engine per run, the best of
/// RUNS (default 5; the first run also pays for RyuJIT compiling our own decoder and compiler), each after a full
/// garbage collection. Without a file: the
/// largest C program of the corpus.
/// </summary>
public static class StartupCost
{
    public static int Run(IReadOnlyList<string> args)
    {
        var runs = args.Count > 0 && int.TryParse(args[0], out var n) ? n : 5;
        var rest = args.Skip(args.Count > 0 && int.TryParse(args[0], out _) ? 1 : 0).ToList();
        var path = rest.Count > 0 ? rest[0] : CPrograms.Kernels.OrderByDescending(p => new FileInfo(p.WasmPath).Length).First().WasmPath;
        var arguments = rest.Skip(1).ToList();
        var bytes = File.ReadAllBytes(path);
        var code = CodeSectionBytes(bytes);
        Console.WriteLine($"{Path.GetFileName(path)}: {bytes.Length / 1024.0:F0} KB, code section {code / 1024.0:F0} KB; best of {runs}");
        Console.WriteLine($"{"engine",-12} {"first instr. ms",16} {"compile ms",11} {"compile MB/s",13}");

        void Row(string engine, Func<(double FirstMs, double? CompileMs)> measure)
        {
            var results = Enumerable.Range(0, runs).Select(_ =>
            {
                // Each run starts from a clean heap, as a new process would: without this the garbage of the runs
                // before (a decoded Lua is some 10 MB of objects) was collected inside the next run's timing.
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
                return measure();
            }).ToList();
            var first = results.Min(r => r.FirstMs);
            var compile = results.Min(r => r.CompileMs ?? double.MaxValue);
            var compileText = compile == double.MaxValue ? "" : $"{compile,11:F0} {code / 1e6 / (compile / 1000),13:F2}";
            Console.WriteLine($"{engine,-12} {first,16:F0} {compileText}");
        }

        Row("interp", () => (FirstInstruction(path, arguments, new EngineOptions { Tier = ExecutionTier.Interpreter }, out _), null));
        Row("jit", () => (FirstInstruction(path, arguments, new EngineOptions { Tier = ExecutionTier.Jit }, out _), null));
        var split = new List<(double Emit, double Prepare)>();
        Row("jit eager", () =>
        {
            var first = FirstInstruction(path, arguments, new EngineOptions { Tier = ExecutionTier.Jit, JitEager = true }, out var statistics);
            split.Add((statistics.EmitTime.TotalMilliseconds, statistics.PrepareTime.TotalMilliseconds));
            return (first, (statistics.EmitTime + statistics.PrepareTime).TotalMilliseconds);
        });
        var fastest = split.MinBy(s => s.Emit + s.Prepare);
        Console.WriteLine($"{"",-12} {"",16} (of which IL emission {fastest.Emit:F0} ms, RyuJIT {fastest.Prepare:F0} ms on {Environment.ProcessorCount} cores)");
        var saved = Path.Combine(Path.GetTempPath(), $"startup-{Environment.ProcessId}.dll");
        try
        {
            var aotEngine = new Engine(new EngineOptions { Tier = ExecutionTier.Jit, Fuel = 1 }); // saved code is tied to the settings it runs with
            var watch = Stopwatch.StartNew();
            CompiledModule.FromBinary(aotEngine, bytes).Save(saved);
            Console.WriteLine($"{"(aot save",-12} {watch.Elapsed.TotalMilliseconds,16:F0} ms once: harness compile)");
            Row("aot", () => (FirstInstruction(saved, arguments, new EngineOptions { Tier = ExecutionTier.Jit }, out _, load: true), null));
        }
        finally
        {
            File.Delete(saved);
        }
        Row("wasmtime", () =>
        {
            using var engine = new Wt.Engine();
            var watch = Stopwatch.StartNew();
            using var module = Wt.Module.FromBytes(engine, Path.GetFileName(path), bytes);
            var compile = watch.Elapsed.TotalMilliseconds;
            using var linker = new Wt.Linker(engine);
            linker.DefineWasi();
            using var store = new Wt.Store(engine);
            store.SetWasiConfiguration(new Wt.WasiConfiguration().WithArgs([Path.GetFileName(path), .. arguments]));
            linker.Instantiate(store, module);
            return (watch.Elapsed.TotalMilliseconds, compile);
        });
        return 0;
    }

    /// <summary>Milliseconds from the module's bytes to the trap of a one-instruction fuel budget in <c>_start</c>.</summary>
    private static double FirstInstruction(string path, IReadOnlyList<string> arguments, EngineOptions options, out JitStatistics statistics, bool load = false)
    {
        var watch = Stopwatch.StartNew();
        var engine = new Engine(options with { Fuel = 1 });
        var module = load ? CompiledModule.Load(engine, path) : CompiledModule.FromBinary(engine, File.ReadAllBytes(path));
        using var wasi = new WasiContext(new WasiConfiguration().WithArg(Path.GetFileName(path)).WithArgs(arguments)
            .WithStandardOutput(Stream.Null).WithStandardError(Stream.Null).WithStandardInput(Stream.Null));
        var instance = module.Instantiate(new Store(engine), wasi.Define(new Linker()));
        try
        {
            wasi.RunCommand(instance);
        }
        catch (TrapException e) when (e.Kind == TrapKind.OutOfFuel)
        {
            // the first instruction's fuel ran out: the program has started
        }
        statistics = engine.JitStatistics;
        return watch.Elapsed.TotalMilliseconds;
    }

    /// <summary>Size of the code section of a binary module, or the whole file if it has none.</summary>
    private static long CodeSectionBytes(byte[] module)
    {
        var reader = new Binary.WasmReader(module) { Position = 8 }; // after the magic and the version
        while (reader.Remaining > 0)
        {
            var id = reader.ReadByte();
            var size = reader.ReadU32();
            if (id == (byte)Binary.SectionId.Code)
            {
                return size;
            }
            reader.Position += (int)size;
        }
        return module.Length;
    }
}
