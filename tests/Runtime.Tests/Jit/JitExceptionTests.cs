using WasmHarness.Execution;
using WasmHarness.Jit;

namespace WasmHarness.Tests.Jit;

/// <summary>
/// Exception handling compiled by the JIT: exceptions crossing compiled and interpreted frames, <c>exnref</c>
/// identity, the call depth after unwinding, and traps that no <c>catch_all</c> may catch. Every test checks
/// which functions fell back to the interpreter, so it cannot pass on the interpreter alone.
/// </summary>
public sealed class JitExceptionTests
{
    /// <summary>Instantiates <paramref name="text"/> on the JIT (eagerly), collecting the functions that fall back and why.</summary>
    private static (ModuleInstance Instance, List<string> Fallbacks) Instantiate(string text, Func<ModuleFunction, bool>? filter = null, int maxCallDepth = 20_000, Linker? linker = null)
    {
        var fallbacks = new List<string>();
        var engine = new Engine(new EngineOptions
        {
            Tier = ExecutionTier.Jit,
            JitEager = true,
            JitFilter = filter,
            MaxCallDepth = maxCallDepth,
            JitFallback = (function, reason) => fallbacks.Add($"{function}: {reason}"),
        });
        var instance = CompiledModule.FromText(engine, text).Instantiate(new Store(engine), linker);
        return (instance, fallbacks);
    }

    private const string MixedModule = """
        (module
          (tag $e (export "e") (param i32))
          (func $thrower (export "thrower") (param i32) (throw $e (local.get 0)))
          ;; $middle runs in the interpreter (the test's filter): it catches what the compiled $thrower throws
          ;; as an exnref and throws it again into the compiled caller.
          (func $middle (param i32) (result i32)
            (block $h (result exnref)
              (try_table (catch_all_ref $h) (call $thrower (local.get 0)))
              (return (i32.const -1)))
            (throw_ref))
          (func (export "outer") (param i32) (result i32)
            (block $h (result i32)
              (try_table (result i32) (catch $e $h) (call $middle (local.get 0))))
            (i32.add (i32.const 100))))
        """;

    [Fact]
    public void An_exception_crosses_compiled_interpreted_and_compiled_frames()
    {
        var (instance, fallbacks) = Instantiate(MixedModule, filter: f => f.Index != 1);
        Assert.Equal(107, instance.Invoke("outer", Value.FromI32(7))[0].I32);
        Assert.Single(fallbacks, f => f.EndsWith("excluded by EngineOptions.JitFilter", StringComparison.Ordinal));
        Assert.Single(fallbacks);
        var module = JitModule.For(instance);
        Assert.True(module.Runs(0) && module.Runs(2) && !module.Runs(1));
    }

    [Fact]
    public void An_exception_crosses_the_same_frames_all_compiled()
    {
        var (instance, fallbacks) = Instantiate(MixedModule);
        Assert.Equal(95, instance.Invoke("outer", Value.FromI32(-5))[0].I32);
        Assert.Empty(fallbacks);
    }

    private const string ExnrefModule = """
        (module
          (tag $e (export "e") (param i32))
          (func (export "catch-ref") (param i32) (result exnref) (local $exn exnref)
            (block $h (result i32 exnref)
              (try_table (catch_ref $e $h) (throw $e (local.get 0)))
              (unreachable))
            (local.set $exn)
            (drop)
            (local.get $exn))
          (func (export "rethrow-ref") (param exnref) (throw_ref (local.get 0)))
          (func (export "catch-and-rethrow") (param i32) (result i32)
            (block $outer (result i32)
              (try_table (result i32) (catch $e $outer)
                (block $h (result i32 exnref)
                  (try_table (catch_ref $e $h) (throw $e (local.get 0)))
                  (unreachable))
                (throw_ref))))
          (func (export "legacy-rethrow") (param i32) (result i32)
            (try (result i32)
              (do
                (try
                  (do (throw $e (local.get 0)))
                  (catch_all (rethrow 0)))
                (i32.const 0))
              (catch $e (i32.add (i32.const 1))))))
        """;

