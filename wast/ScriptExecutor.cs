using WasmHarness.Engines;
using WasmHarness.Text;

namespace WasmHarness.Wast;

/// <summary>
/// Runs every command of one script on one engine, in order, in one engine session: modules are instantiated,
/// registered and invoked; each assertion is judged. Module-level assertions (<c>assert_malformed</c>,
/// <c>assert_invalid</c>) are judged by our front end for every engine (the wasmtime cross-check proves wasmtime
/// agrees with those verdicts).
/// </summary>
public sealed class ScriptExecutor
{
    private readonly FrontEndCache _frontEnd;
    private readonly ModuleLevelJudge _moduleLevel;
    private readonly Dictionary<string, IEngineInstance> _named = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ModuleArtifact> _definitions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _unavailable = new(StringComparer.Ordinal); // registered names whose module the engine could not take
    private IEngineSession _session = null!;
    private IEngineInstance? _current;
    private ModuleArtifact? _lastDefinition;

    private readonly IEngine _engine;
    private readonly Dictionary<string, ScriptThread> _threads = new(StringComparer.Ordinal);

    /// <summary>How long <c>(wait $t)</c> waits for a thread before judging it failed (a lost wake-up must not hang the run).</summary>
    public static TimeSpan ThreadTimeout { get; set; } = TimeSpan.FromMinutes(1);

    private ScriptExecutor(FrontEndCache frontEnd, IEngine engine)
    {
        _frontEnd = frontEnd;
        _moduleLevel = new ModuleLevelJudge(frontEnd);
        _engine = engine;
    }

    /// <summary>Runs <paramref name="script"/> on <paramref name="engine"/> and judges each command.</summary>
    public static IReadOnlyList<CommandResult> Run(IEngine engine, Script script, FrontEndCache frontEnd)
    {
        var executor = new ScriptExecutor(frontEnd, engine);
        using var session = engine.CreateSession();
        executor._session = session;
        return [.. script.Commands.Select(executor.Judge)];
    }

    private CommandResult Judge(ScriptCommand command)
    {
        var line = command.Location.Line;
        try
        {
            return command switch
            {
                ModuleCommand { IsDefinition: true } c => Define(c),
                ModuleCommand c => InstantiateModule(c),
                ModuleInstanceCommand c => InstantiateDefinition(c),
                RegisterCommand c => Register(c),
                ActionCommand c => Pass(line, Describe(c.Action), _ = Perform(c.Action)),
                AssertReturnCommand c => AssertReturn(c),
                AssertTrapCommand c => ExpectFailure(line, "assert_trap", () => Perform(c.Action), FailureKind.Trap, c.Message),
                AssertExhaustionCommand c => ExpectFailure(line, "assert_exhaustion", () => Perform(c.Action), FailureKind.Exhaustion, c.Message),
                AssertExceptionCommand c => ExpectFailure(line, "assert_exception", () => Perform(c.Action), FailureKind.UncaughtException, null),
                AssertModuleTrapCommand c => ExpectModuleFailure(line, "assert_trap (module)", c.Module, FailureKind.Trap, c.Message),
                AssertUnlinkableCommand c => ExpectModuleFailure(line, "assert_unlinkable", c.Module, FailureKind.Link, c.Message),
                ThreadCommand c => StartThread(c),
                WaitCommand c => Wait(c),
                _ => _moduleLevel.Judge(command),
            };
        }
        catch (EngineFailure e) when (e.Kind == FailureKind.Unsupported)
        {
            // The engine cannot do what the command asks (e.g. pass a GC reference through its host API):
            // not judged, and said why.
            return new(line, CommandName(command), Verdict.Skipped, e.Message);
        }
        catch (EngineFailure e)
        {
            return new(line, CommandName(command), Verdict.Failed, $"{e.Kind}: {e.Message}");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new(line, CommandName(command), Verdict.Failed, $"crash: {e.GetType().Name}: {e.Message}");
        }
    }

