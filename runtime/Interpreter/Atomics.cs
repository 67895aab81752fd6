using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Interpreter;

/// <summary>The threads proposal's atomic instructions: operands off the slots, semantics in <see cref="Atomics"/>.</summary>
internal sealed partial class Machine
{
    /// <summary>An atomic instruction, the stack top by value (see <see cref="CallHostCatching"/>): the new top, or -1 when <paramref name="op"/> is none.</summary>
    internal static int ExecuteAtomic(in Op op, Slot[] s, int sp, ModuleInstance inst) => ExecuteAtomic(op, s, ref sp, inst) ? sp : -1;

    internal static bool ExecuteAtomic(in Op op, Slot[] s, ref int sp, ModuleInstance inst)
    {
        if (op.Code == Opcode.AtomicFence)
        {
            Atomics.Fence();
            return true;
        }
        if (!Atomics.TryDescribe(op.Code, out _))
        {
            return false;
        }
        // The address, then at most two operands; i32 slots hold their value zero-extended, as Atomics expects.
        var info = OpcodeTable.Get(op.Code);
        sp -= info.Pops;
        var first = info.Pops > 1 ? s[sp + 1].Low : 0;
        var second = info.Pops > 2 ? s[sp + 2].Low : 0;
        var result = Atomics.Execute(op.Code, inst.Memories[op.A], s[sp].Low, op.C, first, second);
        if (info.Pushes == 1)
        {
            ref var r = ref s[sp++];
            r = default;
            r.Low = result;
        }
        return true;
    }
}
