using System.Runtime.CompilerServices;
using WasmHarness.Syntax;

namespace WasmHarness.Interpreter;

/// <summary>
/// TEST-ONLY seam: makes the interpreter miscompile chosen instructions, so the differential oracle can prove it
/// detects real miscompilations (issue 8, fault-injection benchmark). Inert unless <see cref="Inject"/> is called
/// for an <see cref="Engine"/>: the interpreter's compiler then passes each instruction of a function body through
/// the rewrite, which may replace it by a sequence of the same stack effect. Only functions compiled by stores of
/// that engine are affected; other engines in the same process are untouched.
/// </summary>
public static class FaultInjection
{
    private static readonly ConditionalWeakTable<Engine, Func<Instruction, IReadOnlyList<Instruction>?>> s_faults = [];
    private static volatile bool s_any;

    /// <summary>
    /// Makes <paramref name="engine"/>'s interpreter compile every instruction for which <paramref name="rewrite"/>
    /// returns a sequence as that sequence instead (it must have the same stack effect). Never call outside tests.
    /// </summary>
    public static void Inject(Engine engine, Func<Instruction, IReadOnlyList<Instruction>?> rewrite)
    {
        s_faults.AddOrUpdate(engine, rewrite);
        s_any = true;
    }

    /// <summary>The body the compiler translates: the function's own, unless a fault is injected for its engine.</summary>
    internal static IEnumerable<Instruction> Apply(Engine engine, IReadOnlyList<Instruction> body)
    {
        if (!s_any || !s_faults.TryGetValue(engine, out var rewrite))
        {
            return body;
        }
        return body.SelectMany(instruction => rewrite(instruction) ?? [instruction]);
    }
}
