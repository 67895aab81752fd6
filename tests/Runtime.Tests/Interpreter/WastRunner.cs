using WasmHarness.Execution;
using WasmHarness.Syntax;
using WasmHarness.Text;

namespace WasmHarness.Tests.Interpreter;

/// <summary>
/// A small executor of <c>.wast</c> scripts for the interpreter's own tests: it runs the execution commands
/// (modules, register, invoke/get, assert_return, assert_trap, assert_exhaustion, assert_unlinkable,
/// assert_uninstantiable) and skips the front end's commands (assert_malformed, assert_invalid), which the
/// spec runner judges. Failures are collected, not thrown, so one test can report a whole script.
/// </summary>
internal sealed class WastRunner
{
    private readonly Engine _engine;
    private readonly Store _store;
    private readonly Linker _linker = new();
    private readonly Dictionary<string, ModuleInstance> _named = [];
    private readonly Dictionary<string, Module> _definitions = [];
    private readonly Dictionary<uint, HostReference> _externs = [];
    private ModuleInstance? _current;

    public WastRunner(EngineOptions? options = null)
    {
        _engine = new Engine(options ?? new EngineOptions { MaxCallDepth = 10_000 });
        _store = new Store(_engine);
        SpecTestModule.Define(_linker);
    }

    public List<string> Failures { get; } = [];

    public int Passed { get; private set; }

    public int Skipped { get; private set; }

    /// <summary>An extern reference the script names by number.</summary>
    internal sealed record HostReference(uint Id);

    public static WastRunner RunFile(string path, EngineOptions? options = null)
    {
        var runner = new WastRunner(options);
        var script = WastParser.ParseFile(path);
        foreach (var command in script.Commands)
        {
            try
            {
                runner.Run(command);
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                runner.Failures.Add($"{script.FileName}:{command.Location}: {command.GetType().Name}: unexpected {e.GetType().Name}: {e.Message}");
            }
        }
        return runner;
    }

    private Module Load(ScriptModule module) => module switch
    {
        TextScriptModule { Module: { } m } => m,
        TextScriptModule text => throw text.Error ?? (Exception)new InvalidOperationException(text.ParseError),
        BinaryScriptModule binary => WasmHarness.Binary.ModuleDecoder.Decode(binary.Bytes),
        QuoteScriptModule quote => WatParser.ParseModule(quote.Text),
        _ => throw new NotSupportedException(module.GetType().Name),
    };

    private ModuleInstance Instantiate(Module module) =>
        CompiledModule.Compile(_engine, module).Instantiate(_store, _linker);

    private void Run(ScriptCommand command)
    {
        switch (command)
        {
            case ModuleCommand { IsDefinition: true } definition:
                _definitions[definition.Module.Id ?? ""] = Load(definition.Module);
                Passed++;
                break;
            case ModuleCommand moduleCommand:
            {
                var instance = Instantiate(Load(moduleCommand.Module));
                _current = instance;
                if (moduleCommand.Module.Id is { } id)
                {
                    _named[id] = instance;
                }
                Passed++;
                break;
            }
            case ModuleInstanceCommand instanceCommand:
            {
                var instance = Instantiate(_definitions[instanceCommand.DefinitionId ?? ""]);
                _current = instance;
                if (instanceCommand.InstanceId is { } id)
                {
                    _named[id] = instance;
                }
                Passed++;
                break;
            }
            case RegisterCommand register:
                _linker.DefineInstance(register.Name, Instance(register.ModuleId));
                Passed++;
                break;
            case ActionCommand action:
                Perform(action.Action);
                Passed++;
                break;
            case AssertReturnCommand assert:
            {
                var (results, types) = Perform(assert.Action);
                if (results.Length != assert.Results.Count)
                {
                    Fail(command, $"{results.Length} results, expected {assert.Results.Count}");
                    break;
                }
                for (var i = 0; i < results.Length; i++)
                {
                    if (!Matches(results[i], types[i], assert.Results[i]))
                    {
                        Fail(command, $"result {i} is {results[i].ToString(types[i])}, expected {assert.Results[i]}");
                        return;
                    }
                }
                Passed++;
                break;
            }
            case AssertTrapCommand trap:
                ExpectTrap(command, () => Perform(trap.Action), trap.Message);
                break;
            case AssertModuleTrapCommand moduleTrap:
                ExpectTrap(command, () => Instantiate(Load(moduleTrap.Module)), moduleTrap.Message);
                break;
            case AssertExhaustionCommand exhaustion:
                ExpectTrap(command, () => Perform(exhaustion.Action), exhaustion.Message);
                break;
            case AssertExceptionCommand thrown:
                try
                {
                    Perform(thrown.Action);
                    Fail(command, "returned, expected an exception");
                }
                catch (UncaughtException)
                {
                    Passed++;
                }
                break;
            case AssertUnlinkableCommand unlinkable:
                try
                {
                    Instantiate(Load(unlinkable.Module));
                    Fail(command, "linked, expected " + unlinkable.Message);
                }
                catch (LinkException e) when (e.Reason.StartsWith(unlinkable.Message, StringComparison.Ordinal))
                {
                    Passed++;
                }
                catch (LinkException e)
                {
                    Fail(command, $"link error '{e.Reason}', expected '{unlinkable.Message}'");
                }
                break;
            default:
                Skipped++;
                break;
        }
    }

    private void ExpectTrap(ScriptCommand command, Action action, string message)
    {
        try
        {
            action();
            Fail(command, $"returned, expected trap '{message}'");
        }
        catch (TrapException e) when (e.Reason.StartsWith(message, StringComparison.Ordinal))
        {
            Passed++;
        }
        catch (TrapException e)
        {
            Fail(command, $"trapped '{e.Reason}', expected '{message}'");
        }
    }

