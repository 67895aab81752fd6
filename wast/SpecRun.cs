using WasmHarness.Engines;
using WasmHarness.Text;

namespace WasmHarness.Wast;

/// <summary>The options of one run of the spec runner.</summary>
public sealed record SpecRunOptions(
    string SuiteRoot,
    IReadOnlyList<string> Filters,
    bool IncludeProposals,
    Func<IReferenceValidator>? CrossCheckWith,
    SuiteProfile? Profile = null,
    IReadOnlyList<IEngine>? Engines = null)
{
    /// <summary>Validate-only when no engine is given: only module-level commands are judged.</summary>
    public bool ValidateOnly => Engines is null || Engines.Count == 0;
}

/// <summary>Runs the selected scripts of the suite on the selected engines and collects their results.</summary>
public static class SpecRun
{
    /// <summary>Stack size of the threads that run scripts: engines that run guest code on the calling thread (wasmtime) need room.</summary>
    internal const int WorkerStackSize = 64 * 1024 * 1024;

    public static RunResult Execute(SpecRunOptions options, Action<string>? onScriptDone = null)
    {
        var files = SuiteFiles.Find(options.SuiteRoot, options.Filters, options.IncludeProposals)
            .Where(file => options.Profile is null || options.Profile.Contains(file))
            .ToList();
        using var crossCheck = options.CrossCheckWith is { } validator ? new CrossCheck(validator()) : null;
        var engineNames = options.ValidateOnly ? ["validate"] : options.Engines!.Select(e => e.Name).ToArray();

        var results = new ScriptResult[files.Count][];
        RunOnWorkers(files.Count, i =>
        {
            results[i] = RunScript(options, files[i], crossCheck);
            onScriptDone?.Invoke(files[i]);
        });

        return new RunResult(
            Suite: options.SuiteRoot,
            SuiteProvenance: SuiteLocator.Provenance(options.SuiteRoot),
            Mode: options.ValidateOnly ? "validate-only" : "execute",
            Profile: options.Profile?.Name ?? "all",
            Engines: [.. engineNames.Select((name, e) => new EngineRun(name, [.. results.Select(perEngine => perEngine[e])]))],
            CrossCheck: crossCheck?.Result(),
            Platform: SimdPlatform.Current);
    }

    /// <summary>
    /// Parses one script, takes each module through the front end once, then judges every command: at module level
    /// only in validate-only mode, else on each engine in turn. A script that cannot be parsed fails as a whole.
    /// </summary>
    public static ScriptResult[] RunScript(SpecRunOptions options, string relativePath, CrossCheck? crossCheck = null)
    {
        var engineCount = options.ValidateOnly ? 1 : options.Engines!.Count;
        Script script;
        try
        {
            script = WastParser.ParseScript(File.ReadAllText(Path.Combine(options.SuiteRoot, relativePath)), relativePath);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var error = e is WasmException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            return [.. Enumerable.Repeat(new ScriptResult(relativePath, [], error), engineCount)];
        }

        var features = FrontEndFeatures(relativePath);
        var frontEnd = new FrontEndCache(crossCheck is null ? null : (module, outcome) => crossCheck.Observe(relativePath, module, outcome), features);
        if (options.ValidateOnly)
        {
            var judge = new ModuleLevelJudge(frontEnd);
            return [new ScriptResult(relativePath, [.. script.Commands.Select(judge.Judge)])];
        }
        return [.. options.Engines!.Select(engine => new ScriptResult(relativePath, ScriptExecutor.Run(engine, script, frontEnd)))];
    }

    /// <summary>
    /// The features the front end reads a script with: Wasm 3.0, plus the proposal whose folder holds the script when
    /// that folder is named like a feature (<c>proposals/custom-page-sizes/</c>). A proposal beyond 3.0 may change
    /// what is well-formed (custom page sizes makes the limits flag 0x08 so), and the core suite and the other
    /// proposals' copies of <c>binary.wast</c> expect 3.0's verdict.
    /// </summary>
    public static Validation.WasmFeatures FrontEndFeatures(string relativePath)
    {
        var features = Validation.WasmFeatures.Wasm3;
        if (SuiteFiles.IsProposal(relativePath))
        {
            var folder = relativePath.Split('/')[1];
            foreach (var (feature, name) in Validation.FeatureGate.Names)
            {
                if (name == folder)
                {
                    features |= feature;
                }
            }
        }
        return features;
    }

    /// <summary>Module-level judgement of one script (validate-only), for tests and tools.</summary>
    public static ScriptResult RunScript(string suiteRoot, string relativePath) =>
        RunScript(new SpecRunOptions(suiteRoot, [], IncludeProposals: false, CrossCheckWith: null), relativePath)[0];

    /// <summary>Runs <paramref name="count"/> work items on one thread per core, each with a large stack.</summary>
    private static void RunOnWorkers(int count, Action<int> work)
    {
        var next = -1;
        var errors = new List<Exception>();
        var threads = Enumerable.Range(0, Math.Max(1, Math.Min(Environment.ProcessorCount, count))).Select(_ => new Thread(() =>
        {
            try
            {
                for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
                {
                    work(i);
                }
            }
            catch (Exception e)
            {
                lock (errors)
                {
                    errors.Add(e);
                }
            }
        }, WorkerStackSize)).ToList();
        threads.ForEach(thread => thread.Start());
        threads.ForEach(thread => thread.Join());
        if (errors.Count > 0)
        {
            throw new AggregateException(errors);
        }
    }
}
