using WasmHarness.Execution;
using WasmHarness.Validation;

namespace WasmHarness.Tests.Embedding;

/// <summary>The wasmtime-dotnet-shaped API: typed exports, Caller, memory strings, files, feature switches, interrupts.</summary>
public sealed class TypedApiTests
{
    private const string Text = """
        (module
          (import "env" "seen" (func $seen (param i32)))
          (memory (export "memory") 1)
          (global $g (mut i64) (i64.const 0))
          (func $start (call $seen (i32.const 7)))
          (start $start)
          (func (export "wide") (param i64 f32 f64) (result f64) (f64.add (f64.add (f64.convert_i64_s (local.get 0)) (f64.promote_f32 (local.get 1))) (local.get 2)))
          (func (export "set") (param i64) (global.set $g (local.get 0)))
          (func (export "get") (result i64) (global.get $g))
          (func (export "trap") (unreachable)))
        """;

    [Theory]
    [InlineData(ExecutionTier.Interpreter)]
    [InlineData(ExecutionTier.Jit)]
    public void Typed_exports_call_with_clr_values_and_are_null_when_the_type_differs(ExecutionTier tier)
    {
        var engine = new Engine(new EngineOptions { Tier = tier });
        var linker = new Linker().DefineFunction("env", "seen", (int _) => { });
        var instance = linker.Instantiate(new Store(engine), CompiledModule.FromText(engine, Text));

        Assert.Equal(6.5, instance.GetFunction<long, float, double, double>("wide")!(2, 1.5f, 3));
        instance.GetAction<long>("set")!(-9);
        Assert.Equal(-9L, instance.GetFunction<long>("get")!());
        Assert.Throws<TrapException>(() => instance.GetAction("trap")!());

        Assert.Null(instance.GetFunction<int>("get"));          // i64, not i32
        Assert.Null(instance.GetAction<long>("get"));           // has a result
        Assert.Null(instance.GetFunction<long, long>("set"));   // has none
        Assert.Null(instance.GetFunction<int>("nope"));
        Assert.Null(instance.GetFunction<int>("memory"));       // not a function
    }

    [Fact]
    public void A_caller_names_the_importing_instance_even_in_its_start_function()
    {
        var engine = new Engine();
        var seen = new List<(int, ulong)>();
        var linker = new Linker().DefineFunction("env", "seen", (Caller caller, int value) => seen.Add((value, caller.GetMemory()!.Length)));
        var module = CompiledModule.FromText(engine, Text);
        var store = new Store(engine);
        var first = linker.Instantiate(store, module);
        var second = linker.Instantiate(store, module);
        first.GetMemory("memory").Grow(1);
        Assert.Equal([(7, 65536UL), (7, 65536UL)], seen);

        // Each instance gets its own binding: the callback sees the instance that made the call.
        ModuleInstance? last = null;
        var tracking = new Linker().DefineFunction("env", "seen", new Syntax.FunctionType([Syntax.ValType.I32], []),
            (Caller caller, ReadOnlySpan<Value> args, Span<Value> results) => last = caller.Instance);
        var third = tracking.Instantiate(store, module);
        Assert.Same(third, last);
        Assert.NotSame(first, second);
    }

    [Theory]
    [InlineData(ExecutionTier.Interpreter)]
    [InlineData(ExecutionTier.Jit)]
    public void A_caller_is_the_instance_of_the_calling_function_even_through_a_table_another_instance_filled(ExecutionTier tier)
    {
        // Both instances of the user module put their import of env.who into the provider's table at 0: the second's
        // element segment replaces the first's. A call through the table from the first still comes from the first
        // (wasmtime's Caller is the calling function's instance); a call by the host names the importing instance.
        var engine = new Engine(new EngineOptions { Tier = tier });
        var store = new Store(engine);
        ModuleInstance? last = null;
        var linker = new Linker().DefineFunction("env", "who", new Syntax.FunctionType([], []),
            (Caller caller, ReadOnlySpan<Value> args, Span<Value> results) => last = caller.Instance);
        var provider = linker.Instantiate(store, CompiledModule.FromText(engine, """(module (table (export "t") 1 funcref))"""));
        linker.DefineInstance("p", provider);
        var user = CompiledModule.FromText(engine, """
            (module
              (import "env" "who" (func $who))
              (import "p" "t" (table 1 funcref))
              (type $v (func))
              (elem (i32.const 0) $who)
              (func (export "call") (call_indirect (type $v) (i32.const 0))))
            """);
        var first = linker.Instantiate(store, user);
        var second = linker.Instantiate(store, user);
        first.Invoke("call");
        Assert.Same(first, last);
        second.Invoke("call");
        Assert.Same(second, last);
        ((FunctionInstance)provider.GetTable("t").Get(0)!).Invoke();
        Assert.Same(second, last);
    }

