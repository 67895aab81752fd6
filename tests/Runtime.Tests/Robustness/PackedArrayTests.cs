using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Tests.Robustness;

/// <summary>
/// GC arrays store their elements by storage type (<see cref="ArrayObject{T}"/>): the packed instructions keep
/// their semantics (sign/zero extension, wrapping, fill, overlapping copy, little-endian data) on both tiers, and
/// the arrays cost what their elements do.
/// </summary>
public sealed class PackedArrayTests
{
    public static TheoryData<ExecutionTier> Tiers => [ExecutionTier.Interpreter, ExecutionTier.Jit];

    private const string Module = """
        (module
          (type $i8 (array (mut i8)))
          (type $i16 (array (mut i16)))
          (type $i32 (array (mut i32)))
          (type $i64 (array (mut i64)))
          (type $f32 (array (mut f32)))
          (type $f64 (array (mut f64)))
          (type $v128 (array (mut v128)))
          (type $ref (array (mut anyref)))
          (data $d "\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\10\ff\fe\fd\fc")
          (elem $e anyref (item (ref.i31 (i32.const 7))) (item (ref.null any)) (item (ref.i31 (i32.const 9))))
          (global $g (ref $i8) (array.new_fixed $i8 3 (i32.const 0x101) (i32.const -1) (i32.const 0x7f)))

          (func (export "i8_get") (param $v i32) (result i32 i32 i32)
            (local $a (ref $i8)) (local.set $a (array.new $i8 (local.get $v) (i32.const 3)))
            (array.get_s $i8 (local.get $a) (i32.const 1)) (array.get_u $i8 (local.get $a) (i32.const 2)) (array.len (local.get $a)))
          (func (export "i8_set") (param $v i32) (result i32 i32)
            (local $a (ref $i8)) (local.set $a (array.new_default $i8 (i32.const 2)))
            (array.set $i8 (local.get $a) (i32.const 0) (local.get $v))
            (array.get_s $i8 (local.get $a) (i32.const 0)) (array.get_u $i8 (local.get $a) (i32.const 0)))
          (func (export "i16_set") (param $v i32) (result i32 i32)
            (local $a (ref $i16)) (local.set $a (array.new_default $i16 (i32.const 2)))
            (array.set $i16 (local.get $a) (i32.const 1) (local.get $v))
            (array.get_s $i16 (local.get $a) (i32.const 1)) (array.get_u $i16 (local.get $a) (i32.const 1)))
          (func (export "i8_fill") (result i32 i32 i32 i32)
            (local $a (ref $i8)) (local.set $a (array.new_default $i8 (i32.const 4)))
            (array.fill $i8 (local.get $a) (i32.const 1) (i32.const 0x1fe) (i32.const 2))
            (array.get_u $i8 (local.get $a) (i32.const 0)) (array.get_s $i8 (local.get $a) (i32.const 1))
            (array.get_u $i8 (local.get $a) (i32.const 2)) (array.get_u $i8 (local.get $a) (i32.const 3)))
          (func (export "i16_copy_overlap") (result i32 i32 i32 i32 i32)
            (local $a (ref $i16))
            (local.set $a (array.new_fixed $i16 5 (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4) (i32.const 0x18000)))
            (array.copy $i16 $i16 (local.get $a) (i32.const 1) (local.get $a) (i32.const 0) (i32.const 4))
            (array.get_u $i16 (local.get $a) (i32.const 0)) (array.get_u $i16 (local.get $a) (i32.const 1))
            (array.get_u $i16 (local.get $a) (i32.const 2)) (array.get_u $i16 (local.get $a) (i32.const 3))
            (array.get_s $i16 (local.get $a) (i32.const 4)))
          (func (export "i8_copy_back") (result i32 i32 i32)
            (local $a (ref $i8))
            (local.set $a (array.new_fixed $i8 4 (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4)))
            (array.copy $i8 $i8 (local.get $a) (i32.const 0) (local.get $a) (i32.const 1) (i32.const 3))
            (array.get_u $i8 (local.get $a) (i32.const 0)) (array.get_u $i8 (local.get $a) (i32.const 2)) (array.get_u $i8 (local.get $a) (i32.const 3)))
          (func (export "init_data") (result i32 i32 i32 i64 i32)
            (local $b (ref $i8)) (local $h (ref $i16)) (local $w (ref $i32)) (local $l (ref $i64))
            (local.set $b (array.new_default $i8 (i32.const 4)))
            (local.set $h (array.new_default $i16 (i32.const 2)))
            (local.set $w (array.new_default $i32 (i32.const 2)))
            (local.set $l (array.new_data $i64 $d (i32.const 8) (i32.const 1)))
            (array.init_data $i8 $d (local.get $b) (i32.const 1) (i32.const 16) (i32.const 3))
            (array.init_data $i16 $d (local.get $h) (i32.const 0) (i32.const 1) (i32.const 2))
            (array.init_data $i32 $d (local.get $w) (i32.const 1) (i32.const 0) (i32.const 1))
            (array.get_s $i8 (local.get $b) (i32.const 1))
            (array.get_u $i16 (local.get $h) (i32.const 1))
            (array.get $i32 (local.get $w) (i32.const 1))
            (array.get $i64 (local.get $l) (i32.const 0))
            (array.get_u $i8 (local.get $b) (i32.const 3)))
          (func (export "new_data_i16") (result i32 i32 i32)
            (local $h (ref $i16)) (local.set $h (array.new_data $i16 $d (i32.const 16) (i32.const 2)))
            (array.get_s $i16 (local.get $h) (i32.const 0)) (array.get_u $i16 (local.get $h) (i32.const 1)) (array.len (local.get $h)))
          (func (export "new_data_oob") (result i32)
            (array.len (array.new_data $i16 $d (i32.const 17) (i32.const 2))))
          (func (export "init_data_oob") (result i32)
            (array.init_data $i8 $d (array.new_default $i8 (i32.const 2)) (i32.const 1) (i32.const 0) (i32.const 2)) (i32.const 0))
          (func (export "new_fixed") (result i32 i32 i32 i32)
            (local $a (ref $i8)) (local.set $a (array.new_fixed $i8 2 (i32.const 0x180) (i32.const 0x7f)))
            (array.get_s $i8 (local.get $a) (i32.const 0)) (array.get_u $i8 (local.get $a) (i32.const 0))
            (array.get_s $i8 (global.get $g) (i32.const 0)) (array.get_s $i8 (global.get $g) (i32.const 1)))
          (func (export "floats") (param $x f32) (param $y f64) (result f32 f64 i32)
            (local $f (ref $f32)) (local $d (ref $f64))
            (local.set $f (array.new $f32 (local.get $x) (i32.const 2)))
            (local.set $d (array.new_default $f64 (i32.const 2)))
            (array.set $f64 (local.get $d) (i32.const 1) (local.get $y))
            (array.get $f32 (local.get $f) (i32.const 1)) (array.get $f64 (local.get $d) (i32.const 1))
            (i32.reinterpret_f32 (array.get $f32 (local.get $f) (i32.const 0))))
          (func (export "wide") (result i64 i32)
            (local $l (ref $i64)) (local $v (ref $v128))
            (local.set $l (array.new $i64 (i64.const -2) (i32.const 3)))
            (local.set $v (array.new_default $v128 (i32.const 2)))
            (array.set $v128 (local.get $v) (i32.const 1) (i32x4.splat (i32.const -5)))
            (array.get $i64 (local.get $l) (i32.const 2)) (i32x4.extract_lane 3 (array.get $v128 (local.get $v) (i32.const 1))))
          (func (export "refs") (result i32 i32 i32)
            (local $r (ref $ref)) (local.set $r (array.new_elem $ref $e (i32.const 0) (i32.const 3)))
            (array.init_elem $ref $e (local.get $r) (i32.const 1) (i32.const 2) (i32.const 1))
            (i31.get_s (ref.cast (ref i31) (array.get $ref (local.get $r) (i32.const 0))))
            (i31.get_s (ref.cast (ref i31) (array.get $ref (local.get $r) (i32.const 1))))
            (ref.is_null (array.get $ref (local.get $r) (i32.const 2)))) ;; not null: 9 was copied to 1, 2 holds 9
          (func (export "get_oob") (param i32) (result i32) (array.get_u $i8 (array.new_default $i8 (i32.const 2)) (local.get 0)))
          (func (export "set_oob") (param i32) (array.set $i16 (array.new_default $i16 (i32.const 2)) (local.get 0) (i32.const 1)))
          (func (export "get_null") (result i32) (array.get_s $i8 (ref.null $i8) (i32.const 0)))
          (func (export "len_null") (result i32) (array.len (ref.null $i8)))
          (func (export "fill_oob") (array.fill $i8 (array.new_default $i8 (i32.const 2)) (i32.const 1) (i32.const 0) (i32.const 2)))
          (func (export "copy_oob") (array.copy $i8 $i8 (array.new_default $i8 (i32.const 2)) (i32.const 0) (array.new_default $i8 (i32.const 1)) (i32.const 0) (i32.const 2)))
          (func (export "huge") (result i32) (array.len (array.new_default $i8 (i32.const 0x80000000))))
          (func (export "big_i8") (param i32) (result anyref) (array.new_default $i8 (local.get 0)))
        )
        """;

