using WasmHarness.Syntax;

namespace WasmHarness.Validation;

/// <summary>
/// The spec's validation algorithm for instruction sequences (appendix: operand stack, control stack and
/// initialization stack), over the flat instruction sequence of a function body or constant expression.
/// Error messages follow the reference interpreter (e.g. <c>type mismatch: instruction requires [i32] but stack has [i64]</c>).
/// </summary>
internal sealed class CodeValidator(ValidationContext context)
{
    private static readonly ValType[] s_none = [];
    private static readonly ValType[] s_i32 = [ValType.I32];
    private static readonly ValType[] s_i32x2 = [ValType.I32, ValType.I32];
    private static readonly ValType[] s_i64 = [ValType.I64];
    private static readonly ValType[] s_f32 = [ValType.F32];
    private static readonly ValType[] s_f64 = [ValType.F64];
    private static readonly ValType[] s_v128 = [ValType.V128];
    private static readonly ValType s_exnRef = ValType.ExnRef;
    private static readonly ValType s_nonNullExnRef = ValType.Ref(HeapType.Exn, nullable: false);

    private readonly ValidationContext _c = context;
    private readonly List<ValType> _vals = [];
    private readonly List<Frame> _ctrls = [];
    private readonly Stack<Frame> _freeFrames = new();
    private readonly List<int> _inits = [];
    private ValType[] _locals = s_none;
    private bool[] _localInit = [];
    private ValType[] _results = s_none;
    private bool _constant;
    private int _maxHeight;
    private int[] _blockEnds = [];
    private BlockStack[] _stackBefore = [];
    private Dictionary<int, int> _elses = [];
    private Dictionary<int, ValType>? _selectTypes;
    private Dictionary<int, List<int>>? _catches;

    private sealed class Frame
    {
        public Opcode Kind { get; set; }
        public ValType[] Start { get; private set; } = s_none;
        public ValType[] End { get; private set; } = s_none;
        public int Height { get; private set; }
        public int InitHeight { get; private set; }
        public int Pc { get; private set; }
        public bool Unreachable { get; set; }

        public Frame Reset(Opcode kind, ValType[] start, ValType[] end, int height, int initHeight, int pc)
        {
            Kind = kind;
            Start = start;
            End = end;
            Height = height;
            InitHeight = initHeight;
            Pc = pc;
            Unreachable = false;
            return this;
        }

        public ValType[] Labels => Kind == Opcode.Loop ? Start : End;
    }

    /// <summary>What validating one body taught: for the execution tiers.</summary>
    public sealed record Result(int MaxStackHeight, int[] BlockEnds, BlockStack[] StackBefore, Dictionary<int, int> Elses, Dictionary<int, ValType>? SelectTypes,
        Dictionary<int, List<int>>? Catches);

    /// <summary>Validates a function body. <paramref name="locals"/> are parameters then declared locals, canonical.</summary>
    public Result ValidateFunction(IReadOnlyList<Instruction> code, ValType[] locals, int parameterCount, ValType[] results)
    {
        _constant = false;
        _locals = locals;
        _localInit = new bool[locals.Length];
        for (var i = 0; i < locals.Length; i++)
        {
            _localInit[i] = i < parameterCount || locals[i].IsDefaultable;
        }
        _results = results;
        return Run(code, results);
    }

    /// <summary>Validates a constant expression of type <paramref name="type"/> (spec: <c>expr : t const</c>).</summary>
    public void ValidateConstant(Expression expression, ValType type)
    {
        foreach (var instruction in expression.Instructions)
        {
            if (!IsConstant(instruction))
            {
                throw _c.Error("constant expression required");
            }
        }
        _constant = true;
        _locals = s_none;
        _localInit = [];
        _results = [type];
        Run(expression.Instructions, _results);
    }

    private bool IsConstant(Instruction instruction)
    {
        switch (instruction.Opcode)
        {
            case Opcode.I32Const or Opcode.I64Const or Opcode.F32Const or Opcode.F64Const or Opcode.V128Const:
            case Opcode.I32Add or Opcode.I32Sub or Opcode.I32Mul or Opcode.I64Add or Opcode.I64Sub or Opcode.I64Mul:
            case Opcode.RefNull or Opcode.RefFunc or Opcode.RefI31:
            case Opcode.StructNew or Opcode.StructNewDefault:
            case Opcode.ArrayNew or Opcode.ArrayNewDefault or Opcode.ArrayNewFixed:
            case Opcode.AnyConvertExtern or Opcode.ExternConvertAny:
            case Opcode.End:
                return true;
            case Opcode.GlobalGet:
                return !_c.ConstantGlobal(instruction.Index).Mutable;
            default:
                return false;
        }
    }

