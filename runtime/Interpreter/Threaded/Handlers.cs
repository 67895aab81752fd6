using System.Runtime.CompilerServices;
using WasmHarness.Execution;

namespace WasmHarness.Interpreter.Threaded;

/// <summary>What a pure instruction's handler does with its result besides leaving it on the stack (generated handlers' forms).</summary>
internal enum PureThen : byte
{
    /// <summary>Leaves it on the stack.</summary>
    None,
    /// <summary>Writes it to a local instead (<c>local.set</c>).</summary>
    Set,
    /// <summary>Writes it to a local as well (<c>local.tee</c>).</summary>
    Tee,
}

/// <summary>
/// The threaded machine's handlers (<see cref="ThreadedOp"/>): control, calls and variables here; memory accesses,
/// superinstructions and the pure instructions (generated from the instruction table) in the other parts.
/// </summary>
/// <remarks>
/// Rules every handler follows, seen in RyuJIT's code for them (docs/execution.md, "Threaded code"):
/// <list type="bullet">
/// <item>It ends with <c>return next-&gt;Handler(next, sp, fp, c)</c>, which RyuJIT compiles as a fast tail call (a
/// jump): no frame stays behind, so a chain of any length runs in constant .NET stack. A handler never takes the
/// address of a local (nor passes one by <c>ref</c>/<c>out</c>): an address-exposed local rules the tail call out.
/// Such work goes into a helper of its own.</item>
/// <item><c>[AggressiveOptimization]</c>: compiled optimized at first call (tier 0 makes no tail calls).</item>
/// <item>Traps go through <see cref="TrapException.Throw"/>, which RyuJIT sees throws: the path stays cold and the
/// handler keeps its arguments in argument registers.</item>
/// </list>
/// The machine checks once per process that tail calls happen (<see cref="ThreadedMachine.TailCallsWork"/>), and
/// falls back to <see cref="Machine.Run"/> when they do not (a debugger, <c>DOTNET_JITMinOpts</c>).
/// </remarks>
internal static unsafe partial class Handlers
{
    private const MethodImplOptions Hot = MethodImplOptions.AggressiveOptimization;

    // ---- Control ------------------------------------------------------------------------------------

