using WasmHarness.Execution;
using WasmHarness.Syntax;

using unsafe OpHandler = delegate*<WasmHarness.Interpreter.Threaded.ThreadedOp*, ulong*, ulong*, WasmHarness.Interpreter.Threaded.ThreadedContext, ulong*>;

namespace WasmHarness.Interpreter.Threaded;

/// <summary>
/// Translates a function's op form (<see cref="CompiledFunction"/>: branch targets, stack heights and
/// superinstructions already resolved by <see cref="Compiler"/>) into threaded code: each op becomes a
/// <see cref="ThreadedOp"/> naming its handler, branch targets become pointers. A superinstruction that ends in a
/// pure instruction (<see cref="InternalOp.LocalGetPure"/> and its kin) has a generated handler of its own
/// (<c>Handlers.PureHandler</c>), or, for the instructions with several results, becomes two ops: its first part and
/// the pure instruction's own handler. A pure instruction (or such a superinstruction) followed by a <c>local.set</c>
/// or <c>local.tee</c> of its result is one op, unless a branch lands on the local op.
/// </summary>
/// <remarks>
/// The threaded machine runs a function only when every value it can see is a number (i32, i64, f32, f64: one 64-bit
/// slot each, no object reference, so the stack is plain native memory) and every op has a handler; anything else
/// (references, vectors, exceptions, <c>return_call_ref</c>, memories other than 0, tables' reference instructions, GC) returns null and the function runs
/// in <see cref="Machine.Run"/>. The check is on what produces values (locals, globals, calls, constants, loads,
/// pure instructions): with only numbers produced, only numbers are consumed.
/// </remarks>
internal static unsafe class Threader
{
    /// <summary>
    /// The threaded code of <paramref name="function"/>, or null with <paramref name="refused"/> saying why not: an
    /// instruction's name (the first one without a handler), <c>value type</c> (a reference or vector parameter, result,
    /// local, global or callee signature), <c>exception handlers</c> or <c>multiple memories</c>.
    /// </summary>
    public static ThreadedCode? Translate(WasmFunction function, CompiledFunction compiled, out string? refused)
    {
        var module = function.Instance.Validated;
        refused = compiled.Handlers.Length != 0 ? "exception handlers"
            : !AllNumbers(function.Type.Parameters) || !AllNumbers(function.Type.Results) || function.Code.Locals.Any(group => !IsNumber(group.Type)) ? "value type"
            : null;
        if (refused is not null)
        {
            return null;
        }
        var code = compiled.Code;
        var resultCount = function.Type.Results.Count;
        var isTarget = BranchTargetPcs(compiled);
        // Each op's handler (null: a superinstruction without one of its own, which runs as its two parts) and where it
        // starts in the threaded code. A pure instruction followed by a local.set or local.tee of its result (not a
        // branch target) is one op: then[pc] says which, and the local op takes no room.
        var handlers = new nint[code.Length];
        var start = new int[code.Length + 1];
        var then = new PureThen[code.Length];
        for (var pc = 0; pc < code.Length; pc++)
        {
            var op = code[pc];
            refused = Refusal(op, module);
            var handler = refused is null ? HandlerOf(op, resultCount, pc) : null;
            if (handler == null && (refused is not null || !EndsInPure(op.Code)))
            {
                refused ??= op.Code.Name();
                return null;
            }
            handlers[pc] = (nint)handler;
            start[pc + 1] = start[pc] + (handler != null ? 1 : 2);
            if (handler != null && pc + 1 < code.Length && !isTarget[pc + 1] && ThenOf(code[pc + 1]) is var next and not PureThen.None
                && PureForm(op) is var (fusion, dispatch) && Handlers.PureHandler(fusion, next, dispatch) != null)
            {
                then[pc] = next;
                start[pc + 2] = start[pc + 1];
                pc++;
            }
        }
        var ops = GC.AllocateArray<ThreadedOp>(start[^1], pinned: true);
        var targets = GC.AllocateArray<ThreadedTarget>(compiled.BranchTargets.Length, pinned: true);
        fixed (ThreadedOp* first = ops)
        fixed (ThreadedTarget* firstTarget = targets)
        {
            // Pinned arrays never move: the pointers stay valid after the fixed blocks.
            for (var i = 0; i < targets.Length; i++)
            {
                var target = compiled.BranchTargets[i];
                targets[i] = new ThreadedTarget { Op = first + start[target.Pc], Height = target.Height, Arity = target.Arity };
            }
            for (var pc = 0; pc < code.Length; pc++)
            {
                Emit(code[pc], (OpHandler)handlers[pc], first + start[pc], first, start, firstTarget, resultCount);
                if (then[pc] != PureThen.None)
                {
                    EmitThen(code[pc], then[pc], code[pc + 1].A, first + start[pc]);
                    pc++;
                }
            }
        }
        return new ThreadedCode(ops, targets, compiled.ParamCount, compiled.LocalCount, compiled.MaxHeight);
    }