    private Result Run(IReadOnlyList<Instruction> code, ValType[] results)
    {
        _vals.Clear();
        foreach (var frame in _ctrls)
        {
            _freeFrames.Push(frame);
        }
        _ctrls.Clear();
        _inits.Clear();
        _maxHeight = 0;
        _blockEnds = new int[code.Count];
        _stackBefore = new BlockStack[code.Count];
        _elses = [];
        _selectTypes = null;
        _catches = null;
        PushFrame(Opcode.Block, s_none, results, -1);
        for (var pc = 0; pc < code.Count; pc++)
        {
            if (_ctrls.Count == 0)
            {
                _c.AtInstruction(pc, code[pc].Opcode);
                throw _c.Error("operators remaining after end of function");
            }
            var instruction = code[pc];
            _c.AtInstruction(pc, instruction.Opcode);
            _blockEnds[pc] = -1;
            var innermost = _ctrls[^1];
            _stackBefore[pc] = innermost.Unreachable ? BlockStack.Unreachable : _vals.Count == innermost.Height ? BlockStack.Empty : BlockStack.Values;
            CheckPayload(instruction);
            Step(instruction, pc);
        }
        if (_ctrls.Count != 0)
        {
            throw _c.Error("unexpected end of section or function");
        }
        _c.LeaveInstructions();
        return new Result(_maxHeight, _blockEnds, _stackBefore, _elses, _selectTypes, _catches);
    }

    /// <summary>
    /// Rejects an instruction built with the wrong factory for its opcode (only a generator can make one), whose
    /// payload accessors would otherwise throw.
    /// </summary>
    private void CheckPayload(Instruction instruction)
    {
        try
        {
            var ok = instruction.Opcode switch
            {
                Opcode.Block or Opcode.Loop or Opcode.If or Opcode.Try or Opcode.TryTable => instruction.BlockType is var _,
                Opcode.BrTable => instruction.BranchTable is not null,
                Opcode.SelectTyped => instruction.SelectTypes is not null,
                Opcode.RefNull or Opcode.RefTest or Opcode.RefTestNull or Opcode.RefCast or Opcode.RefCastNull => instruction.HeapType is var _,
                Opcode.BrOnCast or Opcode.BrOnCastFail => instruction.CastFrom is var _,
                _ => true,
            };
            if (instruction.Opcode == Opcode.TryTable)
            {
                ok = instruction.Catches is not null;
            }
            if (ok)
            {
                return;
            }
        }
        catch (Exception e) when (e is InvalidCastException or InvalidOperationException or NullReferenceException)
        {
        }
        throw _c.Error($"invalid immediates for {instruction.Opcode.Name()}");
    }

    // ---- Operand stack ------------------------------------------------------------------------------------

    private Frame Top => _ctrls[^1];

    private void Push(ValType type)
    {
        _vals.Add(type);
        if (_vals.Count > _maxHeight)
        {
            _maxHeight = _vals.Count;
        }
    }

    private void Push(ReadOnlySpan<ValType> types)
    {
        foreach (var type in types)
        {
            Push(type);
        }
    }

    /// <summary>The type <paramref name="depth"/> values below the top, or bottom where the frame has none.</summary>
    private ValType Peek(int depth)
    {
        var index = _vals.Count - 1 - depth;
        return index >= Top.Height ? _vals[index] : ValType.Bottom;
    }

    /// <summary>The reference type on top (spec: <c>peek_ref</c>): bottom gives <c>(ref bot)</c>.</summary>
    private ValType PeekReference(int depth)
    {
        var type = Peek(depth);
        return type.Kind switch
        {
            ValueKind.Ref => type,
            ValueKind.Bottom => ValType.Ref(HeapType.Bottom, nullable: false),
            _ => throw _c.Error($"type mismatch: instruction requires reference type but stack has {_c.Format(type)}"),
        };
    }

    private void Pop(ValType expected) => Pop([expected]);

    /// <summary>Pops operands of the expected types (bottom-most first), with subtyping and stack polymorphism.</summary>
    private void Pop(ReadOnlySpan<ValType> expected)
    {
        var frame = Top;
        var available = _vals.Count - frame.Height;
        var n = Math.Min(expected.Length, available);
        var ok = n == expected.Length || frame.Unreachable;
        for (var i = 0; ok && i < n; i++)
        {
            var actual = _vals[_vals.Count - n + i];
            var wanted = expected[expected.Length - n + i];
            ok = actual == wanted || Subtyping.Matches(actual, wanted);
        }
        if (!ok)
        {
            throw Mismatch("instruction", expected, "stack", Actual(expected.Length));
        }
        _vals.RemoveRange(_vals.Count - n, n);
    }

    /// <summary>The top <paramref name="count"/> operands as the reference interpreter reports them (bottom-padded when polymorphic).</summary>
    private ValType[] Actual(int count)
    {
        var frame = Top;
        var available = _vals.Count - frame.Height;
        var n = Math.Min(count, available);
        var pad = frame.Unreachable ? count - n : 0;
        var actual = new ValType[pad + n];
        for (var i = 0; i < pad; i++)
        {
            actual[i] = ValType.Bottom;
        }
        for (var i = 0; i < n; i++)
        {
            actual[pad + i] = _vals[_vals.Count - n + i];
        }
        return actual;
    }

    private InvalidModuleException Mismatch(string requirer, ReadOnlySpan<ValType> required, string haver, ReadOnlySpan<ValType> has) =>
        _c.Error($"type mismatch: {requirer} requires {_c.Format(required)} but {haver} has {_c.Format(has)}");

    private void SetUnreachable()
    {
        var frame = Top;
        _vals.RemoveRange(frame.Height, _vals.Count - frame.Height);
        frame.Unreachable = true;
    }

    // ---- Control stack ------------------------------------------------------------------------------------

