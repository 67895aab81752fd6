using WasmHarness.Execution;

namespace WasmHarness.Tests.Interpreter;

/// <summary>
/// The interpreter fuses frequent instruction sequences into one op (Compiler.Fuse). Fused or not, a function must
/// compute the same, trap the same, charge the same fuel, and a branch must never land inside a fused op.
/// </summary>
public sealed class SuperinstructionTests
{
    // Every fused sequence, inside a counted loop whose head and exit are labels the fusion must respect.
    private const string Kernel = """
        (module (memory 1)
          (func (export "kernel") (param $n i32) (result i32) (local $i i32) (local $p i32) (local $acc i32) (local $f f64) (local $t i32)
            (local.set $p (i32.const 64))                                  ;; i32.const; local.set
            (block $exit
              (br_if $exit (i32.eqz (local.get $n)))                       ;; eqz; br_if
              (br_if $exit (i32.ge_u (local.get $i) (local.get $n)))       ;; local.get pair; comparison; br_if (forward)
              (loop $head
                (i32.store (local.get $p) (local.get $i))                  ;; local.get; local.get; i32.store
                (local.set $acc (i32.add (local.get $acc) (i32.load (local.get $p))))       ;; local.get; i32.load
                (local.set $acc (i32.add (local.get $acc) (i32.load8_u offset=1 (local.get $p))))  ;; local.get; i32.load8_u
                (local.set $acc (i32.xor (local.get $acc) (i32.load8_s offset=2 (local.get $i))))  ;; local.get; i32.load8_s
                (local.set $acc (i32.xor (local.get $acc) (i32.and (local.get $i) (i32.const 0xF0))))
                (local.set $acc (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 3))))
                (local.set $acc (i32.add (local.get $acc) (i32.shr_u (local.get $acc) (i32.const 7))))
                (local.set $acc (i32.sub (local.get $acc) (i32.const 5)))
                (local.set $t (local.get $acc))                            ;; local.get; local.set: a copy
                (local.set $acc (i32.add (local.get $acc) (i32.div_u (local.get $acc) (local.get $n))))  ;; local.get; any pure op
                (local.set $t (i32.rotl (local.get $t) (local.get $i)))    ;; local.get pair; any pure op
                (local.set $acc (i32.add (local.get $acc) (i32.load offset=4 (i32.add (local.get $p) (i32.const 8)))))    ;; local + const; load
                (local.set $f (f64.add (local.get $f) (f64.load (i32.add (local.get $p) (i32.const 16)))))
                (local.set $acc (i32.add (local.get $acc) (i32.load8_u (i32.add (local.get $p) (i32.const 3)))))
                (local.set $acc (i32.xor (local.get $acc) (i32.load8_u offset=1 (i32.add (local.get $p) (local.get $i)))))  ;; local + local; load
                (local.set $acc (i32.xor (local.get $acc) (i32.load (i32.add (local.get $p) (local.get $i)))))
                (local.set $f (f64.sub (local.get $f) (f64.load offset=8 (i32.add (local.get $i) (local.get $p)))))
                (local.set $acc (i32.mul (local.get $acc) (i32.load (local.get $p))))        ;; local.get; load; any pure op
                (local.set $f (f64.mul (local.get $f) (f64.load offset=16 (local.get $p))))
                (local.set $t (i32.load offset=4 (local.get $p)))             ;; local.get; load; local.set / local.tee
                (local.set $acc (i32.add (local.get $acc) (local.tee $t (i32.load (local.get $p)))))
                (local.set $acc (i32.xor (local.get $acc) (i32.and (i32.shr_u (local.get $t) (i32.const 5)) (i32.const 0x3F))))  ;; a bit field
                (block $never                                                  ;; comparisons with a constant; br_if
                  (br_if $never (i32.eq (i32.and (local.get $acc) (i32.const 3)) (i32.const 7)))     ;; (never taken:
                  (br_if $never (i32.gt_u (local.get $t) (i32.const -1)))                            ;; straight-line)
                  (local.set $acc (i32.add (local.get $acc) (i32.const 1))))
                (block $skip                                               ;; computed value; local.get; comparison; br_if
                  (br_if $skip (i32.lt_u (i32.and (local.get $t) (i32.const 7)) (local.get $i))))  ;; (straight-line: fuel)
                (f64.store (i32.const 8) (f64.convert_i32_u (local.get $acc)))
                (local.set $f (f64.add (local.get $f) (f64.load (local.tee $p (i32.add (local.get $p) (i32.const 0)) ))))
                (local.set $p (i32.add (local.get $p) (i32.const 4)))     ;; the loop step, fused whole
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br_if $head (i32.lt_u (local.get $i) (local.get $n)))))   ;; local.get pair; comparison; br_if (back)
            (i32.add (local.get $acc) (i32.trunc_f64_u (f64.div (local.get $f) (f64.const 1e6)))))
          ;; The fused compare-and-branch forms with data-dependent directions (the kernel's loop stays straight-line).
          (func (export "branches") (param $n i32) (result i32) (local $i i32) (local $acc i32) (local $t i32)
            (loop $head
              (local.set $t (i32.mul (local.get $i) (i32.const 0x9E3779B1)))
              (block $skip
                (br_if $skip (i32.lt_u (i32.shr_u (local.get $t) (i32.const 29)) (local.get $i)))     ;; computed vs local
                (local.set $acc (i32.add (local.get $acc) (local.get $t))))
              (block $skip2
                (br_if $skip2 (i32.gt_s (local.get $t) (local.get $acc)))                             ;; local vs local
                (local.set $acc (i32.xor (local.get $acc) (i32.const 0x5A5A))))
              (block $skip3
                (br_if $skip3 (i32.eq (i32.and (local.get $t) (i32.const 3)) (i32.const 1)))        ;; computed vs constant
                (br_if $skip3 (i32.gt_u (local.get $t) (i32.const 0x7FFFFFFF)))                     ;; local vs constant
                (local.set $acc (i32.sub (local.get $acc) (i32.const 0x1234))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $head (i32.lt_u (local.get $i) (local.get $n))))
            (local.get $acc))
          ;; Fused loads whose address wraps at 2^32 before the offset is added, and that trap past the end.
          (func (export "wrap") (param $p i32) (param $q i32) (result i32)
            (i32.add (i32.load8_u offset=2 (i32.add (local.get $p) (i32.const 32)))
                     (i32.load8_u (i32.add (local.get $p) (local.get $q)))))
          (func (export "peek") (param $p i32) (result f64)
            (f64.mul (f64.const 2) (f64.load (local.get $p))))
          ;; A fused pure op that traps: local.get pair; i32.div_s.
          (func (export "divide") (param $a i32) (param $b i32) (result i32)
            (i32.div_s (local.get $a) (local.get $b))))
        """;

