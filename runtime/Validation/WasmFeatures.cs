using WasmHarness.Syntax;

namespace WasmHarness.Validation;

/// <summary>
/// The Wasm features an engine accepts (<see cref="EngineOptions.Features"/>): every one by default. The features
/// that can be switched off are SIMD (a Wasm 2.0 feature, with its relaxed extension) and the proposals Wasm 3.0
/// added (<see cref="Wasm3Features"/>); the rest of Wasm 2.0 (bulk memory, reference types, multi-value, ...) is
/// always on. Embedders and <c>harness -W simd=n</c> use them to refuse modules a target engine would refuse.
/// </summary>
[Flags]
public enum WasmFeatures
{
    /// <summary>Only what cannot be switched off: Wasm 2.0 without SIMD.</summary>
    None = 0,

    // The proposals share their bits with Wasm3Features (what FeatureDetector finds in a module), so one is a cast of
    // the other and each proposal's bit is written once.

    /// <summary>64-bit memories and tables.</summary>
    Memory64 = (int)Wasm3Features.Memory64,

    /// <summary>More than one memory.</summary>
    MultiMemory = (int)Wasm3Features.MultiMemory,

    /// <summary>Tail calls.</summary>
    TailCall = (int)Wasm3Features.TailCall,

    /// <summary>Exception handling (<c>try_table</c>, <c>throw</c>, <c>exnref</c>, tags).</summary>
    Exceptions = (int)Wasm3Features.Exceptions,

    /// <summary>The legacy exception instructions (<c>try</c>, <c>catch</c>, <c>delegate</c>, <c>rethrow</c>).</summary>
    LegacyExceptions = (int)Wasm3Features.LegacyExceptions,

    /// <summary>Typed function references.</summary>
    FunctionReferences = (int)Wasm3Features.FunctionReferences,

    /// <summary>Garbage collection: structs, arrays, i31, recursive and sub types.</summary>
    Gc = (int)Wasm3Features.GarbageCollection,

    /// <summary>Extended constant expressions.</summary>
    ExtendedConst = (int)Wasm3Features.ExtendedConst,

    /// <summary>Relaxed SIMD.</summary>
    RelaxedSimd = (int)Wasm3Features.RelaxedSimd,

    /// <summary>Threads: shared memories, atomic memory instructions, <c>memory.atomic.wait32/64</c> and <c>notify</c>.</summary>
    Threads = (int)Wasm3Features.Threads,

    /// <summary>Wide arithmetic: <c>i64.add128</c>, <c>i64.sub128</c>, <c>i64.mul_wide_s/u</c>.</summary>
    WideArithmetic = (int)Wasm3Features.WideArithmetic,

    /// <summary>Custom page sizes: memories whose page is 1 byte or 64 KiB.</summary>
    CustomPageSizes = (int)Wasm3Features.CustomPageSizes,

    /// <summary>128-bit SIMD: the <c>v128</c> type and the vector instructions (relaxed SIMD needs it too). Part of Wasm 2.0, so not a <see cref="Wasm3Features"/> bit.</summary>
    Simd = 1 << 16,

    /// <summary>
    /// The Wasm 3.0 core spec: every feature but the proposals beyond it (threads, wide arithmetic, custom page sizes),
    /// for judging a module as the 3.0 suite does (custom page sizes makes a limits flag well-formed that 3.0 rejects).
    /// </summary>
    Wasm3 = Simd | RelaxedSimd | Memory64 | MultiMemory | TailCall | Exceptions | LegacyExceptions | FunctionReferences | Gc | ExtendedConst,

    /// <summary>Every feature this runtime has (the default).</summary>
    All = Simd | RelaxedSimd | Memory64 | MultiMemory | TailCall | Exceptions | LegacyExceptions | FunctionReferences | Gc | ExtendedConst
        | Threads | WideArithmetic | CustomPageSizes,
}

/// <summary>Refuses a module that uses a feature the engine does not accept.</summary>
public static class FeatureGate
{
    /// <summary>Each switchable feature, with its name (wasmtime's <c>-W</c> name where wasmtime has one).</summary>
    public static IReadOnlyList<(WasmFeatures Feature, string Name)> Names { get; } =
    [
        (WasmFeatures.Simd, "simd"),
        (WasmFeatures.RelaxedSimd, "relaxed-simd"),
        (WasmFeatures.Memory64, "memory64"),
        (WasmFeatures.MultiMemory, "multi-memory"),
        (WasmFeatures.TailCall, "tail-call"),
        (WasmFeatures.Exceptions, "exceptions"),
        (WasmFeatures.LegacyExceptions, "legacy-exceptions"),
        (WasmFeatures.FunctionReferences, "function-references"),
        (WasmFeatures.Gc, "gc"),
        (WasmFeatures.ExtendedConst, "extended-const"),
        (WasmFeatures.Threads, "threads"),
        (WasmFeatures.WideArithmetic, "wide-arithmetic"),
        (WasmFeatures.CustomPageSizes, "custom-page-sizes"),
    ];

    /// <summary>The features <paramref name="module"/> uses, of those that can be switched off.</summary>
    public static WasmFeatures Of(Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var features = (WasmFeatures)FeatureDetector.Of(module);
        if (UsesSimd(module))
        {
            features |= WasmFeatures.Simd;
        }
        return features;
    }

    /// <summary>
    /// Throws <see cref="InvalidModuleException"/> (<c>simd support is not enabled</c>) when <paramref name="module"/>
    /// uses a feature that <paramref name="enabled"/> lacks; the first such feature in <see cref="Names"/>' order.
    /// </summary>
    public static void Check(Module module, WasmFeatures enabled)
    {
        if (enabled == WasmFeatures.All)
        {
            return; // the default: nothing to look for
        }
        var missing = Of(module) & ~enabled;
        foreach (var (feature, name) in Names)
        {
            if (missing.HasFlag(feature))
            {
                throw new InvalidModuleException($"{name} support is not enabled");
            }
        }
    }

    // SIMD is part of Wasm 2.0, so FeatureDetector (which finds what 3.0 added) does not report it: a v128 anywhere in
    // the module's types, globals or locals, or a 0xFD-prefixed instruction anywhere in its code.
    private static bool UsesSimd(Module module)
    {
        static bool IsV128(ValType type) => type.Kind == ValueKind.V128;
        static bool InCode(IEnumerable<Instruction> code) => code.Any(instruction => instruction.Info.Prefix == 0xFD);

        var inTypes = module.Types.SelectMany(group => group.Types).Any(type => type.Body switch
        {
            FunctionType function => function.Parameters.Any(IsV128) || function.Results.Any(IsV128),
            StructType structure => structure.Fields.Any(field => IsV128(field.Storage.Type)),
            ArrayType array => IsV128(array.Element.Storage.Type),
            _ => false,
        });
        return inTypes
            || module.Globals.Any(global => IsV128(global.Type.Type) || InCode(global.Init.Instructions))
            || module.ImportsOf(ExternKind.Global).Any(import => IsV128(((GlobalType)import.Type).Type))
            || module.Functions.Any(function => function.Locals.Any(group => IsV128(group.Type)) || InCode(function.Body.Instructions));
    }
}
