using WasmHarness.Tests.Shared;
using WasmHarness.Execution;
using WasmHarness.Jit;
using WasmHarness.Syntax;
using WasmHarness.Tests.Support;
using WasmHarness.Text;
using WasmHarness.Validation;

namespace WasmHarness.Tests.Jit;

/// <summary>The GC instructions compiled by the JIT, against the interpreter and the spec's values and trap messages.</summary>
public sealed class JitGcTests
{
    private static (ModuleInstance Jit, ModuleInstance Interp, Dictionary<string, string> Listings) Both(string text, ModuleLimits? limits = null)
    {
        var listings = new Dictionary<string, string>();
        limits ??= ModuleLimits.Default;
        var jitEngine = new Engine(new EngineOptions { Tier = ExecutionTier.Jit, JitEager = true, JitDumpIl = (name, il) => listings[name] = il, ModuleLimits = limits });
        var interpEngine = new Engine(new EngineOptions { ModuleLimits = limits });
        var jit = CompiledModule.FromText(jitEngine, text).Instantiate(new Store(jitEngine));
        var interp = CompiledModule.FromText(interpEngine, text).Instantiate(new Store(interpEngine));
        return (jit, interp, listings);
    }

    private static string Outcome(ModuleInstance instance, string name, params Value[] args)
    {
        var function = instance.GetFunction(name);
        try
        {
            var results = function.Invoke(args);
            return string.Join(", ", results.Select((r, i) => r.ToString(function.Type.Results[i])));
        }
        catch (TrapException e)
        {
            return "trap: " + e.Message;
        }
    }

    /// <summary>Calls <paramref name="name"/> on both tiers, checks they agree and returns the outcome.</summary>
    private static string Agree((ModuleInstance Jit, ModuleInstance Interp, Dictionary<string, string> Listings) m, string name, params Value[] args)
    {
        var expected = Outcome(m.Interp, name, args);
        Assert.Equal(expected, Outcome(m.Jit, name, args));
        return expected;
    }

    private const string FieldModule = """
        (module
          (type $s (struct (field $a (mut i8)) (field $b (mut i16)) (field $c (mut i32)) (field $d (mut i64))
                           (field $e (mut f32)) (field $f (mut f64)) (field $g (mut v128)) (field $h (mut anyref))))
          (type $bytes (array (mut i8)))
          (type $floats (array (mut f64)))
          (func $make (param i32) (result (ref $s))
            (struct.new $s (local.get 0) (local.get 0) (local.get 0) (i64.extend_i32_s (local.get 0))
              (f32.reinterpret_i32 (local.get 0)) (f64.reinterpret_i64 (i64.extend_i32_s (local.get 0)))
              (i32x4.splat (local.get 0)) (ref.i31 (local.get 0))))
          (func (export "a_s") (param i32) (result i32) (struct.get_s $s $a (call $make (local.get 0))))
          (func (export "a_u") (param i32) (result i32) (struct.get_u $s $a (call $make (local.get 0))))
          (func (export "b_s") (param i32) (result i32) (struct.get_s $s $b (call $make (local.get 0))))
          (func (export "b_u") (param i32) (result i32) (struct.get_u $s $b (call $make (local.get 0))))
          (func (export "c") (param i32) (result i32) (struct.get $s $c (call $make (local.get 0))))
          (func (export "d") (param i32) (result i64) (struct.get $s $d (call $make (local.get 0))))
          (func (export "e") (param i32) (result i32) (i32.reinterpret_f32 (struct.get $s $e (call $make (local.get 0)))))
          (func (export "f") (param i32) (result i64) (i64.reinterpret_f64 (struct.get $s $f (call $make (local.get 0)))))
          (func (export "g") (param i32) (result i32) (i32x4.extract_lane 3 (struct.get $s $g (call $make (local.get 0)))))
          (func (export "h") (param i32) (result i32) (i31.get_s (ref.cast (ref i31) (struct.get $s $h (call $make (local.get 0))))))
          (func (export "default") (result i32 i64 i32 anyref)
            (local $x (ref $s)) (local.set $x (struct.new_default $s))
            (struct.get_u $s $a (local.get $x)) (struct.get $s $d (local.get $x))
            (i32.reinterpret_f32 (struct.get $s $e (local.get $x))) (struct.get $s $h (local.get $x)))
          (func (export "set") (param i32) (result i32 i32 i64)
            (local $x (ref $s)) (local.set $x (struct.new_default $s))
            (struct.set $s $a (local.get $x) (local.get 0))
            (struct.set $s $b (local.get $x) (local.get 0))
            (struct.set $s $d (local.get $x) (i64.const -2))
            (struct.get_s $s $a (local.get $x)) (struct.get_u $s $b (local.get $x)) (struct.get $s $d (local.get $x)))
          (func (export "bytes") (param i32 i32) (result i32 i32 i32)
            (local $a (ref $bytes)) (local.set $a (array.new $bytes (local.get 0) (i32.const 4)))
            (array.set $bytes (local.get $a) (i32.const 1) (i32.const 0x1ff))
            (array.get_s $bytes (local.get $a) (local.get 1)) (array.get_u $bytes (local.get $a) (local.get 1)) (array.len (local.get $a)))
          (func (export "floats") (param f64 i32) (result i64)
            (i64.reinterpret_f64 (array.get $floats (array.new_fixed $floats 3 (f64.const 1) (local.get 0) (f64.const 3)) (local.get 1))))
        )
        """;

