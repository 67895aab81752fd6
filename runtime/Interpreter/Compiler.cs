using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Interpreter;

/// <summary>
/// Translates a validated function body into the interpreter's form once: branch targets are resolved to
/// pcs, every label's stack height and arity are computed statically (so a branch knows which values to keep
/// and where), unreachable code is dropped and immediates are decoded. The body must be valid; the compiler
/// trusts the validator.
/// </summary>
internal sealed class Compiler
{
    private readonly ModuleCode _module;
    private readonly List<Op> _code = [];
    private readonly List<BranchTarget> _targets = [];
    private readonly List<V128> _constants = [];
    private readonly List<Control> _controls = [];
    private readonly List<(Handler Handler, int Clause)> _handlers = [];
    private int _nextCatchSlot;
    private int _height;
    private int _maxHeight;
    /// <summary>The first op <see cref="Fuse"/> may fuse: the pc of the last label (or later).</summary>
    private int _fuseBarrier;
    /// <summary>The <c>loop</c> instructions seen so far (the last one's ordinal plus one).</summary>
    private int _loops;
    private bool _unreachable;
    private DeadCode _deadCode;

    private bool[] _isReferenceLocal = [];

    private Compiler(ModuleCode module) => _module = module;

    private sealed class Control
    {
        public bool IsLoop;
        public bool IsIf;
        /// <summary>Stack height below the block's parameters.</summary>
        public int Height;
        public int Params;
        public int Results;
        public int LoopPc;
        /// <summary>Forward references to patch with the end's pc: op indices (>= 0) and branch-table entries (~index).</summary>
        public readonly List<int> Fixups = [];
        /// <summary>The <c>BrUnless</c> of an <c>if</c>, patched at <c>else</c> (or <c>end</c>).</summary>
        public int ElseFixup = -1;
        /// <summary>For <c>try_table</c>: its handlers' indices, whose end pc is set at <c>end</c>.</summary>
        public List<int>? Handlers;
        /// <summary>Legacy <c>try</c>: its body's first pc, the body's end once a catch is seen, its hidden local, clauses so far.</summary>
        public bool IsTry;
        public int TryStart;
        public int TryEnd = -1;
        public int CatchSlot;
        public int Clauses;

        public int Arity => IsLoop ? Params : Results;
    }

    /// <summary>The compiled form of <paramref name="function"/>, made once per module and shared by all its instances.</summary>
    public static CompiledFunction For(WasmFunction function)
    {
        var engine = function.Instance.Store.Engine;
        var module = ModuleCode.Of(engine, function.Instance.Validated);
        var index = (int)function.Index - module.ImportedFunctions;
        return module.Compiled[index] ??= Compile(module, function.Code, function.Type);
    }

    private static CompiledFunction Compile(ModuleCode module, Function code, FunctionType type)
    {
        var compiler = new Compiler(module);
        var declared = type.Parameters.Count + (int)code.LocalCount;
        // Each legacy try gets a hidden local (after the declared ones) that holds the exception its catch caught.
        var localCount = declared + code.Body.Instructions.Count(i => i.Opcode == Opcode.Try);
        compiler._nextCatchSlot = declared;
        compiler._isReferenceLocal =
        [
            .. type.Parameters.Select(t => t.IsReference),
            .. code.Locals.SelectMany(group => Enumerable.Repeat(group.Type.IsReference, (int)group.Count)),
        ];
        compiler._height = localCount;
        compiler._maxHeight = localCount;
        compiler._controls.Add(new Control { Height = localCount, Results = type.Results.Count });
        foreach (var instruction in code.Body.Instructions)
        {
            compiler.Translate(instruction);
        }
        return new CompiledFunction(type, declared, localCount, compiler._maxHeight + 1, [.. compiler._code], [.. compiler._targets], [.. compiler._constants], compiler.SortedHandlers());
    }

