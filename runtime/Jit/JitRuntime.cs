using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.Intrinsics;
using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Jit;

/// <summary>
/// What compiled code reaches through its last argument: one instance's index spaces, its first memory (whose
/// base and length compiled code caches) and the store's JIT state. The code belongs to the module
/// (<see cref="JitModule"/>) and is shared by all its instances; each instance has its own context.
/// </summary>
internal sealed class JitContext(ModuleInstance instance, JitState state, JitModule module)
{
    public readonly ModuleInstance Instance = instance;
    public readonly JitState State = state;
    public readonly JitModule Module = module;
    public readonly FunctionInstance[] Functions = instance.Functions;
    public readonly GlobalInstance[] Globals = instance.Globals;
    public readonly TableInstance[] Tables = instance.Tables;
    public readonly MemoryInstance? Memory0 = instance.Memories.Length > 0 ? instance.Memories[0] : null;
    public readonly MemoryInstance[] Memories = instance.Memories;

    /// <summary>The module's code table (<see cref="JitModule.CodeTable"/>): calls to functions outside the caller's group go through it.</summary>
    public readonly nint[] Code = module.CodeTable;

    /// <summary>The canonical types by module type index (GC allocation and casts).</summary>
    public readonly Validation.DefinedType[] Types = instance.DefinedTypes;
    public readonly GuestCoverage? Coverage = module.Engine.Options.GuestCoverage;

    /// <summary>How relaxed SIMD instructions pick their result (the engine's option; an argument of their <see cref="RelaxedVectorOps"/> method).</summary>
    public readonly RelaxedSimdMode RelaxedSimd = instance.Store.Engine.Options.RelaxedSimd;
}

/// <summary>
/// The JIT tier's state in one store: the depth limit, the call depth where compiled code called out through the
/// store (compiled frames pass their depth as an argument, counted as the interpreter counts its frames, so
/// <c>call stack exhausted</c> comes at the same depth; an entry thunk starts from this one), and the entry from the
/// shared call path.
/// </summary>
internal sealed class JitState(Store store)
{
    public readonly Store Store = store;
    public readonly int MaxDepth = store.Engine.Options.MaxCallDepth;

    /// <summary>The depth of the compiled frame that last called out of compiled code (0 from the host).</summary>
    public int Depth;

    /// <summary>Lowest stack address compiled frames may reach on the running thread (<see cref="GuestThread.StackLimit"/>).</summary>
    public nuint StackLimit;

    /// <summary>
    /// Tier-up's on-stack replacement: the loop (ordinal) at whose head the compiled function about to be entered
    /// starts instead of at its beginning, or -1. Its prologue takes it (and sets it back to -1) and loads its locals
    /// and operand stack from <see cref="LoopState"/> (<see cref="EnterLoop"/>).
    /// </summary>
    public int LoopEntry = -1;

    /// <summary>The locals, then the operand stack, of the call that moves into compiled code at <see cref="LoopEntry"/>.</summary>
    public Value[]? LoopState;

    /// <summary>True when the JIT runs <paramref name="function"/> (compiling it, lazily, if needed); false when the interpreter must.</summary>
    public bool Runs(WasmFunction function) => JitModule.ContextOf(function.Instance).Module.Runs((int)function.Index, function.Instance.Store);

    /// <summary>
    /// Gives a trap (raised by compiled code or by a host function it called) the compiled frames of this call,
    /// innermost first, unless a deeper call recorded its own already (as the interpreter does); always false.
    /// </summary>
    private static bool RecordBacktrace(TrapException trap, JitContext context)
    {
        if (trap.WasmBacktrace.Count == 0)
        {
            trap.WasmBacktrace = context.Module.Frames(trap, context.Instance);
        }
        return false;
    }

    /// <summary>Tier-up: the store's engine tiers up, so its interpreter runs on a guest thread too (<see cref="Interpret"/>).</summary>
    public readonly bool TiersUp = store.Engine.Options.TierUpThreshold > 0;

    /// <summary>
    /// Tier-up: interprets <paramref name="function"/> on a guest thread, where the compiled code it calls (and moves
    /// into at hot loops) runs too: on a thread with a small stack every such call would switch threads.
    /// </summary>
    public void Interpret(WasmFunction function, ReadOnlySpan<Value> args, Span<Value> results)
    {
        var arguments = args.ToArray();
        var values = new Value[results.Length];
        GuestThread.Run(() => Store.Machine.Invoke(function, arguments, values));
        values.CopyTo(results);
    }

