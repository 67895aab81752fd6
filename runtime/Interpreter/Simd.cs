using System.Runtime.CompilerServices;
using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Interpreter;

/// <summary>
/// The vector instructions that are not pure: memory accesses (loads, stores, lane accesses: the address checked
/// here, the access itself <see cref="VectorMemory"/>'s, shared with the JIT) and the relaxed SIMD instructions, whose
/// result depends on the engine's <see cref="RelaxedSimdMode"/> (their cases are generated from the instruction
/// table, flag <c>mode</c>: <see cref="ExecuteRelaxed"/>). Every other vector instruction is pure: its case is
/// generated too (<see cref="ExecutePure"/>).
/// </summary>
internal sealed unsafe partial class Machine
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V128 At(in Slot slot) => new(slot.Low, slot.High);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(ref Slot slot, V128 value)
    {
        slot.Low = value.Low;
        slot.High = value.High;
        slot.Reference = null;
    }

    /// <summary>A vector instruction, the stack top by value (see <see cref="CallHostCatching"/>): the new top, or -1 when <paramref name="op"/> is none.</summary>
    internal static int ExecuteSimd(in Op op, Slot[] s, int sp, ModuleInstance inst) => ExecuteSimd(op, s, ref sp, inst) ? sp : -1;

    internal static bool ExecuteSimd(in Op op, Slot[] s, ref int sp, ModuleInstance inst)
    {
        if (op.Code is >= Opcode.I8x16RelaxedSwizzle and <= Opcode.I32x4RelaxedDotI8x16I7x16AddS)
        {
            var top = ExecuteRelaxed(op, s, sp, inst.Store.Engine.Options.RelaxedSimd);
            sp = top >= 0 ? top : sp;
            return top >= 0;
        }
        // The bounds-checked address of a <width>-byte access at the address operand in <slot> (memory op.A, offset op.C).
        var (memory, offset) = (op.A, op.C);
        byte* Address(in Slot slot, int width) => inst.Memories[memory].Address(slot.Low, offset, (uint)width);

        switch (op.Code)
        {
            // ---- Memory: loads replace the address, lane loads the address and the vector --------------------
            case Opcode.V128Load: Put(ref s[sp - 1], VectorMemory.V128Load(Address(s[sp - 1], 16))); return true;
            case Opcode.V128Load8x8S: Put(ref s[sp - 1], VectorMemory.V128Load8x8S(Address(s[sp - 1], 8))); return true;
            case Opcode.V128Load8x8U: Put(ref s[sp - 1], VectorMemory.V128Load8x8U(Address(s[sp - 1], 8))); return true;
            case Opcode.V128Load16x4S: Put(ref s[sp - 1], VectorMemory.V128Load16x4S(Address(s[sp - 1], 8))); return true;
            case Opcode.V128Load16x4U: Put(ref s[sp - 1], VectorMemory.V128Load16x4U(Address(s[sp - 1], 8))); return true;
            case Opcode.V128Load32x2S: Put(ref s[sp - 1], VectorMemory.V128Load32x2S(Address(s[sp - 1], 8))); return true;
            case Opcode.V128Load32x2U: Put(ref s[sp - 1], VectorMemory.V128Load32x2U(Address(s[sp - 1], 8))); return true;
            case Opcode.V128Load8Splat: Put(ref s[sp - 1], VectorMemory.V128Load8Splat(Address(s[sp - 1], 1))); return true;
            case Opcode.V128Load16Splat: Put(ref s[sp - 1], VectorMemory.V128Load16Splat(Address(s[sp - 1], 2))); return true;
            case Opcode.V128Load32Splat: Put(ref s[sp - 1], VectorMemory.V128Load32Splat(Address(s[sp - 1], 4))); return true;
            case Opcode.V128Load64Splat: Put(ref s[sp - 1], VectorMemory.V128Load64Splat(Address(s[sp - 1], 8))); return true;
            case Opcode.V128Load32Zero: Put(ref s[sp - 1], VectorMemory.V128Load32Zero(Address(s[sp - 1], 4))); return true;
            case Opcode.V128Load64Zero: Put(ref s[sp - 1], VectorMemory.V128Load64Zero(Address(s[sp - 1], 8))); return true;
            case Opcode.V128Load8Lane: sp--; Put(ref s[sp - 1], VectorMemory.V128Load8Lane(Address(s[sp - 1], 1), At(s[sp]), op.B)); return true;
            case Opcode.V128Load16Lane: sp--; Put(ref s[sp - 1], VectorMemory.V128Load16Lane(Address(s[sp - 1], 2), At(s[sp]), op.B)); return true;
            case Opcode.V128Load32Lane: sp--; Put(ref s[sp - 1], VectorMemory.V128Load32Lane(Address(s[sp - 1], 4), At(s[sp]), op.B)); return true;
            case Opcode.V128Load64Lane: sp--; Put(ref s[sp - 1], VectorMemory.V128Load64Lane(Address(s[sp - 1], 8), At(s[sp]), op.B)); return true;

            // ---- Stores: address and vector popped --------------------------------------------------------------
            case Opcode.V128Store: sp -= 2; VectorMemory.V128Store(Address(s[sp], 16), At(s[sp + 1])); return true;
            case Opcode.V128Store8Lane: sp -= 2; VectorMemory.V128Store8Lane(Address(s[sp], 1), At(s[sp + 1]), op.B); return true;
            case Opcode.V128Store16Lane: sp -= 2; VectorMemory.V128Store16Lane(Address(s[sp], 2), At(s[sp + 1]), op.B); return true;
            case Opcode.V128Store32Lane: sp -= 2; VectorMemory.V128Store32Lane(Address(s[sp], 4), At(s[sp + 1]), op.B); return true;
            case Opcode.V128Store64Lane: sp -= 2; VectorMemory.V128Store64Lane(Address(s[sp], 8), At(s[sp + 1]), op.B); return true;

            case Opcode.I8x16Shuffle:
                return false; // needs the function's constants: handled in Run
            default:
                return false;
        }
    }
}
