using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Interpreter;

/// <summary>
/// The interpreter's execution state for one store: an operand stack of <see cref="Slot"/>s (locals and
/// operands of every active frame) and an explicit frame stack. Wasm calls push a frame instead of recursing
/// on the .NET stack, so guest recursion is bounded by <see cref="EngineOptions.MaxCallDepth"/> and ends in the
/// <c>call stack exhausted</c> trap. Host functions may call back in (<see cref="Invoke"/> nests).
/// </summary>
internal sealed unsafe partial class Machine
{
    private readonly Store _store;
    private readonly int _maxDepth;
    private readonly int _maxSlots;
    private readonly bool _fuelEnabled;
    /// <summary>The engine's tier-up threshold (<see cref="EngineOptions.JitTierUp"/>): loop iterations between two looks at the JIT.</summary>
    private readonly int _tierUp;
    /// <summary>
    /// The threaded machine that runs the functions it can (all values numbers; docs/execution.md, "Threaded code"),
    /// or null: with fuel (it counts every instruction, which only this loop does), with the JIT tier, when
    /// <see cref="EngineOptions.ThreadedInterpreter"/> is off, or when this process makes no tail calls.
    /// </summary>
    private readonly Threaded.ThreadedMachine? _threaded;
    private Slot[] _stack = new Slot[1024];
    private Frame[] _frames = new Frame[64];
    private int _sp;
    private int _depth;

    private struct Frame
    {
        public WasmFunction Function;
        public int Pc;
        public int Fp;
    }

    public Machine(Store store)
    {
        _store = store;
        _maxDepth = store.Engine.Options.MaxCallDepth;
        _maxSlots = store.Engine.Options.MaxStackSlots;
        _fuelEnabled = store.Engine.Options.Fuel is not null;
        _tierUp = store.Engine.Options.TierUpThreshold;
        var options = store.Engine.Options;
        if (options.ThreadedInterpreter && options.Fuel is null && options.Tier == ExecutionTier.Interpreter && Threaded.ThreadedMachine.TailCallsWork)
        {
            _threaded = new Threaded.ThreadedMachine(store);
        }
    }

    /// <summary>Frees the threaded machine's native stack (<see cref="Store.Dispose"/>: no code runs in the store).</summary>
    public void Dispose() => _threaded?.Dispose();

