using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
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
    }

    /// <summary>Interprets <paramref name="function"/> (a function of this store); on return <paramref name="results"/> holds its results.</summary>
    public void Invoke(WasmFunction function, ReadOnlySpan<Value> args, Span<Value> results)
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            // Host functions calling back in nest .NET frames; stop before the process would.
            throw new TrapException(TrapKind.CallStackExhausted, "host stack");
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
    private void CallHost(FunctionInstance host, ref int sp)
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
            Store.Call(host, args.AsSpan(0, parameterCount), results.AsSpan(0, resultCount));
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

    /// <summary>Calls a host function; a Wasm exception escaping it (from Wasm it called) is returned to unwind here.</summary>
    private ExceptionInstance? CallHostCatching(FunctionInstance host, ref int sp)
    {
        try
        {
            CallHost(host, ref sp);
            return null;
        }
        catch (UncaughtException e)
        {
            return e.Exception;
        }
    }

    /// <summary>The function an indirect call names, after the checks of <c>call_indirect</c>.</summary>
    private static FunctionInstance ResolveIndirect(ModuleInstance instance, int typeIndex, int tableIndex, ulong index)
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

    private static void MemoryInit(ModuleInstance instance, int dataIndex, int memoryIndex, ulong destination, ulong source, ulong count)
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
        var sp = _sp;
        var callee = entry;
        var tail = false;
        Op[] code = null!;
        CompiledFunction compiled = null!;
        ModuleInstance inst = null!;
        var pc = 0;
        var fp = 0;
        var fuelEnabled = _fuelEnabled;
        ExceptionInstance? exception = null;

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
            }
            for (var i = newFp + target.ParamCount; i < newFp + target.LocalCount; i++)
            {
                s[i] = default;
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
                var handlers = compiled.Handlers;
                var at = pc - 1;
                var found = -1;
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
                        found = i;
                        break;
                    }
                }
                if (found >= 0)
                {
                    var handler = handlers[found];
                    var target = compiled.BranchTargets[handler.Target];
                    sp = fp + target.Height;
                    if (handler.Kind is HandlerKind.LegacyCatch or HandlerKind.LegacyCatchAll)
                    {
                        s[fp + handler.Slot] = new Slot { Reference = thrown };
                    }
                    if (handler.Kind is HandlerKind.Catch or HandlerKind.CatchRef or HandlerKind.LegacyCatch)
                    {
                        foreach (var value in thrown.Payload)
                        {
                            s[sp++] = ToSlot(value);
                        }
                    }
                    if (handler.Kind is HandlerKind.CatchRef or HandlerKind.CatchAllRef)
                    {
                        s[sp++] = new Slot { Reference = thrown };
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
            switch (op.Code)
            {
            // ---- Control ----------------------------------------------------------------------------
            case Opcode.Unreachable:
                TrapException.Throw(TrapKind.Unreachable);
                break;
            // A branch back (to a loop) checks for an interrupt request, so that loops without calls stop too.
            case InternalOp.Jump:
                if (op.A < pc && _store.Interrupted)
                {
                    TrapException.Throw(TrapKind.Interrupted);
                }
                pc = op.A;
                break;
            case InternalOp.BrMove:
                if (op.A < pc && _store.Interrupted)
                {
                    TrapException.Throw(TrapKind.Interrupted);
                }
                sp = BranchMove(s, sp, fp + op.B, (int)op.C);
                pc = op.A;
                break;
            case InternalOp.BrIfJump:
                if ((uint)s[--sp].Low != 0)
                {
                    if (op.A < pc && _store.Interrupted)
                    {
                        TrapException.Throw(TrapKind.Interrupted);
                    }
                    pc = op.A;
                }
                break;
            case InternalOp.BrIfMove:
                if ((uint)s[--sp].Low != 0)
                {
                    if (op.A < pc && _store.Interrupted)
                    {
                        TrapException.Throw(TrapKind.Interrupted);
                    }
                    sp = BranchMove(s, sp, fp + op.B, (int)op.C);
                    pc = op.A;
                }
                break;
            case InternalOp.BrUnless:
                if ((uint)s[--sp].Low == 0)
                {
                    pc = op.A;
                }
                break;
            case InternalOp.BrTableJump:
            {
                var index = (uint)s[--sp].Low;
                var target = compiled.BranchTargets[op.A + (int)Math.Min(index, (uint)op.B)];
                if (target.Pc < pc && _store.Interrupted)
                {
                    TrapException.Throw(TrapKind.Interrupted);
                }
                sp = BranchMove(s, sp, fp + target.Height, target.Arity);
                pc = target.Pc;
                break;
            }
            case Opcode.Return:
            {
                var count = compiled.ResultCount;
                if (compiled.ResultsAreBits)
                {
                    for (var i = 0; i < count; i++)
                    {
                        ref var from = ref s[sp - count + i];
                        ref var to = ref s[fp + i];
                        to.Low = from.Low;
                        to.High = from.High;
                        to.Reference = null;
                    }
                }
                else
                {
                    for (var i = 0; i < count; i++)
                    {
                        s[fp + i] = s[sp - count + i];
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
                pc = caller.Pc;
                fp = caller.Fp;
                break;
            }
            case Opcode.Call:
            case Opcode.ReturnCall:
            {
                var function = inst.Functions[op.A];
                if (function is WasmFunction wasm && RunsHere(wasm))
                {
                    _frames[_depth - 1].Pc = pc;
                    callee = wasm;
                    tail = op.Code == Opcode.ReturnCall;
                    goto Enter;
                }
                exception = CallHostCatching(function, ref sp);
                s = _stack;
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
            case Opcode.CallIndirect:
            case Opcode.ReturnCallIndirect:
            {
                var function = ResolveIndirect(inst, op.A, op.B, s[--sp].Low);
                if (function is WasmFunction wasm && RunsHere(wasm))
                {
                    _frames[_depth - 1].Pc = pc;
                    callee = wasm;
                    tail = op.Code == Opcode.ReturnCallIndirect;
                    goto Enter;
                }
                exception = CallHostCatching(function, ref sp);
                s = _stack;
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
            case Opcode.CallRef:
            case Opcode.ReturnCallRef:
            {
                if (s[--sp].Reference is not FunctionInstance function)
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
                exception = CallHostCatching(function, ref sp);
                s = _stack;
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

            case Opcode.Throw:
            {
                var tag = inst.Tags[op.A];
                var count = tag.Type.Parameters.Count;
                var payload = new Value[count];
                for (var i = 0; i < count; i++)
                {
                    payload[i] = ToValue(s[sp - count + i]);
                }
                sp -= count;
                exception = new ExceptionInstance(tag, payload);
                goto Unwind;
            }
            case Opcode.Rethrow:
                exception = (ExceptionInstance)s[fp + op.A].Reference!;
                goto Unwind;
            case Opcode.ThrowRef:
            {
                if (s[--sp].Reference is not ExceptionInstance thrown)
                {
                    TrapException.Throw(TrapKind.NullExceptionReference);
                    break;
                }
                exception = thrown;
                goto Unwind;
            }

            // ---- Parametric -------------------------------------------------------------------------
            case Opcode.Drop:
                sp--;
                break;
            case Opcode.Select:
            {
                // Untyped select is for numbers and vectors only: the bits are enough.
                sp -= 2;
                if ((uint)s[sp + 1].Low == 0)
                {
                    ref var r = ref s[sp - 1];
                    r.Low = s[sp].Low;
                    r.High = s[sp].High;
                }
                break;
            }
            case Opcode.SelectTyped:
            {
                sp -= 2;
                if ((uint)s[sp + 1].Low == 0)
                {
                    s[sp - 1] = s[sp];
                }
                break;
            }

            // ---- Variables --------------------------------------------------------------------------
            case InternalOp.LocalGetBits:
            {
                ref var local = ref s[fp + op.A];
                ref var r = ref s[sp++];
                r.Low = local.Low;
                r.High = local.High;
                r.Reference = null;
                break;
            }
            case InternalOp.LocalSetBits:
            {
                ref var value = ref s[--sp];
                ref var local = ref s[fp + op.A];
                local.Low = value.Low;
                local.High = value.High;
                break;
            }
            case InternalOp.LocalTeeBits:
            {
                ref var value = ref s[sp - 1];
                ref var local = ref s[fp + op.A];
                local.Low = value.Low;
                local.High = value.High;
                break;
            }
            case Opcode.LocalGet:
                s[sp++] = s[fp + op.A];
                break;
            case Opcode.LocalSet:
                s[fp + op.A] = s[--sp];
                break;
            case Opcode.LocalTee:
                s[fp + op.A] = s[sp - 1];
                break;
            case Opcode.GlobalGet:
                s[sp++] = ToSlot(inst.Globals[op.A].RawValue);
                break;
            case Opcode.GlobalSet:
                inst.Globals[op.A].RawValue = ToValue(s[--sp]);
                break;

            // ---- Constants --------------------------------------------------------------------------
            case Opcode.I32Const:
            case Opcode.I64Const:
            case Opcode.F32Const:
            case Opcode.F64Const:
            {
                ref var r = ref s[sp++];
                r.Low = op.C;
                r.High = 0;
                r.Reference = null;
                break;
            }
            case Opcode.V128Const:
            {
                var constant = compiled.Constants[op.A];
                ref var r = ref s[sp++];
                r.Low = constant.Low;
                r.High = constant.High;
                r.Reference = null;
                break;
            }

            // ---- References -------------------------------------------------------------------------
            case Opcode.RefNull:
                s[sp++] = default;
                break;
            case Opcode.RefIsNull:
            {
                ref var r = ref s[sp - 1];
                r.Low = r.Reference is null ? 1u : 0u;
                r.Reference = null;
                break;
            }
            case Opcode.RefFunc:
                s[sp++] = new Slot { Reference = inst.Functions[op.A] };
                break;
            case Opcode.RefAsNonNull:
                if (s[sp - 1].Reference is null)
                {
                    TrapException.Throw(TrapKind.NullReference);
                }
                break;
            case Opcode.RefEq:
            {
                sp--;
                ref var r = ref s[sp - 1];
                r.Low = Gc.ReferenceEqual(r.Reference, s[sp].Reference) ? 1u : 0u;
                r.Reference = null;
                break;
            }
            case Opcode.BrOnNull:
            {
                // Leaves a condition for the BrIf that follows: 1 (and the reference popped) on null.
                ref var r = ref s[sp - 1];
                if (r.Reference is null)
                {
                    r.Low = 1;
                }
                else
                {
                    s[sp++] = default;
                }
                break;
            }
            case Opcode.BrOnNonNull:
            {
                var isNull = s[sp - 1].Reference is null;
                ref var r = ref s[sp++];
                r = default;
                r.Low = isNull ? 0u : 1u;
                break;
            }

            // ---- Tables -----------------------------------------------------------------------------
            case Opcode.TableGet:
            {
                ref var r = ref s[sp - 1];
                r.Reference = inst.Tables[op.A].Get(r.Low);
                r.Low = 0;
                break;
            }
            case Opcode.TableSet:
                sp -= 2;
                inst.Tables[op.A].Set(s[sp].Low, s[sp + 1].Reference);
                break;
            case Opcode.TableSize:
            {
                ref var r = ref s[sp++];
                r = default;
                r.Low = inst.Tables[op.A].Length;
                break;
            }
            case Opcode.TableGrow:
            {
                sp--;
                var table = inst.Tables[op.A];
                ref var r = ref s[sp - 1];
                var result = table.Grow(s[sp].Low, r.Reference);
                r.Reference = null;
                r.Low = table.Is64 ? (ulong)result : (uint)(int)result;
                break;
            }
            case Opcode.TableFill:
                sp -= 3;
                inst.Tables[op.A].Fill(s[sp].Low, s[sp + 1].Reference, s[sp + 2].Low);
                break;
            case Opcode.TableCopy:
                sp -= 3;
                TableInstance.Copy(inst.Tables[op.A], s[sp].Low, inst.Tables[op.B], s[sp + 1].Low, s[sp + 2].Low);
                break;
            case Opcode.TableInit:
                sp -= 3;
                inst.Tables[op.B].Init(s[sp].Low, inst.Elements[op.A], s[sp + 1].Low, s[sp + 2].Low);
                break;
            case Opcode.ElemDrop:
                inst.Elements[op.A].Drop();
                break;

            // ---- Memory -----------------------------------------------------------------------------
            case Opcode.MemorySize:
            {
                ref var r = ref s[sp++];
                r = default;
                r.Low = inst.Memories[op.A].Pages;
                break;
            }
            case Opcode.MemoryGrow:
            {
                var memory = inst.Memories[op.A];
                ref var r = ref s[sp - 1];
                var result = memory.Grow(memory.Is64 ? r.Low : (uint)r.Low);
                r.Low = memory.Is64 ? (ulong)result : (uint)(int)result;
                break;
            }
            case Opcode.MemoryFill:
                sp -= 3;
                inst.Memories[op.A].Fill(s[sp].Low, (byte)s[sp + 1].Low, s[sp + 2].Low);
                break;
            case Opcode.MemoryCopy:
                sp -= 3;
                MemoryInstance.Copy(inst.Memories[op.A], s[sp].Low, inst.Memories[op.B], s[sp + 1].Low, s[sp + 2].Low);
                break;
            case Opcode.MemoryInit:
                sp -= 3;
                MemoryInit(inst, op.A, op.B, s[sp].Low, s[sp + 1].Low, s[sp + 2].Low);
                break;
            case Opcode.DataDrop:
                inst.Data[op.A].Drop();
                break;

            // ---- Numeric (generated from one table: each case is the operator of its name) ------------
            // Binary operators read their second operand as the slot after the first (Unsafe.Add): it was written by a
            // bounds-checked push, so it lies inside the array whenever the checked access to the first one does.
            case Opcode.I32Add:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = (uint)Unsafe.Add(ref r, 1).Low;
                var a = (uint)r.Low;
                r.Low = (uint)(a + b);
                break;
            }
            case Opcode.I32Sub:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = (uint)Unsafe.Add(ref r, 1).Low;
                var a = (uint)r.Low;
                r.Low = (uint)(a - b);
                break;
            }
            case Opcode.I32Mul:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = (uint)Unsafe.Add(ref r, 1).Low;
                var a = (uint)r.Low;
                r.Low = (uint)(a * b);
                break;
            }
            case Opcode.I32DivS:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = (uint)Unsafe.Add(ref r, 1).Low;
                var a = (uint)r.Low;
                r.Low = (uint)(Numerics.I32DivS((int)a, (int)b));
                break;
            }
            case Opcode.I32DivU:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = (uint)Unsafe.Add(ref r, 1).Low;
                var a = (uint)r.Low;
                r.Low = (uint)(Numerics.I32DivU(a, b));
                break;
            }
            case Opcode.I32RemS:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = (uint)Unsafe.Add(ref r, 1).Low;
                var a = (uint)r.Low;
                r.Low = (uint)(Numerics.I32RemS((int)a, (int)b));
                break;
            }
            case Opcode.I32RemU:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = (uint)Unsafe.Add(ref r, 1).Low;
                var a = (uint)r.Low;
                r.Low = (uint)(Numerics.I32RemU(a, b));
                break;
            }
            case Opcode.I32And:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = (uint)Unsafe.Add(ref r, 1).Low;
                var a = (uint)r.Low;
                r.Low = (uint)(a & b);
                break;
            }
            case Opcode.I32Or:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = (uint)Unsafe.Add(ref r, 1).Low;
                var a = (uint)r.Low;
                r.Low = (uint)(a | b);
                break;
            }
            case Opcode.I32Xor:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = (uint)Unsafe.Add(ref r, 1).Low;
                var a = (uint)r.Low;
                r.Low = (uint)(a ^ b);
                break;
            }
            case Opcode.I32Shl:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = (uint)Unsafe.Add(ref r, 1).Low;
                var a = (uint)r.Low;
                r.Low = (uint)(a << (int)(b & 31));
                break;
            }
            case Opcode.I32ShrS:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = (uint)Unsafe.Add(ref r, 1).Low;
                var a = (uint)r.Low;
                r.Low = (uint)((int)a >> (int)(b & 31));
                break;
            }
            case Opcode.I32ShrU:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = (uint)Unsafe.Add(ref r, 1).Low;
                var a = (uint)r.Low;
                r.Low = (uint)(a >> (int)(b & 31));
                break;
            }
            case Opcode.I32Rotl:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = (uint)Unsafe.Add(ref r, 1).Low;
                var a = (uint)r.Low;
                r.Low = (uint)(Numerics.I32Rotl(a, b));
                break;
            }
            case Opcode.I32Rotr:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = (uint)Unsafe.Add(ref r, 1).Low;
                var a = (uint)r.Low;
                r.Low = (uint)(Numerics.I32Rotr(a, b));
                break;
            }
            case Opcode.I32Eq:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = (uint)Unsafe.Add(ref r, 1).Low;
                var a = (uint)r.Low;
                r.Low = (uint)(a == b ? 1 : 0);
                break;
            }
            case Opcode.I32Ne:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = (uint)Unsafe.Add(ref r, 1).Low;
                var a = (uint)r.Low;
                r.Low = (uint)(a != b ? 1 : 0);
                break;
            }
            case Opcode.I32LtS:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = (uint)Unsafe.Add(ref r, 1).Low;
                var a = (uint)r.Low;
                r.Low = (uint)((int)a < (int)b ? 1 : 0);
                break;
            }
            case Opcode.I32LtU:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = (uint)Unsafe.Add(ref r, 1).Low;
                var a = (uint)r.Low;
                r.Low = (uint)(a < b ? 1 : 0);
                break;
            }
            case Opcode.I32GtS:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = (uint)Unsafe.Add(ref r, 1).Low;
                var a = (uint)r.Low;
                r.Low = (uint)((int)a > (int)b ? 1 : 0);
                break;
            }
            case Opcode.I32GtU:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = (uint)Unsafe.Add(ref r, 1).Low;
                var a = (uint)r.Low;
                r.Low = (uint)(a > b ? 1 : 0);
                break;
            }
            case Opcode.I32LeS:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = (uint)Unsafe.Add(ref r, 1).Low;
                var a = (uint)r.Low;
                r.Low = (uint)((int)a <= (int)b ? 1 : 0);
                break;
            }
            case Opcode.I32LeU:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = (uint)Unsafe.Add(ref r, 1).Low;
                var a = (uint)r.Low;
                r.Low = (uint)(a <= b ? 1 : 0);
                break;
            }
            case Opcode.I32GeS:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = (uint)Unsafe.Add(ref r, 1).Low;
                var a = (uint)r.Low;
                r.Low = (uint)((int)a >= (int)b ? 1 : 0);
                break;
            }
            case Opcode.I32GeU:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = (uint)Unsafe.Add(ref r, 1).Low;
                var a = (uint)r.Low;
                r.Low = (uint)(a >= b ? 1 : 0);
                break;
            }
            case Opcode.I64Add:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = Unsafe.Add(ref r, 1).Low;
                var a = r.Low;
                r.Low = (ulong)(a + b);
                break;
            }
            case Opcode.I64Sub:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = Unsafe.Add(ref r, 1).Low;
                var a = r.Low;
                r.Low = (ulong)(a - b);
                break;
            }
            case Opcode.I64Mul:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = Unsafe.Add(ref r, 1).Low;
                var a = r.Low;
                r.Low = (ulong)(a * b);
                break;
            }
            case Opcode.I64DivS:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = Unsafe.Add(ref r, 1).Low;
                var a = r.Low;
                r.Low = (ulong)(Numerics.I64DivS((long)a, (long)b));
                break;
            }
            case Opcode.I64DivU:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = Unsafe.Add(ref r, 1).Low;
                var a = r.Low;
                r.Low = (ulong)(Numerics.I64DivU(a, b));
                break;
            }
            case Opcode.I64RemS:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = Unsafe.Add(ref r, 1).Low;
                var a = r.Low;
                r.Low = (ulong)(Numerics.I64RemS((long)a, (long)b));
                break;
            }
            case Opcode.I64RemU:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = Unsafe.Add(ref r, 1).Low;
                var a = r.Low;
                r.Low = (ulong)(Numerics.I64RemU(a, b));
                break;
            }
            case Opcode.I64And:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = Unsafe.Add(ref r, 1).Low;
                var a = r.Low;
                r.Low = (ulong)(a & b);
                break;
            }
            case Opcode.I64Or:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = Unsafe.Add(ref r, 1).Low;
                var a = r.Low;
                r.Low = (ulong)(a | b);
                break;
            }
            case Opcode.I64Xor:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = Unsafe.Add(ref r, 1).Low;
                var a = r.Low;
                r.Low = (ulong)(a ^ b);
                break;
            }
            case Opcode.I64Shl:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = Unsafe.Add(ref r, 1).Low;
                var a = r.Low;
                r.Low = (ulong)(a << (int)(b & 63));
                break;
            }
            case Opcode.I64ShrS:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = Unsafe.Add(ref r, 1).Low;
                var a = r.Low;
                r.Low = (ulong)((long)a >> (int)(b & 63));
                break;
            }
            case Opcode.I64ShrU:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = Unsafe.Add(ref r, 1).Low;
                var a = r.Low;
                r.Low = (ulong)(a >> (int)(b & 63));
                break;
            }
            case Opcode.I64Rotl:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = Unsafe.Add(ref r, 1).Low;
                var a = r.Low;
                r.Low = (ulong)(Numerics.I64Rotl(a, b));
                break;
            }
            case Opcode.I64Rotr:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = Unsafe.Add(ref r, 1).Low;
                var a = r.Low;
                r.Low = (ulong)(Numerics.I64Rotr(a, b));
                break;
            }
            case Opcode.I64Eq:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = Unsafe.Add(ref r, 1).Low;
                var a = r.Low;
                r.Low = a == b ? 1u : 0u;
                break;
            }
            case Opcode.I64Ne:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = Unsafe.Add(ref r, 1).Low;
                var a = r.Low;
                r.Low = a != b ? 1u : 0u;
                break;
            }
            case Opcode.I64LtS:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = Unsafe.Add(ref r, 1).Low;
                var a = r.Low;
                r.Low = (long)a < (long)b ? 1u : 0u;
                break;
            }
            case Opcode.I64LtU:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = Unsafe.Add(ref r, 1).Low;
                var a = r.Low;
                r.Low = a < b ? 1u : 0u;
                break;
            }
            case Opcode.I64GtS:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = Unsafe.Add(ref r, 1).Low;
                var a = r.Low;
                r.Low = (long)a > (long)b ? 1u : 0u;
                break;
            }
            case Opcode.I64GtU:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = Unsafe.Add(ref r, 1).Low;
                var a = r.Low;
                r.Low = a > b ? 1u : 0u;
                break;
            }
            case Opcode.I64LeS:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = Unsafe.Add(ref r, 1).Low;
                var a = r.Low;
                r.Low = (long)a <= (long)b ? 1u : 0u;
                break;
            }
            case Opcode.I64LeU:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = Unsafe.Add(ref r, 1).Low;
                var a = r.Low;
                r.Low = a <= b ? 1u : 0u;
                break;
            }
            case Opcode.I64GeS:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = Unsafe.Add(ref r, 1).Low;
                var a = r.Low;
                r.Low = (long)a >= (long)b ? 1u : 0u;
                break;
            }
            case Opcode.I64GeU:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = Unsafe.Add(ref r, 1).Low;
                var a = r.Low;
                r.Low = a >= b ? 1u : 0u;
                break;
            }
            case Opcode.F32Add:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = BitConverter.UInt32BitsToSingle((uint)Unsafe.Add(ref r, 1).Low);
                var a = BitConverter.UInt32BitsToSingle((uint)r.Low);
                r.Low = BitConverter.SingleToUInt32Bits(a + b);
                break;
            }
            case Opcode.F32Sub:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = BitConverter.UInt32BitsToSingle((uint)Unsafe.Add(ref r, 1).Low);
                var a = BitConverter.UInt32BitsToSingle((uint)r.Low);
                r.Low = BitConverter.SingleToUInt32Bits(a - b);
                break;
            }
            case Opcode.F32Mul:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = BitConverter.UInt32BitsToSingle((uint)Unsafe.Add(ref r, 1).Low);
                var a = BitConverter.UInt32BitsToSingle((uint)r.Low);
                r.Low = BitConverter.SingleToUInt32Bits(a * b);
                break;
            }
            case Opcode.F32Div:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = BitConverter.UInt32BitsToSingle((uint)Unsafe.Add(ref r, 1).Low);
                var a = BitConverter.UInt32BitsToSingle((uint)r.Low);
                r.Low = BitConverter.SingleToUInt32Bits(a / b);
                break;
            }
            case Opcode.F32Min:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = BitConverter.UInt32BitsToSingle((uint)Unsafe.Add(ref r, 1).Low);
                var a = BitConverter.UInt32BitsToSingle((uint)r.Low);
                r.Low = BitConverter.SingleToUInt32Bits(Numerics.F32Min(a, b));
                break;
            }
            case Opcode.F32Max:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = BitConverter.UInt32BitsToSingle((uint)Unsafe.Add(ref r, 1).Low);
                var a = BitConverter.UInt32BitsToSingle((uint)r.Low);
                r.Low = BitConverter.SingleToUInt32Bits(Numerics.F32Max(a, b));
                break;
            }
            case Opcode.F32Eq:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = BitConverter.UInt32BitsToSingle((uint)Unsafe.Add(ref r, 1).Low);
                var a = BitConverter.UInt32BitsToSingle((uint)r.Low);
                r.Low = a == b ? 1u : 0u;
                break;
            }
            case Opcode.F32Ne:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = BitConverter.UInt32BitsToSingle((uint)Unsafe.Add(ref r, 1).Low);
                var a = BitConverter.UInt32BitsToSingle((uint)r.Low);
                r.Low = a != b ? 1u : 0u;
                break;
            }
            case Opcode.F32Lt:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = BitConverter.UInt32BitsToSingle((uint)Unsafe.Add(ref r, 1).Low);
                var a = BitConverter.UInt32BitsToSingle((uint)r.Low);
                r.Low = a < b ? 1u : 0u;
                break;
            }
            case Opcode.F32Gt:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = BitConverter.UInt32BitsToSingle((uint)Unsafe.Add(ref r, 1).Low);
                var a = BitConverter.UInt32BitsToSingle((uint)r.Low);
                r.Low = a > b ? 1u : 0u;
                break;
            }
            case Opcode.F32Le:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = BitConverter.UInt32BitsToSingle((uint)Unsafe.Add(ref r, 1).Low);
                var a = BitConverter.UInt32BitsToSingle((uint)r.Low);
                r.Low = a <= b ? 1u : 0u;
                break;
            }
            case Opcode.F32Ge:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = BitConverter.UInt32BitsToSingle((uint)Unsafe.Add(ref r, 1).Low);
                var a = BitConverter.UInt32BitsToSingle((uint)r.Low);
                r.Low = a >= b ? 1u : 0u;
                break;
            }
            case Opcode.F64Add:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = BitConverter.UInt64BitsToDouble(Unsafe.Add(ref r, 1).Low);
                var a = BitConverter.UInt64BitsToDouble(r.Low);
                r.Low = BitConverter.DoubleToUInt64Bits(a + b);
                break;
            }
            case Opcode.F64Sub:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = BitConverter.UInt64BitsToDouble(Unsafe.Add(ref r, 1).Low);
                var a = BitConverter.UInt64BitsToDouble(r.Low);
                r.Low = BitConverter.DoubleToUInt64Bits(a - b);
                break;
            }
            case Opcode.F64Mul:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = BitConverter.UInt64BitsToDouble(Unsafe.Add(ref r, 1).Low);
                var a = BitConverter.UInt64BitsToDouble(r.Low);
                r.Low = BitConverter.DoubleToUInt64Bits(a * b);
                break;
            }
            case Opcode.F64Div:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = BitConverter.UInt64BitsToDouble(Unsafe.Add(ref r, 1).Low);
                var a = BitConverter.UInt64BitsToDouble(r.Low);
                r.Low = BitConverter.DoubleToUInt64Bits(a / b);
                break;
            }
            case Opcode.F64Min:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = BitConverter.UInt64BitsToDouble(Unsafe.Add(ref r, 1).Low);
                var a = BitConverter.UInt64BitsToDouble(r.Low);
                r.Low = BitConverter.DoubleToUInt64Bits(Numerics.F64Min(a, b));
                break;
            }
            case Opcode.F64Max:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = BitConverter.UInt64BitsToDouble(Unsafe.Add(ref r, 1).Low);
                var a = BitConverter.UInt64BitsToDouble(r.Low);
                r.Low = BitConverter.DoubleToUInt64Bits(Numerics.F64Max(a, b));
                break;
            }
            case Opcode.F64Eq:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = BitConverter.UInt64BitsToDouble(Unsafe.Add(ref r, 1).Low);
                var a = BitConverter.UInt64BitsToDouble(r.Low);
                r.Low = a == b ? 1u : 0u;
                break;
            }
            case Opcode.F64Ne:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = BitConverter.UInt64BitsToDouble(Unsafe.Add(ref r, 1).Low);
                var a = BitConverter.UInt64BitsToDouble(r.Low);
                r.Low = a != b ? 1u : 0u;
                break;
            }
            case Opcode.F64Lt:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = BitConverter.UInt64BitsToDouble(Unsafe.Add(ref r, 1).Low);
                var a = BitConverter.UInt64BitsToDouble(r.Low);
                r.Low = a < b ? 1u : 0u;
                break;
            }
            case Opcode.F64Gt:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = BitConverter.UInt64BitsToDouble(Unsafe.Add(ref r, 1).Low);
                var a = BitConverter.UInt64BitsToDouble(r.Low);
                r.Low = a > b ? 1u : 0u;
                break;
            }
            case Opcode.F64Le:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = BitConverter.UInt64BitsToDouble(Unsafe.Add(ref r, 1).Low);
                var a = BitConverter.UInt64BitsToDouble(r.Low);
                r.Low = a <= b ? 1u : 0u;
                break;
            }
            case Opcode.F64Ge:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var b = BitConverter.UInt64BitsToDouble(Unsafe.Add(ref r, 1).Low);
                var a = BitConverter.UInt64BitsToDouble(r.Low);
                r.Low = a >= b ? 1u : 0u;
                break;
            }
            case Opcode.F32Copysign:
            {
                sp--;
                ref var r = ref s[sp - 1];
                r.Low = Numerics.F32Copysign((uint)r.Low, (uint)s[sp].Low);
                break;
            }
            case Opcode.F64Copysign:
            {
                sp--;
                ref var r = ref s[sp - 1];
                r.Low = Numerics.F64Copysign(r.Low, s[sp].Low);
                break;
            }
            case Opcode.I32Eqz:
            {
                ref var r = ref s[sp - 1];
                r.Low = (uint)r.Low == 0 ? 1u : 0u;
                break;
            }
            case Opcode.I64Eqz:
            {
                ref var r = ref s[sp - 1];
                r.Low = r.Low == 0 ? 1u : 0u;
                break;
            }
            case Opcode.I32Clz:
            {
                ref var r = ref s[sp - 1];
                r.Low = (uint)BitOperations.LeadingZeroCount((uint)r.Low);
                break;
            }
            case Opcode.I32Ctz:
            {
                ref var r = ref s[sp - 1];
                r.Low = (uint)BitOperations.TrailingZeroCount((uint)r.Low);
                break;
            }
            case Opcode.I32Popcnt:
            {
                ref var r = ref s[sp - 1];
                r.Low = (uint)BitOperations.PopCount((uint)r.Low);
                break;
            }
            case Opcode.I64Clz:
            {
                ref var r = ref s[sp - 1];
                r.Low = (ulong)BitOperations.LeadingZeroCount(r.Low);
                break;
            }
            case Opcode.I64Ctz:
            {
                ref var r = ref s[sp - 1];
                r.Low = (ulong)BitOperations.TrailingZeroCount(r.Low);
                break;
            }
            case Opcode.I64Popcnt:
            {
                ref var r = ref s[sp - 1];
                r.Low = (ulong)BitOperations.PopCount(r.Low);
                break;
            }
            case Opcode.F32Abs:
            {
                ref var r = ref s[sp - 1];
                r.Low = Numerics.F32Abs((uint)r.Low);
                break;
            }
            case Opcode.F32Neg:
            {
                ref var r = ref s[sp - 1];
                r.Low = Numerics.F32Neg((uint)r.Low);
                break;
            }
            case Opcode.F64Abs:
            {
                ref var r = ref s[sp - 1];
                r.Low = Numerics.F64Abs(r.Low);
                break;
            }
            case Opcode.F64Neg:
            {
                ref var r = ref s[sp - 1];
                r.Low = Numerics.F64Neg(r.Low);
                break;
            }
            case Opcode.F32Ceil:
            {
                ref var r = ref s[sp - 1];
                r.Low = BitConverter.SingleToUInt32Bits(Numerics.F32Ceil(BitConverter.UInt32BitsToSingle((uint)r.Low)));
                break;
            }
            case Opcode.F64Ceil:
            {
                ref var r = ref s[sp - 1];
                r.Low = BitConverter.DoubleToUInt64Bits(Numerics.F64Ceil(BitConverter.UInt64BitsToDouble(r.Low)));
                break;
            }
            case Opcode.F32Floor:
            {
                ref var r = ref s[sp - 1];
                r.Low = BitConverter.SingleToUInt32Bits(Numerics.F32Floor(BitConverter.UInt32BitsToSingle((uint)r.Low)));
                break;
            }
            case Opcode.F64Floor:
            {
                ref var r = ref s[sp - 1];
                r.Low = BitConverter.DoubleToUInt64Bits(Numerics.F64Floor(BitConverter.UInt64BitsToDouble(r.Low)));
                break;
            }
            case Opcode.F32Trunc:
            {
                ref var r = ref s[sp - 1];
                r.Low = BitConverter.SingleToUInt32Bits(Numerics.F32Trunc(BitConverter.UInt32BitsToSingle((uint)r.Low)));
                break;
            }
            case Opcode.F64Trunc:
            {
                ref var r = ref s[sp - 1];
                r.Low = BitConverter.DoubleToUInt64Bits(Numerics.F64Trunc(BitConverter.UInt64BitsToDouble(r.Low)));
                break;
            }
            case Opcode.F32Nearest:
            {
                ref var r = ref s[sp - 1];
                r.Low = BitConverter.SingleToUInt32Bits(Numerics.F32Nearest(BitConverter.UInt32BitsToSingle((uint)r.Low)));
                break;
            }
            case Opcode.F64Nearest:
            {
                ref var r = ref s[sp - 1];
                r.Low = BitConverter.DoubleToUInt64Bits(Numerics.F64Nearest(BitConverter.UInt64BitsToDouble(r.Low)));
                break;
            }
            case Opcode.F32Sqrt:
            {
                ref var r = ref s[sp - 1];
                r.Low = BitConverter.SingleToUInt32Bits(Numerics.F32Sqrt(BitConverter.UInt32BitsToSingle((uint)r.Low)));
                break;
            }
            case Opcode.F64Sqrt:
            {
                ref var r = ref s[sp - 1];
                r.Low = BitConverter.DoubleToUInt64Bits(Numerics.F64Sqrt(BitConverter.UInt64BitsToDouble(r.Low)));
                break;
            }
            case Opcode.I32WrapI64:
            {
                ref var r = ref s[sp - 1];
                r.Low = (uint)r.Low;
                break;
            }
            case Opcode.I32TruncF32S:
            {
                ref var r = ref s[sp - 1];
                r.Low = (uint)Numerics.I32TruncS(BitConverter.UInt32BitsToSingle((uint)r.Low));
                break;
            }
            case Opcode.I32TruncF32U:
            {
                ref var r = ref s[sp - 1];
                r.Low = Numerics.I32TruncU(BitConverter.UInt32BitsToSingle((uint)r.Low));
                break;
            }
            case Opcode.I32TruncF64S:
            {
                ref var r = ref s[sp - 1];
                r.Low = (uint)Numerics.I32TruncS(BitConverter.UInt64BitsToDouble(r.Low));
                break;
            }
            case Opcode.I32TruncF64U:
            {
                ref var r = ref s[sp - 1];
                r.Low = Numerics.I32TruncU(BitConverter.UInt64BitsToDouble(r.Low));
                break;
            }
            case Opcode.I64ExtendI32S:
            {
                ref var r = ref s[sp - 1];
                r.Low = (ulong)(long)(int)r.Low;
                break;
            }
            case Opcode.I64ExtendI32U:
            {
                ref var r = ref s[sp - 1];
                r.Low = (uint)r.Low;
                break;
            }
            case Opcode.I64TruncF32S:
            {
                ref var r = ref s[sp - 1];
                r.Low = (ulong)Numerics.I64TruncS(BitConverter.UInt32BitsToSingle((uint)r.Low));
                break;
            }
            case Opcode.I64TruncF32U:
            {
                ref var r = ref s[sp - 1];
                r.Low = Numerics.I64TruncU(BitConverter.UInt32BitsToSingle((uint)r.Low));
                break;
            }
            case Opcode.I64TruncF64S:
            {
                ref var r = ref s[sp - 1];
                r.Low = (ulong)Numerics.I64TruncS(BitConverter.UInt64BitsToDouble(r.Low));
                break;
            }
            case Opcode.I64TruncF64U:
            {
                ref var r = ref s[sp - 1];
                r.Low = Numerics.I64TruncU(BitConverter.UInt64BitsToDouble(r.Low));
                break;
            }
            case Opcode.F32ConvertI32S:
            {
                ref var r = ref s[sp - 1];
                r.Low = BitConverter.SingleToUInt32Bits(Numerics.F32ConvertS64((int)r.Low));
                break;
            }
            case Opcode.F32ConvertI32U:
            {
                ref var r = ref s[sp - 1];
                r.Low = BitConverter.SingleToUInt32Bits(Numerics.F32ConvertU64((uint)r.Low));
                break;
            }
            case Opcode.F32ConvertI64S:
            {
                ref var r = ref s[sp - 1];
                r.Low = BitConverter.SingleToUInt32Bits(Numerics.F32ConvertS64((long)r.Low));
                break;
            }
            case Opcode.F32ConvertI64U:
            {
                ref var r = ref s[sp - 1];
                r.Low = BitConverter.SingleToUInt32Bits(Numerics.F32ConvertU64(r.Low));
                break;
            }
            case Opcode.F32DemoteF64:
            {
                ref var r = ref s[sp - 1];
                r.Low = BitConverter.SingleToUInt32Bits(Numerics.F32Demote(BitConverter.UInt64BitsToDouble(r.Low)));
                break;
            }
            case Opcode.F64ConvertI32S:
            {
                ref var r = ref s[sp - 1];
                r.Low = BitConverter.DoubleToUInt64Bits((int)r.Low);
                break;
            }
            case Opcode.F64ConvertI32U:
            {
                ref var r = ref s[sp - 1];
                r.Low = BitConverter.DoubleToUInt64Bits((uint)r.Low);
                break;
            }
            case Opcode.F64ConvertI64S:
            {
                ref var r = ref s[sp - 1];
                r.Low = BitConverter.DoubleToUInt64Bits(Numerics.F64ConvertS64((long)r.Low));
                break;
            }
            case Opcode.F64ConvertI64U:
            {
                ref var r = ref s[sp - 1];
                r.Low = BitConverter.DoubleToUInt64Bits(Numerics.F64ConvertU64(r.Low));
                break;
            }
            case Opcode.F64PromoteF32:
            {
                ref var r = ref s[sp - 1];
                r.Low = BitConverter.DoubleToUInt64Bits(Numerics.F64Promote(BitConverter.UInt32BitsToSingle((uint)r.Low)));
                break;
            }
            case Opcode.I32ReinterpretF32:
            {
                break;
            }
            case Opcode.I64ReinterpretF64:
            {
                break;
            }
            case Opcode.F32ReinterpretI32:
            {
                break;
            }
            case Opcode.F64ReinterpretI64:
            {
                break;
            }
            case Opcode.I32Extend8S:
            {
                ref var r = ref s[sp - 1];
                r.Low = (uint)(int)(sbyte)r.Low;
                break;
            }
            case Opcode.I32Extend16S:
            {
                ref var r = ref s[sp - 1];
                r.Low = (uint)(int)(short)r.Low;
                break;
            }
            case Opcode.I64Extend8S:
            {
                ref var r = ref s[sp - 1];
                r.Low = (ulong)(long)(sbyte)r.Low;
                break;
            }
            case Opcode.I64Extend16S:
            {
                ref var r = ref s[sp - 1];
                r.Low = (ulong)(long)(short)r.Low;
                break;
            }
            case Opcode.I64Extend32S:
            {
                ref var r = ref s[sp - 1];
                r.Low = (ulong)(long)(int)r.Low;
                break;
            }
            case Opcode.I32TruncSatF32S:
            {
                ref var r = ref s[sp - 1];
                r.Low = (uint)Numerics.I32TruncSatS(BitConverter.UInt32BitsToSingle((uint)r.Low));
                break;
            }
            case Opcode.I32TruncSatF32U:
            {
                ref var r = ref s[sp - 1];
                r.Low = Numerics.I32TruncSatU(BitConverter.UInt32BitsToSingle((uint)r.Low));
                break;
            }
            case Opcode.I32TruncSatF64S:
            {
                ref var r = ref s[sp - 1];
                r.Low = (uint)Numerics.I32TruncSatS(BitConverter.UInt64BitsToDouble(r.Low));
                break;
            }
            case Opcode.I32TruncSatF64U:
            {
                ref var r = ref s[sp - 1];
                r.Low = Numerics.I32TruncSatU(BitConverter.UInt64BitsToDouble(r.Low));
                break;
            }
            case Opcode.I64TruncSatF32S:
            {
                ref var r = ref s[sp - 1];
                r.Low = (ulong)Numerics.I64TruncSatS(BitConverter.UInt32BitsToSingle((uint)r.Low));
                break;
            }
            case Opcode.I64TruncSatF32U:
            {
                ref var r = ref s[sp - 1];
                r.Low = Numerics.I64TruncSatU(BitConverter.UInt32BitsToSingle((uint)r.Low));
                break;
            }
            case Opcode.I64TruncSatF64S:
            {
                ref var r = ref s[sp - 1];
                r.Low = (ulong)Numerics.I64TruncSatS(BitConverter.UInt64BitsToDouble(r.Low));
                break;
            }
            case Opcode.I64TruncSatF64U:
            {
                ref var r = ref s[sp - 1];
                r.Low = Numerics.I64TruncSatU(BitConverter.UInt64BitsToDouble(r.Low));
                break;
            }
            case Opcode.I32Load:
            {
                ref var r = ref s[sp - 1];
                r.Low = (uint)Unsafe.ReadUnaligned<int>(inst.Memories[op.A].Address(r.Low, op.C, sizeof(int)));
                break;
            }
            case Opcode.I64Load:
            {
                ref var r = ref s[sp - 1];
                r.Low = (ulong)Unsafe.ReadUnaligned<long>(inst.Memories[op.A].Address(r.Low, op.C, sizeof(long)));
                break;
            }
            case Opcode.F32Load:
            {
                ref var r = ref s[sp - 1];
                r.Low = Unsafe.ReadUnaligned<uint>(inst.Memories[op.A].Address(r.Low, op.C, sizeof(uint)));
                break;
            }
            case Opcode.F64Load:
            {
                ref var r = ref s[sp - 1];
                r.Low = Unsafe.ReadUnaligned<ulong>(inst.Memories[op.A].Address(r.Low, op.C, sizeof(ulong)));
                break;
            }
            case Opcode.I32Load8s:
            {
                ref var r = ref s[sp - 1];
                r.Low = (uint)(int)Unsafe.ReadUnaligned<sbyte>(inst.Memories[op.A].Address(r.Low, op.C, sizeof(sbyte)));
                break;
            }
            case Opcode.I32Load8u:
            {
                ref var r = ref s[sp - 1];
                r.Low = Unsafe.ReadUnaligned<byte>(inst.Memories[op.A].Address(r.Low, op.C, sizeof(byte)));
                break;
            }
            case Opcode.I32Load16s:
            {
                ref var r = ref s[sp - 1];
                r.Low = (uint)(int)Unsafe.ReadUnaligned<short>(inst.Memories[op.A].Address(r.Low, op.C, sizeof(short)));
                break;
            }
            case Opcode.I32Load16u:
            {
                ref var r = ref s[sp - 1];
                r.Low = Unsafe.ReadUnaligned<ushort>(inst.Memories[op.A].Address(r.Low, op.C, sizeof(ushort)));
                break;
            }
            case Opcode.I64Load8s:
            {
                ref var r = ref s[sp - 1];
                r.Low = (ulong)(long)Unsafe.ReadUnaligned<sbyte>(inst.Memories[op.A].Address(r.Low, op.C, sizeof(sbyte)));
                break;
            }
            case Opcode.I64Load8u:
            {
                ref var r = ref s[sp - 1];
                r.Low = Unsafe.ReadUnaligned<byte>(inst.Memories[op.A].Address(r.Low, op.C, sizeof(byte)));
                break;
            }
            case Opcode.I64Load16s:
            {
                ref var r = ref s[sp - 1];
                r.Low = (ulong)(long)Unsafe.ReadUnaligned<short>(inst.Memories[op.A].Address(r.Low, op.C, sizeof(short)));
                break;
            }
            case Opcode.I64Load16u:
            {
                ref var r = ref s[sp - 1];
                r.Low = Unsafe.ReadUnaligned<ushort>(inst.Memories[op.A].Address(r.Low, op.C, sizeof(ushort)));
                break;
            }
            case Opcode.I64Load32s:
            {
                ref var r = ref s[sp - 1];
                r.Low = (ulong)(long)Unsafe.ReadUnaligned<int>(inst.Memories[op.A].Address(r.Low, op.C, sizeof(int)));
                break;
            }
            case Opcode.I64Load32u:
            {
                ref var r = ref s[sp - 1];
                r.Low = Unsafe.ReadUnaligned<uint>(inst.Memories[op.A].Address(r.Low, op.C, sizeof(uint)));
                break;
            }
            case Opcode.I32Store:
            {
                sp -= 2;
                Unsafe.WriteUnaligned(inst.Memories[op.A].Address(s[sp].Low, op.C, sizeof(uint)), (uint)s[sp + 1].Low);
                break;
            }
            case Opcode.I64Store:
            {
                sp -= 2;
                Unsafe.WriteUnaligned(inst.Memories[op.A].Address(s[sp].Low, op.C, sizeof(ulong)), (ulong)s[sp + 1].Low);
                break;
            }
            case Opcode.F32Store:
            {
                sp -= 2;
                Unsafe.WriteUnaligned(inst.Memories[op.A].Address(s[sp].Low, op.C, sizeof(uint)), (uint)s[sp + 1].Low);
                break;
            }
            case Opcode.F64Store:
            {
                sp -= 2;
                Unsafe.WriteUnaligned(inst.Memories[op.A].Address(s[sp].Low, op.C, sizeof(ulong)), (ulong)s[sp + 1].Low);
                break;
            }
            case Opcode.I32Store8:
            {
                sp -= 2;
                Unsafe.WriteUnaligned(inst.Memories[op.A].Address(s[sp].Low, op.C, sizeof(byte)), (byte)s[sp + 1].Low);
                break;
            }
            case Opcode.I32Store16:
            {
                sp -= 2;
                Unsafe.WriteUnaligned(inst.Memories[op.A].Address(s[sp].Low, op.C, sizeof(ushort)), (ushort)s[sp + 1].Low);
                break;
            }
            case Opcode.I64Store8:
            {
                sp -= 2;
                Unsafe.WriteUnaligned(inst.Memories[op.A].Address(s[sp].Low, op.C, sizeof(byte)), (byte)s[sp + 1].Low);
                break;
            }
            case Opcode.I64Store16:
            {
                sp -= 2;
                Unsafe.WriteUnaligned(inst.Memories[op.A].Address(s[sp].Low, op.C, sizeof(ushort)), (ushort)s[sp + 1].Low);
                break;
            }
            case Opcode.I64Store32:
            {
                sp -= 2;
                Unsafe.WriteUnaligned(inst.Memories[op.A].Address(s[sp].Low, op.C, sizeof(uint)), (uint)s[sp + 1].Low);
                break;
            }

            case Opcode.I8x16Shuffle:
                Binary(s, ref sp, Shuffle(V<byte>(s[sp - 2]), V<byte>(s[sp - 1]), compiled.Constants[op.A]));
                break;
            case Opcode.StructNew:
            case Opcode.StructNewDefault:
            case Opcode.StructGet:
            case Opcode.StructGetS:
            case Opcode.StructGetU:
            case Opcode.StructSet:
            case Opcode.ArrayNew:
            case Opcode.ArrayNewDefault:
            case Opcode.ArrayNewFixed:
            case Opcode.ArrayNewData:
            case Opcode.ArrayNewElem:
            case Opcode.ArrayGet:
            case Opcode.ArrayGetS:
            case Opcode.ArrayGetU:
            case Opcode.ArraySet:
            case Opcode.ArrayLen:
            case Opcode.ArrayFill:
            case Opcode.ArrayCopy:
            case Opcode.ArrayInitData:
            case Opcode.ArrayInitElem:
            case Opcode.RefTest:
            case Opcode.RefTestNull:
            case Opcode.RefCast:
            case Opcode.RefCastNull:
            case Opcode.BrOnCast:
            case Opcode.BrOnCastFail:
            case Opcode.RefI31:
            case Opcode.I31GetS:
            case Opcode.I31GetU:
                ExecuteGc(op, s, ref sp, inst);
                break;
            default:
                if (!ExecuteSimd(op, s, ref sp, inst))
                {
                    throw new NotSupportedException($"the interpreter does not support {op.Code.Name()} yet");
                }
                break;
            }
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