    private CommandResult Define(ModuleCommand command)
    {
        var artifact = Load(command.Module);
        _definitions[command.Module.Id ?? ""] = artifact;
        _lastDefinition = artifact;
        return new(command.Location.Line, "module definition", Verdict.Passed);
    }

    private CommandResult InstantiateModule(ModuleCommand command)
    {
        _current = null;
        IEngineInstance instance;
        try
        {
            instance = _session.Instantiate(Load(command.Module));
        }
        catch (EngineFailure e) when (e.Kind == FailureKind.Unsupported)
        {
            // Later commands on this module are not judged either: they say why.
            instance = new NotInstantiated(e.Message);
        }
        _current = instance;
        if (command.Module.Id is { } id)
        {
            _named[id] = instance;
        }
        return instance is NotInstantiated skipped
            ? new(command.Location.Line, "module", Verdict.Skipped, skipped.Reason)
            : new(command.Location.Line, "module", Verdict.Passed);
    }

    /// <summary>A <c>thread</c> command running: its .NET thread and the results of its commands so far.</summary>
    private sealed record ScriptThread(Thread Thread, List<CommandResult> Results);

    /// <summary>
    /// <c>(thread $t (shared (module $m)...) ...)</c>: a new executor with a session of its own (a store is
    /// single-threaded) that sees only the shared modules, runs the commands on a new .NET thread.
    /// </summary>
    private CommandResult StartThread(ThreadCommand command)
    {
        var child = new ScriptExecutor(_frontEnd, _engine);
        foreach (var name in command.SharedModules)
        {
            child._named[name] = _named.TryGetValue(name, out var instance) ? instance : throw new InvalidOperationException($"unknown module {name}");
        }
        var results = new List<CommandResult>();
        var thread = new Thread(() =>
        {
            try
            {
                using var session = _engine.CreateSession();
                child._session = session;
                foreach (var inner in command.Commands)
                {
                    var result = child.Judge(inner);
                    lock (results)
                    {
                        results.Add(result);
                    }
                }
            }
            catch (Exception e)
            {
                lock (results)
                {
                    results.Add(new(command.Location.Line, "thread", Verdict.Failed, $"crash: {e.GetType().Name}: {e.Message}"));
                }
            }
        }, SpecRun.WorkerStackSize) { IsBackground = true, Name = $"wast thread {command.Name}" };
        _threads[command.Name] = new ScriptThread(thread, results);
        thread.Start();
        return new(command.Location.Line, $"thread {command.Name}", Verdict.Passed);
    }

    /// <summary><c>(wait $t)</c>: joins the thread; failed if any of its commands failed, skipped if one was skipped.</summary>
    private CommandResult Wait(WaitCommand command)
    {
        var name = $"wait {command.Name}";
        if (!_threads.Remove(command.Name, out var thread))
        {
            throw new InvalidOperationException($"unknown thread {command.Name}");
        }
        if (!thread.Thread.Join(ThreadTimeout))
        {
            return new(command.Location.Line, name, Verdict.Failed, $"thread {command.Name} did not finish within {ThreadTimeout.TotalSeconds} s");
        }
        var results = thread.Results;
        if (results.FirstOrDefault(r => r.Verdict == Verdict.Failed) is { } failed)
        {
            return new(command.Location.Line, name, Verdict.Failed, $"line {failed.Line}: {failed.Command}: {failed.Detail}");
        }
        return results.FirstOrDefault(r => r.Verdict == Verdict.Skipped) is { } skipped
            ? new(command.Location.Line, name, Verdict.Skipped, $"line {skipped.Line}: {skipped.Detail}")
            : new(command.Location.Line, name, Verdict.Passed);
    }

    /// <summary>Stands for a module the engine could not take (<see cref="FailureKind.Unsupported"/>).</summary>
    private sealed record NotInstantiated(string Reason) : IEngineInstance;

