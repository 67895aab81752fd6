using System.CommandLine;
using System.Globalization;
using System.Text;
using WasmHarness.Execution;
using WasmHarness.Syntax;
using WasmHarness.Wasi;

namespace WasmHarness.Cli;

/// <summary>
/// <c>harness run [options] module [--] [args...]</c>: instantiates a module with WASI and runs its <c>_start</c>
/// (the exit code is the guest's), or calls one export with <c>--invoke</c> and prints its results one per line.
/// </summary>
internal static partial class RunCommand
{
    public static Command Create(HostStreams streams)
    {
        var dir = new Option<string[]>("--dir") { Description = "Preopen a host directory: HOST[::GUEST] (GUEST defaults to HOST). Repeatable." };
        var env = new Option<string[]>("--env") { Description = "Set an environment variable: NAME=VALUE, or NAME to pass the host's value. Repeatable." };
        var invoke = new Option<string?>("--invoke") { Description = "Call this export with the arguments after the module, and print its results." };
        var tier = new Option<string>("--tier") { Description = "Execution tier: interp (the interpreter) or jit.", DefaultValueFactory = _ => "interp" };
        var fuel = new Option<long?>("--fuel") { Description = "Instruction budget; execution traps when it runs out." };
        var maxMemory = new Option<ulong?>("--max-memory") { Description = "Largest size in bytes a linear memory may reach (as -W max-memory-size)." };
        var maxModuleSize = MaxModuleSizeOption();
        var settings = SettingsOption();
        var argv0 = new Option<string?>("--argv0") { Description = "The program's argv[0] (default: the module's file name)." };
        var timeout = new Option<string?>("--timeout") { Description = "Wall-clock limit of the run, e.g. 1s or 500ms (as -W timeout): then the guest traps 'interrupted' (exit 134)." };
        var wasi = new Option<string[]>("-S", "--wasi") { Description = WasiSettings.Help };
        var preload = new Option<string[]>("--preload") { Description = "NAME=MODULE: instantiate MODULE first and let the main module import its exports from NAME. Repeatable." };
        var module = new Argument<string>("module") { Description = "The module: binary (.wasm) or text (.wat)." };
        var guestArgs = new Argument<string[]>("args") { Description = "Arguments for the program (or for --invoke).", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("run", "Runs a WebAssembly module (the default command).")
        {
            dir, env, invoke, tier, fuel, maxMemory, maxModuleSize, settings, argv0, timeout, wasi, preload, module, guestArgs,
        };
        command.SetAction(parse => Run(streams, new RunSettings(
            parse.GetValue(module)!,
            parse.GetValue(guestArgs) ?? [],
            parse.GetValue(dir) ?? [],
            parse.GetValue(env) ?? [],
            parse.GetValue(invoke),
            parse.GetValue(tier) ?? "interp",
            parse.GetValue(fuel),
            parse.GetValue(maxMemory),
            parse.GetValue(argv0))
        {
            MaxModuleSize = parse.GetValue(maxModuleSize),
            Settings = parse.GetValue(settings) ?? [],
            Timeout = parse.GetValue(timeout),
            WasiSettings = parse.GetValue(wasi) ?? [],
            Preloads = parse.GetValue(preload) ?? [],
        }));
        return command;
    }

    internal sealed record RunSettings(
        string Module, string[] Arguments, string[] Directories, string[] Environment, string? Invoke,
        string Tier, long? Fuel, ulong? MaxMemory, string? Argv0)
    {
        /// <summary><c>--max-module-size</c>: the most bytes the module's file may have (default: the module limit, 1 GiB).</summary>
        public long? MaxModuleSize { get; init; }

        /// <summary>The <c>-W NAME=VALUE</c> settings, in order.</summary>
        public IReadOnlyList<string> Settings { get; init; } = [];

        /// <summary><c>--timeout DURATION</c> (as <c>-W timeout</c>, which wins when both are given).</summary>
        public string? Timeout { get; init; }

        /// <summary>The <c>-S NAME[=VALUE]</c> WASI settings, in order.</summary>
        public IReadOnlyList<string> WasiSettings { get; init; } = [];

        /// <summary>The <c>--preload NAME=MODULE</c> modules, in order.</summary>
        public IReadOnlyList<string> Preloads { get; init; } = [];
    }

    /// <summary>
    /// <c>run --tier jit</c> tiers up (<c>-W jit-tier-up</c>, <see cref="EngineOptions.JitTierUp"/>): a program starts in
    /// the interpreter and compiles what turns hot, so a large one does not wait for RyuJIT to compile its start-up
    /// code (Lua 5.5 printing one line: 1.9 s to 0.5 s with the installed tool; docs/jit.md, "Tier-up"). 1000 calls or
    /// loop iterations: .NET's own threshold for moving a loop to optimized code is of that order, and on the C programs
    /// 30 to 1000 measured the same within noise. Embedders keep the engine's default, compile on first call.
    /// </summary>
    internal const int DefaultTierUp = 1000;

    /// <summary><c>--max-module-size BYTES</c>, shared by the commands that load a module.</summary>
    internal static Option<long?> MaxModuleSizeOption() =>
        new("--max-module-size") { Description = "Most bytes the module's file may have (default: 1 GiB, or -W max-module-bytes); larger files are refused unread." };

    /// <summary><c>-W NAME=VALUE</c>, shared by the commands that compile a module.</summary>
    internal static Option<string[]> SettingsOption() => new("-W", "--wasm") { Description = EngineSettings.Help };

    /// <summary>The read limit for a module: <c>--max-module-size</c>, else the engine's <see cref="Validation.ModuleLimits.ModuleBytes"/>.</summary>
    internal static long ModuleSizeLimit(EngineOptions options, long? maxModuleSize) => maxModuleSize switch
    {
        < 0 => throw new CliException("--max-module-size must not be negative"),
        { } size => size,
        null => options.ModuleLimits.ModuleBytes,
    };

    internal static int Run(HostStreams streams, RunSettings settings)
    {
        var tier = settings.Tier switch
        {
            "interp" => ExecutionTier.Interpreter,
            "jit" => ExecutionTier.Jit,
            _ => throw new CliException($"unknown tier '{settings.Tier}' (known: interp, jit)"),
        };
        if (settings.Fuel is < 0)
        {
            throw new CliException("--fuel must not be negative");
        }
        var options = new EngineOptions { Fuel = settings.Fuel, Tier = tier, JitTierUp = tier == ExecutionTier.Jit ? DefaultTierUp : 0 };
        if (settings.MaxMemory is { } maxMemory)
        {
            options = options with { MaxMemoryBytes = maxMemory };
        }
        var configured = EngineSettings.Apply(options, settings.Settings);
        options = configured.Options;
        var timeout = configured.Timeout ?? (settings.Timeout is { } text
            ? EngineSettings.Duration(text) ?? throw new CliException($"bad --timeout '{text}': expected a positive duration such as 1s, 500ms, 2m or 1h")
            : null);
        var wasiSettings = WasiSettings.Apply(settings.WasiSettings);
        var sizeLimit = ModuleSizeLimit(options, settings.MaxModuleSize);
        ModuleFile.Check(settings.Module, sizeLimit);
        if (IsCompiledCode(settings.Module))
        {
            if (timeout is not null)
            {
                throw new CliException("not supported: -W timeout with a .dll of `harness compile` (its saved code has no interrupt checks)");
            }
            options = options with { Tier = ExecutionTier.Jit }; // a file of `harness compile` runs its saved code
        }
        else if (timeout is not null)
        {
            options = options with { JitInterruptChecks = true };
        }
        var engine = new Engine(options);
        var compiled = Load(engine, settings.Module, sizeLimit);

        var configuration = new WasiConfiguration()
            .WithStandardInput(streams.Input)
            .WithStandardOutput(streams.Output)
            .WithStandardError(streams.Error);
        var name = Path.GetFileName(settings.Module);
        if (settings.Invoke is null)
        {
            configuration.WithArg(settings.Argv0 ?? name).WithArgs(settings.Arguments);
        }
        else
        {
            configuration.WithArg(settings.Argv0 ?? name);
        }
        if (wasiSettings.InheritEnvironment)
        {
            // wasmtime's -S inherit-env: every host variable, before the --env ones, which override them.
            configuration.WithInheritedEnvironment();
        }
        foreach (var variable in settings.Environment)
        {
            var equals = variable.IndexOf('=', StringComparison.Ordinal);
            var (key, value) = equals < 0 ? (variable, System.Environment.GetEnvironmentVariable(variable)) : (variable[..equals], variable[(equals + 1)..]);
            if (key.Length == 0)
            {
                throw new CliException($"bad --env '{variable}': expected NAME=VALUE or NAME");
            }
            if (value is not null)
            {
                configuration.WithEnvironmentVariable(key, value);
            }
        }
        foreach (var directory in settings.Directories)
        {
            var separator = directory.IndexOf("::", StringComparison.Ordinal);
            var (host, guest) = separator < 0 ? (directory, directory) : (directory[..separator], directory[(separator + 2)..]);
            if (host.Length == 0 || guest.Length == 0)
            {
                throw new CliException($"bad --dir '{directory}': expected HOST[::GUEST]");
            }
            if (!Directory.Exists(host))
            {
                throw new CliException($"--dir {directory}: no such directory: {host}");
            }
            configuration.WithPreopenedDirectory(host, guest);
        }

        using var wasi = OpenWasi(configuration);
        var linker = wasi.Define(new Linker());
        var store = new Store(engine);
        // wasi-threads: thread-spawn, and the shared memory such a program imports; a thread's trap or exit ends the run.
        using var threads = WasiThreads.IsUsedBy(compiled.Module) ? new WasiThreads(compiled, linker, wasi) : null;
        threads?.Define(store);
        ModuleInstance? instance = null;
        // -W timeout: the store is interrupted when the time is up; running code traps at its next call or loop
        // back-edge, on either tier. It covers preloads and the start function too. A host call that blocks (reading
        // standard input) is not interrupted.
        using var timer = timeout is { } limit ? new Timer(_ => store.Interrupt(), null, limit, Timeout.InfiniteTimeSpan) : null;
        try
        {
            Preload(engine, store, linker, settings.Preloads, sizeLimit);
            try
            {
                instance = compiled.Instantiate(store, linker);
            }
            catch (LinkException e)
            {
                throw new CliException($"cannot instantiate {settings.Module}: {e.Message}");
            }
            wasi.Bind(instance);
            if (settings.Invoke is { } export)
            {
                return Invoke(streams, wasi, instance, export, settings.Arguments);
            }
            if (instance.GetExport("_start") is not FunctionInstance)
            {
                throw new CliException($"{settings.Module} exports no '_start' function; use --invoke NAME to call an export");
            }
            return threads?.RunCommand(instance) ?? wasi.RunCommand(instance);
        }
        catch (WasiExitException exit)
        {
            return exit.Code;
        }
        catch (TrapException trap)
        {
            wasi.FlushOutputs();
            ReportTrap(streams, name, compiled.Module, trap, trap.Kind == TrapKind.Interrupted && timeout is { } expired ? $"the time limit of {FormatDuration(expired)} was reached" : null);
            return Harness.TrapExit;
        }
        catch (UncaughtException uncaught)
        {
            wasi.FlushOutputs();
            streams.Err($"error: uncaught wasm exception: {DescribeException(uncaught.Exception, instance)}");
            return Harness.UncaughtExceptionExit;
        }
        catch (WasmException e) when (e is not (TrapException or UncaughtException))
        {
            throw new CliException($"{settings.Module}: {e.Message}");
        }
    }

    /// <summary>
    /// An uncaught exception for people: its tag, by export name (or import name, or index in <paramref name="instance"/>),
    /// and its payload, e.g. <c>tag "oops" (export) with payload (i32 7, f64 2.5)</c>. Without the instance (the
    /// exception left the start function) the tag is told by its type.
    /// </summary>
    internal static string DescribeException(ExceptionInstance exception, ModuleInstance? instance)
    {
        var tag = exception.Tag;
        string? name = null;
        if (instance is not null)
        {
            name = instance.Exports.Where(pair => ReferenceEquals(pair.Value, tag)).Select(pair => $"tag \"{pair.Key}\" (export)").FirstOrDefault();
            var index = Array.IndexOf(instance.Tags, tag);
            if (name is null && index >= 0)
            {
                var import = instance.Module.ImportsOf(Syntax.ExternKind.Tag).ElementAtOrDefault(index);
                name = import is not null ? $"tag \"{import.Module}\".\"{import.Name}\" (import)" : $"tag {index}";
            }
        }
        name ??= $"a tag of type ({string.Join(", ", tag.Type.Parameters)})";
        var payload = exception.Payload.Select((value, i) => $"{tag.Type.Parameters[i]} {InvokeValues.Format(value, tag.Type.Parameters[i])}");
        return exception.Payload.Length == 0 ? $"{name}, no payload" : $"{name} with payload ({string.Join(", ", payload)})";
    }

    /// <summary>
    /// <c>--preload NAME=MODULE</c>: each module is instantiated in the run's store, in order, and its exports are
    /// defined under NAME for the modules after it. A preloaded module may import from earlier ones, not from WASI:
    /// the WASI host of a run reads and writes one memory, the main module's.
    /// </summary>
    private static void Preload(Engine engine, Store store, Linker linker, IReadOnlyList<string> preloads, long sizeLimit)
    {
        foreach (var preload in preloads)
        {
            var equals = preload.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == preload.Length - 1)
            {
                throw new CliException($"bad --preload '{preload}': expected NAME=MODULE");
            }
            var (name, path) = (preload[..equals], preload[(equals + 1)..]);
            var compiled = Load(engine, path, sizeLimit);
            if (compiled.Module.Imports.FirstOrDefault(import => import.Module == WasiContext.ModuleName) is { } wasiImport)
            {
                throw new CliException($"not supported: --preload {name}={path} imports WASI ({wasiImport.Module}.{wasiImport.Name}); only the main module may");
            }
            try
            {
                linker.DefineInstance(name, compiled.Instantiate(store, linker));
            }
            catch (LinkException e)
            {
                throw new CliException($"cannot instantiate {path} (--preload {name}): {e.Message}");
            }
        }
    }

