namespace WasmHarness.Wasi;

/// <summary>A host directory made reachable to the guest under <see cref="GuestPath"/> (a preopen).</summary>
/// <param name="HostPath">The directory on the host.</param>
/// <param name="GuestPath">The name the guest sees (<c>fd_prestat_dir_name</c>), e.g. <c>.</c> or <c>/data</c>.</param>
/// <param name="ReadOnly">When true the guest gets no right that changes the directory or its files.</param>
public sealed record PreopenedDirectory(string HostPath, string GuestPath, bool ReadOnly = false)
{
    /// <summary>An in-memory tree preopened instead of <see cref="HostPath"/> (which is then only a label).</summary>
    public InMemory.MemoryFileSystem? Memory { get; init; }

    /// <summary>Opens the directory as a capability: its OS directory descriptor (Linux only), or the in-memory tree's root.</summary>
    internal DirectoryDescriptor Open() =>
        Memory is { } memory ? new InMemory.MemoryDirectory(memory.Root) : Host.HostDirectory.OpenPreopen(HostPath);
}

/// <summary>
/// What a WASI program is given: its arguments and environment, the directories it may reach, and where its
/// standard streams go. A builder in the style of wasmtime's <c>WasiConfiguration</c>; nothing is inherited
/// unless asked for (a program gets no arguments, no environment, no directory and empty streams by default).
/// </summary>
public sealed class WasiConfiguration
{
    private readonly List<string> _arguments = [];
    private readonly List<KeyValuePair<string, string>> _environment = [];
    private readonly List<PreopenedDirectory> _preopens = [];

    /// <summary>The program's arguments, <c>argv[0]</c> first.</summary>
    public IReadOnlyList<string> Arguments => _arguments;

    /// <summary>The environment variables, in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Environment => _environment;

    /// <summary>The preopened directories, numbered from descriptor 3 in this order.</summary>
    public IReadOnlyList<PreopenedDirectory> Preopens => _preopens;

    /// <summary>Standard input; <see langword="null"/> reads as empty.</summary>
    public Stream? StandardInput { get; private set; }

    /// <summary>Standard output; <see langword="null"/> discards what is written.</summary>
    public Stream? StandardOutput { get; private set; }

    /// <summary>Standard error; <see langword="null"/> discards what is written.</summary>
    public Stream? StandardError { get; private set; }

    /// <summary>Source of <c>random_get</c>'s bytes; the system's cryptographic generator by default.</summary>
    public Action<Span<byte>>? RandomSource { get; private set; }

    /// <summary>Appends one argument.</summary>
    public WasiConfiguration WithArg(string argument)
    {
        ArgumentNullException.ThrowIfNull(argument);
        _arguments.Add(argument);
        return this;
    }

    /// <summary>Appends arguments.</summary>
    public WasiConfiguration WithArgs(params IEnumerable<string> arguments)
    {
        foreach (var argument in arguments)
        {
            WithArg(argument);
        }
        return this;
    }

    /// <summary>Sets an environment variable (a later value of the same name replaces an earlier one).</summary>
    public WasiConfiguration WithEnvironmentVariable(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        if (name.Contains('='))
        {
            throw new ArgumentException("an environment variable's name cannot contain '='", nameof(name));
        }
        _environment.RemoveAll(pair => pair.Key == name);
        _environment.Add(new(name, value));
        return this;
    }

    /// <summary>Copies the host process's environment.</summary>
    public WasiConfiguration WithInheritedEnvironment()
    {
        foreach (System.Collections.DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string name && name.Length > 0 && !name.Contains('=') && entry.Value is string value)
            {
                WithEnvironmentVariable(name, value);
            }
        }
        return this;
    }

    /// <summary>Makes the host directory <paramref name="hostPath"/> reachable as <paramref name="guestPath"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The host directory does not exist.</exception>
    /// <remarks>Host directories are supported on Linux only; elsewhere creating the <see cref="WasiContext"/> throws <see cref="PlatformNotSupportedException"/>.</remarks>
    public WasiConfiguration WithPreopenedDirectory(string hostPath, string guestPath, bool readOnly = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(hostPath);
        ArgumentException.ThrowIfNullOrEmpty(guestPath);
        var full = Path.GetFullPath(hostPath);
        if (!Directory.Exists(full))
        {
            throw new DirectoryNotFoundException($"no such directory: {hostPath}");
        }
        _preopens.Add(new PreopenedDirectory(full, guestPath, readOnly));
        return this;
    }

    /// <summary>Makes an in-memory directory tree reachable as <paramref name="guestPath"/> (for tests and fuzzing: nothing on the host is touched).</summary>
    public WasiConfiguration WithPreopenedDirectory(InMemory.MemoryFileSystem fileSystem, string guestPath, bool readOnly = false)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentException.ThrowIfNullOrEmpty(guestPath);
        _preopens.Add(new PreopenedDirectory($"memory:{guestPath}", guestPath, readOnly) { Memory = fileSystem });
        return this;
    }

    /// <summary>Reads standard input from <paramref name="stream"/>.</summary>
    public WasiConfiguration WithStandardInput(Stream stream)
    {
        StandardInput = stream ?? throw new ArgumentNullException(nameof(stream));
        return this;
    }

    /// <summary>Writes standard output to <paramref name="stream"/>.</summary>
    public WasiConfiguration WithStandardOutput(Stream stream)
    {
        StandardOutput = stream ?? throw new ArgumentNullException(nameof(stream));
        return this;
    }

    /// <summary>Writes standard error to <paramref name="stream"/>.</summary>
    public WasiConfiguration WithStandardError(Stream stream)
    {
        StandardError = stream ?? throw new ArgumentNullException(nameof(stream));
        return this;
    }

    /// <summary>Standard input is the host process's.</summary>
    public WasiConfiguration WithInheritedStandardInput() => WithStandardInput(Console.OpenStandardInput());

    /// <summary>Standard output is the host process's.</summary>
    public WasiConfiguration WithInheritedStandardOutput() => WithStandardOutput(Console.OpenStandardOutput());

    /// <summary>Standard error is the host process's.</summary>
    public WasiConfiguration WithInheritedStandardError() => WithStandardError(Console.OpenStandardError());

    /// <summary>All three standard streams are the host process's.</summary>
    public WasiConfiguration WithInheritedStandardStreams() =>
        WithInheritedStandardInput().WithInheritedStandardOutput().WithInheritedStandardError();

    /// <summary>Replaces the source of random bytes (for reproducible runs).</summary>
    public WasiConfiguration WithRandomSource(Action<Span<byte>> source)
    {
        RandomSource = source ?? throw new ArgumentNullException(nameof(source));
        return this;
    }
}
