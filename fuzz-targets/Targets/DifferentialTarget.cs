using WasmHarness.Binary;
using WasmHarness.Engines;
using WasmHarness.Generator;
using WasmHarness.Oracle;
using WasmHarness.Engines.Wasmtime;
using WasmHarness.Syntax;
using WasmHarness.Validation;

namespace WasmHarness.Fuzz.Targets;

/// <summary>
/// <c>differential</c>: the same bytes on our front end and interpreter and on wasmtime, through <see cref="IEngine"/>.
/// Both must agree whether the module is valid, how instantiation ends, what every exported function returns (or how
/// it traps) for zero and edge arguments, and the final values of exported globals.
/// </summary>
/// <remarks>
/// Rules (the comparer's nondeterminism rules, applied here):
/// <list type="bullet">
/// <item>NaN results are compared by class (any NaN equals any NaN), and a <c>v128</c> matches when it is equal lane by
/// lane as <c>f32x4</c> or as <c>f64x2</c> with that rule, since the lane shape of a vector result is unknown.</item>
/// <item>Exhaustion (fuel, call stack, resource limits) on either side ends the comparison: the engines count fuel
/// and stack differently, and the state after it may differ.</item>
/// <item>What an engine cannot do is skipped, not compared: <see cref="FailureKind.Unsupported"/> (features it lacks,
/// values the harness cannot pass in), instructions our interpreter does not support yet, and modules using
/// relaxed SIMD (whose results are implementation-defined), and modules with shared memories or tables (the threads
/// proposal: our decoder keeps the flag, wasmtime is not configured for it).</item>
/// <item>Link errors are compared by kind only (the engines word them differently); traps by the spec message, where
/// wasmtime's coarser codes stand for several messages.</item>
/// </list>
/// </remarks>
public class DifferentialTarget : FuzzTarget
{
    private protected static readonly Lazy<JitEngine> s_jit = new(() => new JitEngine(RunTarget.Options));
    private protected static readonly Lazy<InterpreterEngine> s_interpreter = new(() => new InterpreterEngine(RunTarget.Options));
    private protected static readonly Lazy<WasmtimeEngine> s_wasmtime = new(() => new WasmtimeEngine(RunTarget.Options, optimize: false));
    private static readonly Lazy<WasmtimeValidator> s_validator = new(() => new WasmtimeValidator());

    public override string Name => "differential";

    public override string Description => "bytes -> our front end and interpreter vs wasmtime: validity, instantiation, results and traps must agree";

    public override Outcome Run(ReadOnlySpan<byte> input)
    {
        var bytes = input.ToArray();
        Module? module;
        string? ourError = null;
        var outcome = Outcome.Valid;
        try
        {
            module = ModuleDecoder.Decode(bytes);
            ModuleValidator.Validate(module);
        }
        catch (MalformedException e)
        {
            module = null;
            ourError = e.Reason;
            outcome = Outcome.Malformed;
        }
        catch (InvalidModuleException e)
        {
            module = null;
            ourError = e.Reason;
            outcome = Outcome.Invalid;
        }
        if (module is not null && UsesSharedLimits(module))
        {
            // The decoder keeps the threads proposal's shared flag (not Wasm 3.0; wasmtime is not configured for it).
            return Outcome.Skipped;
        }
        var theirError = s_validator.Value.Validate(bytes);
        if (ourError is not null)
        {
            if (theirError is null)
            {
                throw new FuzzFinding(Name, $"we reject ({ourError}), wasmtime accepts");
            }
            return outcome;
        }
        if (theirError is not null)
        {
            if (WasmtimeValidator.IsMissingFeatureError(theirError))
            {
                return Outcome.Skipped;
            }
            throw new FuzzFinding(Name, $"we accept, wasmtime rejects: {theirError.Split('\n')[0]}");
        }
        if (module is null || UsesRelaxedSimd(module))
        {
            return Outcome.Skipped;
        }
        return Compare(new ModuleArtifact(module, bytes));
    }

