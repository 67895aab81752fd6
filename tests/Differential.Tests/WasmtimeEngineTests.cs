using System.Reflection;
using System.Runtime.InteropServices;
using WasmHarness.Engines;
using WasmHarness.Engines.Wasmtime;
using WasmHarness.Syntax;
using WasmHarness.Text;

namespace WasmHarness.Differential.Tests;

/// <summary>
/// The oracle's wasmtime passes every value our tiers pass: GC references (structs, arrays, i31s, internalized host
/// references), <c>exnref</c> and typed references at a module's interface, through wasmtime's C API. The package's
/// own wrappers abort the process on such types, so before, these modules were refused up front.
/// </summary>
public sealed class WasmtimeEngineTests
{
    private const string GcModule = """
        (module
          (type $s (struct (field i32)))
          (type $a (array i8))
          (tag $t (param i32))
          (global (export "g") (mut anyref) (ref.null any))
          (table (export "t") 3 anyref)
          (func (export "make") (param i32) (result anyref)
            (if (result anyref) (i32.eqz (local.get 0))
              (then (struct.new $s (i32.const 1)))
              (else (if (result anyref) (i32.eq (local.get 0) (i32.const 1))
                (then (array.new_default $a (i32.const 2)))
                (else (ref.i31 (i32.const 3)))))))
          (func (export "init")
            (global.set 0 (struct.new $s (i32.const 5)))
            (table.set (i32.const 0) (ref.i31 (i32.const 1)))
            (table.set (i32.const 1) (array.new_default $a (i32.const 1))))
          (func (export "id") (param anyref) (result anyref) (local.get 0))
          (func (export "externalize") (param anyref) (result externref) (extern.convert_any (local.get 0)))
          (func (export "internalize") (param externref) (result anyref) (any.convert_extern (local.get 0)))
          (func (export "typed") (param (ref null $s)) (result (ref null $s)) (local.get 0))
          (func (export "catch") (result exnref)
            (block $h (result exnref)
              (try_table (catch_all_ref $h) (throw $t (i32.const 1)))
              (ref.null exn)))
          (func (export "throw") (throw $t (i32.const 2)))
          (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
        """;

    /// <summary>Each call, and what both engines must answer.</summary>
    private static readonly (string Export, EngineValue[] Arguments, EngineValue Expected)[] Calls =
    [
        ("make", [EngineValue.I32(0)], EngineValue.Ref(ReferenceClass.Struct)),
        ("make", [EngineValue.I32(1)], EngineValue.Ref(ReferenceClass.Array)),
        ("make", [EngineValue.I32(2)], EngineValue.Ref(ReferenceClass.I31)),
        ("id", [EngineValue.Host(7)], EngineValue.Host(7)),
        ("id", [EngineValue.Null], EngineValue.Null),
        ("externalize", [EngineValue.Host(9)], EngineValue.Host(9)),
        ("internalize", [EngineValue.Host(0)], EngineValue.Host(0)),
        ("typed", [EngineValue.Null], EngineValue.Null),
        ("catch", [], EngineValue.Ref(ReferenceClass.Exn)),
    ];

    [Fact]
    public void Gc_references_and_exnrefs_cross_wasmtimes_boundary_as_our_interpreters()
    {
        var artifact = new ModuleArtifact(WatParser.ParseModule(GcModule));
        using var wasmtime = new WasmtimeEngine();
        foreach (var engine in new IEngine[] { new InterpreterEngine(), wasmtime })
        {
            using var session = engine.CreateSession();
            var instance = session.Instantiate(artifact);
            foreach (var (export, arguments, expected) in Calls)
            {
                Assert.Equal((engine.Name, export, expected), (engine.Name, export, Assert.Single(session.Invoke(instance, export, arguments))));
            }
            session.Invoke(instance, "init", []);
            Assert.Equal(EngineValue.Ref(ReferenceClass.Struct), session.GetGlobal(instance, "g"));
            Assert.Equal([EngineValue.Ref(ReferenceClass.I31), EngineValue.Ref(ReferenceClass.Array), EngineValue.Null], session.ReadTable(instance, "t"));
        }
    }

