using System.Text;
using WasmHarness.Execution;
using WasmHarness.Jit;

namespace WasmHarness.Tests.Jit;

/// <summary>
/// Outlined regions (docs/jit.md, "Large functions") against the interpreter, on a function built to hit each way a
/// local or a value crosses a region's edge: written on some ways out but not others, read before written, branch
/// values leaving through an outer block, <c>return</c> from inside, a loop continued from inside, memory grown inside.
/// The whole core suite also runs cut into regions (SpecRunner.Tests, JitOutliningSuiteTests).
/// </summary>
public sealed class JitOutliningTests
{
    /// <summary>
    /// A function of many statements: each keeps an accumulator, some set a local only when a bit of the argument is
    /// set (so a region that copied back a local it did not always write would lose the old value), some leave an outer
    /// block with a value, one returns early, one continues a loop.
    /// </summary>
    private static string Module(int statements)
    {
        var body = new StringBuilder();
        for (var i = 0; i < statements; i++)
        {
            var bit = 1 << (i % 16);
            body.Append($$"""
                (block $skip (br_if $skip (i32.eqz (i32.and (local.get $x) (i32.const {{bit}})))) (local.set $flag (i32.const {{i + 1}})))
                (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 31)) (local.get $flag)))
                (local.set $acc (i32.xor (local.get $acc) (block $b (result i32)
                  (drop (br_if $b (i32.const {{i}}) (i32.eq (i32.and (local.get $acc) (i32.const 7)) (i32.const {{i % 8}}))))
                  (i32.const {{i * 3}}))))
                (i32.store (i32.const {{4 * (i % 64)}}) (local.get $acc))

                """);
            if (i == statements / 2)
            {
                body.Append("(if (i32.eq (local.get $x) (i32.const 12345)) (then (return (i32.const -7))))\n");
                body.Append("(drop (memory.grow (i32.const 0)))\n");
            }
        }
        return $$"""
            (module
              (memory 1)
              (func (export "f") (param $x i32) (result i32) (local $acc i32) (local $flag i32) (local $n i32)
                (local.set $flag (i32.const 100))
                (loop $again
                  {{body}}
                  (local.set $n (i32.add (local.get $n) (i32.const 1)))
                  (br_if $again (i32.lt_u (local.get $n) (i32.const 3))))
                (i32.add (local.get $acc) (i32.load (i32.const 8)))))
            """;
    }

    [Fact]
    public void A_function_cut_into_regions_computes_what_the_interpreter_does()
    {
        var text = Module(60);
        var interpreter = new Engine();
        var expected = CompiledModule.FromText(interpreter, text).Instantiate(new Store(interpreter));
        // Several budgets: each cuts the statements at other places, so some region ends right after a conditional write.
        long regions = 0;
        for (var budget = 150; budget <= 900; budget += 37)
        {
            var jit = new Engine(new EngineOptions { Tier = ExecutionTier.Jit, JitMethodBudget = budget });
            var actual = CompiledModule.FromText(jit, text).Instantiate(new Store(jit));
            foreach (var x in new[] { 0, 1, 2, 3, 0x5555, 0xAAAA, 0xFFFF, 12345, -1, 77 })
            {
                Assert.True(expected.Invoke("f", Value.FromI32(x))[0].I32 == actual.Invoke("f", Value.FromI32(x))[0].I32, $"budget {budget}, f({x})");
            }
            regions += jit.JitStatistics.Regions;
        }
        Assert.True(regions >= 20, $"only {regions} regions over all budgets: the test no longer cuts the function");
    }

    [Fact]
    public void A_local_a_region_writes_on_one_way_out_keeps_its_value_on_the_others()
    {
        // The region is the if and the stores after it (one run of statements); it sets $x only when the if is
        // taken, and the function reads $x after it. Not taking the if must leave $x as it came in, not as the
        // region's uninitialized copy of it.
        var stores = string.Concat(Enumerable.Range(0, 40).Select(i => $"(i32.store (i32.const {4 * i}) (local.get $y))"));
        var sum = string.Concat(Enumerable.Range(0, 20).Select(i => $"(i32.add (i32.load (i32.const {4 * i})) ")) + "(local.get $x)" + new string(')', 20);
        var text = $$"""
            (module
              (memory 1)
              (func (export "g") (param $x i32) (param $y i32) (result i32)
                (if (i32.and (local.get $y) (i32.const 2)) (then (local.set $x (i32.const 42))))
                {{stores}}
                {{sum}}))
            """;
        var jit = new Engine(new EngineOptions { Tier = ExecutionTier.Jit, JitMethodBudget = 600 });
        var instance = CompiledModule.FromText(jit, text).Instantiate(new Store(jit));
        Assert.Equal(7 + 20, instance.Invoke("g", Value.FromI32(7), Value.FromI32(1))[0].I32);
        Assert.Equal(42 + 60, instance.Invoke("g", Value.FromI32(7), Value.FromI32(3))[0].I32);
        Assert.Equal(1, jit.JitStatistics.Regions);
    }

