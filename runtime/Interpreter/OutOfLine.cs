using System.Runtime.CompilerServices;
using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Interpreter;

internal sealed partial class Machine
{
    /// <summary>
    /// The instructions the dispatch loop leaves to a call: tables, bulk memory, <c>memory.size</c>/<c>grow</c>,
    /// shuffles, GC, SIMD memory accesses and atomics. Each does a runtime call of its own, so one more call costs
    /// little, and out of <see cref="Run"/> they leave the loop smaller: with these cases inline RyuJIT allocated
    /// registers and laid out the hot cases worse (<c>bench --rate</c> 2.04 against 1.83 G instructions/s, same build
    /// otherwise). Returns the new stack top.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int ExecuteOutOfLine(in Op op, Slot[] s, int sp, ModuleInstance inst, CompiledFunction compiled)
    {
        switch (op.Code)
        {
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

        case Opcode.I8x16Shuffle:
        {
            var lanes = compiled.Constants[op.A];
            sp--;
            Put(ref s[sp - 1], VectorOps.I8x16Shuffle(At(s[sp - 1]), At(s[sp]), (long)lanes.Low, (long)lanes.High));
            break;
        }
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
                return ExecuteGc(op, s, sp, inst);
            default:
                var top = ExecuteSimd(op, s, sp, inst);
                if (top < 0)
                {
                    top = ExecuteAtomic(op, s, sp, inst);
                }
                return top >= 0 ? top : throw new NotSupportedException($"the interpreter does not support {op.Code.Name()} yet");
        }
        return sp;
    }
}
