using WasmHarness.Execution;
using WasmHarness.Jit;
using ValType = WasmHarness.Syntax.ValType;

namespace WasmHarness.Tests.Jit;

/// <summary>The JIT tier against the interpreter: numerics edge cases, memory bounds, call depth, fuel, mixed tiers, IL dumps.</summary>
public sealed class JitTests
{
    private static ModuleInstance Instantiate(string text, EngineOptions? options = null, Linker? linker = null)
    {
        var engine = new Engine((options ?? new EngineOptions()) with { Tier = ExecutionTier.Jit });
        return CompiledModule.FromText(engine, text).Instantiate(new Store(engine), linker);
    }

    private static ModuleInstance Interpret(string text)
    {
        var engine = new Engine();
        return CompiledModule.FromText(engine, text).Instantiate(new Store(engine));
    }

    private static readonly uint[] F32Edges =
    [
        0x00000000, 0x80000000, 0x00000001, 0x80000001, 0x007fffff, 0x00800000, 0x3f000000, 0xbf000000, 0x3fc00000, 0x40200000,
        0xbfc00000, 0x3f800000, 0xbf800000, 0x4effffff, 0x4f000000, 0xcf000000, 0x5f000000, 0x7f7fffff, 0xff7fffff,
        0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7fa00000, 0xffa00000, 0x7f800001, 0x4f800000, 0xdf000000,
    ];

    private static readonly ulong[] F64Edges =
    [
        0, 0x8000000000000000, 1, 0x8000000000000001, 0x000fffffffffffff, 0x0010000000000000, 0x3fe0000000000000,
        0xbfe0000000000000, 0x3ff8000000000000, 0x4004000000000000, 0xc004000000000000, 0x3ff0000000000000, 0xbff0000000000000,
        0x41dfffffffc00000, 0x41e0000000000000, 0xc1e0000000200000, 0x43e0000000000000, 0x7fefffffffffffff, 0xffefffffffffffff,
        0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000, 0xfff8000000000000, 0x7ff4000000000000, 0x7ff0000000000001,
        0x43f0000000000000, 0xc3e0000000000001,
    ];

    private static readonly ulong[] IntEdges =
    [
        0, 1, 2, 3, 31, 32, 33, 63, 64, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe,
        0x100000000, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff, 0x123456789abcdef0,
    ];

    private static readonly string[] IntBinary = ["add", "sub", "mul", "div_s", "div_u", "rem_s", "rem_u", "and", "or", "xor", "shl", "shr_s", "shr_u", "rotl", "rotr", "eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"];
    private static readonly string[] IntUnary = ["clz", "ctz", "popcnt", "eqz", "extend8_s", "extend16_s"];
    private static readonly string[] FloatBinary = ["add", "sub", "mul", "div", "min", "max", "copysign", "eq", "ne", "lt", "gt", "le", "ge"];
    private static readonly string[] FloatUnary = ["abs", "neg", "ceil", "floor", "trunc", "nearest", "sqrt"];

