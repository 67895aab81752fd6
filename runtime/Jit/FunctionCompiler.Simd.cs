using System.Collections.Frozen;
using System.Reflection;
using System.Reflection.Emit;
using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Jit;

/// <summary>
/// Vector memory accesses compiled inline: the operands stay <see cref="V128"/> values on the CIL stack, the address
/// takes the same bounds check as scalar accesses and goes into the access's <see cref="VectorMemory"/> method (shared
/// with the interpreter), which RyuJIT inlines. (The pure vector instructions are dispatched from the instruction
/// table: <see cref="TryEmitPure"/>.)
/// </summary>
internal sealed partial class FunctionCompiler
{
    /// <summary>The <see cref="VectorMemory"/> method of every vector memory access (the table's 0xFD rows with a memory argument), by name.</summary>
    private static readonly FrozenDictionary<Opcode, MethodInfo> VectorMemoryMethods = Enum.GetValues<Opcode>()
        .Where(opcode => ((int)opcode >> 16) == 0xFD && OpcodeTable.Get(opcode).Immediates is ImmediateKind.MemArg or ImmediateKind.MemArgAndLane)
        .ToFrozenDictionary(opcode => opcode, opcode => typeof(VectorMemory).GetMethod(opcode.ToString())
            ?? throw new InvalidOperationException($"VectorMemory has no method for {opcode.Name()}"));

    /// <summary>
    /// Compiles a vector memory access: <c>v128.load*</c> (address → vector), <c>v128.store</c> (address, vector →),
    /// <c>v128.loadN_lane</c> (address, vector → vector) and <c>v128.storeN_lane</c> (address, vector →), the lane
    /// index a constant after the operands. False (nothing emitted) for any other instruction.
    /// </summary>
    private bool TryEmitVectorMemory(Instruction instruction)
    {
        var opcode = instruction.Opcode;
        if (!VectorMemoryMethods.TryGetValue(opcode, out var method))
        {
            return false;
        }
        var info = OpcodeTable.Get(opcode);
        var width = 1 << info.NaturalAlignment; // the access width: its natural alignment
        AccessOperands(instruction.MemArg, width, info.Pops - 1);
        if (info.Immediates == ImmediateKind.MemArgAndLane)
        {
            _il.Emit(OpCodes.Ldc_I4, (int)instruction.LaneIndex);
        }
        _il.Emit(OpCodes.Call, method);
        if (info.Pushes == 1)
        {
            Push(ValueKind.V128);
        }
        return true;
    }
}
