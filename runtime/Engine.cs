namespace WasmHarness;

/// <summary>Limits and settings of an <see cref="Engine"/>; every store created from it uses them.</summary>
public sealed record EngineOptions
{
    /// <summary>Instruction budget per store; <see langword="null"/> (the default) for none. When it runs out execution traps with <c>all fuel consumed</c>.</summary>
    public long? Fuel { get; init; }

    /// <summary>Most nested Wasm calls before the <c>call stack exhausted</c> trap.</summary>
    public int MaxCallDepth { get; init; } = 20_000;

    /// <summary>Most operand stack slots (locals and operands of all active frames) before <c>call stack exhausted</c>.</summary>
    public int MaxStackSlots { get; init; } = 4 * 1024 * 1024;

    /// <summary>Largest size in bytes any one memory may reach; <c>memory.grow</c> beyond it returns -1.</summary>
    public ulong MaxMemoryBytes { get; init; } = 1UL << 32;

    /// <summary>
    /// Whether each memory reserves the address space of its maximum up front (Linux; the default) so it grows in
    /// place. Off, memories grow by reallocation, as on other systems. For emulators where a reservation costs real
    /// memory: qemu 7.2 user mode keeps state for every page of a mapping, tens of MB per 4 GiB reservation, not
    /// given back, so a run that creates thousands of memories exhausts the host (see docs/arm64.md).
    /// </summary>
    public bool ReserveMemoryAddressSpace { get; init; } = true;