    /// <summary>A module with one export per operator, named like the operator.</summary>
    private static string NumericModule()
    {
        var funcs = new List<string>();
        foreach (var t in new[] { "i32", "i64" })
        {
            funcs.AddRange(IntBinary.Select(op => $"(func (export \"{t}.{op}\") (param {t} {t}) (result {(op is "eq" or "ne" || op.StartsWith('l') || op.StartsWith('g') ? "i32" : t)}) (local.get 0) (local.get 1) ({t}.{op}))"));
            funcs.AddRange(IntUnary.Select(op => $"(func (export \"{t}.{op}\") (param {t}) (result {(op == "eqz" ? "i32" : t)}) (local.get 0) ({t}.{op}))"));
        }
        foreach (var t in new[] { "f32", "f64" })
        {
            funcs.AddRange(FloatBinary.Select(op => $"(func (export \"{t}.{op}\") (param {t} {t}) (result {(op.Length == 2 ? "i32" : t)}) (local.get 0) (local.get 1) ({t}.{op}))"));
            funcs.AddRange(FloatUnary.Select(op => $"(func (export \"{t}.{op}\") (param {t}) (result {t}) (local.get 0) ({t}.{op}))"));
        }
        var conversions = new (string Name, string From, string To)[]
        {
            ("i32.wrap_i64", "i64", "i32"), ("i64.extend_i32_s", "i32", "i64"), ("i64.extend_i32_u", "i32", "i64"), ("i64.extend32_s", "i64", "i64"),
            ("i32.trunc_sat_f32_s", "f32", "i32"), ("i32.trunc_sat_f32_u", "f32", "i32"), ("i32.trunc_sat_f64_s", "f64", "i32"), ("i32.trunc_sat_f64_u", "f64", "i32"),
            ("i64.trunc_sat_f32_s", "f32", "i64"), ("i64.trunc_sat_f32_u", "f32", "i64"), ("i64.trunc_sat_f64_s", "f64", "i64"), ("i64.trunc_sat_f64_u", "f64", "i64"),
            ("i32.trunc_f32_s", "f32", "i32"), ("i32.trunc_f32_u", "f32", "i32"), ("i32.trunc_f64_s", "f64", "i32"), ("i32.trunc_f64_u", "f64", "i32"),
            ("i64.trunc_f32_s", "f32", "i64"), ("i64.trunc_f32_u", "f32", "i64"), ("i64.trunc_f64_s", "f64", "i64"), ("i64.trunc_f64_u", "f64", "i64"),
            ("f32.convert_i32_s", "i32", "f32"), ("f32.convert_i32_u", "i32", "f32"), ("f32.convert_i64_s", "i64", "f32"), ("f32.convert_i64_u", "i64", "f32"),
            ("f64.convert_i32_s", "i32", "f64"), ("f64.convert_i32_u", "i32", "f64"), ("f64.convert_i64_s", "i64", "f64"), ("f64.convert_i64_u", "i64", "f64"),
            ("f32.demote_f64", "f64", "f32"), ("f64.promote_f32", "f32", "f64"),
            ("i32.reinterpret_f32", "f32", "i32"), ("i64.reinterpret_f64", "f64", "i64"), ("f32.reinterpret_i32", "i32", "f32"), ("f64.reinterpret_i64", "i64", "f64"),
        };
        funcs.AddRange(conversions.Select(c => $"(func (export \"{c.Name}\") (param {c.From}) (result {c.To}) (local.get 0) ({c.Name}))"));
        return $"(module {string.Join("\n", funcs)})";
    }

    private static IEnumerable<Value> Edges(ValType type) => type.Kind switch
    {
        Syntax.ValueKind.I32 => IntEdges.Select(v => Value.FromI32((int)v)),
        Syntax.ValueKind.I64 => IntEdges.Select(v => Value.FromI64((long)v)),
        Syntax.ValueKind.F32 => F32Edges.Select(Value.FromF32Bits),
        _ => F64Edges.Select(Value.FromF64Bits),
    };

    private static string Outcome(string name, FunctionInstance function, Value[] args)
    {
        try
        {
            var result = function.Invoke(args)[0];
            var type = function.Type.Results[0];
            // Arithmetic NaN results may differ in payload between engines; their class is what Wasm fixes.
            var isNaN = type.Kind == Syntax.ValueKind.F32 ? float.IsNaN(result.F32) : type.Kind == Syntax.ValueKind.F64 && double.IsNaN(result.F64);
            var bitExact = name.Contains("abs") || name.Contains("neg") || name.Contains("copysign") || name.Contains("reinterpret");
            return isNaN && !bitExact ? "nan" : result.ToString(type);
        }
        catch (TrapException e)
        {
            return "trap: " + e.Reason;
        }
    }

    [Fact]
    public void NumericsMatchTheInterpreterOnEdgeCases()
    {
        var text = NumericModule();
        var jit = Instantiate(text);
        var interp = Interpret(text);
        var statistics = jit.Store.Engine.JitStatistics;
        var compiledBefore = statistics.Compiled;
        var checkedCount = 0;
        foreach (var (name, export) in interp.Exports)
        {
            var reference = (FunctionInstance)export;
            var compiled = jit.GetFunction(name);
            var parameters = reference.Type.Parameters;
            var inputs = parameters.Count == 1
                ? Edges(parameters[0]).Select(a => new[] { a })
                : Edges(parameters[0]).SelectMany(a => Edges(parameters[1]).Select(b => new[] { a, b }));
            foreach (var args in inputs)
            {
                Assert.True(Outcome(name, reference, args) == Outcome(name, compiled, args), $"{name}({string.Join(", ", args.Select((a, i) => a.ToString(parameters[i])))})");
                checkedCount++;
            }
        }
        Assert.True(checkedCount > 10_000);
        Assert.True(statistics.Compiled > compiledBefore, "the numeric functions ran compiled");
    }

