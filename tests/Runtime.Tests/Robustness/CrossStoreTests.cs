using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Tests.Robustness;

/// <summary>
/// Nothing of one store reaches another (issue: robustness): a Wasm function always runs under its own store's fuel,
/// stack and limits because imports, host writes into tables and globals, and call arguments that cross stores are
/// refused, on both tiers.
/// </summary>
public sealed class CrossStoreTests
{
    private const string Exporter = """
        (module
          (func (export "spin") (result i32) (local i32)
            (loop $l (local.set 0 (i32.add (local.get 0) (i32.const 1))) (br_if $l (i32.lt_u (local.get 0) (i32.const 100000))))
            (local.get 0))
          (table (export "table") 1 funcref)
          (global (export "global") (mut funcref) (ref.null func)))
        """;

    private const string Importer = """
        (module
          (import "a" "spin" (func $spin (result i32)))
          (func (export "run") (result i32) (call $spin)))
        """;

    private const string TakesFuncref = """
        (module
          (type $t (func (result i32)))
          (func (export "call") (param funcref) (result i32) (call_ref $t (ref.cast (ref $t) (local.get 0)))))
        """;

    public static TheoryData<ExecutionTier> Tiers => [ExecutionTier.Interpreter, ExecutionTier.Jit];

    private static (Engine Engine, Store A, Store B, ModuleInstance Exporter) Setup(ExecutionTier tier)
    {
        var engine = new Engine(new EngineOptions { Tier = tier, Fuel = 1_000_000_000 });
        var a = new Store(engine);
        var b = new Store(engine);
        return (engine, a, b, CompiledModule.FromText(engine, Exporter).Instantiate(a));
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void Importing_a_function_of_another_store_is_a_link_error(ExecutionTier tier)
    {
        var (engine, _, b, exporter) = Setup(tier);
        var linker = new Linker().DefineInstance("a", exporter);
        var e = Assert.Throws<LinkException>(() => CompiledModule.FromText(engine, Importer).Instantiate(b, linker));
        Assert.Equal(LinkException.CrossStoreImport, e.Reason);
        Assert.Contains("a.spin", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void Within_one_store_the_same_import_links_and_runs(ExecutionTier tier)
    {
        var (engine, a, _, exporter) = Setup(tier);
        var instance = CompiledModule.FromText(engine, Importer).Instantiate(a, new Linker().DefineInstance("a", exporter));
        Assert.Equal(100_000, instance.Invoke("run")[0].I32);
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void A_funcref_argument_from_another_store_is_refused_and_the_store_still_runs(ExecutionTier tier)
    {
        var (engine, _, b, exporter) = Setup(tier);
        var caller = CompiledModule.FromText(engine, TakesFuncref).Instantiate(b);
        var foreign = Value.FromReference(exporter.GetFunction("spin"));
        var e = Assert.Throws<ArgumentException>(() => caller.Invoke("call", foreign));
        Assert.Contains("another store", e.Message, StringComparison.Ordinal);

        var own = CompiledModule.FromText(engine, Exporter).Instantiate(b);
        Assert.Equal(100_000, caller.Invoke("call", Value.FromReference(own.GetFunction("spin")))[0].I32);
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void The_host_cannot_put_a_function_of_another_store_in_a_table_or_global(ExecutionTier tier)
    {
        var (engine, _, b, exporter) = Setup(tier);
        var other = CompiledModule.FromText(engine, Exporter).Instantiate(b);
        var foreign = exporter.GetFunction("spin");
        Assert.Throws<ArgumentException>(() => other.GetTable("table").Set(0, foreign));
        Assert.Throws<ArgumentException>(() => other.GetGlobal("global").Value = Value.FromReference(foreign));
        other.GetTable("table").Set(0, other.GetFunction("spin"));
        Assert.Same(other.GetFunction("spin"), other.GetTable("table").Get(0));
    }

    [Fact]
    public void A_host_created_table_belongs_to_the_first_store_that_takes_it()
    {
        var (engine, a, b, exporter) = Setup(ExecutionTier.Interpreter);
        var table = new TableInstance(new TableType(new Limits(1), ValType.FuncRef));
        table.Set(0, exporter.GetFunction("spin")); // ties the table to store a
        Assert.Same(a, table.Owner);
        const string ImportsTable = """(module (import "host" "table" (table 1 funcref)))""";
        var linker = new Linker().Define("host", "table", table);
        CompiledModule.FromText(engine, ImportsTable).Instantiate(a, linker);
        var e = Assert.Throws<LinkException>(() => CompiledModule.FromText(engine, ImportsTable).Instantiate(b, linker));
        Assert.Equal(LinkException.CrossStoreImport, e.Reason);
    }

    [Fact]
    public void Host_functions_hold_no_store_state_and_serve_every_store()
    {
        var engine = new Engine();
        var host = new HostFunction(new FunctionType([], [ValType.I32]), (_, results) => results[0] = Value.FromI32(7), "seven");
        var linker = new Linker().Define("a", "spin", host);
        foreach (var store in new[] { new Store(engine), new Store(engine) })
        {
            Assert.Equal(7, CompiledModule.FromText(engine, Importer).Instantiate(store, linker).Invoke("run")[0].I32);
        }
        Assert.Null(host.Owner);
    }
}
