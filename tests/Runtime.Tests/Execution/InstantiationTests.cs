using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Tests.Execution;

public sealed class InstantiationTests
{
    private readonly Engine _engine = new();
    private readonly Store _store;
    private readonly Linker _linker = new();

    public InstantiationTests() => _store = new Store(_engine);

    private ModuleInstance Instantiate(string wat) => CompiledModule.FromText(_engine, wat).Instantiate(_store, _linker);

    [Fact]
    public void MissingImportIsUnknownImport()
    {
        var e = Assert.Throws<LinkException>(() => Instantiate("""(module (func (import "env" "missing")))"""));
        Assert.Equal("unknown import", e.Reason);
    }

    [Fact]
    public void ImportsOfTheWrongKindOrTypeAreIncompatible()
    {
        _linker.DefineFunction("env", "f", new FunctionType([ValType.I32], []), (_, _) => { });
        _linker.Define("env", "g", new GlobalInstance(new GlobalType(ValType.I32, Mutable: false), Value.FromI32(1)));
        _linker.Define("env", "mem", new MemoryInstance(new MemoryType(new Limits(1, 2))));
        Assert.Equal("incompatible import type", Assert.Throws<LinkException>(() => Instantiate("""(module (func (import "env" "f") (param i64)))""")).Reason);
        Assert.Equal("incompatible import type", Assert.Throws<LinkException>(() => Instantiate("""(module (global (import "env" "f") i32))""")).Reason);
        Assert.Equal("incompatible import type", Assert.Throws<LinkException>(() => Instantiate("""(module (global (import "env" "g") (mut i32)))""")).Reason);
        Assert.Equal("incompatible import type", Assert.Throws<LinkException>(() => Instantiate("""(module (memory (import "env" "mem") 2))""")).Reason);
        Assert.Equal("incompatible import type", Assert.Throws<LinkException>(() => Instantiate("""(module (memory (import "env" "mem") 1 1))""")).Reason);
        // These match: a larger range is fine where the import asks for less.
        Instantiate("""(module (func (import "env" "f") (param i32)) (global (import "env" "g") i32) (memory (import "env" "mem") 1 3))""");
    }

    [Fact]
    public void SegmentsRunInOrderAndATrapKeepsEarlierWrites()
    {
        var exporter = Instantiate("""
            (module
              (memory (export "mem") 1)
              (table (export "tab") 10 funcref)
              (func (export "f") (result i32) (i32.const 42)))
            """);
        _linker.DefineInstance("m", exporter);
        // Element segments are written before data segments; the second data segment is out of bounds,
        // so instantiation traps after the table write and the first data write have happened.
        var trap = Assert.Throws<TrapException>(() => Instantiate("""
            (module
              (import "m" "mem" (memory 1))
              (import "m" "tab" (table 10 funcref))
              (import "m" "f" (func $f (result i32)))
              (elem (i32.const 3) func $f)
              (data (i32.const 0) "\01\02")
              (data (i32.const 65535) "\03\04")
              (func $start unreachable)
              (start $start))
            """));
        Assert.Equal(TrapKind.OutOfBoundsMemoryAccess, trap.Kind);
        Assert.Same(exporter.GetFunction("f"), exporter.GetTable("tab").Get(3));
        Assert.Equal([1, 2], exporter.GetMemory("mem").Span[..2].ToArray());
        Assert.Equal(0, exporter.GetMemory("mem").Span[65535]); // the failing segment wrote nothing
    }

    [Fact]
    public void ElementSegmentOutOfBoundsTrapsBeforeData()
    {
        var exporter = Instantiate("""(module (memory (export "mem") 1) (table (export "tab") 2 funcref))""");
        _linker.DefineInstance("m", exporter);
        var trap = Assert.Throws<TrapException>(() => Instantiate("""
            (module
              (import "m" "mem" (memory 1))
              (import "m" "tab" (table 2 funcref))
              (func $g)
              (elem (i32.const 1) func $g $g)
              (data (i32.const 0) "\07"))
            """));
        Assert.Equal("out of bounds table access", trap.Reason);
        Assert.Equal(0, exporter.GetMemory("mem").Span[0]);
    }

    [Fact]
    public void StartRunsLastAndSeesInitializedState()
    {
        var instance = Instantiate("""
            (module
              (global $g (mut i32) (i32.const 0))
              (memory 1)
              (data (i32.const 0) "\05")
              (func $start (global.set $g (i32.add (i32.load8_u (i32.const 0)) (i32.const 10))))
              (start $start)
              (export "g" (global $g)))
            """);
        Assert.Equal(15, instance.GetGlobal("g").Value.I32);
    }

