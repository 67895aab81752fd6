using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Wasi;

/// <summary>
/// wasi-threads: the host function <c>wasi.thread-spawn(start_arg) -> tid</c>, with which a program built for
/// <c>wasm32-wasi-threads</c> (clang's <c>-pthread</c>) starts a thread. Each thread is a new instance of the same
/// module in a store of its own (a store is single-threaded), on its own .NET thread, linked to the same
/// definitions, so it shares the program's shared memory and WASI state; the host calls its export
/// <c>wasi_thread_start(tid, start_arg)</c>.
/// </summary>
/// <remarks>
/// <para>
/// As in wasmtime, a thread that traps or calls <c>proc_exit</c> ends the whole program: the first such outcome
/// is kept in <see cref="Failure"/>, every store of the program is interrupted (running code traps at its next
/// call or loop back-edge where the tier checks interrupts) and every waiter on the shared memory traps, so a
/// main thread blocked in <c>pthread_join</c> returns. The program's result is then that outcome, not the
/// interruption it caused (<see cref="RunCommand"/>).
/// </para>
/// <para>
/// When the main module imports a shared memory that the linker does not define, <see cref="Define"/> creates it
/// from the import's type, as wasmtime does for wasi-threads programs: such programs import their memory so that
/// every thread's instance can import the same one.
/// </para>
/// </remarks>
public sealed class WasiThreads : IDisposable
{
    /// <summary>The import module of <c>thread-spawn</c>.</summary>
    public const string ModuleName = "wasi";

    /// <summary>The name of the spawn function.</summary>
    public const string SpawnName = "thread-spawn";

    /// <summary>The export a new thread's instance starts at: <c>(func (param $tid i32) (param $start_arg i32))</c>.</summary>
    public const string EntryName = "wasi_thread_start";

    private static readonly FunctionType EntryType = new([ValType.I32, ValType.I32], []);

    /// <summary>Thread ids are positive and below 2^29, as the proposal reserves the upper ones.</summary>
    private const int MaxThreadId = 0x1FFF_FFFF;

    private readonly CompiledModule _module;
    private readonly Linker _linker;
    private readonly WasiContext _wasi;
    private readonly List<Store> _stores = [];
    private readonly List<MemoryInstance> _sharedMemories = [];
    private readonly object _sync = new();
    private int _lastId;
    private int _running;
    private ThreadFailure? _failure;

