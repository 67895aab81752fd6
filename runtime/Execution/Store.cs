namespace WasmHarness.Execution;

/// <summary>
/// The store (spec: <c>store</c>): owns the instances created in it and the execution state that the tiers
/// share (operand and frame stacks, the remaining fuel). A store is used by one thread at a time.
/// </summary>
public sealed class Store : IDisposable
{
    private readonly List<WeakReference<MemoryInstance>> _memories = [];

    /// <summary>Creates a store with the engine's limits.</summary>
    public Store(Engine engine)
    {
        Engine = engine;
        Fuel = engine.Options.Fuel ?? long.MaxValue;
        GcHeap = new GcHeap(engine.Options.MaxGcHeapBytes);
        Machine = new Interpreter.Machine(this);
        Jit = engine.Options.Tier == ExecutionTier.Jit ? new Jit.JitState(this) : null;
    }

    /// <summary>The JIT tier's per-store state (call depth); <see langword="null"/> when the engine interprets.</summary>
    internal Jit.JitState? Jit { get; }

    /// <summary>The accounting of this store's GC objects against <see cref="EngineOptions.MaxGcHeapBytes"/>.</summary>
    public GcHeap GcHeap { get; }

    /// <summary>The engine whose options (limits, fuel) this store uses.</summary>
    public Engine Engine { get; }

    /// <summary>Instructions that may still run before execution stops with <see cref="TrapKind.OutOfFuel"/>; unlimited when fuel is off.</summary>
    public long Fuel { get; set; }

    /// <summary>True when the engine meters fuel.</summary>
    public bool FuelEnabled => Engine.Options.Fuel is not null;

    /// <summary>
    /// Asks running code to stop: at its next call or loop back-edge it traps with <see cref="TrapKind.Interrupted"/>
    /// (an exhaustion kind). Safe to call from another thread, e.g. a timer enforcing a per-invocation timeout.
    /// The request stays until <see cref="ClearInterrupt"/>.
    /// </summary>
    public void Interrupt() => Volatile.Write(ref _interrupted, true);

    /// <summary>Clears an <see cref="Interrupt"/> request.</summary>
    public void ClearInterrupt() => Volatile.Write(ref _interrupted, false);

    /// <summary>True after <see cref="Interrupt"/> until <see cref="ClearInterrupt"/>.</summary>
    public bool Interrupted => Volatile.Read(ref _interrupted);

    private bool _interrupted;

    internal Interpreter.Machine Machine { get; }

    /// <summary>Remembers a memory allocated by an instantiation in this store, to free it in <see cref="Dispose"/>.</summary>
    internal void Track(MemoryInstance memory)
    {
        if (_memories.Count > 64 && _memories.Count % 64 == 0)
        {
            _memories.RemoveAll(weak => !weak.TryGetTarget(out _));
        }
        _memories.Add(new WeakReference<MemoryInstance>(memory));
    }

    /// <summary>
    /// Frees the native memory of every memory instantiated in this store now, instead of at finalization (for
    /// harnesses that create many instances). Call it only when no code runs in the store; afterwards accesses to
    /// those memories trap as out of bounds.
    /// </summary>
    public void Dispose()
    {
        foreach (var weak in _memories)
        {
            if (weak.TryGetTarget(out var memory))
            {
                memory.Dispose();
            }
        }
        _memories.Clear();
        Machine.Dispose();
    }

    /// <summary>Calls a function with arguments, returning its results; traps surface as <see cref="TrapException"/>.</summary>
    public Value[] Invoke(FunctionInstance function, params ReadOnlySpan<Value> args)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (args.Length != function.Type.Parameters.Count)
        {
            throw new ArgumentException($"{function} takes {function.Type.Parameters.Count} arguments, not {args.Length}", nameof(args));
        }
        if (function.Owner is { } home && home != this)
        {
            throw new ArgumentException($"{function} belongs to another store", nameof(function));
        }
        foreach (var arg in args)
        {
            if (arg.Reference is WasmFunction { Owner: var owner } foreign && owner != this)
            {
                throw new ArgumentException($"{foreign} belongs to another store than {function}: a reference cannot cross stores", nameof(args));
            }
        }
        var results = new Value[function.Type.Results.Count];
        Call(function, args, results);
        return results;
    }

    /// <summary>
    /// The one call path every caller uses (the embedder, the interpreter for what it does not run itself, compiled
    /// code for what it cannot call directly): a host function is called; a Wasm function runs in its own store,
    /// under that store's limits, in the tier that has code for it: compiled code when the engine uses the JIT and
    /// the JIT compiled the function, else the interpreter. <paramref name="caller"/> is the instance of the Wasm
    /// function that makes the call (null: the host), which a host function's <see cref="Caller"/> names.
    /// </summary>
    internal static void Call(FunctionInstance function, ReadOnlySpan<Value> args, Span<Value> results, ModuleInstance? caller = null)
    {
        if (function is HostFunction host)
        {
            host.Call(caller, args, results);
            return;
        }
        var wasm = (WasmFunction)function;
        var store = wasm.Instance.Store;
        if (store.Jit is { } jit)
        {
            if (jit.TryInvoke(wasm, args, results))
            {
                return;
            }
            if (jit.TiersUp)
            {
                jit.Interpret(wasm, args, results);
                return;
            }
        }
        store.Machine.Invoke(wasm, args, results);
    }
}