    /// <summary>
    /// Why an op the threaded machine has a handler for cannot run threaded in this module, or null: a global or callee
    /// whose type is not all numbers (<c>value type</c>), or an access to a memory other than 0 (<c>multiple memories</c>:
    /// handlers reach memory 0 only, <see cref="ThreadedContext.Memory"/>; the compiler fuses only memory 0's accesses
    /// into its other superinstructions).
    /// </summary>
    private static string? Refusal(in Op op, Validation.ValidatedModule module) => op.Code switch
    {
        Opcode.GlobalGet or Opcode.GlobalSet when !IsNumber(module.Globals[op.A].Type) => "value type",
        Opcode.Call or Opcode.ReturnCall when !Numeric(module.FunctionTypes[op.A]) => "value type",
        Opcode.CallIndirect or Opcode.ReturnCallIndirect when !(module.Types[op.A].Body is FunctionType type && Numeric(type)) => "value type",
        InternalOp.LocalI32Load or InternalOp.LocalI64Load or InternalOp.LocalI32Load8U or InternalOp.LocalI32Load8S when op.B != 0 => "multiple memories",
        Opcode.MemorySize or Opcode.MemoryGrow or Opcode.MemoryFill when op.A != 0 => "multiple memories",
        Opcode.MemoryCopy when op.A != 0 || op.B != 0 => "multiple memories",
        _ when op.A != 0 && Handlers.MemoryAccess(op.Code) != null => "multiple memories",
        _ => null,
    };

    /// <summary>Whether <paramref name="code"/> is a superinstruction that ends in a pure instruction (<see cref="InternalOp.LocalGetPure"/> and its kin).</summary>
    private static bool EndsInPure(Opcode code) =>
        code is InternalOp.LocalGetPure or InternalOp.LocalGet2Pure or InternalOp.LocalLoad32Pure or InternalOp.LocalLoad64Pure;

    private static bool IsNumber(ValType type) => type.Kind is ValueKind.I32 or ValueKind.I64 or ValueKind.F32 or ValueKind.F64;

    private static bool AllNumbers(IReadOnlyList<ValType> types) => types.All(IsNumber);

    private static bool Numeric(FunctionType? type) => type is not null && AllNumbers(type.Parameters) && AllNumbers(type.Results);

    /// <summary>
    /// Writes the op at <paramref name="at"/>, run by <paramref name="handler"/>; a superinstruction ending in a pure
    /// instruction without a handler of its own (null) is written as its two parts.
    /// </summary>
    private static void Emit(in Op op, OpHandler handler, ThreadedOp* at, ThreadedOp* first, int[] start, ThreadedTarget* targets, int resultCount)
    {
        var target = op.Code switch
        {
            InternalOp.BrTableJump => targets + op.A,
            // A tail call that calls out returns the callee's results through the function's final return.
            Opcode.ReturnCall or Opcode.ReturnCallIndirect => first + start[^1] - 1,
            _ => (void*)(first + start[Math.Min(op.A, start.Length - 1)]),
        };
        *at = new ThreadedOp { Handler = handler, A = op.A, B = op.B, C = op.C, Target = target };
        if (handler != null)
        {
            if (op.Code == Opcode.Return)
            {
                at->A = resultCount;
            }
            return;
        }
        *at = op.Code switch
        {
            InternalOp.LocalGetPure => new ThreadedOp { Handler = &Handlers.LocalGet, A = op.A },
            InternalOp.LocalGet2Pure => new ThreadedOp { Handler = &Handlers.LocalGet2, A = op.A, B = op.B },
            InternalOp.LocalLoad32Pure => new ThreadedOp { Handler = &Handlers.LocalI32Load, A = op.A, C = op.C },
            _ => new ThreadedOp { Handler = &Handlers.LocalI64Load, A = op.A, C = op.C },
        };
        at[1] = new ThreadedOp { Handler = Handlers.PureHandler(0, PureThen.None, FusedPure(op)) };
    }

