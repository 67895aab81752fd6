using System.Reflection.Emit;
using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Jit;

/// <summary>
/// Calls that are not plain direct calls: <c>call_indirect</c>, <c>call_ref</c> and the tail calls
/// <c>return_call</c>, <c>return_call_indirect</c>, <c>return_call_ref</c>.
/// </summary>
/// <remarks>
/// A tail call to compiled code is a CIL <c>tail.</c> call (or <c>tail. calli</c>) followed by <c>ret</c>, after the
/// frame has left the depth count: RyuJIT honours the prefix on x64 and ARM64 (a fast tail call where the
/// arguments fit the caller's incoming area, otherwise its tail-call helpers), so a chain of tail calls runs in
/// constant stack space and constant depth. Results of a multi-value callee go straight through the caller's own
/// result byrefs. An imported function of another instance that runs compiled is tail-called through its code
/// pointer, so tail recursion across instances stays flat too. A tail call to a host or interpreted function goes
/// through the store as an ordinary call after the frame has left the depth count, and returns its results. Inside
/// an exception handler region the tail call leaves the region first (see <see cref="EmitTailPart"/>).
/// </remarks>
internal sealed partial class FunctionCompiler
{
    private LocalBuilder? _callTarget;
    private LocalBuilder? _callContext;
    private LocalBuilder? _callPointer;
    private readonly List<(Label Stub, Action Emit)> _tailStubs = [];

    private void EmitCallInstruction(Instruction instruction)
    {
        switch (instruction.Opcode)
        {
            case Opcode.ReturnCall:
                EmitReturnCall((int)instruction.Index);
                return;
            case Opcode.CallIndirect or Opcode.ReturnCallIndirect:
            {
                var typeIndex = (int)instruction.Index;
                var tableIndex = (int)instruction.SecondIndex;
                EmitDynamicCall((FunctionType)_validated.TypeBody((uint)typeIndex), instruction.Opcode == Opcode.ReturnCallIndirect, (target, context) =>
                {
                    var slot = Slot(_stack.Count - 1, _stack[^1]);
                    _il.Emit(OpCodes.Ldloc, slot);
                    if (_stack[^1] == ValueKind.I32)
                    {
                        _il.Emit(OpCodes.Conv_U8);
                    }
                    LoadContext();
                    _il.Emit(OpCodes.Ldc_I4, typeIndex);
                    _il.Emit(OpCodes.Ldc_I4, tableIndex);
                    _il.Emit(OpCodes.Ldloca, target);
                    _il.Emit(OpCodes.Ldloca, context);
                    _il.Emit(OpCodes.Call, Helper(nameof(JitRuntime.ResolveIndirect)));
                });
                return;
            }
            case Opcode.CallRef or Opcode.ReturnCallRef:
                EmitDynamicCall((FunctionType)_validated.TypeBody(instruction.Index), instruction.Opcode == Opcode.ReturnCallRef, (target, context) =>
                {
                    _il.Emit(OpCodes.Ldloc, Slot(_stack.Count - 1, ValueKind.Ref));
                    LoadContext();
                    _il.Emit(OpCodes.Ldloca, target);
                    _il.Emit(OpCodes.Ldloca, context);
                    _il.Emit(OpCodes.Call, Helper(nameof(JitRuntime.ResolveReference)));
                });
                return;
            default:
                throw new NotSupportedException($"the JIT does not compile {instruction.Opcode.Name()}");
        }
    }

    /// <summary>Passes this function's own result byrefs on to a tail-called function with the same results.</summary>
    private void PassResultAddresses()
    {
        if (_type.Results.Count > 1)
        {
            for (var i = 0; i < _type.Results.Count; i++)
            {
                _il.Argument(OpCodes.Ldarg, _type.Parameters.Count + i);
            }
        }
    }