    [Fact]
    public void RotateFollowedByEqz()
    {
        // eqz of a rotate or shift result must test the result, not flags the x86 instruction did not set.
        var ops = new[] { "rotl", "rotr", "shl", "shr_u", "shr_s" };
        var text = "(module " + string.Join(" ", ops.SelectMany(op => new[]
        {
            $"(func (export \"i32.{op}\") (param i32 i32) (result i32) (i32.eqz (i32.{op} (local.get 0) (local.get 1))))",
            $"(func (export \"i32.{op}.k\") (param i32) (result i32) (i32.eqz (i32.{op} (local.get 0) (i32.const -880029158))))",
            $"(func (export \"i64.{op}.k\") (param i64) (result i32) (i64.eqz (i64.{op} (local.get 0) (i64.const 0x3d))))",
        })) + ")";
        var jit = Instantiate(text);
        var interp = Interpret(text);
        foreach (var (name, export) in interp.Exports)
        {
            var function = (FunctionInstance)export;
            foreach (var a in new[] { 0L, 1L, -1L, 0x80000000L })
            {
                foreach (var b in new[] { 0, 1, 31, 32 })
                {
                    var args = function.Type.Parameters.Select((t, i) => i == 0 ? new Value((ulong)a).Normalize(t) : Value.FromI32(b)).ToArray();
                    Assert.True(interp.GetFunction(name).Invoke(args)[0] == jit.GetFunction(name).Invoke(args)[0], $"{name}({a}, {b})");
                }
            }
        }
    }

    [Fact]
    public void NaNPayloadsSurviveLoadsStoresAndSignOperations()
    {
        var instance = Instantiate("""
            (module (memory 1)
              (func (export "roundtrip32") (param i32) (result i32)
                (f32.store (i32.const 8) (f32.neg (f32.abs (f32.reinterpret_i32 (local.get 0)))))
                (i32.reinterpret_f32 (f32.copysign (f32.load (i32.const 8)) (f32.const -1))))
              (func (export "const32") (result i32) (i32.reinterpret_f32 (f32.const nan:0x200000)))
              (func (export "sub0") (param f32) (result f32) (f32.sub (local.get 0) (f32.const 0)))
              (func (export "roundtrip64") (param i64) (result i64)
                (f64.store (i32.const 8) (f64.neg (f64.reinterpret_i64 (local.get 0))))
                (i64.reinterpret_f64 (f64.neg (f64.load (i32.const 8))))))
            """);
        Assert.Equal(unchecked((int)0xffa00001), instance.Invoke("roundtrip32", Value.FromI32(0x7fa00001))[0].I32);
        Assert.Equal(0x7fa00000, instance.Invoke("const32")[0].I32);
        Assert.Equal(0x7ff4000000000001L, instance.Invoke("roundtrip64", Value.FromI64(0x7ff4000000000001L))[0].I64);
        // x - 0 must not be folded to x: a signalling NaN comes out quiet.
        Assert.Equal(0x7fe00000u, instance.Invoke("sub0", Value.FromF32Bits(0x7fa00000))[0].F32Bits);
    }

