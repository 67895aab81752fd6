using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using WasmHarness.Bench;
using WasmHarness.Engines;
using WasmHarness.Engines.Wasmtime;

// The C kernels are built first (corpus/bench/build.sh rebuilds only what changed); without clang-14 and
// wasi-libc only the WAT suites run.
var buildError = CPrograms.Build();
if (buildError is not null)
{
    Console.Error.WriteLine($"warning: the C programs are not built, so their suites are left out: {buildError}");
}

// `bench --check [SIZE]`: every WAT kernel and every C program once on every engine, each output compared with the
// expected result (the native build's output for C programs) before anything is timed. SIZE is the C programs'
// argument: none is the benchmark size, 0 the smallest run (seconds in all: what CI affords).
if (args is ["--check", ..])
{
    return Checks.Run(args.Length > 1 ? args[1] : null);
}

// `bench --quick [runs]`: each WAT kernel on each engine in this process, best of a few runs (a rough table in seconds).
if (args is ["--quick", ..])
{
    var runs = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5;
    using var wasmtime = new WasmtimeEngine();
    IEngine[] engines = [new InterpreterEngine(), new JitEngine(), wasmtime];
    Console.WriteLine($"{"kernel",-8} {"engine",-9} {"best ms",10} {"vs wasmtime",12}");
    foreach (var kernel in Kernel.All)
    {
        var best = new Dictionary<string, double>();
        foreach (var engine in engines)
        {
            using var prepared = new PreparedKernel(engine, kernel);
            var times = Enumerable.Range(0, runs).Select(_ =>
            {
                var watch = System.Diagnostics.Stopwatch.StartNew();
                prepared.Run();
                return watch.Elapsed.TotalMilliseconds;
            }).ToList();
            best[engine.Name] = times.Min();
        }
        foreach (var (name, ms) in best)
        {
            Console.WriteLine($"{kernel.Name,-8} {name,-9} {ms,10:F2} {ms / best["wasmtime"],11:F2}x");
        }
    }
    return 0;
}

// `bench --tiers [FILE.wasm [ARGS...]]`: how RyuJIT compiled each function of the C programs (or of the given WASI
// program, run with ARGS and the working directory preopened), compiled eagerly and lazily: optimized, or MinOpts
// (unoptimized, for methods it judges too large).
if (args is ["--tiers", ..])
{
    return JitTiers.Run(args[1..]);
}

// `bench --startup [RUNS] [FILE.wasm [ARGS...]]`: time to first instruction and compile MB/s per engine, on a large program.
if (args is ["--startup", ..])
{
    return StartupCost.Run(args[1..]);
}

// `bench --cold [RUNS] [FILE.wasm [ARGS...]]`: whole runs from the module's bytes with a fresh engine each (interp, jit,
// jit tier-up, wasmtime): what a user of `harness run` waits for, compile included.
if (args is ["--cold", ..])
{
    return ColdRun.Run(args[1..], buildError);
}

// `bench --rate [ITERATIONS]`: Wasm instructions per second on a plain counted loop, every engine (wasm3 when found).
if (args is ["--rate", ..])
{
    return InstructionRate.Run(args.Length > 1 ? args[1] : null);
}

