using WasmHarness.Execution;
using WasmHarness.Jit;
using WasmHarness.Syntax;

namespace WasmHarness.Oracle;

/// <summary>
/// The metamorphic check "a JIT compile is deterministic": the same module compiled twice, each time on a fresh
/// engine and store, must give the same IL for every function. The IL is compared through
/// <see cref="EngineOptions.JitDumpIl"/>, whose listing has one line per emitted instruction with its operand
/// (locals, labels, constants, callee and field names) and ends with the IL size in bytes, so equal listings mean
/// equal IL. Nondeterminism here (iteration over a hash set, a cache shared across compiles, state left by an
/// earlier module) is a bug even when it happens to run the same.
/// </summary>
public static class JitDeterminism
{
    /// <summary>The IL of every function of <paramref name="module"/>, compiled eagerly; null when it is not valid.</summary>
    /// <remarks>
    /// Code is compiled per module, not per instance, so nothing is instantiated: no provider modules, memories or
    /// segments to make twice per checked case (instantiating both copies was most of the check's time).
    /// </remarks>
    public static IReadOnlyList<(string Function, string Il)>? Compile(Module module)
    {
        var listings = new List<(string, string)>();
        var engine = new Engine(new EngineOptions { Tier = ExecutionTier.Jit, JitEager = true, JitEmitOnly = true, JitDumpIl = (name, il) => listings.Add((name, il)) });
        CompiledModule compiled;
        try
        {
            compiled = CompiledModule.Compile(engine, module);
        }
        catch (WasmException)
        {
            return null; // invalid: nothing compiled to compare
        }
        JitModule.For(engine, compiled.Validated); // eager: compiles every function now
        return listings;
    }

    /// <summary>Compiles <paramref name="module"/> twice; null when the IL is the same, else where it first differs.</summary>
    public static string? Check(Module module)
    {
        var first = Compile(module);
        return first is null ? null : Compare(first, Compile(module) ?? []);
    }

    /// <summary>Null when both compiles gave the same IL, else a description of the first difference.</summary>
    public static string? Compare(IReadOnlyList<(string Function, string Il)> first, IReadOnlyList<(string Function, string Il)> second)
    {
        if (first.Count != second.Count)
        {
            return $"JIT IL not deterministic: {first.Count} functions compiled, then {second.Count}";
        }
        for (var i = 0; i < first.Count; i++)
        {
            if (first[i].Function != second[i].Function)
            {
                return $"JIT IL not deterministic: compile order {first[i].Function}, then {second[i].Function}";
            }
            if (first[i].Il != second[i].Il)
            {
                var a = first[i].Il.Split('\n');
                var b = second[i].Il.Split('\n');
                var line = 0;
                while (line < a.Length && line < b.Length && a[line] == b[line])
                {
                    line++;
                }
                string At(string[] lines) => line < lines.Length ? lines[line].Trim() : "(end)";
                return $"JIT IL not deterministic: {first[i].Function} line {line + 1}: '{At(a)}', then '{At(b)}'";
            }
        }
        return null;
    }
}
