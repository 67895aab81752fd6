using WasmHarness.Syntax;
using ValueType = WasmHarness.Syntax.ValueType;

namespace WasmHarness.Execution;

/// <summary>
/// The <c>spectest</c> host module that the official suite's scripts import (as the reference interpreter's
/// <c>host/spectest.ml</c> defines it): <c>print*</c> functions that do nothing, globals holding 666, a table of
/// 10..20 funcrefs (and <c>table64</c>), and a memory of 1..2 pages.
/// </summary>
public static class SpecTestModule
{
    /// <summary>Defines the <c>spectest</c> items in <paramref name="linker"/> (fresh instances each call).</summary>
    public static Linker Define(Linker linker, ulong maxTableElements = uint.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(linker);
        void Print(string name, params ValueType[] parameters) =>
            linker.DefineFunction("spectest", name, new FunctionType(parameters, []), static (_, _) => { });
        Print("print");
        Print("print_i32", ValueType.I32);
        Print("print_i64", ValueType.I64);
        Print("print_f32", ValueType.F32);
        Print("print_f64", ValueType.F64);
        Print("print_i32_f32", ValueType.I32, ValueType.F32);
        Print("print_f64_f64", ValueType.F64, ValueType.F64);
        linker.Define("spectest", "global_i32", new GlobalInstance(new GlobalType(ValueType.I32, false), Value.FromI32(666)));
        linker.Define("spectest", "global_i64", new GlobalInstance(new GlobalType(ValueType.I64, false), Value.FromI64(666)));
        linker.Define("spectest", "global_f32", new GlobalInstance(new GlobalType(ValueType.F32, false), Value.FromF32(666.6f)));
        linker.Define("spectest", "global_f64", new GlobalInstance(new GlobalType(ValueType.F64, false), Value.FromF64(666.6)));
        linker.Define("spectest", "table", new TableInstance(new TableType(new Limits(10, 20), ValueType.FuncRef), null, maxTableElements));
        linker.Define("spectest", "table64", new TableInstance(new TableType(new Limits(10, 20, AddressType.I64), ValueType.FuncRef), null, maxTableElements));
        linker.Define("spectest", "memory", new MemoryInstance(new MemoryType(new Limits(1, 2))));
        return linker;
    }
}