    [Fact]
    public void ArithmeticQuietsSignallingNaNsWhateverRyuJitKnowsOfTheOtherOperand()
    {
        // RyuJIT folds x - 0, x + -0, x * 1, x / 1 (and x * -1 to -x) when it knows the constant, returning a
        // signalling NaN x unquieted. It learns constants from more than f32.const/f64.const: zero-initialised
        // locals, conversions and reinterpretations of integer constants, splats, v128.xor x x, the -0 that a
        // min's NaN path adds. Every one of these must still quiet the NaN (found by the differential tester).
        var text = """
            (module
              (func (export "zero-local") (param f64) (result f64) (local f64) (f64.sub (local.get 0) (local.get 1)))
              (func (export "converted") (param f64) (result f64) (f64.sub (local.get 0) (f64.convert_i32_s (i32.const 0))))
              (func (export "reinterpreted") (param f64) (result f64) (f64.add (local.get 0) (f64.reinterpret_i64 (i64.const 0x8000000000000000))))
              (func (export "times-one") (param f64) (result f64) (f64.mul (f64.convert_i32_s (i32.const 1)) (local.get 0)))
              (func (export "over-minus-one") (param f64) (result f64) (f64.div (local.get 0) (f64.convert_i32_s (i32.const -1))))
              (func (export "min-minus-zero") (param f64) (result f64) (f64.min (local.get 0) (f64.const -0)))
              (func (export "v-zero-local") (param f64) (result f64) (local v128)
                (f64x2.extract_lane 0 (f64x2.sub (f64x2.splat (local.get 0)) (local.get 1))))
              (func (export "v-splat-one") (param f64) (result f64)
                (f64x2.extract_lane 1 (f64x2.mul (f64x2.splat (local.get 0)) (f64x2.splat (f64.convert_i32_s (i32.const 1))))))
              (func (export "v-xor-self") (param f64) (result f64) (local v128)
                (local.set 1 (f64x2.splat (local.get 0)))
                (f64x2.extract_lane 0 (f64x2.sub (local.get 1) (v128.xor (local.get 1) (local.get 1)))))
              (func (export "v-min-minus-zero") (param f64) (result f64)
                (f64x2.extract_lane 0 (f64x2.min (f64x2.splat (local.get 0)) (v128.const f64x2 -0 -0))))
              (func (export "f32-zero-local") (param f32) (result f32) (local f32) (f32.sub (local.get 0) (local.get 1)))
              (func (export "f32x4-plus-minus-zero") (param f32) (result f32)
                (f32x4.extract_lane 2 (f32x4.add (f32x4.splat (local.get 0)) (i32x4.splat (i32.const 0x80000000))))))
            """;
        var jit = Instantiate(text);
        foreach (var (name, export) in jit.Exports)
        {
            var f32 = ((FunctionInstance)export).Type.Parameters[0].Kind == Syntax.ValueKind.F32;
            var result = jit.GetFunction(name).Invoke(f32 ? Value.FromF32Bits(0x7fa00001) : Value.FromF64Bits(0x7ff4000000000001))[0];
            if (f32)
            {
                Assert.True((result.F32Bits & 0x7fc00000) == 0x7fc00000, $"{name}: 0x{result.F32Bits:x8} is not a quiet NaN");
            }
            else
            {
                Assert.True((result.F64Bits & 0x7ff8000000000000) == 0x7ff8000000000000, $"{name}: 0x{result.F64Bits:x16} is not a quiet NaN");
            }
        }
    }

    [Fact]
    public void FloatSelectBlendsBitForBit()
    {
        // Float selects compile to a blend (no branch): any nonzero condition picks the first operand, and NaNs pass
        // with their bits, signalling ones included.
        var instance = Instantiate("""
            (module
              (func (export "f64") (param i64 i64 i32) (result i64)
                (i64.reinterpret_f64 (select (f64.reinterpret_i64 (local.get 0)) (f64.reinterpret_i64 (local.get 1)) (local.get 2))))
              (func (export "f32") (param i32 i32 i32) (result i32)
                (i32.reinterpret_f32 (select (result f32) (f32.reinterpret_i32 (local.get 0)) (f32.reinterpret_i32 (local.get 1)) (local.get 2)))))
            """);
        foreach (var condition in new[] { 0, 1, -1, int.MinValue, int.MaxValue, 2 })
        {
            const long A = 0x7ff4000000000001, B = unchecked((long)0xfff0000000000002);
            Assert.Equal(condition != 0 ? A : B, instance.Invoke("f64", Value.FromI64(A), Value.FromI64(B), Value.FromI32(condition))[0].I64);
            const int C = 0x7fa00001, D = unchecked((int)0x80000000);
            Assert.Equal(condition != 0 ? C : D, instance.Invoke("f32", Value.FromI32(C), Value.FromI32(D), Value.FromI32(condition))[0].I32);
        }
    }

    [Fact]
    public void TryRegionRightAfterAnEmptyIf()
    {
        // An empty if compiles to a conditional branch to the next instruction; when that instruction began a CIL
        // try region (nested try_tables with catch clauses), RyuJIT crashed with SIGSEGV while compiling the
        // function, taking this process with it. Found by a 10-minute differential campaign (worker crash, exit 139).
        var instance = Instantiate("""
            (module (global $g (mut i32) (i32.const 1))
              (func (export "nested") (result i32)
                (block
                  (try_table
                    (if (global.get $g) (then))
                    (try_table (catch_all 0)
                      (try_table (catch_all 1)))))
                (i32.const 7))
              (func (export "after-return") (result i32)
                (block
                  (if (global.get $g) (then))
                  (try_table (catch_all 0)
                    (try_table (catch_all 1))
                    (return (i32.const 8))))
                (i32.const 9)))
            """);
        Assert.Equal(7, instance.Invoke("nested")[0].I32);
        Assert.Equal(8, instance.Invoke("after-return")[0].I32);
    }

