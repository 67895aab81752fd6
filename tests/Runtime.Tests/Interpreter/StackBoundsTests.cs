using WasmHarness.Execution;
using WasmHarness.Interpreter;
using WasmHarness.Tests.Shared;
using WasmHarness.Tests.Support;
using WasmHarness.Syntax;

namespace WasmHarness.Tests.Interpreter;

/// <summary>
/// The interpreter reads and writes operand slots without bounds checks (<c>Machine.Run</c>), relying on each
/// function's <see cref="CompiledFunction.MaxHeight"/>: entering a function makes room for that many slots. The
/// interpreter's compiler counts it from its own model of the stack; the validator counts the deepest operand stack
/// independently. For every function of every module of the suite the first must cover the locals and the second.
/// The validator also counts what unreachable code pushes (after <c>br</c>, <c>return</c>, a throw...), which the
/// interpreter never runs, so functions with such an instruction are left out: in the others every instruction is
/// reachable and the validator's count is exact.
/// </summary>
public sealed class StackBoundsTests
{
    [CoreSuiteFact]
    public void Every_function_reserves_its_locals_and_the_validators_deepest_operand_stack()
    {
        var problems = new List<string>();
        var functions = 0;
        Opcode[] endingCode = [Opcode.Unreachable, Opcode.Br, Opcode.BrTable, Opcode.Return, Opcode.ReturnCall, Opcode.ReturnCallIndirect,
            Opcode.ReturnCallRef, Opcode.Throw, Opcode.ThrowRef, Opcode.Rethrow];
        foreach (var (where, instance, function) in SuiteInstances.DefinedFunctions())
        {
            if (function.Code.Body.Instructions.Any(i => endingCode.Contains(i.Opcode)))
            {
                continue;
            }
            functions++;
            var compiled = Compiler.For(function);
            var validated = instance.Validated;
            var deepest = validated.Functions[(int)function.Index - validated.ImportedFunctionCount].MaxStackHeight;
            if (compiled.MaxHeight < compiled.LocalCount + deepest)
            {
                problems.Add($"{where} func {function.Index}: MaxHeight {compiled.MaxHeight} < {compiled.LocalCount} locals + {deepest} operands");
            }
        }
        Assert.True(functions > 1000, $"only {functions} functions checked: is the suite there?");
        Assert.True(problems.Count == 0, $"{problems.Count} functions reserve too few slots:\n{string.Join('\n', problems.Take(20))}");
    }
}
