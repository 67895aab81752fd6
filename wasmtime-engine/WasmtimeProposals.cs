namespace WasmHarness.Engines.Wasmtime;

/// <summary>
/// Proposals beyond Wasm 3.0 that our tiers implement and wasmtime ships, switched on in its configuration so that
/// it can be the oracle for them too. The Wasmtime 50.0.1 .NET package's <see cref="global::Wasmtime.Config"/> has
/// <c>WithWideArithmetic</c> but no switch for custom page sizes, so that one is set through the C API
/// (<see cref="WasmtimeNative.EnableCustomPageSizes"/>).
/// </summary>
internal static class WasmtimeProposals
{
    /// <summary>Enables wide arithmetic and custom page sizes on <paramref name="config"/>.</summary>
    public static global::Wasmtime.Config WithBeyondWasm3(this global::Wasmtime.Config config)
    {
        config.WithWideArithmetic(true);
        WasmtimeNative.EnableCustomPageSizes(config);
        return config;
    }
}