    private const string MemoryModule = """
        (module (memory 1 4)
          (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
          (func (export "load_far") (param i32) (result i32) (i32.load offset=4294967295 (local.get 0)))
          (func (export "load8") (param i32) (result i32) (i32.load8_u offset=1 (local.get 0)))
          (func (export "store") (param i32 i64) (i64.store (local.get 0) (local.get 1)))
          (func (export "load_in_try") (param i32) (result i32)
            (block $caught
              (try_table (catch_all $caught)
                (return (i32.add (i32.const 1) (i32.load (local.get 0))))))
            (i32.const -7))
          (func $grow (param i32) (result i32) (memory.grow (local.get 0)))
          (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
          (func (export "grow_then_load") (param i32) (result i32)
            (drop (call $grow (i32.const 1)))
            (i32.load (local.get 0))))
        """;

    /// <summary>
    /// Both forms of the bounds check (FunctionCompiler's inline checks, branching to one trap per method, and the
    /// <c>JitRuntime.Address</c> helper, which a method keeps when it is near RyuJIT's limits: a tiny method budget
    /// makes every method such a one), outside and inside an exception block (where the trap is written in place).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MemoryAccessesAreBoundsCheckedExactly(bool helper)
    {
        var listings = new System.Text.StringBuilder();
        var instance = Instantiate(MemoryModule, new EngineOptions
        {
            JitEager = true,
            JitMethodBudget = helper ? 16 : RegionPlanner.DefaultBudget,
            JitDumpIl = (_, il) => listings.Append(il),
        });
        Assert.Equal(0, instance.Invoke("load", Value.FromI32(65532))[0].I32);
        AssertTrap(TrapKind.OutOfBoundsMemoryAccess, () => instance.Invoke("load", Value.FromI32(65533)));
        AssertTrap(TrapKind.OutOfBoundsMemoryAccess, () => instance.Invoke("load", Value.FromI32(-1)));
        AssertTrap(TrapKind.OutOfBoundsMemoryAccess, () => instance.Invoke("load_far", Value.FromI32(0)));
        AssertTrap(TrapKind.OutOfBoundsMemoryAccess, () => instance.Invoke("load_far", Value.FromI32(-1)));
        Assert.Equal(0, instance.Invoke("load8", Value.FromI32(65534))[0].I32);
        AssertTrap(TrapKind.OutOfBoundsMemoryAccess, () => instance.Invoke("load8", Value.FromI32(65535)));
        AssertTrap(TrapKind.OutOfBoundsMemoryAccess, () => instance.Invoke("store", Value.FromI32(65529), Value.FromI64(1)));
        instance.Invoke("store", Value.FromI32(65528), Value.FromI64(-1));
        Assert.Equal(-1, instance.Invoke("load", Value.FromI32(65532))[0].I32);
        // A trap is not an exception a catch_all can catch, whichever way it is thrown.
        Assert.Equal(0, instance.Invoke("load_in_try", Value.FromI32(65528))[0].I32);
        AssertTrap(TrapKind.OutOfBoundsMemoryAccess, () => instance.Invoke("load_in_try", Value.FromI32(65533)));
        Assert.Equal(helper, listings.ToString().Contains("JitRuntime::Address"));
    }

    [Fact]
    public void GrowingMemoryInvalidatesTheCachedBounds()
    {
        var instance = Instantiate(MemoryModule);
        AssertTrap(TrapKind.OutOfBoundsMemoryAccess, () => instance.Invoke("load", Value.FromI32(70000)));
        // The callee grows the memory; the caller's cached length must be reloaded after the call.
        Assert.Equal(0, instance.Invoke("grow_then_load", Value.FromI32(70000))[0].I32);
        Assert.Equal(2, instance.Invoke("grow", Value.FromI32(2))[0].I32);
        Assert.Equal(-1, instance.Invoke("grow", Value.FromI32(1))[0].I32);
        Assert.Equal(0, instance.Invoke("load", Value.FromI32((4 * 65536) - 4))[0].I32);
    }

    private const string RecursionModule = """
        (module (global $depth (export "depth") (mut i32) (i32.const 0))
          (func $down (export "down") (param i64) (result i64)
            (global.set $depth (i32.add (global.get $depth) (i32.const 1)))
            (if (result i64) (i64.eqz (local.get 0)) (then (i64.const 0))
              (else (i64.add (i64.const 1) (call $down (i64.sub (local.get 0) (i64.const 1))))))))
        """;