    /// <summary>
    /// Handlers sorted for the machine's backward search: by start, then by end descending, then by depth, then by
    /// clause descending, so that among the handlers covering a pc the innermost comes last and a block's first clause
    /// last of its block.
    /// </summary>
    private Handler[] SortedHandlers() =>
        [.. _handlers
            .OrderBy(h => h.Handler.Start)
            .ThenByDescending(h => h.Handler.End)
            .ThenBy(h => h.Handler.Depth)
            .ThenByDescending(h => h.Clause)
            .Select(h => h.Handler)];

    private void AddHandler(Handler handler, int clause) => _handlers.Add((handler, clause));

    private void Emit(Opcode code, int a = 0, int b = 0, ulong c = 0) => _code.Add(new Op(code, a, b, c));

    private void Pop(int count) => _height -= count;

    private void Push(int count)
    {
        _height += count;
        if (_height > _maxHeight)
        {
            _maxHeight = _height;
        }
    }

    private (int Params, int Results) BlockArity(BlockType type)
    {
        if (type.IsEmpty)
        {
            return (0, 0);
        }
        if (type.IsValue)
        {
            return (0, 1);
        }
        var functionType = _module.Types[type.TypeIndex]!;
        return (functionType.Parameters.Count, functionType.Results.Count);
    }

    /// <summary>A heap type in canonical form, packed in an int: a canonical type id (&gt;= 0) or an abstract kind (&lt; 0).</summary>
    private int CanonicalHeap(HeapType heap)
    {
        var canonical = _module.Validated.ToCanonical(heap);
        return canonical.IsConcrete ? (int)canonical.TypeIndex : (int)canonical.Kind;
    }

    private FunctionType FunctionTypeOf(uint functionIndex) => _module.Validated.FunctionTypes[(int)functionIndex];

    private void Translate(Instruction instruction)
    {
        if (instruction.Opcode == Opcode.Loop)
        {
            _loops++; // every loop counts, dead or not: the JIT numbers them the same way
        }
        TranslateOne(instruction);
        if (StraightLine(instruction))
        {
            Fuse();
        }
        else
        {
            // A control instruction may have put a label (a loop head, a block's end, a handler's bounds) at the
            // current pc: nothing emitted before it may be fused with what follows.
            _fuseBarrier = _code.Count;
        }
    }

    /// <summary>Instructions that never record a pc (labels, handler bounds, fixups), so their ops may be fused.</summary>
    private static bool StraightLine(Instruction instruction) =>
        instruction.Info.IsPure
        || instruction.Opcode is Opcode.LocalGet or Opcode.LocalSet or Opcode.LocalTee or Opcode.GlobalGet or Opcode.GlobalSet
            or Opcode.I32Const or Opcode.I64Const or Opcode.F32Const or Opcode.F64Const or Opcode.Drop
        || instruction.Info.Immediates == ImmediateKind.MemArg;

    /// <summary>
    /// Replaces the last two or three ops by one superinstruction (<see cref="InternalOp"/>) where they form one of
    /// the sequences C compilers emit most (counted over the C benchmark programs: <c>local.get; i32.const;
    /// i32.add</c> is the most frequent triple, <c>local.get; local.get</c> and <c>i32.const; i32.add</c> the most
    /// frequent pairs). One dispatch instead of several, and no operand-stack traffic for the constant. Never across
    /// <see cref="_fuseBarrier"/>. The fused op charges fuel for every instruction it stands for.
    /// </summary>
    private void Fuse()
    {
        while (TryFuse())
        {
        }
    }

