using System.Diagnostics;
using System.Text.Json;
using SharpFuzz;
using WasmHarness.Fuzz;
using WasmHarness.Fuzz.Targets;

// The fuzz program: each target is a mode. Under afl-fuzz (SharpFuzz's fork server) or on stdin: `fuzz TARGET`.
// The other modes build seeds, replay and triage findings, run an in-process mutation loop, and summarize stats.
return Cli.Run(args);

internal static class Cli
{
    private const string Usage = """
        usage:
          fuzz TARGET                          run TARGET under afl-fuzz (SharpFuzz), or once on stdin
          fuzz list                            the targets
          fuzz seeds TARGET DIR [--suite DIR] [--max N]
                                               write seed inputs made from the spec suite (and built-in modules)
          fuzz replay TARGET PATH... [--signature]
                                               run files (or folders of files) through TARGET in this process
          fuzz triage TARGET OUT DIR...        dedupe findings in DIRs by signature; smallest input each into OUT
          fuzz selftest TARGET [--iterations N] [--seed S] [--suite DIR]
                                               in-process mutation fuzzing without AFL++ (deterministic)
          fuzz stats TARGET AFL_OUT JSON [--whatsup FILE] [--corpus DIR]
                                               summarize AFL++'s fuzzer_stats (and findings) as JSON, every
                                               instance of a -M/-S campaign added up, with afl-whatsup -s's
                                               summary and the size of the minimized corpus when given
          fuzz dict TARGET FILE                write an AFL++ dictionary (-x) for TARGET
          fuzz guest-edges PATH...             run generator-byte inputs (e.g. a jit-gen queue) on the JIT and count
                                               the guest edges they cover together
        environment: FUZZ_STRICT=1 treats the interpreter's "not supported yet" as a finding, not a skip;
                     FUZZ_IN_PROCESS=1 uses SharpFuzz's in-process fork server instead of the out-of-process one;
                     FUZZ_CRASH_LOG=FILE appends every finding (signature, input, stack) to FILE while fuzzing;
                     FUZZ_GUEST_COVERAGE=0 runs jit-gen without guest coverage (no probes, nothing folded).
        """;

    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.Error.WriteLine(Usage);
            Console.Error.WriteLine("targets:");
            foreach (var t in FuzzTarget.All)
            {
                Console.Error.WriteLine($"  {t.Name,-13}{t.Description}");
            }
            return args.Length == 0 ? 2 : 0;
        }
        try
        {
            return args[0] switch
            {
                "list" => List(),
                "seeds" => Seeds(args[1..]),
                "replay" => Replay(args[1..]),
                "triage" => TriageMode(args[1..]),
                "selftest" => SelfTest(args[1..]),
                "stats" => Stats(args[1..]),
                "dict" when args.Length == 3 => WriteDictionary(Target(args[1]), args[2]),
                "guest-edges" => GuestEdges(args[1..]),
                _ => Fuzz(args),
            };
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"fuzz: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }
    }

    private sealed class UsageException(string message) : Exception(message);

    private static FuzzTarget Target(string name) =>
        FuzzTarget.Find(name) ?? throw new UsageException($"unknown target '{name}' (targets: {string.Join(", ", FuzzTarget.All.Select(t => t.Name))})");

    private static string? Option(ref string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        if (i < 0)
        {
            return null;
        }
        if (i + 1 >= args.Length)
        {
            throw new UsageException($"{name} needs a value");
        }
        var value = args[i + 1];
        args = [.. args[..i], .. args[(i + 2)..]];
        return value;
    }

    private static bool Flag(ref string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        if (i < 0)
        {
            return false;
        }
        args = [.. args[..i], .. args[(i + 1)..]];
        return true;
    }

    private static int List()
    {
        foreach (var t in FuzzTarget.All)
        {
            Console.WriteLine(t.Name);
        }
        return 0;
    }

    /// <summary>
    /// The fuzzing entry point: SharpFuzz's out-of-process fork server, which survives stack overflows and timeouts
    /// by restarting its child; <c>FUZZ_IN_PROCESS=1</c> selects the in-process one (faster to restart nothing, but a
    /// stack overflow or a timeout ends the campaign).
    /// </summary>
    private static int Fuzz(string[] args)
    {
        var target = Target(args[0]);
        var crashLog = Environment.GetEnvironmentVariable("FUZZ_CRASH_LOG");
        void RunOne(ReadOnlySpan<byte> input)
        {
            try
            {
                target.Run(input);
            }
            catch (Exception e) when (crashLog is not null && Log(crashLog, e, input))
            {
                throw;
            }
            finally
            {
                GuestTrace.Fold((target as IGuestCovered)?.Coverage);
            }
        }
        if (Environment.GetEnvironmentVariable(LibFuzzerSharedMemory) is not null)
        {
            // Started by libfuzzer-dotnet (ClusterFuzzLite, OSS-Fuzz: .clusterfuzzlite/build.sh), which sets this
            // variable: the same instrumented target, fed by libFuzzer through SharpFuzz's shared memory.
            Fuzzer.LibFuzzer.Run(input => RunOne(input));
            return 0;
        }
        Action<Stream> action = stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            RunOne(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        };
        if (Environment.GetEnvironmentVariable("FUZZ_IN_PROCESS") == "1")
        {
            Fuzzer.Run(action);
        }
        else
        {
            Fuzzer.OutOfProcess.Run(action);
        }
        return 0;
    }

    /// <summary>The shared-memory id that libfuzzer-dotnet hands to the .NET process it starts.</summary>
    private const string LibFuzzerSharedMemory = "__LIBFUZZER_SHM_ID";

    /// <summary>
    /// Appends a finding to <c>FUZZ_CRASH_LOG</c> (signature, input, stack), so that a crash AFL++ saved can be told
    /// from the fork server's child dying for another reason, and so that state-dependent findings leave a trace.
    /// </summary>
    private static bool Log(string file, Exception e, ReadOnlySpan<byte> input)
    {
        File.AppendAllText(file, $"== {DateTime.UtcNow:O} {Triage.Signature(e)}\ninput: {Convert.ToHexString(input[..Math.Min(input.Length, 4096)])}\n{e}\n");
        return false;
    }

    private static int Seeds(string[] args)
    {
        var suite = Option(ref args, "--suite");
        var max = int.Parse(Option(ref args, "--max") ?? "500", System.Globalization.CultureInfo.InvariantCulture);
        if (args.Length != 2)
        {
            throw new UsageException("seeds TARGET DIR");
        }
        var target = Target(args[0]);
        var root = target.TakesGeneratorBytes ? null : SeedCorpus.LocateSuite(suite);
        if (root is null && !target.TakesGeneratorBytes)
        {
            Console.Error.WriteLine("fuzz: no spec suite found (corpus/testsuite, WASM_TESTSUITE, ../shared/wasm-testsuite): built-in seeds only");
        }
        var seeds = SeedCorpus.Build(target, root, max);
        var written = SeedCorpus.Write(target, seeds, args[1]);
        Console.WriteLine($"{written} seeds for {target.Name} in {args[1]}{(root is null ? "" : $" (from {root})")}");
        return 0;
    }

    private static IEnumerable<string> Files(IEnumerable<string> paths) =>
        paths.SelectMany(p => Directory.Exists(p)
            ? (IEnumerable<string>)Directory.EnumerateFiles(p).Where(f => !Path.GetFileName(f).StartsWith("README", StringComparison.Ordinal) && !Path.GetFileName(f).EndsWith(".txt", StringComparison.Ordinal)).Order(StringComparer.Ordinal)
            : [p]);

    private static int Replay(string[] args)
    {
        var signatureOnly = Flag(ref args, "--signature");
        if (args.Length < 2)
        {
            throw new UsageException("replay TARGET PATH...");
        }
        var target = Target(args[0]);
        var findings = 0;
        var outcomes = new Dictionary<Outcome, int>();
        foreach (var file in Files(args[1..]))
        {
            var input = File.ReadAllBytes(file);
            if (signatureOnly)
            {
                if (Triage.Replay(target, input) is { } found)
                {
                    Console.WriteLine($"SIGNATURE\t{found.Signature}");
                    Console.Error.WriteLine(found.Error);
                    findings++;
                }
                continue;
            }
            try
            {
                var outcome = target.Run(input);
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            }
            catch (Exception e)
            {
                findings++;
                Console.WriteLine($"{file}: FINDING {Triage.Signature(e)}");
                Console.WriteLine($"  {e.ToString().Replace("\n", "\n  ", StringComparison.Ordinal)}");
            }
        }
        if (!signatureOnly)
        {
            Console.WriteLine($"{target.Name}: {string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Value} {o.Key.ToString().ToLowerInvariant()}"))}; {findings} findings");
        }
        return findings == 0 ? 0 : 1;
    }

    private static int TriageMode(string[] args)
    {
        var timeout = TimeSpan.FromSeconds(double.Parse(Option(ref args, "--timeout") ?? "30", System.Globalization.CultureInfo.InvariantCulture));
        if (args.Length < 3)
        {
            throw new UsageException("triage TARGET OUT DIR...");
        }
        var target = Target(args[0]);
        var count = Triage.Run(target, Files(args[2..].Where(Directory.Exists).Concat(args[2..].Where(File.Exists))), args[1], timeout);
        Console.WriteLine($"{count} distinct findings for {target.Name} in {args[1]}");
        return 0;
    }

    private static int SelfTest(string[] args)
    {
        var iterations = int.Parse(Option(ref args, "--iterations") ?? "1000", System.Globalization.CultureInfo.InvariantCulture);
        var seed = int.Parse(Option(ref args, "--seed") ?? "1", System.Globalization.CultureInfo.InvariantCulture);
        var suite = Option(ref args, "--suite");
        var findingsDir = Option(ref args, "--findings");
        if (args.Length != 1)
        {
            throw new UsageException("selftest TARGET");
        }
        var target = Target(args[0]);
        var seeds = SeedCorpus.Build(target, SeedCorpus.LocateSuite(suite), 200);
        var stopwatch = Stopwatch.StartNew();
        var result = SelfFuzz.Run(target, seeds, iterations, seed);
        Console.WriteLine($"{target.Name}: {result.Executions} executions in {stopwatch.Elapsed.TotalSeconds:0.0} s ({result.Executions / Math.Max(0.001, stopwatch.Elapsed.TotalSeconds):0} execs/s); {result.Summary}");
        foreach (var (signature, input) in result.Findings)
        {
            Console.WriteLine($"  FINDING {signature}");
            if (findingsDir is not null)
            {
                Directory.CreateDirectory(findingsDir);
                File.WriteAllBytes(Path.Combine(findingsDir, Triage.SignatureId(signature) + "." + target.Extension), input);
            }
        }
        return result.Findings.Count == 0 ? 0 : 1;
    }

    private static int WriteDictionary(FuzzTarget target, string file)
    {
        File.WriteAllText(file, Dictionary.For(target));
        return 0;
    }

    /// <summary>
    /// The guest edges a set of inputs covers together, for comparing campaigns with and without guest coverage on
    /// the same scale (AFL++'s own path counts include guest edges only when they were folded in).
    /// </summary>
    private static int GuestEdges(string[] args)
    {
        if (args.Length < 1)
        {
            throw new UsageException("guest-edges PATH...");
        }
        var target = new GeneratedJitRunTarget(guestCoverage: true);
        var covered = new bool[WasmHarness.GuestCoverage.DefaultSize];
        var inputs = 0;
        var findings = 0;
        foreach (var file in Files(args))
        {
            inputs++;
            try
            {
                target.Run(File.ReadAllBytes(file));
            }
            catch (Exception)
            {
                findings++;
            }
            var map = target.Coverage!.Map;
            for (var i = 0; i < map.Length; i++)
            {
                covered[i] |= map[i] != 0;
            }
        }
        Console.WriteLine($"{inputs} inputs cover {covered.Count(c => c)} guest edges ({findings} raised a finding)");
        return 0;
    }

    private static int Stats(string[] args)
    {
        var whatsup = Option(ref args, "--whatsup");
        var corpus = Option(ref args, "--corpus");
        if (args.Length != 3)
        {
            throw new UsageException("stats TARGET AFL_OUT JSON [--whatsup FILE] [--corpus DIR]");
        }
        var stats = CampaignStats.Read(args[0], args[1], whatsup is null ? null : File.ReadAllText(whatsup), corpus is null ? null : Directory.EnumerateFiles(corpus).LongCount());
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(args[2]))!);
        File.WriteAllText(args[2], JsonSerializer.Serialize(stats, CampaignStats.JsonOptions));
        Console.WriteLine($"{stats.Target}: {stats.Executions} execs in {stats.RunTimeSeconds} s, {stats.ExecsPerSecond:0.0} execs/s{(stats.Instances > 1 ? $" ({stats.Instances} instances together)" : "")}, {stats.PathsFound} paths found ({stats.PathsTotal} in queue), {stats.Crashes} crashes, {stats.Hangs} hangs{(stats.CorpusMinimized is { } kept ? $", corpus minimized to {kept} inputs" : "")}");
        return 0;
    }
}