    [Fact]
    public void DeepRecursionTrapsAtTheInterpretersDepthAndTheProcessSurvives()
    {
        var options = new EngineOptions { MaxCallDepth = 5000 };
        var jit = Instantiate(RecursionModule, options);
        var interpEngine = new Engine(options);
        var interp = CompiledModule.FromText(interpEngine, RecursionModule).Instantiate(new Store(interpEngine));
        AssertTrap(TrapKind.CallStackExhausted, () => jit.Invoke("down", Value.FromI64(1_000_000)));
        AssertTrap(TrapKind.CallStackExhausted, () => interp.Invoke("down", Value.FromI64(1_000_000)));
        Assert.Equal(interp.GetGlobal("depth").Value.I32, jit.GetGlobal("depth").Value.I32);
        // The store is usable afterwards, and recursion just under the limit works.
        Assert.Equal(4000L, jit.Invoke("down", Value.FromI64(4000))[0].I64);
    }

    [Fact]
    public void DefaultDepthLimitIsReachedWithoutOverflowingTheStack()
    {
        var jit = Instantiate(RecursionModule);
        AssertTrap(TrapKind.CallStackExhausted, () => jit.Invoke("down", Value.FromI64(long.MaxValue)));
        Assert.Equal(new EngineOptions().MaxCallDepth, jit.GetGlobal("depth").Value.I32);
    }

    [Fact]
    public void FuelStopsAnInfiniteLoop()
    {
        var instance = Instantiate("(module (func (export \"spin\") (loop (br 0))))", new EngineOptions { Fuel = 100_000 });
        AssertTrap(TrapKind.OutOfFuel, () => instance.Invoke("spin"));
        Assert.Equal(0, instance.Store.Fuel);
    }

    [Theory]
    [InlineData(ExecutionTier.Jit)]
    [InlineData(ExecutionTier.Interpreter)]
    public void The_depth_limit_counts_on_through_host_functions_that_call_back(ExecutionTier tier)
    {
        // Compiled frames pass their depth as an argument; a call out to the host leaves it in the store's JIT state,
        // where the entry of the call back starts from. So recursion through a host function still ends at the limit
        // (host frames are not counted), as in the interpreter, and a later call starts from depth 1 again.
        var linker = new Linker();
        FunctionInstance? down = null;
        linker.DefineFunction("host", "again", new Syntax.FunctionType([Syntax.ValType.I64], [Syntax.ValType.I64]),
            (args, results) => results[0] = down!.Invoke(args[0])[0]);
        var engine = new Engine(new EngineOptions { Tier = tier, MaxCallDepth = 100 });
        var instance = CompiledModule.FromText(engine, """
            (module
              (import "host" "again" (func $again (param i64) (result i64)))
              (global $depth (export "depth") (mut i32) (i32.const 0))
              (func $down (export "down") (param i64) (result i64)
                (global.set $depth (i32.add (global.get $depth) (i32.const 1)))
                (if (result i64) (i64.eqz (local.get 0)) (then (i64.const 0))
                  (else (i64.add (i64.const 1) (call $again (i64.sub (local.get 0) (i64.const 1))))))))
            """).Instantiate(new Store(engine), linker);
        down = instance.GetFunction("down");
        AssertTrap(TrapKind.CallStackExhausted, () => instance.Invoke("down", Value.FromI64(1_000)));
        Assert.Equal(100, instance.GetGlobal("depth").Value.I32);
        Assert.Equal(99L, instance.Invoke("down", Value.FromI64(99))[0].I64);
    }