    /// <summary>
    /// Emits the part of a tail call that leaves the frame: inline, or, inside a CIL protected region (a
    /// <c>try_table</c> or <c>try</c> body, where neither <c>tail.</c> nor <c>ret</c> may stand), as a stub after the
    /// function's body that a <c>leave</c> reaches. The replaced frame's handlers then no longer apply to the callee,
    /// as the spec says. Operands stay in their slot locals, which the stub reads.
    /// </summary>
    private void EmitTailPart(Action part)
    {
        if (_openRegions == 0)
        {
            part();
            return;
        }
        var stub = _il.DefineLabel();
        _il.Emit(OpCodes.Leave, stub);
        _tailStubs.Add((stub, part));
    }

    /// <summary>Emits the deferred tail calls (see <see cref="EmitTailPart"/>); called once the body is complete.</summary>
    private void EmitTailCallStubs()
    {
        _inTailStub = true;
        for (var i = 0; i < _tailStubs.Count; i++)
        {
            var (label, part) = _tailStubs[i];
            _il.Mark(label);
            part();
        }
        _inTailStub = false;
    }

    private bool _inTailStub;

    /// <summary>
    /// The <c>tail.</c> prefix, except in a stub reached by <c>leave</c> from a protected region on ARM64: RyuJIT
    /// (.NET 10, ARM64 only) rejects that method with <see cref="InvalidProgramException"/>, while x64 accepts the
    /// same IL. There the call is an ordinary call after the frame has left the depth count (the handlers no longer
    /// apply either way); only its stack frame stays until the callee returns. See docs/arm64.md.
    /// </summary>
    private void EmitTailPrefix()
    {
        if (!(_inTailStub && System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.Arm64))
        {
            _il.Emit(OpCodes.Tailcall);
        }
    }

    /// <summary>The slot locals of the top <paramref name="count"/> operands (spilled), with their kinds.</summary>
    private (LocalBuilder Slot, ValueKind Kind)[] TopSlots(int count, int above = 0)
    {
        var first = _stack.Count - above - count;
        return [.. Enumerable.Range(first, count).Select(i => (Slot(i, _stack[i]), _stack[i]))];
    }

    /// <summary>A new <see cref="Value"/> array on the CIL stack holding <paramref name="arguments"/>.</summary>
    private void PackSlots((LocalBuilder Slot, ValueKind Kind)[] arguments)
    {
        _il.Emit(OpCodes.Ldc_I4, arguments.Length);
        _il.Emit(OpCodes.Newarr, typeof(Value));
        for (var i = 0; i < arguments.Length; i++)
        {
            _il.Emit(OpCodes.Dup);
            _il.Emit(OpCodes.Ldc_I4, i);
            _il.Emit(OpCodes.Ldloc, arguments[i].Slot);
            _il.Emit(OpCodes.Call, Helper("Put", arguments[i].Kind));
        }
    }

    /// <summary><c>return_call</c>: a <c>tail.</c> call of a compiled callee, or a call through the store followed by <c>ret</c>.</summary>
    private void EmitReturnCall(int functionIndex)
    {
        var type = _validated.FunctionTypes[functionIndex];
        SpillAll();
        var arguments = TopSlots(type.Parameters.Count);
        if (_isCompiled(functionIndex))
        {
            var method = _module.Method(functionIndex);
            EmitTailPart(() =>
            {
                foreach (var (slot, _) in arguments)
                {
                    _il.Emit(OpCodes.Ldloc, slot);
                }
                PassResultAddresses();
                LoadDepth(); // the callee replaces this frame: same depth
                LoadContext();
                EmitTailPrefix();
                _il.Emit(OpCodes.Call, method);
                _il.Emit(OpCodes.Ret);
            });
        }
        else
        {
            // A function outside the group (through the code table), an import or a function that falls back: if
            // it runs compiled (an import may be another instance's compiled function), a tail calli through its
            // pointer, else a call through the store.
            var (function, context, pointer) = CallLocals();
            if (functionIndex >= _validated.ImportedFunctionCount)
            {
                ResolveDefined(functionIndex, function, context);
            }
            else
            {
                ResolveFunction(functionIndex, function, context);
            }
            _il.Emit(OpCodes.Stloc, pointer);
            EmitTailPart(() => EmitTailCallThrough(type, arguments, function, context, pointer));
        }
        _unreachable = true;
    }