    [Fact]
    public void FieldsOfEveryTypeAndPackingAgreeWithTheInterpreter()
    {
        var m = Both(FieldModule);
        foreach (var x in new[] { 0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, -1, int.MinValue, int.MaxValue, 0x7fc00001 })
        {
            foreach (var name in new[] { "a_s", "a_u", "b_s", "b_u", "c", "d", "e", "f", "g", "h", "set" })
            {
                Agree(m, name, Value.FromI32(x));
            }
        }
        Assert.Equal("i32:-128", Agree(m, "a_s", Value.FromI32(0x180)));
        Assert.Equal("i32:128", Agree(m, "a_u", Value.FromI32(0x180)));
        Assert.Equal("i32:-1", Agree(m, "b_s", Value.FromI32(0xffff)));
        Assert.Equal("i32:65535", Agree(m, "b_u", Value.FromI32(-1)));
        Assert.Equal("i32:2143289345", Agree(m, "e", Value.FromI32(0x7fc00001))); // f32 NaN payload kept
        Assert.Equal("i32:-1, i32:65535, i64:-2", Agree(m, "set", Value.FromI32(-1)));
        Assert.Equal("i32:0, i64:0, i32:0, ref.null", Agree(m, "default"));
        Assert.Equal("i32:-1, i32:255, i32:4", Agree(m, "bytes", Value.FromI32(7), Value.FromI32(1)));
        Assert.Equal("i32:7, i32:7, i32:4", Agree(m, "bytes", Value.FromI32(7), Value.FromI32(3)));
        Assert.Equal("trap: out of bounds array access", Agree(m, "bytes", Value.FromI32(7), Value.FromI32(4)));
        Assert.Equal("i64:9221120237041090561", Agree(m, "floats", Value.FromF64Bits(0x7ff8000000000001), Value.FromI32(1)));
        // Compiled, not interpreted: every function has a listing, and field reads are ldelema + ldfld inline.
        Assert.Equal(m.Jit.Functions.Length, m.Listings.Count);
        Assert.Contains(m.Listings.Values, il => il.Contains("struct.get", StringComparison.Ordinal) && il.Contains("ldelema", StringComparison.Ordinal) && !il.Contains("JitGc", StringComparison.Ordinal));
    }

