using System.Reflection.Emit;
using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Jit;

/// <summary>
/// The compiled code of one module, made once per <see cref="Engine"/> and shared by every instance of the
/// module: instance state (memories, tables, globals, functions) reaches the code through its last argument, a
/// per-instance <see cref="JitContext"/>, so nothing of an instance is baked into the IL. A function is compiled on
/// its first call together with a few of the uncompiled functions it reaches through direct calls (a group, see
/// <see cref="JitBudget.GroupInstructions"/>; a <see cref="DynamicMethod"/> can only call methods whose IL is
/// complete, so a group's calls to functions outside it go through the code table, <see cref="CodeTable"/>), or all at
/// once with <see cref="EngineOptions.JitEager"/>. A function that uses an instruction the JIT does not compile (see
/// <see cref="FunctionCompiler.Unsupported"/>) falls back, as a whole, to the interpreter; compiled and interpreted
/// functions call each other through the store. Dynamic methods are collected with the module.
/// </summary>
internal sealed class JitModule
{
    private enum Status : byte
    {
        Unknown,
        Compiled,
        Fallback,

        /// <summary>Emitted, and RyuJIT compiling it on some thread (see <see cref="Compile"/>).</summary>
        Compiling,

        /// <summary>Tier-up: hot, queued for the background thread; the interpreter runs it until it is compiled.</summary>
        Hot,
    }

    private readonly Status[] _status;
    private readonly System.Reflection.MethodInfo?[] _methods;
    private readonly Action<JitContext, Value[], Value[]>?[] _entries;
    private readonly nint[] _pointers;
    private readonly nint[] _code;

    /// <summary>The group each <see cref="Status.Compiling"/> function belongs to (under <see cref="_gate"/>).</summary>
    private readonly Group?[] _pending;
    private readonly Lock _gate = new();

    /// <summary>
    /// The background thread's work (<see cref="EngineOptions.JitBackground"/>): functions that compiled code calls
    /// but that are not compiled yet, nearest first, the roots of the groups it compiles ahead of their first calls;
    /// with tier-up instead, the functions that turned hot, and as the complement of a function's index (<c>~i</c>)
    /// the loop variants asked for.
    /// </summary>
    private readonly Queue<int> _ahead = new();

    /// <summary>True while a background thread works through <see cref="_ahead"/> (under <see cref="_gate"/>).</summary>
    private bool _compilingAhead;

    /// <summary>Functions of this module given to the compiler so far (<see cref="JitBudget.ModuleFunctions"/>).</summary>
    private int _compiledFunctions;

    /// <summary>The tier-up threshold (<see cref="EngineOptions.JitTierUp"/>), 0 when every function is compiled on its first call.</summary>
    private readonly int _tierUp;

    /// <summary>Tier-up: the calls each function has had while not compiled (racy counts: a lost one only delays it).</summary>
    private readonly int[] _calls;

    /// <summary>Tier-up: per function, 0 not looked at yet, 1 no loop inside a try, 2 one (<see cref="HasLoopInTry"/>).</summary>
    private readonly byte[] _loopInTry;

    /// <summary>Tier-up: each function's loop-entry variant, once a call the interpreter runs found one of its loops hot.</summary>
    private readonly LoopVariant?[] _variants;

    /// <summary>
    /// Tier-up: a function's second loop variant, all in one method, once a call is hot at a loop the first variant
    /// cannot be entered at because the loop lies in one of the regions it shares with the ordinary method.
    /// </summary>
    private readonly LoopVariant?[] _wholeVariants;

    /// <summary>Tier-up: each compiled function's region plan and region methods, which its loop variant calls too.</summary>
    private readonly FunctionCompiler.Outline?[] _outlines;

    /// <summary>The loop variants' methods and their functions, for backtraces (<see cref="Frames"/>).</summary>
    private readonly List<(DynamicMethod Method, int Index)> _variantMethods = [];

    /// <summary>
    /// Tier-up: a second compiled method of a function, entered only at the head of one of its loops by a call the
    /// interpreter was running (on-stack replacement). A method of its own, so that the entries, which make the loops
    /// around an entered loop irreducible to RyuJIT, cost the ordinary method nothing (docs/jit.md, "Tier-up").
    /// </summary>
    private sealed class LoopVariant
    {
        /// <summary>The loops (ordinals among the function's <c>loop</c> instructions) it can be entered at.</summary>
        public IReadOnlySet<int> Entries = s_noLoops;

        /// <summary>Its entry thunk: set once RyuJIT compiled it (null: not yet, or it could not be made).</summary>
        public volatile Action<JitContext, Value[], Value[]>? Entry;

        /// <summary>Compiled, or given up: <see cref="Entries"/> is final.</summary>
        public volatile bool Ready;

        /// <summary>It calls outlined regions: a loop inside one cannot be entered (a whole variant can).</summary>
        public bool HasRegions;
    }