    private void PushFrame(Opcode kind, ValType[] start, ValType[] end, int pc)
    {
        // The function's own frame is not a nesting level.
        ModuleLimits.Check("blocks nested too deep", _ctrls.Count, _c.Limits.NestingDepth, nameof(ModuleLimits.NestingDepth), _c.Location);
        var frame = _freeFrames.Count > 0 ? _freeFrames.Pop() : new Frame();
        _ctrls.Add(frame.Reset(kind, start, end, _vals.Count, _inits.Count, pc));
        Push(start);
    }

    private void PopFrame()
    {
        _freeFrames.Push(_ctrls[^1]);
        _ctrls.RemoveAt(_ctrls.Count - 1);
    }

    private Frame Label(uint depth) =>
        depth < (uint)_ctrls.Count ? _ctrls[_ctrls.Count - 1 - (int)depth] : throw _c.Error($"unknown label {depth}");

    /// <summary>The end of a block's instruction sequence: results on top and nothing else (spec: <c>check_block</c>).</summary>
    private void CheckBlockEnd(Frame frame)
    {
        ValType[]? all = null;
        if (_vals.Count - frame.Height > frame.End.Length)
        {
            all = _vals.GetRange(frame.Height, _vals.Count - frame.Height).ToArray();
        }
        Pop(frame.End);
        if (all is not null)
        {
            throw Mismatch("block", frame.End, "stack", all);
        }
    }

    /// <summary>Ends the current block body (at <c>end</c>, <c>else</c>, <c>catch</c>): checks it and resets the frame's state.</summary>
    private void ResetFrame(Frame frame)
    {
        _vals.RemoveRange(frame.Height, _vals.Count - frame.Height);
        while (_inits.Count > frame.InitHeight)
        {
            _localInit[_inits[^1]] = false;
            _inits.RemoveAt(_inits.Count - 1);
        }
        frame.Unreachable = false;
    }

    private (ValType[] Parameters, ValType[] Results) BlockSignature(BlockType type)
    {
        if (type.IsEmpty)
        {
            return (s_none, s_none);
        }
        if (type.IsValue)
        {
            return (s_none, type.Result.Kind switch
            {
                ValueKind.I32 => s_i32,
                ValueKind.I64 => s_i64,
                ValueKind.F32 => s_f32,
                ValueKind.F64 => s_f64,
                ValueKind.V128 => s_v128,
                _ => [_c.Canonical(type.Result)],
            });
        }
        var function = _c.FunctionType(type.TypeIndex);
        return (AsArray(function.Parameters), AsArray(function.Results));
    }

    private static ValType[] AsArray(IReadOnlyList<ValType> types) => types as ValType[] ?? [.. types];

    // ---- Instructions -------------------------------------------------------------------------------------

