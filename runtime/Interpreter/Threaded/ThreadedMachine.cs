using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using WasmHarness.Execution;

namespace WasmHarness.Interpreter.Threaded;

/// <summary>
/// The threaded interpreter of one store: functions whose values are all numbers run as chains of handlers
/// (<see cref="Handlers"/>) over a native stack of 64-bit slots. Calls between such functions push a frame on an
/// explicit frame stack and jump into the callee's code, so guest recursion never recurses on the .NET stack
/// (<c>call stack exhausted</c> at <see cref="EngineOptions.MaxCallDepth"/> frames or
/// <see cref="EngineOptions.MaxStackSlots"/> slots, as in <see cref="Machine"/>). Anything else (host functions,
/// functions the threaded code cannot run) goes through <see cref="Store.Call"/>, which may come back in
/// (<see cref="Invoke"/> nests above the caller's stack top).
/// </summary>
internal sealed unsafe class ThreadedMachine : IDisposable
{
    private readonly Store _store;
    private readonly int _maxDepth;
    private readonly nuint _slots;
    private ulong* _stack;
    private ulong* _stackLimit;
    /// <summary>Where the next invocation's frame starts: the stack top of the call that left the threaded code.</summary>
    private ulong* _top;

    /// <summary>The frames of the active calls; <see cref="Frame.ReturnIp"/> is null for an invocation's entry.</summary>
    internal Frame[] Frames;
    internal int Depth;

    /// <summary>Every context this machine made, by <see cref="ThreadedContext.Id"/> (frames name contexts by number).</summary>
    internal ThreadedContext[] Contexts = new ThreadedContext[4];
    private int _contextCount;

    /// <summary>
    /// A call's frame: where to return, the caller's frame pointer and context, and the callee (its context and its
    /// index in its instance, for backtraces). Numbers and pointers only: pushing a frame stores no object reference,
    /// so a call pays no GC write barrier.
    /// </summary>
    internal struct Frame
    {
        public ThreadedOp* ReturnIp;
        public ulong* CallerFp;
        public int CallerContext;
        public int CalleeContext;
        public uint CalleeIndex;
    }

    public ThreadedMachine(Store store)
    {
        _store = store;
        _maxDepth = store.Engine.Options.MaxCallDepth;
        _slots = (nuint)store.Engine.Options.MaxStackSlots;
        Frames = new Frame[Math.Min(64, Math.Max(1, _maxDepth))];
    }

    ~ThreadedMachine() => Free();

