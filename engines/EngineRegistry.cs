namespace WasmHarness.Engines;

/// <summary>
/// The one place that turns an engine name (<c>interp</c>, <c>jit</c>, <c>wasmtime</c>, ...) into an
/// <see cref="IEngine"/>. Our own tiers are always known; engines that live in other libraries (wasmtime, whose
/// library ships its native code) are added by the programs that reference them, so a program that never runs
/// wasmtime never loads it.
/// </summary>
public sealed class EngineRegistry
{
    /// <summary>The name that stands for every registered engine, in registration order.</summary>
    public const string All = "all";

    private readonly List<Entry> _entries = [];

    private sealed record Entry(string Name, string Description, Func<EngineOptions, IEngine> Create, bool InAll);

    /// <summary>A registry that knows our own tiers: <c>interp</c>, <c>interp-loop</c>, <c>jit</c> and <c>aot</c> (<c>interp-loop</c> and <c>aot</c> not part of <see cref="All"/>).</summary>
    public static EngineRegistry Ours() => new EngineRegistry()
        .Add("interp", "our interpreter (tier 0)", options => new InterpreterEngine(options))
        .Add("interp-loop", "our interpreter with its threaded code off: every function in the dispatch loop, as with fuel", options => new InterpreterEngine(options with { ThreadedInterpreter = false }, "interp-loop"), inAll: false)
        .Add("jit", "our JIT: Wasm → CIL → RyuJIT (tier 1)", options => new JitEngine(options))
        .Add("aot", "our JIT ahead of time: each module saved as a .dll, loaded and run from it", options => new AotEngine(options), inAll: false)
        .Add("jit-tierup", "our interpreter tiering up to the JIT at once: each function compiled on its second call, each call moved into compiled code at its first loop head", options => new JitEngine(TierUpAtOnce(options), "jit-tierup"), inAll: false);

    /// <summary>
    /// Tier-up with the lowest threshold and no background thread (<see cref="EngineOptions.JitTierUp"/>): every
    /// function's first call starts in the interpreter and moves into compiled code at its first loop head, so a spec
    /// run checks the move on every loop it has.
    /// </summary>
    public static EngineOptions TierUpAtOnce(EngineOptions options) => options with { JitTierUp = 1, JitBackground = false };

    /// <summary>
    /// Registers an engine under <paramref name="name"/>; the options are those of our runtime (an outside engine may
    /// ignore them). <paramref name="inAll"/>: whether <see cref="All"/> includes it.
    /// </summary>
    public EngineRegistry Add(string name, string description, Func<EngineOptions, IEngine> create, bool inAll = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name == All || _entries.Any(e => e.Name == name))
        {
            throw new ArgumentException($"an engine named '{name}' is already registered", nameof(name));
        }
        _entries.Add(new Entry(name, description, create, inAll));
        return this;
    }

    /// <summary>The registered names, in registration order.</summary>
    public IReadOnlyList<string> Names => [.. _entries.Select(e => e.Name)];

    /// <summary>One line per engine, for <c>--help</c> texts: <c>name: description</c>.</summary>
    public string Describe() => string.Join("; ", _entries.Select(e => $"{e.Name}: {e.Description}"));

    /// <summary>True when <paramref name="name"/> is registered.</summary>
    public bool Contains(string name) => _entries.Any(e => e.Name == name);

    /// <summary>Creates the engine named <paramref name="name"/>; throws <see cref="UnknownEngineException"/> for a name nobody registered.</summary>
    public IEngine Create(string name, EngineOptions? options = null)
    {
        var entry = _entries.FirstOrDefault(e => e.Name == name) ?? throw new UnknownEngineException(name, Names);
        return entry.Create(options ?? new EngineOptions());
    }

    /// <summary>
    /// Creates the engines named in <paramref name="names"/> (each once, in the order given; <see cref="All"/>
    /// expands to every registered engine but those registered with <c>inAll: false</c>).
    /// </summary>
    public IReadOnlyList<IEngine> Create(IEnumerable<string> names, EngineOptions? options = null) =>
        [.. names.SelectMany(n => n == All ? _entries.Where(e => e.InAll).Select(e => e.Name) : [n]).Distinct(StringComparer.Ordinal).Select(n => Create(n, options))];
}

/// <summary>An engine name that no one registered; the message lists the known ones.</summary>
public sealed class UnknownEngineException(string name, IReadOnlyList<string> known)
    : ArgumentException($"unknown engine '{name}'; known: {string.Join(", ", known)}, {EngineRegistry.All}")
{
    /// <summary>The name that was asked for.</summary>
    public string Name { get; } = name;
}