    /// <summary>The engines compared, the oracle (wasmtime) last; each other engine must agree with it.</summary>
    private protected virtual IReadOnlyList<IEngine> Engines => [s_interpreter.Value, s_wasmtime.Value];

    private protected Outcome Compare(ModuleArtifact artifact)
    {
        var engines = Engines;
        var sessions = engines.Select(e => e.CreateSession()).ToArray();
        foreach (var session in sessions)
        {
            OracleHost.Define(session);
        }
        try
        {
            return Compare(artifact, engines, sessions);
        }
        finally
        {
            foreach (var session in sessions)
            {
                session.Dispose();
            }
        }
    }

    private Outcome Compare(ModuleArtifact artifact, IReadOnlyList<IEngine> engines, IEngineSession[] sessions)
    {
        var oracle = sessions.Length - 1;
        // A generated case's imports: the modules it carries, instantiated and registered first (ProviderModules).
        foreach (var (name, provider) in ProviderModules.Of(artifact.Module))
        {
            var providerArtifact = new ModuleArtifact(provider);
            var registered = sessions.Select(s => Attempt(() =>
            {
                var instance = s.Instantiate(providerArtifact);
                s.Register(name, instance);
                return instance;
            })).ToArray();
            if (Stop(registered) is { } failed)
            {
                return failed;
            }
            AgreeAll($"instantiation of {name}", engines, registered);
        }
        var made = sessions.Select(s => Attempt(() => s.Instantiate(artifact))).ToArray();
        if (Stop(made) is { } stopped)
        {
            return stopped;
        }
        AgreeAll("instantiation", engines, made);
        if (made[oracle].Failure is not null)
        {
            return Outcome.Valid;
        }
        var instances = made.Select(m => m.Value!).ToArray();

        var module = artifact.Module;
        var functionTypes = FunctionTypes(module);
        foreach (var export in module.Exports)
        {
            if (export.Kind != ExternKind.Function || functionTypes[(int)export.Index] is not { } type || !Arguments.CanPass(type))
            {
                continue;
            }
            foreach (var args in Arguments.For(type))
            {
                var engineArgs = args.Select((value, i) => ToEngineValue(value, type.Parameters[i])).ToArray();
                var calls = sessions.Select((s, i) => Attempt(() => s.Invoke(instances[i], export.Name, engineArgs))).ToArray();
                if (calls.Any(c => c.Unsupported))
                {
                    break;
                }
                if (Stop(calls) is { } end)
                {
                    return end;
                }
                AgreeAll($"{export.Name}({string.Join(", ", engineArgs)})", engines, calls);
            }
        }
        foreach (var export in module.Exports)
        {
            switch (export.Kind)
            {
                case ExternKind.Global:
                    AgreeAll($"global {export.Name}", engines, sessions.Select((s, i) => Attempt(() => (IReadOnlyList<EngineValue>)[s.GetGlobal(instances[i], export.Name)])).ToArray());
                    break;
                case ExternKind.Table:
                    AgreeAll($"table {export.Name}", engines, sessions.Select((s, i) => Attempt(() => s.ReadTable(instances[i], export.Name))).ToArray());
                    break;
                case ExternKind.Memory:
                    var memories = sessions.Select((s, i) => Attempt(() => s.ReadMemory(instances[i], export.Name))).ToArray();
                    if (memories.All(m => m.Value is not null))
                    {
                        for (var i = 0; i < oracle; i++)
                        {
                            if (!memories[i].Value.AsSpan().SequenceEqual(memories[oracle].Value))
                            {
                                var at = memories[i].Value!.AsSpan().CommonPrefixLength(memories[oracle].Value);
                                throw new FuzzFinding(Name, $"memory {export.Name}: {engines[i].Name} has {memories[i].Value!.Length} bytes, {engines[oracle].Name} {memories[oracle].Value!.Length}; first difference at {at}");
                            }
                        }
                    }
                    break;
            }
        }
        return Outcome.Valid;
    }

