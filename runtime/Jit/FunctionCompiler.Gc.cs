using System.Reflection;
using System.Reflection.Emit;
using WasmHarness.Execution;
using WasmHarness.Syntax;
using DefinedType = WasmHarness.Validation.DefinedType;

namespace WasmHarness.Jit;

/// <summary>
/// The GC instructions. A struct's fields are a <see cref="Value"/>[] in the shared object representation
/// (<see cref="StructObject"/>), so compiled code reads and writes them in place: <c>isinst</c> (which is also the
/// null check), <c>ldelema</c>, then <c>ldfld</c>/<c>stfld</c> of the value's bits or reference, converted to the
/// field's type (packed fields truncated on write, sign- or zero-extended on read) — no helper call and no boxing.
/// An array's elements are packed by their storage type (<see cref="ArrayObject{T}"/>); compiled code calls the
/// typed accessors both tiers share (<see cref="GcArrays.GetS8"/>, <see cref="GcArrays.SetI32"/>, ...: small
/// methods RyuJIT inlines), which check null and the index and pack or extend. Casts are inline: <c>isinst</c> for abstract heap types
/// (a helper for the few that are unions), and for concrete ones the object's canonical type compared with the
/// target (final types) or looked up in its supertype display (<see cref="DefinedType.IsSubtypeOf"/>, O(1)).
/// Allocation of arrays and the bulk array operations call <see cref="JitGc"/>, which calls the semantics the
/// interpreter uses (<see cref="Gc"/>).
/// </summary>
internal sealed partial class FunctionCompiler
{
    private static readonly FieldInfo ValueLow = typeof(Value).GetField(nameof(Value.Low))!;
    private static readonly FieldInfo ValueReference = typeof(Value).GetField(nameof(Value.Reference))!;
    private static readonly FieldInfo ContextTypes = typeof(JitContext).GetField(nameof(JitContext.Types))!;
    private static readonly MethodInfo StructFields = typeof(StructObject).GetProperty(nameof(StructObject.Fields))!.GetMethod!;
    private static readonly MethodInfo StructTypeOf = typeof(StructObject).GetProperty(nameof(StructObject.Type))!.GetMethod!;
    private static readonly MethodInfo ArrayTypeOf = typeof(ArrayObject).GetProperty(nameof(ArrayObject.Type))!.GetMethod!;
    private static readonly MethodInfo FunctionTypeOf = typeof(FunctionInstance).GetProperty(nameof(FunctionInstance.DefinedType))!.GetMethod!;
    private static readonly MethodInfo IsSubtypeOf = typeof(DefinedType).GetMethod(nameof(DefinedType.IsSubtypeOf))!;
    private static readonly MethodInfo I31Value = typeof(I31Reference).GetProperty(nameof(I31Reference.Value))!.GetMethod!;
    private static readonly MethodInfo I31Unsigned = typeof(I31Reference).GetProperty(nameof(I31Reference.Unsigned))!.GetMethod!;

    private readonly Dictionary<(Type, int), LocalBuilder> _gcTemps = [];

    /// <summary>Every instruction of the GC proposal (the 0xFB family) is compiled.</summary>
    private static bool SupportsGc(Opcode opcode) => opcode is >= Opcode.StructNew and <= Opcode.I31GetU;

    private static MethodInfo GcHelper(string name) =>
        typeof(JitGc).GetMethod(name, BindingFlags.Static | BindingFlags.Public) ?? throw new InvalidOperationException($"no JIT GC helper {name}");

    private static MethodInfo ArrayAccessor(string name) =>
        typeof(GcArrays).GetMethod(name, BindingFlags.Static | BindingFlags.Public) ?? throw new InvalidOperationException($"no array accessor {name}");