    /// <summary>Frees the native stack (no code may run in the store); a later call allocates it again.</summary>
    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        if (_stack != null)
        {
            StackPool.Return(_stack, _slots);
            _stack = _stackLimit = _top = null;
        }
    }

    /// <summary>
    /// Native stacks of machines that are gone, for the next machines: a store's stack is <see cref="EngineOptions.MaxStackSlots"/>
    /// slots of address space (32 MiB by default) of which a run touches little, and a harness that makes a store per
    /// test case would otherwise map and unmap one, and fault its first pages in, for every case. A stack needs no
    /// clearing between owners: a call zeroes its locals, and operands are written before they are read.
    /// </summary>
    private static class StackPool
    {
        private const int Capacity = 8;
        private static readonly Stack<(nint Stack, nuint Slots)> s_free = new();

        public static ulong* Rent(nuint slots)
        {
            lock (s_free)
            {
                if (s_free.TryPeek(out var top) && top.Slots == slots)
                {
                    return (ulong*)s_free.Pop().Stack;
                }
            }
            return (ulong*)NativeMemory.Alloc(slots, sizeof(ulong));
        }

        public static void Return(ulong* stack, nuint slots)
        {
            lock (s_free)
            {
                if (s_free.Count < Capacity)
                {
                    s_free.Push(((nint)stack, slots));
                    return;
                }
            }
            NativeMemory.Free(stack);
        }
    }

    /// <summary>
    /// Whether this process compiles the handlers' calls in tail position as jumps, measured once: a chain of handlers
    /// that did not would grow the .NET stack by a frame per executed op (a debugger, <c>DOTNET_JITMinOpts</c> or a
    /// Debug build turn the tail calls off); then every function runs in <see cref="Machine.Run"/>.
    /// </summary>
    public static bool TailCallsWork => s_tailCallsWork.Value;

    private static readonly Lazy<bool> s_tailCallsWork = new(ProbeTailCalls);

    private static bool ProbeTailCalls()
    {
        const int Length = 4096;
        var ops = GC.AllocateArray<ThreadedOp>(Length + 1, pinned: true);
        for (var i = 0; i < Length; i++)
        {
            ops[i].Handler = &Handlers.Nop;
        }
        ops[Length].Handler = &Handlers.StackDepthProbe;
        fixed (ThreadedOp* first = ops)
        {
            var before = (nuint)Handlers.StackAddress();
            var after = (nuint)first->Handler(first, null, null, null!);
            // A frame per op would put the end at least 16 bytes per op below the start; a working chain a frame or two.
            return before - after < 2048;
        }
    }

    /// <summary>The threaded code of <paramref name="function"/>, or <see cref="ThreadedCode.None"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ThreadedCode CodeFor(WasmFunction function) =>
        ReferenceEquals(function.Instance.Store, _store) ? function.Threaded ?? ThreadedCode.Of(function) : ThreadedCode.None;

    /// <summary>The context of <paramref name="instance"/>, one per instance (its store has this machine only).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal ThreadedContext ContextOf(ModuleInstance instance)
    {
        if (instance.ThreadedContext is { } known)
        {
            return known;
        }
        if (_contextCount == Contexts.Length)
        {
            Array.Resize(ref Contexts, Contexts.Length * 2);
        }
        var context = new ThreadedContext(this, instance, _contextCount);
        Contexts[_contextCount++] = context;
        return instance.ThreadedContext = context;
    }

    /// <summary>The context a frame names.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ThreadedContext Context(int id) => Contexts[id];

    /// <summary>
    /// Pushes the frame of a call to <paramref name="function"/> (of <paramref name="callee"/>'s instance) whose
    /// arguments are the top slots below <paramref name="sp"/>; returns its frame pointer (its first argument), with
    /// the declared locals zeroed. Null when there is more to do than the push (no room on a stack, an interrupt):
    /// then <see cref="Enter"/>. Makes no call, so the handler it is inlined into saves no registers around one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ulong* TryEnter(ThreadedOp* returnIp, ulong* sp, ulong* fp, ThreadedContext caller, ThreadedContext callee, WasmFunction function, ThreadedCode code)
    {
        var newFp = sp - code.ParamCount;
        if (newFp + code.MaxHeight > _stackLimit || Depth >= Frames.Length || _store.Interrupted)
        {
            return null;
        }
        for (var local = sp; local < newFp + code.LocalCount; local++)
        {
            *local = 0;
        }
        ref var frame = ref Frames[Depth++];
        frame.ReturnIp = returnIp;
        frame.CallerFp = fp;
        frame.CallerContext = caller.Id;
        frame.CalleeContext = callee.Id;
        frame.CalleeIndex = function.Index;
        return newFp;
    }

    /// <summary><see cref="TryEnter"/> that grows the frame stack when it must, or traps (exhaustion, an interrupt).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal ulong* Enter(ThreadedOp* returnIp, ulong* sp, ulong* fp, ThreadedContext caller, ThreadedContext callee, WasmFunction function, ThreadedCode code)
    {
        if (TryEnter(returnIp, sp, fp, caller, callee, function, code) is var newFp && newFp != null)
        {
            return newFp;
        }
        MakeRoom(sp - code.ParamCount + code.MaxHeight);
        var entered = TryEnter(returnIp, sp, fp, caller, callee, function, code);
        if (entered == null)
        {
            TrapException.Throw(TrapKind.Interrupted); // with room made, only an interrupt refuses the push
        }
        return entered;
    }

    /// <summary>
    /// A tail call (<c>return_call</c>): <paramref name="function"/> replaces the running function in its frame, whose
    /// caller it returns to. Its arguments, the top slots below <paramref name="sp"/>, move down to
    /// <paramref name="fp"/>; its declared locals are zeroed. The frame stack does not grow, so a tail-recursive loop
    /// runs in constant space.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void EnterInPlace(ulong* sp, ulong* fp, ThreadedContext callee, WasmFunction function, ThreadedCode code)
    {
        if (fp + code.MaxHeight > _stackLimit)
        {
            TrapException.Throw(TrapKind.CallStackExhausted);
        }
        if (_store.Interrupted)
        {
            TrapException.Throw(TrapKind.Interrupted);
        }
        var args = sp - code.ParamCount;
        for (var i = 0; i < code.ParamCount; i++)
        {
            fp[i] = args[i];
        }
        for (var local = fp + code.ParamCount; local < fp + code.LocalCount; local++)
        {
            *local = 0;
        }
        ref var frame = ref Frames[Depth - 1];
        frame.CalleeContext = callee.Id;
        frame.CalleeIndex = function.Index;
    }

    /// <summary>Grows the frame stack, or traps when a limit is reached.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void MakeRoom(ulong* end)
    {
        if (end > _stackLimit || Depth >= _maxDepth)
        {
            TrapException.Throw(TrapKind.CallStackExhausted);
        }
        if (Depth >= Frames.Length)
        {
            Array.Resize(ref Frames, (int)Math.Min(Frames.Length * 2L, _maxDepth));
        }
    }

    /// <summary>Pops the innermost frame, which the returning function's handler reads its caller from.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ref Frame Pop() => ref Frames[--Depth];

    /// <summary>Calls a function the threaded code does not run itself, with the arguments on top of the stack; returns the new top.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal ulong* CallOut(FunctionInstance function, ulong* sp, ThreadedContext c)
    {
        var type = function.Type;
        var parameterCount = type.Parameters.Count;
        var resultCount = type.Results.Count;
        var args = ArrayPool<Value>.Shared.Rent(parameterCount);
        var results = ArrayPool<Value>.Shared.Rent(resultCount);
        var first = sp - parameterCount;
        var top = _top;
        try
        {
            for (var i = 0; i < parameterCount; i++)
            {
                args[i] = new Value(first[i]);
            }
            _top = sp;
            Store.Call(function, args.AsSpan(0, parameterCount), results.AsSpan(0, resultCount), c.Instance);
            for (var i = 0; i < resultCount; i++)
            {
                first[i] = results[i].Normalize(type.Results[i]).Low;
            }
            return first + resultCount;
        }
        finally
        {
            _top = top;
            ArrayPool<Value>.Shared.Return(args, clearArray: true);
            ArrayPool<Value>.Shared.Return(results, clearArray: true);
        }
    }

    /// <summary>Runs <paramref name="function"/>, whose threaded code is <paramref name="code"/>; on return <paramref name="results"/> holds its results.</summary>
    public void Invoke(WasmFunction function, ThreadedCode code, ReadOnlySpan<Value> args, Span<Value> results)
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            // Host functions calling back in nest .NET frames; stop before the process would.
            throw new TrapException(TrapKind.CallStackExhausted, "host stack");
        }
        if (_stack == null)
        {
            _stack = _top = StackPool.Rent(_slots);
            _stackLimit = _stack + _slots;
        }
        var top = _top;
        var depth = Depth;
        try
        {
            var fp = top;
            if (fp + code.MaxHeight > _stackLimit)
            {
                TrapException.Throw(TrapKind.CallStackExhausted);
            }
            var parameters = function.Type.Parameters;
            for (var i = 0; i < args.Length; i++)
            {
                fp[i] = args[i].Normalize(parameters[i]).Low;
            }
            var c = ContextOf(function.Instance);
            fp = Enter(null, fp + args.Length, null, c, c, function, code);
            var entry = code.Entry;
            entry->Handler(entry, fp + code.LocalCount, fp, c);
            for (var i = 0; i < results.Length; i++)
            {
                results[i] = new Value(fp[i]);
            }
        }
        catch (TrapException trap) when (RecordBacktrace(trap))
        {
            throw; // never reached: the filter only records the frames before the stack unwinds
        }
        finally
        {
            _top = top;
            Depth = depth;
        }
    }

    /// <summary>Gives a trap the Wasm frames active when it was thrown (innermost first), once; always false.</summary>
    private bool RecordBacktrace(TrapException trap)
    {
        if (trap.WasmBacktrace.Count == 0 && Depth > 0)
        {
            var frames = new WasmFunction[Depth];
            for (var i = 0; i < Depth; i++)
            {
                ref var frame = ref Frames[Depth - 1 - i];
                frames[i] = (WasmFunction)Contexts[frame.CalleeContext].Instance.Functions[frame.CalleeIndex];
            }
            trap.WasmBacktrace = frames;
        }
        return false;
    }
}
