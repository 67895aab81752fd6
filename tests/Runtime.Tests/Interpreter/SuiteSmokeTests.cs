using WasmHarness.Tests.Shared;
using WasmHarness.Wast;
using WasmHarness.Execution;
using WasmHarness.Syntax;
using WasmHarness.Tests.Support;
using WasmHarness.Text;
using Xunit.Abstractions;

namespace WasmHarness.Tests.Interpreter;

/// <summary>
/// Robustness: every exported function of every module of the suite, called with edge-case arguments (0, 1, all ones,
/// sign bit, a NaN, a page size) under a fuel limit, ends normally or with a <see cref="WasmException"/> (trap,
/// uncaught exception), never another .NET exception. Imports the suite does not define are stubbed.
/// </summary>
public sealed class SuiteSmokeTests(ITestOutputHelper output)
{
    [CoreSuiteFact]
    public void EveryExportOfTheSuiteRunsOrTrapsCleanly()
    {
        var problems = new List<string>();
        var calls = 0;
        foreach (var script in TestSuite.CoreScripts())
        {
            var parsed = WastParser.ParseFile(Path.Combine(TestSuite.Root, script));
            foreach (var command in parsed.Commands)
            {
                if (command is not ModuleCommand { Module: TextScriptModule { Module: { } module } })
                {
                    continue;
                }
                if (SuiteInstances.TryInstantiate(module, new EngineOptions { Fuel = 100_000 }) is not { } instance)
                {
                    continue;
                }
                foreach (var (name, value) in instance.Exports)
                {
                    if (value is not FunctionInstance function)
                    {
                        continue;
                    }
                    foreach (var bits in new ulong[] { 0, 1, ulong.MaxValue, 0x8000_0000, 0x7FF8_0000_0000_0001, 65536 })
                    {
                        calls++;
                        try
                        {
                            instance.Store.Fuel = 100_000;
                            var args = function.Type.Parameters.Select(t => t.IsReference ? Value.Null : new Value(bits, bits)).ToArray();
                            function.Invoke(args);
                        }
                        catch (WasmException)
                        {
                        }
                        catch (Exception e)
                        {
                            problems.Add($"{script}:{command.Location} {name}: {e.GetType().Name}: {e.Message}\n{e.StackTrace?.Split('\n').FirstOrDefault()}");
                        }
                    }
                }
            }
        }
        output.WriteLine($"{calls} calls");
        foreach (var p in problems.Take(40))
        {
            output.WriteLine(p);
        }
        Assert.Empty(problems);
    }
}
