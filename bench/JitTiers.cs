using System.Diagnostics.Tracing;
using WasmHarness.Execution;
using WasmHarness.Wasi;

namespace WasmHarness.Bench;

/// <summary>
/// How RyuJIT compiled our JIT's methods: every function of a program is compiled eagerly and run once (argument 0),
/// while an <see cref="EventListener"/> on the runtime's JIT events reads the optimization tier of each dynamic
/// method it loads. A method RyuJIT judged too large (IL size, basic blocks, locals) is compiled with MinOpts, i.e.
/// unoptimized: issue 20 asks that no function of a real program end up there. `bench --tiers [FILE.wasm...]`.
/// </summary>
public static class JitTiers
{
    /// <summary>Counts of our compiled methods by tier for one program: <c>Optimized</c>, <c>MinOpts</c>, or another tier's name.</summary>
    public static IReadOnlyDictionary<string, int> Measure(string wasmPath, IReadOnlyList<string> arguments)
    {
        using var listener = new Listener();
        var engine = new Engine(new EngineOptions { Tier = ExecutionTier.Jit, JitEager = true });
        var module = CompiledModule.FromBinary(engine, File.ReadAllBytes(wasmPath));
        using var wasi = new WasiContext(new WasiConfiguration().WithArg(Path.GetFileName(wasmPath)).WithArgs(arguments)
            .WithStandardOutput(Stream.Null).WithStandardError(Stream.Null).WithStandardInput(Stream.Null));
        var instance = module.Instantiate(new Store(engine), wasi.Define(new Linker()));
        if (instance.GetExport("_start") is FunctionInstance)
        {
            try
            {
                wasi.RunCommand(instance);
            }
            catch (WasmException)
            {
                // A trap still leaves every function compiled (eagerly): the tiers are what is measured.
            }
        }
        // Runtime events arrive on the listener's thread; give the last ones a moment.
        Thread.Sleep(200);
        return listener.Snapshot();
    }

    public static int Run(IReadOnlyList<string> files)
    {
        var programs = files.Count > 0
            ? files.Select(file => (Name: Path.GetFileNameWithoutExtension(file), Path: file, Arguments: (IReadOnlyList<string>)[]))
            : CPrograms.Kernels.Select(program => (program.Name, Path: program.WasmPath, Arguments: (IReadOnlyList<string>)["0"]));
        var minOpts = 0;
        foreach (var (name, path, arguments) in programs)
        {
            var tiers = Measure(path, arguments);
            minOpts += tiers.GetValueOrDefault("MinOpts");
            Console.WriteLine($"{name,-12} {string.Join(", ", tiers.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}"))}");
        }
        Console.WriteLine($"methods compiled with MinOpts (unoptimized): {minOpts}");
        return 0;
    }

    private sealed class Listener : EventListener
    {
        private const EventKeywords JitKeyword = (EventKeywords)0x10;
        private readonly Dictionary<string, int> _tiers = [];

        public IReadOnlyDictionary<string, int> Snapshot()
        {
            lock (_tiers)
            {
                return new Dictionary<string, int>(_tiers);
            }
        }

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(source, EventLevel.Verbose, JitKeyword);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventName?.StartsWith("MethodLoadVerbose", StringComparison.Ordinal) != true || e.PayloadNames is not { } names || e.Payload is not { } payload)
            {
                return;
            }
            // Our JIT's methods are dynamic methods: the runtime names their type dynamicClass.
            if (payload[names.IndexOf("MethodNamespace")] is not string type || !type.Contains("dynamicClass", StringComparison.Ordinal))
            {
                return;
            }
            // MethodFlags bits 7-9 are the optimization tier (the runtime's MethodFlags layout of its JIT events).
            var flags = Convert.ToInt64(payload[names.IndexOf("MethodFlags")], System.Globalization.CultureInfo.InvariantCulture);
            var tier = ((flags >> 7) & 7) switch
            {
                1 => "MinOpts",
                2 => "Optimized",
                3 => "QuickJitted",
                4 => "OptimizedTier1",
                var other => $"tier {other}",
            };
            lock (_tiers)
            {
                _tiers[tier] = _tiers.GetValueOrDefault(tier) + 1;
                if (tier == "MinOpts")
                {
                    Console.WriteLine($"  MinOpts: {payload[names.IndexOf("MethodName")]} ({payload[names.IndexOf("MethodSize")]} bytes of code)");
                }
            }
        }
    }
}