    private bool TryFuse()
    {
        var n = _code.Count;
        if (n - 2 < _fuseBarrier)
        {
            return false;
        }
        var (first, last) = (_code[n - 2], _code[n - 1]);
        if (first.Code == InternalOp.LocalGet2 && last.Code == InternalOp.I32AddImm)
        {
            // local.get a; local.get b; i32.const c; i32.add: the pair was fused too early; the second local.get
            // belongs with the addition (which may then become a loop step with a following local.set).
            _code[n - 2] = new Op(InternalOp.LocalGetBits, first.A);
            _code[n - 1] = new Op(InternalOp.LocalI32AddImm, first.B, c: last.C);
            return false;
        }
        Op? fused = (first.Code, last.Code) switch
        {
            (Opcode.I32Const, Opcode.I32Add) => new Op(InternalOp.I32AddImm, c: first.C),
            (Opcode.I32Const, Opcode.I32Sub) => new Op(InternalOp.I32AddImm, c: (uint)-(int)(uint)first.C),
            (Opcode.I32Const, Opcode.I32And) => new Op(InternalOp.I32AndImm, c: first.C),
            (Opcode.I32Const, Opcode.I32Shl) => new Op(InternalOp.I32ShlImm, c: first.C),
            (Opcode.I32Const, Opcode.I32ShrU) => new Op(InternalOp.I32ShrUImm, c: first.C),
            (Opcode.I32Const, InternalOp.LocalSetBits) => new Op(InternalOp.LocalSetImm, last.A, c: first.C),
            (InternalOp.LocalGetBits, InternalOp.I32AddImm) => new Op(InternalOp.LocalI32AddImm, first.A, c: last.C),
            (InternalOp.LocalGetBits, InternalOp.LocalGetBits) => new Op(InternalOp.LocalGet2, first.A, last.A),
            (InternalOp.LocalGetBits, InternalOp.LocalSetBits) => new Op(InternalOp.LocalCopy, first.A, last.A),
            (InternalOp.LocalGetBits, Opcode.I32Load or Opcode.F32Load) => new Op(InternalOp.LocalI32Load, first.A, last.A, last.C),
            (InternalOp.LocalGetBits, Opcode.I64Load or Opcode.F64Load) => new Op(InternalOp.LocalI64Load, first.A, last.A, last.C),
            (InternalOp.LocalGetBits, Opcode.I32Load8u) => new Op(InternalOp.LocalI32Load8U, first.A, last.A, last.C),
            (InternalOp.LocalGetBits, Opcode.I32Load8s) => new Op(InternalOp.LocalI32Load8S, first.A, last.A, last.C),
            (InternalOp.LocalI32AddImm, InternalOp.LocalSetBits) => new Op(InternalOp.LocalAddImmSet, first.A, last.A, first.C),
            (InternalOp.LocalI32AddImm, InternalOp.LocalTeeBits) => new Op(InternalOp.LocalAddImmTee, first.A, last.A, first.C),
            (InternalOp.LocalGet2, Opcode.I32Store) when last.A == 0 => new Op(InternalOp.LocalI32Store, first.A, first.B, last.C),
            (InternalOp.LocalGet2, Opcode.I32Add) => new Op(InternalOp.LocalI32Add, first.A, first.B),
            (InternalOp.LocalI32Add, InternalOp.LocalSetBits) => new Op(InternalOp.LocalI32AddSet, first.A, first.B, (ulong)last.A),
            (Opcode.I32Add, InternalOp.LocalSetBits) => new Op(InternalOp.I32AddSet, last.A),
            (Opcode.I32Add, InternalOp.LocalTeeBits) => new Op(InternalOp.I32AddTee, last.A),
            (InternalOp.LocalI32AddImm, Opcode.I32Load or Opcode.F32Load) when last.A == 0 => new Op(InternalOp.LocalImmLoad32, first.A, (int)(uint)first.C, last.C),
            (InternalOp.LocalI32AddImm, Opcode.I64Load or Opcode.F64Load) when last.A == 0 => new Op(InternalOp.LocalImmLoad64, first.A, (int)(uint)first.C, last.C),
            (InternalOp.LocalI32AddImm, Opcode.I32Load8u or Opcode.I64Load8u) when last.A == 0 => new Op(InternalOp.LocalImmLoad8U, first.A, (int)(uint)first.C, last.C),
            (InternalOp.LocalI32Add, Opcode.I32Load8u or Opcode.I64Load8u) when last.A == 0 => new Op(InternalOp.LocalsLoad8U, first.A, first.B, last.C),
            (InternalOp.LocalI32Add, Opcode.I32Load or Opcode.F32Load) when last.A == 0 => new Op(InternalOp.LocalsLoad32, first.A, first.B, last.C),
            (InternalOp.LocalI32Add, Opcode.I64Load or Opcode.F64Load) when last.A == 0 => new Op(InternalOp.LocalsLoad64, first.A, first.B, last.C),
            (InternalOp.LocalI32Load, _) when first.B == 0 && InternalOp.IsPureScalar(last) && !IsTest(last.Code) => new Op(InternalOp.LocalLoad32Pure, first.A, (int)last.Dispatch, first.C),
            (InternalOp.LocalI64Load, _) when first.B == 0 && InternalOp.IsPureScalar(last) && !IsTest(last.Code) => new Op(InternalOp.LocalLoad64Pure, first.A, (int)last.Dispatch, first.C),
            (InternalOp.LocalI32Load, InternalOp.LocalSetBits) when first.B == 0 => new Op(InternalOp.LocalLoad32Set, first.A, last.A, first.C),
            (InternalOp.LocalI32Load, InternalOp.LocalTeeBits) when first.B == 0 => new Op(InternalOp.LocalLoad32Tee, first.A, last.A, first.C),
            (InternalOp.I32ShrUImm, InternalOp.I32AndImm) => new Op(InternalOp.I32ShrUAndImm, 0, (int)(uint)first.C, last.C),
            (InternalOp.LocalGetBits, _) when InternalOp.IsPureScalar(last) => new Op(InternalOp.LocalGetPure, first.A, (int)last.Dispatch, (ulong)last.Code),
            (InternalOp.LocalGet2, _) when InternalOp.IsPureScalar(last) => new Op(InternalOp.LocalGet2Pure, first.A, first.B, (uint)last.Dispatch | ((ulong)(uint)last.Code << 32)),
            _ => null,
        };
        if (fused is null)
        {
            return false;
        }
        _code.RemoveRange(n - 2, 2);
        _code.Add(fused.Value);
        return true;
    }