    private CommandResult InstantiateDefinition(ModuleInstanceCommand command)
    {
        var definition = command.DefinitionId is { } id ? _definitions[id] : _lastDefinition
            ?? throw new InvalidOperationException("module instance without a module definition");
        var instance = _session.Instantiate(definition);
        _current = instance;
        if (command.InstanceId is { } name)
        {
            _named[name] = instance;
        }
        return new(command.Location.Line, "module instance", Verdict.Passed);
    }

    private CommandResult Register(RegisterCommand command)
    {
        var instance = command.ModuleId is { } id ? _named.GetValueOrDefault(id) : _current;
        if (instance is NotInstantiated skipped)
        {
            _unavailable[command.Name] = skipped.Reason;
            return new(command.Location.Line, "register", Verdict.Skipped, skipped.Reason);
        }
        try
        {
            _session.Register(command.Name, Instance(command.ModuleId));
        }
        catch (EngineFailure e) when (e.Kind == FailureKind.Unsupported)
        {
            // Modules that import from this name cannot be judged on this engine either (see Load).
            _unavailable[command.Name] = e.Message;
            return new(command.Location.Line, "register", Verdict.Skipped, e.Message);
        }
        _unavailable.Remove(command.Name);
        return new(command.Location.Line, "register", Verdict.Passed);
    }

    private CommandResult AssertReturn(AssertReturnCommand command)
    {
        var results = Perform(command.Action);
        var name = $"assert_return {Describe(command.Action)}";
        if (results.Count != command.Results.Count)
        {
            return new(command.Location.Line, name, Verdict.Failed, $"{results.Count} results, expected {command.Results.Count}",
                Expected(command), Show(results));
        }
        for (var i = 0; i < results.Count; i++)
        {
            if (!ResultMatcher.Matches(results[i], command.Results[i]))
            {
                return new(command.Location.Line, name, Verdict.Failed, $"result {i} is {ScriptSyntax.Format(results[i])}, expected {ScriptSyntax.Format(command.Results[i])}",
                    Expected(command), Show(results));
            }
        }
        return new(command.Location.Line, name, Verdict.Passed);
    }

    private static CommandResult ExpectFailure(int line, string name, Func<object> action, FailureKind kind, string? message)
    {
        try
        {
            var results = action();
            return new(line, name, Verdict.Failed, $"returned {Show(results)}, expected {kind} \"{message}\"", $"{kind} \"{message}\"", $"returned {Show(results)}");
        }
        catch (EngineFailure e) when (e.Kind == kind)
        {
            return message is null || e.Aliases.Any(alias => TrapMessageMatches(alias, message))
                ? new(line, name, Verdict.Passed)
                : new(line, name, Verdict.Failed, $"{kind} \"{e.Message}\", expected \"{message}\"", $"{kind} \"{message}\"", $"{kind} \"{e.Message}\"");
        }
        catch (EngineFailure e) when (e.Kind == FailureKind.Unsupported)
        {
            return new(line, name, Verdict.Skipped, e.Message);
        }
        catch (EngineFailure e)
        {
            return new(line, name, Verdict.Failed, $"{e.Kind} \"{e.Message}\", expected {kind} \"{message}\"", $"{kind} \"{message}\"", $"{e.Kind} \"{e.Message}\"");
        }
    }

    /// <summary>
    /// The reference interpreter's rule (the actual message starts with the expected one), plus one allowance: the
    /// suite sometimes names the element after the trap's kind (<c>uninitialized element 2</c>), which engines
    /// that report only the kind cannot repeat; the kind must still match exactly.
    /// </summary>
    public static bool TrapMessageMatches(string actual, string expected) =>
        ModuleLevelJudge.MessageMatches(actual, expected) ||
        (expected.StartsWith(actual + " ", StringComparison.Ordinal) && expected[(actual.Length + 1)..].All(char.IsAsciiDigit));