    [MethodImpl(Hot)]
    internal static ulong* Nop(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* Unreachable(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        TrapException.Throw(TrapKind.Unreachable);
        return sp;
    }

    /// <summary>A branch forward that moves no values.</summary>
    [MethodImpl(Hot)]
    internal static ulong* Jump(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        ip = (ThreadedOp*)ip->Target;
        return ip->Handler(ip, sp, fp, c);
    }

    /// <summary>A branch back (a loop) that moves no values: where a loop without calls notices an interrupt.</summary>
    [MethodImpl(Hot)]
    internal static ulong* JumpBack(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        if (c.Store.Interrupted)
        {
            TrapException.Throw(TrapKind.Interrupted);
        }
        ip = (ThreadedOp*)ip->Target;
        return ip->Handler(ip, sp, fp, c);
    }

    /// <summary>Branch to Target, moving the top C values down to height B.</summary>
    [MethodImpl(Hot)]
    internal static ulong* BrMove(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        StopIfInterruptedGoingBack(ip, c);
        sp = Move(sp, fp + ip->B, (int)ip->C);
        ip = (ThreadedOp*)ip->Target;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* BrIfJump(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        if ((uint)*--sp != 0)
        {
            return Taken(ip, sp, fp, c);
        }
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* BrIfMove(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        if ((uint)*--sp != 0)
        {
            return BrMove(ip, sp, fp, c);
        }
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    /// <summary>The start of <c>if</c>: pop an i32; if zero, jump (forward) to Target.</summary>
    [MethodImpl(Hot)]
    internal static ulong* BrUnless(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        ip = (uint)*--sp == 0 ? (ThreadedOp*)ip->Target : ip + 1;
        return ip->Handler(ip, sp, fp, c);
    }

    /// <summary><c>br_table</c>: Target is the first of B + 1 entries (the last the default).</summary>
    [MethodImpl(Hot)]
    internal static ulong* BrTable(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        var index = (uint)*--sp;
        var target = (ThreadedTarget*)ip->Target + Math.Min(index, (uint)ip->B);
        if (target->Op <= ip && c.Store.Interrupted)
        {
            TrapException.Throw(TrapKind.Interrupted);
        }
        sp = Move(sp, fp + target->Height, target->Arity);
        ip = target->Op;
        return ip->Handler(ip, sp, fp, c);
    }

    /// <summary>Return with no results.</summary>
    [MethodImpl(Hot)]
    internal static ulong* Return0(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        ref var frame = ref c.Machine.Pop();
        ip = frame.ReturnIp;
        if (ip == null)
        {
            return fp;
        }
        return ip->Handler(ip, fp, frame.CallerFp, c.Machine.Context(frame.CallerContext));
    }

    /// <summary>Return with one result.</summary>
    [MethodImpl(Hot)]
    internal static ulong* Return1(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        *fp = sp[-1];
        ref var frame = ref c.Machine.Pop();
        ip = frame.ReturnIp;
        if (ip == null)
        {
            return fp + 1;
        }
        return ip->Handler(ip, fp + 1, frame.CallerFp, c.Machine.Context(frame.CallerContext));
    }

    /// <summary>Return with A results.</summary>
    [MethodImpl(Hot)]
    internal static ulong* Return(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        var count = ip->A;
        sp = Move(sp, fp, count);
        ref var frame = ref c.Machine.Pop();
        ip = frame.ReturnIp;
        if (ip == null)
        {
            return sp;
        }
        return ip->Handler(ip, sp, frame.CallerFp, c.Machine.Context(frame.CallerContext));
    }

    // ---- Calls --------------------------------------------------------------------------------------

    /// <summary>
    /// <c>call</c>. The common case, a threaded function of the same instance with room for its frame, makes no call
    /// of its own (so RyuJIT saves no registers around one); every other case is <see cref="CallAny"/>.
    /// </summary>
    [MethodImpl(Hot)]
    internal static ulong* Call(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        if (c.Instance.Functions[ip->A] is WasmFunction { Threaded: { Entry: not null } code } wasm
            && ReferenceEquals(wasm.Instance, c.Instance)
            && c.Machine.TryEnter(ip + 1, sp, fp, c, c, wasm, code) is var newFp && newFp != null)
        {
            ip = code.Entry;
            return ip->Handler(ip, newFp + code.LocalCount, newFp, c);
        }
        return CallAny(ip, sp, fp, c);
    }

    /// <summary><c>call</c> of anything: code made on first call, another instance, a function called out, a trap.</summary>
    [MethodImpl(Hot)]
    internal static ulong* CallAny(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c) =>
        CallFunction(c.Instance.Functions[ip->A], ip, sp, fp, c);

    /// <summary><c>call_indirect</c>: A is the type index, B the table.</summary>
    [MethodImpl(Hot)]
    internal static ulong* CallIndirect(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        var function = Resolve(c, ip, *--sp);
        return CallFunction(function, ip, sp, fp, c);
    }

    /// <summary>
    /// Calls <paramref name="function"/> with the arguments on top of the stack: threaded, a frame is pushed and its code
    /// runs next; otherwise it is called out and the op after the call runs next.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong* CallFunction(FunctionInstance function, ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        if (function is WasmFunction wasm && c.Machine.CodeFor(wasm) is { Entry: not null } code)
        {
            var callee = ReferenceEquals(wasm.Instance, c.Instance) ? c : c.Machine.ContextOf(wasm.Instance);
            var newFp = c.Machine.Enter(ip + 1, sp, fp, c, callee, wasm, code);
            ip = code.Entry;
            return ip->Handler(ip, newFp + code.LocalCount, newFp, callee);
        }
        sp = c.Machine.CallOut(function, sp, c);
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    /// <summary><c>return_call</c>: the callee replaces this function's frame; Target is the function's final return.</summary>
    [MethodImpl(Hot)]
    internal static ulong* ReturnCall(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c) =>
        TailCall(c.Instance.Functions[ip->A], ip, sp, fp, c);

    /// <summary><c>return_call_indirect</c>: A is the type index, B the table; Target is the function's final return.</summary>
    [MethodImpl(Hot)]
    internal static ulong* ReturnCallIndirect(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        var function = Resolve(c, ip, *--sp);
        return TailCall(function, ip, sp, fp, c);
    }

    /// <summary>
    /// A tail call of <paramref name="function"/>: threaded, it takes over the frame (<see cref="ThreadedMachine.EnterInPlace"/>);
    /// otherwise it is called out and this function returns its results (the function's final return, Target).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong* TailCall(FunctionInstance function, ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        if (function is WasmFunction wasm && c.Machine.CodeFor(wasm) is { Entry: not null } code)
        {
            var callee = ReferenceEquals(wasm.Instance, c.Instance) ? c : c.Machine.ContextOf(wasm.Instance);
            c.Machine.EnterInPlace(sp, fp, callee, wasm, code);
            ip = code.Entry;
            return ip->Handler(ip, fp + code.LocalCount, fp, callee);
        }
        sp = c.Machine.CallOut(function, sp, c);
        ip = (ThreadedOp*)ip->Target;
        return ip->Handler(ip, sp, fp, c);
    }

    /// <summary>The function a <c>call_indirect</c> names, after its checks; out of the handler (it has locals whose address is taken).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static FunctionInstance Resolve(ThreadedContext c, ThreadedOp* ip, ulong index) =>
        Machine.ResolveIndirect(c.Instance, ip->A, ip->B, index);

    // ---- Parametric and variables -------------------------------------------------------------------

    [MethodImpl(Hot)]
    internal static ulong* Drop(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        ip++;
        return ip->Handler(ip, sp - 1, fp, c);
    }

    /// <summary>Untyped <c>select</c> of numbers.</summary>
    [MethodImpl(Hot)]
    internal static ulong* Select(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        sp -= 2;
        if ((uint)sp[1] == 0)
        {
            sp[-1] = sp[0];
        }
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* LocalGet(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        *sp = fp[ip->A];
        ip++;
        return ip->Handler(ip, sp + 1, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* LocalSet(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        fp[ip->A] = *--sp;
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* LocalTee(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        fp[ip->A] = sp[-1];
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* GlobalGet(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        *sp = c.Instance.Globals[ip->A].RawValue.Low;
        ip++;
        return ip->Handler(ip, sp + 1, fp, c);
    }

    [MethodImpl(Hot)]
    internal static ulong* GlobalSet(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        c.Instance.Globals[ip->A].RawValue = new Value(*--sp);
        ip++;
        return ip->Handler(ip, sp, fp, c);
    }

    /// <summary><c>i32.const</c>, <c>i64.const</c>, <c>f32.const</c>, <c>f64.const</c>: C is the bits.</summary>
    [MethodImpl(Hot)]
    internal static ulong* Const(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        *sp = ip->C;
        ip++;
        return ip->Handler(ip, sp + 1, fp, c);
    }

    // ---- Helpers --------------------------------------------------------------------------------------

    /// <summary>A conditional branch taken: to Target, noticing an interrupt when it goes back.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong* Taken(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)
    {
        StopIfInterruptedGoingBack(ip, c);
        ip = (ThreadedOp*)ip->Target;
        return ip->Handler(ip, sp, fp, c);
    }

    /// <summary>A taken branch back traps with <c>interrupted</c> when the store was asked to stop.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StopIfInterruptedGoingBack(ThreadedOp* ip, ThreadedContext c)
    {
        if (ip->Target <= ip && c.Store.Interrupted)
        {
            TrapException.Throw(TrapKind.Interrupted);
        }
    }

    /// <summary>Moves the top <paramref name="count"/> values down to <paramref name="to"/>; returns the new top.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong* Move(ulong* sp, ulong* to, int count)
    {
        var from = sp - count;
        if (from != to)
        {
            for (var i = 0; i < count; i++)
            {
                to[i] = from[i];
            }
        }
        return to + count;
    }

    // ---- The tail-call probe (ThreadedMachine.TailCallsWork) ---------------------------------------------

    /// <summary>Ends the probe's chain: the stack address where the chain ended, for comparison with where it began.</summary>
    [MethodImpl(Hot)]
    internal static ulong* StackDepthProbe(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c) => (ulong*)StackAddress();

    /// <summary>The address of a local of this method's frame: how deep the .NET stack is where it is called.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void* StackAddress()
    {
        var local = 0;
        return &local;
    }
}
