using System.Reflection;
using System.Runtime.InteropServices;

namespace WasmHarness.Engines.Wasmtime;

/// <summary>
/// What the shipped libwasmtime has and the Wasmtime package does not expose: configuration switches
/// (<c>wasmtime_config_shared_memory_set</c>, which a module defining a <c>shared</c> memory needs beside
/// <c>WithWasmThreads</c>; <c>wasmtime_config_wasm_custom_page_sizes_set</c>) and the native handles behind the
/// package's objects, which <see cref="WasmtimeCApi"/>'s calls take.
/// </summary>
internal static partial class WasmtimeNative
{
    /// <summary>Lets engines made from <paramref name="config"/> create shared memories.</summary>
    public static void EnableSharedMemory(global::Wasmtime.Config config) => Set(config, handle => wasmtime_config_shared_memory_set(handle, true));

    /// <summary>Lets engines made from <paramref name="config"/> accept memories with custom page sizes.</summary>
    public static void EnableCustomPageSizes(global::Wasmtime.Config config) => Set(config, handle => wasmtime_config_wasm_custom_page_sizes_set(handle, true));

    /// <summary>
    /// Applies a C API setting to the native configuration, which the package keeps in an internal SafeHandle
    /// (<c>NativeHandle</c>, read by reflection; a test proves it is found). Without it wasmtime would refuse what the
    /// setting enables, so a package without that property is an error here.
    /// </summary>
    private static void Set(global::Wasmtime.Config config, Action<nint> set)
    {
        var handle = NativeHandle(config);
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            set(handle.DangerousGetHandle());
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// The native handle behind a package object (config, engine, store, linker), which the package keeps internal:
    /// its <c>NativeHandle</c> property, else its one <see cref="SafeHandle"/> field (the linker has no property).
    /// Read by reflection, so a package that changed them is an error here, never a wrong pointer.
    /// </summary>
    internal static SafeHandle NativeHandle(object owner)
    {
        const BindingFlags Any = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;
        var type = owner.GetType();
        var handle = type.GetProperty("NativeHandle", Any)?.GetValue(owner)
            ?? type.GetFields(Any).SingleOrDefault(field => typeof(SafeHandle).IsAssignableFrom(field.FieldType))?.GetValue(owner)
            ?? throw new InvalidOperationException($"Wasmtime.{type.Name} has no native handle: the package changed");
        return (SafeHandle)handle;
    }

    [LibraryImport("wasmtime")]
    internal static partial nint wasmtime_store_context(nint store);

    [LibraryImport("wasmtime")]
    private static partial void wasmtime_config_shared_memory_set(nint config, [MarshalAs(UnmanagedType.U1)] bool enable);

    [LibraryImport("wasmtime")]
    private static partial void wasmtime_config_wasm_custom_page_sizes_set(nint config, [MarshalAs(UnmanagedType.U1)] bool enable);
}
