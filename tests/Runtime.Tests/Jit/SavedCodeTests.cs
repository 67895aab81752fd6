using WasmHarness.Execution;

namespace WasmHarness.Tests.Jit;

/// <summary>
/// <c>harness compile</c>'s back end: a module's JIT code saved as an assembly runs after <see cref="CompiledModule.Load"/>,
/// and a file that was not written for this runtime, these settings and these module bytes never runs.
/// </summary>
public sealed class SavedCodeTests : IDisposable
{
    private const string Module = """
        (module
          (memory (export "memory") 1)
          (global $calls (mut i32) (i32.const 0))
          (table 1 funcref)
          (elem (i32.const 0) $square)
          (type $t (func (param i32) (result i32)))
          (func $square (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
          (func $fib (param i32) (result i32)
            (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
              (then (local.get 0))
              (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1))) (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
          (func (export "run") (param i32) (result i32)
            (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
            (i32.store (i32.const 0) (global.get $calls))
            (i32.add (call $fib (local.get 0)) (call_indirect (type $t) (local.get 0) (i32.const 0)))))
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("saved-code-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static Engine Jit(long? fuel = null) => new(new EngineOptions { Tier = ExecutionTier.Jit, Fuel = fuel });

    private string Save(Engine engine, string name = "m.dll")
    {
        var path = Path.Combine(_directory, name);
        CompiledModule.FromText(engine, Module).Save(path);
        return path;
    }

    [Fact]
    public void Saved_code_runs_without_compiling_again()
    {
        var path = Save(Jit());
        var engine = Jit();
        var module = CompiledModule.Load(engine, path);
        var instance = module.Instantiate(new Store(engine));
        Assert.Equal(55 + 100, instance.Invoke("run", Value.FromI32(10))[0].I32);
        Assert.Equal(1, instance.GetMemory("memory").Read<int>(0));
        Assert.Equal(0, engine.JitStatistics.Compiled); // every function came from the file
        Assert.True(WasmHarness.Jit.JitModule.For(instance).Runs(2));
    }

    [Fact]
    public void Instances_of_loaded_code_keep_their_own_state()
    {
        var path = Save(Jit());
        var engine = Jit();
        var module = CompiledModule.Load(engine, path);
        var store = new Store(engine);
        var first = module.Instantiate(store);
        var second = module.Instantiate(store);
        first.Invoke("run", Value.FromI32(1));
        first.Invoke("run", Value.FromI32(1));
        second.Invoke("run", Value.FromI32(1));
        Assert.Equal(2, first.GetMemory("memory").Read<int>(0));
        Assert.Equal(1, second.GetMemory("memory").Read<int>(0));
    }

    [Fact]
    public void Changed_module_bytes_are_refused()
    {
        var path = Save(Jit());
        var image = File.ReadAllBytes(path);
        // The module's bytes sit in the attribute blob; its "asm" magic is easy to find and change.
        var at = image.AsSpan().IndexOf("\0asm"u8);
        Assert.True(at > 0);
        image[at + 8] ^= 0x01; // past magic and version: a byte of the first section
        File.WriteAllBytes(path, image);
        var error = Assert.Throws<IncompatibleCodeException>(() => CompiledModule.Load(Jit(), path));
        Assert.Contains("do not match the hash", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Code_of_another_build_of_the_runtime_is_refused()
    {
        var path = Save(Jit());
        var image = File.ReadAllBytes(path);
        var build = System.Text.Encoding.UTF8.GetBytes(WasmHarness.Jit.JitAssembly.EngineBuild);
        var at = image.AsSpan().IndexOf(build);
        Assert.True(at > 0);
        image[at] = (byte)(image[at] == (byte)'0' ? '1' : '0');
        File.WriteAllBytes(path, image);
        var error = Assert.Throws<IncompatibleCodeException>(() => CompiledModule.Load(Jit(), path));
        Assert.Contains("another build of the runtime", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Code_compiled_with_other_settings_is_refused()
    {
        var path = Save(Jit(fuel: 1_000_000));
        var error = Assert.Throws<IncompatibleCodeException>(() => CompiledModule.Load(Jit(), path));
        Assert.Contains("fuel=on", error.Message, StringComparison.Ordinal);
        var metered = Jit(fuel: 5_000_000);
        var instance = CompiledModule.Load(metered, path).Instantiate(new Store(metered));
        Assert.Equal(55 + 100, instance.Invoke("run", Value.FromI32(10))[0].I32);
    }

    [Fact]
    public void Metered_saved_code_still_runs_out_of_fuel()
    {
        var path = Save(Jit(fuel: 1));
        var engine = Jit(fuel: 100);
        var instance = CompiledModule.Load(engine, path).Instantiate(new Store(engine));
        var trap = Assert.Throws<TrapException>(() => instance.Invoke("run", Value.FromI32(25)));
        Assert.Equal(TrapKind.OutOfFuel, trap.Kind);
    }

    [Fact]
    public void Files_not_written_by_compile_are_refused()
    {
        var notAssembly = Path.Combine(_directory, "text.dll");
        File.WriteAllText(notAssembly, "MZ but not a program");
        Assert.Throws<IncompatibleCodeException>(() => CompiledModule.Load(Jit(), notAssembly));
        // A real .NET assembly, but not ours: this test assembly.
        var foreign = typeof(SavedCodeTests).Assembly.Location;
        var error = Assert.Throws<IncompatibleCodeException>(() => CompiledModule.Load(Jit(), foreign));
        Assert.Contains("not written by `harness compile`", error.Message, StringComparison.Ordinal);
        Assert.Throws<IncompatibleCodeException>(() => CompiledModule.Load(Jit(), Path.Combine(_directory, "missing.dll")));
    }
}