    /// <summary>The accessor that reads an element of <paramref name="storage"/> type (as an int, long, V128 or object: float bits for f32/f64).</summary>
    private static MethodInfo ArrayGetter(StorageType storage, bool signed) => ArrayAccessor(GcArrays.KindOf(storage) switch
    {
        GcArrays.ElementKind.I8 => signed ? nameof(GcArrays.GetS8) : nameof(GcArrays.GetU8),
        GcArrays.ElementKind.I16 => signed ? nameof(GcArrays.GetS16) : nameof(GcArrays.GetU16),
        GcArrays.ElementKind.I32 => nameof(GcArrays.GetI32),
        GcArrays.ElementKind.I64 => nameof(GcArrays.GetI64),
        GcArrays.ElementKind.V128 => nameof(GcArrays.GetV128),
        _ => nameof(GcArrays.GetRef),
    });

    /// <summary>The accessor that writes an element of <paramref name="storage"/> type.</summary>
    private static MethodInfo ArraySetter(StorageType storage) => ArrayAccessor(GcArrays.KindOf(storage) switch
    {
        GcArrays.ElementKind.I8 => nameof(GcArrays.SetI8),
        GcArrays.ElementKind.I16 => nameof(GcArrays.SetI16),
        GcArrays.ElementKind.I32 => nameof(GcArrays.SetI32),
        GcArrays.ElementKind.I64 => nameof(GcArrays.SetI64),
        GcArrays.ElementKind.V128 => nameof(GcArrays.SetV128),
        _ => nameof(GcArrays.SetRef),
    });

    /// <summary>A scratch local of any CLR type (GC values; also the value tuple of a multi-result pure instruction).</summary>
    private LocalBuilder GcTemp(Type type, int n = 0)
    {
        if (!_gcTemps.TryGetValue((type, n), out var local))
        {
            local = _il.Local(type, $"gc temp {type.Name} {n}");
            _gcTemps[(type, n)] = local;
        }
        return local;
    }

    private DefinedType DefinedTypeAt(uint index) => _validated.Types[(int)index];

    private StructType StructTypeAt(uint index) => (StructType)DefinedTypeAt(index).Body;

    private ArrayType ArrayTypeAt(uint index) => (ArrayType)DefinedTypeAt(index).Body;

    /// <summary>Loads the canonical type of module type <paramref name="index"/> (from the context, since IL cannot embed objects).</summary>
    private void LoadDefinedType(uint index)
    {
        LoadContext();
        _il.Emit(OpCodes.Ldfld, ContextTypes);
        _il.Emit(OpCodes.Ldc_I4, (int)index);
        _il.Emit(OpCodes.Ldelem_Ref);
    }

    /// <summary>Turns the reference on the CIL stack into a <paramref name="type"/> object, trapping with <paramref name="nullTrap"/> if it is null.</summary>
    private void NonNull(Type type, TrapKind nullTrap)
    {
        var ok = _il.DefineLabel();
        _il.Emit(OpCodes.Isinst, type);
        _il.Emit(OpCodes.Dup);
        _il.Emit(OpCodes.Brtrue, ok);
        Throw(nullTrap);
        _il.Mark(ok);
    }

    /// <summary>With the address of a field (a <see cref="Value"/>) on the CIL stack, loads it as its unpacked type.</summary>
    private void LoadField(StorageType storage, bool signed)
    {
        switch (storage.Type.Kind)
        {
            case ValueKind.Ref:
                _il.Emit(OpCodes.Ldfld, ValueReference);
                return;
            case ValueKind.V128:
                _il.Emit(OpCodes.Call, GcHelper(nameof(JitGc.LoadV128)));
                return;
        }
        _il.Emit(OpCodes.Ldfld, ValueLow);
        switch (storage.Packed)
        {
            case PackedType.I8:
                _il.Emit(signed ? OpCodes.Conv_I1 : OpCodes.Conv_U1);
                return;
            case PackedType.I16:
                _il.Emit(signed ? OpCodes.Conv_I2 : OpCodes.Conv_U2);
                return;
        }
        switch (storage.Type.Kind)
        {
            case ValueKind.I32:
                _il.Emit(OpCodes.Conv_I4);
                return;
            case ValueKind.F32:
                _il.Emit(OpCodes.Conv_I4);
                _il.Emit(OpCodes.Call, Helper(nameof(JitRuntime.F32Reinterpret)));
                return;
            case ValueKind.F64:
                _il.Emit(OpCodes.Call, Method(typeof(BitConverter), nameof(BitConverter.Int64BitsToDouble), typeof(long)));
                return;
        }
    }