    /// <summary>Every engine's outcome must agree with the oracle's (the last).</summary>
    private void AgreeAll(string what, IReadOnlyList<IEngine> engines, IReadOnlyList<Attempted<IReadOnlyList<EngineValue>>> outcomes)
    {
        var oracle = outcomes.Count - 1;
        for (var i = 0; i < oracle; i++)
        {
            if (outcomes[i].Unsupported || outcomes[oracle].Unsupported)
            {
                continue;
            }
            Agree(what, engines[i].Name, outcomes[i].Failure, outcomes[oracle].Failure);
            if (outcomes[i].Value is { } values && outcomes[oracle].Value is { } expected)
            {
                AgreeValues(what, engines[i].Name, values, expected);
            }
        }
    }

    private void AgreeAll(string what, IReadOnlyList<IEngine> engines, IReadOnlyList<Attempted<IEngineInstance>> outcomes)
    {
        var oracle = outcomes.Count - 1;
        for (var i = 0; i < oracle; i++)
        {
            Agree(what, engines[i].Name, outcomes[i].Failure, outcomes[oracle].Failure);
        }
    }

    private readonly record struct Attempted<T>(T? Value, EngineFailure? Failure, bool Unsupported);

    private static Attempted<T> Attempt<T>(Func<T> action)
    {
        try
        {
            return new(action(), null, false);
        }
        catch (EngineFailure e)
        {
            return new(default, e, e.Kind == FailureKind.Unsupported);
        }
        catch (NotSupportedException e) when (KnownGaps.IsUnsupported(e))
        {
            return new(default, null, true);
        }
    }

    /// <summary>Skipped or ended when an engine could not do it or ran out of a resource; otherwise null.</summary>
    private Outcome? Stop<T>(IReadOnlyList<Attempted<T>> outcomes)
    {
        if (outcomes.Any(o => o.Unsupported))
        {
            return Outcome.Skipped;
        }
        if (outcomes.Any(o => o.Failure?.Kind == FailureKind.Exhaustion))
        {
            return Outcome.Valid;
        }
        if (outcomes.FirstOrDefault(o => o.Failure?.Kind == FailureKind.Rejected).Failure is { } rejected)
        {
            throw new FuzzFinding(Name, $"an engine refuses to compile a module both validators accept: {rejected.Message}");
        }
        return null;
    }

    private void Agree(string what, string engine, EngineFailure? ours, EngineFailure? theirs)
    {
        if (ours is null && theirs is null)
        {
            return;
        }
        if (ours is null || theirs is null)
        {
            throw new FuzzFinding(Name, $"{what}: {engine} {Describe(ours)}, wasmtime {Describe(theirs)}");
        }
        if (ours.Kind != theirs.Kind)
        {
            throw new FuzzFinding(Name, $"{what}: {engine} {Describe(ours)}, wasmtime {Describe(theirs)}");
        }
        if (ours.Kind == FailureKind.Trap && !NondeterminismRules.TrapsAgree(engine, ours, "wasmtime", theirs))
        {
            throw new FuzzFinding(Name, $"{what}: {engine} traps with \"{ours.Message}\", wasmtime with \"{string.Join("\" | \"", theirs.Aliases)}\"");
        }
    }

    private static string Describe(EngineFailure? failure) => failure is null ? "returns" : $"fails ({failure.Kind}: {failure.Message})";

    private void AgreeValues(string what, string engine, IReadOnlyList<EngineValue> ours, IReadOnlyList<EngineValue> theirs)
    {
        if (ours.Count != theirs.Count)
        {
            throw new FuzzFinding(Name, $"{what}: {engine} returns {ours.Count} values, wasmtime {theirs.Count}");
        }
        for (var i = 0; i < ours.Count; i++)
        {
            if (!ValueComparer.Same(ours[i], theirs[i]))
            {
                throw new FuzzFinding(Name, $"{what}: result {i}: {engine} {ours[i]}, wasmtime {theirs[i]}");
            }
        }
    }

    private static EngineValue ToEngineValue(Execution.Value value, Syntax.ValType type) => type.Kind switch
    {
        ValueKind.I32 => EngineValue.I32(value.I32),
        ValueKind.I64 => EngineValue.I64(value.I64),
        ValueKind.F32 => EngineValue.F32(value.F32Bits),
        ValueKind.F64 => EngineValue.F64(value.F64Bits),
        ValueKind.V128 => EngineValue.V128(value.V128),
        _ => EngineValue.Null,
    };

    /// <summary>Each function index's type (null where it is not a function type).</summary>
    private static FunctionType?[] FunctionTypes(Module module)
    {
        var types = module.TypeDefinitions.Select(t => t.Body as FunctionType).ToList();
        return
        [
            .. module.ImportsOf(ExternKind.Function).Select(i => types[(int)((FunctionTypeUse)i.Type).TypeIndex]),
            .. module.Functions.Select(f => types[(int)f.TypeIndex]),
        ];
    }

    private static bool UsesSharedLimits(Module module) =>
        module.Memories.Any(m => m.Limits.Shared)
        || module.Tables.Any(t => t.Type.Limits.Shared)
        || module.Imports.Any(i => i.Type is MemoryType { Limits.Shared: true } or TableType { Limits.Shared: true });

    private static bool UsesRelaxedSimd(Module module) =>
        module.Functions.Any(f => f.Body.Instructions.Any(i => (uint)i.Opcode is >= 0xFD_0100 and <= 0xFD_01FF));
}