    private (LocalBuilder Function, LocalBuilder Context, LocalBuilder Pointer) CallLocals() => (
        _callTarget ??= _il.Local(typeof(FunctionInstance), "call target"),
        _callContext ??= _il.Local(typeof(JitContext), "call context"),
        _callPointer ??= _il.Local(typeof(nint), "call code"));

    /// <summary>
    /// The leaving part of a tail call whose target was resolved into locals: a <c>tail. calli</c> when it runs
    /// compiled (non-zero pointer), else a call through the store and <c>ret</c>.
    /// </summary>
    private void EmitTailCallThrough(FunctionType type, (LocalBuilder Slot, ValueKind Kind)[] arguments, LocalBuilder function, LocalBuilder context, LocalBuilder pointer)
    {
        var (returnType, parameters) = Signature(type);
        var viaStore = _il.DefineLabel();
        _il.Emit(OpCodes.Ldloc, pointer);
        _il.Emit(OpCodes.Brfalse, viaStore);
        foreach (var (slot, _) in arguments)
        {
            _il.Emit(OpCodes.Ldloc, slot);
        }
        PassResultAddresses();
        LoadDepth(); // the callee replaces this frame: same depth
        _il.Emit(OpCodes.Ldloc, context);
        _il.Emit(OpCodes.Ldloc, pointer);
        EmitTailPrefix();
        _il.EmitCalli(returnType, parameters);
        _il.Emit(OpCodes.Ret);
        _il.Mark(viaStore);
        PackSlots(arguments);
        _il.Emit(OpCodes.Ldloc, function);
        PublishDepth(-1); // this frame has left: the callee's entry counts from its caller's depth
        LoadContext();
        _il.Emit(OpCodes.Call, Helper(nameof(JitRuntime.CallPacked)));
        ReturnPacked();
    }

    /// <summary>
    /// Leaves the code pointer of function <paramref name="functionIndex"/> of this module (defined here, outside the
    /// group being compiled) on the stack: its code table entry, or while that is zero (not compiled yet, or it runs
    /// in the interpreter) <see cref="JitRuntime.ResolveFunction"/>, which compiles it on this first call and fills
    /// <paramref name="function"/> for a call through the store. <paramref name="context"/> is this function's own.
    /// </summary>
    private void ResolveDefined(int functionIndex, LocalBuilder function, LocalBuilder context)
    {
        var known = _il.DefineLabel();
        var resolved = _il.DefineLabel();
        LoadContext();
        _il.Emit(OpCodes.Ldfld, ContextCode);
        _il.Emit(OpCodes.Ldc_I4, functionIndex);
        _il.Emit(OpCodes.Ldelem_I);
        _il.Emit(OpCodes.Dup);
        _il.Emit(OpCodes.Brtrue, known);
        _il.Emit(OpCodes.Pop);
        ResolveFunction(functionIndex, function, context);
        _il.Emit(OpCodes.Br, resolved);
        _il.Mark(known);
        LoadContext();
        _il.Emit(OpCodes.Stloc, context);
        _il.Mark(resolved);
    }

    /// <summary>Calls <see cref="JitRuntime.ResolveFunction"/> for function <paramref name="functionIndex"/>: pushes its code pointer (zero when it runs elsewhere), fills the two locals.</summary>
    private void ResolveFunction(int functionIndex, LocalBuilder function, LocalBuilder context)
    {
        LoadContext();
        _il.Emit(OpCodes.Ldc_I4, functionIndex);
        _il.Emit(OpCodes.Ldloca, function);
        _il.Emit(OpCodes.Ldloca, context);
        _il.Emit(OpCodes.Call, Helper(nameof(JitRuntime.ResolveFunction)));
    }