    private const string TrapModule = """
        (module
          (type $s (struct (field (mut i32))))
          (type $a (array (mut i32)))
          (type $b (array (mut i8)))
          (data $d "\01\02\03\04")
          (elem $e anyref (ref.i31 (i32.const 1)) (ref.i31 (i32.const 2)))
          (type $refs (array (mut anyref)))
          (func (export "struct_get_null") (result i32) (struct.get $s 0 (ref.null $s)))
          (func (export "struct_set_null") (struct.set $s 0 (ref.null $s) (i32.const 1)))
          (func (export "array_get_null") (result i32) (array.get $a (ref.null $a) (i32.const 0)))
          (func (export "array_set_null") (array.set $a (ref.null $a) (i32.const 0) (i32.const 1)))
          (func (export "array_len_null") (result i32) (array.len (ref.null $a)))
          (func (export "array_fill_null") (array.fill $a (ref.null $a) (i32.const 0) (i32.const 1) (i32.const 0)))
          (func (export "array_copy_null") (array.copy $a $a (array.new_default $a (i32.const 1)) (i32.const 0) (ref.null $a) (i32.const 0) (i32.const 0)))
          (func (export "i31_null") (result i32) (i31.get_u (ref.null i31)))
          (func (export "cast") (result i32) (struct.get $s 0 (ref.cast (ref $s) (array.new_default $a (i32.const 1)))))
          (func (export "get") (param i32) (result i32) (array.get $a (array.new $a (i32.const 5) (i32.const 3)) (local.get 0)))
          (func (export "set") (param i32) (array.set $a (array.new $a (i32.const 5) (i32.const 3)) (local.get 0) (i32.const 1)))
          (func (export "fill") (param i32 i32) (array.fill $a (array.new_default $a (i32.const 3)) (local.get 0) (i32.const 9) (local.get 1)))
          (func (export "copy") (param i32 i32 i32) (result i32)
            (local $x (ref $a)) (local.set $x (array.new_fixed $a 4 (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4)))
            (array.copy $a $a (local.get $x) (local.get 0) (local.get $x) (local.get 1) (local.get 2))
            (i32.add (i32.mul (array.get $a (local.get $x) (i32.const 0)) (i32.const 1000))
              (i32.add (i32.mul (array.get $a (local.get $x) (i32.const 1)) (i32.const 100))
                (i32.add (i32.mul (array.get $a (local.get $x) (i32.const 2)) (i32.const 10)) (array.get $a (local.get $x) (i32.const 3))))))
          (func (export "new_data") (param i32 i32) (result i32) (array.len (array.new_data $b $d (local.get 0) (local.get 1))))
          (func (export "new_elem") (param i32 i32) (result i32) (array.len (array.new_elem $refs $e (local.get 0) (local.get 1))))
          (func (export "init_data") (param i32 i32 i32) (result i32)
            (local $x (ref $b)) (local.set $x (array.new_default $b (i32.const 4)))
            (array.init_data $b $d (local.get $x) (local.get 0) (local.get 1) (local.get 2))
            (array.get_u $b (local.get $x) (i32.const 3)))
          (func (export "init_elem") (param i32 i32 i32) (result i32)
            (local $x (ref $refs)) (local.set $x (array.new_default $refs (i32.const 4)))
            (array.init_elem $refs $e (local.get $x) (local.get 0) (local.get 1) (local.get 2))
            (ref.test (ref i31) (array.get $refs (local.get $x) (i32.const 3))))
          (func (export "huge") (result i32) (array.len (array.new_default $a (i32.const -1))))
        )
        """;

