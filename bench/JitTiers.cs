using System.Diagnostics.Tracing;
using WasmHarness.Execution;
using WasmHarness.Wasi;

namespace WasmHarness.Bench;

/// <summary>
/// How RyuJIT compiled our JIT's methods: each program runs twice, once with every function compiled eagerly and
/// once compiled lazily in groups on first calls (what <c>harness run</c> does; a call out of the group being compiled
/// is emitted differently, so a function's IL is not the same in both), while an <see cref="EventListener"/> on the
/// runtime's JIT events reads the optimization tier of each dynamic method it loads. A method RyuJIT judged too large
/// (IL size, basic blocks, locals) is compiled with MinOpts, i.e. unoptimized: issue 20 asks that no function of a
/// real program end up there. Stop 36 found one only the lazy path showed (Lua's parser). A third run tiers up at once
/// (<see cref="EngineOptions.JitTierUp"/> 1, no background thread): every function that runs twice, and a loop variant
/// for every call that loops (docs/jit.md, "Tier-up"), whose entries add blocks to the function's method. `bench
/// --tiers [FILE.wasm [ARGS...]]`; the C kernels run with argument 0.
/// </summary>
public static class JitTiers
{
    /// <summary>Counts of our compiled methods by tier for one program: <c>Optimized</c>, <c>MinOpts</c>, or another tier's name.</summary>
    public static IReadOnlyDictionary<string, int> Measure(string wasmPath, IReadOnlyList<string> arguments, EngineOptions options)
    {
        using var listener = new Listener();
        var engine = new Engine(options with { Tier = ExecutionTier.Jit });
        var module = CompiledModule.FromBinary(engine, File.ReadAllBytes(wasmPath));
        using var wasi = new WasiContext(new WasiConfiguration().WithArg(Path.GetFileName(wasmPath)).WithArgs(arguments)
            .WithStandardOutput(Stream.Null).WithStandardError(Stream.Null).WithStandardInput(Stream.Null)
            // The working directory, read-only, as `harness run --dir .` would give it: a script the program reads.
            .WithPreopenedDirectory(Environment.CurrentDirectory, ".", readOnly: true));
        var instance = module.Instantiate(new Store(engine), wasi.Define(new Linker()));
        if (instance.GetExport("_start") is FunctionInstance)
        {
            try
            {
                wasi.RunCommand(instance);
            }
            catch (WasmException)
            {
                // A trap still leaves what ran compiled (every function, eagerly): the tiers are what is measured.
            }
        }
        // Runtime events arrive on the listener's thread (and lazily, the background thread may finish a group
        // compiled ahead of its first call); give the last ones a moment.
        Thread.Sleep(200);
        return listener.Snapshot();
    }

    /// <summary>
    /// <paramref name="arguments"/>: a program's path, then its own arguments (e.g. <c>lua.wasm bench.lua 3</c>), or
    /// nothing for the C kernels.
    /// </summary>
    public static int Run(IReadOnlyList<string> arguments)
    {
        var programs = arguments.Count > 0
            ? [(Name: Path.GetFileNameWithoutExtension(arguments[0]), Path: arguments[0], Arguments: (IReadOnlyList<string>)[.. arguments.Skip(1)])]
            : CPrograms.Kernels.Select(program => (program.Name, Path: program.WasmPath, Arguments: (IReadOnlyList<string>)["0"])).ToList();
        var minOpts = new Dictionary<string, int>();
        foreach (var (name, path, programArguments) in programs)
        {
            foreach (var (mode, options) in Modes)
            {
                var tiers = Measure(path, programArguments, options);
                minOpts[mode] = minOpts.GetValueOrDefault(mode) + tiers.GetValueOrDefault("MinOpts");
                Console.WriteLine($"{name,-12} {mode,-6} {string.Join(", ", tiers.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}"))}");
            }
        }
        Console.WriteLine($"methods compiled with MinOpts (unoptimized): {string.Join(", ", Modes.Select(m => $"{m.Name} {minOpts[m.Name]}"))}");
        return 0;
    }

    private static readonly (string Name, EngineOptions Options)[] Modes =
    [
        ("eager", new EngineOptions { JitEager = true }),
        ("lazy", new EngineOptions()),
        ("tierup", new EngineOptions { JitTierUp = 1, JitBackground = false }),
    ];

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