    /// <summary>While the code is written to an assembly file (<see cref="JitAssembly"/>): the type that receives the methods.</summary>
    private readonly TypeBuilder? _assembly;

    private JitModule(Engine engine, Validation.ValidatedModule validated, TypeBuilder? assembly = null)
    {
        _assembly = assembly;
        Engine = engine;
        Validated = validated;
        var count = validated.FunctionTypeIndices.Count;
        _status = new Status[count];
        _methods = new System.Reflection.MethodInfo?[count];
        _entries = new Action<JitContext, Value[], Value[]>?[count];
        _pointers = new nint[count];
        _code = new nint[count];
        _pending = new Group?[count];
        _tierUp = assembly is null ? engine.Options.TierUpThreshold : 0;
        _calls = new int[_tierUp > 0 ? count : 0];
        _loopInTry = new byte[_tierUp > 0 ? count : 0];
        _variants = new LoopVariant?[_tierUp > 0 ? count : 0];
        _wholeVariants = new LoopVariant?[_tierUp > 0 ? count : 0];
        _outlines = new FunctionCompiler.Outline?[_tierUp > 0 ? count : 0];
        for (var i = 0; i < validated.ImportedFunctionCount; i++)
        {
            _status[i] = Status.Fallback; // imports run wherever their own module's code is
        }
        if (engine.Options.JitEager || assembly is not null)
        {
            Compile(() => Enumerable.Range(0, count).Where(i => _status[i] == Status.Unknown).ToList());
        }
    }

    /// <summary>Compiles every function of <paramref name="validated"/> into <paramref name="assembly"/> (with an entry thunk each), for a file.</summary>
    internal static JitModule WriteTo(Engine engine, Validation.ValidatedModule validated, TypeBuilder assembly)
    {
        var module = new JitModule(engine, validated, assembly);
        for (var i = 0; i < module._status.Length; i++)
        {
            if (module._status[i] == Status.Compiled)
            {
                FunctionCompiler.DeclareEntry(module, i, assembly);
            }
        }
        return module;
    }

    /// <summary>
    /// The code of <paramref name="validated"/> as a loaded assembly wrote it (<see cref="JitAssembly"/>): each function
    /// that has a method in <paramref name="code"/> runs compiled, the others in the interpreter.
    /// </summary>
    internal static JitModule Loaded(Engine engine, Validation.ValidatedModule validated, Type code)
    {
        var module = new JitModule(engine, validated);
        for (var i = validated.ImportedFunctionCount; i < module._status.Length; i++)
        {
            var method = code.GetMethod(JitAssembly.FunctionName(i));
            var entry = code.GetMethod(JitAssembly.EntryName(i));
            if (method is null || entry is null)
            {
                module._status[i] = Status.Fallback;
                continue;
            }
            module._methods[i] = method;
            module._entries[i] = entry.CreateDelegate<Action<JitContext, Value[], Value[]>>();
            module._status[i] = Status.Compiled;
            module._code[i] = module.Pointer(i);
        }
        return module;
    }

    /// <summary>Makes <paramref name="module"/> the code of its module in its engine (after <see cref="Loaded"/>); false when code exists already.</summary>
    internal static bool Register(JitModule module) => module.Engine.JitCode.TryAdd(module.Validated, module);
    /// <summary>The engine whose options (fuel, coverage, fault injection, filters) the code was compiled with.</summary>
    public Engine Engine { get; }

    /// <summary>The module the code is for (its index spaces' types are all the compiler needs).</summary>
    public Validation.ValidatedModule Validated { get; }

    /// <summary>The compiled code of <paramref name="validated"/> for <paramref name="engine"/>, made on first use and kept as long as the module lives.</summary>
    public static JitModule For(Engine engine, Validation.ValidatedModule validated) =>
        engine.JitCode.GetValue(validated, v => new JitModule(engine, v));

    /// <summary>The compiled code of <paramref name="instance"/>'s module (the one every instance of that module shares).</summary>
    public static JitModule For(ModuleInstance instance) => ContextOf(instance).Module;

    /// <summary>The compiled code of <paramref name="instance"/>'s module, and the instance's context for it.</summary>
    public static JitContext ContextOf(ModuleInstance instance)
    {
        if (instance.JitContext is { } context)
        {
            return context;
        }
        var module = For(instance.Store.Engine, instance.Validated);
        lock (instance)
        {
            return instance.JitContext ??= new JitContext(instance, instance.Store.Jit ?? new JitState(instance.Store), module);
        }
    }

    /// <summary>A name for function <paramref name="index"/> in listings and messages (<c>func $name</c> or <c>func 3</c>).</summary>
    public ModuleFunction Function(int index) => new(Validated.Module, (uint)index);

