using WasmHarness.Execution;
using WasmHarness.Syntax;
using WasmHarness.Validation;

namespace WasmHarness.Fuzz.Targets;

/// <summary>
/// <c>run</c>: bytes that validate → instantiate on the interpreter with stub imports → call every exported function
/// with zero and edge arguments, under fuel, a call-depth limit and small memory and table limits. Traps and link
/// errors are the program's business; any other exception is a finding, and so is a hang (AFL++'s timeout).
/// Other targets run it on another engine (<c>jit-gen</c>: the JIT tier with guest coverage).
/// </summary>
public sealed class RunTarget(string name, Func<Engine> engine) : FuzzTarget
{
    // Made on the first run: the runtime is instrumented under afl-fuzz, and its code must not run before
    // SharpFuzz has mapped the trace bitmap (targets are constructed first, to look one up by name).
    private readonly Lazy<Engine> _engine = new(engine);

    /// <summary>Instructions one input may run in all (start function, every call).</summary>
    public const long Fuel = 200_000;

    /// <summary>The limits the target runs under.</summary>
    public static EngineOptions Options { get; } = new()
    {
        Fuel = Fuel,
        MaxCallDepth = 1_000,
        MaxStackSlots = 1 << 20,
        MaxMemoryBytes = 16 << 20,
        MaxTableElements = 100_000,
        MaxGcHeapBytes = 64 << 20,
    };

    public RunTarget()
        : this("run", () => new Engine(Options))
    {
    }

    public override string Name => name;

    public override string Description => "bytes that validate -> instantiate (stub imports) -> call every export with edge arguments, under fuel";

    public override Outcome Run(ReadOnlySpan<byte> input)
    {
        var validated = FrontEnd.DecodeAndValidate(input, out var outcome);
        if (validated is null)
        {
            return outcome;
        }
        var store = new Store(_engine.Value);
        ModuleInstance instance;
        try
        {
            var linker = new Linker();
            if (!StubImports.Define(linker, validated))
            {
                return Outcome.Skipped;
            }
            instance = linker.Instantiate(store, validated);
        }
        catch (WasmException)
        {
            return Outcome.Valid;
        }
        catch (NotSupportedException e) when (KnownGaps.IsUnsupported(e))
        {
            return Outcome.Skipped;
        }

        var skipped = false;
        foreach (var (_, value) in instance.Exports.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (value is not FunctionInstance function || !Arguments.CanPass(function.Type))
            {
                continue;
            }
            foreach (var args in Arguments.For(function.Type))
            {
                try
                {
                    var results = store.Invoke(function, args);
                    CheckResults(function, results);
                }
                catch (TrapException e) when (e.Kind == TrapKind.OutOfFuel)
                {
                    return Outcome.Valid;
                }
                catch (WasmException)
                {
                }
                catch (NotSupportedException e) when (KnownGaps.IsUnsupported(e))
                {
                    skipped = true;
                    break;
                }
            }
        }
        return skipped ? Outcome.Skipped : Outcome.Valid;
    }

    /// <summary>The results must be as many as the type says, and references must be null or objects of the right kind.</summary>
    private void CheckResults(FunctionInstance function, Value[] results)
    {
        if (results.Length != function.Type.Results.Count)
        {
            throw new FuzzFinding(Name, $"{function} returned {results.Length} values, its type has {function.Type.Results.Count}");
        }
        for (var i = 0; i < results.Length; i++)
        {
            var type = function.Type.Results[i];
            if (type.IsReference && !type.Nullable && results[i].IsNull)
            {
                throw new FuzzFinding(Name, $"{function} returned null for its non-nullable result {i} ({type})");
            }
        }
    }
}

/// <summary>Arguments the <c>run</c> and <c>differential</c> targets pass: zeros, then edge values of each type.</summary>
public static class Arguments
{
    private static readonly ulong[] s_i32 = [0, 1, 0xFFFF_FFFF, 0x8000_0000, 0x7FFF_FFFF, 0x1_0000 - 1, 65536];
    private static readonly ulong[] s_i64 = [0, 1, ulong.MaxValue, 0x8000_0000_0000_0000, 0x7FFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF, 65536];
    private static readonly ulong[] s_f32 = [0, 0x3F80_0000, 0x8000_0000, 0x7FC0_0000, 0x7F80_0000, 0xFF80_0000, 0x4F00_0000, 0x0000_0001, 0x7FA0_0000];
    private static readonly ulong[] s_f64 = [0, 0x3FF0_0000_0000_0000, 0x8000_0000_0000_0000, 0x7FF8_0000_0000_0000, 0x7FF0_0000_0000_0000, 0xFFF0_0000_0000_0000, 0x41E0_0000_0000_0000, 1, 0x7FF4_0000_0000_0000];