    /// <summary>A function whose statements are padded so that each becomes a region of its own at budget 100.</summary>
    private static string Padded(string statement) => $"(block {statement} {string.Concat(Enumerable.Range(0, 12).Select(i => $"(i32.store (i32.const {4 * i}) (local.get 0))"))})";

    [Fact]
    public void A_trap_inside_a_region_has_its_function_once_in_the_backtrace()
    {
        // outer calls inner; inner traps inside one of its regions. Regions are no frames of their own.
        var text = $$"""
            (module
              (memory 1)
              (func $inner (param i32) (result i32)
                {{Padded("(nop)")}}
                {{Padded("(if (i32.eq (local.get 0) (i32.const 3)) (then unreachable))")}}
                {{Padded("(nop)")}}
                (local.get 0))
              (func $outer (export "outer") (param i32) (result i32)
                {{Padded("(nop)")}}
                {{Padded("(local.set 0 (call $inner (local.get 0)))")}}
                (local.get 0)))
            """;
        var jit = new Engine(new EngineOptions { Tier = ExecutionTier.Jit, JitMethodBudget = 100 });
        var instance = CompiledModule.FromText(jit, text).Instantiate(new Store(jit));
        Assert.Equal(2, instance.Invoke("outer", Value.FromI32(2))[0].I32);
        var trap = Assert.Throws<TrapException>(() => instance.Invoke("outer", Value.FromI32(3)));
        Assert.Equal(TrapKind.Unreachable, trap.Kind);
        Assert.Equal(["func inner", "func outer"], trap.WasmBacktrace.Select(f => f.ToString()));
        Assert.True(jit.JitStatistics.Regions >= 4, $"only {jit.JitStatistics.Regions} regions");
    }

    [Fact]
    public void Recursion_through_regions_ends_in_a_trap_not_a_stack_overflow()
    {
        // Each level of the recursion runs inside two nested regions of its function: more .NET frames per Wasm call
        // than the call-depth budget assumes, which the regions' own stack check must catch.
        var text = $$"""
            (module
              (memory 1)
              (func $down (export "down") (param i32) (result i32)
                {{Padded(Padded("(local.set 0 (call $down (i32.add (local.get 0) (i32.const 1))))"))}}
                (local.get 0)))
            """;
        var jit = new Engine(new EngineOptions { Tier = ExecutionTier.Jit, JitMethodBudget = 100, MaxCallDepth = 1_000_000 });
        var instance = CompiledModule.FromText(jit, text).Instantiate(new Store(jit));
        var trap = Assert.Throws<TrapException>(() => instance.Invoke("down", Value.FromI32(0)));
        Assert.Equal(TrapKind.CallStackExhausted, trap.Kind);
        Assert.True(jit.JitStatistics.Regions >= 1, $"only {jit.JitStatistics.Regions} regions");
    }

    [Fact]
    public void Calls_of_functions_compiled_later_count_as_calls_through_the_code_table()
    {
        // g is too big to join f's group (JitBudget.GroupInstructions), so f calls it through the code table: some
        // 40 IL instructions a call, not 10. Planned as direct calls, 30 of them fit a budget of 600; they do not.
        // (g ends in a tail call, which keeps it whole: the regions counted are f's.)
        var g = new StringBuilder();
        for (var i = 0; i < JitBudget.GroupInstructions / 4 + 50; i++)
        {
            g.Append("(local.set $a (i32.add (local.get $a) (i32.const 3)))\n");
        }
        var calls = string.Concat(Enumerable.Range(0, 30).Select(i => $"(local.set $s (i32.add (local.get $s) (call $g (i32.const {i}))))\n"));
        var text = $$"""
            (module
              (func $g (param $a i32) (result i32) {{g}} (return_call $h (local.get $a)))
              (func $h (param $a i32) (result i32) (i32.mul (local.get $a) (i32.const 7)))
              (func (export "f") (result i32) (local $s i32) {{calls}} (local.get $s)))
            """;
        var jit = new Engine(new EngineOptions { Tier = ExecutionTier.Jit, JitMethodBudget = 600, JitBackground = false });
        var interpreter = new Engine(new EngineOptions { Tier = ExecutionTier.Interpreter });
        var expected = CompiledModule.FromText(interpreter, text).Instantiate(new Store(interpreter)).Invoke("f")[0].I32;
        Assert.Equal(expected, CompiledModule.FromText(jit, text).Instantiate(new Store(jit)).Invoke("f")[0].I32);
        Assert.True(jit.JitStatistics.Regions >= 1, $"f was left whole ({jit.JitStatistics.Regions} regions)");
    }