    [Fact]
    public void A_caught_exnref_is_thrown_again_as_the_same_exception()
    {
        var (instance, fallbacks) = Instantiate(ExnrefModule);
        Assert.Equal(42, instance.Invoke("catch-and-rethrow", Value.FromI32(42))[0].I32);
        Assert.Equal(43, instance.Invoke("legacy-rethrow", Value.FromI32(42))[0].I32);

        // The exnref a compiled function returns is the exception itself: thrown again, it arrives unchanged.
        var exnref = instance.Invoke("catch-ref", Value.FromI32(9))[0].Reference;
        var exception = Assert.IsType<ExceptionInstance>(exnref);
        Assert.Same(instance.GetExport("e"), exception.Tag);
        Assert.Equal(9, exception.Payload[0].I32);
        var thrown = Assert.Throws<UncaughtException>(() => instance.Invoke("rethrow-ref", Value.FromReference(exnref)));
        Assert.Same(exception, thrown.Exception);
        Assert.Empty(fallbacks);
    }

    private const string DeepModule = """
        (module
          (tag $e (param i32))
          (func $down (param i32)
            (if (i32.eqz (local.get 0)) (then (throw $e (i32.const 7))))
            (call $down (i32.sub (local.get 0) (i32.const 1))))
          (func $recurse (param i32) (result i32)
            (if (result i32) (i32.eqz (local.get 0))
              (then (i32.const 0))
              (else (i32.add (i32.const 1) (call $recurse (i32.sub (local.get 0) (i32.const 1)))))))
          (func $catch-deep (param i32) (result i32)
            (block $h (result i32)
              (try_table (result i32) (catch $e $h) (call $down (local.get 0)) (i32.const 0))))
          (func $legacy-deep (param i32) (result i32)
            (try (result i32)
              (do (call $down (local.get 0)) (i32.const 0))
              (catch_all (i32.const 8))))
          ;; Catches a throw from deep below many times within one invocation, then recurses close to the limit.
          (func (export "unwind-then-recurse") (param $depth i32) (param $then i32) (result i32)
            (local $i i32) (local $sum i32)
            (loop $again
              (local.set $sum (i32.add (local.get $sum) (call $catch-deep (local.get $depth))))
              (local.set $sum (i32.add (local.get $sum) (call $legacy-deep (local.get $depth))))
              (br_if $again (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 10))))
            (i32.add (local.get $sum) (call $recurse (local.get $then)))))
        """;

    [Fact]
    public void Unwinding_compiled_frames_restores_the_call_depth()
    {
        var (instance, fallbacks) = Instantiate(DeepModule, maxCallDepth: 1000);
        // 10 × (7 + 8) caught, then a recursion of 990 frames below the exporting one: without the depth restored
        // at each catch, the second catch would already report call stack exhausted.
        Assert.Equal(150 + 990, instance.Invoke("unwind-then-recurse", Value.FromI32(900), Value.FromI32(990))[0].I32);
        // The limit still holds afterwards.
        var trap = Assert.Throws<TrapException>(() => instance.Invoke("unwind-then-recurse", Value.FromI32(900), Value.FromI32(1000)));
        Assert.Equal(TrapKind.CallStackExhausted, trap.Kind);
        Assert.Equal(150 + 990, instance.Invoke("unwind-then-recurse", Value.FromI32(900), Value.FromI32(990))[0].I32);
        Assert.Empty(fallbacks);
    }

    private const string TrapModule = """
        (module
          (import "host" "fail" (func $fail (param i32)))
          (func $divide (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
          (func (export "unreachable") (result i32)
            (block $h (try_table (catch_all $h) (unreachable)))
            (i32.const 1))
          (func (export "divide") (param i32) (result i32)
            (block $h (result exnref) (try_table (result i32) (catch_all_ref $h) (call $divide (local.get 0))) (return))
            (drop)
            (i32.const -1))
          (func (export "legacy") (param i32) (result i32)
            (try (result i32) (do (call $divide (local.get 0))) (catch_all (i32.const -1))))
          (func (export "host") (param i32) (result i32)
            (block $h (try_table (catch_all $h) (call $fail (local.get 0))))
            (i32.const -1)))
        """;

