using WasmHarness.Syntax;
using WasmHarness.Validation;

namespace WasmHarness.Generator;

/// <summary>Generates one function body, tracking the operand stack and the control stack as the validator does.</summary>
internal sealed class FunctionBuilder
{
    private enum Move
    {
        Push, Op, LocalSet, LocalTee, GlobalSet, Drop, Select, Load, Store, Block, Loop, If, Else, End, Br, BrIf, BrTable,
        Return, Call, CallIndirect, MemorySize, MemoryGrow, MemoryFill, MemoryCopy, MemoryInit, DataDrop, TableGet, TableSet,
        TableSize, TableGrow, TableFill, TableCopy, RefNull, RefFunc, RefIsNull, Shuffle, Unreachable, Mask,
        ReturnCall, ReturnCallIndirect, CallRef, ReturnCallRef, BrOnNull, RefAsNonNull, Throw, TryTable, ThrowRef,
        StructNew, StructGet, StructSet, ArrayNew, ArrayGet, ArraySet, ArrayLen, RefI31, I31Get, RefTest, RefCast, BrOnCast, RefEq,
        Atomic, AtomicFence, GcTableGet, GcTableSet, GcTableSize, GcTableGrow, GcTableFill,
    }

    private sealed class Frame
    {
        public Opcode Kind;
        public ValType[] Params = [];
        public ValType[] Results = [];
        public int Height;
        public bool Unreachable;
        public bool HasElse;

        public ValType[] LabelTypes => Kind == Opcode.Loop ? Params : Results;
    }

    private readonly ModuleGenerator.ModuleBuilder _m;
    private readonly Unstructured _u;
    private readonly GeneratorConfig _config;
    private readonly int _index;
    private readonly FunctionType _type;
    private readonly List<ValType> _locals = [];
    private readonly int _userLocals;

    /// <summary>
    /// The types of locals and block results: the module's value types, and <c>exnref</c> with exception handling.
    /// An exnref lives only inside a function (caught by <c>catch_ref</c>, rethrown by <c>throw_ref</c>): it is never a
    /// parameter, result or global, so the interface stays what every engine can pass.
    /// </summary>
    private readonly List<ValType> _innerTypes;
    private readonly Dictionary<ValueKind, uint> _scratch = [];

    /// <summary>Per float kind, two locals that hold an operation's operands while its NaN result is checked (<see cref="FoldNanOriginFlag"/>), declared on first use.</summary>
    private readonly Dictionary<ValueKind, uint[]> _nanInputs = [];
    private readonly List<Instruction> _code = [];
    private readonly List<ValType> _stack = [];
    private readonly List<Frame> _frames = [];
    private readonly List<Move> _moves = [];
    private readonly uint _extraI32;
    private readonly uint _extraI64;
    private readonly uint _eqScratch; // an eqref local (GC): the last reference ref.eq saved, to compare later ones with

    public FunctionBuilder(ModuleGenerator.ModuleBuilder module, int index)
    {
        _m = module;
        _u = module.U;
        _config = module.Config;
        _index = index;
        _type = module.FunctionType(index);
        _locals.AddRange(_type.Parameters);
        _innerTypes = _config.Exceptions ? [.. _m.ValueTypes, ValType.ExnRef] : _m.ValueTypes;
        var declared = _u.Int(_config.MaxLocals + 1);
        for (var i = 0; i < declared; i++)
        {
            _locals.Add(_u.Choose(_innerTypes));
        }
        _userLocals = _locals.Count;
        foreach (var type in _m.ValueTypes.Where(t => !t.IsReference))
        {
            _scratch[type.Kind] = (uint)_locals.Count;
            _locals.Add(type);
        }
        if (_m.MemoryIs64.Contains(true))
        {
            // Second scratch locals, for reordering the operands of bulk memory instructions into 64-bit addresses.
            _extraI32 = (uint)_locals.Count;
            _locals.Add(ValType.I32);
            _extraI64 = (uint)_locals.Count;
            _locals.Add(ValType.I64);
        }
        if (_config.Gc)
        {
            _eqScratch = (uint)_locals.Count;
            _locals.Add(ValType.EqRef);
        }
    }

    private Frame Top => _frames[^1];

    private int Available => _stack.Count - Top.Height;

    public Function Build()
    {
        _frames.Add(new Frame { Kind = Opcode.Block, Results = [.. _type.Results], Height = 0 });
        EmitFuelCheck();
        var budget = _config.MaxInstructions;
        while (budget-- > 0 && !_u.IsEmpty && _frames.Count > 0)
        {
            if (Top.Unreachable)
            {
                CloseFrame();
                continue;
            }
            Step();
        }
        while (_frames.Count > 0)
        {
            CloseFrame();
        }
        var declared = _locals.Skip(_type.Parameters.Count).Select(t => new LocalGroup(1, t)).ToList();
        return new Function(_m.FunctionTypes[_index], declared, new Expression(_code));
    }

    // ---- Emission helpers ----------------------------------------------------------------------------------

    private void Emit(Instruction instruction) => _code.Add(instruction);

    private void Emit(Opcode opcode) => _code.Add(Instruction.Simple(opcode));

    private void Pop(int count) => _stack.RemoveRange(_stack.Count - count, count);

    private void Push(ValType type) => _stack.Add(type);

    private bool Suffix(IReadOnlyList<ValType> types, int skip = 0)
    {
        var count = types.Count;
        if (Available - skip < count)
        {
            return false;
        }
        var start = _stack.Count - skip - count;
        for (var i = 0; i < count; i++)
        {
            if (_stack[start + i] != types[i])
            {
                return false;
            }
        }
        return true;
    }

    private ValType? TopType(int depth = 0) => Available > depth ? _stack[_stack.Count - 1 - depth] : null;

    private void MarkUnreachable()
    {
        _stack.RemoveRange(Top.Height, _stack.Count - Top.Height);
        Top.Unreachable = true;
    }

    private void EmitFuelCheck()
    {
        Emit(Instruction.WithIndex(Opcode.GlobalGet, _m.FuelGlobal));
        Emit(Opcode.I32Eqz);
        Emit(Instruction.Block(Opcode.If, BlockType.Empty));
        // Out of fuel: return fixed values (rather than trap, so the call's effects stay observable). Every
        // function entry and loop header then returns at once, so execution ends.
        foreach (var result in _type.Results)
        {
            Emit(FuelResult(result));
        }
        Emit(Opcode.Return);
        Emit(Opcode.End);
        Emit(Instruction.WithIndex(Opcode.GlobalGet, _m.FuelGlobal));
        Emit(Instruction.I32Const(1));
        Emit(Opcode.I32Sub);
        Emit(Instruction.WithIndex(Opcode.GlobalSet, _m.FuelGlobal));
    }

