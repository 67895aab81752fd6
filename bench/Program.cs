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

// Anything else goes to BenchmarkDotNet, e.g. `bench --filter '*'`, `bench --filter '*ProgramBenchmarks*'`.
// Every benchmark class in this assembly; the C suites only when the C programs are built.
Type[] programSuites = [typeof(ProgramBenchmarks), typeof(StartupBenchmarks), typeof(ProgramCompileBenchmarks)];
var programsBuilt = buildError is null && CPrograms.Kernels.Count > 0;
Type[] suites = [.. typeof(KernelBenchmarks).Assembly.GetTypes()
    .Where(type => type is { IsPublic: true, IsAbstract: false }
        && type.GetMethods().Any(method => method.IsDefined(typeof(BenchmarkDotNet.Attributes.BenchmarkAttribute), inherit: true)))
    .Where(type => programsBuilt || !programSuites.Contains(type))];
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
