using WasmHarness.Binary;
using WasmHarness.Fuzz.Targets;
using WasmHarness.Text;

namespace WasmHarness.Fuzz;

/// <summary>
/// A few small modules written here (not taken from the suite): seeds when the suite is absent, and the inputs of the
/// smoke tests. Between them they touch numbers, control flow, memory, tables, globals, calls and traps.
/// </summary>
public static class BuiltinSeeds
{
    public static readonly string[] Wat =
    [
        "(module)",
        """
        (module
          (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
          (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
          (func (export "trunc") (param f32) (result i32) local.get 0 i32.trunc_f32_s)
          (func (export "sqrt") (param f64) (result f64) local.get 0 f64.sqrt)
          (func (export "min") (param f32 f32) (result f32) local.get 0 local.get 1 f32.min)
          (func (export "wide") (param i64 i64) (result i64) local.get 0 local.get 1 i64.rem_u))
        """,
        """
        (module
          (memory (export "mem") 1 2)
          (data (i32.const 8) "hello")
          (func (export "load") (param i32) (result i32) local.get 0 i32.load)
          (func (export "store") (param i32 i64) local.get 0 local.get 1 i64.store offset=4)
          (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
          (func (export "fill") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.fill))
        """,
        """
        (module
          (type $t (func (param i32) (result i32)))
          (table 4 funcref)
          (elem (i32.const 0) $inc $dbl)
          (func $inc (type $t) local.get 0 i32.const 1 i32.add)
          (func $dbl (type $t) local.get 0 i32.const 1 i32.shl)
          (func (export "dispatch") (param i32 i32) (result i32)
            local.get 1 local.get 0 call_indirect (type $t)))
        """,
        """
        (module
          (global $g (mut i64) (i64.const 0))
          (func $fac (export "fac") (param i64) (result i64)
            (if (result i64) (i64.eqz (local.get 0))
              (then (i64.const 1))
              (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1)))))))
          (func (export "count") (param i32) (result i64)
            (loop $l
              (global.set $g (i64.add (global.get $g) (i64.const 1)))
              (br_if $l (i32.ne (local.tee 0 (i32.sub (local.get 0) (i32.const 1))) (i32.const 0))))
            (global.get $g))
          (func (export "spin") (loop $l (br $l)))
          (func (export "boom") unreachable))
        """,
        """
        (module
          (import "spectest" "print_i32" (func $print (param i32)))
          (import "spectest" "global_i32" (global $gi i32))
          (func (export "print") (param i32) local.get 0 call $print)
          (func (export "gi") (result i32) global.get $gi)
          (func (export "select") (param i32) (result i64)
            i64.const 1 i64.const 2 local.get 0 select)
          (func (export "block") (param i32) (result i32)
            (block $b (result i32)
              (br_table $b $b (i32.const 7) (local.get 0)))))
        """,
        """
        (module
          (func (export "splat") (param i32) (result v128) local.get 0 i32x4.splat)
          (func (export "fadd") (param v128 v128) (result v128) local.get 0 local.get 1 f32x4.add)
          (func (export "refs") (param funcref) (result i32) local.get 0 ref.is_null))
        """,
    ];

    /// <summary>The built-in seeds in the target's input form: text, or our encoder's bytes.</summary>
    public static IEnumerable<byte[]> For(FuzzTarget target) =>
        target.OwnSeeds ?? (target.TakesGeneratorBytes ? GeneratorBytes(16)
        : target.TakesText ? Wat.Select(System.Text.Encoding.UTF8.GetBytes)
        : Wat.Select(text => ModuleEncoder.Encode(WatParser.ParseModule(text))));

    /// <summary>Decisions for the generator: deterministic random bytes of varied lengths (64 bytes to 4 KiB).</summary>
    public static IEnumerable<byte[]> GeneratorBytes(int count)
    {
        var random = new Random(9);
        for (var i = 0; i < count; i++)
        {
            var bytes = new byte[64 << (i % 7)];
            random.NextBytes(bytes);
            yield return bytes;
        }
    }
}