    /// <summary>
    /// A call whose target is known only at run time (<c>call_indirect</c>, <c>call_ref</c> and their tail forms), or
    /// whose target's code may not exist yet (a function outside the group: <see cref="ResolveDefined"/>).
    /// <paramref name="resolve"/> emits the checks, given the addresses of the target function and context locals,
    /// with the table index or reference spilled on top of the arguments; it leaves the target's code pointer (zero
    /// when it does not run compiled). A compiled target is called through its pointer (<c>calli</c>) with its own
    /// context, anything else through the store with packed values. Results land spilled. <paramref name="above"/>
    /// operands above the arguments (the table index or reference) are popped with them.
    /// </summary>
    private void EmitDynamicCall(FunctionType type, bool tail, Action<LocalBuilder, LocalBuilder> resolve, int above = 1)
    {
        SpillAll();
        var count = type.Parameters.Count;
        var first = _stack.Count - above - count;
        var arguments = TopSlots(count, above);
        var (function, context, pointer) = CallLocals();
        resolve(function, context);
        _il.Emit(OpCodes.Stloc, pointer);
        var (returnType, parameters) = Signature(type);
        if (tail)
        {
            // The resolved target stays in its locals until the stub (if any) runs: nothing in between writes them.
            EmitTailPart(() => EmitTailCallThrough(type, arguments, function, context, pointer));
            _stack.RemoveRange(first, count + above);
            _cilBase = _stack.Count;
            _unreachable = true;
            return;
        }
        var slow = _il.DefineLabel();
        var done = _il.DefineLabel();
        _il.Emit(OpCodes.Ldloc, pointer);
        _il.Emit(OpCodes.Brfalse, slow);
        foreach (var (slot, _) in arguments)
        {
            _il.Emit(OpCodes.Ldloc, slot);
        }
        var results = Kinds(type.Results);
        var temps = results.Length > 1 ? results.Select((kind, i) => Temp(kind, 10 + i)).ToArray() : [];
        foreach (var temp in temps)
        {
            _il.Emit(OpCodes.Ldloca, temp);
        }
        LoadCalleeDepth();
        _il.Emit(OpCodes.Ldloc, context);
        _il.Emit(OpCodes.Ldloc, pointer);
        _il.EmitCalli(returnType, parameters);
        if (results.Length == 1)
        {
            _il.Emit(OpCodes.Stloc, Slot(first, results[0]));
        }
        for (var i = 0; i < temps.Length; i++)
        {
            _il.Emit(OpCodes.Ldloc, temps[i]);
            _il.Emit(OpCodes.Stloc, Slot(first + i, results[i]));
        }
        _il.Emit(OpCodes.Br, done);
        _il.Mark(slow);
        PackSlots(arguments);
        _il.Emit(OpCodes.Ldloc, function);
        PublishDepth();
        LoadContext();
        _il.Emit(OpCodes.Call, Helper(nameof(JitRuntime.CallPacked)));
        _stack.RemoveRange(first, count + above);
        if (results.Length > 0)
        {
            var array = Temp(ValueKind.Bottom, 3);
            _il.Emit(OpCodes.Stloc, array);
            for (var i = 0; i < results.Length; i++)
            {
                _il.Emit(OpCodes.Ldloc, array);
                _il.Emit(OpCodes.Ldc_I4, i);
                _il.Emit(OpCodes.Call, Helper("Arg", results[i]));
                _il.Emit(OpCodes.Stloc, Slot(first + i, results[i]));
            }
        }
        else
        {
            _il.Emit(OpCodes.Pop);
        }
        _il.Mark(done);
        _stack.AddRange(results);
        _cilBase = _stack.Count;
        ReloadMemory();
    }