    private void Step(Instruction instruction, int pc)
    {
        var opcode = instruction.Opcode;
        switch (opcode)
        {
            case Opcode.Unreachable:
                SetUnreachable();
                return;
            case Opcode.Nop:
                return;
            case Opcode.Block:
            case Opcode.Loop:
            case Opcode.Try:
            {
                var (parameters, results) = BlockSignature(instruction.BlockType);
                Pop(parameters);
                PushFrame(opcode, parameters, results, pc);
                return;
            }
            case Opcode.If:
            {
                var (parameters, results) = BlockSignature(instruction.BlockType);
                Pop([.. parameters, ValType.I32]);
                PushFrame(opcode, parameters, results, pc);
                return;
            }
            case Opcode.Else:
            {
                var frame = Top;
                if (frame.Kind != Opcode.If)
                {
                    throw _c.Error("else without matching if");
                }
                CheckBlockEnd(frame);
                ResetFrame(frame);
                frame.Kind = Opcode.Else;
                _elses[frame.Pc] = pc;
                Push(frame.Start);
                return;
            }
            case Opcode.End:
                End(pc);
                return;
            case Opcode.Catch:
            case Opcode.CatchAll:
            {
                var frame = Top;
                if (frame.Kind is not (Opcode.Try or Opcode.Catch))
                {
                    throw _c.Error(opcode == Opcode.Catch ? "catch without matching try" : "catch_all without matching try");
                }
                CheckBlockEnd(frame);
                ResetFrame(frame);
                frame.Kind = opcode;
                _catches ??= [];
                if (!_catches.TryGetValue(frame.Pc, out var clauses))
                {
                    _catches[frame.Pc] = clauses = [];
                }
                clauses.Add(pc);
                if (opcode == Opcode.Catch)
                {
                    Push(AsArray(((FunctionType)_c.Tag(instruction.Index).Body).Parameters));
                }
                return;
            }
            case Opcode.Delegate:
            {
                var frame = Top;
                if (frame.Kind != Opcode.Try)
                {
                    throw _c.Error("delegate without matching try");
                }
                CheckBlockEnd(frame);
                ResetFrame(frame);
                PopFrame();
                if (frame.Pc >= 0)
                {
                    _blockEnds[frame.Pc] = pc;
                }
                _blockEnds[pc] = frame.Pc;
                Label(instruction.Index);
                Push(frame.End);
                return;
            }
            case Opcode.Rethrow:
            {
                var target = Label(instruction.Index);
                if (target.Kind is not (Opcode.Catch or Opcode.CatchAll))
                {
                    throw _c.Error("invalid rethrow label");
                }
                SetUnreachable();
                return;
            }
            case Opcode.Throw:
                Pop(AsArray(((FunctionType)_c.Tag(instruction.Index).Body).Parameters));
                SetUnreachable();
                return;
            case Opcode.ThrowRef:
                Pop(s_exnRef);
                SetUnreachable();
                return;
            case Opcode.TryTable:
            {
                var (parameters, results) = BlockSignature(instruction.BlockType);
                foreach (var clause in instruction.Catches)
                {
                    CheckCatch(clause);
                }
                Pop(parameters);
                PushFrame(opcode, parameters, results, pc);
                return;
            }
            case Opcode.Br:
                Pop(Label(instruction.Index).Labels);
                SetUnreachable();
                return;
            case Opcode.BrIf:
            {
                var labels = Label(instruction.Index).Labels;
                Pop([.. labels, ValType.I32]);
                Push(labels);
                return;
            }
            case Opcode.BrTable:
                ModuleLimits.Check("too many br_table targets", instruction.BranchTable.Labels.Count + 1L, _c.Limits.BrTableTargets, nameof(ModuleLimits.BrTableTargets), _c.Location);
                BrTable(instruction.BranchTable);
                return;
            case Opcode.Return:
                Pop(_results);
                SetUnreachable();
                return;
            case Opcode.BrOnNull:
            {
                var reference = PeekReference(0);
                var labels = Label(instruction.Index).Labels;
                Pop([.. labels, ValType.Ref(reference.Heap, nullable: true)]);
                Push(labels);
                Push(ValType.Ref(reference.Heap, nullable: false));
                return;
            }
            case Opcode.BrOnNonNull:
            {
                var labels = Label(instruction.Index).Labels;
                if (labels.Length == 0)
                {
                    throw _c.Error($"type mismatch: instruction requires reference type but label has {_c.Format(labels)}");
                }
                var last = labels[^1];
                if (last.Kind != ValueKind.Ref)
                {
                    throw _c.Error($"type mismatch: instruction requires reference type but label has {_c.Format(last)}");
                }
                var rest = labels[..^1];
                Pop([.. rest, ValType.Ref(last.Heap, nullable: true)]);
                Push(rest);
                return;
            }
            case Opcode.BrOnCast:
            case Opcode.BrOnCastFail:
                BrOnCast(instruction, opcode == Opcode.BrOnCastFail);
                return;
            case Opcode.Call:
            {
                var function = (FunctionType)_c.Function(instruction.Index).Body;
                Pop(AsArray(function.Parameters));
                Push(AsArray(function.Results));
                return;
            }
            case Opcode.ReturnCall:
            {
                var function = (FunctionType)_c.Function(instruction.Index).Body;
                CheckTailCallResults(function);
                Pop(AsArray(function.Parameters));
                SetUnreachable();
                return;
            }
            case Opcode.CallIndirect:
            case Opcode.ReturnCallIndirect:
            {
                var table = _c.Table(instruction.SecondIndex);
                var function = _c.FunctionType(instruction.Index);
                if (!Subtyping.Matches(table.ElementType, ValType.FuncRef))
                {
                    throw _c.Error($"type mismatch: instruction requires table of function type but table has element type {_c.Format(table.ElementType)}");
                }
                if (opcode == Opcode.ReturnCallIndirect)
                {
                    CheckTailCallResults(function);
                }
                Pop([.. function.Parameters, table.Limits.AddressValueType]);
                if (opcode == Opcode.ReturnCallIndirect)
                {
                    SetUnreachable();
                }
                else
                {
                    Push(AsArray(function.Results));
                }
                return;
            }
            case Opcode.CallRef:
            case Opcode.ReturnCallRef:
            {
                var function = _c.FunctionType(instruction.Index);
                if (opcode == Opcode.ReturnCallRef)
                {
                    CheckTailCallResults(function);
                }
                Pop([.. function.Parameters, ValType.Ref(_c.Type(instruction.Index).HeapType, nullable: true)]);
                if (opcode == Opcode.ReturnCallRef)
                {
                    SetUnreachable();
                }
                else
                {
                    Push(AsArray(function.Results));
                }
                return;
            }
            case Opcode.Drop:
                Pop(Peek(0));
                return;
            case Opcode.Select:
            {
                var type = Peek(1);
                if (type.Kind is ValueKind.Ref)
                {
                    throw _c.Error($"type mismatch: instruction requires numeric or vector type but stack has {_c.Format(type)}");
                }
                Pop([type, type, ValType.I32]);
                Push(type);
                (_selectTypes ??= [])[pc] = type;
                return;
            }
            case Opcode.SelectTyped:
            {
                var types = instruction.SelectTypes;
                if (types.Count != 1)
                {
                    throw _c.Error("invalid result arity other than 1 is not (yet) allowed");
                }
                var type = _c.Canonical(types[0]);
                Pop([type, type, ValType.I32]);
                Push(type);
                return;
            }
            case Opcode.LocalGet:
            {
                var index = LocalIndex(instruction.Index);
                if (!_localInit[index])
                {
                    throw _c.Error("uninitialized local");
                }
                Push(_locals[index]);
                return;
            }
            case Opcode.LocalSet:
            case Opcode.LocalTee:
            {
                var index = LocalIndex(instruction.Index);
                Pop(_locals[index]);
                if (!_localInit[index])
                {
                    _localInit[index] = true;
                    _inits.Add(index);
                }
                if (opcode == Opcode.LocalTee)
                {
                    Push(_locals[index]);
                }
                return;
            }
            case Opcode.GlobalGet:
                Push((_constant ? _c.ConstantGlobal(instruction.Index) : _c.Global(instruction.Index)).Type);
                return;
            case Opcode.GlobalSet:
            {
                var global = _c.Global(instruction.Index);
                if (!global.Mutable)
                {
                    throw _c.Error("immutable global");
                }
                Pop(global.Type);
                return;
            }
            case Opcode.TableGet:
            {
                var table = _c.Table(instruction.Index);
                Pop(table.Limits.AddressValueType);
                Push(table.ElementType);
                return;
            }
            case Opcode.TableSet:
            {
                var table = _c.Table(instruction.Index);
                Pop([table.Limits.AddressValueType, table.ElementType]);
                return;
            }
            case Opcode.TableSize:
                Push(_c.Table(instruction.Index).Limits.AddressValueType);
                return;
            case Opcode.TableGrow:
            {
                var table = _c.Table(instruction.Index);
                Pop([table.ElementType, table.Limits.AddressValueType]);
                Push(table.Limits.AddressValueType);
                return;
            }
            case Opcode.TableFill:
            {
                var table = _c.Table(instruction.Index);
                var address = table.Limits.AddressValueType;
                Pop([address, table.ElementType, address]);
                return;
            }
            case Opcode.TableCopy:
            {
                var destination = _c.Table(instruction.Index);
                var source = _c.Table(instruction.SecondIndex);
                if (!Subtyping.Matches(source.ElementType, destination.ElementType))
                {
                    throw _c.Error($"type mismatch: source element type {_c.Format(destination.ElementType)} does not match destination element type {_c.Format(source.ElementType)}");
                }
                Pop([destination.Limits.AddressValueType, source.Limits.AddressValueType, MinAddress(destination.Limits, source.Limits)]);
                return;
            }
            case Opcode.TableInit:
            {
                var table = _c.Table(instruction.SecondIndex);
                var element = _c.Element(instruction.Index);
                if (!Subtyping.Matches(element, table.ElementType))
                {
                    throw _c.Error($"type mismatch: element segment's type {_c.Format(table.ElementType)} does not match table's element type {_c.Format(element)}");
                }
                Pop([table.Limits.AddressValueType, ValType.I32, ValType.I32]);
                return;
            }
            case Opcode.ElemDrop:
                _c.Element(instruction.Index);
                return;
            case Opcode.MemorySize:
                Push(_c.Memory(instruction.Index).Limits.AddressValueType);
                return;
            case Opcode.MemoryGrow:
            {
                var address = _c.Memory(instruction.Index).Limits.AddressValueType;
                Pop(address);
                Push(address);
                return;
            }
            case Opcode.MemoryFill:
            {
                var address = _c.Memory(instruction.Index).Limits.AddressValueType;
                Pop([address, ValType.I32, address]);
                return;
            }
            case Opcode.MemoryCopy:
            {
                var destination = _c.Memory(instruction.Index).Limits;
                var source = _c.Memory(instruction.SecondIndex).Limits;
                Pop([destination.AddressValueType, source.AddressValueType, MinAddress(destination, source)]);
                return;
            }
            case Opcode.MemoryInit:
            {
                var address = _c.Memory(instruction.SecondIndex).Limits.AddressValueType;
                _c.Data(instruction.Index);
                Pop([address, ValType.I32, ValType.I32]);
                return;
            }
            case Opcode.DataDrop:
                _c.Data(instruction.Index);
                return;
            case Opcode.I32Const:
                Push(ValType.I32);
                return;
            case Opcode.I64Const:
                Push(ValType.I64);
                return;
            case Opcode.F32Const:
                Push(ValType.F32);
                return;
            case Opcode.F64Const:
                Push(ValType.F64);
                return;
            case Opcode.V128Const:
                Push(ValType.V128);
                return;
            case Opcode.I8x16Shuffle:
            {
                var lanes = instruction.V128;
                for (var i = 0; i < 8; i++)
                {
                    if ((byte)(lanes.Low >> (8 * i)) >= 32 || (byte)(lanes.High >> (8 * i)) >= 32)
                    {
                        throw _c.Error("invalid lane index");
                    }
                }
                Pop([ValType.V128, ValType.V128]);
                Push(ValType.V128);
                return;
            }
            case Opcode.RefNull:
                Push(ValType.Ref(_c.Canonical(instruction.HeapType), nullable: true));
                return;
            case Opcode.RefFunc:
            {
                var function = _c.Function(instruction.Index);
                if (!_c.References.Contains(instruction.Index))
                {
                    throw _c.Error($"undeclared function reference {instruction.Index}");
                }
                Push(ValType.Ref(function.HeapType, nullable: false));
                return;
            }
            case Opcode.RefIsNull:
            {
                var reference = PeekReference(0);
                Pop(ValType.Ref(reference.Heap, nullable: true));
                Push(ValType.I32);
                return;
            }
            case Opcode.RefAsNonNull:
            {
                var reference = PeekReference(0);
                Pop(ValType.Ref(reference.Heap, nullable: true));
                Push(ValType.Ref(reference.Heap, nullable: false));
                return;
            }
            case Opcode.RefEq:
                Pop([ValType.EqRef, ValType.EqRef]);
                Push(ValType.I32);
                return;
            case Opcode.RefTest:
            case Opcode.RefTestNull:
            case Opcode.RefCast:
            case Opcode.RefCastNull:
            {
                var heap = _c.Canonical(instruction.HeapType);
                Pop(ValType.Ref(Subtyping.TopOf(heap), nullable: true));
                Push(opcode is Opcode.RefTest or Opcode.RefTestNull
                    ? ValType.I32
                    : ValType.Ref(heap, nullable: opcode == Opcode.RefCastNull));
                return;
            }
            case Opcode.RefI31:
                Pop(ValType.I32);
                Push(ValType.Ref(HeapType.I31, nullable: false));
                return;
            case Opcode.I31GetS:
            case Opcode.I31GetU:
                Pop(ValType.I31Ref);
                Push(ValType.I32);
                return;
            case Opcode.AnyConvertExtern:
            case Opcode.ExternConvertAny:
            {
                var nullable = PeekReference(0).Nullable;
                var (from, to) = opcode == Opcode.AnyConvertExtern ? (HeapType.Extern, HeapType.Any) : (HeapType.Any, HeapType.Extern);
                Pop(ValType.Ref(from, nullable));
                Push(ValType.Ref(to, nullable));
                return;
            }
            default:
                break;
        }
        if (opcode >= Opcode.StructNew && opcode <= Opcode.ArrayInitElem)
        {
            Aggregate(instruction);
            return;
        }
        if (InstructionSignatures.TryGetFixed(opcode, out var fixedSignature) && !InstructionSignatures.HasLane(opcode))
        {
            Pop(fixedSignature.Parameters);
            Push(fixedSignature.Results);
            return;
        }
        if (!OpcodeTable.TryGet(opcode, out var info))
        {
            throw _c.Error($"unsupported instruction {opcode}");
        }
        switch (info.Immediates)
        {
            case ImmediateKind.MemArg when info.Prefix == 0xFE:
                AtomicAccess(instruction, info);
                return;
            case ImmediateKind.MemArg:
                MemoryAccess(instruction, info);
                return;
            case ImmediateKind.MemArgAndLane:
                LaneAccess(instruction, info);
                return;
            case ImmediateKind.Lane:
                if (instruction.LaneIndex >= InstructionSignatures.LaneCount(opcode))
                {
                    throw _c.Error("invalid lane index");
                }
                break;
            default:
                break;
        }
        if (!InstructionSignatures.TryGetFixed(opcode, out var signature))
        {
            throw _c.Error($"unsupported instruction {info.Name}");
        }
        Pop(signature.Parameters);
        Push(signature.Results);
    }

