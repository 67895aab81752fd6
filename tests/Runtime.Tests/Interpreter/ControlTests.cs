using WasmHarness.Execution;
using WasmHarness.Syntax;
using WasmHarness.Tests.Execution;
using static WasmHarness.Tests.Execution.ModuleBuilder;

namespace WasmHarness.Tests.Interpreter;

public sealed class ControlTests
{
    private static readonly ValType[] I32 = [ValType.I32];
    private static readonly ValType[] None = [];

    [Fact]
    public void LoopWithBranchSumsToN()
    {
        // sum = 0; do { sum += n; n--; } while (n != 0)
        var builder = new ModuleBuilder();
        builder.Func(I32, I32,
        [
            Block(Opcode.Loop),
            I(Opcode.LocalGet, 1), I(Opcode.LocalGet, 0), I(Opcode.I32Add), I(Opcode.LocalSet, 1),
            I(Opcode.LocalGet, 0), ModuleBuilder.I32(1), I(Opcode.I32Sub), I(Opcode.LocalTee, 0),
            I(Opcode.BrIf, 0),
            I(Opcode.End),
            I(Opcode.LocalGet, 1),
        ], "sum", [ValType.I32]);
        Assert.Equal(5050, builder.Instantiate().Invoke("sum", Value.FromI32(100))[0].I32);
    }

    [Fact]
    public void BranchCarriesValuesOutAndDropsTheRest()
    {
        // (block (result i32) (i32.const 1) (i32.const 2) (i32.const 3) (br 0)) leaves 3 on an empty stack.
        var f = Single(None, I32,
            Block(Opcode.Block, BlockType.Value(ValType.I32)),
            ModuleBuilder.I32(1), ModuleBuilder.I32(2), ModuleBuilder.I32(3), I(Opcode.Br, 0),
            I(Opcode.End));
        Assert.Equal(3, f.Invoke()[0].I32);
    }

    [Fact]
    public void BranchTableSelectsTargetsAndDefault()
    {
        // Three nested blocks; br_table 0 1 2 picks how many of them to leave, each exit returns its own constant.
        var builder2 = new ModuleBuilder();
        builder2.Func(I32, I32,
        [
            Block(Opcode.Block),
            Block(Opcode.Block),
            Block(Opcode.Block),
            I(Opcode.LocalGet, 0),
            Instruction.BrTable([0, 1], 2),
            I(Opcode.End),
            ModuleBuilder.I32(100), I(Opcode.Return),
            I(Opcode.End),
            ModuleBuilder.I32(200), I(Opcode.Return),
            I(Opcode.End),
            ModuleBuilder.I32(300),
        ], "f");
        var instance = builder2.Instantiate();
        Assert.Equal(100, instance.Invoke("f", Value.FromI32(0))[0].I32);
        Assert.Equal(200, instance.Invoke("f", Value.FromI32(1))[0].I32);
        Assert.Equal(300, instance.Invoke("f", Value.FromI32(2))[0].I32);
        Assert.Equal(300, instance.Invoke("f", Value.FromI32(-1))[0].I32);
    }

    [Fact]
    public void IfElseWithMultiValueBlockType()
    {
        var builder = new ModuleBuilder();
        var pair = builder.Type([ValType.I32], [ValType.I32, ValType.I32]);
        builder.Func(I32, [ValType.I32, ValType.I32],
        [
            ModuleBuilder.I32(7),
            I(Opcode.LocalGet, 0),
            Instruction.Block(Opcode.If, BlockType.Indexed(pair)),
            ModuleBuilder.I32(1),
            I(Opcode.Else),
            ModuleBuilder.I32(2),
            I(Opcode.End),
        ], "f");
        var instance = builder.Instantiate();
        var yes = instance.Invoke("f", Value.FromI32(1));
        Assert.Equal([7, 1], yes.Select(v => v.I32));
        var no = instance.Invoke("f", Value.FromI32(0));
        Assert.Equal([7, 2], no.Select(v => v.I32));
    }