    private static ModuleInstance Instantiate(ExecutionTier tier, EngineOptions? options = null)
    {
        var engine = new Engine((options ?? new EngineOptions()) with { Tier = tier, JitEager = true });
        var jitFallbacks = new List<string>();
        if (tier == ExecutionTier.Jit)
        {
            engine = new Engine(engine.Options with { JitFallback = (function, why) => jitFallbacks.Add($"{function}: {why}") });
        }
        var instance = CompiledModule.FromText(engine, Module).Instantiate(new Store(engine));
        instance.GetFunction("i8_get").Invoke(Value.FromI32(0)); // compiles the module (eager)
        Assert.Empty(jitFallbacks);
        return instance;
    }

    private static string Run(ModuleInstance instance, string name, params Value[] args)
    {
        var function = instance.GetFunction(name);
        try
        {
            var results = function.Invoke(args);
            return string.Join(", ", results.Select((r, i) => r.ToString(function.Type.Results[i])));
        }
        catch (TrapException e)
        {
            return "trap: " + e.Reason;
        }
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void PackedGetsExtendAndSetsWrap(ExecutionTier tier)
    {
        var m = Instantiate(tier);
        Assert.Equal("i32:-128, i32:128, i32:3", Run(m, "i8_get", Value.FromI32(0x180)));
        Assert.Equal("i32:-1, i32:255, i32:3", Run(m, "i8_get", Value.FromI32(-1)));
        Assert.Equal("i32:1, i32:1", Run(m, "i8_set", Value.FromI32(0x301)));
        Assert.Equal("i32:-2, i32:254", Run(m, "i8_set", Value.FromI32(0x7fe)));
        Assert.Equal("i32:-32768, i32:32768", Run(m, "i16_set", Value.FromI32(0x18000)));
        Assert.Equal("i32:32767, i32:32767", Run(m, "i16_set", Value.FromI32(0x7fff)));
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void FillCopyAndNewFixedPack(ExecutionTier tier)
    {
        var m = Instantiate(tier);
        Assert.Equal("i32:0, i32:-2, i32:254, i32:0", Run(m, "i8_fill"));
        Assert.Equal("i32:1, i32:1, i32:2, i32:3, i32:4", Run(m, "i16_copy_overlap"));
        Assert.Equal("i32:2, i32:4, i32:4", Run(m, "i8_copy_back"));
        Assert.Equal("i32:-128, i32:128, i32:1, i32:-1", Run(m, "new_fixed"));
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void DataIsReadLittleEndian(ExecutionTier tier)
    {
        var m = Instantiate(tier);
        // i8 from byte 16 (0xff, 0xfe, 0xfd) at index 1..3; i16 from byte 1: 0x0302, 0x0504; i32 from byte 0;
        // i64 from byte 8: 0x100f0e0d0c0b0a09.
        Assert.Equal("i32:-1, i32:1284, i32:67305985, i64:1157159078456920585, i32:253", Run(m, "init_data"));
        Assert.Equal("i32:-257, i32:64765, i32:2", Run(m, "new_data_i16"));
        Assert.Equal("trap: out of bounds memory access", Run(m, "new_data_oob"));
        Assert.Equal("trap: out of bounds array access", Run(m, "init_data_oob"));
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void WideAndReferenceElements(ExecutionTier tier)
    {
        var m = Instantiate(tier);
        var nan = BitConverter.Int32BitsToSingle(0x7fc00001);
        Assert.Equal($"f32:1.5 (0x3fc00000), f64:-2.25 (0xc002000000000000), i32:1069547520",
            Run(m, "floats", Value.FromF32(1.5f), Value.FromF64(-2.25)));
        Assert.EndsWith("i32:2143289345", Run(m, "floats", Value.FromF32(nan), Value.FromF64(0)), StringComparison.Ordinal); // NaN payload kept
        Assert.Equal("i64:-2, i32:-5", Run(m, "wide"));
        Assert.Equal("i32:7, i32:9, i32:0", Run(m, "refs"));
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void TrapsKeepTheirMessages(ExecutionTier tier)
    {
        var m = Instantiate(tier);
        Assert.Equal("i32:0", Run(m, "get_oob", Value.FromI32(1)));
        Assert.Equal("trap: out of bounds array access", Run(m, "get_oob", Value.FromI32(2)));
        Assert.Equal("trap: out of bounds array access", Run(m, "get_oob", Value.FromI32(-1)));
        Assert.Equal("trap: out of bounds array access", Run(m, "set_oob", Value.FromI32(2)));
        Assert.Equal("trap: null array reference", Run(m, "get_null"));
        Assert.Equal("trap: null array reference", Run(m, "len_null"));
        Assert.Equal("trap: out of bounds array access", Run(m, "fill_oob"));
        Assert.Equal("trap: out of bounds array access", Run(m, "copy_oob"));
        Assert.Equal("trap: resource exhausted", Run(m, "huge"));
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void ArraysAreStoredByElementType(ExecutionTier tier)
    {
        var m = Instantiate(tier);
        var array = Assert.IsType<ArrayObject<byte>>(m.GetFunction("big_i8").Invoke(Value.FromI32(1 << 20))[0].Reference);
        Assert.Equal(1 << 20, array.Length);
        Assert.Equal(typeof(byte[]), array.Elements.GetType());
        var store = m.Store;
        Assert.InRange(store.GcHeap.Bytes, 1 << 20, (1 << 20) + 4096);
    }
}