    /// <summary>A duration as <c>-W timeout</c> takes one back: <c>1s</c>, <c>1.5s</c>, <c>500ms</c>.</summary>
    private static string FormatDuration(TimeSpan duration) =>
        duration.TotalMilliseconds % 1000 == 0 ? $"{duration.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s" : $"{duration.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms";

    /// <summary>The program's WASI state; a host that cannot preopen directories (not Linux) is one error line, not a crash.</summary>
    private static WasiContext OpenWasi(WasiConfiguration configuration)
    {
        try
        {
            return new WasiContext(configuration);
        }
        catch (PlatformNotSupportedException e)
        {
            throw new CliException(e.Message);
        }
    }

    /// <summary>True when <paramref name="path"/> is a file of <c>harness compile</c> (a .NET assembly: it starts with <c>MZ</c>).</summary>
    internal static bool IsCompiledCode(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            return file.ReadByte() == 'M' && file.ReadByte() == 'Z';
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // Load reports it
        }
    }

    /// <summary>Reads, decodes or parses, and validates a module (binary, text, or compiled code from <c>harness compile</c>); every failure is one <see cref="CliException"/>.</summary>
    internal static CompiledModule Load(Engine engine, string path, long maxBytes)
    {
        ModuleFile.Check(path, maxBytes);
        if (IsCompiledCode(path))
        {
            try
            {
                return CompiledModule.Load(engine, path);
            }
            catch (IncompatibleCodeException e)
            {
                throw new CliException(e.Message);
            }
        }
        var bytes = ModuleFile.ReadChecked(path, maxBytes); // checked above
        var isBinary = bytes.Length >= 4 && bytes[0] == 0 && bytes[1] == (byte)'a' && bytes[2] == (byte)'s' && bytes[3] == (byte)'m';
        var text = isBinary || !path.EndsWith(".wat", StringComparison.OrdinalIgnoreCase) && !LooksLikeText(bytes) ? null : Encoding.UTF8.GetString(bytes);
        try
        {
            return text is null ? CompiledModule.FromBinary(engine, bytes) : CompiledModule.FromText(engine, text, path);
        }
        catch (TextFormatException e)
        {
            // As compilers write it: FILE:LINE:COLUMN: reason, then the line with a caret under the column.
            var excerpt = WasmHarness.Text.SourceExcerpt.Render(text!, e.Location);
            throw new CliException($"{e.Message}{(excerpt is null ? "" : "\n" + excerpt)}");
        }
        catch (WasmException e)
        {
            var what = e switch
            {
                InvalidModuleException => "invalid module",
                _ => "malformed module",
            };
            throw new CliException($"{path}: {what}: {e.Message}");
        }
    }

    private static bool LooksLikeText(byte[] bytes) =>
        Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 4096)).TrimStart().StartsWith('(');

    private static int Invoke(HostStreams streams, WasiContext wasi, ModuleInstance instance, string name, string[] arguments)
    {
        if (instance.GetExport(name) is not FunctionInstance function)
        {
            throw new CliException($"the module exports no function named '{name}'");
        }
        if (instance.GetExport("_initialize") is FunctionInstance initialize)
        {
            instance.Store.Invoke(initialize);
        }
        var parameters = function.Type.Parameters;
        if (arguments.Length != parameters.Count)
        {
            throw new CliException($"'{name}' takes {parameters.Count} argument{(parameters.Count == 1 ? "" : "s")} ({string.Join(", ", parameters)}), {arguments.Length} given");
        }
        var values = new Value[parameters.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = InvokeValues.Parse(arguments[i], parameters[i]) ?? throw new CliException($"argument {i + 1} of '{name}': '{arguments[i]}' is not a valid {parameters[i]}");
        }
        var results = instance.Store.Invoke(function, values);
        wasi.FlushOutputs();
        for (var i = 0; i < results.Length; i++)
        {
            streams.Out(InvokeValues.Format(results[i], function.Type.Results[i]));
        }
        return 0;
    }

    private static void ReportTrap(HostStreams streams, string moduleName, Module module, TrapException trap, string? why)
    {
        var text = new StringBuilder();
        text.Append("error: wasm trap: ").Append(trap.Message);
        if (why is not null)
        {
            text.Append(" (").Append(why).Append(')');
        }
        text.Append('\n');
        var frames = Backtrace(moduleName, module, trap);
        if (frames.Count > 0)
        {
            // A deep recursion (call stack exhausted) has thousands of frames: the innermost and outermost few say
            // where it recursed and from where; the count says how many are left out.
            const int Innermost = 10, Outermost = 5;
            var hidden = frames.Count > Innermost + Outermost + 1 ? frames.Count - Innermost - Outermost : 0;
            text.Append("wasm backtrace:\n");
            for (var i = 0; i < frames.Count; i++)
            {
                if (hidden > 0 && i >= Innermost && i < Innermost + hidden)
                {
                    if (i == Innermost)
                    {
                        text.Append(CultureInfo.InvariantCulture, $"  ... {hidden} frames not shown ({frames.Count} in all)\n");
                    }
                    continue;
                }
                text.Append(CultureInfo.InvariantCulture, $"  {i,3}: {frames[i]}\n");
            }
        }
        streams.Err(text.ToString().TrimEnd('\n'));
    }

    /// <summary>The trap's Wasm frames as <c>module!function</c>, innermost first, as either tier recorded them.</summary>
    internal static List<string> Backtrace(string moduleName, Module module, TrapException trap)
    {
        string Describe(Module owner, uint index) =>
            $"{(ReferenceEquals(owner, module) ? moduleName : "<module>")}!{(owner.FunctionNames.TryGetValue(index, out var name) ? name : $"<wasm function {index}>")}";
        return [.. trap.WasmBacktrace.Select(frame => Describe(frame.Instance.Module, frame.Index))];
    }
}