    [Fact]
    public void TrapsGiveTheSpecsMessagesAsInTheInterpreter()
    {
        var m = Both(TrapModule);
        Assert.Equal("trap: null structure reference", Agree(m, "struct_get_null"));
        Assert.Equal("trap: null structure reference", Agree(m, "struct_set_null"));
        foreach (var name in new[] { "array_get_null", "array_set_null", "array_len_null", "array_fill_null", "array_copy_null" })
        {
            Assert.Equal("trap: null array reference", Agree(m, name));
        }
        Assert.Equal("trap: null i31 reference", Agree(m, "i31_null"));
        Assert.Equal("trap: cast failure", Agree(m, "cast"));
        Assert.Equal("i32:5", Agree(m, "get", Value.FromI32(2)));
        foreach (var index in new[] { 3, -1, int.MinValue })
        {
            Assert.Equal("trap: out of bounds array access", Agree(m, "get", Value.FromI32(index)));
            Assert.Equal("trap: out of bounds array access", Agree(m, "set", Value.FromI32(index)));
        }
        Assert.Equal("", Agree(m, "fill", Value.FromI32(3), Value.FromI32(0)));
        Assert.Equal("trap: out of bounds array access", Agree(m, "fill", Value.FromI32(2), Value.FromI32(2)));
        Assert.Equal("trap: out of bounds array access", Agree(m, "fill", Value.FromI32(1), Value.FromI32(-1)));
        Assert.Equal("i32:1123", Agree(m, "copy", Value.FromI32(1), Value.FromI32(0), Value.FromI32(3))); // overlapping
        Assert.Equal("i32:3434", Agree(m, "copy", Value.FromI32(0), Value.FromI32(2), Value.FromI32(2)));
        Assert.Equal("trap: out of bounds array access", Agree(m, "copy", Value.FromI32(2), Value.FromI32(0), Value.FromI32(3)));
        Assert.Equal("i32:3", Agree(m, "new_data", Value.FromI32(1), Value.FromI32(3)));
        Assert.Equal("trap: out of bounds memory access", Agree(m, "new_data", Value.FromI32(2), Value.FromI32(3)));
        Assert.Equal("i32:2", Agree(m, "new_elem", Value.FromI32(0), Value.FromI32(2)));
        Assert.Equal("trap: out of bounds table access", Agree(m, "new_elem", Value.FromI32(1), Value.FromI32(2)));
        Assert.Equal("i32:4", Agree(m, "init_data", Value.FromI32(0), Value.FromI32(0), Value.FromI32(4)));
        Assert.Equal("trap: out of bounds array access", Agree(m, "init_data", Value.FromI32(1), Value.FromI32(0), Value.FromI32(4)));
        Assert.Equal("trap: out of bounds memory access", Agree(m, "init_data", Value.FromI32(0), Value.FromI32(1), Value.FromI32(4)));
        Assert.Equal("i32:1", Agree(m, "init_elem", Value.FromI32(2), Value.FromI32(0), Value.FromI32(2)));
        Assert.Equal("trap: out of bounds table access", Agree(m, "init_elem", Value.FromI32(0), Value.FromI32(1), Value.FromI32(2)));
        Assert.StartsWith("trap: ", Agree(m, "huge"));
    }

    /// <summary>A chain of subtypes deeper than the supertype display, so both the display and the walk beyond it are exercised.</summary>
    private static string ChainModule(int depth)
    {
        var types = string.Join("\n", Enumerable.Range(0, depth).Select(i => i == 0
            ? "(type $t0 (sub (struct (field i32))))"
            : $"(type $t{i} (sub $t{i - 1} (struct (field i32))))"));
        var tests = string.Join("\n", Enumerable.Range(0, depth).Select(i =>
            $"(func (export \"test{i}\") (param anyref) (result i32) (ref.test (ref $t{i}) (local.get 0)))"));
        var makers = string.Join("\n", Enumerable.Range(0, depth).Select(i =>
            $"(func (export \"make{i}\") (result anyref) (struct.new $t{i} (i32.const {i})))"));
        return $"(module (rec {types}) (type $other (sub (struct (field i32)))) {tests} {makers} (func (export \"other\") (result anyref) (struct.new $other (i32.const 0))))";
    }

