namespace WasmHarness.Engines.Wasmtime;

/// <summary>
/// Asks real wasmtime whether a binary module is valid: the independent oracle for our decoder, encoder and
/// validator. The engine enables every Wasm 3.0 feature, so that it judges the same language we do.
/// </summary>
public sealed class WasmtimeValidator : IReferenceValidator
{
    private readonly global::Wasmtime.Engine _engine;

    public WasmtimeValidator()
    {
        using var config = Wasm3Config();
        _engine = new global::Wasmtime.Engine(config);
    }

    /// <summary>
    /// A wasmtime configuration with the whole Wasm 3.0 core spec enabled, and the proposals beyond it that our tiers
    /// implement too (<see cref="WasmtimeProposals"/>), so that wasmtime judges the same language we accept.
    /// </summary>
    public static global::Wasmtime.Config Wasm3Config() => new global::Wasmtime.Config()
        .WithBulkMemory(true)
        .WithMultiValue(true)
        .WithReferenceTypes(true)
        .WithSIMD(true)
        .WithRelaxedSIMD(true, deterministic: true)
        .WithMultiMemory(true)
        .WithMemory64(true)
        .WithTailCalls(true)
        .WithFunctionReferences(true)
        .WithGc(true)
        .WithExceptions(true)
        .WithBeyondWasm3();

    /// <summary>wasmtime's wording when a module needs a proposal it was not built or configured for.</summary>
    public static bool IsMissingFeatureError(string error) =>
        error.Contains("feature required", StringComparison.Ordinal) || error.Contains("not enabled", StringComparison.Ordinal);

    /// <inheritdoc/>
    public bool IsMissingFeature(string error) => IsMissingFeatureError(error);

    /// <summary>Null when wasmtime accepts the module, else its error message.</summary>
    public string? Validate(ReadOnlySpan<byte> module) => global::Wasmtime.Module.Validate(_engine, module);

    public void Dispose() => _engine.Dispose();
}
