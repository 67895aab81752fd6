namespace WasmHarness.Differential.Engines;

/// <summary>
/// The <c>spectest</c> host module every script may import from (as the spec's reference interpreter defines it):
/// <c>print*</c> functions that do nothing, four immutable globals set to 666 / 666.6, a funcref table of 10..20
/// elements (and its 64-bit twin), and a memory of 1..2 pages.
/// </summary>
public static class SpectestModule
{
    public const string Name = "spectest";

    public const int GlobalI32 = 666;

    public const long GlobalI64 = 666;

    public const float GlobalF32 = 666.6f;

    public const double GlobalF64 = 666.6;

    /// <summary>The print functions and their parameter types.</summary>
    public static readonly (string Name, Syntax.ValueType[] Parameters)[] PrintFunctions =
    [
        ("print", []),
        ("print_i32", [Syntax.ValueType.I32]),
        ("print_i64", [Syntax.ValueType.I64]),
        ("print_f32", [Syntax.ValueType.F32]),
        ("print_f64", [Syntax.ValueType.F64]),
        ("print_i32_f32", [Syntax.ValueType.I32, Syntax.ValueType.F32]),
        ("print_f64_f64", [Syntax.ValueType.F64, Syntax.ValueType.F64]),
    ];

    public const uint TableMin = 10;

    public const uint TableMax = 20;

    public const uint MemoryMinPages = 1;

    public const uint MemoryMaxPages = 2;
}
