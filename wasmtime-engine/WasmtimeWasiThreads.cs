using System.Runtime.InteropServices;
using System.Text;
using WasmHarness.Syntax;

namespace WasmHarness.Engines.Wasmtime;

/// <summary>
/// wasi-threads on wasmtime, which its .NET package does not offer (wasmtime's own <c>wasi-threads</c> lives in its
/// command line, not in the C API): <c>wasi.thread-spawn</c> defined into a <see cref="global::Wasmtime.Linker"/>, and
/// each shared memory the module imports created through the C API (<c>wasmtime_sharedmemory_new</c>, defined with
/// <c>wasmtime_linker_define</c>; a shared memory belongs to the engine, not to a store, so every thread's store can
/// import it). A spawned thread is a new store and instance of the module on its own .NET thread, entered at
/// <c>wasi_thread_start(tid, start_arg)</c>, as in our runtime's <c>WasiThreads</c>: the two must agree on
/// threaded programs.
/// </summary>
public sealed partial class WasmtimeWasiThreads : IDisposable
{
    private readonly global::Wasmtime.Linker _linker;
    private readonly global::Wasmtime.Module _module;
    private readonly Func<global::Wasmtime.Store> _createStore;
    private readonly List<nint> _sharedMemories = [];
    private int _lastId;
    private int _running;
    private Exception? _failure;

    /// <summary>
    /// Defines <c>wasi.thread-spawn</c> and the shared memories <paramref name="decoded"/> (the same module, read by
    /// our decoder for its import types) imports into <paramref name="linker"/>. <paramref name="createStore"/> makes
    /// the store of each new thread (with its WASI configuration); <paramref name="store"/> is the main one.
    /// The engine must have been made with <see cref="EnableThreads"/>.
    /// </summary>
    public WasmtimeWasiThreads(global::Wasmtime.Engine engine, global::Wasmtime.Linker linker, global::Wasmtime.Store store,
        global::Wasmtime.Module module, WasmHarness.Syntax.Module decoded, Func<global::Wasmtime.Store> createStore)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(linker);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(decoded);
        ArgumentNullException.ThrowIfNull(createStore);
        _linker = linker;
        _module = module;
        _createStore = createStore;
        foreach (var import in decoded.Imports)
        {
            if (import.Type is MemoryType { Limits.Shared: true } type)
            {
                _sharedMemories.Add(DefineSharedMemory(engine, linker, store, import.Module, import.Name, type));
            }
        }
        linker.DefineFunction("wasi", "thread-spawn", (Func<int, int>)Spawn);
    }

    /// <summary>Turns on what wasi-threads programs need: the threads proposal and shared memories.</summary>
    public static global::Wasmtime.Config EnableThreads(global::Wasmtime.Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.WithWasmThreads(true);
        WasmtimeNative.EnableSharedMemory(config);
        return config;
    }

    /// <summary>The first failure of a spawned thread (a trap or an exit), which ends the program in wasmtime's command line.</summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    /// <summary>Spawned threads that have not finished.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Waits until every spawned thread has finished, or <paramref name="timeout"/> passes; true when they have.</summary>
    public bool WaitForThreads(TimeSpan timeout) => SpinWait.SpinUntil(() => Running == 0, timeout);

    /// <summary>Releases this host's handles of the shared memories (the instances keep theirs).</summary>
    public void Dispose()
    {
        foreach (var memory in _sharedMemories)
        {
            wasmtime_sharedmemory_delete(memory);
        }
        _sharedMemories.Clear();
    }

    private int Spawn(int startArgument)
    {
        const int Again = 6; // EAGAIN, negated as the proposal's error result
        var id = Interlocked.Increment(ref _lastId);
        Action<int, int> entry;
        try
        {
            var store = _createStore();
            var instance = _linker.Instantiate(store, _module);
            entry = instance.GetAction<int, int>("wasi_thread_start") ?? throw new InvalidOperationException("no wasi_thread_start export of type (i32, i32) -> ()");
        }
        catch (Exception e) when (e is global::Wasmtime.WasmtimeException or InvalidOperationException)
        {
            return -Again;
        }
        Interlocked.Increment(ref _running);
        var thread = new Thread(() =>
        {
            try
            {
                entry(id, startArgument);
            }
            catch (Exception e) when (e is global::Wasmtime.WasmtimeException or global::Wasmtime.TrapException)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }) { IsBackground = true, Name = $"wasmtime wasi thread {id}" };
        thread.Start();
        return id;
    }

    private static unsafe nint DefineSharedMemory(global::Wasmtime.Engine engine, global::Wasmtime.Linker linker, global::Wasmtime.Store store,
        string module, string name, MemoryType type)
    {
        var limits = type.Limits;
        Check(wasmtime_memorytype_new(limits.Min, limits.Max is not null, limits.Max ?? 0, limits.AddressType == AddressType.I64, true,
            (byte)type.PageSizeLog2, out var memoryType));
        nint memory;
        try
        {
            Check(wasmtime_sharedmemory_new(Handle(engine), memoryType, out memory));
        }
        finally
        {
            wasm_memorytype_delete(memoryType);
        }
        var external = new WasmtimeCApi.Extern { Kind = WasmtimeCApi.ExternKind.SharedMemory, SharedMemory = memory };
        var moduleBytes = Encoding.UTF8.GetBytes(module);
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var context = WasmtimeNative.wasmtime_store_context(Handle(store));
        fixed (byte* modulePointer = moduleBytes, namePointer = nameBytes)
        {
            Check(WasmtimeCApi.wasmtime_linker_define(Handle(linker), context, modulePointer, (nuint)moduleBytes.Length, namePointer, (nuint)nameBytes.Length, &external));
        }
        GC.KeepAlive(store);
        return memory;
    }

    /// <summary>The native pointer behind a package object (see <see cref="WasmtimeNative.NativeHandle"/>).</summary>
    private static nint Handle(object owner) => WasmtimeNative.NativeHandle(owner).DangerousGetHandle();

    private static void Check(nint error)
    {
        if (error != 0)
        {
            throw new global::Wasmtime.WasmtimeException(WasmtimeCApi.TakeErrorMessage(error));
        }
    }

    [LibraryImport("wasmtime")]
    private static partial nint wasmtime_memorytype_new(ulong minimum, [MarshalAs(UnmanagedType.U1)] bool hasMaximum, ulong maximum,
        [MarshalAs(UnmanagedType.U1)] bool is64, [MarshalAs(UnmanagedType.U1)] bool shared, byte pageSizeLog2, out nint type);

    [LibraryImport("wasmtime")]
    private static partial void wasm_memorytype_delete(nint type);

    [LibraryImport("wasmtime")]
    private static partial nint wasmtime_sharedmemory_new(nint engine, nint type, out nint memory);

    [LibraryImport("wasmtime")]
    private static partial void wasmtime_sharedmemory_delete(nint memory);
}
