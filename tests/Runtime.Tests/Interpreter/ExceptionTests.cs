using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Tests.Interpreter;

public sealed class ExceptionTests
{
    private readonly Engine _engine = new();
    private readonly Store _store;
    private readonly Linker _linker = new();

    public ExceptionTests() => _store = new Store(_engine);

    private ModuleInstance Instantiate(string wat) => CompiledModule.FromText(_engine, wat).Instantiate(_store, _linker);

    [Fact]
    public void UncaughtExceptionLeavesTheInvocationWithItsPayload()
    {
        var instance = Instantiate("""
            (module
              (tag $e (export "e") (param i32 i64))
              (func (export "throw") (throw $e (i32.const 7) (i64.const -1))))
            """);
        var e = Assert.Throws<UncaughtException>(() => instance.Invoke("throw"));
        Assert.Same(instance.GetExport("e"), e.Exception.Tag);
        Assert.Equal(7, e.Exception.Payload[0].I32);
        Assert.Equal(-1L, e.Exception.Payload[1].I64);
    }

    [Fact]
    public void ExceptionsUnwindThroughHostFunctionsAndAreCaughtOutside()
    {
        ModuleInstance? instance = null;
        _linker.DefineFunction("env", "callback", new FunctionType([], []), (_, _) => instance!.Invoke("thrower"));
        instance = Instantiate("""
            (module
              (import "env" "callback" (func $callback))
              (tag $e (param i32))
              (func (export "thrower") (throw $e (i32.const 42)))
              (func (export "run") (result i32)
                (block $caught (result i32)
                  (try_table (catch $e $caught) (call $callback))
                  (i32.const -1))))
            """);
        Assert.Equal(42, instance.Invoke("run")[0].I32);
    }

    [Fact]
    public void TrapsAreNotCaughtByCatchAll()
    {
        var instance = Instantiate("""
            (module
              (func (export "run") (result i32)
                (block $caught
                  (try_table (catch_all $caught) (unreachable)))
                (i32.const 1)))
            """);
        Assert.Equal(TrapKind.Unreachable, Assert.Throws<TrapException>(() => instance.Invoke("run")).Kind);
    }

    [Fact]
    public void CatchRefAndThrowRefRethrowTheSameException()
    {
        var instance = Instantiate("""
            (module
              (tag $e (param i32))
              (func $inner (result i32 exnref)
                (try_table (catch_ref $e 0) (throw $e (i32.const 5)))
                (unreachable))
              (func (export "run") (result i32)
                (block $outer (result i32)
                  (try_table (catch $e $outer)
                    (call $inner)
                    (throw_ref))
                  (i32.const -1))))
            """);
        Assert.Equal(5, instance.Invoke("run")[0].I32);
    }

    [Fact]
    public void ThrowRefOfNullTraps()
    {
        var instance = Instantiate("""(module (func (export "run") (throw_ref (ref.null exn))))""");
        Assert.Equal("null exception reference", Assert.Throws<TrapException>(() => instance.Invoke("run")).Reason);
    }

    [Fact]
    public void LegacyTryCatchAndRethrow()
    {
        var instance = Instantiate("""
            (module
              (tag $e (param i32))
              (func (export "run") (param i32) (result i32)
                (try (result i32)
                  (do
                    (try (result i32)
                      (do (throw $e (local.get 0)))
                      (catch $e (drop) (rethrow 0))))
                  (catch $e (i32.add (i32.const 100))))))
            """);
        Assert.Equal(103, instance.Invoke("run", Value.FromI32(3))[0].I32);
    }
}