    [Theory]
    [InlineData(ExecutionTier.Jit)]
    [InlineData(ExecutionTier.Interpreter)]
    public void Globals_read_in_a_loop_see_every_write_by_the_host_and_by_the_module_that_owns_them(ExecutionTier tier)
    {
        // Compiled code keeps the address of a global's bits in a local for a loop (FunctionCompiler.HoistGlobals),
        // never the value: an imported mutable global written by its owner and by the host inside the loop, and a
        // global of each number type written through the embedding API between calls, must all be seen.
        var engine = new Engine(new EngineOptions { Tier = tier });
        var store = new Store(engine);
        var owner = CompiledModule.FromText(engine, """
            (module
              (global $g (export "g") (mut i64) (i64.const 0))
              (func (export "bump") (global.set $g (i64.add (global.get $g) (i64.const 10)))))
            """).Instantiate(store);
        var linker = new Linker().DefineInstance("owner", owner);
        var shared = (GlobalInstance)owner.GetExport("g")!;
        linker.DefineFunction("host", "poke", new Syntax.FunctionType([], []), (_, _) => shared.Value = Value.FromI64(shared.Value.I64 + 1000));
        var user = CompiledModule.FromText(engine, """
            (module
              (import "owner" "g" (global $g (mut i64)))
              (import "owner" "bump" (func $bump))
              (import "host" "poke" (func $poke))
              (global $f (export "f") (mut f64) (f64.const 0))
              (global $i (export "i") (mut i32) (i32.const 0))
              (func (export "sum") (param $n i32) (result i64) (local $acc i64)
                (loop $l
                  (local.set $acc (i64.add (local.get $acc) (global.get $g)))
                  (call $bump)
                  (call $poke)
                  (global.set $g (i64.add (global.get $g) (i64.const 1)))
                  (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
                (local.get $acc))
              (func (export "read") (result f64) (f64.add (global.get $f) (f64.convert_i32_s (global.get $i))))
              (func (export "read_twice") (result f64) (f64.add (global.get $f) (global.get $f))))
            """).Instantiate(store, linker);

        // $g before each iteration: 0, 1011, 2022 (each iteration adds 10 + 1000 + 1).
        Assert.Equal(0L + 1011 + 2022, user.Invoke("sum", Value.FromI32(3))[0].I64);
        Assert.Equal(3033L, shared.Value.I64);
        var (f, i) = ((GlobalInstance)user.GetExport("f")!, (GlobalInstance)user.GetExport("i")!);
        f.Value = Value.FromF64(2.5);
        i.Value = Value.FromI32(-3);
        Assert.Equal(-0.5, user.Invoke("read")[0].F64);
        f.Value = Value.FromF64(-1.25);
        Assert.Equal(-2.5, user.Invoke("read_twice")[0].F64);
        Assert.Equal(-4.25, user.Invoke("read")[0].F64);
    }

    [Fact]
    public void CompiledAndInterpretedFunctionsCallEachOther()
    {
        // $interp is left to the interpreter (EngineOptions.JitFilter); it tail-calls the compiled $twice and is called by it.
        var linker = new Linker();
        FunctionInstance? callback = null;
        linker.DefineFunction("host", "call_back", new Syntax.FunctionType([Syntax.ValType.I32], [Syntax.ValType.I32]),
            (args, results) => results[0] = callback!.Invoke(Value.FromI32(args[0].I32 + 1))[0]);
        var instance = Instantiate("""
            (module
              (import "host" "call_back" (func $host (param i32) (result i32)))
              (func $twice (export "twice") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
              (func $interp (export "simd") (param i32) (result i32)
                (return_call $twice (local.get 0)))
              (func (export "outer") (param i32) (result i32)
                (i32.add (call $interp (local.get 0)) (call $host (local.get 0))))
              (func (export "leaf") (param i32) (result i32) (call $interp (local.get 0))))
            """, new EngineOptions { JitFilter = function => function.Index != 2 }, linker);
        callback = instance.GetFunction("leaf");
        var module = JitModule.For(instance);
        Assert.False(module.Runs(2));
        Assert.True(module.Runs(3));
        // outer(5) = simd(5) + host(5) = 10 + leaf(6) = 10 + 12
        Assert.Equal(22, instance.Invoke("outer", Value.FromI32(5))[0].I32);
    }

    [Fact]
    public void VectorInstructionsCompileAndAgreeWithTheInterpreter()
    {
        const string text = """
            (module (memory 1)
              (func (export "f") (param i32 f32) (result i32 f32 v128)
                (local v128)
                (v128.store (i32.const 16) (i32x4.splat (local.get 0)))
                (local.set 2 (i32x4.add (v128.load (i32.const 16)) (v128.const i32x4 1 2 3 4)))
                (i32x4.extract_lane 3 (local.get 2))
                (f32x4.extract_lane 1 (f32x4.min (f32x4.splat (local.get 1)) (f32x4.splat (f32.const -0))))
                (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get 2) (i8x16.splat (local.get 0)))))
            """;
        var jit = Instantiate(text);
        var interp = Interpret(text);
        foreach (var (i, f) in new[] { (7, 0f), (-1, float.NaN), (int.MinValue, -0f) })
        {
            var expected = interp.Invoke("f", Value.FromI32(i), Value.FromF32(f));
            var actual = jit.Invoke("f", Value.FromI32(i), Value.FromF32(f));
            Assert.Equal(expected, actual);
        }
        Assert.True(JitModule.For(jit).Runs(0));
    }