    private void End(int pc)
    {
        var frame = Top;
        CheckBlockEnd(frame);
        if (frame.Kind == Opcode.If)
        {
            // An if without else: the implicit else passes the parameters through unchanged.
            ResetFrame(frame);
            Push(frame.Start);
            CheckBlockEnd(frame);
        }
        ResetFrame(frame);
        PopFrame();
        if (frame.Pc >= 0)
        {
            _blockEnds[frame.Pc] = pc;
        }
        _blockEnds[pc] = frame.Pc;
        Push(frame.End);
    }

    private int LocalIndex(uint index) =>
        index < (uint)_locals.Length ? (int)index : throw _c.Error($"unknown local {index}");

    private static ValType MinAddress(Limits a, Limits b) =>
        a.AddressType == AddressType.I64 && b.AddressType == AddressType.I64 ? ValType.I64 : ValType.I32;

    private void CheckTailCallResults(FunctionType callee)
    {
        if (!Subtyping.Matches(callee.Results, _results))
        {
            throw _c.Error($"type mismatch: current function requires result type {_c.Format(_results)} but callee returns {_c.Format(AsArray(callee.Results))}");
        }
    }

    private void CheckCatch(CatchClause clause)
    {
        ValType[] types = clause.Kind switch
        {
            CatchKind.Catch => AsArray(((FunctionType)_c.Tag(clause.Tag).Body).Parameters),
            CatchKind.CatchRef => [.. ((FunctionType)_c.Tag(clause.Tag).Body).Parameters, s_nonNullExnRef],
            CatchKind.CatchAll => s_none,
            _ => [s_nonNullExnRef],
        };
        var labels = Label(clause.Label).Labels;
        if (!Subtyping.Matches(types, labels))
        {
            throw Mismatch("catch handler", labels, "label", types);
        }
    }

