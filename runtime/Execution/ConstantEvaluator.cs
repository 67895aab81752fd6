using WasmHarness.Syntax;

namespace WasmHarness.Execution;

/// <summary>
/// Evaluates constant expressions (spec: <c>const</c> instructions): global initializers, segment offsets and
/// element items. Covers numeric constants, <c>ref.null</c>, <c>ref.func</c>, <c>global.get</c> and the
/// extended-constant arithmetic, and the GC allocations allowed in constant expressions.
/// </summary>
internal static class ConstantEvaluator
{
    public static Value Evaluate(Expression expression, ModuleInstance instance)
    {
        var values = new Stack<Value>();
        foreach (var instruction in expression.Instructions)
        {
            switch (instruction.Opcode)
            {
                case Opcode.I32Const: values.Push(Value.FromI32(instruction.I32)); break;
                case Opcode.I64Const: values.Push(Value.FromI64(instruction.I64)); break;
                case Opcode.F32Const: values.Push(Value.FromF32Bits(instruction.F32Bits)); break;
                case Opcode.F64Const: values.Push(Value.FromF64Bits(instruction.F64Bits)); break;
                case Opcode.V128Const: values.Push(Value.FromV128(instruction.V128)); break;
                case Opcode.RefNull: values.Push(Value.Null); break;
                case Opcode.RefFunc: values.Push(Value.FromReference(instance.Functions[instruction.Index])); break;
                case Opcode.GlobalGet: values.Push(instance.Globals[instruction.Index].RawValue); break;
                case Opcode.I32Add: Binary(values, static (a, b) => Value.FromI32(a.I32 + b.I32)); break;
                case Opcode.I32Sub: Binary(values, static (a, b) => Value.FromI32(a.I32 - b.I32)); break;
                case Opcode.I32Mul: Binary(values, static (a, b) => Value.FromI32(a.I32 * b.I32)); break;
                case Opcode.I64Add: Binary(values, static (a, b) => Value.FromI64(a.I64 + b.I64)); break;
                case Opcode.I64Sub: Binary(values, static (a, b) => Value.FromI64(a.I64 - b.I64)); break;
                case Opcode.I64Mul: Binary(values, static (a, b) => Value.FromI64(a.I64 * b.I64)); break;
                case Opcode.RefI31: values.Push(Value.FromReference(I31Reference.Wrap(values.Pop().I32))); break;
                case Opcode.AnyConvertExtern:
                case Opcode.ExternConvertAny:
                    break; // a reference keeps its identity across the any/extern hierarchies
                case Opcode.StructNew:
                {
                    var type = instance.DefinedTypes[instruction.Index];
                    var fields = ((StructType)type.Body).Fields;
                    var fieldValues = new Value[fields.Count];
                    for (var i = fields.Count - 1; i >= 0; i--)
                    {
                        fieldValues[i] = Gc.Pack(fields[i].Storage, values.Pop());
                    }
                    values.Push(Value.FromReference(Gc.NewStruct(instance.Store.GcHeap, type, fieldValues)));
                    break;
                }
                case Opcode.StructNewDefault:
                {
                    var type = instance.DefinedTypes[instruction.Index];
                    values.Push(Value.FromReference(Gc.NewStructDefault(instance.Store.GcHeap, type)));
                    break;
                }
                case Opcode.ArrayNew:
                {
                    var length = (uint)values.Pop().Low;
                    values.Push(Value.FromReference(GcArrays.New(instance.Store.GcHeap, instance.DefinedTypes[instruction.Index], length, values.Pop())));
                    break;
                }
                case Opcode.ArrayNewDefault:
                    values.Push(Value.FromReference(GcArrays.NewDefault(instance.Store.GcHeap, instance.DefinedTypes[instruction.Index], (uint)values.Pop().Low)));
                    break;
                case Opcode.ArrayNewFixed:
                {
                    var elements = new Value[instruction.SecondIndex];
                    for (var i = elements.Length - 1; i >= 0; i--)
                    {
                        elements[i] = values.Pop();
                    }
                    values.Push(Value.FromReference(GcArrays.NewFixed(instance.Store.GcHeap, instance.DefinedTypes[instruction.Index], elements)));
                    break;
                }
                case Opcode.End: break;
                default:
                    throw new NotSupportedException($"constant instruction {instruction.Opcode.Name()} is not supported yet");
            }
        }
        return values.Count == 1 ? values.Pop() : throw new InvalidOperationException("constant expression did not produce one value");
    }

    private static void Binary(Stack<Value> values, Func<Value, Value, Value> op)
    {
        var b = values.Pop();
        var a = values.Pop();
        values.Push(op(a, b));
    }
}
