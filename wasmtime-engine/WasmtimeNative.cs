using System.Reflection;
using System.Runtime.InteropServices;

namespace WasmHarness.Engines.Wasmtime;

/// <summary>
/// What the shipped libwasmtime has and the Wasmtime package does not expose: configuration switches
/// (<c>wasmtime_config_shared_memory_set</c>, which a module defining a <c>shared</c> memory needs beside
/// <c>WithWasmThreads</c>; <c>wasmtime_config_wasm_custom_page_sizes_set</c>) and reading a shared memory.
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

    /// <summary>
    /// The bytes of the shared memory <paramref name="instance"/> exports as <paramref name="export"/>, or null when
    /// that export is no shared memory. The package's <c>Instance.GetMemory</c> answers null for a shared memory (its
    /// extern kind is <c>WASMTIME_EXTERN_SHAREDMEMORY</c>, not memory), so the differential oracle could not compare
    /// one: the export is looked up through the C API with the instance's store context and handle, read by reflection.
    /// </summary>
    public static unsafe byte[]? ReadSharedMemory(global::Wasmtime.Instance instance, string export)
    {
        const BindingFlags Any = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;
        var store = typeof(global::Wasmtime.Instance).GetField("_store", Any)?.GetValue(instance)
            ?? throw new InvalidOperationException("Wasmtime.Instance has no _store: the package changed");
        // Store.Context is a ref struct (reflection cannot box it): the context comes from the store's native handle.
        var contextHandle = wasmtime_store_context(NativeHandle(store).DangerousGetHandle());
        var handle = typeof(global::Wasmtime.Instance).GetField("instance", Any)?.GetValue(instance)
            ?? throw new InvalidOperationException("Wasmtime.Instance has no instance handle: the package changed");
        // wasmtime_instance_t (store id, index) as the package lays it out; wasmtime_extern_t is a kind byte and a
        // union of at most 32 bytes at offset 8 (the shared memory's owned pointer first).
        var instanceBytes = stackalloc byte[Marshal.SizeOf(handle.GetType())];
        Marshal.StructureToPtr(handle, (nint)instanceBytes, fDeleteOld: false);
        var external = stackalloc byte[64];
        var name = System.Text.Encoding.UTF8.GetBytes(export);
        bool found;
        fixed (byte* namePointer = name)
        {
            found = wasmtime_instance_export_get(contextHandle, instanceBytes, namePointer, (nuint)name.Length, external);
        }
        GC.KeepAlive(store);
        if (!found)
        {
            return null;
        }
        if (external[0] != SharedMemoryKind)
        {
            wasmtime_extern_delete(external);
            return null;
        }
        try
        {
            var memory = *(nint*)(external + 8);
            var size = wasmtime_sharedmemory_data_size(memory);
            return size <= int.MaxValue ? new ReadOnlySpan<byte>(wasmtime_sharedmemory_data(memory), (int)size).ToArray() : null;
        }
        finally
        {
            wasmtime_extern_delete(external);
        }
    }

    [LibraryImport("wasmtime")]
    internal static partial nint wasmtime_store_context(nint store);

    private const byte SharedMemoryKind = 4; // WASMTIME_EXTERN_SHAREDMEMORY

    [LibraryImport("wasmtime")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static unsafe partial bool wasmtime_instance_export_get(nint context, byte* instance, byte* name, nuint length, byte* external);

    [LibraryImport("wasmtime")]
    private static unsafe partial void wasmtime_extern_delete(byte* external);

    [LibraryImport("wasmtime")]
    private static unsafe partial byte* wasmtime_sharedmemory_data(nint memory);

    [LibraryImport("wasmtime")]
    private static partial nuint wasmtime_sharedmemory_data_size(nint memory);

    [LibraryImport("wasmtime")]
    private static partial void wasmtime_config_shared_memory_set(nint config, [MarshalAs(UnmanagedType.U1)] bool enable);

    [LibraryImport("wasmtime")]
    private static partial void wasmtime_config_wasm_custom_page_sizes_set(nint config, [MarshalAs(UnmanagedType.U1)] bool enable);
}
