using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Interpreter;

/// <summary>SIMD (<c>v128</c>) instructions: stack effects for the compiler.</summary>
internal static class Simd
{
    public static (int Pops, int Pushes) StackEffect(Opcode opcode) =>
        throw new NotSupportedException($"the interpreter does not support {opcode.Name()} yet");
}

internal sealed partial class Machine
{
    private static bool ExecuteSimd(Op op, Slot[] s, ref int sp, ModuleInstance instance) => false;
}
