using System.Reflection;
using System.Runtime.InteropServices;

namespace WasmHarness.Engines.Wasmtime;

/// <summary>
/// Proposals beyond Wasm 3.0 that our tiers implement and wasmtime ships, switched on in its configuration so that
/// it can be the oracle for them too. The Wasmtime 50.0.1 .NET package's <see cref="global::Wasmtime.Config"/> has
/// <c>WithWideArithmetic</c> but no switch for custom page sizes, so that one is set through the C API of the
/// libwasmtime the package ships (<c>wasmtime_config_wasm_custom_page_sizes_set</c>) on the configuration's handle.
/// </summary>
internal static partial class WasmtimeProposals
{
    /// <summary>Enables wide arithmetic and custom page sizes on <paramref name="config"/>.</summary>
    public static global::Wasmtime.Config WithBeyondWasm3(this global::Wasmtime.Config config)
    {
        config.WithWideArithmetic(true);
        // The package keeps the native config in an internal SafeHandle (NativeHandle); without it wasmtime would
        // reject every custom page size as "not enabled", so a package without that property is an error here.
        var property = typeof(global::Wasmtime.Config).GetProperty("NativeHandle", BindingFlags.Instance | BindingFlags.NonPublic)
            ?? throw new InvalidOperationException("the Wasmtime package's Config has no NativeHandle: cannot enable custom page sizes");
        var handle = (SafeHandle)property.GetValue(config)!;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            wasmtime_config_wasm_custom_page_sizes_set(handle.DangerousGetHandle(), true);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
        return config;
    }

    [LibraryImport("wasmtime")]
    private static partial void wasmtime_config_wasm_custom_page_sizes_set(nint config, [MarshalAs(UnmanagedType.U1)] bool enable);
}