    /// <summary>
    /// True when function <paramref name="index"/> runs compiled, compiling it now if it was not yet. The compile
    /// observes <paramref name="requester"/>'s <see cref="Store.Interrupt"/> between functions: an interrupted store
    /// traps (<see cref="TrapKind.Interrupted"/>) and the group stays uncompiled for a later call.
    /// </summary>
    public bool Runs(int index, Store? requester = null)
    {
        while (true)
        {
            switch (_status[index])
            {
                case Status.Compiled:
                    return true;
                case Status.Fallback:
                    return false;
                case Status.Hot:
                    return false; // the background thread compiles it; the interpreter runs it meanwhile
                case Status.Compiling when _tierUp > 0 && Engine.Options.JitBackground:
                    return false;
                case Status.Compiling:
                    Group? group;
                    lock (_gate)
                    {
                        group = _pending[index];
                    }
                    group?.Done.Wait(); // another thread's group: RyuJIT is at work on it
                    break;
                default:
                    if (_tierUp > 0)
                    {
                        if (HasLoopInTry(index))
                        {
                            // No call of it could move into compiled code at such a loop (CIL allows no branch into a
                            // try block): a long one would stay in the interpreter to its end. Compiled at once instead.
                            CompileAlone(index, requester);
                            break;
                        }
                        if (++_calls[index] <= _tierUp)
                        {
                            return false; // still cold: the interpreter runs it
                        }
                        TurnHot(index, requester);
                        break;
                    }
                    Compile(() => _status[index] == Status.Unknown ? Reachable(index) : null, requester);
                    break;
            }
        }
    }

    /// <summary>
    /// Tier-up: the entry thunk through which a call of function <paramref name="index"/> that the interpreter runs may
    /// go on in compiled code at the head of loop <paramref name="loop"/> (its ordinal among the function's <c>loop</c>
    /// instructions), where the interpreter found the function hot; null when it may not. Asking has what is missing
    /// compiled (now, or queued for the background thread): the function, then its loop variant, then, for a loop
    /// inside one of the regions that variant shares, a whole variant. Null until then, and for good for a loop that
    /// no variant can be entered at.
    /// </summary>
    public Action<JitContext, Value[], Value[]>? EntryAtLoop(int index, int loop, Store? requester) =>
        LoopVariantFor(index, loop, requester) is { } variant && variant.Entries.Contains(loop) ? variant.Entry : null;

    /// <summary>The ready loop variant that can be entered at <paramref name="loop"/> (or the last one asked for), or null.</summary>
    private LoopVariant? LoopVariantFor(int index, int loop, Store? requester)
    {
        if (LoopEntries(index, requester) is null)
        {
            return null;
        }
        var shared = _variants[index]!;
        if (shared.Entries.Contains(loop) || !shared.HasRegions)
        {
            return shared;
        }
        if (_wholeVariants[index] is null)
        {
            RequestLoopVariant(index, requester, whole: true);
        }
        return _wholeVariants[index] is { Ready: true } whole ? whole : null;
    }

    /// <summary>The loops the function's (first) loop variant can be entered at; null while it is not ready.</summary>
    private IReadOnlySet<int>? LoopEntries(int index, Store? requester)
    {
        if (_tierUp == 0 || _status[index] == Status.Fallback)
        {
            return s_noLoops;
        }
        if (_status[index] == Status.Unknown)
        {
            TurnHot(index, requester);
        }
        if (_status[index] != Status.Compiled)
        {
            return null;
        }
        // The ordinary code first: calls from now on run it, so a call that still loops in the interpreter once it is
        // there (the interpreter asks again after as many iterations) is a long one, worth a variant. Short calls of a
        // hot function (strlen, memcpy) end before that and cost no variant. The variant then shares its regions.
        if (_variants[index] is null)
        {
            RequestLoopVariant(index, requester, whole: false);
        }
        return _variants[index] is { Ready: true } variant ? variant.Entries : null;
    }

    private static readonly IReadOnlySet<int> s_noLoops = new HashSet<int>();

    /// <summary>Tier-up: has function <paramref name="index"/>'s loop variant compiled, on the background thread if there is one, else now.</summary>
    private void RequestLoopVariant(int index, Store? requester, bool whole)
    {
        var variants = whole ? _wholeVariants : _variants;
        lock (_gate)
        {
            if (variants[index] is not null)
            {
                return;
            }
            variants[index] = new LoopVariant();
            if (Engine.Options.JitBackground)
            {
                // (A variant is queued as the complement of its function's index, a whole one past the function count.)
                _ahead.Enqueue(~(whole ? index + _status.Length : index));
                StartBackground();
                return;
            }
        }
        CompileLoopVariant(index, requester, whole);
    }