    [Fact]
    public void A_trap_is_never_caught_by_a_catch_all()
    {
        var linker = new Linker().DefineFunction("host", "fail", new Syntax.FunctionType([Syntax.ValType.I32], []), (args, results) =>
        {
            if (args[0].I32 == 0)
            {
                throw new TrapException(TrapKind.OutOfBoundsTableAccess);
            }
            throw new InvalidOperationException("not a Wasm exception");
        });
        var (instance, fallbacks) = Instantiate(TrapModule, linker: linker);

        Assert.Equal(TrapKind.Unreachable, Assert.Throws<TrapException>(() => instance.Invoke("unreachable")).Kind);
        Assert.Equal(TrapKind.IntegerDivideByZero, Assert.Throws<TrapException>(() => instance.Invoke("divide", Value.FromI32(0))).Kind);
        Assert.Equal(TrapKind.IntegerDivideByZero, Assert.Throws<TrapException>(() => instance.Invoke("legacy", Value.FromI32(0))).Kind);
        Assert.Equal(TrapKind.OutOfBoundsTableAccess, Assert.Throws<TrapException>(() => instance.Invoke("host", Value.FromI32(0))).Kind);
        Assert.Throws<InvalidOperationException>(() => instance.Invoke("host", Value.FromI32(1)));
        // Without a trap the same functions return normally.
        Assert.Equal(1, instance.Invoke("divide", Value.FromI32(1))[0].I32);
        Assert.Equal(1, instance.Invoke("legacy", Value.FromI32(1))[0].I32);
        Assert.Empty(fallbacks);
    }

    private const string ShapesModule = """
        (module
          (tag $e (param i32))
          (tag $f)
          (tag $two (param i32 i64))
          (func $maybe (param i32)
            (if (i32.eq (local.get 0) (i32.const 3)) (then (throw $e (i32.const 30))))
            (if (i32.eq (local.get 0) (i32.const 4)) (then (throw $f))))
          ;; br_table arms that leave a try_table with a value (depth 0 is the try_table's own label)
          (func (export "br_table") (param i32) (result i32)
            (block $out (result i32)
              (block $caught (result i32)
                (try_table (result i32) (catch $e $caught)
                  (call $maybe (local.get 0))
                  (i32.const 7)
                  (br_table $out $caught 0 (local.get 0)))
                (i32.add (i32.const 1)))
              (i32.add (i32.const 100))))
          ;; a loop around a try_table, branched to from inside the region and from the catch stubs
          (func (export "loop") (param i32) (result i32) (local $i i32) (local $s i32)
            (loop $l
              (block $all
                (block $h (result i32)
                  (try_table (catch $e $h) (catch_all $all)
                    (local.set $i (i32.add (local.get $i) (i32.const 1)))
                    (call $maybe (i32.rem_u (local.get $i) (i32.const 5)))
                    (local.set $s (i32.add (local.get $s) (i32.const 1)))
                    (br_if $l (i32.lt_u (local.get $i) (local.get 0))))
                  (return (local.get $s)))
                (local.set $s (i32.add (local.get $s)))
                (br_if $l (i32.lt_u (local.get $i) (local.get 0)))
                (return (local.get $s)))
              (local.set $s (i32.add (local.get $s) (i32.const 1000)))
              (br_if $l (i32.lt_u (local.get $i) (local.get 0))))
            (local.get $s))
          (func (export "delegate") (param i32) (result i32)
            (try $outer (result i32)
              (do
                (try $mid (result i32)
                  (do
                    (try (result i32)
                      (do (call $maybe (local.get 0)) (i32.const 1))
                      (delegate $mid)))
                  (catch $e (i32.add (i32.const 2)))
                  (catch_all (i32.const 3))))
              (catch_all (i32.const 4))))
          ;; the delegate skips the try_table between it and its target
          (func (export "delegate-skip") (param i32) (result i32)
            (try $outer (result i32)
              (do
                (block $c
                  (try_table (catch_all $c)
                    (try
                      (do (call $maybe (local.get 0)))
                      (delegate $outer))))
                (i32.const 1))
              (catch $e (i32.add (i32.const 5)))
              (catch_all (i32.const 4))))
          ;; delegate to the function's label: to the caller, past the try_table
          (func (export "delegate-caller") (param i32) (result i32)
            (block $c
              (try_table (catch_all $c)
                (try (do (call $maybe (local.get 0))) (delegate 2))))
            (i32.const 9))
          ;; rethrow 1 in a nested catch throws the middle try's exception, caught further out
          (func (export "rethrow-outer") (param i32) (result i32)
            (try (result i32)
              (do
                (try (result i32)
                  (do (call $maybe (local.get 0)) (i32.const 0))
                  (catch_all
                    (try (result i32)
                      (do (throw $e (i32.const 50)))
                      (catch $e (drop) (rethrow 1))))))
              (catch $e (i32.add (i32.const 1000)))
              (catch_all (i32.const -4))))
          ;; a try_table with a parameter, a two-value payload
          (func (export "multi") (param i32) (result i64) (local $x i64)
            (block $h (result i32 i64)
              (local.get 0)
              (try_table (param i32) (catch $two $h)
                (i64.const 5)
                (throw $two))
              (unreachable))
            (local.set $x)
            (i64.extend_i32_u)
            (local.get $x)
            (i64.add))
          ;; branches with a value out of two regions, and out of a legacy catch body
          (func (export "br-out") (param i32) (result i32)
            (block $out (result i32)
              (try (result i32)
                (do
                  (block $c
                    (try_table (catch_all $c)
                      (drop (br_if $out (i32.const 77) (i32.eqz (local.get 0))))
                      (call $maybe (local.get 0))
                      (if (i32.eq (local.get 0) (i32.const 5)) (then (throw $f)))))
                  (if (i32.eq (local.get 0) (i32.const 2)) (then (throw $e (i32.const 2))))
                  (i32.const 5))
                (catch_all (br $out (i32.const 66)))))))
        """;

