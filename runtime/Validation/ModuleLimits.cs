using System.Globalization;

namespace WasmHarness.Validation;

/// <summary>
/// This implementation's limits on a module's shape (the spec lets an implementation set them; see the appendix
/// "Implementation Limitations"). A module beyond one is rejected by the decoder or the validator with an
/// <see cref="ImplementationLimitException"/> that names the limit, before any of it runs or is compiled, so a
/// valid but extreme module costs bounded time and memory. The defaults follow wasmparser's (those wasmtime
/// enforces, agreed between engines), except where noted; <see cref="EngineOptions.ModuleLimits"/> changes them
/// per engine, <c>harness -W name=value</c> on the command line. docs/execution.md has the table.
/// </summary>
public sealed record ModuleLimits
{
    /// <summary>The defaults.</summary>
    public static ModuleLimits Default { get; } = new();

    /// <summary>Bytes of a binary module (wasmparser: 1 GiB).</summary>
    public long ModuleBytes { get; init; } = 1L << 30;

    /// <summary>Bytes of one function body in the code section (wasmparser: 7,654,321).</summary>
    public int FunctionBodyBytes { get; init; } = 7_654_321;

    /// <summary>Defined types, counting every member of every recursive group.</summary>
    public int Types { get; init; } = 1_000_000;

    /// <summary>Functions, imported and defined.</summary>
    public int Functions { get; init; } = 1_000_000;

    public int Imports { get; init; } = 100_000;

    public int Exports { get; init; } = 100_000;

    /// <summary>Globals, imported and defined.</summary>
    public int Globals { get; init; } = 1_000_000;

    /// <summary>Tables, imported and defined.</summary>
    public int Tables { get; init; } = 100;

    /// <summary>Memories, imported and defined.</summary>
    public int Memories { get; init; } = 100;

    /// <summary>Tags, imported and defined.</summary>
    public int Tags { get; init; } = 1_000_000;

    public int ElementSegments { get; init; } = 100_000;

    public int DataSegments { get; init; } = 100_000;

    /// <summary>Parameters of one function type.</summary>
    public int Parameters { get; init; } = 1_000;

    /// <summary>Results of one function type.</summary>
    public int Results { get; init; } = 1_000;

    /// <summary>Locals of one function, parameters included.</summary>
    public int Locals { get; init; } = 50_000;

    /// <summary>Fields of one struct type.</summary>
    public int StructFields { get; init; } = 10_000;

    /// <summary>
    /// Length of a supertype chain (the GC proposal's limit, 63): each <c>ref.test</c> or cast is then one array read,
    /// not a walk whose length the guest chooses.
    /// </summary>
    public int SubtypeDepth { get; init; } = 63;

    /// <summary>
    /// Nested blocks, loops, ifs and try blocks in one function (wasmparser has none; ours keeps the text parser,
    /// which is recursive, and every tier's control stack bounded, and is the same for text and binary modules).
    /// </summary>
    public int NestingDepth { get; init; } = 4_096;

    /// <summary>Labels of one <c>br_table</c>, the default label included.</summary>
    public int BrTableTargets { get; init; } = 1_000_000;

    /// <summary>Operands of one <c>array.new_fixed</c> (wasmparser: 10,000).</summary>
    public int ArrayNewFixedOperands { get; init; } = 10_000;

    /// <summary>
    /// The names of the limits, as <c>-W name=value</c> takes them (kebab case: <c>max-functions</c>), with their
    /// properties' setters; for command lines.
    /// </summary>
    public static IReadOnlyDictionary<string, Func<ModuleLimits, long, ModuleLimits>> Settings { get; } =
        new Dictionary<string, Func<ModuleLimits, long, ModuleLimits>>(StringComparer.Ordinal)
        {
            ["max-module-bytes"] = (l, v) => l with { ModuleBytes = v },
            ["max-function-body-bytes"] = (l, v) => l with { FunctionBodyBytes = Int(v) },
            ["max-types"] = (l, v) => l with { Types = Int(v) },
            ["max-functions"] = (l, v) => l with { Functions = Int(v) },
            ["max-imports"] = (l, v) => l with { Imports = Int(v) },
            ["max-exports"] = (l, v) => l with { Exports = Int(v) },
            ["max-globals"] = (l, v) => l with { Globals = Int(v) },
            ["max-tables"] = (l, v) => l with { Tables = Int(v) },
            ["max-memories"] = (l, v) => l with { Memories = Int(v) },
            ["max-tags"] = (l, v) => l with { Tags = Int(v) },
            ["max-element-segments"] = (l, v) => l with { ElementSegments = Int(v) },
            ["max-data-segments"] = (l, v) => l with { DataSegments = Int(v) },
            ["max-params"] = (l, v) => l with { Parameters = Int(v) },
            ["max-results"] = (l, v) => l with { Results = Int(v) },
            ["max-locals"] = (l, v) => l with { Locals = Int(v) },
            ["max-struct-fields"] = (l, v) => l with { StructFields = Int(v) },
            ["max-subtype-depth"] = (l, v) => l with { SubtypeDepth = Int(v) },
            ["max-nesting-depth"] = (l, v) => l with { NestingDepth = Int(v) },
            ["max-br-table-targets"] = (l, v) => l with { BrTableTargets = Int(v) },
            ["max-array-new-fixed"] = (l, v) => l with { ArrayNewFixedOperands = Int(v) },
        };

    private static int Int(long value) => (int)Math.Clamp(value, 0, int.MaxValue);

    /// <summary>Throws <see cref="ImplementationLimitException"/> when <paramref name="count"/> is above <paramref name="limit"/>.</summary>
    internal static void Check(string what, long count, long limit, string property, string? context = null)
    {
        if (count > limit)
        {
            throw new ImplementationLimitException(what, count, limit, property, context);
        }
    }
}

/// <summary>
/// A module beyond one of this implementation's <see cref="ModuleLimits"/>: valid by the spec, refused here. The
/// reason names the count, the limit and the setting that changes it.
/// </summary>
public sealed class ImplementationLimitException(string what, long count, long limit, string property, string? context = null)
    : InvalidModuleException(
        string.Create(CultureInfo.InvariantCulture, $"{what}: {count} exceeds this implementation's limit of {limit} (ModuleLimits.{property})"),
        context)
{
    /// <summary>The <see cref="ModuleLimits"/> property that was exceeded.</summary>
    public string Limit { get; } = property;
}