    /// <summary>Emits and compiles function <paramref name="index"/>'s loop variant; one that cannot be made has no entries.</summary>
    private void CompileLoopVariant(int index, Store? requester, bool whole)
    {
        var variants = whole ? _wholeVariants : _variants;
        var variant = variants[index]!;
        try
        {
            DynamicMethod method;
            List<System.Reflection.MethodInfo> methods;
            lock (_gate)
            {
                method = FunctionCompiler.DeclareLoopVariant(this, index);
                // A variant is asked for once the function is compiled (LoopEntries): the first shares the ordinary
                // method's plan and regions, a whole one has neither.
                var outline = whole ? null : _outlines[index];
                var (outlined, entries, hasRegions) = FunctionCompiler.EmitLoopVariant(this, index, method, callee => _status[callee] == Status.Compiled, outline);
                variant.Entries = entries;
                variant.HasRegions = hasRegions;
                methods = [method, .. outlined];
            }
            if (variant.Entries.Count > 0 && Prepare([], methods, requester) is null &&
                MethodDescriptor?.Invoke(method, null) is RuntimeMethodHandle handle)
            {
                var pointer = handle.GetFunctionPointer();
                var shared = FunctionCompiler.SharedEntry(Validated.FunctionTypes[index]);
                lock (_gate)
                {
                    _variantMethods.Add((method, index));
                }
                variant.Entry = (context, args, results) => shared(context, args, results, pointer);
                Engine.JitStatistics.RecordLoopVariant();
            }
        }
        catch (NotSupportedException)
        {
            // A construct the support check missed: no entries; the interpreter finishes the call.
        }
        catch (TrapException)
        {
            variants[index] = null; // interrupted: a later hot loop asks again
            throw;
        }
        if (variant.Entry is null)
        {
            variant.Entries = s_noLoops;
        }
        variant.Ready = true;
    }

    /// <summary>Compiles function <paramref name="index"/>, if still uncompiled, as a group of its own on this thread.</summary>
    private void CompileAlone(int index, Store? requester) => Compile(() => _status[index] == Status.Unknown ? [index] : null, requester);

    /// <summary>Whether function <paramref name="index"/> has a <c>loop</c> inside a <c>try</c> or <c>try_table</c> block (read once).</summary>
    private bool HasLoopInTry(int index)
    {
        if (_loopInTry[index] == 0)
        {
            _loopInTry[index] = (byte)(ScanForLoopInTry(index) ? 2 : 1);
        }
        return _loopInTry[index] == 2;
    }

    private bool ScanForLoopInTry(int index)
    {
        var blocks = new Stack<bool>(); // per open block: whether it is inside a try
        var inTry = false;
        foreach (var instruction in Code(index).Body.Instructions)
        {
            switch (instruction.Opcode)
            {
                case Opcode.Loop when inTry:
                    return true;
                case Opcode.Block or Opcode.Loop or Opcode.If or Opcode.Try or Opcode.TryTable:
                    blocks.Push(inTry);
                    inTry |= instruction.Opcode is Opcode.Try or Opcode.TryTable;
                    break;
                case Opcode.End when blocks.Count > 0:
                    inTry = blocks.Pop();
                    break;
            }
        }
        return false;
    }

    /// <summary>Tier-up: <paramref name="index"/> turned hot; compiles it alone, on the background thread if there is one, else now.</summary>
    private void TurnHot(int index, Store? requester)
    {
        if (!Engine.Options.JitBackground)
        {
            CompileAlone(index, requester);
            return;
        }
        lock (_gate)
        {
            if (_status[index] != Status.Unknown)
            {
                return;
            }
            _status[index] = Status.Hot;
            _ahead.Enqueue(index);
            StartBackground();
        }
    }

    /// <summary>
    /// The code address of each function that runs compiled, by function index; zero for one not compiled (yet), an
    /// import, or one that runs in the interpreter. Compiled code calls a function outside its own group through this
    /// table, and through <see cref="JitRuntime.ResolveFunction"/> (which compiles it) while its entry is zero.
    /// </summary>
    internal nint[] CodeTable => _code;

    /// <summary>The compiled method of function <paramref name="index"/> (which must run compiled).</summary>
    internal System.Reflection.MethodInfo Method(int index) => _methods[index]!;

    /// <summary>
    /// The Wasm functions of <paramref name="instance"/> (an instance of this module) whose compiled methods are on the
    /// .NET stack trace of <paramref name="exception"/>, innermost first: a trap's backtrace on this tier. Frames of
    /// other modules' code are left to the calls that entered them, which record their own.
    /// </summary>
    internal List<WasmFunction> Frames(Exception exception, ModuleInstance instance)
    {
        var indices = new Dictionary<object, int>();
        lock (_gate)
        {
            for (var i = 0; i < _methods.Length; i++)
            {
                if (_methods[i] is { } method)
                {
                    indices.TryAdd(FrameKey(method), i);
                }
            }
            foreach (var (method, index) in _variantMethods)
            {
                indices.TryAdd(method, index);
            }
        }
        var frames = new List<WasmFunction>();
        foreach (var frame in new System.Diagnostics.StackTrace(exception, false).GetFrames())
        {
            if (frame.GetMethod() is { } method && indices.TryGetValue(FrameKey(method), out var index) &&
                instance.Functions[index] is WasmFunction function)
            {
                frames.Add(function);
            }
        }
        return frames;
    }

