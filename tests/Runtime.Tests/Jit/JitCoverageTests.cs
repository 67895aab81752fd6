using WasmHarness.Tests.Shared;
using WasmHarness.Execution;
using WasmHarness.Jit;
using WasmHarness.Syntax;
using WasmHarness.Tests.Support;
using WasmHarness.Text;

namespace WasmHarness.Tests.Jit;

/// <summary>The JIT compiles every function of the core suite: none is left to the interpreter, for any feature.</summary>
public sealed class JitCoverageTests
{
    [CoreSuiteFact]
    public void EveryFunctionOfTheCoreSuiteCompiles()
    {
        var problems = new List<string>();
        int functions = 0, tailCalls = 0, typedReferences = 0, wideOrSeveralMemories = 0, wideTables = 0;
        foreach (var (where, instance, function) in SuiteInstances.DefinedFunctions())
        {
            functions++;
            var opcodes = function.Code.Body.Instructions.Select(i => i.Opcode).ToHashSet();
            tailCalls += opcodes.Overlaps([Opcode.ReturnCall, Opcode.ReturnCallIndirect, Opcode.ReturnCallRef]) ? 1 : 0;
            typedReferences += opcodes.Overlaps([Opcode.CallRef, Opcode.BrOnNull, Opcode.BrOnNonNull, Opcode.RefAsNonNull]) ? 1 : 0;
            wideOrSeveralMemories += instance.Memories.Length > 1 || instance.Memories.Any(m => m.Is64) ? 1 : 0;
            wideTables += instance.Tables.Any(t => t.Is64) ? 1 : 0;
            if (FunctionCompiler.Unsupported(instance.Validated, (int)function.Index) is { } reason)
            {
                problems.Add($"{where} {function}: {reason}");
            }
        }
        Assert.Empty(problems);
        // The features this guards were exercised (counts on the pinned suite are well above these).
        Assert.True(tailCalls > 40 && typedReferences > 20 && wideOrSeveralMemories > 400 && wideTables > 50,
            $"{functions} functions: {tailCalls} with tail calls, {typedReferences} with typed references, {wideOrSeveralMemories} with memory64 or several memories, {wideTables} with table64");
    }

}