    private static string Outcome(ModuleInstance instance, string name, int argument)
    {
        try
        {
            var function = instance.GetFunction(name);
            return function.Invoke([Value.FromI32(argument)])[0].ToString(function.Type.Results[0]);
        }
        catch (TrapException e)
        {
            return "trap: " + e.Reason;
        }
        catch (UncaughtException e)
        {
            return $"exception with {e.Exception.Payload.Length} values";
        }
    }

    [Fact]
    public void Nested_handler_shapes_agree_with_the_interpreter()
    {
        var (jit, fallbacks) = Instantiate(ShapesModule);
        var engine = new Engine();
        var interp = CompiledModule.FromText(engine, ShapesModule).Instantiate(new Store(engine));
        var outcomes = new HashSet<string>();
        foreach (var (name, _) in interp.Exports)
        {
            for (var argument = 0; argument <= 12; argument++)
            {
                var expected = Outcome(interp, name, argument);
                Assert.True(expected == Outcome(jit, name, argument), $"{name}({argument}): interpreter {expected}, JIT {Outcome(jit, name, argument)}");
                outcomes.Add(expected);
            }
        }
        Assert.Empty(fallbacks);
        Assert.True(outcomes.Count > 15, "the arguments take the functions down many different paths");
    }

    private const string TailCallInTryModule = """
        (module
          (tag $e (param i32))
          (type $t (func (param i32) (result i32)))
          (func $thrower (type $t) (throw $e (local.get 0)))
          (func $ok (type $t) (i32.add (local.get 0) (i32.const 1)))
          (table funcref (elem $thrower $ok))
          (elem declare func $ok $countdown)
          ;; Each tail call leaves the try_table's region: the callee's exception is not caught by this frame.
          (func (export "direct") (param i32) (result i32)
            (block $h (result i32)
              (try_table (catch $e $h) (return_call $thrower (local.get 0)))
              (return (i32.const -1)))
            (i32.add (i32.const 1000)))
          (func (export "indirect") (param i32 i32) (result i32)
            (block $h (result i32)
              (try_table (catch $e $h) (return_call_indirect (type $t) (local.get 0) (local.get 1)))
              (return (i32.const -1)))
            (i32.add (i32.const 1000)))
          (func (export "ref") (param i32) (result i32)
            (block $h (result i32)
              (try_table (catch $e $h) (return_call_ref $t (local.get 0) (ref.func $ok)))
              (return (i32.const -1)))
            (i32.add (i32.const 1000)))
          (func (export "legacy") (param i32) (result i32)
            (try (result i32)
              (do (return_call $thrower (local.get 0)))
              (catch $e (drop) (i32.const 7))))
          ;; A million tail calls, each from inside a try_table: constant stack and call depth.
          (func $countdown (export "countdown") (param i32) (result i32)
            (if (i32.eqz (local.get 0)) (then (return (i32.const 42))))
            (block $x (try_table (catch_all $x) (return_call $countdown (i32.sub (local.get 0) (i32.const 1)))))
            (i32.const -1)))
        """;