    /// <summary>
    /// What identifies a method on a stack frame: a dynamic method is the object itself; a method of a loaded .dll
    /// (<c>harness compile</c>) is its metadata token in its module, as reflection may hand out another object for it.
    /// </summary>
    private static object FrameKey(System.Reflection.MethodBase method) =>
        method is DynamicMethod ? method : (method.Module, method.MetadataToken);

    /// <summary>Calls function <paramref name="index"/> (which must run compiled) in a context, with packed arguments and results.</summary>
    public Action<JitContext, Value[], Value[]> Entry(int index)
    {
        if (_entries[index] is { } entry)
        {
            return entry;
        }
        // A dynamic method has a code address (Pointer): the thunk shared by its signature calls it. A method of a
        // loaded .dll has its own entry; one without an address gets a thunk of its own.
        var pointer = _methods[index] is DynamicMethod ? Pointer(index) : 0;
        lock (_gate)
        {
            if (pointer != 0)
            {
                var shared = FunctionCompiler.SharedEntry(Validated.FunctionTypes[index]);
                return _entries[index] ??= (context, args, results) => shared(context, args, results, pointer);
            }
            return _entries[index] ??= FunctionCompiler.CompileEntry(this, index);
        }
    }

    /// <summary>The native code address of compiled function <paramref name="index"/> (for <c>calli</c> from <c>call_indirect</c>).</summary>
    public nint Pointer(int index)
    {
        var pointer = _pointers[index];
        if (pointer == 0)
        {
            lock (_gate)
            {
                pointer = _pointers[index];
                if (pointer == 0)
                {
                    // DynamicMethod has no public MethodHandle (and ldftn cannot name one): ask for its descriptor.
                    // Where that is not available the pointer stays zero-like (-1) and calls go through the store.
                    // A method of a loaded assembly has a handle of its own.
                    pointer = _methods[index] is DynamicMethod dynamic
                        ? MethodDescriptor?.Invoke(dynamic, null) is RuntimeMethodHandle handle ? handle.GetFunctionPointer() : -1
                        : _methods[index]!.MethodHandle.GetFunctionPointer();
                    _pointers[index] = pointer;
                }
            }
        }
        return pointer == -1 ? 0 : pointer;
    }

    private static readonly System.Reflection.MethodInfo? MethodDescriptor =
        typeof(DynamicMethod).GetMethod("GetMethodDescriptor", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic);