    private void Fail(ScriptCommand command, string message) => Failures.Add($"{command.Location}: {command.GetType().Name}: {message}");

    private ModuleInstance Instance(string? id) =>
        id is null ? _current ?? throw new InvalidOperationException("no module") : _named[id];

    private (Value[] Results, Syntax.ValueType[] Types) Perform(ScriptAction action)
    {
        var instance = Instance(action.ModuleId);
        switch (action)
        {
            case InvokeAction invoke:
            {
                var function = instance.GetFunction(invoke.Name);
                var args = invoke.Arguments.Select(ToValue).ToArray();
                return (function.Invoke(args), [.. function.Type.Results]);
            }
            case GetAction get:
            {
                var global = instance.GetGlobal(get.Name);
                return ([global.Value], [global.Type.Type]);
            }
            default:
                throw new NotSupportedException(action.GetType().Name);
        }
    }

    private Value ToValue(ScriptValue value) => value switch
    {
        NumberValue number => new Value(number.Bits),
        VectorValue vector => Value.FromV128(vector.Value),
        NullRefValue => Value.Null,
        ExternRefValue extern_ => Value.FromReference(Extern(extern_.Id)),
        HostRefValue host => Value.FromReference(Extern(host.Id)),
        _ => throw new NotSupportedException(value.GetType().Name),
    };

    private HostReference Extern(uint id)
    {
        if (!_externs.TryGetValue(id, out var reference))
        {
            _externs[id] = reference = new HostReference(id);
        }
        return reference;
    }

    private bool Matches(Value actual, Syntax.ValueType type, ResultPattern pattern) => pattern switch
    {
        ExactPattern { Value: NumberValue number } => type.Kind switch
        {
            ValueKind.I32 or ValueKind.F32 => (uint)actual.Low == (uint)number.Bits,
            _ => actual.Low == number.Bits,
        },
        ExactPattern { Value: VectorValue vector } => actual.V128 == vector.Value,
        ExactPattern { Value: NullRefValue } => actual.IsNull,
        ExactPattern { Value: ExternRefValue extern_ } => actual.Reference is HostReference h && h.Id == extern_.Id,
        ExactPattern { Value: HostRefValue host } => actual.Reference is HostReference h && h.Id == host.Id,
        NanPattern nan => nan.Type == ValueKind.F32 ? IsNan32((uint)actual.Low, nan.Kind) : IsNan64(actual.Low, nan.Kind),
        VectorPattern vector => MatchesVector(actual.V128, vector),
        RefPattern reference => reference.Kind switch
        {
            RefPatternKind.Null => actual.IsNull,
            RefPatternKind.Func => actual.Reference is FunctionInstance,
            RefPatternKind.Extern => actual.Reference is not null,
            RefPatternKind.Any => Gc.Matches(actual.Reference, HeapType.Any, nullable: false),
            RefPatternKind.Eq => Gc.Matches(actual.Reference, HeapType.Eq, nullable: false),
            RefPatternKind.I31 => actual.Reference is I31Reference,
            RefPatternKind.Struct => actual.Reference is StructObject,
            RefPatternKind.Array => actual.Reference is ArrayObject,
            RefPatternKind.Exn => actual.Reference is ExceptionInstance,
            RefPatternKind.Host => actual.Reference is HostReference,
            _ => false,
        },
        EitherPattern either => either.Alternatives.Any(p => Matches(actual, type, p)),
        _ => false,
    };

    private static bool IsNan32(uint bits, NanKind kind) =>
        kind == NanKind.Canonical ? (bits & 0x7FFF_FFFF) == 0x7FC0_0000 : (bits & 0x7FC0_0000) == 0x7FC0_0000;

    private static bool IsNan64(ulong bits, NanKind kind) =>
        kind == NanKind.Canonical ? (bits & 0x7FFF_FFFF_FFFF_FFFF) == 0x7FF8_0000_0000_0000 : (bits & 0x7FF8_0000_0000_0000) == 0x7FF8_0000_0000_0000;

    private bool MatchesVector(V128 actual, VectorPattern pattern)
    {
        Span<byte> bytes = stackalloc byte[16];
        actual.WriteTo(bytes);
        var lanes = pattern.Lanes.Count;
        var width = 16 / lanes;
        for (var i = 0; i < lanes; i++)
        {
            var lane = bytes.Slice(i * width, width);
            ulong bits = width switch
            {
                1 => lane[0],
                2 => BitConverter.ToUInt16(lane),
                4 => BitConverter.ToUInt32(lane),
                _ => BitConverter.ToUInt64(lane),
            };
            var laneType = pattern.Shape switch
            {
                LaneShape.F32x4 => Syntax.ValueType.F32,
                LaneShape.F64x2 => Syntax.ValueType.F64,
                LaneShape.I64x2 => Syntax.ValueType.I64,
                _ => Syntax.ValueType.I64,
            };
            var expected = pattern.Lanes[i];
            if (expected is ExactPattern { Value: NumberValue number } && pattern.Shape is not (LaneShape.F32x4 or LaneShape.F64x2))
            {
                var mask = width == 8 ? ulong.MaxValue : (1UL << (width * 8)) - 1;
                if ((bits & mask) != (number.Bits & mask))
                {
                    return false;
                }
            }
            else if (!Matches(new Value(bits), laneType, expected))
            {
                return false;
            }
        }
        return true;
    }
}
