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

    /// <summary>The options of <c>run</c> that take a value (the rest are flags); needed to find where the module name is.</summary>
    private static readonly HashSet<string> ValueOptions = ["--dir", "--env", "--invoke", "--tier", "--fuel", "--max-memory", "--argv0", "-o", "--output"];

    private static readonly HashSet<string> HelpOptions = ["-h", "--help", "-?"];

    private static readonly HashSet<string> Verbs = ["run", "wast", "compile"];

    /// <summary>Runs the command line with <paramref name="args"/>; returns the process exit code.</summary>
    public static int Execute(string[] args, HostStreams streams)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(streams);
        try
        {
            return Dispatch(args, streams);
        }
        catch (CliException e)
        {
            streams.Err($"harness: error: {e.Message}");
            return e.ExitCode;
        }
    }

    private static int Dispatch(string[] args, HostStreams streams)
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

        var run = RunCommand.Create(streams);
        var wast = WastCommand.Create(streams);
        var compile = CompileCommand.Create(streams);
        var root = new RootCommand("Runs WebAssembly modules (binary or text) with WASI, wasmtime-style, on the harness's own runtime.")
        {
            run, wast, compile,
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
                else if (!HelpOptions.Contains(token))
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
