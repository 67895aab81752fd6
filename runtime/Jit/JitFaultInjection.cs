using System.Runtime.CompilerServices;
using WasmHarness.Syntax;

namespace WasmHarness.Jit;

/// <summary>
/// TEST-ONLY seam: makes the JIT miscompile chosen instructions, so the differential oracle can prove it detects
/// real miscompilations of this tier (issue 8, fault-injection benchmark). Inert unless <see cref="Inject"/> is
/// called for an <see cref="Engine"/>: the function compiler then emits IL for each instruction as the rewrite
/// says, which may replace it by a sequence of the same stack effect. Only code compiled for stores of that engine
/// is affected; other engines in the same process, and the interpreter (which has its own seam,
/// <see cref="Interpreter.FaultInjection"/>), are untouched. When no fault is injected the cost is one read of a
/// static flag per instruction compiled, nothing at run time.
/// </summary>
public static class JitFaultInjection
{
    private static readonly ConditionalWeakTable<Engine, Func<Instruction, IReadOnlyList<Instruction>?>> s_faults = [];
    private static volatile bool s_any;

    /// <summary>
    /// Makes <paramref name="engine"/>'s JIT compile every instruction for which <paramref name="rewrite"/> returns a
    /// sequence as that sequence instead (it must have the same stack effect). Never call outside tests.
    /// </summary>
    public static void Inject(Engine engine, Func<Instruction, IReadOnlyList<Instruction>?> rewrite)
    {
        s_faults.AddOrUpdate(engine, rewrite);
        s_any = true;
    }

    /// <summary>
    /// Translates one instruction of a body with <paramref name="translate"/>: the instruction itself, or the sequence
    /// the fault says when one is injected for <paramref name="engine"/>. The compiler's position in the body stays
    /// that of the original instruction, so look-ahead over the body (block structure) is unchanged; faults never
    /// add or remove blocks.
    /// </summary>
    internal static void Translate(Engine engine, Instruction instruction, Action<Instruction> translate)
    {
        if (s_any && s_faults.TryGetValue(engine, out var rewrite) && rewrite(instruction) is { } sequence)
        {
            foreach (var replacement in sequence)
            {
                translate(replacement);
            }
            return;
        }
        translate(instruction);
    }
}