    /// <summary>
    /// With the address of a field and then a value on the CIL stack, stores the value (packed fields keep their low
    /// bits). Only the part the field's type uses is written: the rest of a field's <see cref="Value"/> is zero
    /// from allocation on, as the interpreter keeps it. (<see cref="Value"/>'s fields are <c>readonly</c>; the runtime
    /// does not enforce <c>initonly</c> on <c>stfld</c> in dynamic methods, and no code caches an element's fields.)
    /// </summary>
    private void StoreField(StorageType storage)
    {
        switch (storage.Type.Kind)
        {
            case ValueKind.Ref:
                _il.Emit(OpCodes.Stfld, ValueReference);
                return;
            case ValueKind.V128:
                _il.Emit(OpCodes.Call, GcHelper(nameof(JitGc.StoreV128)));
                return;
            case ValueKind.I32:
                if (storage.Packed != PackedType.None)
                {
                    _il.Emit(storage.Packed == PackedType.I8 ? OpCodes.Conv_U1 : OpCodes.Conv_U2);
                }
                _il.Emit(OpCodes.Conv_U8);
                break;
            case ValueKind.F32:
                _il.Emit(OpCodes.Call, Method(typeof(BitConverter), nameof(BitConverter.SingleToInt32Bits), typeof(float)));
                _il.Emit(OpCodes.Conv_U8);
                break;
            case ValueKind.F64:
                _il.Emit(OpCodes.Call, Method(typeof(BitConverter), nameof(BitConverter.DoubleToInt64Bits), typeof(double)));
                break;
        }
        _il.Emit(OpCodes.Stfld, ValueLow);
    }

    /// <summary>Converts the operand of type <paramref name="kind"/> on the CIL stack to a <see cref="Value"/>.</summary>
    private void ToValue(ValueKind kind) => _il.Emit(OpCodes.Call, GcHelper("From" + kind switch
    {
        ValueKind.I32 => "I32",
        ValueKind.I64 => "I64",
        ValueKind.F32 => "F32",
        ValueKind.F64 => "F64",
        ValueKind.V128 => "V128",
        _ => "Ref",
    }));

    /// <summary>
    /// Pops <paramref name="count"/> spilled operands into a new <see cref="Value"/>[] left on the CIL stack, each
    /// stored as <paramref name="storage"/> (<c>struct.new</c>, <c>array.new_fixed</c>).
    /// </summary>
    private void NewValues(int count, Func<int, StorageType> storage)
    {
        SpillAll();
        var first = _stack.Count - count;
        _il.Emit(OpCodes.Ldc_I4, count);
        _il.Emit(OpCodes.Newarr, typeof(Value));
        for (var i = 0; i < count; i++)
        {
            _il.Emit(OpCodes.Dup);
            _il.Emit(OpCodes.Ldc_I4, i);
            _il.Emit(OpCodes.Ldelema, typeof(Value));
            _il.Emit(OpCodes.Ldloc, Slot(first + i, _stack[first + i]));
            StoreField(storage(i));
        }
        _stack.RemoveRange(first, count);
        _cilBase = _stack.Count;
    }