    [Fact]
    public void GlobalInitializersSeeImportsAndEarlierGlobals()
    {
        _linker.Define("env", "base", new GlobalInstance(new GlobalType(ValType.I64, false), Value.FromI64(40)));
        var instance = Instantiate("""
            (module
              (global $base (import "env" "base") i64)
              (global $a i64 (i64.add (global.get $base) (i64.const 1)))
              (global $b (export "b") i64 (i64.add (global.get $a) (i64.const 1))))
            """);
        Assert.Equal(42, instance.GetGlobal("b").Value.I64);
    }

    [Fact]
    public void HostFunctionsAreCalledAndMayCallBackIn()
    {
        ModuleInstance? instance = null;
        var calls = 0;
        _linker.DefineFunction("env", "twice", new FunctionType([ValType.I32], [ValType.I32]), args =>
        {
            calls++;
            // Re-enter the interpreter from the host.
            var inner = instance!.Invoke("inc", args[0])[0];
            return [Value.FromI32(inner.I32 * 2)];
        });
        instance = Instantiate("""
            (module
              (import "env" "twice" (func $twice (param i32) (result i32)))
              (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
              (func (export "run") (param i32) (result i32) (i32.add (call $twice (local.get 0)) (i32.const 100))))
            """);
        Assert.Equal(122, instance.Invoke("run", Value.FromI32(10))[0].I32);
        Assert.Equal(1, calls);
    }

    [Fact]
    public void HostTrapsPropagateAndTheStoreRecovers()
    {
        _linker.DefineFunction("env", "fail", new FunctionType([], []), (_, _) => throw new TrapException(TrapKind.Unreachable, "host says no"));
        var instance = Instantiate("""
            (module
              (import "env" "fail" (func $fail))
              (func (export "run") (param i32) (result i32) (call $fail) (local.get 0))
              (func (export "id") (param i32) (result i32) (local.get 0)))
            """);
        Assert.Equal(TrapKind.Unreachable, Assert.Throws<TrapException>(() => instance.Invoke("run", Value.FromI32(1))).Kind);
        Assert.Equal(7, instance.Invoke("id", Value.FromI32(7))[0].I32);
    }

    [Fact]
    public void FunctionsCallAcrossInstancesAndTablesHoldForeignFunctions()
    {
        var a = Instantiate("""
            (module
              (memory 1)
              (func (export "store") (param i32) (i32.store (i32.const 0) (local.get 0)))
              (func (export "load") (result i32) (i32.load (i32.const 0))))
            """);
        _linker.DefineInstance("a", a);
        var b = Instantiate("""
            (module
              (type $v (func (param i32)))
              (import "a" "store" (func $store (param i32)))
              (table 1 funcref)
              (elem (i32.const 0) $store)
              (func (export "run") (param i32) (call_indirect (type $v) (local.get 0) (i32.const 0))))
            """);
        b.Invoke("run", Value.FromI32(99));
        Assert.Equal(99, a.Invoke("load")[0].I32);
    }

    [Fact]
    public void IndirectCallTraps()
    {
        var instance = Instantiate("""
            (module
              (type $i (func (result i32)))
              (type $l (func (result i64)))
              (table 3 funcref)
              (elem (i32.const 0) $one $two)
              (func $one (result i32) (i32.const 1))
              (func $two (result i64) (i64.const 2))
              (func (export "call") (param i32) (result i32) (call_indirect (type $i) (local.get 0))))
            """);
        Assert.Equal(1, instance.Invoke("call", Value.FromI32(0))[0].I32);
        Assert.Equal("indirect call type mismatch", Assert.Throws<TrapException>(() => instance.Invoke("call", Value.FromI32(1))).Reason);
        var uninitialized = Assert.Throws<TrapException>(() => instance.Invoke("call", Value.FromI32(2)));
        Assert.Equal(TrapKind.UninitializedElement, uninitialized.Kind);
        Assert.Equal("uninitialized element 2", uninitialized.Reason); // with the index, as the reference interpreter says it
        var undefined = Assert.Throws<TrapException>(() => instance.Invoke("call", Value.FromI32(3)));
        Assert.Equal(TrapKind.UndefinedElement, undefined.Kind);
        Assert.Equal("undefined element 3", undefined.Reason);
    }