    /// <summary>An i32 test that a following <c>br_if</c> fuses with (<see cref="TryEmitTestAndBranch"/>).</summary>
    private static bool IsTest(Opcode code) => code == Opcode.I32Eqz || InternalOp.IsI32Comparison(code);

    private void TranslateOne(Instruction instruction)
    {
        var opcode = instruction.Opcode;
        if (_unreachable && _deadCode.Skips(opcode))
        {
            return;
        }

        switch (opcode)
        {
            case Opcode.Nop:
                return;
            case Opcode.Unreachable:
                Emit(opcode);
                _unreachable = true;
                return;
            case Opcode.Block or Opcode.Loop:
            {
                var (parameters, results) = BlockArity(instruction.BlockType);
                _controls.Add(new Control { IsLoop = opcode == Opcode.Loop, Height = _height - parameters, Params = parameters, Results = results, LoopPc = _code.Count });
                if (opcode == Opcode.Loop && _module.TierUp)
                {
                    Emit(InternalOp.LoopHeader, _loops - 1); // where every iteration starts: the branches back come here
                }
                return;
            }
            case Opcode.TryTable:
            {
                // Catch labels are relative to the try_table's context (its own label is not yet pushed).
                var (parameters, results) = BlockArity(instruction.BlockType);
                var handlers = new List<int>();
                var clause = 0;
                foreach (var catchClause in instruction.Catches)
                {
                    var target = _targets.Count;
                    AddTableTarget(catchClause.Label);
                    handlers.Add(_handlers.Count);
                    var kind = (HandlerKind)(int)catchClause.Kind;
                    AddHandler(new Handler(_code.Count, -1, catchClause.HasTag ? (int)catchClause.Tag : -1, kind, target, _controls.Count), clause++);
                }
                _controls.Add(new Control { Height = _height - parameters, Params = parameters, Results = results, Handlers = handlers });
                return;
            }
            case Opcode.Try:
            {
                var (parameters, results) = BlockArity(instruction.BlockType);
                _controls.Add(new Control { IsTry = true, Height = _height - parameters, Params = parameters, Results = results, TryStart = _code.Count, CatchSlot = _nextCatchSlot++ });
                return;
            }
            case Opcode.Catch:
            case Opcode.CatchAll:
            {
                var control = _controls[^1];
                if (control.TryEnd < 0)
                {
                    control.TryEnd = _code.Count;
                }
                // The body (or the previous catch block) falls through to the end of the try.
                control.Fixups.Add(_code.Count);
                Emit(InternalOp.Jump);
                var payload = 0;
                var tag = -1;
                if (opcode == Opcode.Catch)
                {
                    tag = (int)instruction.Index;
                    payload = ((FunctionType)_module.Validated.TagDefinedType(instruction.Index).Body).Parameters.Count;
                }
                var target = _targets.Count;
                _targets.Add(new BranchTarget(_code.Count, control.Height, payload));
                var kind = opcode == Opcode.Catch ? HandlerKind.LegacyCatch : HandlerKind.LegacyCatchAll;
                AddHandler(new Handler(control.TryStart, control.TryEnd, tag, kind, target, _controls.Count - 1, control.CatchSlot), control.Clauses++);
                _height = control.Height;
                Push(payload);
                _unreachable = false;
                return;
            }
            case Opcode.Delegate:
            {
                // Ends the try like end; exceptions from its body go to the handlers of the block at the label (and outwards).
                var control = _controls[^1];
                _controls.RemoveAt(_controls.Count - 1);
                var targetDepth = _controls.Count - 1 - (int)instruction.Index;
                AddHandler(new Handler(control.TryStart, _code.Count, -1, HandlerKind.Delegate, 0, _controls.Count, Math.Max(targetDepth, 0)), 0);
                foreach (var fixup in control.Fixups)
                {
                    Patch(fixup, _code.Count);
                }
                _height = control.Height + control.Results;
                _unreachable = false;
                return;
            }
            case Opcode.Rethrow:
            {
                var target = Target(instruction.Index);
                Emit(opcode, target.CatchSlot);
                _unreachable = true;
                return;
            }
            case Opcode.Throw:
            {
                var tagType = _module.Validated.TagDefinedType(instruction.Index).Body as FunctionType;
                Emit(opcode, (int)instruction.Index);
                Pop(tagType!.Parameters.Count);
                _unreachable = true;
                return;
            }
            case Opcode.ThrowRef:
                Emit(opcode);
                Pop(1);
                _unreachable = true;
                return;
            case Opcode.If:
            {
                Pop(1);
                var (parameters, results) = BlockArity(instruction.BlockType);
                var control = new Control { IsIf = true, Height = _height - parameters, Params = parameters, Results = results, ElseFixup = _code.Count };
                Emit(InternalOp.BrUnless);
                _controls.Add(control);
                return;
            }
            case Opcode.Else:
            {
                var control = _controls[^1];
                control.Fixups.Add(_code.Count);
                Emit(InternalOp.Jump);
                Patch(control.ElseFixup, _code.Count);
                control.ElseFixup = -1;
                _height = control.Height + control.Params;
                _unreachable = false;
                return;
            }
            case Opcode.End:
            {
                var control = _controls[^1];
                _controls.RemoveAt(_controls.Count - 1);
                foreach (var handler in control.Handlers ?? [])
                {
                    _handlers[handler] = _handlers[handler] with { Handler = _handlers[handler].Handler with { End = _code.Count } };
                }
                if (control.ElseFixup >= 0)
                {
                    Patch(control.ElseFixup, _code.Count);
                }
                foreach (var fixup in control.Fixups)
                {
                    Patch(fixup, _code.Count);
                }
                _height = control.Height + control.Results;
                if (_height > _maxHeight)
                {
                    _maxHeight = _height;
                }
                _unreachable = false;
                if (_controls.Count == 0)
                {
                    Emit(Opcode.Return);
                }
                return;
            }
            case Opcode.Br:
                EmitBranch(instruction.Index, conditional: false);
                _unreachable = true;
                return;
            case Opcode.BrIf:
                Pop(1);
                if (!TryEmitTestAndBranch(instruction.Index))
                {
                    EmitBranch(instruction.Index, conditional: true);
                }
                return;
            case Opcode.BrTable:
            {
                Pop(1);
                var table = instruction.BranchTable;
                var start = _targets.Count;
                foreach (var label in table.Labels)
                {
                    AddTableTarget(label);
                }
                AddTableTarget(table.Default);
                Emit(InternalOp.BrTableJump, start, table.Labels.Count);
                _unreachable = true;
                return;
            }
            case Opcode.Return:
                Emit(Opcode.Return);
                _unreachable = true;
                return;
            case Opcode.Call:
            {
                var type = FunctionTypeOf(instruction.Index);
                Emit(opcode, (int)instruction.Index);
                Pop(type.Parameters.Count);
                Push(type.Results.Count);
                return;
            }
            case Opcode.ReturnCall:
                Emit(opcode, (int)instruction.Index);
                _unreachable = true;
                return;
            case Opcode.CallIndirect:
            {
                var type = _module.Types[instruction.Index]!;
                Emit(opcode, (int)instruction.Index, (int)instruction.SecondIndex);
                Pop(1 + type.Parameters.Count);
                Push(type.Results.Count);
                return;
            }
            case Opcode.ReturnCallIndirect:
                Emit(opcode, (int)instruction.Index, (int)instruction.SecondIndex);
                _unreachable = true;
                return;
            case Opcode.CallRef:
            {
                var type = _module.Types[instruction.Index]!;
                Emit(opcode, (int)instruction.Index);
                Pop(1 + type.Parameters.Count);
                Push(type.Results.Count);
                return;
            }
            case Opcode.ReturnCallRef:
                Emit(opcode, (int)instruction.Index);
                _unreachable = true;
                return;
            case Opcode.BrOnNull:
                // Pops the reference; on null branches, otherwise pushes it back.
                Pop(1);
                Emit(opcode);
                EmitBranch(instruction.Index, conditional: true);
                Push(1);
                return;
            case Opcode.BrOnNonNull:
                // Keeps the reference for the branch; pops it when falling through.
                Emit(opcode);
                EmitBranch(instruction.Index, conditional: true);
                Emit(Opcode.Drop);
                Pop(1);
                return;
            case Opcode.StructNew:
            {
                var fields = ((StructType)_module.Validated.Types[(int)instruction.Index].Body).Fields.Count;
                Emit(opcode, (int)instruction.Index);
                Pop(fields);
                Push(1);
                return;
            }
            case Opcode.ArrayNewFixed:
                Emit(opcode, (int)instruction.Index, (int)instruction.SecondIndex);
                Pop((int)instruction.SecondIndex);
                Push(1);
                return;
            case Opcode.RefTest or Opcode.RefTestNull or Opcode.RefCast or Opcode.RefCastNull:
            {
                var heap = CanonicalHeap(instruction.HeapType);
                Emit(opcode, heap, opcode is Opcode.RefTestNull or Opcode.RefCastNull ? 1 : 0);
                return;
            }
            case Opcode.BrOnCast or Opcode.BrOnCastFail:
            {
                var to = instruction.CastTo;
                Emit(opcode, CanonicalHeap(to.Heap), to.Nullable ? 1 : 0);
                EmitBranch(instruction.Index, conditional: true);
                return;
            }
            case Opcode.AnyConvertExtern or Opcode.ExternConvertAny:
                return; // a reference keeps its identity across the any/extern hierarchies
            case Opcode.LocalGet or Opcode.LocalSet or Opcode.LocalTee when !_isReferenceLocal[instruction.Index]:
                Emit(opcode switch
                {
                    Opcode.LocalGet => InternalOp.LocalGetBits,
                    Opcode.LocalSet => InternalOp.LocalSetBits,
                    _ => InternalOp.LocalTeeBits,
                }, (int)instruction.Index);
                if (opcode == Opcode.LocalGet)
                {
                    Push(1);
                }
                else if (opcode == Opcode.LocalSet)
                {
                    Pop(1);
                }
                return;
            case Opcode.V128Const:
                _constants.Add(instruction.V128);
                Emit(opcode, _constants.Count - 1);
                Push(1);
                return;
            case Opcode.I8x16Shuffle:
                _constants.Add(instruction.V128);
                Emit(opcode, _constants.Count - 1);
                Pop(2);
                Push(1);
                return;
            default:
                break;
        }

        var (pops, pushes) = StackEffect(instruction);
        var info = instruction.Info;
        switch (info.Immediates)
        {
            case ImmediateKind.MemArg:
            case ImmediateKind.MemArgAndLane:
                Emit(opcode, (int)instruction.MemArg.Memory, instruction.LaneIndex, instruction.MemArg.Offset);
                break;
            case ImmediateKind.I32:
            case ImmediateKind.I64:
            case ImmediateKind.F32:
            case ImmediateKind.F64:
                Emit(opcode, c: instruction.Info.Immediates == ImmediateKind.I32 ? (uint)instruction.I32 : instruction.F64Bits);
                break;
            case ImmediateKind.Lane:
                Emit(opcode, instruction.LaneIndex);
                break;
            case ImmediateKind.HeapType:
            case ImmediateKind.SelectTypes:
            case ImmediateKind.None:
                Emit(opcode);
                break;
            default:
                Emit(opcode, (int)instruction.Index, (int)instruction.SecondIndex);
                break;
        }
        Pop(pops);
        Push(pushes);
    }

