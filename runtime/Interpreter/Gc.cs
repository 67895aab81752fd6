using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Interpreter;

/// <summary>The GC instructions (structs, arrays, i31, casts), one case per instruction; the shared semantics live in <see cref="Execution.Gc"/>.</summary>
internal sealed partial class Machine
{
    private static HeapType DecodeHeap(int code) => code >= 0 ? HeapType.Concrete((uint)code) : HeapType.Abstract((AbstractHeapType)code);

    private static StructObject StructOf(in Slot slot) =>
        slot.Reference as StructObject ?? throw new TrapException(TrapKind.NullStructureReference);

    /// <summary>A GC instruction, the stack top by value (see <see cref="CallHostCatching"/>): the new top.</summary>
    private static int ExecuteGc(in Op op, Slot[] s, int sp, ModuleInstance inst)
    {
        ExecuteGc(op, s, ref sp, inst);
        return sp;
    }

    private static void ExecuteGc(in Op op, Slot[] s, ref int sp, ModuleInstance inst)
    {
        switch (op.Code)
        {
            case Opcode.StructNew:
            {
                var type = inst.DefinedTypes[op.A];
                var fields = ((StructType)type.Body).Fields;
                var values = new Value[fields.Count];
                sp -= values.Length;
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = Gc.Pack(fields[i].Storage, ToValue(s[sp + i]));
                }
                s[sp++] = new Slot { Reference = Gc.NewStruct(inst.Store.GcHeap, type, values) };
                break;
            }
            case Opcode.StructNewDefault:
            {
                var type = inst.DefinedTypes[op.A];
                s[sp++] = new Slot { Reference = Gc.NewStructDefault(inst.Store.GcHeap, type) };
                break;
            }
            case Opcode.StructGet:
            case Opcode.StructGetS:
            case Opcode.StructGetU:
            {
                ref var r = ref s[sp - 1];
                var obj = StructOf(r);
                var storage = ((StructType)obj.Type.Body).Fields[op.B].Storage;
                r = ToSlot(Gc.Unpack(storage, obj.Fields[op.B], op.Code == Opcode.StructGetS));
                break;
            }
            case Opcode.StructSet:
            {
                sp -= 2;
                var obj = StructOf(s[sp]);
                obj.Fields[op.B] = Gc.Pack(((StructType)obj.Type.Body).Fields[op.B].Storage, ToValue(s[sp + 1]));
                break;
            }
            case Opcode.ArrayNew:
            {
                sp--;
                ref var r = ref s[sp - 1];
                r = new Slot { Reference = GcArrays.New(inst.Store.GcHeap, inst.DefinedTypes[op.A], (uint)s[sp].Low, ToValue(r)) };
                break;
            }
            case Opcode.ArrayNewDefault:
            {
                ref var r = ref s[sp - 1];
                r = new Slot { Reference = GcArrays.NewDefault(inst.Store.GcHeap, inst.DefinedTypes[op.A], (uint)r.Low) };
                break;
            }
            case Opcode.ArrayNewFixed:
            {
                var values = new Value[op.B];
                sp -= values.Length;
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = ToValue(s[sp + i]);
                }
                s[sp++] = new Slot { Reference = GcArrays.NewFixed(inst.Store.GcHeap, inst.DefinedTypes[op.A], values) };
                break;
            }
            case Opcode.ArrayNewData:
            {
                sp--;
                ref var r = ref s[sp - 1];
                r = new Slot { Reference = GcArrays.NewData(inst.Store.GcHeap, inst.DefinedTypes[op.A], inst.Data[op.B], (uint)r.Low, (uint)s[sp].Low) };
                break;
            }
            case Opcode.ArrayNewElem:
            {
                sp--;
                ref var r = ref s[sp - 1];
                r = new Slot { Reference = GcArrays.NewElements(inst.Store.GcHeap, inst.DefinedTypes[op.A], inst.Elements[op.B], (uint)r.Low, (uint)s[sp].Low) };
                break;
            }
            case Opcode.ArrayGet:
            case Opcode.ArrayGetS:
            case Opcode.ArrayGetU:
            {
                sp--;
                ref var r = ref s[sp - 1];
                r = ToSlot(GcArrays.Get(r.Reference, (uint)s[sp].Low, op.Code == Opcode.ArrayGetS));
                break;
            }
            case Opcode.ArraySet:
                sp -= 3;
                GcArrays.Set(s[sp].Reference, (uint)s[sp + 1].Low, ToValue(s[sp + 2]));
                break;
            case Opcode.ArrayLen:
            {
                ref var r = ref s[sp - 1];
                r = new Slot { Low = (uint)GcArrays.Length(r.Reference) };
                break;
            }
            case Opcode.ArrayFill:
                sp -= 4;
                GcArrays.Fill(s[sp].Reference, (uint)s[sp + 1].Low, ToValue(s[sp + 2]), (uint)s[sp + 3].Low);
                break;
            case Opcode.ArrayCopy:
                sp -= 5;
                GcArrays.Copy(s[sp].Reference, (uint)s[sp + 1].Low, s[sp + 2].Reference, (uint)s[sp + 3].Low, (uint)s[sp + 4].Low);
                break;
            case Opcode.ArrayInitData:
                sp -= 4;
                GcArrays.InitData(s[sp].Reference, (uint)s[sp + 1].Low, inst.Data[op.B], (uint)s[sp + 2].Low, (uint)s[sp + 3].Low);
                break;
            case Opcode.ArrayInitElem:
                sp -= 4;
                GcArrays.InitElements(s[sp].Reference, (uint)s[sp + 1].Low, inst.Elements[op.B], (uint)s[sp + 2].Low, (uint)s[sp + 3].Low);
                break;
            case Opcode.RefTest:
            case Opcode.RefTestNull:
            {
                ref var r = ref s[sp - 1];
                r = new Slot { Low = Gc.Matches(r.Reference, DecodeHeap(op.A), op.B != 0) ? 1u : 0u };
                break;
            }
            case Opcode.RefCast:
            case Opcode.RefCastNull:
                if (!Gc.Matches(s[sp - 1].Reference, DecodeHeap(op.A), op.B != 0))
                {
                    TrapException.Throw(TrapKind.CastFailure);
                }
                break;
            case Opcode.BrOnCast:
            case Opcode.BrOnCastFail:
            {
                // Leaves a condition for the BrIf that follows; the reference stays below it.
                var matches = Gc.Matches(s[sp - 1].Reference, DecodeHeap(op.A), op.B != 0);
                s[sp++] = new Slot { Low = matches == (op.Code == Opcode.BrOnCast) ? 1u : 0u };
                break;
            }
            case Opcode.RefI31:
            {
                ref var r = ref s[sp - 1];
                r = new Slot { Reference = I31Reference.Wrap((int)r.Low) };
                break;
            }
            case Opcode.I31GetS:
            case Opcode.I31GetU:
            {
                ref var r = ref s[sp - 1];
                var i31 = r.Reference as I31Reference ?? throw new TrapException(TrapKind.NullI31Reference);
                r = new Slot { Low = op.Code == Opcode.I31GetS ? (uint)i31.Value : i31.Unsigned };
                break;
            }
            default:
                throw new NotSupportedException($"the interpreter does not support {op.Code.Name()} yet");
        }
    }
}
