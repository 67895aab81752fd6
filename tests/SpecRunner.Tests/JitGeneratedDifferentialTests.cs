using WasmHarness.Wast;
using WasmHarness.Generator;
using WasmHarness.Execution;
using WasmHarness.Syntax;
using Xunit.Abstractions;

namespace WasmHarness.Tests;

/// <summary>
/// Differential: generated modules (valid by construction, self-metering) run on the interpreter and on the JIT,
/// export by export with the same arguments; results (NaNs by class), traps and the final memory must agree.
/// </summary>
public sealed class JitGeneratedDifferentialTests(ITestOutputHelper output)
{
    [Fact]
    public void JitAgreesWithTheInterpreterOnGeneratedModules()
    {
        var problems = new List<string>();
        var calls = 0;
        // JIT_DIFF_SEEDS widens the sweep for a longer local run.
        var seeds = ulong.TryParse(Environment.GetEnvironmentVariable("JIT_DIFF_SEEDS"), out var n) ? n : 400;
        for (var seed = 0UL; seed < seeds; seed++)
        {
            var module = ModuleGenerator.Generate(Unstructured.FromSeed(seed, seed % 2 == 0 ? 4096 : 16384));
            var interp = Instantiate(module, ExecutionTier.Interpreter, out var interpError);
            var jit = Instantiate(module, ExecutionTier.Jit, out var jitError);
            if (interpError != jitError)
            {
                problems.Add($"seed {seed}: instantiation interp {interpError}, jit {jitError}");
                continue;
            }
            if (interp is null || jit is null)
            {
                continue;
            }
            foreach (var (name, value) in interp.Exports.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                if (value is not FunctionInstance reference || name == ModuleGenerator.ResetFuelExport)
                {
                    continue;
                }
                var args = reference.Type.Parameters.Select((t, i) => t.IsReference ? Value.Null : new Value(seed * 0x9E3779B97F4A7C15 + (ulong)i, seed).Normalize(t)).ToArray();
                var expected = Outcome(interp, reference, args);
                var actual = Outcome(jit, jit.GetFunction(name), args);
                calls++;
                if (expected != actual)
                {
                    problems.Add($"seed {seed} {name}: interp {expected}, jit {actual}");
                }
            }
            if (interp.GetExport(ModuleGenerator.MemoryExport) is MemoryInstance memory
                && !memory.Span.SequenceEqual(jit.GetMemory(ModuleGenerator.MemoryExport).Span))
            {
                problems.Add($"seed {seed}: memories differ");
            }
        }
        output.WriteLine($"{calls} calls compared");
        foreach (var p in problems.Take(30))
        {
            output.WriteLine(p);
        }
        Assert.Empty(problems);
    }

    private static ModuleInstance? Instantiate(Module module, ExecutionTier tier, out string? error)
    {
        error = null;
        var engine = new Engine(new EngineOptions { Tier = tier, MaxCallDepth = 1_000 });
        try
        {
            var store = new Store(engine);
            return CompiledModule.Compile(engine, module).Instantiate(store, ProviderModules.Define(HostModule.Define(SpecTestModule.Define(new Linker())), store, module));
        }
        catch (WasmException e)
        {
            error = e.Reason;
            return null;
        }
    }

    private static string Outcome(ModuleInstance instance, FunctionInstance function, Value[] args)
    {
        try
        {
            instance.Invoke(ModuleGenerator.ResetFuelExport);
            var results = function.Invoke(args);
            return string.Join(", ", results.Select((r, i) => Show(r, function.Type.Results[i])));
        }
        catch (TrapException e)
        {
            return "trap " + e.Reason;
        }
        catch (WasmException e)
        {
            return "error " + e.Reason;
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
