using System.Collections.Frozen;
using System.Reflection;
using System.Reflection.Emit;
using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Jit;

/// <summary>
/// Vector memory accesses compiled inline: the operands stay <see cref="V128"/> values on the CIL stack, the address
/// takes the same bounds check as scalar accesses and goes into a <see cref="JitSimd"/> method that RyuJIT inlines.
/// (The pure vector instructions are dispatched from the instruction table: <see cref="TryEmitPure"/>.)
/// </summary>
internal sealed partial class FunctionCompiler
{
    /// <summary>The <see cref="JitSimd"/> method of each vector memory access compiled inline (the lane accesses are not).</summary>
    private static readonly FrozenDictionary<Opcode, MethodInfo> InlineSimd = new Dictionary<Opcode, string>
    {
        [Opcode.V128Load] = nameof(JitSimd.V128Load),
        [Opcode.V128Store] = nameof(JitSimd.V128Store),
        [Opcode.V128Load8x8S] = nameof(JitSimd.V128Load8x8S),
        [Opcode.V128Load8x8U] = nameof(JitSimd.V128Load8x8U),
        [Opcode.V128Load16x4S] = nameof(JitSimd.V128Load16x4S),
        [Opcode.V128Load16x4U] = nameof(JitSimd.V128Load16x4U),
        [Opcode.V128Load32x2S] = nameof(JitSimd.V128Load32x2S),
        [Opcode.V128Load32x2U] = nameof(JitSimd.V128Load32x2U),
        [Opcode.V128Load8Splat] = nameof(JitSimd.V128Load8Splat),
        [Opcode.V128Load16Splat] = nameof(JitSimd.V128Load16Splat),
        [Opcode.V128Load32Splat] = nameof(JitSimd.V128Load32Splat),
        [Opcode.V128Load64Splat] = nameof(JitSimd.V128Load64Splat),
        [Opcode.V128Load32Zero] = nameof(JitSimd.V128Load32Zero),
        [Opcode.V128Load64Zero] = nameof(JitSimd.V128Load64Zero),
    }.ToFrozenDictionary(entry => entry.Key, entry => typeof(JitSimd).GetMethod(entry.Value)!);

    /// <summary>Compiles a vector memory access inline when <see cref="JitSimd"/> has it; false otherwise (nothing emitted).</summary>
    private bool TryEmitSimdInline(Instruction instruction)
    {
        var opcode = instruction.Opcode;
        if (!InlineSimd.TryGetValue(opcode, out var method))
        {
            return false;
        }
        var immediates = OpcodeTable.Get(opcode).Immediates;
        if (immediates == ImmediateKind.MemArg)
        {
            var width = 1 << OpcodeTable.Get(opcode).NaturalAlignment; // the access width: its natural alignment
            if (opcode == Opcode.V128Store)
            {
                Pop(2);
                var value = Temp(ValueKind.V128);
                _il.Emit(OpCodes.Stloc, value);
                EffectiveAddress(instruction.MemArg, width);
                _il.Emit(OpCodes.Ldloc, value);
                _il.Emit(OpCodes.Call, method);
                return true;
            }
            Pop(1);
            EffectiveAddress(instruction.MemArg, width);
            _il.Emit(OpCodes.Call, method);
            Push(ValueKind.V128);
            return true;
        }
        return false;
    }
}