    [Fact]
    public void RecursiveFactorial()
    {
        var builder = new ModuleBuilder();
        builder.Func([ValType.I64], [ValType.I64],
        [
            I(Opcode.LocalGet, 0), I(Opcode.I64Eqz),
            Instruction.Block(Opcode.If, BlockType.Value(ValType.I64)),
            ModuleBuilder.I64(1),
            I(Opcode.Else),
            I(Opcode.LocalGet, 0),
            I(Opcode.LocalGet, 0), ModuleBuilder.I64(1), I(Opcode.I64Sub), I(Opcode.Call, 0),
            I(Opcode.I64Mul),
            I(Opcode.End),
        ], "fac");
        Assert.Equal(2432902008176640000L, builder.Instantiate().Invoke("fac", Value.FromI64(20))[0].I64);
    }

    private static ModuleInstance Runaway(EngineOptions? options = null)
    {
        var builder = new ModuleBuilder();
        builder.Func(None, None, [I(Opcode.Call, 0)], "runaway");
        builder.Func(I32, I32, [I(Opcode.LocalGet, 0)], "id");
        return builder.Instantiate(options);
    }

    [Fact]
    public void DeepRecursionTrapsWithCallStackExhausted()
    {
        var instance = Runaway();
        var trap = Assert.Throws<TrapException>(() => instance.Invoke("runaway"));
        Assert.Equal(TrapKind.CallStackExhausted, trap.Kind);
        Assert.Equal("call stack exhausted", trap.Reason);
        // The store is still usable afterwards.
        Assert.Equal(5, instance.Invoke("id", Value.FromI32(5))[0].I32);
    }

    [Fact]
    public void CallDepthLimitIsConfigurable()
    {
        var builder = new ModuleBuilder();
        // f(n) = n == 0 ? 0 : f(n - 1)
        builder.Func(I32, I32,
        [
            I(Opcode.LocalGet, 0), I(Opcode.I32Eqz),
            Instruction.Block(Opcode.If, BlockType.Value(ValType.I32)),
            ModuleBuilder.I32(0),
            I(Opcode.Else),
            I(Opcode.LocalGet, 0), ModuleBuilder.I32(1), I(Opcode.I32Sub), I(Opcode.Call, 0),
            I(Opcode.End),
        ], "down");
        var instance = builder.Instantiate(new EngineOptions { MaxCallDepth = 100 });
        Assert.Equal(0, instance.Invoke("down", Value.FromI32(98))[0].I32);
        Assert.Equal(TrapKind.CallStackExhausted, Assert.Throws<TrapException>(() => instance.Invoke("down", Value.FromI32(100))).Kind);
        var deep = builder.Instantiate(new EngineOptions { MaxCallDepth = 1_000_000 });
        Assert.Equal(0, deep.Invoke("down", Value.FromI32(500_000))[0].I32);
    }

    [Fact]
    public void FuelRunsOut()
    {
        var builder = new ModuleBuilder();
        builder.Func(None, None, [Block(Opcode.Loop), I(Opcode.Br, 0), I(Opcode.End)], "spin");
        var instance = builder.Instantiate(new EngineOptions { Fuel = 10_000 });
        var trap = Assert.Throws<TrapException>(() => instance.Invoke("spin"));
        Assert.Equal(TrapKind.OutOfFuel, trap.Kind);
        Assert.True(trap.Kind.IsExhaustion());
        Assert.Equal(0, instance.Store.Fuel);
        instance.Store.Fuel = 5;
        Assert.Equal(TrapKind.OutOfFuel, Assert.Throws<TrapException>(() => instance.Invoke("spin")).Kind);
    }

    [Fact]
    public void UnreachableTrapsAndDeadCodeIsSkipped()
    {
        var f = Single(None, I32, I(Opcode.Unreachable), I(Opcode.I32Add), Block(Opcode.Block), I(Opcode.End));
        var trap = Assert.Throws<TrapException>(() => f.Invoke());
        Assert.Equal("unreachable", trap.Reason);
    }

