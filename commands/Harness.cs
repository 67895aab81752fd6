using System.CommandLine;
using System.Text;

namespace WasmHarness.Cli;

/// <summary>
/// The <c>harness</c> command, shaped like <c>wasmtime</c>'s: <c>run</c> is the default verb, options come before
/// the module, and everything after the module belongs to the guest.
/// </summary>
public static class Harness
{
    /// <summary>Exit code for a usage error or a module that cannot be loaded, linked or called.</summary>
    public const int ErrorExit = 1;

    /// <summary>Exit code after a trap: as wasmtime on Unix, 128 + SIGABRT.</summary>
    public const int TrapExit = 134;

    /// <summary>Exit code for a Wasm exception that no handler caught (wasmtime: an error, 1).</summary>
    public const int UncaughtExceptionExit = 1;

    /// <summary>Exit code for a failure of the host or of the harness itself (EX_SOFTWARE): one line, the .NET trace only with <c>--verbose</c>.</summary>
    public const int InternalErrorExit = 70;

    /// <summary>The options of <c>run</c> that take a value; needed to find where the module name is.</summary>
    private static readonly HashSet<string> ValueOptions = ["--dir", "--env", "--invoke", "--tier", "--fuel", "--max-memory", "--max-module-size", "-W", "--wasm", "-S", "--wasi", "--timeout", "--preload", "--argv0", "-o", "--output"];

    /// <summary>wasmtime's <c>run</c> options that <c>harness</c> lacks, with why: one "not supported" line each, not "unknown option".</summary>
    private static readonly Dictionary<string, string> UnsupportedOptions = new(StringComparer.Ordinal)
    {
        ["-O"] = "Cranelift optimization settings; the JIT is RyuJIT's",
        ["--optimize"] = "Cranelift optimization settings; the JIT is RyuJIT's",
        ["-C"] = "Cranelift code generation settings; see -W and --tier",
        ["--codegen"] = "Cranelift code generation settings; see -W and --tier",
        ["-D"] = "debug settings",
        ["--debug"] = "debug settings",
        ["--profile"] = "profiling",
        ["--allow-precompiled"] = "a .dll of `harness compile` runs without it",
        ["--config"] = "configuration files",
        ["--target"] = "cross-compilation",
    };

    /// <summary>The options of <c>run</c> that take no value.</summary>
    private static readonly HashSet<string> FlagOptions = ["--verbose"];

    private static readonly HashSet<string> HelpOptions = ["-h", "--help", "-?"];

    private static readonly HashSet<string> Verbs = ["run", "wast", "compile", "settings"];

    /// <summary>Runs the command line with <paramref name="args"/>; returns the process exit code.</summary>
    public static int Execute(string[] args, HostStreams streams)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(streams);
        var verbose = false;
        try
        {
            return Dispatch(args, streams, ref verbose);
        }
        catch (CliException e)
        {
            streams.Err($"harness: error: {e.Message}");
            return e.ExitCode;
        }
        catch (Exception e)
        {
            // Not the guest's doing (that is a trap, an exit code or an uncaught exception, handled by the commands):
            // the host or the harness failed. One line; the trace is for whoever debugs the harness.
            try
            {
                streams.Err($"harness: internal error: {e.GetType().Name}: {e.Message}{(verbose ? "" : " (run with --verbose for details)")}");
                if (verbose)
                {
                    streams.Err(e.ToString());
                }
            }
            catch (Exception)
            {
                // Standard error itself failed: the exit code still says what happened.
            }
            return InternalErrorExit;
        }
    }

    private static int Dispatch(string[] args, HostStreams streams, ref bool verbose)
    {
        var output = new StreamWriter(streams.Output, new UTF8Encoding(false), leaveOpen: true) { AutoFlush = true };
        var error = new StreamWriter(streams.Error, new UTF8Encoding(false), leaveOpen: true) { AutoFlush = true };
        var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };

        // `harness module.wasm ...` means `harness run module.wasm ...`.
        var isHelp = args.Length == 0 || args[0] is "-h" or "--help" or "-?" or "--version";
        if (!isHelp && !Verbs.Contains(args[0]))
        {
            args = ["run", .. args];
        }
        if (args.Length > 0 && args[0] == "run")
        {
            args = ["run", .. SplitGuestArguments(args[1..])];
        }
        var end = Array.IndexOf(args, "--");
        verbose = (end < 0 ? args : args[..end]).Contains("--verbose");

        var run = RunCommand.Create(streams);
        var wast = WastCommand.Create(streams);
        var compile = CompileCommand.Create(streams);
        var settings = SettingsCommand.Create(streams);
        var root = new RootCommand("Runs WebAssembly modules (binary or text) with WASI, wasmtime-style, on the harness's own runtime.")
        {
            run, wast, compile, settings,
            new Option<bool>("--verbose") { Description = "On an internal error, print the .NET stack trace too.", Recursive = true },
        };
        return root.Parse(args).Invoke(configuration);
    }

    /// <summary>
    /// Puts <c>--</c> after the module name so that the guest's arguments are never read as our options:
    /// options end at the first token that is neither an option nor an option's value.
    /// </summary>
    internal static string[] SplitGuestArguments(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var token = args[i];
            if (token == "--")
            {
                return args;
            }
            if ((token.StartsWith("-W", StringComparison.Ordinal) || token.StartsWith("-S", StringComparison.Ordinal)) && token.Length > 2)
            {
                // -Wname=value and -Sname=value, as wasmtime takes them: one token.
                args = [.. args[..i], token[..2], token[2..], .. args[(i + 1)..]];
                i++;
                continue;
            }
            if (token.StartsWith('-') && token.Length > 1)
            {
                var name = token.Split('=', 2)[0];
                if (ValueOptions.Contains(name))
                {
                    if (name == token)
                    {
                        i++;
                    }
                }
                else if (UnsupportedOptions.TryGetValue(name, out var why) || (name.Length > 2 && name[1] != '-' && UnsupportedOptions.TryGetValue(name[..2], out why)))
                {
                    throw new CliException($"not supported: {name} ({why})");
                }
                else if (!HelpOptions.Contains(token) && !FlagOptions.Contains(token))
                {
                    throw new CliException($"unknown option '{token}' (see harness run --help)");
                }
                continue;
            }
            // The module: everything after it goes to the guest (one "--" right after it is dropped).
            var rest = args[(i + 1)..];
            if (rest.Length > 0 && rest[0] == "--")
            {
                rest = rest[1..];
            }
            return [.. args[..(i + 1)], "--", .. rest];
        }
        return args;
    }
}

/// <summary>An error the command line reports in one line (no stack trace) before exiting with <see cref="ExitCode"/>.</summary>
internal sealed class CliException(string message, int exitCode = Harness.ErrorExit) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
