using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace WasmHarness.Oracle;

/// <summary>How one worker process of a parallel campaign is to be started: its case partition and its time left.</summary>
/// <param name="Worker">0 to jobs - 1.</param>
/// <param name="FirstCase">The first case index it runs; then every <paramref name="Stride"/>th.</param>
/// <param name="Seconds">The campaign's time left when it starts.</param>
public sealed record WorkerStart(int Worker, long FirstCase, int Stride, double Seconds);

/// <summary>
/// A campaign over several processes. Each worker is the campaign program itself in worker mode (the caller says how
/// to start it), running <see cref="Campaign.Run(CampaignOptions)"/> on its partition of the case indices
/// (<see cref="CampaignOptions.FirstCase"/>, <see cref="CampaignOptions.CaseStride"/>). Processes, not threads: an
/// engine that takes its process down (a stack overflow, wasmtime aborting) costs one worker, which is started again
/// after the case it died on, and that case is recorded as a finding.
/// </summary>
/// <remarks>
/// The protocol is lines on the worker's stdout: <c>@@case INDEX JSON</c> before each case, with the counts so far of
/// that worker process, and <c>@@done JSON</c> at the end. The counts before a crash are therefore exact, and the
/// case that was running is known. Anything else a worker prints (stdout or stderr) is passed on to the log, prefixed.
/// </remarks>
public static class ParallelCampaign
{
    private const string CaseLine = "@@case ";
    private const string DoneLine = "@@done ";

    // Populate: CampaignResult's dictionaries and list are get-only properties.
    private static readonly JsonSerializerOptions Json = new()
    {
        PreferredObjectCreationHandling = JsonObjectCreationHandling.Populate,
    };