    /// <summary>The target control of a relative label, its arity and the height its values land at.</summary>
    private Control Target(uint label) => _controls[_controls.Count - 1 - (int)label];

    private void EmitBranch(uint label, bool conditional)
    {
        var target = Target(label);
        var arity = target.Arity;
        var needsMove = _height - arity != target.Height;
        var index = _code.Count;
        if (needsMove)
        {
            Emit(conditional ? InternalOp.BrIfMove : InternalOp.BrMove, target.LoopPc, target.Height, (ulong)arity);
        }
        else
        {
            Emit(conditional ? InternalOp.BrIfJump : InternalOp.Jump, target.LoopPc);
        }
        if (!target.IsLoop)
        {
            target.Fixups.Add(index);
        }
    }

    /// <summary>
    /// <c>br_if</c> right after <c>i32.eqz</c> or an i32 comparison, to a label that needs no values moved: one op
    /// that tests and branches replaces the test (a superinstruction, like <see cref="Fuse"/>'s). False (nothing
    /// emitted) otherwise.
    /// </summary>
    private bool TryEmitTestAndBranch(uint label)
    {
        var target = Target(label);
        if (_height - target.Arity != target.Height || _code.Count - 1 < _fuseBarrier)
        {
            return false;
        }
        // The test, and the op before it: a test fused with the local.gets before it is taken apart again here.
        var last = _code[^1];
        var (test, before) = last.Code switch
        {
            InternalOp.LocalGetPure => ((Opcode)last.C, new Op(InternalOp.LocalGetBits, last.A)),
            InternalOp.LocalGet2Pure => ((Opcode)(last.C >> 32), new Op(InternalOp.LocalGet2, last.A, last.B)),
            _ => (last.Code, _code.Count - 2 >= _fuseBarrier ? _code[^2] : default),
        };
        if (!IsTest(test))
        {
            return false;
        }
        var fused = test == Opcode.I32Eqz ? InternalOp.BrIfZeroJump : InternalOp.BrIfI32;
        if (last.Code is InternalOp.LocalGetPure or InternalOp.LocalGet2Pure)
        {
            _code[^1] = before;
            _code.Add(new Op(test));
        }
        if (fused == InternalOp.BrIfZeroJump)
        {
            before = default;
        }
        // The ops the branch replaces (counted back from the test) and what replaces them. A comparison with a
        // constant reads it from the op, and the other operand in place when a local.get read it just before
        // (`c == 'a'`, a switch's cases); a comparison whose operands were read from locals just before (within the
        // same label) reads them in place: both (a loop's `i < n`), or the right one (`v[i] < pivot`, the left computed).
        var prior = before.Code == Opcode.I32Const && _code.Count - 3 >= _fuseBarrier ? _code[^3] : default;
        var (replaced, op) = before.Code switch
        {
            Opcode.I32Const when prior.Code == InternalOp.LocalGetBits =>
                (3, new Op(InternalOp.BrIfLocalImmI32, target.LoopPc, prior.A, (uint)before.C | ((ulong)(uint)test << 32))),
            Opcode.I32Const => (2, new Op(InternalOp.BrIfImmI32, target.LoopPc, (int)test, (uint)before.C)),
            InternalOp.LocalGet2 => (2, new Op(InternalOp.BrIfLocalsI32, target.LoopPc, before.A, (uint)before.B | ((ulong)(uint)test << 32))),
            InternalOp.LocalGetBits => (2, new Op(InternalOp.BrIfTopLocalI32, target.LoopPc, before.A, (uint)test)),
            _ => (1, new Op(fused, target.LoopPc, (int)test)),
        };
        _code.RemoveRange(_code.Count - replaced, replaced);
        _code.Add(op);
        if (!target.IsLoop)
        {
            target.Fixups.Add(_code.Count - 1);
        }
        return true;
    }