    /// <summary>
    /// Most bytes of GC objects (structs and arrays) one store may hold live, approximately (default 4 GiB); an
    /// allocation beyond it traps with <c>resource exhausted</c>. Garbage does not count: when the count reaches the
    /// limit, the store measures what is still live before trapping (<see cref="Execution.GcHeap"/>). Must be positive.
    /// </summary>
    public long MaxGcHeapBytes
    {
        get => _maxGcHeapBytes;
        init => _maxGcHeapBytes = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(MaxGcHeapBytes), value, "the GC heap limit must be positive");
    }

    private readonly long _maxGcHeapBytes = 4L << 30;

    /// <summary>
    /// The Wasm features modules may use (default: all); compiling a module that uses another one fails with
    /// <see cref="InvalidModuleException"/> (<c>simd support is not enabled</c>), as in an engine without it.
    /// </summary>
    public Validation.WasmFeatures Features { get; init; } = Validation.WasmFeatures.All;

    /// <summary>This implementation's limits on a module's shape (functions, body size, locals, nesting, ...), checked when a module is compiled.</summary>
    public Validation.ModuleLimits ModuleLimits { get; init; } = Validation.ModuleLimits.Default;

    /// <summary>Largest number of elements any one table may reach; <c>table.grow</c> beyond it returns -1.</summary>
    public ulong MaxTableElements { get; init; } = 10_000_000;

    /// <summary>
    /// With the interpreter tier and no <see cref="Fuel"/>: functions whose values are all numbers run as threaded code
    /// (handlers chained by tail calls, docs/execution.md "Threaded code"); the others, and all functions when this is
    /// off, in the interpreter's dispatch loop. On by default; the two give the same results.
    /// </summary>
    public bool ThreadedInterpreter { get; init; } = true;

    /// <summary>Which tier runs Wasm functions: the interpreter (the default) or the JIT (Wasm → CIL → RyuJIT).</summary>
    public ExecutionTier Tier { get; init; } = ExecutionTier.Interpreter;

    /// <summary>
    /// With the JIT tier: compiled code checks <see cref="Execution.Store.Interrupted"/> on function entry and at every
    /// loop head, so <see cref="Execution.Store.Interrupt"/> stops it as it stops the interpreter (which always checks).
    /// Off by default: the check costs a call per loop iteration. <c>harness run -W timeout</c> turns it on.
    /// </summary>
    public bool JitInterruptChecks { get; init; }

    /// <summary>With the JIT tier: compile every function of a module when it is first used, instead of each function on its first call.</summary>
    public bool JitEager { get; init; }

    /// <summary>
    /// With the lazy JIT (not <see cref="JitEager"/>): once a first call has compiled its group, a background thread
    /// (below normal priority) compiles the functions that group calls, so they are ready when first called and a
    /// program's compilation overlaps its run on another core. It stays one call ahead of code that ran: what it
    /// compiles does not queue more. On by default; off, a
    /// function is compiled only by its first call (what tests that count compiled functions want).
    /// <see cref="JitFallback"/> may then be called on that thread.
    /// </summary>
    public bool JitBackground { get; init; } = true;

    /// <summary>
    /// With the lazy JIT: 0 (the default) compiles each function on its first call. N &gt; 0 tiers up instead: every
    /// function starts in the interpreter, is compiled once it has been called more than N times or one of its loops
    /// has run N iterations (on the background thread when <see cref="JitBackground"/> is on, else at once), and a
    /// running loop moves into the compiled code at its head (on-stack replacement). A large program then compiles
    /// only what runs hot, and its cold start-up code never waits for RyuJIT (docs/jit.md, "Tier-up"). Not with
    /// <see cref="Fuel"/> or <see cref="GuestCoverage"/>, whose counts the two tiers keep differently.
    /// </summary>
    public int JitTierUp { get; init; }

    /// <summary>The tier-up threshold in effect (<see cref="JitTierUp"/>), or 0 where these options do not tier up.</summary>
    internal int TierUpThreshold =>
        Tier == ExecutionTier.Jit && JitTierUp > 0 && Fuel is null && GuestCoverage is null && !JitEager && !JitEmitOnly ? JitTierUp : 0;

    /// <summary>
    /// With the JIT tier: the estimated IL instructions one compiled method may have before the JIT moves parts of a
    /// function into methods of their own, which keeps large functions below the sizes at which RyuJIT stops
    /// optimizing (docs/jit.md, "Large functions"). Lower values outline more (the tests run the suite with 40).
    /// </summary>
    public int JitMethodBudget { get; init; } = Jit.RegionPlanner.DefaultBudget;

    /// <summary>
    /// How the relaxed SIMD instructions choose among the results the spec allows, in both tiers:
    /// <see cref="RelaxedSimdMode.Deterministic"/> (the default) gives the same result on every machine,
    /// <see cref="RelaxedSimdMode.Native"/> the one the host's vector instructions give (docs/execution.md lists both per instruction).
    /// </summary>
    public RelaxedSimdMode RelaxedSimd { get; init; } = RelaxedSimdMode.Deterministic;

    /// <summary>With the JIT tier: called with each function's name and its emitted IL listing (for inspection and tests).</summary>
    public Action<string, string>? JitDumpIl { get; init; }

    /// <summary>
    /// With the JIT tier: emit each function's IL (for <see cref="JitDumpIl"/>) but do not have RyuJIT compile it; the
    /// interpreter runs the functions. For tools that inspect the IL only (the differential campaign's IL determinism
    /// check compiled every module twice with RyuJIT for nothing: 8% of a case).
    /// </summary>
    public bool JitEmitOnly { get; init; }

    /// <summary>With the JIT tier: called with each function the JIT leaves to the interpreter and why (for tests and reports).</summary>
    public Action<ModuleFunction, string>? JitFallback { get; init; }

    /// <summary>
    /// With the JIT tier: which functions the JIT may compile (null, the default: every one it can); the others run
    /// in the interpreter. For bisecting a miscompilation and for testing mixed tiers.
    /// </summary>
    public Func<ModuleFunction, bool>? JitFilter { get; init; }

    /// <summary>
    /// With the JIT tier: an edge map that compiled code updates at every guest branch target, for coverage-guided
    /// fuzzing (see <see cref="WasmHarness.GuestCoverage"/>). <see langword="null"/> (the default): no probes are emitted.
    /// </summary>
    public GuestCoverage? GuestCoverage { get; init; }
}

/// <summary>How relaxed SIMD instructions pick their result among those the spec allows.</summary>
public enum RelaxedSimdMode
{
    /// <summary>One fixed, documented choice per instruction, the same on every host (mostly the non-relaxed instruction's result).</summary>
    Deterministic,