    /// <summary>
    /// What stays in the function's own method fits the budget it was planned for, counted in the IL actually written:
    /// the locals its regions share live in the frame buffer, so each access left in the method costs several IL
    /// instructions, which the plan must count (without that, Lua's parser came out 40% over its estimate and RyuJIT
    /// compiled it unoptimized).
    /// </summary>
    [Fact]
    public void The_method_left_after_outlining_fits_its_budget()
    {
        var text = Module(60);
        // Budgets at which the function does not fit whole (about 4,000 estimated) and its loop can be outlined as a
        // whole; below them this shape has no run of statements the planner can take (it stops over budget).
        for (var budget = 2250; budget <= 3000; budget += 250)
        {
            var listings = new Dictionary<string, string>();
            var jit = new Engine(new EngineOptions { Tier = ExecutionTier.Jit, JitMethodBudget = budget, JitDumpIl = (name, il) => listings[name] = il });
            CompiledModule.FromText(jit, text).Instantiate(new Store(jit)).Invoke("f", Value.FromI32(1));
            Assert.True(jit.JitStatistics.Regions > 0, $"budget {budget}: no regions");
            var instructions = IlInstructions(listings["func 0"]);
            // The estimate's per-instruction weights are good to about 25%.
            Assert.True(instructions <= budget, $"budget {budget}: the function's own method has {instructions} IL instructions");
        }
    }

    /// <summary>
    /// Whatever the budget and whatever the estimate gets wrong, every method RyuJIT gets (the function's own and each
    /// region's) stays within its limits for an optimized method: a large function is measured in IL actually written
    /// and planned again when one of its methods comes near them. Here the budget is set above RyuJIT's limit (20,000
    /// IL instructions), so only the measurement can cut this function (without it, it stays whole at 20,640 IL
    /// instructions). (Regions are measured too: Lua 5.5 at a budget of 22,000 had luaV_execute's first region in
    /// MinOpts, 52-61 KB of IL, before they were; this module's shape cannot make a region that large.)
    /// </summary>
    [Fact]
    public void No_method_the_plan_makes_is_over_RyuJITs_limits()
    {
        const int statements = 420;
        var listings = new Dictionary<string, string>();
        var jit = new Engine(new EngineOptions { Tier = ExecutionTier.Jit, JitMethodBudget = 40_000, JitDumpIl = (name, il) => listings[name] = il });
        var interpreter = new Engine();
        var text = Module(statements);
        var expected = CompiledModule.FromText(interpreter, text).Instantiate(new Store(interpreter)).Invoke("f", Value.FromI32(0x5555))[0].I32;
        Assert.Equal(expected, CompiledModule.FromText(jit, text).Instantiate(new Store(jit)).Invoke("f", Value.FromI32(0x5555))[0].I32);
        Assert.True(jit.JitStatistics.Regions > 0, "the function was left whole");
        foreach (var (name, listing) in listings)
        {
            var instructions = IlInstructions(listing);
            Assert.True(instructions <= 18_000, $"{name}: {instructions} IL instructions");
        }
    }

    /// <summary>The instructions of an IL listing (<c>EngineOptions.JitDumpIl</c>): its indented lines but locals and comments.</summary>
    private static int IlInstructions(string listing) =>
        listing.Split('\n').Count(line => line.StartsWith("  ", StringComparison.Ordinal) && !line.StartsWith("  .local", StringComparison.Ordinal) && !line.StartsWith("  //", StringComparison.Ordinal));

    [Fact]
    public void The_default_budget_leaves_an_ordinary_function_whole()
    {
        var jit = new Engine(new EngineOptions { Tier = ExecutionTier.Jit });
        CompiledModule.FromText(jit, Module(4)).Instantiate(new Store(jit)).Invoke("f", Value.FromI32(1));
        Assert.Equal(0, jit.JitStatistics.Regions);
    }
}
