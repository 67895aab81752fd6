using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Tests.Embedding;

/// <summary>
/// Wasm exceptions crossing a C# host function, in both directions and on both tiers: Wasm code catches what a
/// host function throws, and a host function catches (and may rethrow) what the Wasm code it calls throws.
/// </summary>
public sealed class HostExceptionTests
{
    private const string Module = """
        (module
          (import "host" "call" (func $host (param i32) (result i32)))
          (tag $e (export "e") (param i32))
          (func (export "throw") (param i32) (result i32) (throw $e (local.get 0)))
          (func (export "catch-from-host") (param i32) (result i32)
            (block $caught (result i32)
              (try_table (result i32) (catch $e $caught) (call $host (local.get 0)))
              (return))
            (i32.add (i32.const 1000))))
        """;

    public static TheoryData<ExecutionTier> Tiers() => [ExecutionTier.Interpreter, ExecutionTier.Jit];

    /// <summary>An engine of <paramref name="tier"/>, and the functions the JIT leaves to the interpreter (none may be).</summary>
    private static (Engine Engine, List<string> Fallbacks) NewEngine(ExecutionTier tier)
    {
        var fallbacks = new List<string>();
        return (new Engine(new EngineOptions { Tier = tier, JitFallback = (function, reason) => fallbacks.Add($"{function}: {reason}") }), fallbacks);
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void Wasm_catches_an_exception_a_host_function_throws(ExecutionTier tier)
    {
        var (engine, fallbacks) = NewEngine(tier);
        var store = new Store(engine);
        ModuleInstance? instance = null;
        var linker = new Linker().DefineFunction("host", "call", new FunctionType([Syntax.ValType.I32], [Syntax.ValType.I32]), (args, results) =>
        {
            // The host throws a Wasm exception with the module's own tag and a payload of its choosing.
            var tag = (TagInstance)instance!.GetExport("e")!;
            throw new UncaughtException(new ExceptionInstance(tag, [Value.FromI32(args[0].I32 * 2)]));
        });
        instance = CompiledModule.FromText(engine, Module).Instantiate(store, linker);

        Assert.Equal(1042, instance.Invoke("catch-from-host", Value.FromI32(21))[0].I32);
        Assert.Empty(fallbacks); // on the JIT tier every function ran compiled
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void A_host_function_catches_a_wasm_exception_and_wasm_catches_it_again_when_rethrown(ExecutionTier tier)
    {
        var (engine, fallbacks) = NewEngine(tier);
        var store = new Store(engine);
        ModuleInstance? instance = null;
        var seenByHost = new List<int>();
        var linker = new Linker().DefineFunction("host", "call", new FunctionType([Syntax.ValType.I32], [Syntax.ValType.I32]), (args, results) =>
        {
            try
            {
                instance!.Invoke("throw", args[0]);
            }
            catch (UncaughtException e) when (e.Exception.Tag == instance!.GetExport("e"))
            {
                seenByHost.Add(e.Exception.Payload[0].I32);
                if (args[0].I32 < 0)
                {
                    throw; // back into Wasm, which catches it
                }
            }
            results[0] = Value.FromI32(-1);
        });
        instance = CompiledModule.FromText(engine, Module).Instantiate(store, linker);

        Assert.Equal(-1, instance.Invoke("catch-from-host", Value.FromI32(5))[0].I32);
        Assert.Equal(1000 - 7, instance.Invoke("catch-from-host", Value.FromI32(-7))[0].I32);
        Assert.Equal([5, -7], seenByHost);
        Assert.Empty(fallbacks); // on the JIT tier every function ran compiled
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void An_exception_nobody_catches_reaches_the_host_with_its_tag_and_payload(ExecutionTier tier)
    {
        var (engine, fallbacks) = NewEngine(tier);
        var linker = new Linker().DefineFunction("host", "call", new FunctionType([Syntax.ValType.I32], [Syntax.ValType.I32]), (args, results) => results[0] = args[0]);
        var instance = CompiledModule.FromText(engine, Module).Instantiate(new Store(engine), linker);

        var thrown = Assert.Throws<UncaughtException>(() => instance.Invoke("throw", Value.FromI32(9)));
        Assert.Same(instance.GetExport("e"), thrown.Exception.Tag);
        Assert.Equal(9, thrown.Exception.Payload[0].I32);
        Assert.Empty(fallbacks); // on the JIT tier every function ran compiled
    }
}