    /// <summary>Returns the packed results (a <see cref="Value"/> array on the CIL stack) as this function's results.</summary>
    private void ReturnPacked()
    {
        var results = Kinds(_type.Results);
        if (results.Length == 0)
        {
            _il.Emit(OpCodes.Pop);
            _il.Emit(OpCodes.Ret);
            return;
        }
        var array = Temp(ValueKind.Bottom, 3);
        _il.Emit(OpCodes.Stloc, array);
        if (results.Length == 1)
        {
            _il.Emit(OpCodes.Ldloc, array);
            _il.Emit(OpCodes.Ldc_I4_0);
            _il.Emit(OpCodes.Call, Helper("Arg", results[0]));
            _il.Emit(OpCodes.Ret);
            return;
        }
        for (var i = 0; i < results.Length; i++)
        {
            _il.Argument(OpCodes.Ldarg, _type.Parameters.Count + i);
            _il.Emit(OpCodes.Ldloc, array);
            _il.Emit(OpCodes.Ldc_I4, i);
            _il.Emit(OpCodes.Call, Helper("Arg", results[i]));
            StoreIndirect(results[i]);
        }
        _il.Emit(OpCodes.Ret);
    }

    /// <summary>Stores the value on the CIL stack through the address below it.</summary>
    private void StoreIndirect(ValueKind kind)
    {
        if (kind == ValueKind.V128)
        {
            _il.Emit(OpCodes.Stobj, typeof(V128));
            return;
        }
        _il.Emit(Indirect(kind).Store);
    }

    /// <summary>Loads the value of <paramref name="kind"/> at the address on the CIL stack.</summary>
    private void LoadIndirect(ValueKind kind)
    {
        if (kind == ValueKind.V128)
        {
            _il.Emit(OpCodes.Ldobj, typeof(V128));
            return;
        }
        _il.Emit(Indirect(kind).Load);
    }

    /// <summary>The <c>ldind</c>/<c>stind</c> pair of a value kind other than v128.</summary>
    private static (OpCode Load, OpCode Store) Indirect(ValueKind kind) => kind switch
    {
        ValueKind.I32 => (OpCodes.Ldind_I4, OpCodes.Stind_I4),
        ValueKind.I64 => (OpCodes.Ldind_I8, OpCodes.Stind_I8),
        ValueKind.F32 => (OpCodes.Ldind_R4, OpCodes.Stind_R4),
        ValueKind.F64 => (OpCodes.Ldind_R8, OpCodes.Stind_R8),
        _ => (OpCodes.Ldind_Ref, OpCodes.Stind_Ref),
    };

    // ---- Typed function references: br_on_null, br_on_non_null ----------------------------------------------

    /// <summary><c>br_on_null l</c>: branches (dropping the reference) on null, else leaves the reference, now non-null.</summary>
    private void EmitBrOnNull(uint depth)
    {
        SpillAll();
        var reference = Slot(_stack.Count - 1, ValueKind.Ref);
        _stack.RemoveAt(_stack.Count - 1);
        _cilBase = _stack.Count;
        var skip = _il.DefineLabel();
        _il.Emit(OpCodes.Ldloc, reference);
        _il.Emit(OpCodes.Brtrue, skip);
        Branch(depth);
        _il.Mark(skip);
        _stack.Add(ValueKind.Ref);
        _cilBase = _stack.Count;
    }

    /// <summary><c>br_on_non_null l</c>: branches with the reference (the label's last value) unless it is null, else drops it.</summary>
    private void EmitBrOnNonNull(uint depth)
    {
        SpillAll();
        var reference = Slot(_stack.Count - 1, ValueKind.Ref);
        var skip = _il.DefineLabel();
        _il.Emit(OpCodes.Ldloc, reference);
        _il.Emit(OpCodes.Brfalse, skip);
        Branch(depth);
        _il.Mark(skip);
        _stack.RemoveAt(_stack.Count - 1);
        _cilBase = _stack.Count;
    }
}
