using WasmHarness.Tests.Shared;
using WasmHarness.Wast;
using WasmHarness.Execution;
using WasmHarness.Syntax;
using WasmHarness.Tests.Support;
using WasmHarness.Text;
using Xunit.Abstractions;

namespace WasmHarness.Tests.Jit;

/// <summary>
/// Differential: every exported function of every module of the suite, called with edge-case arguments on the
/// interpreter and on the JIT (each in its own store, same call sequence), gives the same results (NaNs compared by
/// class) or the same trap. Once either tier runs out of fuel or stack in a module the two may legitimately diverge
/// (their fuel units differ), so the rest of that module is skipped.
/// </summary>
public sealed class JitSuiteDifferentialTests(ITestOutputHelper output)
{
    [CoreSuiteFact]
    public void JitAgreesWithTheInterpreterOnEveryExportOfTheSuite()
    {
        var problems = new List<string>();
        var compared = 0;
        foreach (var script in TestSuite.CoreScripts())
        {
            var parsed = WastParser.ParseFile(Path.Combine(TestSuite.Root, script));
            foreach (var command in parsed.Commands)
            {
                if (command is not ModuleCommand { Module: TextScriptModule { Module: { } module } })
                {
                    continue;
                }
                var interp = SuiteInstances.TryInstantiate(module, Options(ExecutionTier.Interpreter));
                var jit = SuiteInstances.TryInstantiate(module, Options(ExecutionTier.Jit));
                if (interp is null || jit is null)
                {
                    continue;
                }
                var diverged = false;
                foreach (var (name, value) in interp.Exports)
                {
                    if (value is not FunctionInstance reference || diverged)
                    {
                        continue;
                    }
                    var compiled = jit.GetFunction(name);
                    foreach (var bits in new ulong[] { 0, 1, ulong.MaxValue, 0x8000_0000, 0x7FF8_0000_0000_0001, 65536 })
                    {
                        var args = reference.Type.Parameters.Select(t => t.IsReference ? Value.Null : new Value(bits, bits).Normalize(t)).ToArray();
                        var expected = Outcome(interp, reference, args);
                        var actual = Outcome(jit, compiled, args);
                        if (expected.Exhausted || actual.Exhausted)
                        {
                            diverged = true;
                            break;
                        }
                        compared++;
                        if (expected.Text != actual.Text)
                        {
                            problems.Add($"{script}:{command.Location} {name}({bits:x}): interp {expected.Text}, jit {actual.Text}");
                        }
                    }
                }
            }
        }
        output.WriteLine($"{compared} calls compared");
        foreach (var p in problems.Take(40))
        {
            output.WriteLine(p);
        }
        Assert.Empty(problems);
        Assert.True(compared > 10_000);
    }


    private static EngineOptions Options(ExecutionTier tier) => new() { Fuel = 100_000, Tier = tier, MaxCallDepth = 2_000 };

    private static (string Text, bool Exhausted) Outcome(ModuleInstance instance, FunctionInstance function, Value[] args)
    {
        instance.Store.Fuel = 100_000;
        try
        {
            var results = function.Invoke(args);
            return (string.Join(", ", results.Select((r, i) => Show(r, function.Type.Results[i]))), false);
        }
        catch (TrapException e)
        {
            return ("trap " + e.Reason, e.Kind.IsExhaustion());
        }
        catch (WasmException e)
        {
            return ("exception " + e.Reason, false);
        }
    }

    private static string Show(Value value, ValType type) => type.Kind switch
    {
        ValueKind.F32 when float.IsNaN(value.F32) => "f32:nan",
        ValueKind.F64 when double.IsNaN(value.F64) => "f64:nan",
        ValueKind.Ref => value.Reference is null ? "null" : value.Reference.GetType().Name,
        _ => value.ToString(type),
    };
}