    private static ModuleInstance Instantiate(ExecutionTier tier, long? fuel = null)
    {
        var engine = new Engine(new EngineOptions { Tier = tier, Fuel = fuel });
        return CompiledModule.FromText(engine, Kernel).Instantiate(new Store(engine));
    }

    [Fact]
    public void FusedCodeComputesWhatTheJitComputes()
    {
        var interpreter = Instantiate(ExecutionTier.Interpreter);
        var jit = Instantiate(ExecutionTier.Jit);
        foreach (var n in new[] { 0, 1, 2, 17, 1000 })
        {
            Assert.Equal(jit.Invoke("kernel", Value.FromI32(n))[0].I32, interpreter.Invoke("kernel", Value.FromI32(n))[0].I32);
            Assert.Equal(jit.Invoke("branches", Value.FromI32(n))[0].I32, interpreter.Invoke("branches", Value.FromI32(n))[0].I32);
        }
        foreach (var (p, q) in new[] { (-16, 40), (-32, 40), (100, -50), (-1, 2) })
        {
            Assert.Equal(jit.Invoke("wrap", Value.FromI32(p), Value.FromI32(q))[0].I32, interpreter.Invoke("wrap", Value.FromI32(p), Value.FromI32(q))[0].I32);
        }
        Assert.Equal(TrapKind.OutOfBoundsMemoryAccess, Assert.Throws<TrapException>(() => interpreter.Invoke("wrap", Value.FromI32(65536 - 34), Value.FromI32(0))).Kind);
        Assert.Equal(TrapKind.OutOfBoundsMemoryAccess, Assert.Throws<TrapException>(() => interpreter.Invoke("peek", Value.FromI32(65536 - 7))).Kind);
        Assert.Equal(jit.Invoke("peek", Value.FromI32(65536 - 8))[0].F64, interpreter.Invoke("peek", Value.FromI32(65536 - 8))[0].F64);
        Assert.Equal(-3, interpreter.Invoke("divide", Value.FromI32(7), Value.FromI32(-2))[0].I32);
        Assert.Equal(TrapKind.IntegerDivideByZero, Assert.Throws<TrapException>(() => interpreter.Invoke("divide", Value.FromI32(7), Value.FromI32(0))).Kind);
        Assert.Equal(TrapKind.IntegerOverflow, Assert.Throws<TrapException>(() => interpreter.Invoke("divide", Value.FromI32(int.MinValue), Value.FromI32(-1))).Kind);
    }

    [Fact]
    public void FuelCountsEveryInstructionAFusedOpStandsFor()
    {
        // Find the exact fuel a call needs; one unit less must trap, whichever instruction (fused or not) it ends on.
        var needed = FuelUsed(1000);
        Assert.True(needed > 1000 * 20, $"a loop iteration is over 20 instructions, {needed} charged for 1000");
        var instance = Instantiate(ExecutionTier.Interpreter, needed);
        instance.Invoke("kernel", Value.FromI32(1000));
        Assert.Equal(0, instance.Store.Fuel);
        var short1 = Instantiate(ExecutionTier.Interpreter, needed - 1);
        Assert.Equal(TrapKind.OutOfFuel, Assert.Throws<TrapException>(() => short1.Invoke("kernel", Value.FromI32(1000))).Kind);
        // One iteration costs one unit per Wasm instruction of the loop body (structure markers are free), fused or not.
        Assert.Equal(LoopBodyInstructions(), FuelUsed(2) - FuelUsed(1));
        Assert.Equal(FuelUsed(2) - FuelUsed(1), (FuelUsed(1000) - FuelUsed(1)) / 999);
    }

    /// <summary>The instructions from the loop's head to its end, without the free ones (block, loop, end, nop).</summary>
    private static long LoopBodyInstructions()
    {
        var body = WasmHarness.Text.WatParser.ParseModule(Kernel).Functions[0].Body.Instructions;
        var start = body.ToList().FindIndex(i => i.Opcode == Syntax.Opcode.Loop);
        var count = 0;
        for (int i = start + 1, depth = 1; depth > 0; i++)
        {
            var opcode = body[i].Opcode;
            depth += Syntax.OpcodeTable.OpensBlock(opcode) ? 1 : opcode == Syntax.Opcode.End ? -1 : 0;
            count += opcode is Syntax.Opcode.Block or Syntax.Opcode.Loop or Syntax.Opcode.End or Syntax.Opcode.Nop ? 0 : 1;
        }
        return count;
    }

    private static long FuelUsed(int n)
    {
        const long plenty = 1_000_000_000;
        var instance = Instantiate(ExecutionTier.Interpreter, plenty);
        instance.Invoke("kernel", Value.FromI32(n));
        return plenty - instance.Store.Fuel;
    }
}