    /// <summary>Runs <paramref name="function"/> compiled, on a thread with a large stack; false when it falls back to the interpreter.</summary>
    public bool TryInvoke(WasmFunction function, ReadOnlySpan<Value> args, Span<Value> results)
    {
        var context = JitModule.ContextOf(function.Instance);
        if (!context.Module.Runs((int)function.Index, function.Instance.Store))
        {
            return false;
        }
        var values = new Value[results.Length];
        Run(context, context.Module.Entry((int)function.Index), args.ToArray(), values, -1);
        values.CopyTo(results);
        return true;
    }

    /// <summary>
    /// Tier-up: the entry through which a call of <paramref name="function"/> that the interpreter runs may move into
    /// compiled code at the head of loop <paramref name="loop"/> now, or null (asking has what is missing compiled:
    /// <see cref="JitModule.EntryAtLoop"/>).
    /// </summary>
    public Action<JitContext, Value[], Value[]>? EntryAtLoop(WasmFunction function, int loop) =>
        JitModule.ContextOf(function.Instance).Module.EntryAtLoop((int)function.Index, loop, function.Instance.Store);

    /// <summary>
    /// Tier-up: moves a call of <paramref name="function"/> that the interpreter runs into its compiled code through
    /// <paramref name="entry"/> (<see cref="EntryAtLoop"/> of loop <paramref name="loop"/>), with the call's locals and
    /// operand stack there (<paramref name="state"/>; its first values are the parameters, which the code takes as
    /// arguments), and runs it to its end.
    /// </summary>
    public void EnterLoop(WasmFunction function, Action<JitContext, Value[], Value[]> entry, int loop, Value[] state, Value[] results)
    {
        Store.Engine.JitStatistics.RecordLoopEntry();
        Run(JitModule.ContextOf(function.Instance), entry, state, results, loop);
    }

    /// <summary>Calls an <paramref name="entry"/> thunk on a guest thread (a function from its beginning, or its loop variant at loop <paramref name="loop"/> when not -1).</summary>
    private void Run(JitContext context, Action<JitContext, Value[], Value[]> entry, Value[] args, Value[] results, int loop)
    {
        try
        {
            GuestThread.Run(() =>
            {
                var depth = Depth;
                var limit = StackLimit;
                try
                {
                    StackLimit = GuestThread.StackLimit;
                    if (loop >= 0)
                    {
                        (LoopEntry, LoopState) = (loop, args);
                    }
                    entry(context, args, results);
                }
                finally
                {
                    Depth = depth;
                    StackLimit = limit;
                    (LoopEntry, LoopState) = (-1, null);
                }
            });
        }
        catch (TrapException trap) when (RecordBacktrace(trap, context))
        {
            throw; // never reached: the filter only records the frames
        }
    }
}

/// <summary>
/// Runs guest code on a thread with a large, known stack, so that the call depth limit, not the .NET stack, ends
/// deep recursion. The helper threads are a pool shared by every calling thread: a call takes an idle one (or
/// starts one), and one idle for <see cref="IdleTimeout"/> exits, giving back the stack that deep recursion
/// committed. Calls made on a helper thread run inline.
/// </summary>
internal static class GuestThread
{
    /// <summary>Stack of a helper thread: room for <see cref="EngineOptions.MaxCallDepth"/> compiled frames many times over.</summary>
    public const int StackSize = 512 * 1024 * 1024;

    [ThreadStatic]
    private static bool t_isGuest;

    private static readonly System.Collections.Concurrent.ConcurrentStack<Worker> s_idle = new();
    private static int s_live;

    /// <summary>How long a helper thread waits for work before it exits.</summary>
    internal static TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Helper threads alive now (busy or idle).</summary>
    internal static int LiveWorkers => Volatile.Read(ref s_live);

    /// <summary>Stack the calling thread must have left for guest code to run on it directly, without a thread switch.</summary>
    public const long InlineStackThreshold = 48L * 1024 * 1024;

    /// <summary>Stack kept free below the deepest compiled frame: for exception dispatch, helpers, host calls and the interpreter.</summary>
    public const long StackReserve = 8L * 1024 * 1024;

    [ThreadStatic]
    private static int t_largeStack; // 0 unknown, 1 yes, 2 no

    [ThreadStatic]
    private static nuint t_stackLimit;

    /// <summary>The lowest stack address compiled code may use on this thread (a guest thread, or one with a large stack).</summary>
    public static nuint StackLimit => t_stackLimit;