    [Fact]
    public void Strings_go_in_and_out_of_memory_and_out_of_bounds_traps()
    {
        var engine = new Engine();
        var instance = new Linker().DefineFunction("env", "seen", (int _) => { }).Instantiate(new Store(engine), CompiledModule.FromText(engine, Text));
        var memory = instance.GetMemory("memory");
        Assert.Equal(6, memory.WriteString(10, "héllo"));
        Assert.Equal("héllo", memory.ReadString(10, 6));
        Assert.Equal("héllo", memory.ReadNullTerminatedString(10));
        Assert.Equal(4, memory.WriteString(20, "hé", System.Text.Encoding.Unicode));
        Assert.Equal("hé", memory.ReadString(20, 4, System.Text.Encoding.Unicode));
        Assert.Equal(TrapKind.OutOfBoundsMemoryAccess, Assert.Throws<TrapException>(() => memory.ReadString(65530, 10)).Kind);
        Assert.Equal(TrapKind.OutOfBoundsMemoryAccess, Assert.Throws<TrapException>(() => memory.WriteString(65535, "ab")).Kind);
    }

    [Fact]
    public void Modules_come_from_binary_or_text_files()
    {
        var engine = new Engine();
        var directory = Directory.CreateTempSubdirectory("modules");
        try
        {
            var text = Path.Combine(directory.FullName, "m.wat");
            File.WriteAllText(text, """(module (func (export "one") (result i32) (i32.const 1)))""");
            var binary = Path.Combine(directory.FullName, "m.wasm");
            File.WriteAllBytes(binary, WasmHarness.Binary.ModuleEncoder.Encode(CompiledModule.FromTextFile(engine, text).Module));
            foreach (var path in new[] { text, binary })
            {
                var instance = CompiledModule.FromFile(engine, path).Instantiate(new Store(engine));
                Assert.Equal(1, instance.GetFunction<int>("one")!());
            }

            // A syntax error names the file, line and column; SourceExcerpt shows the line with a caret.
            var bad = Path.Combine(directory.FullName, "bad.wat");
            File.WriteAllText(bad, "(module\n  (func (i32.konst 1)))");
            var error = Assert.Throws<TextFormatException>(() => CompiledModule.FromFile(engine, bad));
            Assert.Equal($"{bad}:2:10: unknown operator i32.konst", error.Message);
            Assert.Equal("2 |   (func (i32.konst 1)))\n  |          ^", WasmHarness.Text.SourceExcerpt.Render(File.ReadAllText(bad), error.Location));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_feature_switched_off_refuses_modules_that_use_it_on_every_path()
    {
        var engine = new Engine(new EngineOptions { Features = WasmFeatures.All & ~WasmFeatures.Simd });
        const string simd = """(module (func (param v128)))""";
        Assert.Equal("simd support is not enabled", Assert.Throws<InvalidModuleException>(() => CompiledModule.FromText(engine, simd)).Message);
        var parsed = WasmHarness.Text.WatParser.ParseModule(simd);
        Assert.Throws<InvalidModuleException>(() => { new Linker().Instantiate(new Store(engine), parsed); });
        Assert.Equal(WasmFeatures.Simd, FeatureGate.Of(parsed));
        Assert.Equal(WasmFeatures.Gc | WasmFeatures.FunctionReferences, FeatureGate.Of(WasmHarness.Text.WatParser.ParseModule("(module (type (struct)) (func (param (ref 0))))")) & (WasmFeatures.Gc | WasmFeatures.FunctionReferences));
        CompiledModule.FromText(engine, "(module (func (param i32)))"); // no SIMD: accepted
    }

    [Theory]
    [InlineData(ExecutionTier.Interpreter, false)]
    [InlineData(ExecutionTier.Jit, true)]
    public void An_interrupt_stops_a_loop_on_either_tier(ExecutionTier tier, bool checks)
    {
        var engine = new Engine(new EngineOptions { Tier = tier, JitInterruptChecks = checks });
        var store = new Store(engine);
        var instance = CompiledModule.FromText(engine, """(module (func (export "spin") (loop $l (br $l))))""").Instantiate(store);
        using var timer = new Timer(_ => store.Interrupt(), null, 100, Timeout.Infinite);
        Assert.Equal(TrapKind.Interrupted, Assert.Throws<TrapException>(() => instance.GetAction("spin")!()).Kind);
    }
}