    [Fact]
    public void CastsFollowTheDeclaredSubtypingThroughTheDisplayAndBeyondIt()
    {
        // Deeper than the default ModuleLimits.SubtypeDepth (63, as wasmparser) allows, so the limit is raised:
        // the display's fallback walk only serves engines configured that way.
        const int Depth = WasmHarness.Validation.DefinedType.DisplayLimit + 6;
        var m = Both(ChainModule(Depth), ModuleLimits.Default with { SubtypeDepth = Depth + 1 });
        var probes = new[] { 0, 1, 2, Depth / 2, Depth - 7, Depth - 6, Depth - 5, Depth - 1 };
        foreach (var made in probes)
        {
            var jitValue = m.Jit.Invoke($"make{made}")[0];
            var interpValue = m.Interp.Invoke($"make{made}")[0];
            foreach (var tested in probes)
            {
                var expected = made >= tested ? 1 : 0;
                Assert.Equal(expected, m.Jit.Invoke($"test{tested}", jitValue)[0].I32);
                Assert.Equal(expected, m.Interp.Invoke($"test{tested}", interpValue)[0].I32);
            }
        }
        var other = m.Jit.Invoke("other")[0];
        Assert.Equal(0, m.Jit.Invoke("test0", other)[0].I32);
        Assert.Equal(0, m.Jit.Invoke("test0", Value.Null)[0].I32);
    }

    private const string CastModule = """
        (module
          (type $base (sub (struct (field i32))))
          (type $derived (sub $base (struct (field i32) (field i32))))
          (type $arr (array i8))
          (type $f (func))
          (func $nop)
          (elem declare func $nop)
          (global $host (mut externref) (ref.null extern))
          (func (export "set_host") (param externref) (global.set $host (local.get 0)))
          (func $value (param i32) (result anyref)
            (block $b0 (block $b1 (block $b2 (block $b3 (block $b4 (block $b5
              (br_table $b0 $b1 $b2 $b3 $b4 $b5 (local.get 0)))
              (return (any.convert_extern (global.get $host))))
              (return (ref.null any)))
              (return (ref.i31 (i32.const 42))))
              (return (array.new_default $arr (i32.const 2))))
              (return (struct.new $derived (i32.const 1) (i32.const 2))))
            (struct.new $base (i32.const 1)))
          (func (export "classify") (param i32) (result i32)
            (i32.or (i32.or (i32.or (ref.test anyref (call $value (local.get 0)))
                                    (i32.shl (ref.test (ref any) (call $value (local.get 0))) (i32.const 1)))
                            (i32.or (i32.shl (ref.test (ref eq) (call $value (local.get 0))) (i32.const 2))
                                    (i32.shl (ref.test (ref i31) (call $value (local.get 0))) (i32.const 3))))
              (i32.or (i32.or (i32.shl (ref.test (ref struct) (call $value (local.get 0))) (i32.const 4))
                              (i32.shl (ref.test (ref array) (call $value (local.get 0))) (i32.const 5)))
                      (i32.or (i32.shl (ref.test (ref $base) (call $value (local.get 0))) (i32.const 6))
                              (i32.or (i32.shl (ref.test (ref $derived) (call $value (local.get 0))) (i32.const 7))
                                      (i32.shl (ref.test nullref (call $value (local.get 0))) (i32.const 8)))))))
          ;; br_on_cast to $derived: 2 when taken, 1 on fall-through; br_on_cast_fail the other way round
          (func (export "on_cast") (param i32) (result i32)
            (drop (block $l (result (ref null $derived))
              (drop (br_on_cast $l anyref (ref null $derived) (call $value (local.get 0))))
              (return (i32.const 1))))
            (i32.const 2))
          (func (export "on_cast_fail") (param i32) (result i32)
            (drop (block $l (result anyref)
              (drop (br_on_cast_fail $l anyref (ref $derived) (call $value (local.get 0))))
              (return (i32.const 1))))
            (i32.const 2))
          ;; The value travels with the branch: a block with an extra i32 below makes the branch move values.
          (func (export "carry") (param i32) (result i32)
            (local $r (ref null $derived))
            (block $l (result i32 (ref null $derived))
              (i32.const 5)
              (i32.const 7)
              (br_on_cast $l anyref (ref null $derived) (call $value (local.get 0)))
              (drop)
              (drop)
              (return (i32.const -1)))
            (local.set $r)
            (i32.add (if (result i32) (ref.is_null (local.get $r)) (then (i32.const 100)) (else (struct.get $derived 1 (local.get $r))))))
          (func (export "funcs") (result i32)
            (i32.add (ref.test (ref func) (ref.func $nop)) (i32.shl (ref.test (ref $f) (ref.func $nop)) (i32.const 1))))
          (func (export "eq") (param i32 i32) (result i32)
            (ref.eq (ref.cast eqref (call $value (local.get 0))) (ref.cast eqref (call $value (local.get 1)))))
          (func (export "roundtrip") (param externref) (result externref) (extern.convert_any (any.convert_extern (local.get 0))))
        )
        """;