    /// <summary>
    /// Has RyuJIT compile each new method now rather than on its first call: a method it refuses then throws here,
    /// where the group can still fall back to the interpreter, instead of inside running guest code. Returns the
    /// first failure, or null. A large group is compiled on every core: RyuJIT compiles different methods
    /// concurrently, and most of a large program's start-up is this (Lua 5.5: some 800 methods, 90% of its eager compile).
    /// </summary>
    private Exception? Prepare(List<int> functions, List<System.Reflection.MethodInfo> regions, Store? requester)
    {
        var handles = new List<RuntimeMethodHandle>();
        foreach (var method in regions.Concat(functions.Select(index => _methods[index])))
        {
            StopIfInterrupted(requester);
            if (method is DynamicMethod dynamic && MethodDescriptor?.Invoke(dynamic, null) is RuntimeMethodHandle handle)
            {
                handles.Add(handle);
            }
            // (Without a handle RyuJIT compiles the method on its first call, as before.)
        }
        // Each method is compiled on the calling thread or on threads of the guest stack's size: RyuJIT recurses over
        // deep expression trees, more than a thread-pool thread's stack may hold.
        Exception? failure = null;
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? unexpected = null;
        var next = -1;
        void Work()
        {
            for (int i; (i = Interlocked.Increment(ref next)) < handles.Count && Volatile.Read(ref failure) is null && Volatile.Read(ref unexpected) is null;)
            {
                if (requester is { Interrupted: true })
                {
                    return;
                }
                try
                {
                    System.Runtime.CompilerServices.RuntimeHelpers.PrepareMethod(handles[i]);
                }
                catch (Exception e) when (e is InvalidProgramException or NotSupportedException or BadImageFormatException or OutOfMemoryException or System.Security.VerificationException or TypeLoadException or MissingMethodException)
                {
                    Interlocked.CompareExchange(ref failure, e, null);
                }
                catch (Exception e)
                {
                    // Anything else belongs to the caller, as it would on one thread.
                    Interlocked.CompareExchange(ref unexpected, System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e), null);
                }
            }
        }
        var helpers = handles.Count >= ParallelPrepareThreshold ? Math.Min(Environment.ProcessorCount, handles.Count) - 1 : 0;
        var threads = Enumerable.Range(0, helpers).Select(_ => new Thread(() => Work(), GuestThread.StackSize) { IsBackground = true, Name = "jit prepare" }).ToList();
        threads.ForEach(thread => thread.Start());
        Work();
        threads.ForEach(thread => thread.Join());
        unexpected?.Throw();
        StopIfInterrupted(requester);
        return failure;
    }

    /// <summary>Groups with fewer methods are compiled on the calling thread (a differential case's few functions gain nothing from more).</summary>
    private const int ParallelPrepareThreshold = 8;

    /// <summary>
    /// Abandons the group when <paramref name="requester"/> was interrupted: its functions go back to uncompiled (a
    /// later call compiles them afresh) and the requesting call traps as running code would.
    /// </summary>
    private static void StopIfInterrupted(Store? requester)
    {
        if (requester is { Interrupted: true })
        {
            TrapException.Throw(TrapKind.Interrupted);
        }
    }

    private void FallBack(List<int> functions, string reason)
    {
        foreach (var index in functions)
        {
            _methods[index] = null;
            _status[index] = Status.Fallback;
            Engine.JitStatistics.RecordFallback(reason);
            Engine.Options.JitFallback?.Invoke(Function(index), reason);
        }
    }

    /// <summary>The body of defined function <paramref name="index"/>.</summary>
    internal Function Code(int index) => Validated.Module.Functions[index - Validated.ImportedFunctionCount];

    /// <summary>
    /// Queues the uncompiled callees of a group a first call just compiled for the background thread, and starts it if it is not
    /// running (<see cref="EngineOptions.JitBackground"/>; under <see cref="_gate"/>). It compiles one group at a time
    /// under the gate, so a first call that needs a function meanwhile waits for at most one group and then finds it
    /// compiled or compiles it itself.
    /// </summary>
    private void CompileAhead(List<int> compiled)
    {
        var options = Engine.Options;
        if (!options.JitBackground || options.JitEager || options.JitEmitOnly || _assembly is not null || _tierUp > 0)
        {
            return; // (with tier-up the background thread compiles what turned hot, not what might be called next)
        }
        foreach (var index in compiled)
        {
            foreach (var instruction in Code(index).Body.Instructions)
            {
                if (instruction.Opcode is Opcode.Call or Opcode.ReturnCall && _status[instruction.Index] == Status.Unknown)
                {
                    _ahead.Enqueue((int)instruction.Index);
                }
            }
        }
        StartBackground();
    }

    /// <summary>Starts the background thread over <see cref="_ahead"/> unless it runs or has nothing to do (under <see cref="_gate"/>).</summary>
    private void StartBackground()
    {
        if (_compilingAhead || _ahead.Count == 0)
        {
            return;
        }
        _compilingAhead = true;
        new Thread(CompileAheadLoop, GuestThread.StackSize) { IsBackground = true, Priority = ThreadPriority.BelowNormal, Name = "jit ahead" }.Start();
    }

    private void CompileAheadLoop()
    {
        while (true)
        {
            int root;
            lock (_gate)
            {
                do
                {
                    if (!_ahead.TryDequeue(out root))
                    {
                        _compilingAhead = false;
                        return;
                    }
                }
                while (root >= 0 && _status[root] is not (Status.Unknown or Status.Hot));
            }
            try
            {
                if (root < 0)
                {
                    var variant = ~root;
                    CompileLoopVariant(variant % _status.Length, null, whole: variant >= _status.Length);
                }
                else
                {
                    Compile(() => _status[root] is Status.Unknown or Status.Hot ? Reachable(root) : null, ahead: true);
                }
            }
            catch (Exception)
            {
                // Nothing here may take the process down: a function this failed on is left uncompiled, and its
                // first call compiles it on the calling thread, where the failure reaches the caller.
                lock (_gate)
                {
                    _compilingAhead = false;
                    foreach (var index in _ahead.Where(i => i >= 0 && _status[i] == Status.Hot))
                    {
                        _status[index] = Status.Unknown; // hot but not compiled: a later call or loop asks again
                    }
                    _ahead.Clear();
                }
                return;
            }
        }
    }

    /// <summary>
    /// The group compiled on <paramref name="root"/>'s first call: it and the uncompiled functions it reaches through
    /// direct calls, nearest first, within <see cref="JitBudget.GroupInstructions"/> and
    /// <see cref="JitBudget.GroupFunctions"/>. The rest stay uncompiled for now: the group calls them through the
    /// code table, and each is compiled (with a group of its own) on its first call.
    /// </summary>
    private List<int> Reachable(int root)
    {
        if (_tierUp > 0)
        {
            return [root]; // with tier-up each function is compiled when it is hot, not with what it might call
        }
        var found = new List<int> { root };
        var seen = new HashSet<int> { root };
        var size = Code(root).Body.Instructions.Count;
        for (var i = 0; i < found.Count; i++)
        {
            foreach (var instruction in Code(found[i]).Body.Instructions)
            {
                if (instruction.Opcode is not (Opcode.Call or Opcode.ReturnCall) || _status[instruction.Index] != Status.Unknown || !seen.Add((int)instruction.Index))
                {
                    continue;
                }
                var callee = (int)instruction.Index;
                var calleeSize = Code(callee).Body.Instructions.Count;
                if (size + calleeSize > JitBudget.GroupInstructions)
                {
                    continue; // too large to join: a smaller one further on may still fit
                }
                size += calleeSize;
                found.Add(callee);
                if (found.Count == JitBudget.GroupFunctions)
                {
                    return found;
                }
            }
        }
        return found;
    }

    /// <summary>A group between its emission (under <see cref="_gate"/>) and the end of RyuJIT's work on it (outside).</summary>
    private sealed class Group(List<int> functions, List<System.Reflection.MethodInfo> outlined, TimeSpan emitTime)
    {
        public List<int> Functions { get; } = functions;

        public List<System.Reflection.MethodInfo> Outlined { get; } = outlined;

        public TimeSpan EmitTime { get; } = emitTime;

        /// <summary>Set when the group is compiled, fell back or was abandoned: first calls of its functions wait for it.</summary>
        public ManualResetEventSlim Done { get; } = new();
    }

    /// <summary>
    /// Compiles the functions <paramref name="select"/> picks (under <see cref="_gate"/>, so that it sees every
    /// function's current status; null or empty: nothing to do) as one group: declared and emitted under the gate,
    /// then compiled by RyuJIT outside it, while the group's functions are <see cref="Status.Compiling"/> (their first
    /// calls wait), so that another thread (a first call, the background thread) can emit and compile another group
    /// at the same time. Interrupted (<paramref name="requester"/>), the group goes back to uncompiled.
    /// </summary>
    private void Compile(Func<List<int>?> select, Store? requester = null, bool ahead = false)
    {
        Group? group;
        lock (_gate)
        {
            var functions = select();
            if (functions is null || functions.Count == 0)
            {
                return;
            }
            group = Emit(functions, requester);
        }
        if (group is null)
        {
            return;
        }
        Exception? failure;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            failure = _assembly is null ? Prepare(group.Functions, group.Outlined, requester) : null;
        }
        catch
        {
            lock (_gate)
            {
                Abandon(group);
            }
            throw;
        }
        lock (_gate)
        {
            Engine.JitStatistics.RecordTimes(group.EmitTime, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            Finish(group, failure, ahead);
        }
    }

    /// <summary>
    /// Declares and emits <paramref name="functions"/> (under <see cref="_gate"/>): the group to hand to RyuJIT, its
    /// functions now <see cref="Status.Compiling"/>; or null when none is left to compile (they fell back, or only
    /// their IL was wanted).
    /// </summary>
    private Group? Emit(List<int> functions, Store? requester)
    {
        var options = Engine.Options;
        var compiled = new List<int>();
        foreach (var index in functions)
        {
            var reason = FunctionCompiler.Unsupported(Validated, index)
                ?? (options.JitFilter?.Invoke(Function(index)) == false ? "excluded by EngineOptions.JitFilter" : null)
                ?? (_compiledFunctions >= JitBudget.ModuleFunctions ? $"over the JIT's budget: {JitBudget.ModuleFunctions} functions of this module compiled already" : null);
            if (reason is null)
            {
                _methods[index] = FunctionCompiler.Declare(this, index, _assembly);
                compiled.Add(index);
                _compiledFunctions++;
            }
            else
            {
                _status[index] = Status.Fallback;
                Engine.JitStatistics.RecordFallback(reason);
                options.JitFallback?.Invoke(Function(index), reason);
            }
        }
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var willCompile = new HashSet<int>(compiled);
        var outlined = new List<System.Reflection.MethodInfo>();
        try
        {
            foreach (var index in compiled)
            {
                StopIfInterrupted(requester);
                // A callee being compiled by another group is called through the code table: that group may still fail.
                outlined.AddRange(FunctionCompiler.Emit(this, index, callee => _status[callee] == Status.Compiled || willCompile.Contains(callee), out var outline));
                if (_tierUp > 0)
                {
                    _outlines[index] = outline; // for its loop variant, if it gets one
                }
            }
        }
        catch (NotSupportedException e)
        {
            // A construct the support check missed: interpret the whole group rather than fail.
            FallBack(compiled, "emitter: " + e.Message);
            return null;
        }
        catch (TrapException)
        {
            Forget(compiled);
            throw;
        }
        var emitTime = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        if (options.JitEmitOnly && _assembly is null)
        {
            // The IL was wanted (JitDumpIl), not the code: the interpreter runs these functions.
            Engine.JitStatistics.RecordTimes(emitTime, TimeSpan.Zero);
            foreach (var index in compiled)
            {
                _methods[index] = null;
                _status[index] = Status.Fallback;
            }
            return null;
        }
        if (compiled.Count == 0)
        {
            return null;
        }
        var group = new Group(compiled, outlined, emitTime);
        foreach (var index in compiled)
        {
            _status[index] = Status.Compiling;
            _pending[index] = group;
        }
        return group;
    }

    /// <summary>Ends a group RyuJIT has compiled (or refused: <paramref name="failure"/>), under <see cref="_gate"/>.</summary>
    private void Finish(Group group, Exception? failure, bool ahead)
    {
        var compiled = group.Functions;
        foreach (var index in compiled)
        {
            _pending[index] = null;
        }
        if (failure is not null)
        {
            // RyuJIT refused a method (InvalidProgramException and the like). The group's methods call each other
            // directly, so none of them may run: interpret them all.
            FallBack(compiled, $"RyuJIT: {failure.GetType().Name}: {failure.Message}");
            group.Done.Set();
            return;
        }
        foreach (var index in compiled)
        {
            if (_assembly is null)
            {
                _code[index] = Pointer(index); // compiled: calls from other groups may now go straight to it
            }
            _status[index] = Status.Compiled;
        }
        Engine.JitStatistics.RecordCompiled(compiled.Count, group.Outlined.Count);
        group.Done.Set();
        if (!ahead)
        {
            // Only what first calls compiled looks ahead: the background thread stays one call away from code that
            // ran, instead of compiling everything the program could reach (Lua: some 800 functions, most never called).
            CompileAhead(compiled);
        }
    }

    /// <summary>Puts an interrupted (or failed) group back to uncompiled, under <see cref="_gate"/>: a later call compiles it afresh.</summary>
    private void Abandon(Group group)
    {
        foreach (var index in group.Functions)
        {
            _pending[index] = null;
            _status[index] = Status.Unknown;
        }
        Forget(group.Functions);
        group.Done.Set();
    }

    private void Forget(List<int> functions)
    {
        foreach (var index in functions)
        {
            _methods[index] = null;
        }
        _compiledFunctions -= functions.Count;
    }
}