    /// <summary>The worker side: runs this worker's partition and reports on <paramref name="protocol"/>.</summary>
    public static CampaignResult RunWorker(CampaignOptions options, TextWriter protocol)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        var report = options with
        {
            BeforeCase = (index, soFar) =>
            {
                protocol.WriteLine($"{CaseLine}{index} {JsonSerializer.Serialize(soFar, Json)}");
                protocol.Flush();
            },
        };
        var result = Campaign.Run(report);
        protocol.WriteLine($"{DoneLine}{JsonSerializer.Serialize(result, Json)}");
        protocol.Flush();
        return result;
    }

    /// <summary>
    /// Runs <paramref name="jobs"/> workers until <see cref="CampaignOptions.Seconds"/> (or <see cref="CampaignOptions.MaxCases"/>)
    /// and merges what they report. Divergences are not reduced by the workers: the merged result's are reduced here,
    /// once each, when <see cref="CampaignOptions.RegressionDirectory"/> is set.
    /// </summary>
    /// <param name="replay">
    /// How to start a process that replays one module file (with the seed of its arguments) on the campaign's engines:
    /// a case whose worker died is then reduced in such processes (<see cref="CrashReducer"/>). Null: recorded only.
    /// </param>
    public static CampaignResult Run(CampaignOptions options, int jobs, Func<WorkerStart, ProcessStartInfo> startInfo, Func<string, ulong, ProcessStartInfo>? replay = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(jobs, 1);
        ArgumentNullException.ThrowIfNull(startInfo);
        var clock = Stopwatch.StartNew();
        var gate = new object();
        var finished = new List<CampaignResult>();
        var current = new CampaignResult?[jobs];
        var processes = new Process?[jobs];
        var stop = false;

        void Worker(int worker)
        {
            var next = (long)worker;
            while (true)
            {
                var left = options.Seconds - clock.Elapsed.TotalSeconds;
                lock (gate)
                {
                    if (stop || left <= 0 || options.MaxCases is { } max && next >= max)
                    {
                        return;
                    }
                }
                var info = startInfo(new WorkerStart(worker, next, jobs, left));
                info.RedirectStandardOutput = true;
                info.RedirectStandardError = true;
                info.UseShellExecute = false;
                using var process = new Process { StartInfo = info };
                var errorTail = new Queue<string>();
                process.ErrorDataReceived += (_, e) =>
                {
                    if (e.Data is null)
                    {
                        return;
                    }
                    options.Log?.WriteLine($"[w{worker}] {e.Data}");
                    lock (errorTail)
                    {
                        errorTail.Enqueue(e.Data);
                        if (errorTail.Count > 5)
                        {
                            errorTail.Dequeue();
                        }
                    }
                };
                lock (gate)
                {
                    if (stop)
                    {
                        return;
                    }
                    try
                    {
                        process.Start();
                    }
                    catch (System.ComponentModel.Win32Exception e)
                    {
                        options.Log?.WriteLine($"worker {worker} could not be started: {e.Message}");
                        return;
                    }
                    processes[worker] = process;
                }
                process.BeginErrorReadLine();
                // A worker times its findings from its own start; the campaign's clock is what the merged result says.
                var startedAt = clock.Elapsed.TotalSeconds;
                long? running = null;
                CampaignResult? soFar = null;
                CampaignResult? done = null;
                while (process.StandardOutput.ReadLine() is { } line)
                {
                    if (line.StartsWith(CaseLine, StringComparison.Ordinal))
                    {
                        var space = line.IndexOf(' ', CaseLine.Length);
                        running = long.Parse(line.AsSpan(CaseLine.Length, space - CaseLine.Length), System.Globalization.CultureInfo.InvariantCulture);
                        soFar = JsonSerializer.Deserialize<CampaignResult>(line.AsSpan(space + 1), Json);
                        lock (gate)
                        {
                            current[worker] = soFar;
                        }
                    }
                    else if (line.StartsWith(DoneLine, StringComparison.Ordinal))
                    {
                        done = JsonSerializer.Deserialize<CampaignResult>(line.AsSpan(DoneLine.Length), Json);
                    }
                    else
                    {
                        options.Log?.WriteLine($"[w{worker}] {line}");
                    }
                }
                process.WaitForExit();
                bool stopped;
                lock (gate)
                {
                    processes[worker] = null;
                    current[worker] = null;
                    if (done is not null && options.StopOnDivergence && (done.Divergences > 0 || done.InvalidModules > 0))
                    {
                        stop = true;
                        foreach (var other in processes)
                        {
                            try
                            {
                                other?.Kill(entireProcessTree: true);
                            }
                            catch (InvalidOperationException)
                            {
                                // It exited meanwhile.
                            }
                        }
                    }
                    stopped = stop;
                    // Killed because another worker stopped the campaign: what it finished counts, the case it was
                    // running is not a finding.
                    if (done is not null || stopped)
                    {
                        finished.Add(OnCampaignClock(done ?? soFar ?? Empty(options), startedAt));
                    }
                }
                if (done is not null || stopped)
                {
                    return;
                }
                // Died on its own: the counts before the case it was running are kept, that case is a finding (an
                // engine took the process down), and a new worker starts after it.
                string tail;
                lock (errorTail)
                {
                    tail = string.Join(" | ", errorTail);
                }
                var at = clock.Elapsed.TotalSeconds;
                var crashed = OnCampaignClock(soFar ?? Empty(options), startedAt);
                if (running is not { } index)
                {
                    // Before its first case: it would die the same way again.
                    lock (gate)
                    {
                        finished.Add(crashed);
                    }
                    options.Log?.WriteLine($"[{at,6:F1}s] worker {worker} exited with code {process.ExitCode} before its first case; not restarted{(tail.Length > 0 ? $": {tail}" : "")}");
                    return;
                }
                var caseSeed = Campaign.CaseSeed(options.Seed, index);
                var detail = $"worker {worker} exited with code {process.ExitCode} during this case{(tail.Length > 0 ? $": {tail}" : "")}";
                crashed.Cases++;
                crashed.WorkerCrashes++;
                crashed.Found.Add(new DivergenceRecord(caseSeed, index, at, "worker-crash", detail, null));
                options.Log?.WriteLine($"[{at,6:F1}s] case {index} seed {caseSeed}: WORKER CRASH {detail}; restarting after it");
                lock (gate)
                {
                    finished.Add(crashed);
                }
                next = index + jobs;
            }
        }

        var threads = Enumerable.Range(0, jobs).Select(k => new Thread(() => Worker(k)) { IsBackground = true, Name = $"worker {k}" }).ToList();
        threads.ForEach(t => t.Start());
        var nextProgress = options.ProgressSeconds;
        foreach (var thread in threads)
        {
            while (!thread.Join(TimeSpan.FromMilliseconds(200)))
            {
                if (options.Log is not null && clock.Elapsed.TotalSeconds >= nextProgress)
                {
                    nextProgress += options.ProgressSeconds;
                    CampaignResult soFar;
                    lock (gate)
                    {
                        soFar = Merge(options, [.. finished, .. current.OfType<CampaignResult>()], clock.Elapsed.TotalSeconds);
                    }
                    if (soFar.Cases > 0)
                    {
                        Campaign.Progress(options.Log, soFar, clock.Elapsed.TotalSeconds);
                    }
                }
            }
        }
        var result = Merge(options, finished, clock.Elapsed.TotalSeconds);
        result.Jobs = jobs;
        if (options.RegressionDirectory is not null)
        {
            for (var i = 0; i < result.Found.Count; i++)
            {
                var found = result.Found[i];
                if (found.Category is not ("invalid-module" or "worker-crash") && found.Regression is null)
                {
                    var written = Campaign.Reduce(options, found);
                    options.Log?.WriteLine($"case {found.Case} seed {found.CaseSeed}: reduced case: {written}");
                    result.Found[i] = found with { Regression = written };
                }
                else if (found.Category == "worker-crash" && replay is not null && CrashReducer.Reduce(options, found, replay, options.Log) is { } crash)
                {
                    options.Log?.WriteLine($"case {found.Case} seed {found.CaseSeed}: reduced crash: {crash}");
                    result.Found[i] = found with { Regression = crash };
                }
            }
        }
        return result;
    }

    private static CampaignResult OnCampaignClock(CampaignResult part, double startedAt)
    {
        for (var i = 0; i < part.Found.Count; i++)
        {
            part.Found[i] = part.Found[i] with { AtSeconds = part.Found[i].AtSeconds + startedAt };
        }
        return part;
    }

    private static CampaignResult Empty(CampaignOptions options) => new() { Engines = "", Seed = options.Seed, Profile = options.Profile.ToString() };

    /// <summary>Adds up worker results: counts and tallies summed, findings in case order, the campaign's wall time.</summary>
    public static CampaignResult Merge(CampaignOptions options, IEnumerable<CampaignResult> parts, double seconds)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var list = parts.ToList();
        var merged = new CampaignResult
        {
            Engines = list.Select(p => p.Engines).FirstOrDefault(e => e.Length > 0) ?? string.Join(",", options.Engines),
            Seed = options.Seed,
            Profile = options.Profile.ToString(),
            Seconds = seconds,
        };
        static void Add<T>(Dictionary<string, T> into, Dictionary<string, T> from) where T : System.Numerics.INumber<T>
        {
            foreach (var (key, count) in from)
            {
                into[key] = into.GetValueOrDefault(key, T.Zero) + count;
            }
        }
        foreach (var part in list)
        {
            merged.Cases += part.Cases;
            merged.Agreed += part.Agreed;
            merged.Inconclusive += part.Inconclusive;
            merged.Divergences += part.Divergences;
            merged.InvalidModules += part.InvalidModules;
            merged.Skipped += part.Skipped;
            merged.Runs += part.Runs;
            merged.Calls += part.Calls;
            merged.JitIlChecks += part.JitIlChecks;
            merged.JitCompiled += part.JitCompiled;
            merged.JitFallenBack += part.JitFallenBack;
            merged.JitLoopEntries += part.JitLoopEntries;
            merged.WorkerCrashes += part.WorkerCrashes;
            Add(merged.FeatureMix, part.FeatureMix);
            Add(merged.InconclusiveReasons, part.InconclusiveReasons);
            Add(merged.Traps, part.Traps);
            Add(merged.PhaseSeconds, part.PhaseSeconds);
            merged.Found.AddRange(part.Found);
        }
        merged.Found.Sort((a, b) => a.Case.CompareTo(b.Case));
        return merged;
    }
}