    private void BrTable(BranchTable table)
    {
        var defaultLabels = Label(table.Default).Labels;
        var arity = defaultLabels.Length;
        var types = new ValType[arity];
        for (var i = 0; i < arity; i++)
        {
            // The operand below the index, as far as the stack knows it.
            types[i] = Peek(arity - i);
        }
        CheckStack(types, defaultLabels);
        foreach (var label in table.Labels)
        {
            CheckStack(types, Label(label).Labels);
        }
        Pop([.. types, ValType.I32]);
        SetUnreachable();
    }

    private void CheckStack(ValType[] actual, ValType[] required)
    {
        if (!Subtyping.Matches(actual, required))
        {
            throw Mismatch("instruction", required, "stack", actual);
        }
    }

    private void BrOnCast(Instruction instruction, bool fail)
    {
        var from = _c.Canonical(instruction.CastFrom);
        var to = _c.Canonical(instruction.CastTo);
        if (from.Kind != ValueKind.Ref || to.Kind != ValueKind.Ref)
        {
            throw _c.Error("type mismatch: cast requires reference types");
        }
        if (!Subtyping.Matches(to, from))
        {
            throw _c.Error($"type mismatch on cast: type {_c.Format(to)} does not match {_c.Format(from)}");
        }
        // Spec: the difference rt1 \ rt2 drops nullability where the target type accepts null.
        var difference = ValType.Ref(from.Heap, to.Nullable ? false : from.Nullable);
        var branchType = fail ? difference : to;
        var labels = Label(instruction.Index).Labels;
        if (labels.Length == 0 || !Subtyping.Matches(branchType, labels[^1]))
        {
            throw _c.Error($"type mismatch: instruction requires type {_c.Format(branchType)} but label has {_c.Format(labels)}");
        }
        var rest = labels[..^1];
        Pop([.. rest, from]);
        Push(rest);
        Push(fail ? to : difference);
    }