    [Fact]
    public void CastsAndBranchesOnCastAgreeWithTheInterpreter()
    {
        var m = Both(CastModule);
        var host = new object();
        m.Jit.Invoke("set_host", Value.FromReference(host));
        m.Interp.Invoke("set_host", Value.FromReference(host));
        var expected = new[] { 0b001010111, 0b011010111, 0b000100111, 0b000001111, 0b100000001, 0b000000011 };
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal($"i32:{expected[i]}", Agree(m, "classify", Value.FromI32(i)));
            Assert.Equal(i is 1 or 4 ? "i32:2" : "i32:1", Agree(m, "on_cast", Value.FromI32(i)));
            Assert.Equal(i is 1 ? "i32:1" : "i32:2", Agree(m, "on_cast_fail", Value.FromI32(i)));
            Agree(m, "carry", Value.FromI32(i));
        }
        Assert.Equal("i32:9", Agree(m, "carry", Value.FromI32(1)));
        Assert.Equal("i32:107", Agree(m, "carry", Value.FromI32(4)));
        Assert.Equal("i32:3", Agree(m, "funcs"));
        Assert.Equal("i32:1", Agree(m, "eq", Value.FromI32(3), Value.FromI32(3))); // i31 compares by value
        Assert.Equal("i32:0", Agree(m, "eq", Value.FromI32(0), Value.FromI32(0))); // two allocations
        Assert.Same(host, m.Jit.Invoke("roundtrip", Value.FromReference(host))[0].Reference);
    }

    /// <summary>
    /// Every function of every module of the suite: the JIT compiles it, or names a first unsupported instruction
    /// that is not a GC one (<see cref="FunctionCompiler.Unsupported"/>, which <see cref="JitStatistics.FallbackReasons"/> counts).
    /// </summary>
    [CoreSuiteFact]
    public void NoFunctionOfTheSuiteFallsBackBecauseOfAGcInstruction()
    {
        var gcNames = Enum.GetValues<Opcode>().Where(o => ((int)o >> 16) == 0xFB).Select(o => o.Name()).ToHashSet();
        var functions = 0;
        var withGc = 0;
        var problems = new List<string>();
        foreach (var (where, instance, function) in SuiteInstances.DefinedFunctions())
        {
            functions++;
            withGc += function.Code.Body.Instructions.Any(i => ((int)i.Opcode >> 16) == 0xFB) ? 1 : 0;
            if (FunctionCompiler.Unsupported(instance.Validated, (int)function.Index) is { } reason && gcNames.Contains(reason))
            {
                problems.Add($"{where} {function}: {reason}");
            }
        }
        Assert.Empty(problems);
        Assert.True(withGc > 150, $"{withGc} of {functions} functions use GC instructions");
    }

}