    [Fact]
    public void SelectPicksByCondition()
    {
        var f = Single(I32, I32, ModuleBuilder.I32(10), ModuleBuilder.I32(20), I(Opcode.LocalGet, 0), I(Opcode.Select));
        Assert.Equal(10, f.Invoke(Value.FromI32(1))[0].I32);
        Assert.Equal(20, f.Invoke(Value.FromI32(0))[0].I32);
    }

    [Fact]
    public void TailCallsDoNotGrowTheStack()
    {
        var builder = new ModuleBuilder();
        // loop(n, acc) = n == 0 ? acc : return_call loop(n - 1, acc + 1)
        builder.Func([ValType.I32, ValType.I32], I32,
        [
            I(Opcode.LocalGet, 0), I(Opcode.I32Eqz),
            Instruction.Block(Opcode.If, BlockType.Value(ValType.I32)),
            I(Opcode.LocalGet, 1),
            I(Opcode.Else),
            I(Opcode.LocalGet, 0), ModuleBuilder.I32(1), I(Opcode.I32Sub),
            I(Opcode.LocalGet, 1), ModuleBuilder.I32(1), I(Opcode.I32Add),
            I(Opcode.ReturnCall, 0),
            I(Opcode.End),
        ], "count");
        var instance = builder.Instantiate(new EngineOptions { MaxCallDepth = 50 });
        Assert.Equal(1_000_000, instance.Invoke("count", Value.FromI32(1_000_000), Value.FromI32(0))[0].I32);
    }
}

public sealed class HostRecursionTests
{
    [Fact]
    public void DeepRecursionThroughHostFunctionsTrapsInsteadOfCrashing()
    {
        var engine = new Engine(new EngineOptions { MaxCallDepth = 1_000_000 });
        var store = new Store(engine);
        ModuleInstance? instance = null;
        var linker = new Linker().DefineFunction("env", "bounce", new FunctionType([ValType.I32], [ValType.I32]),
            args => instance!.Invoke("down", args[0]));
        instance = CompiledModule.FromText(engine, """
            (module
              (import "env" "bounce" (func $bounce (param i32) (result i32)))
              (func (export "down") (param i32) (result i32)
                (if (result i32) (i32.eqz (local.get 0))
                  (then (i32.const 0))
                  (else (call $bounce (i32.sub (local.get 0) (i32.const 1)))))))
            """).Instantiate(store, linker);
        Assert.Equal(0, instance.Invoke("down", Value.FromI32(100))[0].I32);
        var trap = Assert.Throws<TrapException>(() => instance.Invoke("down", Value.FromI32(10_000_000)));
        Assert.Equal(TrapKind.CallStackExhausted, trap.Kind);
        Assert.Equal(0, instance.Invoke("down", Value.FromI32(10))[0].I32);
    }
}

public sealed class InterruptTests
{
    [Theory]
    [InlineData("(loop $l (br $l))")]
    [InlineData("(loop $l (br_if $l (i32.const 1)))")]
    [InlineData("(loop $l (call $spin2) (br_table $l $l (i32.const 0)))")]
    public void InterruptStopsRunningCodeFromAnotherThread(string body)
    {
        var engine = new Engine();
        var store = new Store(engine);
        var instance = CompiledModule.FromText(engine, $"(module (func $spin (export \"spin\") {body}) (func $spin2) (func (export \"id\") (param i32) (result i32) (local.get 0)))")
            .Instantiate(store);
        using var timer = new Timer(_ => store.Interrupt(), null, 100, Timeout.Infinite);
        var trap = Assert.Throws<TrapException>(() => instance.Invoke("spin"));
        Assert.Equal(TrapKind.Interrupted, trap.Kind);
        Assert.True(trap.Kind.IsExhaustion());
        store.ClearInterrupt();
        Assert.Equal(3, instance.Invoke("id", Value.FromI32(3))[0].I32);
    }
}