/// <summary>What the JIT of one <see cref="Engine"/> did: functions compiled, and those left to the interpreter with why.</summary>
public sealed class JitStatistics
{
    private long _compiled;
    private long _regions;
    private long _emitTicks;
    private long _prepareTicks;
    private long _loopVariants;
    private long _loopEntries;
    private readonly ReasonCounts _fallbacks = new();

    /// <summary>Functions compiled to CIL so far (each once per module, however many instances it has).</summary>
    public long Compiled => Interlocked.Read(ref _compiled);

    /// <summary>Parts of large functions compiled as methods of their own (docs/jit.md, "Large functions").</summary>
    public long Regions => Interlocked.Read(ref _regions);

    /// <summary>Tier-up: loop variants compiled (a function's method entered at the head of a hot loop; docs/jit.md, "Tier-up").</summary>
    public long LoopVariants => Interlocked.Read(ref _loopVariants);

    /// <summary>Tier-up: calls the interpreter was running that moved into compiled code at the head of a hot loop.</summary>
    public long LoopEntries => Interlocked.Read(ref _loopEntries);

    /// <summary>Functions left to the interpreter because they use something the JIT does not compile.</summary>
    public long FallenBack => _fallbacks.Total;

    /// <summary>
    /// Fallen-back functions by reason: the name of the first instruction the JIT does not compile in each,
    /// <c>value type</c> for a signature or local it cannot represent, <c>emitter</c> for a group the emitter gave up on.
    /// </summary>
    public IReadOnlyDictionary<string, long> FallbackReasons => _fallbacks.ByReason;

