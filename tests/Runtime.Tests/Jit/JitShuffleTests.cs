using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Tests.Jit;

/// <summary>
/// The JIT compiles an <c>i8x16.shuffle</c> as one byte shuffle instead of two when its lanes all come from one
/// operand, when both operands are the same local, or when one operand is a local that only ever holds zero
/// (<c>FunctionCompiler.EmitShuffle</c>). Each form, and the near misses that must keep the general form (a local
/// overwritten before, in a nested block, or later in an enclosing loop; an operand that is not a plain
/// <c>local.get</c>), against the interpreter and the
/// instruction's definition (<see cref="VectorOps.I8x16Shuffle"/>), with the IL checked to take the path it tests.
/// </summary>
public sealed class JitShuffleTests
{
    private const string Mixed = "0 17 2 19 31 16 15 1 8 24 9 25 3 3 30 7";

    // name, body (x and y hold the arguments, $z is zero throughout, $w is zero only until it is overwritten), single shuffle expected
    private static readonly (string Name, string Body, bool Single)[] Cases =
    [
        ("mixed", $"(i8x16.shuffle {Mixed} (local.get $x) (local.get $y))", false),
        ("from-a", "(i8x16.shuffle 15 14 13 12 0 0 1 1 7 6 5 4 3 2 1 0 (local.get $x) (local.get $y))", true),
        ("from-b", "(i8x16.shuffle 31 30 29 28 16 16 17 17 23 22 21 20 19 18 17 16 (local.get $x) (local.get $y))", true),
        ("same", $"(i8x16.shuffle {Mixed} (local.get $x) (local.get $x))", true),
        ("zero-b", $"(i8x16.shuffle {Mixed} (local.get $x) (local.get $z))", true),
        ("zero-a", $"(i8x16.shuffle {Mixed} (local.get $z) (local.get $y))", true),
        ("zero-a-const-b", $"(i8x16.shuffle {Mixed} (local.get $z) (v128.const i64x2 0x0102030405060708 0x1112131415161718))", true),
        ("overwritten", $"(local.set $w (local.get $y)) (i8x16.shuffle {Mixed} (local.get $x) (local.get $w))", false),
        ("computed-b", $"(i8x16.shuffle {Mixed} (local.get $x) (v128.xor (local.get $z) (local.get $y)))", false),
        ("zero-again", $"(block (result v128) (local.set $z (local.get $y)) (local.set $z (v128.const i64x2 0 0)) (i8x16.shuffle {Mixed} (local.get $x) (local.get $z)))", true),
        ("zero-in-loop", $"(block (result v128) (loop $l (local.set $r (i8x16.shuffle {Mixed} (local.get $x) (local.get $z))) (local.set $n (i32.add (local.get $n) (i32.const 1))) (br_if $l (i32.lt_u (local.get $n) (i32.const 3)))) (local.get $r))", true),
        ("written-in-loop", $"(block (result v128) (loop $l (local.set $r (i8x16.shuffle {Mixed} (local.get $x) (local.get $z))) (local.set $z (local.get $y)) (local.set $n (i32.add (local.get $n) (i32.const 1))) (br_if $l (i32.lt_u (local.get $n) (i32.const 2)))) (local.get $r))", false),
        ("written-in-if", $"(block (result v128) (if (i64.ne (local.get 0) (i64.const 0)) (then (local.set $z (local.get $y)))) (i8x16.shuffle {Mixed} (local.get $x) (local.get $z)))", false),
        ("else-arm", $"(if (result v128) (i64.eq (local.get 0) (i64.const 0)) (then (local.set $z (local.get $y)) (local.get $z)) (else (i8x16.shuffle {Mixed} (local.get $x) (local.get $z))))", true),
    ];