    private void MemoryAccess(Instruction instruction, OpcodeInfo info)
    {
        if (!InstructionSignatures.TryGetMemoryAccess(instruction.Opcode, out var type, out var store))
        {
            throw _c.Error($"unsupported instruction {info.Name}");
        }
        var address = CheckMemArg(instruction.MemArg, info);
        if (store)
        {
            Pop([address, type]);
        }
        else
        {
            Pop(address);
            Push(type);
        }
    }

    /// <summary>An atomic access (threads): its alignment must be exactly natural, its types come from the table.</summary>
    private void AtomicAccess(Instruction instruction, OpcodeInfo info)
    {
        if (!InstructionSignatures.TryGetAddressed(instruction.Opcode, out var signature))
        {
            throw _c.Error($"unsupported instruction {info.Name}");
        }
        var address = CheckMemArg(instruction.MemArg, info);
        if (instruction.MemArg.AlignExponent != info.NaturalAlignment)
        {
            throw _c.Error("atomic alignment must be natural");
        }
        Pop([address, .. signature.Parameters]);
        Push(signature.Results);
    }

    private void LaneAccess(Instruction instruction, OpcodeInfo info)
    {
        var address = CheckMemArg(instruction.MemArg, info);
        if (instruction.LaneIndex >= 16 >> info.NaturalAlignment)
        {
            throw _c.Error("invalid lane index");
        }
        Pop([address, ValType.V128]);
        if (instruction.Opcode <= Opcode.V128Load64Lane)
        {
            Push(ValType.V128);
        }
    }

    /// <summary>Checks a memory argument (memory, alignment, offset) and returns the memory's address type.</summary>
    private ValType CheckMemArg(MemArg arg, OpcodeInfo info)
    {
        var memory = _c.Memory(arg.Memory);
        if (arg.AlignExponent > info.NaturalAlignment)
        {
            throw _c.Error("alignment must not be larger than natural");
        }
        if (memory.Limits.AddressType == AddressType.I32 && arg.Offset > uint.MaxValue)
        {
            throw _c.Error("offset out of range");
        }
        return memory.Limits.AddressValueType;
    }

    // ---- GC aggregates ------------------------------------------------------------------------------------

    private ValType RefTo(uint typeIndex, bool nullable) => ValType.Ref(_c.Type(typeIndex).HeapType, nullable);

