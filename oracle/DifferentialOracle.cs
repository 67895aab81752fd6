using System.Text;
using WasmHarness.Engines;
using WasmHarness.Generator;
using WasmHarness.Syntax;

namespace WasmHarness.Oracle;

/// <summary>The oracle's judgement of one test case.</summary>
public enum Verdict
{
    Agree,
    /// <summary>An engine ran out of a resource where another did not, or could not run the case: no judgement.</summary>
    Inconclusive,
    Divergence,
}

/// <summary>How much of each exported memory the oracle compares after a call.</summary>
public enum MemoryComparison
{
    /// <summary>Every byte after every call: a divergent write is seen before a later call can overwrite it.</summary>
    WholeAfterEveryCall,
    /// <summary>
    /// The size and the first <see cref="DifferentialOracle.MemoryPrefix"/> bytes (where generated code writes most:
    /// its addresses are masked low) after every call, every byte after the last. Comparing whole memories after every
    /// call was a fifth of a run's time, reading about 6 MB per run; the campaign's further runs of a case use this.
    /// </summary>
    PrefixAfterEveryCall,
}

/// <summary>What the oracle found for one module.</summary>
public sealed record OracleReport(Verdict Verdict, string Detail, int Calls, string? Category = null)
{
    /// <summary>Calls that trapped on the reference engine, by trap message (what the generated code tends to do).</summary>
    public Dictionary<string, int> Traps { get; init; } = [];

    public static OracleReport Agreed(int calls) => new(Verdict.Agree, "", calls);
}

public sealed record OracleOptions
{
    /// <summary>Calls per exported function.</summary>
    public int CallsPerExport { get; init; } = 3;

    /// <summary>One case in this many instantiates the case's module a second time and calls both instances (0: never).</summary>
    public int SecondInstanceEvery { get; init; } = 4;

    public NanComparison Nans { get; init; } = NanComparison.Exact;

    /// <summary>Compare exported memories byte for byte and tables element by element after every call.</summary>
    public bool CompareState { get; init; } = true;

    /// <summary>Where to write one line per call (its arguments and every engine's outcome), or null: for replaying a case by hand.</summary>
    public TextWriter? Trace { get; init; }
}

/// <summary>
/// Runs a module on every engine and compares everything observable: instantiation, each call's results or trap
/// kind, then exported globals, memories (byte for byte) and tables (element by element) after every call.
/// Engines are compared with the first one. The rules for what may differ are in <see cref="NondeterminismRules"/>.
/// </summary>
public sealed class DifferentialOracle(IReadOnlyList<IEngine> engines, OracleOptions? options = null)
{
    private readonly OracleOptions _options = options ?? new OracleOptions();

    public IReadOnlyList<IEngine> Engines => engines;

    /// <summary>Where the checks' time went, per engine and phase; the campaign drains it after every case.</summary>
    public PhaseTimes Times { get; } = new();

    /// <summary>
    /// The artifacts of each module checked and of the providers it carries, kept while the module lives: checking a
    /// module again (the campaign's further runs of one module with other arguments) hands every engine the same
    /// artifacts, whose compiled forms the engines keep, so a module is compiled once per engine.
    /// </summary>
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<Module, CaseArtifacts> _artifacts = new();

    private sealed class CaseArtifacts(Module module)
    {
        public ModuleArtifact Case { get; } = new(module);
        public IReadOnlyList<(string Name, ModuleArtifact Artifact)> Providers { get; } =
            [.. ProviderModules.Of(module).Select(p => (p.Name, new ModuleArtifact(p.Module)))];
    }

    private sealed class Run(IEngine engine, PhaseTimes times) : IDisposable
    {
        public IEngine Engine { get; } = engine;
        public IEngineSession Session { get; } = times.Time($"{engine.Name}: session", engine.CreateSession);

        /// <summary>Phase names, made once per run rather than once per call.</summary>
        public string InstantiatePhase { get; } = $"{engine.Name}: instantiate";
        public string InvokePhase { get; } = $"{engine.Name}: invoke";

        /// <summary>The instance of each <see cref="Target"/>, in the same order: the modules the case imports from, then the case.</summary>
        public List<IEngineInstance> Instances { get; } = [];

        public void Dispose() => times.Time($"{Engine.Name}: session", Session.Dispose);
    }

    /// <summary>A module the case instantiates, whose exports are called and whose state is compared: a provider (registered under <see cref="Name"/>), the case, or a second instance of the case (<see cref="Copy"/>).</summary>
    private sealed record Target(string? Name, ModuleArtifact Artifact, string? Copy = null)
    {
        public Module Module => Artifact.Module;