    /// <summary>
    /// True when the instruction at <paramref name="i"/> of <paramref name="body"/>, one that may make a nondeterministic
    /// NaN (<see cref="OpcodeEntry.Nan"/>), has its canonicalization (<see cref="Canonicalize"/>) intact: its result
    /// teed into a scratch local, and before the next such instruction, the select of the canonical NaN by that local
    /// (<c>const; local.get s; local.get s; eq; select</c>) that makes it deterministic. What lies between (the sink
    /// folds) may be gone.
    /// </summary>
    internal static bool IsCanonicalizedAt(IReadOnlyList<Instruction> body, int i)
    {
        if (i + 1 >= body.Count || body[i + 1].Opcode != Opcode.LocalTee)
        {
            return false;
        }
        var scratch = body[i + 1].Index;
        for (var q = i + 2; q + 4 < body.Count && OpcodeCatalog.NanShapeOf(body[q].Opcode) == NanShape.None; q++)
        {
            if (body[q].Info.Immediates is ImmediateKind.F32 or ImmediateKind.F64 or ImmediateKind.V128
                && body[q + 1] == Instruction.WithIndex(Opcode.LocalGet, scratch) && body[q + 2] == Instruction.WithIndex(Opcode.LocalGet, scratch)
                && body[q + 3].Opcode is Opcode.F32Eq or Opcode.F64Eq or Opcode.F32x4Eq or Opcode.F64x2Eq
                && body[q + 4].Opcode is Opcode.Select or Opcode.V128Bitselect)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>True when the fuel check <see cref="EmitFuelCheck"/> emits starts at instruction <paramref name="i"/> of <paramref name="body"/>, intact.</summary>
    internal static bool IsFuelCheckAt(IReadOnlyList<Instruction> body, int i, uint fuel)
    {
        bool Is(int at, Opcode opcode) => at < body.Count && body[at].Opcode == opcode;
        if (!(Is(i, Opcode.GlobalGet) && body[i].Index == fuel && Is(i + 1, Opcode.I32Eqz) && Is(i + 2, Opcode.If)))
        {
            return false;
        }
        // The if's end (blocks inside it are only constants and return, but count depth anyway).
        var depth = 0;
        var end = i + 3;
        for (; end < body.Count; end++)
        {
            if (body[end].Opcode is Opcode.Block or Opcode.Loop or Opcode.If or Opcode.TryTable or Opcode.Try)
            {
                depth++;
            }
            else if (body[end].Opcode == Opcode.End && depth-- == 0)
            {
                break;
            }
        }
        return Is(end - 1, Opcode.Return) && Is(end + 1, Opcode.GlobalGet) && body[end + 1].Index == fuel
            && Is(end + 2, Opcode.I32Const) && body[end + 2].I32 == 1 && Is(end + 3, Opcode.I32Sub)
            && Is(end + 4, Opcode.GlobalSet) && body[end + 4].Index == fuel;
    }

    private static Instruction FuelResult(ValType type) => type.Kind switch
    {
        ValueKind.I32 => Instruction.I32Const(-7),
        ValueKind.I64 => Instruction.I64Const(-7),
        ValueKind.F32 => Instruction.F32Const(0xC0E00000),
        ValueKind.F64 => Instruction.F64Const(0xC01C000000000000),
        ValueKind.V128 => Instruction.V128Const(new V128(7, 7)),
        _ => Instruction.WithHeapType(Opcode.RefNull, type.Heap),
    };

    /// <summary>Emits a fixed-signature instruction, then (if it may produce a nondeterministic NaN) its canonicalization.</summary>
    private void EmitFixed(OpcodeEntry entry, byte lane = 0)
    {
        // Half of the scalar float operations that may make a NaN keep their operands in locals, so that the NaN
        // they make can be checked against them before it is canonicalized (FoldNanOriginFlag).
        var inputs = _config.CanonicalizeNans && entry.Nan is NanShape.F32 or NanShape.F64 && entry.Parameters.Length <= 2
            && entry.Parameters.All(p => p.Kind is ValueKind.F32 or ValueKind.F64) && _u.Bool()
            ? SpillOperands(entry.Parameters)
            : null;
        Emit(entry.LaneCount > 0 ? Instruction.Lane(entry.Opcode, lane) : Instruction.Simple(entry.Opcode));
        Pop(entry.Parameters.Length);
        foreach (var result in entry.Results)
        {
            Push(result);
        }
        if (_config.CanonicalizeNans && entry.Nan != NanShape.None)
        {
            Canonicalize(entry.Nan, inputs);
        }
        if (entry.Results.Length == 1 && _u.Int(4) == 0)
        {
            ObserveTop();
        }
    }

    /// <summary>
    /// Folds a copy of the value on top of the stack (a number or vector, deterministic: NaNs canonicalized already)
    /// into the sink, leaving the stack as it was. Results the rest of the code would fold away (a low bit shifted
    /// out, a float compared, a load masked into an address) are then seen: the observability census measured
    /// memory loads observed in 45% of the cases that ran one, float operations in 55%, vector ones in 58%.
    /// </summary>
    private void ObserveTop()
    {
        var type = _stack[^1];
        if (!_scratch.TryGetValue(type.Kind, out var scratch))
        {
            return; // a reference: compared by the oracle where it lands, not folded
        }
        Emit(Instruction.WithIndex(Opcode.LocalTee, scratch));
        Emit(Instruction.WithIndex(Opcode.LocalGet, scratch));
        switch (type.Kind)
        {
            case ValueKind.I32:
                Emit(Opcode.I64ExtendI32U);
                break;
            case ValueKind.F32:
                Emit(Opcode.I32ReinterpretF32);
                Emit(Opcode.I64ExtendI32U);
                break;
            case ValueKind.F64:
                Emit(Opcode.I64ReinterpretF64);
                break;
            case ValueKind.V128:
                Emit(Instruction.Lane(Opcode.I64x2ExtractLane, 0));
                Emit(Instruction.WithIndex(Opcode.LocalGet, scratch));
                Emit(Instruction.Lane(Opcode.I64x2ExtractLane, 1));
                Emit(Opcode.I64Xor);
                break;
        }
        Sink();
    }

    /// <summary>Copies the operands on top of the stack into <see cref="_nanInputs"/> locals, leaving the stack as it was; returns them with their types.</summary>
    private (uint Local, ValType Type)[] SpillOperands(ValType[] types)
    {
        var spilled = new (uint, ValType)[types.Length];
        for (var i = types.Length - 1; i >= 0; i--)
        {
            if (!_nanInputs.TryGetValue(types[i].Kind, out var locals))
            {
                // Declared on first use: a function that never checks a NaN's origin keeps its locals (and RyuJIT's work) as before.
                _nanInputs[types[i].Kind] = locals = [(uint)_locals.Count, (uint)_locals.Count + 1];
                _locals.AddRange([types[i], types[i]]);
            }
            spilled[i] = (locals[i], types[i]);
            Emit(Instruction.WithIndex(Opcode.LocalSet, spilled[i].Item1));
        }
        foreach (var (local, _) in spilled)
        {
            Emit(Instruction.WithIndex(Opcode.LocalGet, local));
        }
        return spilled;
    }

    private void EmitFixed(Opcode opcode, byte lane = 0) => EmitFixed(s_byOpcode[opcode], lane);

    private static readonly Dictionary<Opcode, OpcodeEntry> s_byOpcode = OpcodeCatalog.Fixed.ToDictionary(e => e.Opcode);

    /// <summary>
    /// Replaces a NaN on top of the stack by the canonical NaN (lane-wise for vectors): x == x ? x : nan. With the
    /// operation's <paramref name="inputs"/>, first checks where the NaN came from (<see cref="FoldNanOriginFlag"/>).
    /// </summary>
    private void Canonicalize(NanShape shape, (uint Local, ValType Type)[]? inputs = null)
    {
        var (kind, nan, eq) = shape switch
        {
            NanShape.F32 => (ValueKind.F32, Instruction.F32Const(0x7FC00000), Opcode.F32Eq),
            NanShape.F64 => (ValueKind.F64, Instruction.F64Const(0x7FF8000000000000), Opcode.F64Eq),
            NanShape.F32x4 => (ValueKind.V128, Instruction.V128Const(new V128(0x7FC000007FC00000, 0x7FC000007FC00000)), Opcode.F32x4Eq),
            _ => (ValueKind.V128, Instruction.V128Const(new V128(0x7FF8000000000000, 0x7FF8000000000000)), Opcode.F64x2Eq),
        };
        var scratch = _scratch[kind];
        Emit(Instruction.WithIndex(Opcode.LocalTee, scratch));
        if (kind != ValueKind.V128)
        {
            FoldSignalingNanFlag(kind, scratch);
            if (inputs is not null)
            {
                FoldNanOriginFlag(kind, scratch, inputs);
            }
        }
        Emit(nan);
        Emit(Instruction.WithIndex(Opcode.LocalGet, scratch));
        Emit(Instruction.WithIndex(Opcode.LocalGet, scratch));
        Emit(eq);
        Emit(kind == ValueKind.V128 ? Opcode.V128Bitselect : Opcode.Select);
    }

    /// <summary>
    /// Before a NaN is canonicalized (which erases its bits), folds into the sink whether it is a signalling NaN: the
    /// spec lets an arithmetic instruction return any canonical or arithmetic NaN (quiet bit set), never a signalling
    /// one, so an engine that returns one (a NaN passed through unquieted) diverges in the sink.
    /// </summary>
    private void FoldSignalingNanFlag(ValueKind kind, uint scratch)
    {
        var wide = kind == ValueKind.F64;
        Instruction Mask(ulong bits) => wide ? Instruction.I64Const((long)bits) : Instruction.I32Const((int)(uint)bits);
        var (reinterpret, and, eq, ne) = wide
            ? (Opcode.I64ReinterpretF64, Opcode.I64And, Opcode.I64Eq, Opcode.I64Ne)
            : (Opcode.I32ReinterpretF32, Opcode.I32And, Opcode.I32Eq, Opcode.I32Ne);
        // Exponent all ones with the quiet bit clear ...
        Emit(Instruction.WithIndex(Opcode.LocalGet, scratch));
        Emit(reinterpret);
        Emit(Mask(wide ? 0x7FF8_0000_0000_0000UL : 0x7FC0_0000UL));
        Emit(and);
        Emit(Mask(wide ? 0x7FF0_0000_0000_0000UL : 0x7F80_0000UL));
        Emit(eq);
        // ... and a nonzero payload below it.
        Emit(Instruction.WithIndex(Opcode.LocalGet, scratch));
        Emit(reinterpret);
        Emit(Mask(wide ? 0x0007_FFFF_FFFF_FFFFUL : 0x003F_FFFFUL));
        Emit(and);
        Emit(Mask(0));
        Emit(ne);
        Emit(Opcode.I32And);
        Emit(Opcode.I64ExtendI32U);
        Sink();
    }

    /// <summary>
    /// The spec's other NaN rule, which canonicalization would erase: an operation whose NaN operands are all
    /// canonical (or that has none) must return a canonical NaN (any sign); only a non-canonical NaN operand lets it
    /// return another arithmetic NaN. Folds into the sink whether the result in <paramref name="scratch"/> is a
    /// non-canonical NaN although no operand in <paramref name="inputs"/> is one: an engine that invents payload bits
    /// (a conversion that keeps garbage, a min that returns a NaN it built) diverges.
    /// </summary>
    private void FoldNanOriginFlag(ValueKind kind, uint scratch, (uint Local, ValType Type)[] inputs)
    {
        NonCanonicalNan(kind, scratch);
        foreach (var (local, type) in inputs)
        {
            NonCanonicalNan(type.Kind, local);
            Emit(Opcode.I32Eqz);
            Emit(Opcode.I32And);
        }
        Emit(Opcode.I64ExtendI32U);
        Sink();
    }

    /// <summary>Pushes whether float local <paramref name="local"/> holds a NaN other than the canonical ones (i32).</summary>
    private void NonCanonicalNan(ValueKind kind, uint local)
    {
        var wide = kind == ValueKind.F64;
        Emit(Instruction.WithIndex(Opcode.LocalGet, local));
        Emit(Instruction.WithIndex(Opcode.LocalGet, local));
        Emit(wide ? Opcode.F64Ne : Opcode.F32Ne); // a NaN ...
        Emit(Instruction.WithIndex(Opcode.LocalGet, local));
        Emit(wide ? Opcode.I64ReinterpretF64 : Opcode.I32ReinterpretF32);
        // ... whose bits, sign aside, are not the canonical NaN's.
        Emit(wide ? Instruction.I64Const(0x7FFF_FFFF_FFFF_FFFF) : Instruction.I32Const(0x7FFF_FFFF));
        Emit(wide ? Opcode.I64And : Opcode.I32And);
        Emit(wide ? Instruction.I64Const(0x7FF8_0000_0000_0000) : Instruction.I32Const(0x7FC0_0000));
        Emit(wide ? Opcode.I64Ne : Opcode.I32Ne);
        Emit(Opcode.I32And);
    }

    /// <summary>Pushes a value of <paramref name="type"/>: a local or global of that type when there is one, else a constant.</summary>
    private void PushOperand(ValType type)
    {
        var locals = UserLocalsOf(type).ToList();
        if (locals.Count > 0 && type.Kind != ValueKind.V128 && _u.Int(3) == 0)
        {
            Emit(Instruction.WithIndex(Opcode.LocalGet, _u.Choose(locals)));
            Push(type);
            return;
        }
        PushConstant(type);
    }

    /// <summary>Pushes the i32 constant <paramref name="value"/> (an index or a count the move chose).</summary>
    private void PushI32(int value)
    {
        Emit(Instruction.I32Const(value));
        Push(ValType.I32);
    }

    private void PushConstant(ValType type)
    {
        if (type.IsReference && Subtyping.TopOf(type.Heap.IsConcrete ? HeapType.Any : type.Heap) == HeapType.Any && _u.Int(3) != 0)
        {
            PushGcObject(type);
            return;
        }
        Emit(_m.Constant(type));
        Push(type);
    }

    /// <summary>
    /// A new GC object where a reference of <paramref name="type"/> (of the <c>any</c> hierarchy, concrete types
    /// being the module's GC types) is wanted: a struct, an array or an i31, whichever the type admits. Tracked as
    /// <paramref name="type"/> itself (subsumption: the object's own type is a subtype).
    /// </summary>
    private void PushGcObject(ValType type)
    {
        const uint structType = ModuleGenerator.ModuleBuilder.Struct, array = ModuleGenerator.ModuleBuilder.Array;
        var heap = type.Heap;
        var kind = heap == HeapType.Concrete(structType) || heap == HeapType.Struct ? 0
            : heap == HeapType.Concrete(array) || heap == HeapType.Array ? 1
            : heap == HeapType.I31 ? 2
            : heap == HeapType.None ? 3
            : _u.Int(3); // any, eq: any of the three
        switch (kind)
        {
            case 0:
                Emit(_m.Constant(ValType.I32));
                Emit(_m.Constant(ValType.I64));
                Emit(Instruction.WithIndex(Opcode.StructNew, structType));
                break;
            case 1:
                Emit(Instruction.I32Const(_u.Int(4)));
                Emit(Instruction.WithIndex(Opcode.ArrayNewDefault, array));
                break;
            case 2:
                Emit(_m.Constant(ValType.I32));
                Emit(Opcode.RefI31);
                break;
            default:
                Emit(Instruction.WithHeapType(Opcode.RefNull, heap));
                break;
        }
        Push(type);
    }

    /// <summary>
    /// Whether a value of type <paramref name="from"/> may stand where <paramref name="to"/> is wanted: the same type,
    /// or a reference subtype (the module's GC types are a struct, its subtype and an array; function types are
    /// below <c>func</c>; the abstract hierarchy is the validator's).
    /// </summary>
    private bool Fits(ValType from, ValType to)
    {
        if (from == to)
        {
            return true;
        }
        if (!from.IsReference || !to.IsReference || (from.Nullable && !to.Nullable))
        {
            return false;
        }
        var (sub, super) = (from.Heap, to.Heap);
        if (sub.IsConcrete)
        {
            if (super.IsConcrete)
            {
                return sub == super || (sub.TypeIndex == ModuleGenerator.ModuleBuilder.SubStruct && super.TypeIndex == ModuleGenerator.ModuleBuilder.Struct);
            }
            sub = sub.TypeIndex >= _m.GcTypes.Count ? HeapType.Func
                : sub.TypeIndex == ModuleGenerator.ModuleBuilder.Array ? HeapType.Array
                : HeapType.Struct;
        }
        return super.IsAbstract && Subtyping.Matches(sub, super);
    }

    /// <summary>Converts the value on top of the stack from its type to <paramref name="to"/>, keeping some of its bits.</summary>
    private void Convert(ValType to)
    {
        var from = _stack[^1];
        if (Fits(from, to))
        {
            _stack[^1] = to; // tracked as the wanted supertype from here on
            return;
        }
        if (to.IsReference)
        {
            Discard();
            PushConstant(to);
            return;
        }
        switch (from.Kind, to.Kind)
        {
            case (ValueKind.I64, ValueKind.F64):
                EmitFixed(Opcode.F64ReinterpretI64);
                return;
            case (ValueKind.F64, ValueKind.I64):
                EmitFixed(Opcode.I64ReinterpretF64);
                return;
        }
        // Everything else goes through i32, folding wider values so that every bit still matters.
        switch (from.Kind)
        {
            case ValueKind.Ref:
                Emit(Opcode.RefIsNull);
                Pop(1);
                Push(ValType.I32);
                break;
            case ValueKind.I64:
                FoldI64ToI32();
                break;
            case ValueKind.F32:
                EmitFixed(Opcode.I32ReinterpretF32);
                break;
            case ValueKind.F64:
                EmitFixed(Opcode.I64ReinterpretF64);
                FoldI64ToI32();
                break;
            case ValueKind.V128:
            {
                var scratch = _scratch[ValueKind.V128];
                Emit(Instruction.WithIndex(Opcode.LocalTee, scratch));
                EmitFixed(Opcode.I64x2ExtractLane, 0);
                Emit(Instruction.WithIndex(Opcode.LocalGet, scratch));
                Push(ValType.V128);
                EmitFixed(Opcode.I64x2ExtractLane, 1);
                EmitFixed(Opcode.I64Xor);
                FoldI64ToI32();
                break;
            }
        }
        switch (to.Kind)
        {
            case ValueKind.I64:
                EmitFixed(Opcode.I64ExtendI32U);
                break;
            case ValueKind.F32:
                EmitFixed(Opcode.F32ConvertI32S);
                break;
            case ValueKind.F64:
                EmitFixed(Opcode.F64ConvertI32S);
                break;
            case ValueKind.V128:
                EmitFixed(Opcode.I32x4Splat);
                break;
        }
    }

    /// <summary>i64 → i32 keeping both halves: (x >> 32) ^ x, wrapped.</summary>
    private void FoldI64ToI32()
    {
        var scratch = _scratch[ValueKind.I64];
        Emit(Instruction.WithIndex(Opcode.LocalTee, scratch));
        Emit(Instruction.I64Const(32));
        Emit(Opcode.I64ShrU);
        Emit(Instruction.WithIndex(Opcode.LocalGet, scratch));
        Emit(Opcode.I64Xor);
        EmitFixed(Opcode.I32WrapI64);
    }

    /// <summary>
    /// Discards the value on top of the stack, folding a number into the sink global first (<see
    /// cref="ModuleGenerator.ModuleBuilder.SinkGlobal"/>: sink = rotl(sink, 5) xor value, floats by their bits, vectors by both
    /// halves), so a result the code does not otherwise use still reaches compared state. Float bits are only folded
    /// when NaNs are canonicalized (otherwise a NaN's payload may rightly differ between engines); references are dropped.
    /// </summary>
    private void Discard()
    {
        var type = _stack[^1];
        var canonical = _config.CanonicalizeNans;
        switch (type.Kind)
        {
            case ValueKind.I32:
                Emit(Opcode.I64ExtendI32U);
                Sink();
                break;
            case ValueKind.I64:
                Sink();
                break;
            case ValueKind.F32 when canonical:
                Emit(Opcode.I32ReinterpretF32);
                Emit(Opcode.I64ExtendI32U);
                Sink();
                break;
            case ValueKind.F64 when canonical:
                Emit(Opcode.I64ReinterpretF64);
                Sink();
                break;
            case ValueKind.V128 when canonical:
                var scratch = _scratch[ValueKind.V128];
                Emit(Instruction.WithIndex(Opcode.LocalTee, scratch));
                Emit(Instruction.Lane(Opcode.I64x2ExtractLane, 0));
                Sink();
                Emit(Instruction.WithIndex(Opcode.LocalGet, scratch));
                Emit(Instruction.Lane(Opcode.I64x2ExtractLane, 1));
                Sink();
                break;
            default:
                Emit(Opcode.Drop);
                break;
        }
        Pop(1);
    }

    /// <summary>Folds the i64 on top of the (emitted) stack into the sink.</summary>
    private void Sink()
    {
        Emit(Instruction.WithIndex(Opcode.GlobalGet, _m.SinkGlobal));
        Emit(Instruction.I64Const(5));
        Emit(Opcode.I64Rotl);
        Emit(Opcode.I64Xor);
        Emit(Instruction.WithIndex(Opcode.GlobalSet, _m.SinkGlobal));
    }

    /// <summary>Folds the two values on top of the stack into one of the lower one's type, losslessly mixing their bits (xor).</summary>
    private void FoldTop()
    {
        var below = _stack[^2];
        switch (below.Kind)
        {
            case ValueKind.Ref:
                Discard();
                return;
            case ValueKind.F32:
            {
                // f32.reinterpret(i32.reinterpret(a) ^ b'), with b' = b as i32 kept in a scratch local.
                Convert(ValType.I32);
                Emit(Instruction.WithIndex(Opcode.LocalSet, _scratch[ValueKind.I32]));
                Pop(1);
                EmitFixed(Opcode.I32ReinterpretF32);
                Emit(Instruction.WithIndex(Opcode.LocalGet, _scratch[ValueKind.I32]));
                Push(ValType.I32);
                EmitFixed(Opcode.I32Xor);
                EmitFixed(Opcode.F32ReinterpretI32);
                return;
            }
            case ValueKind.F64:
            {
                Convert(ValType.I64);
                Emit(Instruction.WithIndex(Opcode.LocalSet, _scratch[ValueKind.I64]));
                Pop(1);
                EmitFixed(Opcode.I64ReinterpretF64);
                Emit(Instruction.WithIndex(Opcode.LocalGet, _scratch[ValueKind.I64]));
                Push(ValType.I64);
                EmitFixed(Opcode.I64Xor);
                EmitFixed(Opcode.F64ReinterpretI64);
                return;
            }
        }
        Convert(below);
        EmitFixed(below.Kind switch
        {
            ValueKind.I32 => Opcode.I32Xor,
            ValueKind.I64 => Opcode.I64Xor,
            _ => Opcode.V128Xor,
        });
    }

    /// <summary>Makes the values above the current frame's base exactly <paramref name="target"/>, keeping data flow where it can.</summary>
    private void CoerceTo(IReadOnlyList<ValType> target)
    {
        var height = Top.Height;
        var n = target.Count;
        while (_stack.Count - height > n)
        {
            if (_stack.Count - height >= 2)
            {
                FoldTop();
            }
            else
            {
                Discard();
            }
        }
        var k = _stack.Count - height;
        for (var i = 0; i < k - 1; i++)
        {
            if (!Fits(_stack[height + i], target[i]))
            {
                while (_stack.Count - height > 1)
                {
                    FoldTop();
                }
                k = 1;
                break;
            }
        }
        if (k >= 1)
        {
            Convert(target[k - 1]);
        }
        for (var i = k; i < n; i++)
        {
            PushConstant(target[i]);
        }
    }

    private void CloseFrame()
    {
        var frame = Top;
        if (frame.Kind == Opcode.If && !frame.HasElse && !frame.Params.SequenceEqual(frame.Results))
        {
            if (!frame.Unreachable)
            {
                CoerceTo(frame.Results);
            }
            Emit(Opcode.Else);
            _stack.RemoveRange(frame.Height, _stack.Count - frame.Height);
            _stack.AddRange(frame.Params);
            frame.HasElse = true;
            frame.Unreachable = false;
        }
        if (!frame.Unreachable)
        {
            CoerceTo(frame.Results);
        }
        Emit(Opcode.End);
        _stack.RemoveRange(frame.Height, _stack.Count - frame.Height);
        _frames.RemoveAt(_frames.Count - 1);
        _stack.AddRange(frame.Results);
    }

    // ---- Choosing a move -----------------------------------------------------------------------------------

    private void Add(Move move, int weight = 1)
    {
        for (var i = 0; i < weight; i++)
        {
            _moves.Add(move);
        }
    }

    private bool Allows(InstructionClass kind) => _config.Allows(kind);

    private bool Traps => !_config.DisallowTraps && Allows(InstructionClass.Trapping);

    private void Step()
    {
        _moves.Clear();
        var top = TopType();
        var isI32 = top == ValType.I32;
        Add(Move.Push, 3);
        if (_m.Allowed.Count > 0)
        {
            Add(Move.Op, 8);
        }
        if (Allows(InstructionClass.Variable) && top is { } t)
        {
            if (UserLocalsOf(t).Any())
            {
                Add(Move.LocalSet);
                Add(Move.LocalTee);
            }
            if (MutableGlobalsOf(t).Any())
            {
                Add(Move.GlobalSet, 2);
            }
        }
        if (Allows(InstructionClass.Parametric))
        {
            if (Available > 0)
            {
                Add(Move.Drop);
            }
            if (isI32 && Available >= 3 && _stack[^2] == _stack[^3])
            {
                Add(Move.Select);
            }
        }
        if (isI32 && _m.HasMemory)
        {
            Add(Move.Mask);
        }
        if (_m.HasMemory && Allows(InstructionClass.Memory))
        {
            if (isI32)
            {
                Add(Move.Load, 2);
                Add(Move.MemoryGrow);
            }
            if (Available >= 2 && _stack[^2] == ValType.I32 && !top!.Value.IsReference && (top.Value.Kind != ValueKind.V128 || _config.Simd))
            {
                Add(Move.Store, 3);
            }
            Add(Move.MemorySize);
        }
        if (_config.Threads && _m.HasMemory && Allows(InstructionClass.Memory))
        {
            if (isI32)
            {
                Add(Move.Atomic, 3);
            }
            Add(Move.AtomicFence);
        }
        if (_m.HasMemory && Allows(InstructionClass.BulkMemory) && _config.BulkMemory && Traps && Suffix([ValType.I32, ValType.I32, ValType.I32]))
        {
            Add(Move.MemoryFill);
            Add(Move.MemoryCopy);
            if (_m.HasPassiveData)
            {
                Add(Move.MemoryInit);
            }
        }
        if (_m.HasPassiveData && Allows(InstructionClass.BulkMemory))
        {
            Add(Move.DataDrop);
        }
        if (Allows(InstructionClass.Control))
        {
            if (_frames.Count <= _config.MaxNesting)
            {
                Add(Move.Block);
                Add(Move.Loop);
                if (isI32)
                {
                    Add(Move.If, 2);
                }
            }
            if (Top.Kind == Opcode.If && !Top.HasElse && Suffix(Top.Results) && Available == Top.Results.Length)
            {
                Add(Move.Else, 3);
            }
            if (_frames.Count > 1)
            {
                Add(Move.End, 2);
            }
            if (Traps && _u.Int(4) == 0)
            {
                Add(Move.Unreachable);
            }
        }
        if (Allows(InstructionClass.Branch))
        {
            if (_u.Bool())
            {
                Add(Move.Br);
            }
            if (isI32)
            {
                Add(Move.BrIf, 2);
                Add(Move.BrTable);
            }
            if (Suffix(_type.Results) && _u.Bool())
            {
                Add(Move.Return);
            }
        }
        if (Allows(InstructionClass.Call))
        {
            Add(Move.Call, 2);
            if (isI32 && _m.HasTable && Traps)
            {
                Add(Move.CallIndirect, 2);
            }
            if (_config.TailCalls)
            {
                Add(Move.ReturnCall);
                if (isI32 && _m.HasTable && Traps)
                {
                    Add(Move.ReturnCallIndirect);
                }
                if (_config.FunctionReferences)
                {
                    Add(Move.ReturnCallRef);
                }
            }
            if (_config.FunctionReferences)
            {
                Add(Move.CallRef, 2);
            }
        }
        if (_config.FunctionReferences && Allows(InstructionClass.Reference) && top is { IsReference: true, Nullable: true })
        {
            if (Allows(InstructionClass.Branch))
            {
                Add(Move.BrOnNull, 2);
            }
            if (Traps)
            {
                Add(Move.RefAsNonNull);
            }
        }
        if (_config.Exceptions && Allows(InstructionClass.Control))
        {
            if (_frames.Count <= _config.MaxNesting)
            {
                Add(Move.TryTable, 2);
            }
            if (!_config.DisallowTraps && _m.Tags.Any(tag => Suffix(tag.Parameters)))
            {
                Add(Move.Throw);
            }
            if (!_config.DisallowTraps && top is { Kind: ValueKind.Ref } exception && exception.Heap == HeapType.Exn)
            {
                Add(Move.ThrowRef, 3); // rethrows what a catch_ref caught (a null one traps)
            }
        }
        if (_m.HasTable && Allows(InstructionClass.Table) && _config.ReferenceTypes)
        {
            Add(Move.TableSize);
            if (isI32 && Traps)
            {
                Add(Move.TableGet);
            }
            if (top == ValType.FuncRef && Traps && TopType(1) == ValType.I32)
            {
                Add(Move.TableSet);
            }
            if (isI32 && TopType(1) == ValType.FuncRef)
            {
                Add(Move.TableGrow);
            }
            if (isI32 && TopType(1) == ValType.FuncRef && TopType(2) == ValType.I32 && Traps)
            {
                Add(Move.TableFill);
            }
            if (Traps && Suffix([ValType.I32, ValType.I32, ValType.I32]))
            {
                Add(Move.TableCopy);
            }
        }
        // One step in four, so that its five moves do not crowd out the rest of a GC case.
        if (_m.GcTable >= 0 && Allows(InstructionClass.Table) && _u.Int(4) == 0)
        {
            AddGcTableMoves(isI32);
        }
        if (_config.ReferenceTypes && Allows(InstructionClass.Reference))
        {
            Add(Move.RefNull);
            Add(Move.RefFunc);
            if (top is { IsReference: true })
            {
                Add(Move.RefIsNull);
            }
        }
        if (_config.Gc && Allows(InstructionClass.Reference))
        {
            AddGcMoves(top, isI32);
        }
        if (_config.Simd && Allows(InstructionClass.Simd) && Suffix([ValType.V128, ValType.V128]))
        {
            Add(Move.Shuffle);
        }
        Do(_u.Choose(_moves));
    }

    private static bool Is(ValType? type, uint gcType) => type is { Kind: ValueKind.Ref } t && t.Heap == HeapType.Concrete(gcType);

    private static bool IsStruct(ValType? type) => Is(type, ModuleGenerator.ModuleBuilder.Struct) || Is(type, ModuleGenerator.ModuleBuilder.SubStruct);

    private static bool IsI31(ValType? type) => type is { Kind: ValueKind.Ref } t && t.Heap == HeapType.I31;

    private static bool IsEq(ValType? type) => IsStruct(type) || Is(type, ModuleGenerator.ModuleBuilder.Array) || IsI31(type);

    /// <summary>A GC access on a reference of <paramref name="type"/>: a nullable one may trap, so only where traps are allowed.</summary>
    private bool Accessible(ValType? type) => type is { } t && (Traps || !t.Nullable);

    private void AddGcMoves(ValType? top, bool isI32)
    {
        // Allocations push whatever operands are missing, so objects are made often enough to be used.
        Add(Move.StructNew, 2);
        if (IsStruct(top) && Accessible(top))
        {
            Add(Move.StructGet, 2);
        }
        if (isI32 && IsStruct(TopType(1)) && Accessible(TopType(1)))
        {
            Add(Move.StructSet);
        }
        Add(Move.ArrayNew);
        if (Is(top, ModuleGenerator.ModuleBuilder.Array) && Accessible(top))
        {
            Add(Move.ArrayLen);
            if (Traps)
            {
                // The index (and value) are pushed by the move: an index on an edge of the length, or past it.
                Add(Move.ArrayGet, 2);
                Add(Move.ArraySet);
            }
        }
        if (isI32)
        {
            Add(Move.RefI31);
        }
        if (IsI31(top) && Accessible(top))
        {
            Add(Move.I31Get, 2);
        }
        if (IsStruct(top))
        {
            Add(Move.RefTest);
            if (Traps)
            {
                Add(Move.RefCast);
            }
            if (Allows(InstructionClass.Branch) && _config.MultiValue)
            {
                Add(Move.BrOnCast);
            }
        }
        if (IsEq(top))
        {
            Add(Move.RefEq);
        }
    }

    /// <summary>
    /// The table moves on the table of GC references (<see cref="ModuleGenerator.ModuleBuilder.GcTable"/>): an element
    /// in or out, its size, growth by 0..3 (up to its maximum, then -1) and fills, with indices on the table's edges
    /// where traps are allowed. The writes push their own operands (a new object or null for the value): taking the
    /// computed references on the stack would bury them where only their class is compared (an i31 sign fault took
    /// 42396 cases to show instead of 7086), while what table.get reads back flows on into the computation.
    /// </summary>
    private void AddGcTableMoves(bool isI32)
    {
        Add(Move.GcTableSize);
        Add(Move.GcTableGrow);
        if (Traps)
        {
            if (isI32)
            {
                Add(Move.GcTableGet);
            }
            Add(Move.GcTableSet);
            Add(Move.GcTableFill);
        }
    }

    /// <summary>Emits one move on the table of GC references (see <see cref="AddGcTableMoves"/>).</summary>
    private void DoGcTable(Move move)
    {
        var table = (uint)_m.GcTable;
        var element = _m.GcTableType;
        switch (move)
        {
            case Move.GcTableGet:
                EmitTableGet(table, element);
                return;
            case Move.GcTableSet:
                PushI32(_u.Int(8)); // an index in the table or just past it
                PushConstant(element);
                EmitTableSet(table);
                return;
            case Move.GcTableSize:
                EmitTableSize(table);
                return;
            case Move.GcTableGrow:
                PushConstant(element);
                PushI32(_u.Int(4));
                EmitTableGrow(table);
                return;
            default: // GcTableFill
                PushI32(_u.Int(8));
                PushConstant(element);
                PushI32(_u.Int(4));
                EmitTableFill(table);
                return;
        }
    }

    // The table instructions on their operands (index, value, count as the spec orders them), for either table.

    /// <summary><c>table.get</c>, its index masked into the first eight elements two times in three.</summary>
    private void EmitTableGet(uint table, ValType element)
    {
        if (_u.Int(3) != 0)
        {
            Emit(Instruction.I32Const(7));
            Emit(Opcode.I32And);
        }
        Emit(Instruction.WithIndex(Opcode.TableGet, table));
        Pop(1);
        Push(element);
    }

    private void EmitTableSet(uint table)
    {
        Emit(Instruction.WithIndex(Opcode.TableSet, table));
        Pop(2);
    }

    private void EmitTableSize(uint table)
    {
        Emit(Instruction.WithIndex(Opcode.TableSize, table));
        Push(ValType.I32);
    }

    /// <summary><c>table.grow</c> by 0..3 elements (the delta masked), so that growth reaches the maximum and fails there.</summary>
    private void EmitTableGrow(uint table)
    {
        Emit(Instruction.I32Const(3));
        Emit(Opcode.I32And);
        Emit(Instruction.WithIndex(Opcode.TableGrow, table));
        Pop(2);
        Push(ValType.I32);
    }

    /// <summary><c>table.fill</c> of 0..7 elements (the count masked).</summary>
    private void EmitTableFill(uint table)
    {
        Emit(Instruction.I32Const(7));
        Emit(Opcode.I32And);
        Emit(Instruction.WithIndex(Opcode.TableFill, table));
        Pop(3);
    }

    /// <summary>Emits one GC move (see <see cref="AddGcMoves"/> for when each is offered).</summary>
    private void DoGc(Move move)
    {
        const uint structType = ModuleGenerator.ModuleBuilder.Struct, subStruct = ModuleGenerator.ModuleBuilder.SubStruct, array = ModuleGenerator.ModuleBuilder.Array;
        var top = TopType() ?? default; // only the moves on a reference read it, and those are offered only with one on top
        switch (move)
        {
            case Move.StructNew:
            {
                // Half the structs are of the subtype, whose packed field struct.get_s and struct.get_u read.
                var sub = _u.Bool();
                ValType[] fields = sub ? [ValType.I32, ValType.I64, ValType.I32] : [ValType.I32, ValType.I64];
                if (!Suffix(fields))
                {
                    foreach (var field in fields)
                    {
                        PushOperand(field);
                    }
                }
                Emit(Instruction.WithIndex(Opcode.StructNew, sub ? subStruct : structType));
                Pop(sub ? 3 : 2);
                Push(ValType.Ref(HeapType.Concrete(sub ? subStruct : structType), nullable: false));
                return;
            }
            case Move.StructGet:
            {
                var type = Is(top, subStruct) ? subStruct : structType;
                var field = (uint)_u.Int(type == subStruct ? 3 : 2);
                // The subtype's field 2 is packed: read with sign or zero extension.
                var get = type == subStruct && field == 2 ? _u.Bool() ? Opcode.StructGetS : Opcode.StructGetU : Opcode.StructGet;
                Emit(Instruction.WithIndices(get, type, field));
                Pop(1);
                Push(field == 1 ? ValType.I64 : ValType.I32);
                return;
            }
            case Move.StructSet:
                Emit(Instruction.WithIndices(Opcode.StructSet, Is(_stack[^2], subStruct) ? subStruct : structType, 0));
                Pop(2);
                return;
            case Move.ArrayNew:
                if (!Suffix([ValType.I32, ValType.I32]))
                {
                    PushOperand(ValType.I32);
                    PushOperand(ValType.I32);
                }
                // A small length (the low 4 bits), so arrays stay cheap; the value fills it.
                Emit(Instruction.I32Const(15));
                Emit(Opcode.I32And);
                Emit(Instruction.WithIndex(Opcode.ArrayNew, array));
                Pop(2);
                Push(ValType.Ref(HeapType.Concrete(array), nullable: false));
                return;
            case Move.ArrayGet:
                Emit(Instruction.I32Const(ArrayIndex()));
                Emit(Instruction.WithIndex(((ArrayType)_m.GcTypes[(int)array].Body).Element.Storage.IsPacked ? _u.Bool() ? Opcode.ArrayGetS : Opcode.ArrayGetU : Opcode.ArrayGet, array));
                Pop(1);
                Push(ValType.I32);
                return;
            case Move.ArraySet:
                Emit(Instruction.I32Const(ArrayIndex()));
                Emit(_m.Constant(ValType.I32));
                Emit(Instruction.WithIndex(Opcode.ArraySet, array));
                Pop(1);
                return;
            case Move.ArrayLen:
                Emit(Opcode.ArrayLen);
                Pop(1);
                Push(ValType.I32);
                return;
            case Move.RefI31:
                Emit(Opcode.RefI31);
                Pop(1);
                Push(ValType.Ref(HeapType.I31, nullable: false));
                return;
            case Move.I31Get:
                Emit(_u.Bool() ? Opcode.I31GetS : Opcode.I31GetU);
                Pop(1);
                Push(ValType.I32);
                return;
            case Move.RefTest:
                // Is it the subtype? (a null passes only the nullable test)
                Emit(Instruction.WithHeapType(_u.Bool() ? Opcode.RefTest : Opcode.RefTestNull, HeapType.Concrete(subStruct)));
                Pop(1);
                Push(ValType.I32);
                return;
            case Move.RefCast:
            {
                var nullable = _u.Bool();
                Emit(Instruction.WithHeapType(nullable ? Opcode.RefCastNull : Opcode.RefCast, HeapType.Concrete(subStruct)));
                Pop(1);
                Push(ValType.Ref(HeapType.Concrete(subStruct), nullable));
                return;
            }
            case Move.BrOnCast:
            {
                // block (param R) (result (ref null $sub)) br_on_cast 0 R (ref $sub) drop ref.null $sub end:
                // the subtype when the cast succeeds (the branch), null when it does not (the fall-through).
                var target = ValType.Ref(HeapType.Concrete(subStruct), nullable: true);
                Emit(Instruction.Block(Opcode.Block, BlockType.Indexed(_m.TypeIndex(new FunctionType([top], [target])))));
                Emit(Instruction.BrOnCast(Opcode.BrOnCast, 0, top, ValType.Ref(HeapType.Concrete(subStruct), nullable: false)));
                Emit(Opcode.Drop);
                Emit(Instruction.WithHeapType(Opcode.RefNull, HeapType.Concrete(subStruct)));
                Emit(Opcode.End);
                Pop(1);
                Push(target);
                return;
            }
            case Move.RefEq:
                switch (_u.Int(3))
                {
                    case 0: // itself (and saved for a later comparison)
                        Emit(Instruction.WithIndex(Opcode.LocalTee, _eqScratch));
                        Emit(Instruction.WithIndex(Opcode.LocalGet, _eqScratch));
                        break;
                    case 1: // the reference saved earlier (null at first)
                        Emit(Instruction.WithIndex(Opcode.LocalGet, _eqScratch));
                        break;
                    default: // an i31 of a small constant
                        Emit(Instruction.I32Const(_u.Int(4)));
                        Emit(Opcode.RefI31);
                        break;
                }
                Emit(Opcode.RefEq);
                Pop(1);
                Push(ValType.I32);
                return;
        }
    }

    /// <summary>An array index on an edge of the lengths <see cref="Move.ArrayNew"/> makes (0 to 15): 0, 1, 14, 15, 16 (past every length), any.</summary>
    private int ArrayIndex() => _u.Int(6) switch
    {
        0 => 0,
        1 => 1,
        2 => 14,
        3 => 15,
        4 => 16,
        _ => _u.Int(16),
    };

    private IEnumerable<OpcodeEntry> Candidates() => _m.Allowed.Where(e => Suffix(e.Parameters));

    private IEnumerable<uint> UserLocalsOf(ValType type)
    {
        for (var i = 0; i < _userLocals; i++)
        {
            if (_locals[i] == type)
            {
                yield return (uint)i;
            }
        }
    }

    private IEnumerable<uint> MutableGlobalsOf(ValType type)
    {
        for (var i = 0; i < _m.Globals.Count; i++)
        {
            if (i != _m.FuelGlobal && _m.Globals[i].Mutable && _m.Globals[i].Type == type)
            {
                yield return (uint)i;
            }
        }
    }

    private BlockType ChooseBlockType(int reserved, out ValType[] parameters, out ValType[] results)
    {
        parameters = [];
        results = [];
        switch (_u.Int(_config.MultiValue ? 4 : 2))
        {
            case 0:
                return BlockType.Empty;
            case 1:
                results = [_u.Choose(_innerTypes)];
                return BlockType.Value(results[0]);
            default:
            {
                var count = Math.Min(_u.Int(3), Available - reserved);
                parameters = [.. _stack.Skip(_stack.Count - reserved - count).Take(count)];
                var resultCount = _u.Int(3);
                results = [.. Enumerable.Range(0, resultCount).Select(_ => _u.Choose(_innerTypes))];
                return BlockType.Indexed(_m.TypeIndex(new FunctionType(parameters, results)));
            }
        }
    }

    private void OpenBlock(Opcode kind)
    {
        var reserved = kind == Opcode.If ? 1 : 0;
        var blockType = ChooseBlockType(reserved, out var parameters, out var results);
        Emit(Instruction.Block(kind, blockType));
        Pop(reserved + parameters.Length);
        var frame = new Frame { Kind = kind, Params = parameters, Results = results, Height = _stack.Count };
        _frames.Add(frame);
        _stack.AddRange(parameters);
        if (kind == Opcode.Loop)
        {
            EmitFuelCheck();
        }
    }

    /// <summary>Labels (relative depths) whose branch types are on top of the stack, below <paramref name="skip"/> values.</summary>
    private List<uint> MatchingLabels(int skip)
    {
        var labels = new List<uint>();
        for (var depth = 0; depth < _frames.Count; depth++)
        {
            if (Suffix(_frames[_frames.Count - 1 - depth].LabelTypes, skip))
            {
                labels.Add((uint)depth);
            }
        }
        return labels;
    }

    private MemArg ChooseMemArg(int naturalAlignment)
    {
        var offset = _u.Int(16) == 0 && !_config.DisallowTraps ? (ulong)_u.Int(70000) : (ulong)_u.Int(33);
        return new MemArg((uint)_u.Int(naturalAlignment + 1), offset);
    }

    /// <summary>
    /// Masks the i32 address on top of the stack, mostly into the first KiB (where the data segment and earlier stores
    /// are), and aligned to <paramref name="alignTo"/> bytes; only into the first KiB when <paramref name="inBounds"/>.
    /// </summary>
    private void MaskAddress(int alignTo = 1, bool inBounds = false)
    {
        var mask = _config.DisallowTraps || inBounds ? 0x3FF : _u.Int(4) switch { 0 or 1 => 0x3FF, 2 => 0xFF, _ => 0xFFFF };
        Emit(Instruction.I32Const(mask & ~(alignTo - 1)));
        Emit(Opcode.I32And);
    }

    /// <summary>
    /// An atomic access to memory 0 (threads), the i32 on top of the stack its address: masked and aligned to the
    /// access's width (atomics trap when misaligned) and with an aligned offset, so that it mostly succeeds; where traps
    /// are allowed, sometimes unmasked (out of bounds, still aligned) or misaligned by the offset (in bounds). A wait's timeout is always 0 (one
    /// thread: a longer wait would block, or time out after a delay), and it waits only on a shared memory unless traps
    /// are allowed (a wait on an unshared memory traps); its expected value, and a compare-exchange's, is often 0, what
    /// most of memory holds, so that both outcomes occur.
    /// </summary>
    private void EmitAtomic()
    {
        var atomics = OpcodeCatalog.Atomics
            .Where(a => _m.MemoryShared || Traps || a.Opcode is not (Opcode.MemoryAtomicWait32 or Opcode.MemoryAtomicWait64))
            .ToList();
        var atomic = _u.Choose(atomics);
        var width = 1 << atomic.NaturalAlignment;
        var offset = (ulong)(width * _u.Int(5));
        var wait = atomic.Opcode is Opcode.MemoryAtomicWait32 or Opcode.MemoryAtomicWait64;
        // At most one reason to trap at a time: the threads spec's prose checks alignment before bounds for
        // read-modify-writes but bounds first for loads, and its rules do not tell traps apart, so engines rightly
        // name an access that is both misaligned and out of bounds differently (wasmtime: unaligned; ours: bounds).
        // A wait on an unshared memory (a trap of its own) is aligned and in bounds.
        var unsharedWait = wait && !_m.MemoryShared;
        var misaligned = Traps && !unsharedWait && width > 1 && _u.Int(8) == 0;
        if (misaligned || unsharedWait || !Traps || _u.Int(6) != 0)
        {
            MaskAddress(width, inBounds: misaligned || unsharedWait || !Traps);
        }
        else
        {
            // Anywhere (mostly out of bounds), but aligned.
            Emit(Instruction.I32Const(~(width - 1)));
            Emit(Opcode.I32And);
        }
        if (misaligned)
        {
            offset += (ulong)_u.Range(1, width - 1); // the unaligned-atomic trap, in bounds
        }
        ToAddress(0, mayTrap: !(misaligned || unsharedWait));
        var compares = wait || atomic.Operands.Length == 2; // cmpxchg: expected, replacement
        for (var i = 0; i < atomic.Operands.Length; i++)
        {
            var type = atomic.Operands[i];
            if (wait && i == 1)
            {
                Emit(Instruction.I64Const(0)); // the timeout, in nanoseconds
                Push(type);
            }
            else if (compares && i == 0 && _u.Bool())
            {
                Emit(type == ValType.I64 ? Instruction.I64Const(0) : Instruction.I32Const(0));
                Push(type);
            }
            else
            {
                PushOperand(type);
            }
        }
        Emit(Instruction.Memory(atomic.Opcode, new MemArg((uint)atomic.NaturalAlignment, offset)));
        Pop(1 + atomic.Operands.Length);
        _stack.AddRange(atomic.Results);
    }

    /// <summary>
    /// Pushes destination, source (or fill value) and count of a bulk memory instruction on 32-bit memories so that
    /// the range sits on an edge; the end of memory is read at run time (<c>memory.size</c>), as memory may have grown.
    /// </summary>
    private void BulkEdge(Move move, Instruction instruction)
    {
        // memory.init names its data segment first and its memory second; fill and copy name (destination) memory first.
        var memory = move == Move.MemoryInit ? instruction.SecondIndex : instruction.Index;
        var count = _u.Choose([0, 1, 2, 7, 8, 64, 255]);
        void EndMinus(int back, uint? of = null)
        {
            Emit(Instruction.WithIndex(Opcode.MemorySize, of ?? memory));
            // memory.size counts pages of the memory's page size (custom page sizes: 1 byte for memory 0 sometimes).
            var log2 = (of ?? memory) == 0 ? _m.MemoryPageSizeLog2 : MemoryType.DefaultPageSizeLog2;
            if (log2 != 0)
            {
                Emit(Instruction.I32Const(log2));
                Emit(Opcode.I32Shl);
            }
            Emit(Instruction.I32Const(back));
            Emit(Opcode.I32Sub);
        }
        var start = _u.Int(256);
        var shift = 1 + _u.Int(Math.Max(1, count));
        // memory.init's source is an offset into the data segment: 0, so the segment's length bounds the count.
        var source = move == Move.MemoryInit ? 0 : start;
        // Copies overlap their source in four draws of seven (issue 22: a fault there shows only on an overlap).
        var choice = move == Move.MemoryCopy ? _u.Int(7) : _u.Int(3);
        if (choice >= 3 && count < 7)
        {
            count = 7 + count; // an overlap of 0 or 1 byte copies alike in either direction
            shift = 1 + _u.Int(count);
        }
        switch (choice > 4 ? 4 : choice == 4 ? 3 : choice)
        {
            case 0: // ends exactly at the end of memory
                EndMinus(count);
                Emit(Instruction.I32Const(source));
                break;
            case 1: // one byte past the end (traps)
                EndMinus(count - 1);
                Emit(Instruction.I32Const(source));
                break;
            case 2: // at the end, or the source at the end for a copy
                if (move == Move.MemoryCopy && _u.Bool())
                {
                    Emit(Instruction.I32Const(start));
                    EndMinus(count, instruction.SecondIndex);
                }
                else
                {
                    EndMinus(count);
                    Emit(Instruction.I32Const(source));
                }
                break;
            case 3: // destination above an overlapping source
                Emit(Instruction.I32Const(start + shift));
                Emit(Instruction.I32Const(start));
                break;
            default: // destination below an overlapping source
                Emit(Instruction.I32Const(start));
                Emit(Instruction.I32Const(start + shift));
                break;
        }
        Emit(Instruction.I32Const(count));
    }

    private void Do(Move move)
    {
        switch (move)
        {
            case Move.Push:
                switch (_u.Int(3))
                {
                    case 0 when _locals.Count > 0 && _userLocals > 0:
                    {
                        var local = (uint)_u.Int(_userLocals);
                        Emit(Instruction.WithIndex(Opcode.LocalGet, local));
                        Push(_locals[(int)local]);
                        return;
                    }
                    case 1 when _m.Globals.Count > 1:
                    {
                        var global = (uint)_u.Int(_m.Globals.Count - 1); // any but fuel
                        global += global >= _m.FuelGlobal ? 1u : 0u;
                        Emit(Instruction.WithIndex(Opcode.GlobalGet, global));
                        Push(_m.Globals[(int)global].Type);
                        return;
                    }
                    default:
                        PushConstant(_u.Choose(_m.ValueTypes));
                        return;
                }
            case Move.Op:
            {
                var candidates = Candidates().ToList();
                OpcodeEntry entry;
                if (_m.Allowed.Count > 0 && _u.Int(3) == 0 && EdgeOperands.Choose(entry = _u.Choose(_m.Allowed), _u) is { } edges)
                {
                    // Operands on the instruction's edges (INT_MIN % -1, -0 vs +0, ties, range bounds), pushed fresh.
                    for (var i = 0; i < edges.Length; i++)
                    {
                        Emit(edges[i]);
                        Push(entry.Parameters[i]);
                    }
                }
                else if (candidates.Count > 0 && _u.Bool())
                {
                    entry = _u.Choose(candidates);
                }
                else
                {
                    // Any allowed instruction: the top value becomes its first operand, the others are pushed.
                    entry = _u.Choose(_m.Allowed);
                    var parameters = entry.Parameters;
                    if (!Suffix(parameters))
                    {
                        var first = 0;
                        if (Available > 0 && parameters.Length > 0 && !TopType()!.Value.IsReference)
                        {
                            Convert(parameters[0]);
                            first = 1;
                        }
                        for (var i = first; i < parameters.Length; i++)
                        {
                            PushOperand(parameters[i]);
                        }
                    }
                }
                EmitFixed(entry, (byte)_u.Int(Math.Max(1, entry.LaneCount)));
                return;
            }
            case Move.LocalSet:
            case Move.LocalTee:
            {
                var local = _u.Choose(UserLocalsOf(_stack[^1]).ToList());
                Emit(Instruction.WithIndex(move == Move.LocalSet ? Opcode.LocalSet : Opcode.LocalTee, local));
                if (move == Move.LocalSet)
                {
                    Pop(1);
                }
                return;
            }
            case Move.GlobalSet:
                Emit(Instruction.WithIndex(Opcode.GlobalSet, _u.Choose(MutableGlobalsOf(_stack[^1]).ToList())));
                Pop(1);
                return;
            case Move.Drop:
                Discard();
                return;
            case Move.Select:
            {
                var type = _stack[^2];
                Emit(type.IsReference ? Instruction.SelectTyped([type]) : Instruction.Simple(Opcode.Select));
                Pop(3);
                Push(type);
                return;
            }
            case Move.Mask:
                MaskAddress();
                return;
            case Move.Atomic:
                EmitAtomic();
                return;
            case Move.AtomicFence:
                Emit(Opcode.AtomicFence);
                return;
            case Move.Load:
            {
                var loads = OpcodeCatalog.MemoryAccesses.Where(a => !a.Store && TypeAllowed(a.Type)).ToList();
                var chosen = loads.Where(a => _config.Opcodes?.Contains(a.Opcode) ?? true).ToList();
                loads = chosen.Count > 0 ? chosen : loads;
                var access = _u.Choose(loads);
                var memory = ChooseMemory();
                if (_config.DisallowTraps || _u.Int(4) != 0)
                {
                    MaskAddress();
                }
                ToAddress(memory);
                Emit(Instruction.Memory(access.Opcode, ChooseMemArg(access.NaturalAlignment) with { Memory = memory }));
                Pop(1);
                Push(access.Type);
                if (_u.Int(3) == 0)
                {
                    ObserveTop();
                }
                return;
            }
            case Move.Store:
            {
                var type = _stack[^1];
                var stores = OpcodeCatalog.MemoryAccesses.Where(a => a.Store && a.Type == type).ToList();
                var chosenStores = stores.Where(a => _config.Opcodes?.Contains(a.Opcode) ?? true).ToList();
                stores = chosenStores.Count > 0 ? chosenStores : stores;
                if (stores.Count == 0)
                {
                    Discard();
                    return;
                }
                var access = _u.Choose(stores);
                var memory = ChooseMemory();
                var mask = _config.DisallowTraps || _u.Int(4) != 0;
                if (mask || _m.MemoryIs64[(int)memory])
                {
                    var scratch = _scratch[type.Kind];
                    Emit(Instruction.WithIndex(Opcode.LocalSet, scratch));
                    if (mask)
                    {
                        MaskAddress();
                    }
                    ToAddress(memory);
                    Emit(Instruction.WithIndex(Opcode.LocalGet, scratch));
                }
                Emit(Instruction.Memory(access.Opcode, ChooseMemArg(access.NaturalAlignment) with { Memory = memory }));
                Pop(2);
                return;
            }
            case Move.Block:
                OpenBlock(Opcode.Block);
                return;
            case Move.Loop:
                OpenBlock(Opcode.Loop);
                return;
            case Move.If:
                OpenBlock(Opcode.If);
                return;
            case Move.Else:
                Emit(Opcode.Else);
                _stack.RemoveRange(Top.Height, _stack.Count - Top.Height);
                _stack.AddRange(Top.Params);
                Top.HasElse = true;
                return;
            case Move.End:
                CloseFrame();
                return;
            case Move.Br:
            {
                var labels = MatchingLabels(0);
                if (labels.Count == 0)
                {
                    CloseFrame();
                    return;
                }
                Emit(Instruction.WithIndex(Opcode.Br, _u.Choose(labels)));
                MarkUnreachable();
                return;
            }
            case Move.BrIf:
            {
                var labels = MatchingLabels(1);
                if (labels.Count == 0)
                {
                    Discard();
                    return;
                }
                Emit(Instruction.WithIndex(Opcode.BrIf, _u.Choose(labels)));
                Pop(1);
                return;
            }
            case Move.BrTable:
            {
                var labels = MatchingLabels(1);
                if (labels.Count == 0)
                {
                    Discard();
                    return;
                }
                var defaultLabel = _u.Choose(labels);
                var types = _frames[_frames.Count - 1 - (int)defaultLabel].LabelTypes;
                var same = labels.Where(l => _frames[_frames.Count - 1 - (int)l].LabelTypes.SequenceEqual(types)).ToList();
                var entries = Enumerable.Range(0, _u.Int(5)).Select(_ => _u.Choose(same)).ToList();
                if (_u.Int(3) == 0)
                {
                    // An index at the table's edges: first, last, the label count (the default), just past, huge.
                    Discard();
                    Emit(Instruction.I32Const(_u.Choose([0, Math.Max(0, entries.Count - 1), entries.Count, entries.Count + 1, -1, int.MinValue])));
                    Push(ValType.I32);
                }
                Emit(Instruction.BrTable(entries, defaultLabel));
                MarkUnreachable();
                return;
            }
            case Move.Return:
                Emit(Opcode.Return);
                MarkUnreachable();
                return;
            case Move.Call:
            {
                var callees = Enumerable.Range(0, _m.FunctionTypes.Count - 1).Where(f => Suffix(_m.FunctionType(f).Parameters)).ToList();
                if (callees.Count == 0)
                {
                    PushConstant(ValType.I32);
                    return;
                }
                var callee = _u.Choose(callees);
                var type = _m.FunctionType(callee);
                Emit(Instruction.WithIndex(Opcode.Call, (uint)callee));
                Pop(type.Parameters.Count);
                _stack.AddRange(type.Results);
                return;
            }
            case Move.CallIndirect:
            {
                var types = _m.FunctionTypes.Distinct().Where(t => Suffix(_m.TypeAt(t).Parameters, 1)).ToList();
                if (types.Count == 0)
                {
                    Discard();
                    return;
                }
                var typeIndex = _u.Choose(types);
                var type = _m.TypeAt(typeIndex);
                if (_u.Int(3) != 0)
                {
                    Emit(Instruction.I32Const(7));
                    Emit(Opcode.I32And);
                }
                Emit(Instruction.WithIndices(Opcode.CallIndirect, typeIndex, 0));
                Pop(1 + type.Parameters.Count);
                _stack.AddRange(type.Results);
                return;
            }
            case Move.MemorySize:
            {
                var memory = ChooseMemory();
                Emit(Instruction.WithIndex(Opcode.MemorySize, memory));
                Push(AddressType(memory));
                return;
            }
            case Move.MemoryGrow:
            {
                var memory = ChooseMemory();
                Emit(Instruction.I32Const(3));
                Emit(Opcode.I32And);
                ToAddress(memory);
                Emit(Instruction.WithIndex(Opcode.MemoryGrow, memory));
                Pop(1);
                Push(AddressType(memory));
                return;
            }
            case Move.MemoryFill:
            case Move.MemoryCopy:
            case Move.MemoryInit:
            {
                // Operands: destination, source (or value), count; i64 where they address a memory64 memory.
                Instruction instruction;
                ValType[] operands;
                switch (move)
                {
                    case Move.MemoryFill:
                    {
                        var memory = ChooseMemory();
                        instruction = Instruction.WithIndex(Opcode.MemoryFill, memory);
                        operands = [AddressType(memory), ValType.I32, AddressType(memory)];
                        break;
                    }
                    case Move.MemoryCopy:
                    {
                        var (destination, source) = (ChooseMemory(), ChooseMemory());
                        instruction = Instruction.WithIndices(Opcode.MemoryCopy, destination, source);
                        var count = AddressType(destination) == ValType.I64 && AddressType(source) == ValType.I64 ? ValType.I64 : ValType.I32;
                        operands = [AddressType(destination), AddressType(source), count];
                        break;
                    }
                    default:
                    {
                        var memory = ChooseMemory();
                        instruction = Instruction.WithIndices(Opcode.MemoryInit, 1, memory);
                        operands = [AddressType(memory), ValType.I32, ValType.I32];
                        break;
                    }
                }
                if (operands.All(t => t == ValType.I32) && _u.Bool())
                {
                    // Replace the three operands by a range on an edge: ending exactly at memory's end, one byte past
                    // it, empty at the end, or (copies) overlapping its source from above or below.
                    Discard();
                    Discard();
                    Discard();
                    BulkEdge(move, instruction);
                    Emit(instruction);
                    return;
                }
                Emit(Instruction.I32Const(0xFF));
                Emit(Opcode.I32And);
                if (operands.Any(t => t == ValType.I64))
                {
                    // The three i32s on the stack become the operand types: park the top two, widen, restore.
                    var count = operands[2] == ValType.I64 ? _scratch[ValueKind.I64] : _scratch[ValueKind.I32];
                    var middle = operands[1] == ValType.I64 ? _extraI64 : _extraI32;
                    Widen(operands[2]);
                    Emit(Instruction.WithIndex(Opcode.LocalSet, count));
                    Widen(operands[1]);
                    Emit(Instruction.WithIndex(Opcode.LocalSet, middle));
                    Widen(operands[0]);
                    Emit(Instruction.WithIndex(Opcode.LocalGet, middle));
                    Emit(Instruction.WithIndex(Opcode.LocalGet, count));
                }
                Emit(instruction);
                Pop(3);
                return;
            }
            case Move.DataDrop:
                Emit(Instruction.WithIndex(Opcode.DataDrop, 1));
                return;
            case Move.TableGet:
                EmitTableGet(0, ValType.FuncRef);
                return;
            case Move.TableSet:
                EmitTableSet(0);
                return;
            case Move.TableSize:
                EmitTableSize(0);
                return;
            case Move.TableGrow:
                EmitTableGrow(0);
                return;
            case Move.TableFill:
                EmitTableFill(0);
                return;
            case Move.TableCopy:
                Emit(Instruction.I32Const(7));
                Emit(Opcode.I32And);
                Emit(Instruction.WithIndices(Opcode.TableCopy, 0, 0));
                Pop(3);
                return;
            case Move.RefNull:
            {
                var type = _u.Int(_config.Exceptions ? 3 : 2) switch
                {
                    0 => ValType.FuncRef,
                    1 => ValType.ExternRef,
                    _ => ValType.ExnRef,
                };
                Emit(Instruction.WithHeapType(Opcode.RefNull, type.Heap));
                Push(type);
                return;
            }
            case Move.RefFunc:
                Emit(Instruction.WithIndex(Opcode.RefFunc, (uint)_u.Int(_m.FunctionTypes.Count - 1)));
                Push(ValType.FuncRef);
                return;
            case Move.GcTableGet or Move.GcTableSet or Move.GcTableSize or Move.GcTableGrow or Move.GcTableFill:
                DoGcTable(move);
                return;
            case Move.StructNew or Move.StructGet or Move.StructSet or Move.ArrayNew or Move.ArrayGet or Move.ArraySet or Move.ArrayLen
                or Move.RefI31 or Move.I31Get or Move.RefTest or Move.RefCast or Move.BrOnCast or Move.RefEq:
                DoGc(move);
                return;
            case Move.RefIsNull:
                Emit(Opcode.RefIsNull);
                Pop(1);
                Push(ValType.I32);
                return;
            case Move.Shuffle:
            {
                Span<byte> lanes = stackalloc byte[16];
                for (var i = 0; i < 16; i++)
                {
                    lanes[i] = (byte)_u.Int(32);
                }
                Emit(Instruction.Shuffle(V128.FromBytes(lanes)));
                Pop(2);
                Push(ValType.V128);
                return;
            }
            case Move.Unreachable:
                Emit(Opcode.Unreachable);
                MarkUnreachable();
                return;
            case Move.ReturnCall:
            {
                var callees = Callees(tail: true);
                if (callees.Count == 0)
                {
                    PushConstant(ValType.I32);
                    return;
                }
                Emit(Instruction.WithIndex(Opcode.ReturnCall, (uint)_u.Choose(callees)));
                MarkUnreachable();
                return;
            }
            case Move.ReturnCallIndirect:
            {
                var types = _m.FunctionTypes.Distinct().Where(t => ReturnsLikeThis(_m.TypeAt(t)) && Suffix(_m.TypeAt(t).Parameters, 1)).ToList();
                if (types.Count == 0)
                {
                    Discard();
                    return;
                }
                var typeIndex = _u.Choose(types);
                if (_u.Int(3) != 0)
                {
                    Emit(Instruction.I32Const(7));
                    Emit(Opcode.I32And);
                }
                Emit(Instruction.WithIndices(Opcode.ReturnCallIndirect, typeIndex, 0));
                MarkUnreachable();
                return;
            }
            case Move.CallRef:
            case Move.ReturnCallRef:
            {
                var tail = move == Move.ReturnCallRef;
                var callees = Callees(tail: tail);
                if (callees.Count == 0)
                {
                    PushConstant(ValType.I32);
                    return;
                }
                var callee = _u.Choose(callees);
                var typeIndex = _m.FunctionTypes[callee];
                // ref.func gives (ref $t); now and then a typed null instead, which traps (null function reference).
                Emit(Traps && _u.Int(8) == 0
                    ? Instruction.WithHeapType(Opcode.RefNull, HeapType.Concrete(typeIndex))
                    : Instruction.WithIndex(Opcode.RefFunc, (uint)callee));
                Emit(Instruction.WithIndex(tail ? Opcode.ReturnCallRef : Opcode.CallRef, typeIndex));
                if (tail)
                {
                    MarkUnreachable();
                    return;
                }
                var type = _m.FunctionType(callee);
                Pop(type.Parameters.Count);
                _stack.AddRange(type.Results);
                return;
            }
            case Move.BrOnNull:
            {
                var labels = MatchingLabels(1);
                if (labels.Count == 0)
                {
                    Emit(Opcode.RefIsNull);
                    Pop(1);
                    Push(ValType.I32);
                    return;
                }
                Emit(Instruction.WithIndex(Opcode.BrOnNull, _u.Choose(labels)));
                _stack[^1] = _stack[^1] with { Nullable = false };
                return;
            }
            case Move.RefAsNonNull:
                Emit(Opcode.RefAsNonNull);
                _stack[^1] = _stack[^1] with { Nullable = false };
                return;
            case Move.ThrowRef:
                Emit(Opcode.ThrowRef);
                MarkUnreachable();
                return;
            case Move.Throw:
            {
                var tags = Enumerable.Range(0, _m.Tags.Count).Where(t => Suffix(_m.Tags[t].Parameters)).ToList();
                Emit(Instruction.WithIndex(Opcode.Throw, (uint)_u.Choose(tags)));
                MarkUnreachable();
                return;
            }
            case Move.TryTable:
            {
                // Catch labels are relative to the try_table's context (its own label is not in scope for them). A
                // third of the time a block opens first whose results are what a catch_ref or catch_all_ref clause
                // passes (a tag's payload and the exnref, or the exnref alone), so that those clauses have a target.
                if (_frames.Count < _config.MaxNesting && _u.Int(3) == 0)
                {
                    var landing = _m.Tags.Count > 0 && _u.Bool() ? [.. _m.Tags[_u.Int(_m.Tags.Count)].Parameters, ValType.ExnRef] : new[] { ValType.ExnRef };
                    Emit(Instruction.Block(Opcode.Block, landing.Length == 1 ? BlockType.Value(landing[0]) : BlockType.Indexed(_m.TypeIndex(new FunctionType([], landing)))));
                    _frames.Add(new Frame { Kind = Opcode.Block, Results = landing, Height = _stack.Count });
                }
                var catches = new List<CatchClause>();
                var count = _u.Int(3);
                for (var i = 0; i < count; i++)
                {
                    var tag = _m.Tags.Count > 0 && _u.Bool() ? _u.Int(_m.Tags.Count) : -1;
                    var passesReference = _u.Int(3) == 0;
                    IReadOnlyList<ValType> types = tag >= 0 ? _m.Tags[tag].Parameters : [];
                    if (passesReference)
                    {
                        types = [.. types, ValType.ExnRef];
                    }
                    var labels = LabelsTaking(types);
                    if (labels.Count > 0)
                    {
                        var kind = (tag >= 0, passesReference) switch
                        {
                            (true, false) => CatchKind.Catch,
                            (true, true) => CatchKind.CatchRef,
                            (false, false) => CatchKind.CatchAll,
                            (false, true) => CatchKind.CatchAllRef,
                        };
                        catches.Add(new CatchClause(kind, (uint)Math.Max(tag, 0), _u.Choose(labels)));
                    }
                }
                var blockType = ChooseBlockType(0, out var parameters, out var results);
                Emit(Instruction.TryTable(blockType, catches));
                Pop(parameters.Length);
                _frames.Add(new Frame { Kind = Opcode.TryTable, Params = parameters, Results = results, Height = _stack.Count });
                _stack.AddRange(parameters);
                return;
            }
        }
    }

    /// <summary>Memory 0, or with two memories either (a decision only then, so one-memory modules draw the same bytes).</summary>
    private uint ChooseMemory() => _m.MemoryIs64.Count > 1 ? (uint)_u.Int(_m.MemoryIs64.Count) : 0;

    private ValType AddressType(uint memory) => _m.MemoryIs64[(int)memory] ? ValType.I64 : ValType.I32;

    /// <summary>
    /// Turns the i32 address on top of the stack into memory <paramref name="memory"/>'s address type. A 64-bit address
    /// gets, one time in eight when traps are allowed, high bits (2^32, the sign bit, or all of the upper half): past
    /// the end of any memory here, so it must trap, and an engine that computes addresses in 32 bits would not. Not
    /// when the access must not trap for bounds (<paramref name="mayTrap"/>: it already traps for another reason).
    /// </summary>
    private void ToAddress(uint memory, bool mayTrap = true)
    {
        Widen(AddressType(memory));
        if (_m.MemoryIs64[(int)memory] && mayTrap && !_config.DisallowTraps && _u.Int(8) == 0)
        {
            Emit(Instruction.I64Const(_u.Choose(HighAddressBits)));
            Emit(Opcode.I64Or);
        }
    }

    private static readonly long[] HighAddressBits = [1L << 32, long.MinValue, unchecked((long)0xFFFF_FFFF_0000_0000UL)];

    private void Widen(ValType type)
    {
        if (type == ValType.I64)
        {
            Emit(Opcode.I64ExtendI32U);
        }
    }

    /// <summary>Defined functions other than the fuel reset, whose parameters are on top of the stack (below <paramref name="skip"/> values).</summary>
    private List<int> Callees(int skip = 0, bool tail = false) =>
        [.. Enumerable.Range(0, _m.FunctionTypes.Count - 1).Where(f => Suffix(_m.FunctionType(f).Parameters, skip) && (!tail || ReturnsLikeThis(_m.FunctionType(f))))];

    /// <summary>A tail call's callee must return what this function returns.</summary>
    private bool ReturnsLikeThis(FunctionType type) => type.Results.SequenceEqual(_type.Results);

    /// <summary>Relative depths of the labels (of frames enclosing the current one, the current included) that take <paramref name="types"/>.</summary>
    private List<uint> LabelsTaking(IReadOnlyList<ValType> types) =>
        [.. Enumerable.Range(0, _frames.Count).Where(d => _frames[_frames.Count - 1 - d].LabelTypes.SequenceEqual(types)).Select(d => (uint)d)];

    private bool TypeAllowed(ValType type) => type.Kind switch
    {
        ValueKind.F32 or ValueKind.F64 => _config.Floats,
        ValueKind.V128 => _config.Simd,
        _ => true,
    };
}