    private void Aggregate(Instruction instruction)
    {
        var opcode = instruction.Opcode;
        var x = instruction.Index;
        switch (opcode)
        {
            case Opcode.StructNew:
            {
                var fields = _c.StructType(x).Fields;
                Pop(fields.Select(f => f.Storage.Unpacked).ToArray());
                Push(RefTo(x, false));
                return;
            }
            case Opcode.StructNewDefault:
            {
                var fields = _c.StructType(x).Fields;
                if (fields.Any(f => !f.Storage.Unpacked.IsDefaultable))
                {
                    throw _c.Error("field type is not defaultable");
                }
                Push(RefTo(x, false));
                return;
            }
            case Opcode.StructGet:
            case Opcode.StructGetS:
            case Opcode.StructGetU:
            {
                var field = Field(x, instruction.SecondIndex);
                if ((opcode != Opcode.StructGet) != field.Storage.IsPacked)
                {
                    throw _c.Error(opcode == Opcode.StructGet ? "field is packed" : "field is unpacked");
                }
                Pop(RefTo(x, true));
                Push(field.Storage.Unpacked);
                return;
            }
            case Opcode.StructSet:
            {
                var field = Field(x, instruction.SecondIndex);
                if (!field.Mutable)
                {
                    throw _c.Error("immutable field");
                }
                Pop([RefTo(x, true), field.Storage.Unpacked]);
                return;
            }
            case Opcode.ArrayNew:
            {
                var element = _c.ArrayType(x).Element;
                Pop([element.Storage.Unpacked, ValType.I32]);
                Push(RefTo(x, false));
                return;
            }
            case Opcode.ArrayNewDefault:
            {
                var element = _c.ArrayType(x).Element;
                if (!element.Storage.Unpacked.IsDefaultable)
                {
                    throw _c.Error("array type is not defaultable");
                }
                Pop(ValType.I32);
                Push(RefTo(x, false));
                return;
            }
            case Opcode.ArrayNewFixed:
            {
                ModuleLimits.Check("too many array.new_fixed operands", instruction.SecondIndex, _c.Limits.ArrayNewFixedOperands, nameof(ModuleLimits.ArrayNewFixedOperands), _c.Location);
                var element = _c.ArrayType(x).Element.Storage.Unpacked;
                PopRepeated(element, instruction.SecondIndex);
                Push(RefTo(x, false));
                return;
            }
            case Opcode.ArrayNewData:
            {
                var element = _c.ArrayType(x).Element;
                _c.Data(instruction.SecondIndex);
                RequireNumericOrVector(element);
                Pop(s_i32x2);
                Push(RefTo(x, false));
                return;
            }
            case Opcode.ArrayNewElem:
            {
                var element = _c.ArrayType(x).Element;
                CheckElementForArray(_c.Element(instruction.SecondIndex), element);
                Pop(s_i32x2);
                Push(RefTo(x, false));
                return;
            }
            case Opcode.ArrayGet:
            case Opcode.ArrayGetS:
            case Opcode.ArrayGetU:
            {
                var element = _c.ArrayType(x).Element;
                if ((opcode != Opcode.ArrayGet) != element.Storage.IsPacked)
                {
                    throw _c.Error(opcode == Opcode.ArrayGet ? "array is packed" : "array is unpacked");
                }
                Pop([RefTo(x, true), ValType.I32]);
                Push(element.Storage.Unpacked);
                return;
            }
            case Opcode.ArraySet:
            {
                var element = MutableArray(x);
                Pop([RefTo(x, true), ValType.I32, element.Storage.Unpacked]);
                return;
            }
            case Opcode.ArrayLen:
                Pop(ValType.ArrayRef);
                Push(ValType.I32);
                return;
            case Opcode.ArrayFill:
            {
                var element = MutableArray(x);
                Pop([RefTo(x, true), ValType.I32, element.Storage.Unpacked, ValType.I32]);
                return;
            }
            case Opcode.ArrayCopy:
            {
                var destination = MutableArray(x);
                var source = _c.ArrayType(instruction.SecondIndex).Element;
                if (!Subtyping.Matches(source.Storage, destination.Storage))
                {
                    throw _c.Error("array types do not match");
                }
                Pop([RefTo(x, true), ValType.I32, RefTo(instruction.SecondIndex, true), ValType.I32, ValType.I32]);
                return;
            }
            case Opcode.ArrayInitData:
            {
                var element = MutableArray(x);
                _c.Data(instruction.SecondIndex);
                RequireNumericOrVector(element);
                Pop([RefTo(x, true), ValType.I32, ValType.I32, ValType.I32]);
                return;
            }
            case Opcode.ArrayInitElem:
            {
                var element = MutableArray(x);
                CheckElementForArray(_c.Element(instruction.SecondIndex), element);
                Pop([RefTo(x, true), ValType.I32, ValType.I32, ValType.I32]);
                return;
            }
            default:
                throw _c.Error($"unsupported instruction {opcode.Name()}");
        }
    }

    private FieldType Field(uint typeIndex, uint fieldIndex)
    {
        var fields = _c.StructType(typeIndex).Fields;
        return fieldIndex < (uint)fields.Count ? fields[(int)fieldIndex] : throw _c.Error($"unknown field {fieldIndex}");
    }

    private FieldType MutableArray(uint typeIndex)
    {
        var element = _c.ArrayType(typeIndex).Element;
        return element.Mutable ? element : throw _c.Error("immutable array");
    }

    private void RequireNumericOrVector(FieldType element)
    {
        var type = element.Storage.Unpacked;
        if (!type.IsNumber && type.Kind != ValueKind.V128)
        {
            throw _c.Error("array type is not numeric or vector");
        }
    }

    private void CheckElementForArray(ValType segment, FieldType element)
    {
        if (!Subtyping.Matches(segment, element.Storage.Unpacked))
        {
            throw _c.Error($"type mismatch: element segment's type {_c.Format(segment)} does not match array's field type {_c.Format(element)}");
        }
    }

    /// <summary>Pops <paramref name="count"/> operands of one type (<c>array.new_fixed</c>) without building a list of them.</summary>
    private void PopRepeated(ValType type, uint count)
    {
        if (count <= 4096)
        {
            var expected = new ValType[count];
            Array.Fill(expected, type);
            Pop(expected);
            return;
        }
        var frame = Top;
        var available = _vals.Count - frame.Height;
        if (available < count && !frame.Unreachable)
        {
            throw _c.Error($"type mismatch: instruction requires {count} operands of type {_c.Format(type)} but stack has {available}");
        }
        var n = (int)Math.Min(count, (uint)available);
        for (var i = _vals.Count - n; i < _vals.Count; i++)
        {
            if (!Subtyping.Matches(_vals[i], type))
            {
                throw _c.Error($"type mismatch: instruction requires {_c.Format(type)} but stack has {_c.Format(_vals[i])}");
            }
        }
        _vals.RemoveRange(_vals.Count - n, n);
    }
}