    /// <summary>
    /// Prepares threads for <paramref name="module"/>, whose instances link against <paramref name="linker"/>
    /// (which must already hold the WASI functions of <paramref name="wasi"/>). Call <see cref="Define"/> before
    /// instantiating the main instance.
    /// </summary>
    public WasiThreads(CompiledModule module, Linker linker, WasiContext wasi)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(linker);
        ArgumentNullException.ThrowIfNull(wasi);
        _module = module;
        _linker = linker;
        _wasi = wasi;
    }

    /// <summary>The most threads that may run at once besides the main one; a spawn beyond it fails with <c>-EAGAIN</c>.</summary>
    public int MaxThreads { get; init; } = 256;

    /// <summary>True when <paramref name="module"/> imports <c>wasi.thread-spawn</c>.</summary>
    public static bool IsUsedBy(Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        return module.Imports.Any(import => import is { Module: ModuleName, Name: SpawnName });
    }

    /// <summary>The first trap or exit of a spawned thread, which ends the program; null while there is none.</summary>
    public ThreadFailure? Failure => Volatile.Read(ref _failure);

    /// <summary>Threads spawned that have not finished.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>
    /// Defines <c>wasi.thread-spawn</c> and each shared memory the module imports that <paramref name="store"/>'s
    /// linker does not define yet (created in <paramref name="store"/>'s engine limits from the import's type).
    /// </summary>
    public void Define(Store store)
    {
        ArgumentNullException.ThrowIfNull(store);
        Watch(store);
        foreach (var import in _module.Imports)
        {
            if (import.Type is MemoryType { Limits.Shared: true } type && _linker.Resolve(import.Module, import.Name) is null)
            {
                var memory = new MemoryInstance(type, store.Engine.Options.MaxMemoryBytes);
                _linker.Define(import.Module, import.Name, memory);
                lock (_sync)
                {
                    _sharedMemories.Add(memory);
                }
            }
        }
        _linker.DefineFunction(ModuleName, SpawnName, new FunctionType([ValType.I32], [ValType.I32]), (args, results) =>
            results[0] = Value.FromI32(Spawn(args[0].I32)));
    }

    /// <summary>
    /// Runs the program's main thread (<see cref="WasiContext.RunCommand"/>) and returns its exit code; when a
    /// spawned thread failed first, its outcome wins: its exit code, or its trap rethrown here.
    /// </summary>
    public int RunCommand(ModuleInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        int code;
        try
        {
            code = _wasi.RunCommand(instance);
        }
        catch (TrapException) when (Failure is not null)
        {
            return Rethrow(Failure);
        }
        return Failure is { } failure ? Rethrow(failure) : code;
    }

    /// <summary>A spawned thread's outcome as the main thread's: its exit code, or its exception thrown again (its backtrace kept).</summary>
    private static int Rethrow(ThreadFailure failure)
    {
        if (failure.Error is WasiExitException exit)
        {
            return exit.Code;
        }
        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure.Error);
        return 1;
    }

    /// <summary>Ends every thread of the program (see the remarks on <see cref="WasiThreads"/>); the main one included.</summary>
    public void Dispose() => Stop();

    /// <summary>Remembers a store to interrupt when the program ends (the main one, and each running thread's).</summary>
    private void Watch(Store store)
    {
        lock (_sync)
        {
            _stores.Add(store);
        }
    }

    private void Stop()
    {
        Store[] stores;
        MemoryInstance[] memories;
        lock (_sync)
        {
            stores = [.. _stores];
            memories = [.. _sharedMemories];
        }
        foreach (var store in stores)
        {
            store.Interrupt();
        }
        foreach (var memory in memories)
        {
            memory.AbandonWaiters();
        }
    }

    /// <summary>
    /// <c>thread-spawn</c>: instantiates the module in a new store here (so a failed instantiation is the caller's
    /// negative result, as in wasmtime) and starts it on a new .NET thread. Returns the new thread's id, or a
    /// negative errno.
    /// </summary>
    private int Spawn(int startArgument)
    {
        if (Failure is not null)
        {
            return -(int)Errno.Again;
        }
        if (Interlocked.Increment(ref _running) > MaxThreads)
        {
            Interlocked.Decrement(ref _running);
            return -(int)Errno.Again;
        }
        int id;
        lock (_sync)
        {
            if (_lastId == MaxThreadId)
            {
                Interlocked.Decrement(ref _running);
                return -(int)Errno.Again;
            }
            id = ++_lastId;
        }
        var store = new Store(_module.Engine);
        FunctionInstance entry;
        try
        {
            var instance = _module.Instantiate(store, _linker);
            entry = instance.GetExport(EntryName) as FunctionInstance
                ?? throw new LinkException(LinkException.UnknownImport, $"the module exports no '{EntryName}' function");
            if (!entry.Type.Equals(EntryType))
            {
                throw new LinkException(LinkException.IncompatibleImportType, $"'{EntryName}' must have type {EntryType}, not {entry.Type}");
            }
        }
        catch (WasmException)
        {
            Interlocked.Decrement(ref _running);
            store.Dispose();
            return -(int)Errno.Again;
        }
        Watch(store);
        var thread = new Thread(() => Run(id, store, entry, startArgument)) { IsBackground = true, Name = $"wasi thread {id}" };
        thread.Start();
        return id;
    }

    private void Run(int id, Store store, FunctionInstance entry, int startArgument)
    {
        try
        {
            store.Invoke(entry, Value.FromI32(id), Value.FromI32(startArgument));
        }
        catch (Exception e) when (e is WasiExitException or WasmException)
        {
            // proc_exit, a trap or an uncaught Wasm exception: each ends the program.
            Fail(new ThreadFailure(id, e));
        }
        finally
        {
            // Only running threads' stores are kept for Stop: a program that starts many short threads keeps none of theirs.
            lock (_sync)
            {
                _stores.Remove(store);
            }
            Interlocked.Decrement(ref _running);
            store.Dispose();
        }
    }

    private void Fail(ThreadFailure failure)
    {
        if (Interlocked.CompareExchange(ref _failure, failure, null) is null)
        {
            _wasi.FlushOutputs();
            Stop();
        }
    }
}

/// <summary>
/// How a spawned thread ended the program: <see cref="Error"/> is the <see cref="WasiExitException"/> of its
/// <c>proc_exit</c>, its <see cref="TrapException"/>, or the <see cref="UncaughtException"/> it let escape.
/// </summary>
public sealed record ThreadFailure(int ThreadId, Exception Error);