        public string Qualify(string export) => Copy is { } copy ? $"{copy}.{export}" : Name is null ? export : $"{Name}.{export}";
    }

    private readonly record struct Outcome(IReadOnlyList<EngineValue>? Values, EngineFailure? Failure)
    {
        public override string ToString() => Failure is { } f ? $"{f.Kind}: {f.Message}" : $"[{string.Join(", ", Values!)}]";
    }

    /// <summary>
    /// Runs <paramref name="module"/> on every engine; arguments are drawn from <paramref name="seed"/>.
    /// <paramref name="memories"/> says how much of each exported memory is compared after each call.
    /// </summary>
    public OracleReport Check(Module module, ulong seed, MemoryComparison memories = MemoryComparison.WholeAfterEveryCall)
    {
        var artifacts = _artifacts.GetValue(module, static m => new CaseArtifacts(m));
        var runs = engines.Select(e => new Run(e, Times)).ToList();
        foreach (var run in runs)
        {
            Times.Time($"{run.Engine.Name}: session", () => OracleHost.Define(run.Session));
        }
        try
        {
            return Check(artifacts, runs, new Random((int)(seed ^ (seed >> 32))), memories);
        }
        finally
        {
            foreach (var run in runs)
            {
                run.Dispose();
            }
        }
    }

    private OracleReport Check(CaseArtifacts artifacts, List<Run> runs, Random random, MemoryComparison memories)
    {
        // The modules the case imports from are instantiated and registered first, each compared like the case.
        var targets = artifacts.Providers.Select(p => new Target(p.Name, p.Artifact)).Append(new Target(null, artifacts.Case)).ToList();
        if (_options.SecondInstanceEvery > 0 && random.Next(_options.SecondInstanceEvery) == 0)
        {
            // A quarter of the cases instantiate the case's module twice and call both instances in turn: code compiled
            // once per module must keep each instance's state (globals, memory, tables, fuel) apart, while state both
            // import from a provider is shared.
            targets.Add(new Target(null, artifacts.Case, "instance 2"));
        }
        for (var slot = 0; slot < targets.Count; slot++)
        {
            var target = targets[slot];
            var instantiation = runs.Select(r => Capture(() =>
            {
                var instance = Times.Time(r.InstantiatePhase, () => r.Session.Instantiate(target.Artifact));
                r.Instances.Add(instance);
                if (target.Name is { } name)
                {
                    r.Session.Register(name, instance);
                }
                return [];
            })).ToList();
            if (Compare(runs, instantiation, target.Qualify("instantiate")) is { } failed)
            {
                return failed;
            }
            if (runs[0].Instances.Count == slot)
            {
                return OracleReport.Agreed(0); // every engine failed alike
            }
        }

        var calls = 0;
        var traps = new Dictionary<string, int>();
        var callable = targets.SelectMany((target, slot) =>
        {
            var functionTypes = FunctionTypes(target.Module);
            return target.Module.Exports
                .Where(e => e.Kind == ExternKind.Function && e.Name != ModuleGenerator.ResetFuelExport)
                .Select(e => (Slot: slot, Target: target, Export: e.Name, Type: functionTypes[(int)e.Index]));
        }).ToList();
        var resets = targets.Select((target, slot) => (target, slot)).Where(t => t.target.Module.Exports.Any(e => e.Name == ModuleGenerator.ResetFuelExport)).Select(t => t.slot).ToList();
        for (var round = 0; round < _options.CallsPerExport; round++)
        {
            foreach (var (slot, target, export, type) in callable)
            {
                var arguments = type.Parameters.Select(p => Argument(p, random)).ToList();
                var label = $"{target.Qualify(export)}({string.Join(", ", arguments)})";
                foreach (var run in runs)
                {
                    foreach (var reset in resets)
                    {
                        Times.Time(run.InvokePhase, () => run.Session.Invoke(run.Instances[reset], ModuleGenerator.ResetFuelExport, []));
                    }
                }
                var outcomes = runs.Select(r => Capture(() => Times.Time(r.InvokePhase, () => r.Session.Invoke(r.Instances[slot], export, arguments)))).ToList();
                calls++;
                _options.Trace?.WriteLine($"call {calls}: {label} -> {string.Join("; ", runs.Select((r, i) => $"{r.Engine.Name} {outcomes[i]}"))}");
                if (outcomes[0].Failure is { } trapped)
                {
                    traps[trapped.Message] = traps.GetValueOrDefault(trapped.Message) + 1;
                }
                if (Compare(runs, outcomes, label) is { } report)
                {
                    return report with { Calls = calls, Traps = traps };
                }
                if (_options.CompareState)
                {
                    var last = calls == _options.CallsPerExport * callable.Count;
                    var prefix = memories == MemoryComparison.PrefixAfterEveryCall && !last ? MemoryPrefix : int.MaxValue;
                    for (var t = 0; t < targets.Count; t++)
                    {
                        if (CompareState(targets[t], t, runs, label, prefix) is { } state)
                        {
                            return state with { Calls = calls, Traps = traps };
                        }
                    }
                }
            }
        }
        return OracleReport.Agreed(calls) with { Traps = traps };
    }

