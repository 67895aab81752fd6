namespace WasmHarness.Engines.Wasmtime;

/// <summary>Adds wasmtime to an <see cref="EngineRegistry"/>; only programs that reference this library can run it.</summary>
public static class WasmtimeRegistration
{
    /// <summary>
    /// Registers <c>wasmtime</c> (our runtime's options do not apply to it: it runs with its own defaults and the Wasm
    /// 3.0 features on), as a correctness oracle: Cranelift's optimizations off, which compiles each module faster
    /// and computes the same results (see <see cref="WasmtimeEngine(EngineOptions?, bool)"/>).
    /// </summary>
    public static EngineRegistry WithWasmtime(this EngineRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry.Add("wasmtime", "wasmtime through the Wasmtime NuGet package (the outside oracle; Cranelift unoptimized)", _ => new WasmtimeEngine(null, optimize: false));
    }
}