    private void AddTableTarget(uint label)
    {
        var target = Target(label);
        var index = _targets.Count;
        _targets.Add(new BranchTarget(target.LoopPc, target.Height, target.Arity));
        if (!target.IsLoop)
        {
            target.Fixups.Add(~index);
        }
    }

    private void Patch(int fixup, int pc)
    {
        if (fixup >= 0)
        {
            _code[fixup] = _code[fixup].WithA(pc);
        }
        else
        {
            _targets[~fixup] = _targets[~fixup] with { Pc = pc };
        }
    }

    /// <summary>How many operands an instruction pops and pushes (instructions not handled above): the table's <c>sig</c> arity.</summary>
    private static (int Pops, int Pushes) StackEffect(Instruction instruction)
    {
        var info = instruction.Info;
        return info.HasFixedStackEffect ? (info.Pops, info.Pushes) : throw Unsupported(instruction.Opcode);
    }

    private static NotSupportedException Unsupported(Opcode opcode) => new($"the interpreter does not support {opcode.Name()} yet");
}

/// <summary>
/// The interpreter's code for one validated module in one engine: the compiled form of each defined function, made
/// on first call and shared by every instance of the module in every store of the engine (compilation depends only
/// on the module and on the engine's fault seam, which is why the cache is the engine's).
/// </summary>
internal sealed class ModuleCode
{
    private ModuleCode(Validation.ValidatedModule validated, bool tierUp)
    {
        Validated = validated;
        TierUp = tierUp;
        Types = [.. validated.Module.TypeDefinitions.Select(t => t.Body as FunctionType)];
        ImportedFunctions = validated.ImportedFunctionCount;
        Compiled = new CompiledFunction?[validated.Module.Functions.Count];
    }

    public Validation.ValidatedModule Validated { get; }

    /// <summary>Function types by module type index (<see langword="null"/> for struct and array types).</summary>
    public FunctionType?[] Types { get; }

    public int ImportedFunctions { get; }

    /// <summary>Compiled functions by defined-function index (function index minus imports).</summary>
    public CompiledFunction?[] Compiled { get; }

    /// <summary>
    /// The engine tiers up (<see cref="EngineOptions.JitTierUp"/>): each loop's head is an
    /// <see cref="InternalOp.LoopHeader"/>, which counts its iterations and may move the call into compiled code.
    /// </summary>
    public bool TierUp { get; }

    public static ModuleCode Of(Engine engine, Validation.ValidatedModule validated) =>
        engine.InterpreterCode.GetValue(validated, v => new ModuleCode(v, engine.Options.TierUpThreshold > 0));
}