    private static Outcome Capture(Func<IReadOnlyList<EngineValue>> action)
    {
        try
        {
            return new Outcome(action(), null);
        }
        catch (EngineFailure failure)
        {
            return new Outcome(null, failure);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // An engine crashed (an exception that is not a trap): always a bug, never agreement.
            return new Outcome(null, new EngineFailure(FailureKind.Rejected, $"crash: {e.GetType().Name}: {e.Message}", e));
        }
    }

    /// <summary>Compares each engine's outcome with the first engine's; null when all agree.</summary>
    private OracleReport? Compare(List<Run> runs, List<Outcome> outcomes, string what)
    {
        var reference = outcomes[0];
        for (var i = 1; i < runs.Count; i++)
        {
            var other = outcomes[i];
            var (a, b) = (runs[0].Engine.Name, runs[i].Engine.Name);
            string Describe() => $"{what}: {a} {reference}, {b} {other}";
            if (reference.Failure?.Kind == FailureKind.Unsupported || other.Failure?.Kind == FailureKind.Unsupported)
            {
                return new OracleReport(Verdict.Inconclusive, $"unsupported: {Describe()}", 0, "unsupported");
            }
            var exhaustedA = reference.Failure?.Kind == FailureKind.Exhaustion;
            var exhaustedB = other.Failure?.Kind == FailureKind.Exhaustion;
            if (exhaustedA || exhaustedB)
            {
                var verdict = NondeterminismRules.Exhaustion(a, exhaustedA, b, exhaustedB);
                if (verdict == Verdict.Agree)
                {
                    // Both ran out: what is left of the state may differ by how far each got; stop here.
                    return new OracleReport(Verdict.Agree, "both exhausted", 0);
                }
                return new OracleReport(verdict, $"exhaustion: {Describe()}", 0, "exhaustion");
            }
            switch (reference.Failure, other.Failure)
            {
                case (null, null):
                    var (x, y) = (reference.Values!, other.Values!);
                    if (x.Count != y.Count || x.Zip(y).Any(p => !NondeterminismRules.ValuesAgree(p.First, p.Second, _options.Nans)))
                    {
                        return new OracleReport(Verdict.Divergence, $"results differ: {Describe()}", 0, "result");
                    }
                    break;
                case ({ } fa, { } fb):
                    if (fa.Kind != fb.Kind || fa.Kind == FailureKind.Trap && !NondeterminismRules.TrapsAgree(a, fa, b, fb))
                    {
                        return new OracleReport(Verdict.Divergence, $"traps differ: {Describe()}", 0, "trap");
                    }
                    break;
                default:
                    return new OracleReport(Verdict.Divergence, $"one trapped: {Describe()}", 0, "trap-vs-value");
            }
        }
        return null;
    }

    /// <summary>The bytes of each memory compared after a call with <see cref="MemoryComparison.PrefixAfterEveryCall"/>.</summary>
    public const int MemoryPrefix = 4096;

    private OracleReport? CompareState(Target target, int slot, List<Run> runs, string after, int memoryPrefix)
    {
        foreach (var export in target.Module.Exports)
        {
            var name = target.Qualify(export.Name);
            switch (export.Kind)
            {
                case ExternKind.Global:
                {
                    var values = Times.Time("compare globals", () => runs.Select(r => r.Session.GetGlobal(r.Instances[slot], export.Name)).ToList());
                    for (var i = 1; i < runs.Count; i++)
                    {
                        if (!NondeterminismRules.ValuesAgree(values[0], values[i], NanComparison.Exact))
                        {
                            return new OracleReport(Verdict.Divergence, $"global {name} after {after}: {runs[0].Engine.Name} {values[0]}, {runs[i].Engine.Name} {values[i]}", 0, "global");
                        }
                    }
                    break;
                }
                case ExternKind.Memory:
                    if (Times.Time("compare memories", () => CompareMemory(runs, slot, export.Name, name, after, memoryPrefix)) is { } differs)
                    {
                        return differs;
                    }
                    break;
                case ExternKind.Table:
                {
                    var tables = Times.Time("compare tables", () => runs.Select(r => r.Session.ReadTable(r.Instances[slot], export.Name)).ToList());
                    for (var i = 1; i < runs.Count; i++)
                    {
                        if (!tables[0].SequenceEqual(tables[i]))
                        {
                            return new OracleReport(Verdict.Divergence, $"table {name} after {after}: {runs[0].Engine.Name} [{string.Join(", ", tables[0])}], {runs[i].Engine.Name} [{string.Join(", ", tables[i])}]", 0, "table");
                        }
                    }
                    break;
                }
            }
        }
        return null;
    }