    /// <summary>
    /// Replaces the reference on the CIL stack by 1 if it matches <paramref name="heap"/> (a heap type of this
    /// module, <paramref name="nullable"/> or not), else 0.
    /// </summary>
    private void Matches(HeapType heap, bool nullable)
    {
        var reference = GcTemp(typeof(object));
        var notNull = _il.DefineLabel();
        var done = _il.DefineLabel();
        _il.Emit(OpCodes.Stloc, reference);
        _il.Emit(OpCodes.Ldloc, reference);
        _il.Emit(OpCodes.Brtrue, notNull);
        _il.Emit(nullable ? OpCodes.Ldc_I4_1 : OpCodes.Ldc_I4_0);
        _il.Emit(OpCodes.Br, done);
        _il.Mark(notNull);
        _il.Emit(OpCodes.Ldloc, reference);
        if (heap.IsConcrete)
        {
            // The object's own canonical type, then: a final type has no subtypes, so identity decides; any other
            // is one read of the object's supertype display (DefinedType.IsSubtypeOf).
            var type = DefinedTypeAt(heap.TypeIndex);
            var (objectType, typeOf) = type.Kind switch
            {
                Validation.CompositeKind.Struct => (typeof(StructObject), StructTypeOf),
                Validation.CompositeKind.Array => (typeof(ArrayObject), ArrayTypeOf),
                _ => (typeof(FunctionInstance), FunctionTypeOf),
            };
            var isObject = _il.DefineLabel();
            _il.Emit(OpCodes.Isinst, objectType);
            _il.Emit(OpCodes.Dup);
            _il.Emit(OpCodes.Brtrue, isObject);
            _il.Emit(OpCodes.Pop);
            _il.Emit(OpCodes.Ldc_I4_0);
            _il.Emit(OpCodes.Br, done);
            _il.Mark(isObject);
            _il.Emit(OpCodes.Call, typeOf);
            LoadDefinedType(heap.TypeIndex);
            if (type.Final)
            {
                _il.Emit(OpCodes.Ceq);
            }
            else
            {
                _il.Emit(OpCodes.Call, IsSubtypeOf);
            }
        }
        else
        {
            var kind = heap.Kind;
            Type? exact = kind switch
            {
                AbstractHeapType.Struct => typeof(StructObject),
                AbstractHeapType.Array => typeof(ArrayObject),
                AbstractHeapType.I31 => typeof(I31Reference),
                AbstractHeapType.Func => typeof(FunctionInstance),
                _ => null,
            };
            if (exact is not null)
            {
                _il.Emit(OpCodes.Isinst, exact);
                _il.Emit(OpCodes.Ldnull);
                _il.Emit(OpCodes.Cgt_Un);
            }
            else
            {
                _il.Emit(OpCodes.Ldc_I4, (int)kind);
                _il.Emit(OpCodes.Call, GcHelper(nameof(JitGc.MatchesAbstract)));
            }
        }
        _il.Mark(done);
    }