    private CommandResult ExpectModuleFailure(int line, string name, ScriptModule module, FailureKind kind, string message)
    {
        var artifact = Load(module);
        return ExpectFailure(line, name, () => _session.Instantiate(artifact), kind, message);
    }

    /// <summary>Takes a script module through the front end; a module it rejects fails the command that needed it.</summary>
    private ModuleArtifact Load(ScriptModule module)
    {
        var outcome = _frontEnd.Load(module);
        if (!outcome.Accepted)
        {
            throw new InvalidOperationException($"the front end rejected the module ({outcome.RejectedBy}: {outcome.Reason})");
        }
        // A module that imports from a module the engine could not take cannot be judged on this engine either.
        foreach (var import in outcome.Module!.Imports)
        {
            if (_unavailable.TryGetValue(import.Module, out var reason))
            {
                throw new EngineFailure(FailureKind.Unsupported, $"imports from \"{import.Module}\", which was not instantiated: {reason}");
            }
        }
        return new ModuleArtifact(outcome.Module, outcome.Binary);
    }

    private IReadOnlyList<EngineValue> Perform(ScriptAction action)
    {
        var instance = Instance(action.ModuleId);
        return action switch
        {
            InvokeAction invoke => _session.Invoke(instance, invoke.Name, [.. invoke.Arguments.Select(ToEngineValue)]),
            GetAction get => [_session.GetGlobal(instance, get.Name)],
            _ => throw new NotSupportedException(action.GetType().Name),
        };
    }

    private IEngineInstance Instance(string? id)
    {
        var instance = id is null
            ? _current ?? throw new InvalidOperationException("no current module instance")
            : _named.TryGetValue(id, out var named) ? named : throw new InvalidOperationException($"unknown module {id}");
        return instance is NotInstantiated skipped
            ? throw new EngineFailure(FailureKind.Unsupported, $"module not instantiated: {skipped.Reason}")
            : instance;
    }

    private static EngineValue ToEngineValue(ScriptValue value) => value switch
    {
        NumberValue number => new EngineValue(number.Type, number.Bits),
        VectorValue vector => EngineValue.V128(vector.Value),
        NullRefValue => EngineValue.Null,
        ExternRefValue host => EngineValue.Host(host.Id),
        HostRefValue host => EngineValue.Host(host.Id),
        _ => throw new NotSupportedException(value.GetType().Name),
    };

    private static CommandResult Pass(int line, string name, object _) => new(line, name, Verdict.Passed);

    /// <summary>What an <c>assert_return</c> expects, all results, as the script writes them.</summary>
    private static string Expected(AssertReturnCommand command) =>
        command.Results.Count == 0 ? "nothing" : string.Join(" ", command.Results.Select(ScriptSyntax.Format));

    private static string Show(object results) =>
        results is IReadOnlyList<EngineValue> values ? ScriptSyntax.Format(values) : "normally";

    private static string Describe(ScriptAction action) => action switch
    {
        InvokeAction invoke => $"invoke \"{invoke.Name}\"",
        GetAction get => $"get \"{get.Name}\"",
        _ => action.GetType().Name,
    };

    private static string CommandName(ScriptCommand command) => command switch
    {
        ModuleCommand => "module",
        ModuleInstanceCommand => "module instance",
        RegisterCommand => "register",
        ActionCommand c => Describe(c.Action),
        AssertReturnCommand c => $"assert_return {Describe(c.Action)}",
        AssertTrapCommand => "assert_trap",
        AssertExhaustionCommand => "assert_exhaustion",
        AssertExceptionCommand => "assert_exception",
        AssertModuleTrapCommand => "assert_trap (module)",
        AssertUnlinkableCommand => "assert_unlinkable",
        ThreadCommand c => $"thread {c.Name}",
        WaitCommand c => $"wait {c.Name}",
        _ => command.GetType().Name,
    };
}