    /// <summary>How many argument vectors each function gets.</summary>
    public const int Rounds = 4;

    /// <summary>Whether the host can make arguments of this type: numbers, vectors and nullable references (passed as null).</summary>
    public static bool CanPass(FunctionType type) => type.Parameters.All(p => p.IsDefaultable);

    /// <summary>Argument vectors for a function: all zeros first, then edge values chosen by round and position.</summary>
    public static IEnumerable<Value[]> For(FunctionType type)
    {
        var count = type.Parameters.Count == 0 ? 1 : Rounds;
        for (var round = 0; round < count; round++)
        {
            var args = new Value[type.Parameters.Count];
            for (var i = 0; i < args.Length; i++)
            {
                args[i] = Edge(type.Parameters[i], round == 0 ? 0 : round * 7 + i * 3);
            }
            yield return args;
        }
    }

    /// <summary>The <paramref name="pick"/>-th edge value of a type (0 is the zero value).</summary>
    public static Value Edge(ValType type, int pick) => type.Kind switch
    {
        ValueKind.I32 => new Value(s_i32[pick % s_i32.Length]),
        ValueKind.I64 => new Value(s_i64[pick % s_i64.Length]),
        ValueKind.F32 => new Value(s_f32[pick % s_f32.Length]),
        ValueKind.F64 => new Value(s_f64[pick % s_f64.Length]),
        ValueKind.V128 => pick == 0 ? default : new Value(s_i64[pick % s_i64.Length], s_i64[(pick + 3) % s_i64.Length]),
        _ => Value.Null,
    };
}

/// <summary>
/// Stub definitions for a module's imports, so that modules with imports run too: functions that return zeros,
/// fresh tables and memories of the import's minimum size, globals holding the zero value, fresh tags.
/// </summary>
public static class StubImports
{
    /// <summary>Defines a stub for every import; false when some import cannot be stubbed (a non-nullable reference global).</summary>
    public static bool Define(Linker linker, ValidatedModule validated)
    {
        var options = RunTarget.Options;
        var indexInKind = new uint[5];
        foreach (var import in validated.Module.Imports)
        {
            var kind = import.Type.Kind;
            var expected = validated.CanonicalExternType(kind, indexInKind[(int)kind]++);
            ExternalValue stub;
            switch (expected)
            {
                case DefinedType { Body: FunctionType type } when kind == ExternKind.Function:
                    var results = type.Results;
                    if (results.Any(r => !r.IsDefaultable))
                    {
                        return false;
                    }
                    stub = new HostFunction(type, (_, output) => output.Clear(), $"{import.Module}.{import.Name}");
                    break;
                case DefinedType tag when kind == ExternKind.Tag:
                    stub = new TagInstance(tag);
                    break;
                case TableType table:
                    if (!table.ElementType.Nullable)
                    {
                        return false;
                    }
                    stub = new TableInstance(table, null, options.MaxTableElements);
                    break;
                case MemoryType memory:
                    stub = new MemoryInstance(memory, options.MaxMemoryBytes);
                    break;
                case GlobalType global:
                    if (!global.Type.IsDefaultable)
                    {
                        return false;
                    }
                    stub = new GlobalInstance(global, default);
                    break;
                default:
                    return false;
            }
            linker.Define(import.Module, import.Name, stub);
        }
        return true;
    }
}

/// <summary>Gaps the runtime admits to: not findings, but counted as skipped.</summary>
public static class KnownGaps
{
    /// <summary>The interpreter's "does not support ... yet" for instructions it has not implemented.</summary>
    public static bool IsUnsupported(NotSupportedException e) =>
        Environment.GetEnvironmentVariable("FUZZ_STRICT") != "1"
        && (e.Message.Contains("not support", StringComparison.Ordinal) || e.Message.Contains("not supported", StringComparison.Ordinal));
}