    public static void Run(Action action)
    {
        if (t_isGuest || HasLargeStack())
        {
            action();
            return;
        }
        while (true)
        {
            // An idle worker may time out between being popped and being claimed: then take another.
            var worker = s_idle.TryPop(out var idle) ? idle : new Worker();
            if (worker.TryRun(action))
            {
                return;
            }
        }
    }

    /// <summary>
    /// True when the calling thread's stack has <see cref="InlineStackThreshold"/> bytes left below this frame
    /// (found once per thread from <c>/proc/self/maps</c> on Linux; elsewhere guest code always switches threads).
    /// </summary>
    private static unsafe bool HasLargeStack()
    {
        if (t_largeStack == 0)
        {
            t_largeStack = 2;
            try
            {
                if (OperatingSystem.IsLinux())
                {
                    var marker = 0;
                    var here = (ulong)&marker;
                    foreach (var line in File.ReadLines("/proc/self/maps"))
                    {
                        var dash = line.IndexOf('-');
                        var space = line.IndexOf(' ');
                        if (dash < 0 || space < dash)
                        {
                            continue;
                        }
                        var start = ulong.Parse(line.AsSpan(0, dash), System.Globalization.NumberStyles.HexNumber, null);
                        var end = ulong.Parse(line.AsSpan(dash + 1, space - dash - 1), System.Globalization.NumberStyles.HexNumber, null);
                        if (start <= here && here < end)
                        {
                            // The main thread's [stack] mapping grows on demand (up to the rlimit), so its size says nothing.
                            t_largeStack = !line.EndsWith("[stack]", StringComparison.Ordinal) && here - start >= InlineStackThreshold ? 1 : 2;
                            t_stackLimit = (nuint)(start + StackReserve);
                            break;
                        }
                    }
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return t_largeStack == 1;
    }

    private sealed class Worker
    {
        private const int Idle = 0, Busy = 1, Retired = 2;

        private readonly SemaphoreSlim _start = new(0);
        private readonly SemaphoreSlim _done = new(0);
        private int _state = Busy; // a new worker belongs to the caller that made it
        private Action? _action;
        private ExceptionDispatchInfo? _error;

        public Worker()
        {
            Interlocked.Increment(ref s_live);
            var thread = new Thread(Loop, StackSize) { IsBackground = true, Name = "wasm guest" };
            thread.Start();
        }

        /// <summary>Runs <paramref name="action"/> on this worker and waits for it; false when the worker had already exited.</summary>
        public bool TryRun(Action action)
        {
            if (Interlocked.CompareExchange(ref _state, Busy, Idle) == Retired)
            {
                return false;
            }
            _action = action;
            _error = null;
            _start.Release();
            _done.Wait();
            var error = _error;
            _error = null;
            Volatile.Write(ref _state, Idle);
            s_idle.Push(this);
            error?.Throw();
            return true;
        }

        private unsafe void Loop()
        {
            t_isGuest = true;
            var marker = 0;
            t_stackLimit = (nuint)((ulong)&marker - (ulong)(StackSize - StackReserve));
            try
            {
                while (true)
                {
                    if (!_start.Wait(IdleTimeout))
                    {
                        // Idle too long: exit, unless a caller claims this worker at the same moment.
                        if (Interlocked.CompareExchange(ref _state, Retired, Idle) == Idle)
                        {
                            return;
                        }
                        _start.Wait();
                    }
                    try
                    {
                        _action!();
                    }
                    catch (Exception e)
                    {
                        _error = ExceptionDispatchInfo.Capture(e);
                    }
                    finally
                    {
                        _action = null;
                        _done.Release();
                    }
                }
            }
            finally
            {
                Interlocked.Decrement(ref s_live);
            }
        }
    }
}

/// <summary>Helpers that compiled code calls: frame entry and exit, traps, calls through the store, tables, memory and value packing.</summary>
internal static partial class JitRuntime
{
    /// <summary>
    /// Frame entry at call depth <paramref name="depth"/> (the first compiled frame of a call from the host is 1, as
    /// the interpreter counts its frames): traps beyond the depth limit, and before the frame would come within
    /// <see cref="GuestThread.StackReserve"/> of the end of the thread's stack (so even huge frames never overflow it).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    [SkipLocalsInit] // the marker is only an address
    public static unsafe void Enter(int depth, JitState state)
    {
        byte marker;
        if (depth > state.MaxDepth || (nuint)(&marker) < state.StackLimit)
        {
            throw Trap((int)TrapKind.CallStackExhausted);
        }
    }

    /// <summary>Entry of an outlined region (a method that is part of its function's frame): the stack check of <see cref="Enter"/> only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void CheckStack(JitState state)
    {
        byte marker = 0;
        if ((nuint)(&marker) < state.StackLimit)
        {
            throw Trap((int)TrapKind.CallStackExhausted);
        }
    }

    /// <summary>Traps with <see cref="TrapKind.Interrupted"/> when the store was asked to stop (<see cref="Store.Interrupt"/>).</summary>
    public static void StopIfInterrupted(JitContext context)
    {
        if (context.State.Store.Interrupted)
        {
            throw Trap((int)TrapKind.Interrupted);
        }
    }

    public static void ConsumeFuel(JitContext context, int amount)
    {
        var store = context.State.Store;
        var fuel = store.Fuel - amount;
        if (fuel < 0)
        {
            store.Fuel = 0;
            throw Trap((int)TrapKind.OutOfFuel);
        }
        store.Fuel = fuel;
    }

    /// <summary>Makes the exception compiled code throws (with <c>throw</c>, so the IL after it is dead).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Exception Trap(int kind) => new TrapException((TrapKind)kind);

    /// <summary>An f32 from its bits, out of line so that RyuJIT never folds (and quiets) a signalling NaN constant.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static float F32Bits(int bits) => BitConverter.Int32BitsToSingle(bits);

    /// <summary>An f64 from its bits, out of line (see <see cref="F32Bits"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static double F64Bits(long bits) => BitConverter.Int64BitsToDouble(bits);

    /// <summary><c>f32.reinterpret_i32</c> out of line (the table's <c>jit</c> column), like <see cref="F32Bits"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static float F32Reinterpret(int bits) => ScalarOps.F32ReinterpretI32(bits);

    // Rotations stay out of line (the table's jit column names these wrappers of ScalarOps): inlined, RyuJIT 10 on x64 fuses a following "== 0" with the flags of a
    // rotate by a constant (ror/rol do not set ZF), so eqz(rotr(x, k)) came out wrong (found by the generated
    // differential test; see RotateFollowedByEqz).
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int I32Rotl(int a, int b) => ScalarOps.I32Rotl(a, b);

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int I32Rotr(int a, int b) => ScalarOps.I32Rotr(a, b);

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long I64Rotl(long a, long b) => ScalarOps.I64Rotl(a, b);

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long I64Rotr(long a, long b) => ScalarOps.I64Rotr(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static object? GlobalRef(GlobalInstance global) => global.RawValue.Reference;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetGlobalRef(object? value, GlobalInstance global) => global.RawValue = new Value(0, 0, value);

    // ---- Value packing (entry thunks and calls through the store) -----------------------------------------
    public static int ArgI32(Value[] values, int i) => (int)values[i].Low;

    public static long ArgI64(Value[] values, int i) => (long)values[i].Low;

    public static float ArgF32(Value[] values, int i) => BitConverter.UInt32BitsToSingle((uint)values[i].Low);

    public static double ArgF64(Value[] values, int i) => BitConverter.UInt64BitsToDouble(values[i].Low);

    public static object? ArgRef(Value[] values, int i) => values[i].Reference;

    public static void PutI32(Value[] values, int i, int value) => values[i] = new Value((uint)value);

    public static void PutI64(Value[] values, int i, long value) => values[i] = new Value((ulong)value);

    public static void PutF32(Value[] values, int i, float value) => values[i] = new Value(BitConverter.SingleToUInt32Bits(value));

    public static void PutF64(Value[] values, int i, double value) => values[i] = new Value(BitConverter.DoubleToUInt64Bits(value));

    public static void PutRef(Value[] values, int i, object? value) => values[i] = new Value(0, 0, value);

    // ---- Calls through the store ---------------------------------------------------------------------------
    /// <summary>Calls any function (host, compiled or interpreted) with packed arguments, on behalf of a function of <paramref name="caller"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // RyuJIT finds inlining it unprofitable at every site: saying so spares it the evaluation (docs/jit.md)
    public static Value[] CallFunction(ModuleInstance caller, FunctionInstance function, Value[] args)
    {
        var results = new Value[function.Type.Results.Count];
        switch (function)
        {
            case WasmFunction wasm when JitModule.ContextOf(wasm.Instance) is var context && context.Module.Runs((int)wasm.Index, wasm.Instance.Store):
                context.Module.Entry((int)wasm.Index)(context, args, results);
                break;
            default:
                Store.Call(function, args, results, caller);
                break;
        }
        return results;
    }

    /// <summary><c>call</c> of an imported (or interpreted) function.</summary>
    public static Value[] Call(Value[] args, JitContext context, int functionIndex) =>
        CallFunction(context.Instance, context.Functions[functionIndex], args);

    /// <summary>Calls a function that does not run compiled (host or interpreted) with packed arguments.</summary>
    public static Value[] CallPacked(Value[] args, FunctionInstance function, JitContext context) => CallFunction(context.Instance, function, args);

    // ---- Memory --------------------------------------------------------------------------------------------
    public static int MemorySize(JitContext context) => (int)context.Memory0!.Pages;

    public static int MemoryGrow(int delta, JitContext context) => (int)context.Memory0!.Grow((uint)delta);

    public static void MemoryFill(int destination, int value, int count, JitContext context) =>
        context.Memory0!.Fill((uint)destination, (byte)value, (uint)count);

    public static void MemoryCopy(int destination, int source, int count, JitContext context) =>
        MemoryInstance.Copy(context.Memory0!, (uint)destination, context.Memory0!, (uint)source, (uint)count);

    public static void MemoryInit(int destination, int source, int count, JitContext context, int dataIndex)
    {
        var memory = context.Memory0!;
        var bytes = context.Instance.Data[dataIndex].Bytes.Span;
        if ((uint)source > (uint)bytes.Length || (uint)count > (uint)bytes.Length - (uint)source || !memory.InBounds((uint)destination, 0, (uint)count))
        {
            throw Trap((int)TrapKind.OutOfBoundsMemoryAccess);
        }
        memory.WriteBytes((uint)destination, bytes.Slice(source, count));
    }

    public static void DataDrop(JitContext context, int dataIndex) => context.Instance.Data[dataIndex].Drop();

    // ---- Tables and references ----------------------------------------------------------------------------
    public static void ElemDrop(JitContext context, int element) => context.Instance.Elements[element].Drop();

    /// <summary><c>ref.eq</c>: identity, except that i31 references compare by value (as the interpreter compares them).</summary>
    public static int RefEq(object? a, object? b) => Gc.ReferenceEqual(a, b) ? 1 : 0;

    // ---- select of floats without a branch -----------------------------------------------------------------
    // RyuJIT turns an integer select into cmov but a float one into a branch, which mispredicts on data-dependent
    // choices (a running minimum written `x < m ? x : m`, which C compilers emit as select). These blend instead:
    // the condition becomes a mask of all ones or zeros, and the bits of a or b pass through it.

    /// <summary><c>c != 0 ? a : b</c> for f64, branch-free.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SelectF64(double a, double b, int c) =>
        Vector128.ConditionalSelect(
            Vector128.Create((long)((c | -c) >> 31)).AsDouble(),
            Vector128.CreateScalarUnsafe(a),
            Vector128.CreateScalarUnsafe(b)).ToScalar();

    /// <summary><c>c != 0 ? a : b</c> for f32, branch-free.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float SelectF32(float a, float b, int c) =>
        Vector128.ConditionalSelect(
            Vector128.Create((c | -c) >> 31).AsSingle(),
            Vector128.CreateScalarUnsafe(a),
            Vector128.CreateScalarUnsafe(b)).ToScalar();

    // ---- Vectors: values are Syntax.V128; instructions run through the interpreter's implementation ---------
    public static V128 V128Const(long low, long high) => new((ulong)low, (ulong)high);

    /// <summary>
    /// <see cref="V128Const"/> that RyuJIT cannot see through, for a constant with a NaN lane: folded at compile time
    /// into an inlined vector operation that reads lanes as scalar floats, a signalling NaN lane would come out quieted
    /// (RyuJIT keeps float constants as doubles), where the instruction at run time keeps it.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static V128 V128ConstOpaque(long low, long high) => new((ulong)low, (ulong)high);

    public static V128 ArgV128(Value[] values, int i) => values[i].V128;

    public static void PutV128(Value[] values, int i, V128 value) => values[i] = Value.FromV128(value);

    public static V128 GlobalV128(GlobalInstance global) => global.RawValue.V128;

    public static void SetGlobalV128(V128 value, GlobalInstance global) => global.RawValue = Value.FromV128(value);

    public static object RefAsNonNull(object? value) => value ?? throw Trap((int)TrapKind.NullReference);
}