    [Fact]
    public void A_tail_call_inside_a_try_leaves_the_frame_and_its_handlers()
    {
        var (instance, fallbacks) = Instantiate(TailCallInTryModule, maxCallDepth: 1000);

        Assert.Throws<UncaughtException>(() => instance.Invoke("direct", Value.FromI32(5)));
        Assert.Throws<UncaughtException>(() => instance.Invoke("indirect", Value.FromI32(5), Value.FromI32(0)));
        Assert.Equal(6, instance.Invoke("indirect", Value.FromI32(5), Value.FromI32(1))[0].I32);
        Assert.Equal(6, instance.Invoke("ref", Value.FromI32(5))[0].I32);
        Assert.Throws<UncaughtException>(() => instance.Invoke("legacy", Value.FromI32(5)));
        Assert.Equal(42, instance.Invoke("countdown", Value.FromI32(1_000_000))[0].I32);
        Assert.Empty(fallbacks);
    }

    private const string BranchOutOfTryModule = """
        (module
          (type $s (struct (field i32)))
          (tag $e)
          (func (export "cast") (param i32) (result i32)
            (local anyref)
            (local.set 1 (if (result anyref) (local.get 0) (then (struct.new $s (i32.const 9))) (else (ref.i31 (i32.const 3)))))
            (block $out (result (ref $s))
              (block $h
                (try_table (catch $e $h)
                  (br_on_cast $out anyref (ref $s) (local.get 1))
                  (drop)))
              (return (i32.const -1)))
            (struct.get $s 0))
          (func (export "castfail") (param i32) (result i32)
            (local anyref)
            (local.set 1 (if (result anyref) (local.get 0) (then (struct.new $s (i32.const 9))) (else (ref.i31 (i32.const 3)))))
            (block $out (result anyref)
              (block $h
                (try_table (catch $e $h)
                  (br_on_cast_fail $out anyref (ref $s) (local.get 1))
                  (drop)))
              (return (i32.const -1)))
            (drop) (i32.const 5))
          (func (export "null") (param i32) (result i32)
            (local funcref)
            (block $out
              (block $h
                (try_table (catch $e $h)
                  (br_on_null $out (local.get 1))
                  (drop)))
              (return (i32.const -1)))
            (i32.const 4))
        )
        """;

    [Fact]
    public void Branches_of_cast_and_null_tests_leave_a_try_region()
    {
        var (instance, fallbacks) = Instantiate(BranchOutOfTryModule);

        Assert.Equal(9, instance.Invoke("cast", Value.FromI32(1))[0].I32);
        Assert.Equal(-1, instance.Invoke("cast", Value.FromI32(0))[0].I32);
        Assert.Equal(5, instance.Invoke("castfail", Value.FromI32(0))[0].I32);
        Assert.Equal(-1, instance.Invoke("castfail", Value.FromI32(1))[0].I32);
        Assert.Equal(4, instance.Invoke("null", Value.FromI32(1))[0].I32);
        Assert.Empty(fallbacks);
    }
}