    private void EmitGc(Instruction instruction)
    {
        var opcode = instruction.Opcode;
        switch (opcode)
        {
            case Opcode.StructNew:
            {
                var fields = StructTypeAt(instruction.Index).Fields;
                NewValues(fields.Count, i => fields[i].Storage);
                LoadDefinedType(instruction.Index);
                LoadContext();
                _il.Emit(OpCodes.Call, GcHelper(nameof(JitGc.NewStruct)));
                Push(ValueKind.Ref);
                return;
            }
            case Opcode.StructNewDefault:
                LoadDefinedType(instruction.Index);
                LoadContext();
                _il.Emit(OpCodes.Call, GcHelper(nameof(JitGc.NewStructDefault)));
                Push(ValueKind.Ref);
                return;
            case Opcode.StructGet or Opcode.StructGetS or Opcode.StructGetU:
            {
                var storage = StructTypeAt(instruction.Index).Fields[(int)instruction.SecondIndex].Storage;
                Pop(1);
                NonNull(typeof(StructObject), TrapKind.NullStructureReference);
                _il.Emit(OpCodes.Call, StructFields);
                _il.Emit(OpCodes.Ldc_I4, (int)instruction.SecondIndex);
                _il.Emit(OpCodes.Ldelema, typeof(Value));
                LoadField(storage, opcode == Opcode.StructGetS);
                Push(storage.Unpacked.Kind);
                return;
            }
            case Opcode.StructSet:
            {
                var storage = StructTypeAt(instruction.Index).Fields[(int)instruction.SecondIndex].Storage;
                var value = GcTemp(ClrType(Top), 1);
                Pop(2);
                _il.Emit(OpCodes.Stloc, value);
                NonNull(typeof(StructObject), TrapKind.NullStructureReference);
                _il.Emit(OpCodes.Call, StructFields);
                _il.Emit(OpCodes.Ldc_I4, (int)instruction.SecondIndex);
                _il.Emit(OpCodes.Ldelema, typeof(Value));
                _il.Emit(OpCodes.Ldloc, value);
                StoreField(storage);
                return;
            }
            case Opcode.ArrayNew:
            {
                var kind = _stack[^2];
                var length = GcTemp(typeof(int), 1);
                Pop(2);
                _il.Emit(OpCodes.Stloc, length);
                ToValue(kind);
                _il.Emit(OpCodes.Ldloc, length);
                LoadDefinedType(instruction.Index);
                LoadContext();
                _il.Emit(OpCodes.Call, GcHelper(nameof(JitGc.ArrayNew)));
                Push(ValueKind.Ref);
                return;
            }
            case Opcode.ArrayNewDefault:
                Pop(1);
                LoadDefinedType(instruction.Index);
                LoadContext();
                _il.Emit(OpCodes.Call, GcHelper(nameof(JitGc.ArrayNewDefault)));
                Push(ValueKind.Ref);
                return;
            case Opcode.ArrayNewFixed:
            {
                // The operands go in unpacked; GcArrays.NewFixed packs them as array.set does.
                var unpacked = new StorageType(ArrayTypeAt(instruction.Index).Element.Storage.Unpacked);
                NewValues((int)instruction.SecondIndex, _ => unpacked);
                LoadDefinedType(instruction.Index);
                LoadContext();
                _il.Emit(OpCodes.Call, GcHelper(nameof(JitGc.NewArrayFixed)));
                Push(ValueKind.Ref);
                return;
            }
            case Opcode.ArrayNewData or Opcode.ArrayNewElem:
                Pop(2);
                LoadContext();
                _il.Emit(OpCodes.Ldc_I4, (int)instruction.Index);
                _il.Emit(OpCodes.Ldc_I4, (int)instruction.SecondIndex);
                _il.Emit(OpCodes.Call, GcHelper(opcode == Opcode.ArrayNewData ? nameof(JitGc.ArrayNewData) : nameof(JitGc.ArrayNewElem)));
                Push(ValueKind.Ref);
                return;
            case Opcode.ArrayGet or Opcode.ArrayGetS or Opcode.ArrayGetU:
            {
                var storage = ArrayTypeAt(instruction.Index).Element.Storage;
                Pop(2);
                _il.Emit(OpCodes.Call, ArrayGetter(storage, opcode == Opcode.ArrayGetS));
                switch (storage.Unpacked.Kind)
                {
                    case ValueKind.F32:
                        _il.Emit(OpCodes.Call, Helper(nameof(JitRuntime.F32Reinterpret)));
                        break;
                    case ValueKind.F64:
                        _il.Emit(OpCodes.Call, Method(typeof(BitConverter), nameof(BitConverter.Int64BitsToDouble), typeof(long)));
                        break;
                }
                Push(storage.Unpacked.Kind);
                return;
            }
            case Opcode.ArraySet:
            {
                var storage = ArrayTypeAt(instruction.Index).Element.Storage;
                Pop(3);
                switch (storage.Unpacked.Kind)
                {
                    case ValueKind.F32:
                        _il.Emit(OpCodes.Call, Method(typeof(BitConverter), nameof(BitConverter.SingleToInt32Bits), typeof(float)));
                        break;
                    case ValueKind.F64:
                        _il.Emit(OpCodes.Call, Method(typeof(BitConverter), nameof(BitConverter.DoubleToInt64Bits), typeof(double)));
                        break;
                }
                _il.Emit(OpCodes.Call, ArraySetter(storage));
                return;
            }
            case Opcode.ArrayLen:
                Pop(1);
                _il.Emit(OpCodes.Call, ArrayAccessor(nameof(GcArrays.Length)));
                Push(ValueKind.I32);
                return;
            case Opcode.ArrayFill:
            {
                var kind = _stack[^2];
                var count = GcTemp(typeof(int), 1);
                Pop(4);
                _il.Emit(OpCodes.Stloc, count);
                ToValue(kind);
                _il.Emit(OpCodes.Ldloc, count);
                _il.Emit(OpCodes.Call, GcHelper(nameof(JitGc.ArrayFill)));
                return;
            }
            case Opcode.ArrayCopy:
                Pop(5);
                _il.Emit(OpCodes.Call, GcHelper(nameof(JitGc.ArrayCopy)));
                return;
            case Opcode.ArrayInitData or Opcode.ArrayInitElem:
                Pop(4);
                LoadContext();
                _il.Emit(OpCodes.Ldc_I4, (int)instruction.SecondIndex);
                _il.Emit(OpCodes.Call, GcHelper(opcode == Opcode.ArrayInitData ? nameof(JitGc.ArrayInitData) : nameof(JitGc.ArrayInitElem)));
                return;
            case Opcode.RefTest or Opcode.RefTestNull:
                Pop(1);
                Matches(instruction.HeapType, opcode == Opcode.RefTestNull);
                Push(ValueKind.I32);
                return;
            case Opcode.RefCast or Opcode.RefCastNull:
            {
                var reference = GcTemp(typeof(object), 1);
                var ok = _il.DefineLabel();
                Pop(1);
                _il.Emit(OpCodes.Stloc, reference);
                _il.Emit(OpCodes.Ldloc, reference);
                Matches(instruction.HeapType, opcode == Opcode.RefCastNull);
                _il.Emit(OpCodes.Brtrue, ok);
                Throw(TrapKind.CastFailure);
                _il.Mark(ok);
                _il.Emit(OpCodes.Ldloc, reference);
                Push(ValueKind.Ref);
                return;
            }
            case Opcode.BrOnCast or Opcode.BrOnCastFail:
            {
                // The reference stays on the stack either way: it is the label's last value when the branch is taken.
                SpillAll();
                var to = instruction.CastTo;
                var target = Target(instruction.Index);
                var branchIfMatches = opcode == Opcode.BrOnCast;
                _il.Emit(OpCodes.Ldloc, Slot(_stack.Count - 1, ValueKind.Ref));
                Matches(to.Heap, to.Nullable);
                if (_stack.Count - target.LabelTypes.Length == target.Height && !Crosses(target))
                {
                    _il.Emit(branchIfMatches ? OpCodes.Brtrue : OpCodes.Brfalse, target.Label);
                }
                else
                {
                    var skip = _il.DefineLabel();
                    _il.Emit(branchIfMatches ? OpCodes.Brfalse : OpCodes.Brtrue, skip);
                    Branch(instruction.Index);
                    _il.Mark(skip);
                }
                _coverage?.Edge();
                return;
            }
            case Opcode.AnyConvertExtern or Opcode.ExternConvertAny:
                return; // a reference keeps its identity across the any/extern hierarchies
            case Opcode.RefI31:
                Call(1, ValueKind.Ref, GcHelper(nameof(JitGc.RefI31)));
                return;
            case Opcode.I31GetS or Opcode.I31GetU:
                Pop(1);
                NonNull(typeof(I31Reference), TrapKind.NullI31Reference);
                _il.Emit(OpCodes.Call, opcode == Opcode.I31GetS ? I31Value : I31Unsigned);
                Push(ValueKind.I32);
                return;
            default:
                throw new NotSupportedException($"the JIT does not compile {opcode.Name()}");
        }
    }
}