    [Fact]
    public void An_uncaught_exception_is_reported_as_one_and_wasmtimes_store_stays_usable()
    {
        // wasmtime keeps a thrown exception pending in the store until the host takes it (the engine takes and releases it).
        using var wasmtime = new WasmtimeEngine();
        using var session = wasmtime.CreateSession();
        var instance = session.Instantiate(new ModuleArtifact(WatParser.ParseModule(GcModule)));
        for (var i = 0; i < 3; i++)
        {
            var failure = Assert.Throws<EngineFailure>(() => session.Invoke(instance, "throw", []));
            Assert.Equal(FailureKind.UncaughtException, failure.Kind);
            Assert.Equal([EngineValue.I32(5)], session.Invoke(instance, "add", [EngineValue.I32(2), EngineValue.I32(3)]));
        }
    }

    [Fact]
    public void Host_function_results_reach_wasm_with_every_bit_of_their_type()
    {
        // Numbers that a detour through f64 would round (an i64 above 2^53) or reinterpret (an i32, an f32's NaN payload).
        var module = WatParser.ParseModule("""
            (module
              (import "host" "i64" (func $i64 (result i64)))
              (import "host" "i32" (func $i32 (result i32)))
              (import "host" "f32" (func $f32 (result f32)))
              (func (export "i64") (result i64) (call $i64))
              (func (export "i32") (result i32) (call $i32))
              (func (export "f32") (result i32) (i32.reinterpret_f32 (call $f32))))
            """);
        using var wasmtime = new WasmtimeEngine();
        using var session = wasmtime.CreateSession();
        session.DefineFunction("host", "i64", new FunctionType([], [ValType.I64]), [], (_, _) => [EngineValue.I64(0x7FFF_FFFF_FFFF_FFFF)]);
        session.DefineFunction("host", "i32", new FunctionType([], [ValType.I32]), [], (_, _) => [EngineValue.I32(-7)]);
        session.DefineFunction("host", "f32", new FunctionType([], [ValType.F32]), [], (_, _) => [EngineValue.F32(0x7FC0_1234)]);
        var instance = session.Instantiate(new ModuleArtifact(module));
        Assert.Equal([EngineValue.I64(0x7FFF_FFFF_FFFF_FFFF)], session.Invoke(instance, "i64", []));
        Assert.Equal([EngineValue.I32(-7)], session.Invoke(instance, "i32", []));
        Assert.Equal([EngineValue.I32(0x7FC0_1234)], session.Invoke(instance, "f32", []));
    }

    [Fact]
    public void A_module_importing_spectests_64_bit_table_runs_on_wasmtime()
    {
        var module = WatParser.ParseModule("""
            (module
              (import "spectest" "table64" (table i64 10 funcref))
              (func (export "size") (result i64) (table.size 0)))
            """);
        using var wasmtime = new WasmtimeEngine();
        using var session = wasmtime.CreateSession();
        var instance = session.Instantiate(new ModuleArtifact(module));
        Assert.Equal([EngineValue.I64(10)], session.Invoke(instance, "size", []));
    }

    [Fact]
    public void The_engines_c_api_layouts_match_the_packages_own()
    {
        // The package marshals the same C structs internally; if a new package changes them, so must WasmtimeCApi.
        var package = typeof(global::Wasmtime.Engine).Assembly;
        var ours = typeof(WasmtimeEngine).Assembly;
        foreach (var (theirs, mine) in new[] { ("Wasmtime.Value", "Val"), ("Wasmtime.AnyRef", "GcRef"), ("Wasmtime.Extern", "Extern"), ("Wasmtime.ExternFunc", "Func"), ("Wasmtime.ExternInstance", "Instance") })
        {
            var packageType = package.GetType(theirs, throwOnError: true)!;
            var ourType = ours.GetType($"WasmHarness.Engines.Wasmtime.WasmtimeCApi+{mine}", throwOnError: true)!;
            Assert.Equal((theirs, Marshal.SizeOf(packageType)), (theirs, Marshal.SizeOf(ourType)));
        }
        var union = package.GetType("Wasmtime.Value", throwOnError: true)!.GetField("of", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)!;
        Assert.Equal(8, (int)Marshal.OffsetOf(union.DeclaringType!, union.Name));
    }
}