    /// <summary>
    /// Rewrites the op at <paramref name="at"/> (a pure instruction, or a superinstruction ending in one) into its form
    /// that also writes the result to <paramref name="local"/>: in B, or in C for the two-locals form, whose B is its
    /// second local (generated handlers read it there).
    /// </summary>
    private static void EmitThen(in Op op, PureThen then, int local, ThreadedOp* at)
    {
        var (fusion, dispatch) = PureForm(op)!.Value;
        at->Handler = Handlers.PureHandler(fusion, then, dispatch);
        if (fusion == InternalOp.LocalGet2Pure)
        {
            at->C = (ulong)local;
        }
        else
        {
            at->B = local;
        }
    }

    /// <summary>The superinstruction (0: none) and pure instruction's dispatch code of an op that ends in a pure instruction, or null.</summary>
    private static (Opcode Fusion, Opcode Dispatch)? PureForm(in Op op) => op.Code switch
    {
        _ when EndsInPure(op.Code) => (op.Code, FusedPure(op)),
        _ when Handlers.PureHandler(0, PureThen.None, op.Dispatch) != null => (0, op.Dispatch),
        _ => null,
    };

    /// <summary>Which write of the top value <paramref name="op"/> is, if it is a <c>local.set</c> or <c>local.tee</c>.</summary>
    private static PureThen ThenOf(in Op op) => op.Code switch
    {
        Opcode.LocalSet or InternalOp.LocalSetBits => PureThen.Set,
        Opcode.LocalTee or InternalOp.LocalTeeBits => PureThen.Tee,
        _ => PureThen.None,
    };

    /// <summary>The pcs a branch may land on (ops that start a label): they stay ops of their own.</summary>
    private static bool[] BranchTargetPcs(CompiledFunction compiled)
    {
        var isTarget = new bool[compiled.Code.Length + 1];
        foreach (var op in compiled.Code)
        {
            if (op.Code is InternalOp.Jump or InternalOp.BrMove or InternalOp.BrIfJump or InternalOp.BrIfMove or InternalOp.BrUnless
                or InternalOp.BrIfZeroJump or InternalOp.BrIfI32 or InternalOp.BrIfImmI32 or InternalOp.BrIfLocalImmI32
                or InternalOp.BrIfLocalsI32 or InternalOp.BrIfTopLocalI32)
            {
                isTarget[op.A] = true;
            }
        }
        foreach (var target in compiled.BranchTargets)
        {
            isTarget[target.Pc] = true;
        }
        return isTarget;
    }

    /// <summary>The dispatch code of the pure instruction a superinstruction ending in one ends with.</summary>
    private static Opcode FusedPure(in Op op) => op.Code == InternalOp.LocalGet2Pure ? (Opcode)(uint)op.C : (Opcode)op.B;

