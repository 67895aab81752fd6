using WasmHarness.Execution;

namespace WasmHarness.Tests.Interpreter;

public sealed class GcTests
{
    private readonly Engine _engine = new();

    private ModuleInstance Instantiate(string wat) => CompiledModule.FromText(_engine, wat).Instantiate(new Store(_engine));

    [Fact]
    public void StructsWithPackedFields()
    {
        var instance = Instantiate("""
            (module
              (type $s (struct (field (mut i8)) (field i64)))
              (func (export "run") (result i32 i32 i64)
                (local $r (ref $s))
                (local.set $r (struct.new $s (i32.const 0x1FF) (i64.const -5)))
                (struct.get_s $s 0 (local.get $r))
                (struct.get_u $s 0 (local.get $r))
                (struct.get $s 1 (local.get $r))))
            """);
        var results = instance.Invoke("run");
        Assert.Equal(-1, results[0].I32);
        Assert.Equal(0xFF, results[1].I32);
        Assert.Equal(-5L, results[2].I64);
    }

    [Fact]
    public void ArraysTrapOutOfBoundsAndOnNull()
    {
        var instance = Instantiate("""
            (module
              (type $a (array (mut i32)))
              (func (export "get") (param i32) (result i32) (array.get $a (array.new $a (i32.const 7) (i32.const 3)) (local.get 0)))
              (func (export "null") (result i32) (array.len (ref.null $a))))
            """);
        Assert.Equal(7, instance.Invoke("get", Value.FromI32(2))[0].I32);
        Assert.Equal("out of bounds array access", Assert.Throws<TrapException>(() => instance.Invoke("get", Value.FromI32(3))).Reason);
        Assert.Equal("null array reference", Assert.Throws<TrapException>(() => instance.Invoke("null")).Reason);
    }

    [Fact]
    public void CastsFollowDeclaredSubtyping()
    {
        var instance = Instantiate("""
            (module
              (type $base (sub (struct (field i32))))
              (type $derived (sub $base (struct (field i32) (field i32))))
              (func (export "test") (result i32 i32 i32)
                (local $d anyref)
                (local.set $d (struct.new $derived (i32.const 1) (i32.const 2)))
                (ref.test (ref $base) (local.get $d))
                (ref.test (ref $derived) (struct.new $base (i32.const 1)))
                (ref.test (ref i31) (ref.i31 (i32.const 5))))
              (func (export "cast") (result i32)
                (struct.get $derived 0 (ref.cast (ref $derived) (struct.new $base (i32.const 1))))))
            """);
        Assert.Equal([1, 0, 1], instance.Invoke("test").Select(v => v.I32));
        Assert.Equal("cast failure", Assert.Throws<TrapException>(() => instance.Invoke("cast")).Reason);
    }

    [Fact]
    public void I31ComparesByValue()
    {
        var instance = Instantiate("""
            (module
              (func (export "eq") (param i32 i32) (result i32) (ref.eq (ref.i31 (local.get 0)) (ref.i31 (local.get 1))))
              (func (export "get_s") (param i32) (result i32) (i31.get_s (ref.i31 (local.get 0)))))
            """);
        Assert.Equal(1, instance.Invoke("eq", Value.FromI32(5), Value.FromI32(5))[0].I32);
        Assert.Equal(1, instance.Invoke("eq", Value.FromI32(-1), Value.FromI32(0x7FFF_FFFF))[0].I32); // same low 31 bits
        Assert.Equal(-1, instance.Invoke("get_s", Value.FromI32(0x7FFF_FFFF))[0].I32);
    }
}
