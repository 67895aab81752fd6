using System.Reflection;
using System.Runtime.InteropServices;

namespace WasmHarness.Engines.Wasmtime;

/// <summary>
/// The few settings of the shipped libwasmtime that the Wasmtime package does not expose: creating shared memories
/// (<c>wasmtime_config_shared_memory_set</c>), which a module defining a <c>shared</c> memory needs beside
/// <c>WithWasmThreads</c> (without it wasmtime refuses such a module at instantiation).
/// </summary>
internal static partial class WasmtimeNative
{
    /// <summary>Lets engines made from <paramref name="config"/> create shared memories.</summary>
    public static void EnableSharedMemory(global::Wasmtime.Config config)
    {
        // The package keeps the native config handle internal: read it by reflection (a test proves it is found).
        var property = typeof(global::Wasmtime.Config).GetProperty("NativeHandle", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)
            ?? throw new InvalidOperationException("Wasmtime.Config has no NativeHandle: the package changed");
        var handle = (SafeHandle)property.GetValue(config)!;
        wasmtime_config_shared_memory_set(handle.DangerousGetHandle(), true);
    }

    [LibraryImport("wasmtime")]
    private static partial void wasmtime_config_shared_memory_set(nint config, [MarshalAs(UnmanagedType.U1)] bool enable);
}
