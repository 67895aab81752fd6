using System.Collections.Frozen;
using System.Reflection;
using System.Reflection.Emit;
using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Jit;

/// <summary>
/// Vector instructions compiled inline: the operands stay <see cref="V128"/> values on the CIL stack and go straight
/// into a <see cref="JitSimd"/> method that RyuJIT inlines into <see cref="System.Runtime.Intrinsics.Vector128"/>
/// code; loads and stores take the same bounds check as scalar ones. The others spill to scratch slots and call the
/// interpreter's implementation (<see cref="EmitSimd"/>).
/// </summary>
internal sealed partial class FunctionCompiler
{
    /// <summary>The <see cref="JitSimd"/> method of each inline vector instruction, found by its name.</summary>
    private static readonly FrozenDictionary<Opcode, MethodInfo> InlineSimd = typeof(JitSimd)
        .GetMethods(BindingFlags.Static | BindingFlags.Public)
        .Select(method => (Found: Enum.TryParse<Opcode>(method.Name, out var opcode), Opcode: opcode, Method: method))
        .Where(entry => entry.Found)
        .ToFrozenDictionary(entry => entry.Opcode, entry => entry.Method);

    /// <summary>Bytes each inline vector load reads (and <c>v128.store</c> writes).</summary>
    private static int SimdAccessWidth(Opcode opcode) => opcode switch
    {
        Opcode.V128Load or Opcode.V128Store => 16,
        Opcode.V128Load8Splat => 1,
        Opcode.V128Load16Splat => 2,
        Opcode.V128Load32Splat or Opcode.V128Load32Zero => 4,
        _ => 8, // the 8x8/16x4/32x2 extending loads, load64_splat, load64_zero
    };

    /// <summary>Compiles <paramref name="instruction"/> inline when <see cref="JitSimd"/> has it; false otherwise (nothing emitted).</summary>
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
            var width = SimdAccessWidth(opcode);
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
        var (pops, _) = Interpreter.Simd.StackEffect(opcode);
        var results = SimdResults(opcode) ?? throw new NotSupportedException(opcode.Name());
        Pop(pops);
        if (immediates == ImmediateKind.Lane)
        {
            _il.Emit(OpCodes.Ldc_I4, (int)instruction.LaneIndex);
        }
        _il.Emit(OpCodes.Call, method);
        foreach (var result in results)
        {
            Push(result);
        }
        return true;
    }
}