    [Fact]
    public void InvalidModulesAreRejectedAtCompile()
    {
        Assert.Throws<InvalidModuleException>(() => CompiledModule.FromText(_engine, "(module (func (result i32)))"));
    }

    [Fact]
    public void BinaryModulesCompile()
    {
        // (module (func (export "f") (result i32) i32.const 7))
        byte[] bytes =
        [
            0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00,
            0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7F,
            0x03, 0x02, 0x01, 0x00,
            0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00,
            0x0A, 0x06, 0x01, 0x04, 0x00, 0x41, 0x07, 0x0B,
        ];
        var module = CompiledModule.FromBinary(_engine, bytes);
        Assert.Equal(7, module.Instantiate(_store).Invoke("f")[0].I32);
    }

    [Fact]
    public void ExportedGlobalsAreTypedAndGuarded()
    {
        var instance = Instantiate("""(module (global (export "c") i32 (i32.const 1)) (global (export "m") (mut f64) (f64.const 1.5)))""");
        Assert.Throws<InvalidOperationException>(() => instance.GetGlobal("c").Value = Value.FromI32(2));
        instance.GetGlobal("m").Value = Value.FromF64(2.5);
        Assert.Equal(2.5, instance.GetGlobal("m").Value.F64);
        Assert.Throws<KeyNotFoundException>(() => instance.GetFunction("c"));
    }

    [Fact]
    public void ValuesFromTheHostAreNormalizedToTheirType()
    {
        _linker.DefineFunction("env", "dirty", new FunctionType([], [ValType.I32]), (_, results) => results[0] = new Value(ulong.MaxValue));
        var instance = Instantiate("""
            (module
              (import "env" "dirty" (func $dirty (result i32)))
              (func (export "widen") (param i32) (result i64) (i64.extend_i32_u (local.get 0)))
              (func (export "widen-host") (result i64) (i64.extend_i32_u (call $dirty))))
            """);
        Assert.Equal(0xFFFF_FFFFL, instance.Invoke("widen", new Value(ulong.MaxValue))[0].I64);
        Assert.Equal(0xFFFF_FFFFL, instance.Invoke("widen-host")[0].I64);
    }

    [Fact]
    public void HostFunctionsFromTypedDelegates()
    {
        var seen = new List<object?>();
        _linker.DefineFunction("env", "add", (int a, long b) => a + b);
        _linker.DefineFunction("env", "half", (double x) => (float)(x / 2));
        _linker.DefineFunction("env", "see", (Value v) => seen.Add(v.Reference));
        _linker.DefineFunction("env", "fail", new Action<int>(code => throw new TrapException(TrapKind.Unreachable, $"code {code}")));
        var instance = Instantiate("""
            (module
              (import "env" "add" (func $add (param i32 i64) (result i64)))
              (import "env" "half" (func $half (param f64) (result f32)))
              (import "env" "see" (func $see (param externref)))
              (import "env" "fail" (func $fail (param i32)))
              (func (export "run") (param externref) (result i64 f32)
                (call $see (local.get 0))
                (call $add (i32.const 2) (i64.const 40))
                (call $half (f64.const 3)))
              (func (export "fail") (call $fail (i32.const 9))))
            """);
        var token = new object();
        var results = instance.Invoke("run", Value.FromReference(token));
        Assert.Equal(42L, results[0].I64);
        Assert.Equal(1.5f, results[1].F32);
        Assert.Same(token, Assert.Single(seen));
        Assert.Equal(TrapKind.Unreachable, Assert.Throws<TrapException>(() => instance.Invoke("fail")).Kind);
    }

    [Fact]
    public void InstancesOfOneModuleShareCompiledCodeButNotState()
    {
        var module = CompiledModule.FromText(_engine, """
            (module (global $g (mut i32) (i32.const 0))
              (func (export "bump") (result i32) (global.set $g (i32.add (global.get $g) (i32.const 1))) (global.get $g)))
            """);
        var a = module.Instantiate(_store);
        var b = module.Instantiate(_store);
        Assert.Equal(1, a.Invoke("bump")[0].I32);
        Assert.Equal(2, a.Invoke("bump")[0].I32);
        Assert.Equal(1, b.Invoke("bump")[0].I32);
        var fa = (WasmFunction)a.GetFunction("bump");
        var fb = (WasmFunction)b.GetFunction("bump");
        Assert.NotNull(fa.Compiled);
        Assert.Same(fa.Compiled, fb.Compiled);
    }
}