    /// <summary>Adds another engine's counts to these (for a report over several engines).</summary>
    public void Add(JitStatistics other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Interlocked.Add(ref _compiled, other.Compiled);
        Interlocked.Add(ref _regions, other.Regions);
        Interlocked.Add(ref _emitTicks, other.EmitTime.Ticks);
        Interlocked.Add(ref _prepareTicks, other.PrepareTime.Ticks);
        Interlocked.Add(ref _loopVariants, other.LoopVariants);
        Interlocked.Add(ref _loopEntries, other.LoopEntries);
        _fallbacks.Add(other.FallbackReasons);
    }

    /// <summary>Time spent translating Wasm to IL (outlining plans included), all groups together.</summary>
    public TimeSpan EmitTime => TimeSpan.FromTicks(Interlocked.Read(ref _emitTicks));

    /// <summary>Wall time RyuJIT spent compiling that IL to machine code when groups were prepared (in parallel for large groups).</summary>
    public TimeSpan PrepareTime => TimeSpan.FromTicks(Interlocked.Read(ref _prepareTicks));

    internal void RecordTimes(TimeSpan emit, TimeSpan prepare)
    {
        Interlocked.Add(ref _emitTicks, emit.Ticks);
        Interlocked.Add(ref _prepareTicks, prepare.Ticks);
    }

    internal void RecordCompiled(int count, int regions)
    {
        Interlocked.Add(ref _compiled, count);
        Interlocked.Add(ref _regions, regions);
    }

    internal void RecordFallback(string reason) => _fallbacks.Record(reason);

    internal void RecordLoopVariant() => Interlocked.Increment(ref _loopVariants);

    internal void RecordLoopEntry() => Interlocked.Increment(ref _loopEntries);
}
