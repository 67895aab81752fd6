using WasmHarness.Execution;

namespace WasmHarness.Tests.Embedding;

/// <summary>GC references reach the host and come back: anyref (a struct, an i31) and externref (any C# object), on both tiers.</summary>
public sealed class GcReferenceTests
{
    private const string Module = """
        (module
          (type $point (struct (field $x i32) (field $y i32)))
          (func (export "make") (param i32 i32) (result anyref) (struct.new $point (local.get 0) (local.get 1)))
          (func (export "sum") (param anyref) (result i32) (local $p (ref null $point))
            (block $not-a-point (result anyref)
              (local.set $p (br_on_cast_fail $not-a-point anyref (ref $point) (local.get 0)))
              (return (i32.add (struct.get $point $x (local.get $p)) (struct.get $point $y (local.get $p)))))
            (drop)
            (i32.const -1))
          (func (export "small") (param i32) (result anyref) (ref.i31 (local.get 0)))
          (func (export "unbox") (param anyref) (result i32) (i31.get_s (ref.cast (ref i31) (local.get 0))))
          (func (export "identity") (param externref) (result externref) (local.get 0))
          (func (export "internalize") (param externref) (result anyref) (any.convert_extern (local.get 0)))
          (func (export "externalize") (param anyref) (result externref) (extern.convert_any (local.get 0))))
        """;

    public static TheoryData<ExecutionTier> Tiers() => [ExecutionTier.Interpreter, ExecutionTier.Jit];

    private static ModuleInstance Instantiate(ExecutionTier tier)
    {
        var engine = new Engine(new EngineOptions { Tier = tier });
        return CompiledModule.FromText(engine, Module).Instantiate(new Store(engine));
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void A_struct_made_by_wasm_goes_to_the_host_and_back(ExecutionTier tier)
    {
        var instance = Instantiate(tier);
        var point = instance.Invoke("make", Value.FromI32(3), Value.FromI32(4))[0];
        Assert.IsType<StructObject>(point.Reference);
        Assert.Equal(7, instance.Invoke("sum", point)[0].I32);
        Assert.Equal(-1, instance.Invoke("sum", Value.Null)[0].I32);
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void An_i31_goes_to_the_host_and_back(ExecutionTier tier)
    {
        var instance = Instantiate(tier);
        var small = instance.Invoke("small", Value.FromI32(-5))[0];
        Assert.Equal(-5, instance.Invoke("unbox", small)[0].I32);
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void A_host_object_keeps_its_identity_through_externref_and_anyref(ExecutionTier tier)
    {
        var instance = Instantiate(tier);
        var host = new object();
        Assert.Same(host, instance.Invoke("identity", Value.FromReference(host))[0].Reference);
        var inside = instance.Invoke("internalize", Value.FromReference(host))[0];
        Assert.Same(host, instance.Invoke("externalize", inside)[0].Reference);
    }
}
