using WasmHarness.Syntax;

namespace WasmHarness.Execution;

/// <summary>
/// The <c>spectest</c> host module that the official suite's scripts import (as the reference interpreter's
/// <c>host/spectest.ml</c> defines it): <c>print*</c> functions that do nothing, globals holding 666, a table of
/// 10..20 funcrefs (and <c>table64</c>), and a memory of 1..2 pages (and <c>shared_memory</c>, shared). Its facts are public so that other engines
/// (wasmtime in the harness) define exactly the same module.
/// </summary>
public static class SpecTestModule
{
    /// <summary>The module name scripts import from.</summary>
    public const string Name = "spectest";

    /// <summary>Value of <c>global_i32</c>.</summary>
    public const int GlobalI32 = 666;

    /// <summary>Value of <c>global_i64</c>.</summary>
    public const long GlobalI64 = 666;

    /// <summary>Value of <c>global_f32</c>.</summary>
    public const float GlobalF32 = 666.6f;

    /// <summary>Value of <c>global_f64</c>.</summary>
    public const double GlobalF64 = 666.6;

    /// <summary>Limits of <c>table</c> and <c>table64</c> (elements).</summary>
    public static readonly Limits TableLimits = new(10, 20);

    /// <summary>Limits of <c>memory</c> (pages).</summary>
    public static readonly Limits MemoryLimits = new(1, 2);

    /// <summary>Limits of <c>shared_memory</c> (pages; the threads proposal's spectest): those of <c>memory</c>, shared.</summary>
    public static readonly Limits SharedMemoryLimits = MemoryLimits with { Shared = true };

    /// <summary>The print functions and their parameter types (they return nothing).</summary>
    public static readonly IReadOnlyList<(string Name, ValType[] Parameters)> PrintFunctions =
    [
        ("print", []),
        ("print_i32", [ValType.I32]),
        ("print_i64", [ValType.I64]),
        ("print_f32", [ValType.F32]),
        ("print_f64", [ValType.F64]),
        ("print_i32_f32", [ValType.I32, ValType.F32]),
        ("print_f64_f64", [ValType.F64, ValType.F64]),
    ];

    /// <summary>Defines the <c>spectest</c> items in <paramref name="linker"/> (fresh instances each call).</summary>
    public static Linker Define(Linker linker, ulong maxTableElements = uint.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(linker);
        foreach (var (name, parameters) in PrintFunctions)
        {
            linker.DefineFunction(Name, name, new FunctionType(parameters, []), static (_, _) => { });
        }
        linker.Define(Name, "global_i32", new GlobalInstance(new GlobalType(ValType.I32, false), Value.FromI32(GlobalI32)));
        linker.Define(Name, "global_i64", new GlobalInstance(new GlobalType(ValType.I64, false), Value.FromI64(GlobalI64)));
        linker.Define(Name, "global_f32", new GlobalInstance(new GlobalType(ValType.F32, false), Value.FromF32(GlobalF32)));
        linker.Define(Name, "global_f64", new GlobalInstance(new GlobalType(ValType.F64, false), Value.FromF64(GlobalF64)));
        linker.Define(Name, "table", new TableInstance(new TableType(TableLimits, ValType.FuncRef), null, maxTableElements));
        linker.Define(Name, "table64", new TableInstance(new TableType(TableLimits with { AddressType = AddressType.I64 }, ValType.FuncRef), null, maxTableElements));
        linker.Define(Name, "memory", new MemoryInstance(new MemoryType(MemoryLimits)));
        linker.Define(Name, "shared_memory", new MemoryInstance(new MemoryType(SharedMemoryLimits)));
        return linker;
    }
}