// `bench --compare [RUNS] [A,B] [FILE.wasm [ARGS...]]`: each C program (or the given WASI program, with its arguments
// and the working directory preopened) on engines A and B (default jit,wasmtime; any of native, interp, jit,
// wasmtime, wasm3) in this process, compiled before timing (one untimed run each, which also checks the output against
// the native build's, or for a given program the two engines' outputs against each other), then RUNS runs
// interleaved (default 5); the median of each, their ratio, and the geomean of the ratios. A quick reading between
// BenchmarkDotNet runs: same process, no warm-up statistics.
if (args is ["--compare", ..])
{
    var external = args.Length > 3 ? CProgram.External(args[3], args[4..]) : null;
    if (buildError is not null && external is null)
    {
        Console.Error.WriteLine($"--compare needs the C programs: {buildError}");
        return 1;
    }
    var runs = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5;
    var pair = args.Length > 2 ? args[2].Split(',') : ["jit", "wasmtime"];
    if (pair.Length != 2)
    {
        Console.Error.WriteLine("--compare takes two engines, e.g. interp,wasm3");
        return 1;
    }
    var (a, b) = (pair[0], pair[1]);
    Console.WriteLine($"{"program",-10} {a + " ms",11} {b + " ms",11} {a + "/" + b,16}");
    var ratios = new List<double>();
    foreach (var program in external is null ? CPrograms.Kernels : [external])
    {
        using var first = ProgramCheck.Create(a, program);
        using var second = ProgramCheck.Create(b, program);
        IProgramRunner[] runners = [first, second];
        try
        {
            // Each runner's first run also compiles (our JIT compiles each function on its first call).
            var expected = program.HasNativeBuild ? ProgramCheck.NativeOutput(program) : first.Run();
            foreach (var runner in runners)
            {
                ProgramCheck.Verify(runner, program, expected);
            }
        }
        catch (InvalidOperationException e)
        {
            // wasm3 has no SIMD, for one: a program an engine cannot run is left out of the geomean, and said so.
            Console.WriteLine($"{program.Name,-10} left out: {e.Message.Split('\n')[0]}");
            continue;
        }
        var times = runners.Select(_ => new List<double>()).ToArray();
        for (var i = 0; i < runs; i++)
        {
            for (var r = 0; r < runners.Length; r++)
            {
                var watch = System.Diagnostics.Stopwatch.StartNew();
                runners[r].Run();
                times[r].Add(watch.Elapsed.TotalMilliseconds);
            }
        }
        var (ours, theirs) = (Averages.Median(times[0]), Averages.Median(times[1]));
        ratios.Add(ours / theirs);
        Console.WriteLine($"{program.Name,-10} {ours,11:F1} {theirs,11:F1} {ours / theirs,15:F2}x");
    }
    if (ratios.Count == 0)
    {
        // Every program was left out (a WASI program whose files are not in the working directory, for one).
        Console.Error.WriteLine($"bench: no program ran on both {a} and {b}: nothing to compare");
        return 1;
    }
    Console.WriteLine($"geomean {a}/{b}: {Averages.GeometricMean(ratios):F2}x over {ratios.Count} programs, {runs} runs each");
    return 0;
}

// Anything else goes to BenchmarkDotNet, e.g. `bench --filter '*'`, `bench --filter '*ProgramBenchmarks*'`.
// Every benchmark class in this assembly; the C suites only when the C programs are built.
Type[] programSuites = [typeof(ProgramBenchmarks), typeof(StartupBenchmarks), typeof(ProgramCompileBenchmarks), typeof(Wasm3Benchmarks)];
var programsBuilt = buildError is null && CPrograms.Kernels.Count > 0;
var wasm3Found = Wasm3Runner.Find() is not null;
Type[] suites = [.. typeof(KernelBenchmarks).Assembly.GetTypes()
    .Where(type => type is { IsPublic: true, IsAbstract: false }
        && type.GetMethods().Any(method => method.IsDefined(typeof(BenchmarkDotNet.Attributes.BenchmarkAttribute), inherit: true)))
    .Where(type => programsBuilt || !programSuites.Contains(type))
    .Where(type => wasm3Found || type != typeof(Wasm3Benchmarks))];
// BenchmarkDotNet builds a copy of this project (and the runtime) for its child processes; on a loaded machine that
// takes longer than its default two minutes.
var config = ManualConfig.Create(DefaultConfig.Instance).WithBuildTimeout(TimeSpan.FromMinutes(20));
var summaries = BenchmarkSwitcher.FromTypes(suites).Run(args, config).ToList();
if (ClosingNote.For(summaries) is { } note)
{
    Console.WriteLine();
    Console.WriteLine(note);
}
return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