    /// <summary>What the host's own vector instruction gives (x86: FMA, <c>pshufb</c>, <c>cvttps2dq</c>, <c>minps</c>, <c>pmulhrsw</c>, <c>pmaddubsw</c>, <c>blendv</c>; ARM64: FMA, <c>tbl</c>), where there is one.</summary>
    Native,
}

/// <summary>The tiers that can run Wasm code; both share stores, instances, memories, tables, globals and traps.</summary>
public enum ExecutionTier
{
    /// <summary>The interpreter (tier 0).</summary>
    Interpreter,

    /// <summary>The JIT (tier 1): functions compiled to CIL, falling back to the interpreter per function for what it cannot compile.</summary>
    Jit,
}

/// <summary>
/// The engine: configuration shared by the stores and compiled modules made with it, and what its tiers keep
/// across them: the JIT's code of each module (compiled once, shared by every instance in every store of this
/// engine) and the JIT's statistics. Create one per configuration and reuse it.
/// </summary>
public sealed class Engine(EngineOptions? options = null)
{
    /// <summary>The engine's limits and settings.</summary>
    public EngineOptions Options { get; } = options ?? new EngineOptions();

    /// <summary>What the JIT of this engine compiled and what it left to the interpreter.</summary>
    public Jit.JitStatistics JitStatistics { get; } = new();

    /// <summary>Which functions the interpreter of this engine ran as threaded code, and why the others run in its dispatch loop.</summary>
    public Interpreter.InterpreterStatistics InterpreterStatistics { get; } = new();

    /// <summary>
    /// Whether this process can run the interpreter's threaded code (<see cref="EngineOptions.ThreadedInterpreter"/>):
    /// its handlers need RyuJIT to compile calls in tail position as jumps, which a probe checks once per process (a
    /// debugger, <c>DOTNET_JITMinOpts</c> or a Debug build of the runtime turn them off). When false, every function
    /// the interpreter runs goes through its dispatch loop.
    /// </summary>
    public static bool ThreadedInterpreterAvailable => Interpreter.Threaded.ThreadedMachine.TailCallsWork;

    /// <summary>
    /// TEST-ONLY seam of the differential fault benchmark: every module compiled with this engine is replaced by
    /// <paramref name="rewrite"/>'s result before validation (a copy with some instructions miscompiled, and helper
    /// functions appended), so both tiers run the faulty module and the oracle can prove it detects real
    /// miscompilations. The rewrite must not change the module's imports, exports or index spaces before what it
    /// appends. Other engines in the process are untouched. Call it before anything is compiled with this engine;
    /// never outside tests.
    /// </summary>
    public void InjectFault(Func<Syntax.Module, Syntax.Module> rewrite) => FaultRewrite = rewrite;

    /// <summary>The rewrite of <see cref="InjectFault"/>, or null (always, outside the fault benchmark).</summary>
    internal Func<Syntax.Module, Syntax.Module>? FaultRewrite { get; private set; }

    /// <summary>The interpreter's code per module; an entry lives as long as its module.</summary>
    internal System.Runtime.CompilerServices.ConditionalWeakTable<Validation.ValidatedModule, Interpreter.ModuleCode> InterpreterCode { get; } = [];

    /// <summary>The JIT's code per module; an entry lives as long as its module (the code is collected with it).</summary>
    internal System.Runtime.CompilerServices.ConditionalWeakTable<Validation.ValidatedModule, Jit.JitModule> JitCode { get; } = [];
}

/// <summary>
/// A function of a module as the tiers compile it: once per module, before any instance exists. Its text form
/// is the function's name from the name section (<c>func $f</c>) or its index (<c>func 3</c>).
/// </summary>
public readonly record struct ModuleFunction(Syntax.Module Module, uint Index)
{
    /// <inheritdoc/>
    public override string ToString() => Module.FunctionNames.TryGetValue(Index, out var name) ? $"func {name}" : $"func {Index}";
}