    /// <summary>
    /// The handler that runs <paramref name="op"/>, or null: an op with no threaded form, or a superinstruction ending in
    /// a pure instruction that has no handler of its own (<see cref="Emit"/> writes its two parts).
    /// </summary>
    private static OpHandler HandlerOf(in Op op, int resultCount, int pc)
    {
        if (Handlers.PureHandler(0, PureThen.None, op.Dispatch) is var pure && pure != null)
        {
            return pure;
        }
        if (Handlers.MemoryAccess(op.Code) is var access && access != null)
        {
            return access;
        }
        return op.Code switch
        {
            Opcode.Unreachable => &Handlers.Unreachable,
            InternalOp.Jump => op.A <= pc ? &Handlers.JumpBack : &Handlers.Jump,
            InternalOp.BrMove => &Handlers.BrMove,
            InternalOp.BrIfJump => &Handlers.BrIfJump,
            InternalOp.BrIfMove => &Handlers.BrIfMove,
            InternalOp.BrUnless => &Handlers.BrUnless,
            InternalOp.BrTableJump => &Handlers.BrTable,
            InternalOp.BrIfZeroJump => &Handlers.BrIfZeroJump,
            InternalOp.BrIfI32 => Handlers.CompareAndBranch(op.Code, (Opcode)op.B),
            InternalOp.BrIfImmI32 => Handlers.CompareAndBranch(op.Code, (Opcode)op.B),
            InternalOp.BrIfLocalImmI32 or InternalOp.BrIfLocalsI32 => Handlers.CompareAndBranch(op.Code, (Opcode)(op.C >> 32)),
            InternalOp.BrIfTopLocalI32 => Handlers.CompareAndBranch(op.Code, (Opcode)op.C),
            Opcode.Return => resultCount switch { 0 => &Handlers.Return0, 1 => &Handlers.Return1, _ => &Handlers.Return },
            Opcode.Call => &Handlers.Call,
            Opcode.CallIndirect => &Handlers.CallIndirect,
            Opcode.ReturnCall => &Handlers.ReturnCall,
            Opcode.ReturnCallIndirect => &Handlers.ReturnCallIndirect,
            Opcode.Drop => &Handlers.Drop,
            Opcode.Select => &Handlers.Select,
            Opcode.LocalGet or InternalOp.LocalGetBits => &Handlers.LocalGet,
            Opcode.LocalSet or InternalOp.LocalSetBits => &Handlers.LocalSet,
            Opcode.LocalTee or InternalOp.LocalTeeBits => &Handlers.LocalTee,
            Opcode.GlobalGet => &Handlers.GlobalGet,
            Opcode.GlobalSet => &Handlers.GlobalSet,
            Opcode.I32Const or Opcode.I64Const or Opcode.F32Const or Opcode.F64Const => &Handlers.Const,
            Opcode.MemorySize => &Handlers.MemorySize,
            Opcode.MemoryGrow => &Handlers.MemoryGrow,
            Opcode.MemoryFill => &Handlers.MemoryFill,
            Opcode.MemoryCopy => &Handlers.MemoryCopy,
            Opcode.MemoryInit => &Handlers.MemoryInit,
            Opcode.DataDrop => &Handlers.DataDrop,
            Opcode.TableSize => &Handlers.TableSize,
            Opcode.TableCopy => &Handlers.TableCopy,
            Opcode.TableInit => &Handlers.TableInit,
            Opcode.ElemDrop => &Handlers.ElemDrop,
            InternalOp.I32AddImm => &Handlers.I32AddImm,
            InternalOp.I32AndImm => &Handlers.I32AndImm,
            InternalOp.I32ShlImm => &Handlers.I32ShlImm,
            InternalOp.I32ShrUImm => &Handlers.I32ShrUImm,
            InternalOp.I32ShrUAndImm => &Handlers.I32ShrUAndImm,
            InternalOp.LocalI32AddImm => &Handlers.LocalI32AddImm,
            InternalOp.LocalGet2 => &Handlers.LocalGet2,
            InternalOp.LocalCopy => &Handlers.LocalCopy,
            InternalOp.LocalSetImm => &Handlers.LocalSetImm,
            InternalOp.LocalAddImmSet => &Handlers.LocalAddImmSet,
            InternalOp.LocalAddImmTee => &Handlers.LocalAddImmTee,
            InternalOp.LocalI32Add => &Handlers.LocalI32Add,
            InternalOp.LocalI32AddSet => &Handlers.LocalI32AddSet,
            InternalOp.I32AddSet => &Handlers.I32AddSet,
            InternalOp.I32AddTee => &Handlers.I32AddTee,
            InternalOp.LocalI32Load => &Handlers.LocalI32Load,
            InternalOp.LocalI64Load => &Handlers.LocalI64Load,
            InternalOp.LocalI32Load8U => &Handlers.LocalI32Load8U,
            InternalOp.LocalI32Load8S => &Handlers.LocalI32Load8S,
            InternalOp.LocalLoad32Set => &Handlers.LocalLoad32Set,
            InternalOp.LocalLoad32Tee => &Handlers.LocalLoad32Tee,
            InternalOp.LocalImmLoad32 => &Handlers.LocalImmLoad32,
            InternalOp.LocalImmLoad64 => &Handlers.LocalImmLoad64,
            InternalOp.LocalImmLoad8U => &Handlers.LocalImmLoad8U,
            InternalOp.LocalsLoad8U => &Handlers.LocalsLoad8U,
            InternalOp.LocalsLoad32 => &Handlers.LocalsLoad32,
            InternalOp.LocalsLoad64 => &Handlers.LocalsLoad64,
            InternalOp.LocalI32Store => &Handlers.LocalI32Store,
            _ when EndsInPure(op.Code) => Handlers.PureHandler(op.Code, PureThen.None, FusedPure(op)),
            _ => null,
        };
    }
}