    private static string ModuleText() =>
        "(module\n" + string.Concat(Cases.Select(c => $$"""
            (func (export "{{c.Name}}") (param i64 i64 i64 i64) (result i64 i64) (local $x v128) (local $y v128) (local $z v128) (local $w v128) (local $r v128) (local $n i32)
              (local.set $z (v128.const i64x2 0 0))
              (local.set $w (v128.const i64x2 0 0))
              (local.set $x (i64x2.replace_lane 1 (i64x2.splat (local.get 0)) (local.get 1)))
              (local.set $y (i64x2.replace_lane 1 (i64x2.splat (local.get 2)) (local.get 3)))
              (local.set $r {{c.Body}})
              (i64x2.extract_lane 0 (local.get $r)) (i64x2.extract_lane 1 (local.get $r)))

            """)) + ")";

    [Fact]
    public void Each_shuffle_form_agrees_with_the_interpreter_and_the_definition()
    {
        var listings = new Dictionary<string, string>();
        var jitEngine = new Engine(new EngineOptions { Tier = ExecutionTier.Jit, JitEager = true, JitDumpIl = (name, il) => listings[name] = il });
        var jit = CompiledModule.FromText(jitEngine, ModuleText()).Instantiate(new Store(jitEngine));
        var interpEngine = new Engine(new EngineOptions { Tier = ExecutionTier.Interpreter });
        var interp = CompiledModule.FromText(interpEngine, ModuleText()).Instantiate(new Store(interpEngine));
        var x = new V128(0x8877665544332211, 0xffeeddccbbaa9900);
        var y = new V128(0x0f0e0d0c0b0a0908, 0x0706050403020100);
        Value[] arguments = [Value.FromI64((long)x.Low), Value.FromI64((long)x.High), Value.FromI64((long)y.Low), Value.FromI64((long)y.High)];
        var mixed = Lanes(Mixed);
        var expected = new Dictionary<string, V128>
        {
            ["mixed"] = VectorOps.I8x16Shuffle(x, y, mixed.Low, mixed.High),
            ["same"] = VectorOps.I8x16Shuffle(x, x, mixed.Low, mixed.High),
            ["zero-b"] = VectorOps.I8x16Shuffle(x, default, mixed.Low, mixed.High),
            ["zero-a"] = VectorOps.I8x16Shuffle(default, y, mixed.Low, mixed.High),
            ["zero-a-const-b"] = VectorOps.I8x16Shuffle(default, new V128(0x0102030405060708, 0x1112131415161718), mixed.Low, mixed.High),
            ["overwritten"] = VectorOps.I8x16Shuffle(x, y, mixed.Low, mixed.High),
            ["computed-b"] = VectorOps.I8x16Shuffle(x, y, mixed.Low, mixed.High),
            ["zero-again"] = VectorOps.I8x16Shuffle(x, default, mixed.Low, mixed.High),
            ["zero-in-loop"] = VectorOps.I8x16Shuffle(x, default, mixed.Low, mixed.High),
            ["written-in-loop"] = VectorOps.I8x16Shuffle(x, y, mixed.Low, mixed.High),
            ["written-in-if"] = VectorOps.I8x16Shuffle(x, y, mixed.Low, mixed.High),
            ["else-arm"] = VectorOps.I8x16Shuffle(x, default, mixed.Low, mixed.High),
        };

        foreach (var (name, _, single) in Cases)
        {
            var compiled = jit.Invoke(name, arguments);
            var interpreted = interp.Invoke(name, arguments);
            Assert.Equal((interpreted[0].I64, interpreted[1].I64), (compiled[0].I64, compiled[1].I64));
            if (expected.TryGetValue(name, out var want))
            {
                Assert.Equal(((long)want.Low, (long)want.High), (compiled[0].I64, compiled[1].I64));
            }
            var il = listings[$"func {Array.FindIndex(Cases, c => c.Name == name)}"];
            Assert.Equal(single, il.Contains(nameof(VectorOps.I8x16ShuffleOne), StringComparison.Ordinal));
        }
    }

    private static (long Low, long High) Lanes(string text)
    {
        var bytes = text.Split(' ').Select(byte.Parse).ToArray();
        return (BitConverter.ToInt64(bytes, 0), BitConverter.ToInt64(bytes, 8));
    }
}