/// <summary>Value equality with the differential rules: NaNs by class, vectors lane-wise as floats when bits differ.</summary>
public static class ValueComparer
{
    public static bool Same(EngineValue x, EngineValue y)
    {
        if (x == y)
        {
            return true;
        }
        if (x.Kind != y.Kind)
        {
            return false;
        }
        return x.Kind switch
        {
            ValueKind.F32 => IsNaN32((uint)x.Low) && IsNaN32((uint)y.Low),
            ValueKind.F64 => IsNaN64(x.Low) && IsNaN64(y.Low),
            ValueKind.V128 => SameF32Lanes(x, y) || SameF64Lanes(x, y),
            ValueKind.Ref => x.Reference == y.Reference && (x.Reference != ReferenceClass.Extern || x.HostId == y.HostId)
                || IsNonNullInternal(x.Reference) && IsNonNullInternal(y.Reference) && (x.Reference == ReferenceClass.Any || y.Reference == ReferenceClass.Any),
            _ => false,
        };
    }

    private static bool IsNonNullInternal(ReferenceClass reference) => reference is ReferenceClass.Any or ReferenceClass.I31 or ReferenceClass.Struct or ReferenceClass.Array or ReferenceClass.Exn;

    private static bool IsNaN32(uint bits) => (bits & 0x7F80_0000) == 0x7F80_0000 && (bits & 0x007F_FFFF) != 0;

    private static bool IsNaN64(ulong bits) => (bits & 0x7FF0_0000_0000_0000) == 0x7FF0_0000_0000_0000 && (bits & 0x000F_FFFF_FFFF_FFFF) != 0;

    private static bool SameF32Lanes(EngineValue x, EngineValue y)
    {
        for (var lane = 0; lane < 4; lane++)
        {
            var a = Lane32(x, lane);
            var b = Lane32(y, lane);
            if (a != b && !(IsNaN32(a) && IsNaN32(b)))
            {
                return false;
            }
        }
        return true;
    }

    private static bool SameF64Lanes(EngineValue x, EngineValue y) =>
        (x.Low == y.Low || IsNaN64(x.Low) && IsNaN64(y.Low)) && (x.High == y.High || IsNaN64(x.High) && IsNaN64(y.High));

    private static uint Lane32(EngineValue v, int lane) => (uint)((lane < 2 ? v.Low : v.High) >> (32 * (lane & 1)));
}