    /// <summary>
    /// Compares an exported memory's size and its first <paramref name="prefix"/> bytes across engines where each lies
    /// (<see cref="IEngineSession.ReadMemory{T}"/>): while the first engine lends its bytes (pinned), every other
    /// engine's are compared with them in place, without a copy.
    /// </summary>
    private static unsafe OracleReport? CompareMemory(List<Run> runs, int slot, string export, string name, string after, int prefix)
    {
        var detail = runs[0].Session.ReadMemory(runs[0].Instances[slot], export, reference =>
        {
            fixed (byte* pinned = reference)
            {
                var (address, length) = ((nint)pinned, reference.Length);
                for (var i = 1; i < runs.Count; i++)
                {
                    var (a, b) = (runs[0].Engine.Name, runs[i].Engine.Name);
                    var differs = runs[i].Session.ReadMemory(runs[i].Instances[slot], export, bytes =>
                    {
                        var expected = new ReadOnlySpan<byte>((byte*)address, length);
                        if (bytes.Length != expected.Length)
                        {
                            return $"memory {name} size after {after}: {a} {expected.Length}, {b} {bytes.Length}";
                        }
                        var compared = Math.Min(prefix, expected.Length);
                        var at = bytes[..compared].CommonPrefixLength(expected[..compared]);
                        return at < compared ? $"memory {name} byte {at} after {after}: {a} 0x{expected[at]:x2}, {b} 0x{bytes[at]:x2}" : null;
                    });
                    if (differs is not null)
                    {
                        return differs;
                    }
                }
                return null;
            }
        });
        return detail is null ? null : new OracleReport(Verdict.Divergence, detail, 0, "memory");
    }

    private static List<FunctionType> FunctionTypes(Module module)
    {
        var types = module.TypeDefinitions.ToList();
        return
        [
            .. module.ImportsOf(ExternKind.Function).Select(i => (FunctionType)types[(int)((FunctionTypeUse)i.Type).TypeIndex].Body),
            .. module.Functions.Select(f => (FunctionType)types[(int)f.TypeIndex].Body),
        ];
    }

    /// <summary>An argument of <paramref name="type"/>: half the time an edge value (0, ±1, MIN, MAX, ±inf, NaN).</summary>
    public static EngineValue Argument(ValType type, Random random)
    {
        var edge = random.Next(2) == 0;
        return type.Kind switch
        {
            ValueKind.I32 => EngineValue.I32(edge ? EdgeValues.I32[random.Next(EdgeValues.I32.Length)] : random.Next(3) == 0 ? random.Next(256) : random.Next(int.MinValue, int.MaxValue)),
            ValueKind.I64 => EngineValue.I64(edge ? EdgeValues.I64[random.Next(EdgeValues.I64.Length)] : random.NextInt64(long.MinValue, long.MaxValue)),
            ValueKind.F32 => EngineValue.F32(edge ? EdgeValues.F32[random.Next(EdgeValues.F32.Length)] : BitConverter.SingleToUInt32Bits((float)(random.NextDouble() * 200 - 100))),
            ValueKind.F64 => EngineValue.F64(edge ? EdgeValues.F64[random.Next(EdgeValues.F64.Length)] : BitConverter.DoubleToUInt64Bits(random.NextDouble() * 200 - 100)),
            ValueKind.V128 => EngineValue.V128(edge
                ? new V128(EdgeValues.Splat32(EdgeValues.F32[random.Next(EdgeValues.F32.Length)]), (ulong)EdgeValues.I64[random.Next(EdgeValues.I64.Length)])
                : new V128((ulong)random.NextInt64(), (ulong)random.NextInt64())),
            // A host reference for externref, and for anyref too (internalized on the way in: any.convert_extern).
            _ when (type.Heap == HeapType.Extern || type.Heap == HeapType.Any) && !edge => EngineValue.Host((uint)random.Next(1, 4)),
            _ => EngineValue.Null,
        };
    }

    /// <summary>A one-line description of a report, for logs.</summary>
    public static string Describe(OracleReport report)
    {
        var text = new StringBuilder(report.Verdict.ToString());
        if (report.Detail.Length > 0)
        {
            text.Append(": ").Append(report.Detail);
        }
        return text.ToString();
    }
}