    [Fact]
    public void IndirectCallsCheckTheTableAndTheType()
    {
        var instance = Instantiate("""
            (module
              (type $ii (func (param i32) (result i32)))
              (table 3 funcref)
              (elem (i32.const 0) $inc $zero)
              (func $inc (type $ii) (i32.add (local.get 0) (i32.const 1)))
              (func $zero (result i32) (i32.const 0))
              (func (export "call") (param i32 i32) (result i32) (call_indirect (type $ii) (local.get 1) (local.get 0))))
            """);
        Assert.Equal(8, instance.Invoke("call", Value.FromI32(0), Value.FromI32(7))[0].I32);
        AssertTrap(TrapKind.IndirectCallTypeMismatch, () => instance.Invoke("call", Value.FromI32(1), Value.FromI32(7)));
        AssertTrap(TrapKind.UninitializedElement, () => instance.Invoke("call", Value.FromI32(2), Value.FromI32(7)));
        AssertTrap(TrapKind.UndefinedElement, () => instance.Invoke("call", Value.FromI32(3), Value.FromI32(7)));
    }

    [Fact]
    public void IndirectCallsToCompiledFunctionsUseTheirCodePointer()
    {
        var instance = Instantiate("""
            (module
              (type $ii (func (param i32) (result i32)))
              (table 1 funcref)
              (elem (i32.const 0) $inc)
              (func $inc (type $ii) (i32.add (local.get 0) (i32.const 1)))
              (func (export "loop") (param i32) (result i32) (local i32)
                (loop $l (local.set 1 (call_indirect (type $ii) (local.get 1) (i32.const 0)))
                  (br_if $l (i32.lt_u (local.get 1) (local.get 0))))
                (local.get 1)))
            """);
        Assert.Equal(100_000, instance.Invoke("loop", Value.FromI32(100_000))[0].I32);
        var module = JitModule.For(instance);
        Assert.True(module.Runs(0));
        Assert.NotEqual(0, module.Pointer(0));
    }

    [Fact]
    public void HugeFramesExhaustTheCallStackWithoutOverflowingIt()
    {
        var locals = string.Join(" ", Enumerable.Repeat("i64", 3000));
        var instance = Instantiate($"(module (func $f (export \"f\") (local {locals}) (call $f)))");
        AssertTrap(TrapKind.CallStackExhausted, () => instance.Invoke("f"));
    }

    [Fact]
    public void MultiValueBlocksAndCallsCompile()
    {
        var instance = Instantiate("""
            (module
              (func $swap (param i32 i64) (result i64 i32) (local.get 1) (local.get 0))
              (func (export "f") (param i32) (result i64)
                (i32.const 42)
                (local.get 0) (i64.const 5)
                (block (param i32 i64) (result i64 i32) (call $swap) (br 0))
                (i64.extend_i32_u) (i64.add)
                (block (param i64) (result i64)
                  (local.get 0) (br_table 1 0))
                (i64.const 1000) (i64.add) (return)))
            """);
        // (p, 5) -> swap -> (5, p) -> 5 + p; br_table 1 (index 0) returns it from under an i32; the default adds 1000.
        Assert.Equal(5L, instance.Invoke("f", Value.FromI32(0))[0].I64);
        Assert.Equal(1012L, instance.Invoke("f", Value.FromI32(7))[0].I64);
    }

    [Fact]
    public void EmittedIlCanBeInspected()
    {
        var listings = new Dictionary<string, string>();
        var instance = Instantiate("(module (memory 1) (func (export \"f\") (param i32) (result i32) (i32.load offset=4 (local.get 0))) (func))",
            new EngineOptions { JitEager = true, JitDumpIl = (name, il) => listings[name] = il });
        Assert.Equal(0, instance.Invoke("f", Value.FromI32(0))[0].I32);
        Assert.Equal(2, listings.Count); // eager: the unused function is compiled too
        listings.Remove("func 1");
        var il = Assert.Single(listings).Value;
        Assert.Contains("ldind.i4", il);
        Assert.Contains("JitRuntime::Trap", il); // the bounds check branches to the method's one out-of-bounds trap
        Assert.Contains("i32.load", il);
    }

    private static void AssertTrap(TrapKind kind, Action action) => Assert.Equal(kind, Assert.Throws<TrapException>(action).Kind);
}