    /// <summary>Interprets <paramref name="function"/> (a function of this store); on return <paramref name="results"/> holds its results.</summary>
    public void Invoke(WasmFunction function, ReadOnlySpan<Value> args, Span<Value> results)
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            // Host functions calling back in nest .NET frames; stop before the process would.
            throw new TrapException(TrapKind.CallStackExhausted, "host stack");
        }
        if (_threaded?.CodeFor(function) is { Entry: not null } threaded)
        {
            _threaded.Invoke(function, threaded, args, results);
            return;
        }
        var wasm = function;
        var baseSp = _sp;
        var baseDepth = _depth;
        try
        {
            EnsureStack(baseSp + args.Length);
            var parameters = function.Type.Parameters;
            for (var i = 0; i < args.Length; i++)
            {
                _stack[_sp++] = ToSlot(args[i].Normalize(parameters[i]));
            }
            Run(wasm);
            for (var i = 0; i < results.Length; i++)
            {
                results[i] = ToValue(_stack[baseSp + i]);
            }
        }
        catch (TrapException trap) when (RecordBacktrace(trap))
        {
            throw; // never reached: the filter only records the frames before the stack unwinds
        }
        finally
        {
            _sp = baseSp;
            _depth = baseDepth;
        }
    }

    /// <summary>Gives a trap the Wasm frames active when it was thrown (innermost first), once; always false.</summary>
    private bool RecordBacktrace(TrapException trap)
    {
        if (trap.WasmBacktrace.Count == 0 && _depth > 0)
        {
            var frames = new WasmFunction[_depth];
            for (var i = 0; i < _depth; i++)
            {
                frames[i] = _frames[_depth - 1 - i].Function;
            }
            trap.WasmBacktrace = frames;
        }
        return false;
    }

    internal static Slot ToSlot(Value value) => new() { Low = value.Low, High = value.High, Reference = value.Reference };

    internal static Value ToValue(in Slot slot) => new(slot.Low, slot.High, slot.Reference);

    private void EnsureStack(int needed)
    {
        if (needed <= _stack.Length)
        {
            return;
        }
        if (needed > _maxSlots)
        {
            TrapException.Throw(TrapKind.CallStackExhausted);
        }
        Array.Resize(ref _stack, (int)Math.Min(Math.Max((long)needed, _stack.Length * 2L), _maxSlots));
    }

    /// <summary>
    /// True when this interpreter runs <paramref name="function"/> inline, in the caller's frame stack: a function of
    /// this store that the JIT does not run. Anything else goes through <see cref="Store.Call"/>.
    /// </summary>
    private bool RunsHere(WasmFunction function) => function.Instance.Store == _store && !(_store.Jit is { } jit && jit.Runs(function));

    /// <summary>Calls a function this interpreter does not run inline (a host function, a function the JIT runs, or one of another store) with arguments from the operand stack.</summary>
    private void CallHost(FunctionInstance host, ModuleInstance caller, ref int sp)
    {
        var parameterCount = host.Type.Parameters.Count;
        var resultCount = host.Type.Results.Count;
        var args = ArrayPool<Value>.Shared.Rent(parameterCount);
        var results = ArrayPool<Value>.Shared.Rent(resultCount);
        try
        {
            var first = sp - parameterCount;
            for (var i = 0; i < parameterCount; i++)
            {
                args[i] = ToValue(_stack[first + i]);
            }
            _sp = sp;
            Store.Call(host, args.AsSpan(0, parameterCount), results.AsSpan(0, resultCount), caller);
            EnsureStack(first + resultCount);
            var resultTypes = host.Type.Results;
            for (var i = 0; i < resultCount; i++)
            {
                _stack[first + i] = ToSlot(results[i].Normalize(resultTypes[i]));
            }
            sp = first + resultCount;
        }
        finally
        {
            ArrayPool<Value>.Shared.Return(args, clearArray: true);
            ArrayPool<Value>.Shared.Return(results, clearArray: true);
        }
    }

    /// <summary>
    /// Calls a host function; a Wasm exception escaping it (from Wasm it called) is returned to unwind here. Takes and
    /// returns the stack top by value: a <c>ref</c> to <see cref="Run"/>'s <c>sp</c> would make RyuJIT keep it in
    /// memory for the whole loop (an address-taken local), costing a load and a store on almost every instruction.
    /// </summary>
    private (ExceptionInstance? Exception, int Sp) CallHostCatching(FunctionInstance host, ModuleInstance caller, int sp)
    {
        try
        {
            CallHost(host, caller, ref sp);
            return (null, sp);
        }
        catch (UncaughtException e)
        {
            return (e.Exception, sp);
        }
    }

    /// <summary>
    /// Tier-up, at the head of loop <paramref name="loop"/> of the running call (the innermost frame), hot: asks the JIT
    /// whether compiled code can take the call over here (asking has it compiled) and, if so, moves the call into it.
    /// The compiled code runs the call to its end; its results are pushed at <paramref name="sp"/> and the new top
    /// returned, or -1 when the call goes on here (to ask again after as many iterations).
    /// A Wasm exception the code lets escape is returned to unwind from this frame (the loop is in no <c>try</c> of it).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private (ExceptionInstance? Exception, int Sp) EnterCompiledLoop(int loop, int fp, int sp, CompiledFunction compiled)
    {
        var function = _frames[_depth - 1].Function;
        if (_store.Jit is not { } jit || jit.EntryAtLoop(function, loop) is not { } entry)
        {
            return (null, -1); // not yet (the code compiles meanwhile), or not at this loop: ask again later
        }
        // The compiled code's view of the frame: the declared locals, then the operand stack (no hidden slots).
        var declared = compiled.DeclaredLocalCount;
        var stackBase = fp + compiled.LocalCount;
        var state = new Value[declared + sp - stackBase];
        for (var i = 0; i < declared; i++)
        {
            state[i] = ToValue(_stack[fp + i]);
        }
        for (var i = stackBase; i < sp; i++)
        {
            state[declared + i - stackBase] = ToValue(_stack[i]);
        }
        var results = new Value[compiled.ResultCount];
        _sp = sp;
        try
        {
            jit.EnterLoop(function, entry, loop, state, results);
        }
        catch (UncaughtException e)
        {
            return (e.Exception, sp);
        }
        EnsureStack(sp + results.Length);
        var types = compiled.Type.Results;
        for (var i = 0; i < results.Length; i++)
        {
            _stack[sp + i] = ToSlot(results[i].Normalize(types[i]));
        }
        return (null, sp + results.Length);
    }

    /// <summary>The function an indirect call names, after the checks of <c>call_indirect</c>.</summary>
    internal static FunctionInstance ResolveIndirect(ModuleInstance instance, int typeIndex, int tableIndex, ulong index)
    {
        if (!instance.Tables[tableIndex].TryGet(index, out var element))
        {
            throw TrapException.AtElement(TrapKind.UndefinedElement, index);
        }
        if (element is not FunctionInstance function)
        {
            throw TrapException.AtElement(TrapKind.UninitializedElement, index);
        }
        var expected = instance.DefinedTypes[typeIndex];
        if (!ReferenceEquals(function.DefinedType, expected) && !function.DefinedType.IsSubtypeOf(expected))
        {
            TrapException.Throw(TrapKind.IndirectCallTypeMismatch);
        }
        return function;
    }

    internal static void MemoryInit(ModuleInstance instance, int dataIndex, int memoryIndex, ulong destination, ulong source, ulong count)
    {
        var memory = instance.Memories[memoryIndex];
        var bytes = instance.Data[dataIndex].Bytes.Span;
        if (source > (ulong)bytes.Length || count > (ulong)bytes.Length - source || !memory.InBounds(destination, 0, count))
        {
            TrapException.Throw(TrapKind.OutOfBoundsMemoryAccess);
        }
        memory.WriteBytes(destination, bytes.Slice((int)source, (int)count));
    }

    private void Run(WasmFunction entry)
    {
        var entryDepth = _depth;
        var s = _stack;
        // The slots without bounds checks: every access stays below fp + MaxHeight of the running function (the
        // interpreter's compiler counts the operand stack's height, superinstructions never push more than the
        // sequences they replace, and Enter makes room for MaxHeight). Reset wherever s is (EnsureStack resizes it).
        ref var s0 = ref MemoryMarshal.GetArrayDataReference(s);
        var sp = _sp;
        var callee = entry;
        var tail = false;
        Op[] code = null!;
        CompiledFunction compiled = null!;
        ModuleInstance inst = null!;
        MemoryInstance[] memories = null!; // inst.Memories: a local, not a property read at each access (RyuJIT inline budget)
        var pc = 0;
        var fp = 0;
        var fuelEnabled = _fuelEnabled;
        ExceptionInstance? exception = null;
        var pure = default(Opcode); // the dispatch code ExecutePure runs: the op's, or the one a superinstruction ends with

    Enter:
        {
            // The callee's arguments are the top ParamCount slots; they become its first locals.
            var target = callee.Compiled ??= Compiler.For(callee);
            if (tail)
            {
                // return_call: move the arguments down over the caller's frame, which the callee replaces.
                var count = target.ParamCount;
                Array.Copy(s, sp - count, s, fp, count);
                sp = fp + count;
                _depth--;
                tail = false;
            }
            if (_depth >= _maxDepth)
            {
                TrapException.Throw(TrapKind.CallStackExhausted);
            }
            if (_store.Interrupted)
            {
                TrapException.Throw(TrapKind.Interrupted);
            }
            var newFp = sp - target.ParamCount;
            if (newFp + target.MaxHeight > s.Length)
            {
                _sp = sp;
                EnsureStack(newFp + target.MaxHeight);
                s = _stack;
                s0 = ref MemoryMarshal.GetArrayDataReference(s);
            }
            for (var i = newFp + target.ParamCount; i < newFp + target.LocalCount; i++)
            {
                Unsafe.Add(ref s0, i) = default;
            }
            sp = newFp + target.LocalCount;
            if (_depth == _frames.Length)
            {
                Array.Resize(ref _frames, _frames.Length * 2);
            }
            ref var frame = ref _frames[_depth++];
            frame.Function = callee;
            frame.Fp = newFp;
            compiled = target;
            code = target.Code;
            inst = callee.Instance;
            memories = inst.Memories;
            pc = 0;
            fp = newFp;
            goto Dispatch;
        }

    Unwind:
        {
            // Find the innermost handler that catches the exception, in this frame or its callers.
            var thrown = exception!;
            exception = null;
            while (true)
            {
                var found = FindHandler(compiled.Handlers, pc - 1, inst, thrown);
                if (found >= 0)
                {
                    var handler = compiled.Handlers[found];
                    var target = compiled.BranchTargets[handler.Target];
                    sp = fp + target.Height;
                    if (handler.Kind is HandlerKind.LegacyCatch or HandlerKind.LegacyCatchAll)
                    {
                        Unsafe.Add(ref s0, fp + handler.Slot) = new Slot { Reference = thrown };
                    }
                    if (handler.Kind is HandlerKind.Catch or HandlerKind.CatchRef or HandlerKind.LegacyCatch)
                    {
                        foreach (var value in thrown.Payload)
                        {
                            Unsafe.Add(ref s0, sp++) = ToSlot(value);
                        }
                    }
                    if (handler.Kind is HandlerKind.CatchRef or HandlerKind.CatchAllRef)
                    {
                        Unsafe.Add(ref s0, sp++) = new Slot { Reference = thrown };
                    }
                    pc = target.Pc;
                    break;
                }
                _depth--;
                _frames[_depth] = default;
                if (_depth == entryDepth)
                {
                    throw new UncaughtException(thrown);
                }
                ref var caller = ref _frames[_depth - 1];
                compiled = caller.Function.Compiled!;
                code = compiled.Code;
                inst = caller.Function.Instance;
                memories = inst.Memories;
                pc = caller.Pc;
                fp = caller.Fp;
            }
        }

    Dispatch:
        while (true)
        {
            ref readonly var op = ref code[pc++];
            if (fuelEnabled && --_store.Fuel < 0)
            {
                _store.Fuel = 0;
                TrapException.Throw(TrapKind.OutOfFuel);
            }
            switch (op.Dispatch)
            {
            default:
                // Pure instructions (numeric and vector operators, comparisons, conversions, lanes): their cases are
                // generated from the instruction table (Syntax/Instructions.table) and call its semantics methods
                // (ScalarOps, VectorOps). First in the switch: RyuJIT spends its inlining budget for this method in
                // the order of the code, and these cases are the ones to inline (last, they were calls; docs/execution.md).
                pure = op.Dispatch;
            Pure:
                var top = ExecutePure(pure, op, ref s0, s, sp);
                sp = top >= 0 ? top : ExecuteOutOfLine(op, s, sp, inst, compiled);
                break;

            // ---- Control ----------------------------------------------------------------------------
            case DispatchCode.Unreachable:
                TrapException.Throw(TrapKind.Unreachable);
                break;
            case InternalOp.Jump:
                StopIfInterruptedGoingBack(op.A, pc);
                pc = op.A;
                break;
            case InternalOp.BrMove:
                StopIfInterruptedGoingBack(op.A, pc);
                sp = BranchMove(s, sp, fp + op.B, (int)op.C);
                pc = op.A;
                break;
            case InternalOp.BrIfJump:
                if ((uint)Unsafe.Add(ref s0, --sp).Low != 0)
                {
                    StopIfInterruptedGoingBack(op.A, pc);
                    pc = op.A;
                }
                break;
            case InternalOp.BrIfMove:
                if ((uint)Unsafe.Add(ref s0, --sp).Low != 0)
                {
                    StopIfInterruptedGoingBack(op.A, pc);
                    sp = BranchMove(s, sp, fp + op.B, (int)op.C);
                    pc = op.A;
                }
                break;
            case InternalOp.LoopHeader:
                if (++compiled.LoopHeat >= _tierUp)
                {
                    compiled.LoopHeat = 0;
                    int entered;
                    (exception, entered) = EnterCompiledLoop(op.A, fp, sp, compiled);
                    if (exception is not null)
                    {
                        goto Unwind;
                    }
                    if (entered >= 0)
                    {
                        // The compiled code ran the call to its end: its results are on top, as before a return.
                        s = _stack;
                        s0 = ref MemoryMarshal.GetArrayDataReference(s);
                        sp = entered;
                        goto case DispatchCode.Return;
                    }
                }
                break;
            case InternalOp.BrUnless:
                if ((uint)Unsafe.Add(ref s0, --sp).Low == 0)
                {
                    pc = op.A;
                }
                break;
            case InternalOp.BrTableJump:
            {
                var index = (uint)Unsafe.Add(ref s0, --sp).Low;
                var target = compiled.BranchTargets[op.A + (int)Math.Min(index, (uint)op.B)];
                StopIfInterruptedGoingBack(target.Pc, pc);
                sp = BranchMove(s, sp, fp + target.Height, target.Arity);
                pc = target.Pc;
                break;
            }
            case DispatchCode.Return:
            {
                var count = compiled.ResultCount;
                if (compiled.ResultsAreBits)
                {
                    for (var i = 0; i < count; i++)
                    {
                        ref var from = ref Unsafe.Add(ref s0, sp - count + i);
                        ref var to = ref Unsafe.Add(ref s0, fp + i);
                        to.Low = from.Low;
                        to.High = from.High;
                        to.Reference = null;
                    }
                }
                else
                {
                    for (var i = 0; i < count; i++)
                    {
                        Unsafe.Add(ref s0, fp + i) = Unsafe.Add(ref s0, sp - count + i);
                    }
                }
                sp = fp + count;
                _depth--;
                _frames[_depth] = default;
                if (_depth == entryDepth)
                {
                    _sp = sp;
                    return;
                }
                ref var caller = ref _frames[_depth - 1];
                compiled = caller.Function.Compiled!;
                code = compiled.Code;
                inst = caller.Function.Instance;
                memories = inst.Memories;
                pc = caller.Pc;
                fp = caller.Fp;
                break;
            }
            case DispatchCode.Call:
            case DispatchCode.ReturnCall:
            {
                var function = inst.Functions[op.A];
                if (function is WasmFunction wasm && RunsHere(wasm))
                {
                    _frames[_depth - 1].Pc = pc;
                    callee = wasm;
                    tail = op.Code == Opcode.ReturnCall;
                    goto Enter;
                }
                (exception, sp) = CallHostCatching(function, inst, sp);
                s = _stack;
                s0 = ref MemoryMarshal.GetArrayDataReference(s);
                if (exception is not null)
                {
                    if (op.Code is Opcode.ReturnCall or Opcode.ReturnCallIndirect or Opcode.ReturnCallRef)
                    {
                        // A tail call replaced this frame, so none of its handlers may catch: unwind from past its code.
                        pc = code.Length;
                    }
                    goto Unwind;
                }
                if (op.Code == Opcode.ReturnCall)
                {
                    pc = code.Length - 1; // the function's final Return
                }
                break;
            }
            case DispatchCode.CallIndirect:
            case DispatchCode.ReturnCallIndirect:
            {
                var function = ResolveIndirect(inst, op.A, op.B, Unsafe.Add(ref s0, --sp).Low);
                if (function is WasmFunction wasm && RunsHere(wasm))
                {
                    _frames[_depth - 1].Pc = pc;
                    callee = wasm;
                    tail = op.Code == Opcode.ReturnCallIndirect;
                    goto Enter;
                }
                (exception, sp) = CallHostCatching(function, inst, sp);
                s = _stack;
                s0 = ref MemoryMarshal.GetArrayDataReference(s);
                if (exception is not null)
                {
                    if (op.Code is Opcode.ReturnCall or Opcode.ReturnCallIndirect or Opcode.ReturnCallRef)
                    {
                        // A tail call replaced this frame, so none of its handlers may catch: unwind from past its code.
                        pc = code.Length;
                    }
                    goto Unwind;
                }
                if (op.Code == Opcode.ReturnCallIndirect)
                {
                    pc = code.Length - 1;
                }
                break;
            }
            case DispatchCode.CallRef:
            case DispatchCode.ReturnCallRef:
            {
                if (Unsafe.Add(ref s0, --sp).Reference is not FunctionInstance function)
                {
                    TrapException.Throw(TrapKind.NullFunctionReference);
                    break;
                }
                if (function is WasmFunction wasm && RunsHere(wasm))
                {
                    _frames[_depth - 1].Pc = pc;
                    callee = wasm;
                    tail = op.Code == Opcode.ReturnCallRef;
                    goto Enter;
                }
                (exception, sp) = CallHostCatching(function, inst, sp);
                s = _stack;
                s0 = ref MemoryMarshal.GetArrayDataReference(s);
                if (exception is not null)
                {
                    if (op.Code is Opcode.ReturnCall or Opcode.ReturnCallIndirect or Opcode.ReturnCallRef)
                    {
                        // A tail call replaced this frame, so none of its handlers may catch: unwind from past its code.
                        pc = code.Length;
                    }
                    goto Unwind;
                }
                if (op.Code == Opcode.ReturnCallRef)
                {
                    pc = code.Length - 1;
                }
                break;
            }

            case DispatchCode.Throw:
            {
                exception = NewException(inst.Tags[op.A], s, sp);
                sp -= exception.Payload.Length;
                goto Unwind;
            }
            case DispatchCode.Rethrow:
                exception = (ExceptionInstance)Unsafe.Add(ref s0, fp + op.A).Reference!;
                goto Unwind;
            case DispatchCode.ThrowRef:
            {
                if (Unsafe.Add(ref s0, --sp).Reference is not ExceptionInstance thrown)
                {
                    TrapException.Throw(TrapKind.NullExceptionReference);
                    break;
                }
                exception = thrown;
                goto Unwind;
            }

            // ---- Parametric -------------------------------------------------------------------------
            case DispatchCode.Drop:
                sp--;
                break;
            case DispatchCode.Select:
            {
                // Untyped select is for numbers and vectors only: the bits are enough.
                sp -= 2;
                if ((uint)Unsafe.Add(ref s0, sp + 1).Low == 0)
                {
                    ref var r = ref Unsafe.Add(ref s0, sp - 1);
                    r.Low = Unsafe.Add(ref s0, sp).Low;
                    r.High = Unsafe.Add(ref s0, sp).High;
                }
                break;
            }
            case DispatchCode.SelectTyped:
            {
                sp -= 2;
                if ((uint)Unsafe.Add(ref s0, sp + 1).Low == 0)
                {
                    Unsafe.Add(ref s0, sp - 1) = Unsafe.Add(ref s0, sp);
                }
                break;
            }

            // ---- Superinstructions (Compiler.Fuse): the semantics of the instructions they stand for ------
            case InternalOp.I32AddImm:
            {
                ChargeFusedFuel(fuelEnabled, 1);
                ref var r = ref Unsafe.Add(ref s0, sp - 1);
                r.Low = (uint)ScalarOps.I32Add((int)r.Low, (int)op.C);
                break;
            }
            case InternalOp.I32AndImm:
            {
                ChargeFusedFuel(fuelEnabled, 1);
                ref var r = ref Unsafe.Add(ref s0, sp - 1);
                r.Low = (uint)ScalarOps.I32And((int)r.Low, (int)op.C);
                break;
            }
            case InternalOp.I32ShlImm:
            {
                ChargeFusedFuel(fuelEnabled, 1);
                ref var r = ref Unsafe.Add(ref s0, sp - 1);
                r.Low = (uint)ScalarOps.I32Shl((int)r.Low, (int)op.C);
                break;
            }
            case InternalOp.I32ShrUImm:
            {
                ChargeFusedFuel(fuelEnabled, 1);
                ref var r = ref Unsafe.Add(ref s0, sp - 1);
                r.Low = (uint)ScalarOps.I32ShrU((int)r.Low, (int)op.C);
                break;
            }
            case InternalOp.LocalI32AddImm:
            {
                ChargeFusedFuel(fuelEnabled, 2);
                var value = (uint)ScalarOps.I32Add((int)Unsafe.Add(ref s0, fp + op.A).Low, (int)op.C);
                SetBits(ref Unsafe.Add(ref s0, sp++), value);
                break;
            }
            case InternalOp.LocalGet2:
            {
                ChargeFusedFuel(fuelEnabled, 1);
                CopyBits(ref Unsafe.Add(ref s0, sp), ref Unsafe.Add(ref s0, fp + op.A));
                CopyBits(ref Unsafe.Add(ref s0, sp + 1), ref Unsafe.Add(ref s0, fp + op.B));
                sp += 2;
                break;
            }
            case InternalOp.LocalI32Load:
            {
                ChargeFusedFuel(fuelEnabled, 1);
                var value = (uint)Unsafe.ReadUnaligned<int>(memories[op.B].Address(Unsafe.Add(ref s0, fp + op.A).Low, op.C, sizeof(int)));
                SetBits(ref Unsafe.Add(ref s0, sp++), value);
                break;
            }
            case InternalOp.LocalI32Load8U:
            {
                ChargeFusedFuel(fuelEnabled, 1);
                SetBits(ref Unsafe.Add(ref s0, sp++), Unsafe.ReadUnaligned<byte>(memories[op.B].Address(Unsafe.Add(ref s0, fp + op.A).Low, op.C, sizeof(byte))));
                break;
            }
            case InternalOp.LocalI32Load8S:
            {
                ChargeFusedFuel(fuelEnabled, 1);
                SetBits(ref Unsafe.Add(ref s0, sp++), (uint)Unsafe.ReadUnaligned<sbyte>(memories[op.B].Address(Unsafe.Add(ref s0, fp + op.A).Low, op.C, sizeof(byte))));
                break;
            }
            case InternalOp.LocalI64Load:
            {
                ChargeFusedFuel(fuelEnabled, 1);
                var value = Unsafe.ReadUnaligned<ulong>(memories[op.B].Address(Unsafe.Add(ref s0, fp + op.A).Low, op.C, sizeof(ulong)));
                SetBits(ref Unsafe.Add(ref s0, sp++), value);
                break;
            }
            case InternalOp.LocalAddImmSet:
            {
                ChargeFusedFuel(fuelEnabled, 3);
                var value = (uint)ScalarOps.I32Add((int)Unsafe.Add(ref s0, fp + op.A).Low, (int)op.C);
                SetBits(ref Unsafe.Add(ref s0, fp + op.B), value);
                break;
            }
            case InternalOp.LocalAddImmTee:
            {
                ChargeFusedFuel(fuelEnabled, 3);
                var value = (uint)ScalarOps.I32Add((int)Unsafe.Add(ref s0, fp + op.A).Low, (int)op.C);
                SetBits(ref Unsafe.Add(ref s0, fp + op.B), value);
                SetBits(ref Unsafe.Add(ref s0, sp++), value);
                break;
            }
            case InternalOp.LocalI32Add:
            {
                ChargeFusedFuel(fuelEnabled, 2);
                var value = (uint)ScalarOps.I32Add((int)Unsafe.Add(ref s0, fp + op.A).Low, (int)Unsafe.Add(ref s0, fp + op.B).Low);
                SetBits(ref Unsafe.Add(ref s0, sp++), value);
                break;
            }
            case InternalOp.LocalI32AddSet:
            {
                ChargeFusedFuel(fuelEnabled, 3);
                var value = (uint)ScalarOps.I32Add((int)Unsafe.Add(ref s0, fp + op.A).Low, (int)Unsafe.Add(ref s0, fp + op.B).Low);
                SetBits(ref Unsafe.Add(ref s0, fp + (int)op.C), value);
                break;
            }
            case InternalOp.I32AddSet:
            {
                ChargeFusedFuel(fuelEnabled, 1);
                sp -= 2;
                var value = (uint)ScalarOps.I32Add((int)Unsafe.Add(ref s0, sp).Low, (int)Unsafe.Add(ref s0, sp + 1).Low);
                SetBits(ref Unsafe.Add(ref s0, fp + op.A), value);
                break;
            }
            case InternalOp.I32AddTee:
            {
                ChargeFusedFuel(fuelEnabled, 1);
                ref var r = ref Unsafe.Add(ref s0, --sp - 1);
                r.Low = (uint)ScalarOps.I32Add((int)r.Low, (int)Unsafe.Add(ref s0, sp).Low);
                SetBits(ref Unsafe.Add(ref s0, fp + op.A), r.Low);
                break;
            }
            case InternalOp.BrIfLocalsI32:
            {
                ChargeFusedFuel(fuelEnabled, 3);
                if (BranchHolds((Opcode)(op.C >> 32), (int)Unsafe.Add(ref s0, fp + op.B).Low, (int)Unsafe.Add(ref s0, fp + (int)(uint)op.C).Low) != 0)
                {
                    StopIfInterruptedGoingBack(op.A, pc);
                    pc = op.A;
                }
                break;
            }
            case InternalOp.BrIfTopLocalI32:
            {
                ChargeFusedFuel(fuelEnabled, 2);
                if (BranchHolds((Opcode)op.C, (int)Unsafe.Add(ref s0, --sp).Low, (int)Unsafe.Add(ref s0, fp + op.B).Low) != 0)
                {
                    StopIfInterruptedGoingBack(op.A, pc);
                    pc = op.A;
                }
                break;
            }
            case InternalOp.BrIfImmI32:
                ChargeFusedFuel(fuelEnabled, 2);
                if (BranchHolds((Opcode)op.B, (int)Unsafe.Add(ref s0, --sp).Low, (int)op.C) != 0)
                {
                    StopIfInterruptedGoingBack(op.A, pc);
                    pc = op.A;
                }
                break;
            case InternalOp.BrIfLocalImmI32:
                ChargeFusedFuel(fuelEnabled, 3);
                if (BranchHolds((Opcode)(op.C >> 32), (int)Unsafe.Add(ref s0, fp + op.B).Low, (int)(uint)op.C) != 0)
                {
                    StopIfInterruptedGoingBack(op.A, pc);
                    pc = op.A;
                }
                break;
            case InternalOp.LocalLoad32Set:
            {
                // The load may trap: local.set's fuel is charged after it, as unfused.
                ChargeFusedFuel(fuelEnabled, 1);
                var value = (uint)Unsafe.ReadUnaligned<int>(memories[0].Address(Unsafe.Add(ref s0, fp + op.A).Low, op.C, sizeof(int)));
                ChargeFusedFuel(fuelEnabled, 1);
                SetBits(ref Unsafe.Add(ref s0, fp + op.B), value);
                break;
            }
            case InternalOp.LocalLoad32Tee:
            {
                ChargeFusedFuel(fuelEnabled, 1);
                var value = (uint)Unsafe.ReadUnaligned<int>(memories[0].Address(Unsafe.Add(ref s0, fp + op.A).Low, op.C, sizeof(int)));
                ChargeFusedFuel(fuelEnabled, 1);
                SetBits(ref Unsafe.Add(ref s0, fp + op.B), value);
                SetBits(ref Unsafe.Add(ref s0, sp++), value);
                break;
            }
            case InternalOp.I32ShrUAndImm:
            {
                ChargeFusedFuel(fuelEnabled, 3);
                ref var r = ref Unsafe.Add(ref s0, sp - 1);
                r.Low = (uint)ScalarOps.I32And(ScalarOps.I32ShrU((int)r.Low, op.B), (int)op.C);
                break;
            }
            case InternalOp.LocalImmLoad32:
                ChargeFusedFuel(fuelEnabled, 3);
                SetBits(ref Unsafe.Add(ref s0, sp++), (uint)Unsafe.ReadUnaligned<int>(memories[0].Address((uint)ScalarOps.I32Add((int)Unsafe.Add(ref s0, fp + op.A).Low, op.B), op.C, sizeof(int))));
                break;
            case InternalOp.LocalImmLoad64:
                ChargeFusedFuel(fuelEnabled, 3);
                SetBits(ref Unsafe.Add(ref s0, sp++), Unsafe.ReadUnaligned<ulong>(memories[0].Address((uint)ScalarOps.I32Add((int)Unsafe.Add(ref s0, fp + op.A).Low, op.B), op.C, sizeof(ulong))));
                break;
            case InternalOp.LocalImmLoad8U:
                ChargeFusedFuel(fuelEnabled, 3);
                SetBits(ref Unsafe.Add(ref s0, sp++), Unsafe.ReadUnaligned<byte>(memories[0].Address((uint)ScalarOps.I32Add((int)Unsafe.Add(ref s0, fp + op.A).Low, op.B), op.C, sizeof(byte))));
                break;
            case InternalOp.LocalsLoad8U:
                ChargeFusedFuel(fuelEnabled, 3);
                SetBits(ref Unsafe.Add(ref s0, sp++), Unsafe.ReadUnaligned<byte>(memories[0].Address((uint)ScalarOps.I32Add((int)Unsafe.Add(ref s0, fp + op.A).Low, (int)Unsafe.Add(ref s0, fp + op.B).Low), op.C, sizeof(byte))));
                break;
            case InternalOp.LocalsLoad32:
                ChargeFusedFuel(fuelEnabled, 3);
                SetBits(ref Unsafe.Add(ref s0, sp++), (uint)Unsafe.ReadUnaligned<int>(memories[0].Address((uint)ScalarOps.I32Add((int)Unsafe.Add(ref s0, fp + op.A).Low, (int)Unsafe.Add(ref s0, fp + op.B).Low), op.C, sizeof(int))));
                break;
            case InternalOp.LocalsLoad64:
                ChargeFusedFuel(fuelEnabled, 3);
                SetBits(ref Unsafe.Add(ref s0, sp++), Unsafe.ReadUnaligned<ulong>(memories[0].Address((uint)ScalarOps.I32Add((int)Unsafe.Add(ref s0, fp + op.A).Low, (int)Unsafe.Add(ref s0, fp + op.B).Low), op.C, sizeof(ulong))));
                break;
            case InternalOp.LocalLoad32Pure:
                // The load may trap: the pure instruction's fuel is charged after it, as unfused.
                ChargeFusedFuel(fuelEnabled, 1);
                SetBits(ref Unsafe.Add(ref s0, sp++), (uint)Unsafe.ReadUnaligned<int>(memories[0].Address(Unsafe.Add(ref s0, fp + op.A).Low, op.C, sizeof(int))));
                ChargeFusedFuel(fuelEnabled, 1);
                pure = (Opcode)op.B;
                goto Pure;
            case InternalOp.LocalLoad64Pure:
                ChargeFusedFuel(fuelEnabled, 1);
                SetBits(ref Unsafe.Add(ref s0, sp++), Unsafe.ReadUnaligned<ulong>(memories[0].Address(Unsafe.Add(ref s0, fp + op.A).Low, op.C, sizeof(ulong))));
                ChargeFusedFuel(fuelEnabled, 1);
                pure = (Opcode)op.B;
                goto Pure;
            case InternalOp.LocalGetPure:
                ChargeFusedFuel(fuelEnabled, 1);
                CopyBits(ref Unsafe.Add(ref s0, sp++), ref Unsafe.Add(ref s0, fp + op.A));
                pure = (Opcode)op.B;
                goto Pure;
            case InternalOp.LocalGet2Pure:
                ChargeFusedFuel(fuelEnabled, 2);
                CopyBits(ref Unsafe.Add(ref s0, sp++), ref Unsafe.Add(ref s0, fp + op.A));
                CopyBits(ref Unsafe.Add(ref s0, sp++), ref Unsafe.Add(ref s0, fp + op.B));
                pure = (Opcode)(uint)op.C;
                goto Pure;
            case InternalOp.LocalCopy:
            {
                ChargeFusedFuel(fuelEnabled, 1);
                ref var from = ref Unsafe.Add(ref s0, fp + op.A);
                ref var to = ref Unsafe.Add(ref s0, fp + op.B);
                to.Low = from.Low;
                to.High = from.High;
                break;
            }
            case InternalOp.BrIfI32:
            {
                ChargeFusedFuel(fuelEnabled, 1);
                sp -= 2;
                var (a, b) = ((int)Unsafe.Add(ref s0, sp).Low, (int)Unsafe.Add(ref s0, sp + 1).Low);
                var holds = BranchHolds((Opcode)op.B, a, b);
                if (holds != 0)
                {
                    StopIfInterruptedGoingBack(op.A, pc);
                    pc = op.A;
                }
                break;
            }
            case InternalOp.LocalI32Store:
                ChargeFusedFuel(fuelEnabled, 2);
                Unsafe.WriteUnaligned(memories[0].Address(Unsafe.Add(ref s0, fp + op.A).Low, op.C, sizeof(uint)), (uint)Unsafe.Add(ref s0, fp + op.B).Low);
                break;
            case InternalOp.LocalSetImm:
            {
                ChargeFusedFuel(fuelEnabled, 1);
                SetBits(ref Unsafe.Add(ref s0, fp + op.A), op.C);
                break;
            }
            case InternalOp.BrIfZeroJump:
                ChargeFusedFuel(fuelEnabled, 1);
                if ((uint)Unsafe.Add(ref s0, --sp).Low == 0)
                {
                    StopIfInterruptedGoingBack(op.A, pc);
                    pc = op.A;
                }
                break;

            // ---- Variables --------------------------------------------------------------------------
            case InternalOp.LocalGetBits:
                CopyBits(ref Unsafe.Add(ref s0, sp++), ref Unsafe.Add(ref s0, fp + op.A));
                break;
            case InternalOp.LocalSetBits:
            {
                ref var value = ref Unsafe.Add(ref s0, --sp);
                ref var local = ref Unsafe.Add(ref s0, fp + op.A);
                local.Low = value.Low;
                local.High = value.High;
                break;
            }
            case InternalOp.LocalTeeBits:
            {
                ref var value = ref Unsafe.Add(ref s0, sp - 1);
                ref var local = ref Unsafe.Add(ref s0, fp + op.A);
                local.Low = value.Low;
                local.High = value.High;
                break;
            }
            case DispatchCode.LocalGet:
                Unsafe.Add(ref s0, sp++) = Unsafe.Add(ref s0, fp + op.A);
                break;
            case DispatchCode.LocalSet:
                Unsafe.Add(ref s0, fp + op.A) = Unsafe.Add(ref s0, --sp);
                break;
            case DispatchCode.LocalTee:
                Unsafe.Add(ref s0, fp + op.A) = Unsafe.Add(ref s0, sp - 1);
                break;
            case DispatchCode.GlobalGet:
                Unsafe.Add(ref s0, sp++) = ToSlot(inst.Globals[op.A].RawValue);
                break;
            case DispatchCode.GlobalSet:
                inst.Globals[op.A].RawValue = ToValue(Unsafe.Add(ref s0, --sp));
                break;

            // ---- Constants --------------------------------------------------------------------------
            case DispatchCode.I32Const:
            case DispatchCode.I64Const:
            case DispatchCode.F32Const:
            case DispatchCode.F64Const:
            {
                ref var r = ref Unsafe.Add(ref s0, sp++);
                r.Low = op.C;
                r.High = 0;
                r.Reference = null;
                break;
            }
            case DispatchCode.V128Const:
            {
                var constant = compiled.Constants[op.A];
                ref var r = ref Unsafe.Add(ref s0, sp++);
                r.Low = constant.Low;
                r.High = constant.High;
                r.Reference = null;
                break;
            }

            // ---- References -------------------------------------------------------------------------
            case DispatchCode.RefNull:
                Unsafe.Add(ref s0, sp++) = default;
                break;
            case DispatchCode.RefIsNull:
            {
                ref var r = ref Unsafe.Add(ref s0, sp - 1);
                r.Low = r.Reference is null ? 1u : 0u;
                r.Reference = null;
                break;
            }
            case DispatchCode.RefFunc:
                Unsafe.Add(ref s0, sp++) = new Slot { Reference = inst.Functions[op.A] };
                break;
            case DispatchCode.RefAsNonNull:
                if (Unsafe.Add(ref s0, sp - 1).Reference is null)
                {
                    TrapException.Throw(TrapKind.NullReference);
                }
                break;
            case DispatchCode.RefEq:
            {
                sp--;
                ref var r = ref Unsafe.Add(ref s0, sp - 1);
                r.Low = Gc.ReferenceEqual(r.Reference, Unsafe.Add(ref s0, sp).Reference) ? 1u : 0u;
                r.Reference = null;
                break;
            }
            case DispatchCode.BrOnNull:
            {
                // Leaves a condition for the BrIf that follows: 1 (and the reference popped) on null.
                ref var r = ref Unsafe.Add(ref s0, sp - 1);
                if (r.Reference is null)
                {
                    r.Low = 1;
                }
                else
                {
                    Unsafe.Add(ref s0, sp++) = default;
                }
                break;
            }
            case DispatchCode.BrOnNonNull:
            {
                var isNull = Unsafe.Add(ref s0, sp - 1).Reference is null;
                ref var r = ref Unsafe.Add(ref s0, sp++);
                r = default;
                r.Low = isNull ? 0u : 1u;
                break;
            }

            // ---- Tables -----------------------------------------------------------------------------
            case DispatchCode.TableGet:
            {
                ref var r = ref Unsafe.Add(ref s0, sp - 1);
                r.Reference = inst.Tables[op.A].Get(r.Low);
                r.Low = 0;
                break;
            }
            case DispatchCode.TableSet:
                sp -= 2;
                inst.Tables[op.A].Write(Unsafe.Add(ref s0, sp).Low, Unsafe.Add(ref s0, sp + 1).Reference);
                break;

            // ---- Memory accesses ---------------------------------------------------------------------
            case DispatchCode.I32Load:
            {
                ref var r = ref Unsafe.Add(ref s0, sp - 1);
                r.Low = (uint)Unsafe.ReadUnaligned<int>(memories[op.A].Address(r.Low, op.C, sizeof(int)));
                break;
            }
            case DispatchCode.I64Load:
            {
                ref var r = ref Unsafe.Add(ref s0, sp - 1);
                r.Low = (ulong)Unsafe.ReadUnaligned<long>(memories[op.A].Address(r.Low, op.C, sizeof(long)));
                break;
            }
            case DispatchCode.F32Load:
            {
                ref var r = ref Unsafe.Add(ref s0, sp - 1);
                r.Low = Unsafe.ReadUnaligned<uint>(memories[op.A].Address(r.Low, op.C, sizeof(uint)));
                break;
            }
            case DispatchCode.F64Load:
            {
                ref var r = ref Unsafe.Add(ref s0, sp - 1);
                r.Low = Unsafe.ReadUnaligned<ulong>(memories[op.A].Address(r.Low, op.C, sizeof(ulong)));
                break;
            }
            case DispatchCode.I32Load8s:
            {
                ref var r = ref Unsafe.Add(ref s0, sp - 1);
                r.Low = (uint)(int)Unsafe.ReadUnaligned<sbyte>(memories[op.A].Address(r.Low, op.C, sizeof(sbyte)));
                break;
            }
            case DispatchCode.I32Load8u:
            {
                ref var r = ref Unsafe.Add(ref s0, sp - 1);
                r.Low = Unsafe.ReadUnaligned<byte>(memories[op.A].Address(r.Low, op.C, sizeof(byte)));
                break;
            }
            case DispatchCode.I32Load16s:
            {
                ref var r = ref Unsafe.Add(ref s0, sp - 1);
                r.Low = (uint)(int)Unsafe.ReadUnaligned<short>(memories[op.A].Address(r.Low, op.C, sizeof(short)));
                break;
            }
            case DispatchCode.I32Load16u:
            {
                ref var r = ref Unsafe.Add(ref s0, sp - 1);
                r.Low = Unsafe.ReadUnaligned<ushort>(memories[op.A].Address(r.Low, op.C, sizeof(ushort)));
                break;
            }
            case DispatchCode.I64Load8s:
            {
                ref var r = ref Unsafe.Add(ref s0, sp - 1);
                r.Low = (ulong)(long)Unsafe.ReadUnaligned<sbyte>(memories[op.A].Address(r.Low, op.C, sizeof(sbyte)));
                break;
            }
            case DispatchCode.I64Load8u:
            {
                ref var r = ref Unsafe.Add(ref s0, sp - 1);
                r.Low = Unsafe.ReadUnaligned<byte>(memories[op.A].Address(r.Low, op.C, sizeof(byte)));
                break;
            }
            case DispatchCode.I64Load16s:
            {
                ref var r = ref Unsafe.Add(ref s0, sp - 1);
                r.Low = (ulong)(long)Unsafe.ReadUnaligned<short>(memories[op.A].Address(r.Low, op.C, sizeof(short)));
                break;
            }
            case DispatchCode.I64Load16u:
            {
                ref var r = ref Unsafe.Add(ref s0, sp - 1);
                r.Low = Unsafe.ReadUnaligned<ushort>(memories[op.A].Address(r.Low, op.C, sizeof(ushort)));
                break;
            }
            case DispatchCode.I64Load32s:
            {
                ref var r = ref Unsafe.Add(ref s0, sp - 1);
                r.Low = (ulong)(long)Unsafe.ReadUnaligned<int>(memories[op.A].Address(r.Low, op.C, sizeof(int)));
                break;
            }
            case DispatchCode.I64Load32u:
            {
                ref var r = ref Unsafe.Add(ref s0, sp - 1);
                r.Low = Unsafe.ReadUnaligned<uint>(memories[op.A].Address(r.Low, op.C, sizeof(uint)));
                break;
            }
            case DispatchCode.I32Store:
            {
                sp -= 2;
                Unsafe.WriteUnaligned(memories[op.A].Address(Unsafe.Add(ref s0, sp).Low, op.C, sizeof(uint)), (uint)Unsafe.Add(ref s0, sp + 1).Low);
                break;
            }
            case DispatchCode.I64Store:
            {
                sp -= 2;
                Unsafe.WriteUnaligned(memories[op.A].Address(Unsafe.Add(ref s0, sp).Low, op.C, sizeof(ulong)), (ulong)Unsafe.Add(ref s0, sp + 1).Low);
                break;
            }
            case DispatchCode.F32Store:
            {
                sp -= 2;
                Unsafe.WriteUnaligned(memories[op.A].Address(Unsafe.Add(ref s0, sp).Low, op.C, sizeof(uint)), (uint)Unsafe.Add(ref s0, sp + 1).Low);
                break;
            }
            case DispatchCode.F64Store:
            {
                sp -= 2;
                Unsafe.WriteUnaligned(memories[op.A].Address(Unsafe.Add(ref s0, sp).Low, op.C, sizeof(ulong)), (ulong)Unsafe.Add(ref s0, sp + 1).Low);
                break;
            }
            case DispatchCode.I32Store8:
            {
                sp -= 2;
                Unsafe.WriteUnaligned(memories[op.A].Address(Unsafe.Add(ref s0, sp).Low, op.C, sizeof(byte)), (byte)Unsafe.Add(ref s0, sp + 1).Low);
                break;
            }
            case DispatchCode.I32Store16:
            {
                sp -= 2;
                Unsafe.WriteUnaligned(memories[op.A].Address(Unsafe.Add(ref s0, sp).Low, op.C, sizeof(ushort)), (ushort)Unsafe.Add(ref s0, sp + 1).Low);
                break;
            }
            case DispatchCode.I64Store8:
            {
                sp -= 2;
                Unsafe.WriteUnaligned(memories[op.A].Address(Unsafe.Add(ref s0, sp).Low, op.C, sizeof(byte)), (byte)Unsafe.Add(ref s0, sp + 1).Low);
                break;
            }
            case DispatchCode.I64Store16:
            {
                sp -= 2;
                Unsafe.WriteUnaligned(memories[op.A].Address(Unsafe.Add(ref s0, sp).Low, op.C, sizeof(ushort)), (ushort)Unsafe.Add(ref s0, sp + 1).Low);
                break;
            }
            case DispatchCode.I64Store32:
            {
                sp -= 2;
                Unsafe.WriteUnaligned(memories[op.A].Address(Unsafe.Add(ref s0, sp).Low, op.C, sizeof(uint)), (uint)Unsafe.Add(ref s0, sp + 1).Low);
                break;
            }
            }
        }
    }

    /// <summary>
    /// The index in <paramref name="handlers"/> of the innermost handler at <paramref name="at"/> that catches
    /// <paramref name="thrown"/>, or -1. Out of <see cref="Run"/>: cold, and its inlines would count against the loop's
    /// RyuJIT budget.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int FindHandler(Handler[] handlers, int at, ModuleInstance inst, ExceptionInstance thrown)
    {
        var maxDepth = int.MaxValue; // lowered by a delegate: only blocks at or outside its target may catch
        for (var i = handlers.Length - 1; i >= 0; i--)
        {
            var candidate = handlers[i];
            if (at < candidate.Start || at >= candidate.End || candidate.Depth > maxDepth)
            {
                continue;
            }
            if (candidate.Kind == HandlerKind.Delegate)
            {
                maxDepth = candidate.Slot;
                continue;
            }
            if (candidate.Tag < 0 || ReferenceEquals(inst.Tags[candidate.Tag], thrown.Tag))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary><c>throw</c>: the exception of <paramref name="tag"/> whose payload is the top of the stack (the caller pops it).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ExceptionInstance NewException(TagInstance tag, Slot[] s, int sp)
    {
        var count = tag.Type.Parameters.Count;
        var payload = new Value[count];
        for (var i = 0; i < count; i++)
        {
            payload[i] = ToValue(s[sp - count + i]);
        }
        return new ExceptionInstance(tag, payload);
    }

    /// <summary>
    /// A branch back (to a loop) traps with <c>interrupted</c> when the store was asked to stop, so that loops without
    /// calls stop too; every branch op calls this with its target before jumping.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void StopIfInterruptedGoingBack(int target, int pc)
    {
        if (target < pc && _store.Interrupted)
        {
            TrapException.Throw(TrapKind.Interrupted);
        }
    }

    /// <summary>Copies a number or vector slot (bits only; the target's reference cleared, as a number has none).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyBits(ref Slot to, ref Slot from)
    {
        to.Low = from.Low;
        to.High = from.High;
        to.Reference = null;
    }

    /// <summary>Writes a number's bits into a slot: the high half and the reference cleared (a slot holding a number has none).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SetBits(ref Slot slot, ulong bits)
    {
        slot.Low = bits;
        slot.High = 0;
        slot.Reference = null;
    }

    /// <summary>Whether the i32 comparison <paramref name="comparison"/> of a fused compare-and-branch op holds for <paramref name="a"/>, <paramref name="b"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int BranchHolds(Opcode comparison, int a, int b) => comparison switch
    {
        Opcode.I32Eq => ScalarOps.I32Eq(a, b),
        Opcode.I32Ne => ScalarOps.I32Ne(a, b),
        Opcode.I32LtS => ScalarOps.I32LtS(a, b),
        Opcode.I32LtU => ScalarOps.I32LtU(a, b),
        Opcode.I32GtS => ScalarOps.I32GtS(a, b),
        Opcode.I32GtU => ScalarOps.I32GtU(a, b),
        Opcode.I32LeS => ScalarOps.I32LeS(a, b),
        Opcode.I32LeU => ScalarOps.I32LeU(a, b),
        Opcode.I32GeS => ScalarOps.I32GeS(a, b),
        _ => ScalarOps.I32GeU(a, b),
    };

    /// <summary>
    /// Charges the fuel of the instructions a superinstruction stands for beyond the one its dispatch charged, so
    /// that fuel counts Wasm instructions whatever the interpreter fused. Before the op's effect: the instructions
    /// fused before the last are pure, so trapping before them is indistinguishable from trapping after.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ChargeFusedFuel(bool fuelEnabled, int extra)
    {
        if (fuelEnabled && (_store.Fuel -= extra) < 0)
        {
            _store.Fuel = 0;
            TrapException.Throw(TrapKind.OutOfFuel);
        }
    }

    /// <summary>Moves the top <paramref name="arity"/> slots down to <paramref name="height"/> (a branch's label values); returns the new top.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int BranchMove(Slot[] s, int sp, int height, int arity)
    {
        var from = sp - arity;
        if (from != height)
        {
            for (var i = 0; i < arity; i++)
            {
                s[height + i] = s[from + i];
            }
        }
        return height + arity;
    }
}
