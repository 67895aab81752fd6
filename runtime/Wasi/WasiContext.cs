using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Wasi;

/// <summary>
/// The state of one WASI program (<c>wasi_snapshot_preview1</c>): its descriptor table, arguments, environment
/// and the memory it shares with the host. Define its functions into a <see cref="Linker"/> with
/// <see cref="Define"/>, instantiate the module, <see cref="Bind"/> the instance (its exported <c>memory</c>),
/// then call <c>_start</c>, or let <see cref="RunCommand"/> do the last two steps.
/// </summary>
/// <remarks>
/// Every guest pointer is checked against the memory's bounds; a bad one makes the function return
/// <see cref="Errno.Fault"/> and never touches host memory. Only preopened directories are reachable
/// (see <see cref="PathWalk"/>). <c>proc_exit</c> throws <see cref="WasiExitException"/>.
/// </remarks>
public sealed partial class WasiContext : IDisposable
{
    /// <summary>The import module name of WASI preview 1.</summary>
    public const string ModuleName = "wasi_snapshot_preview1";

    internal const ushort FdFlagAppend = 1;
    private const ushort FdFlagDsync = 2;
    private const ushort FdFlagNonblock = 4;
    private const ushort FdFlagRsync = 8;
    private const ushort FdFlagSync = 16;

    private readonly List<Descriptor?> _descriptors = [];
    private readonly byte[][] _arguments;
    private readonly byte[][] _environment;
    private readonly Action<Span<byte>> _random;
    private readonly long _monotonicStart = Stopwatch.GetTimestamp();

    /// <summary>Creates the state of a program from its configuration; opens each preopened directory (a handle held until <see cref="Dispose"/>).</summary>
    /// <exception cref="PlatformNotSupportedException">A host directory is preopened on a system other than Linux.</exception>
    public WasiContext(WasiConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        _arguments = [.. configuration.Arguments.Select(Encoding.UTF8.GetBytes)];
        _environment = [.. configuration.Environment.Select(pair => Encoding.UTF8.GetBytes($"{pair.Key}={pair.Value}"))];
        _random = configuration.RandomSource ?? RandomNumberGenerator.Fill;
        _descriptors.Add(new StreamDescriptor(configuration.StandardInput, null) { Base = Rights.Stream | Rights.FdSeek | Rights.FdTell });
        _descriptors.Add(new StreamDescriptor(null, configuration.StandardOutput) { Base = Rights.Stream | Rights.FdSeek | Rights.FdTell });
        _descriptors.Add(new StreamDescriptor(null, configuration.StandardError) { Base = Rights.Stream | Rights.FdSeek | Rights.FdTell });
        foreach (var preopen in configuration.Preopens)
        {
            var (directoryRights, fileRights) = preopen.ReadOnly
                ? (Rights.Directory & ~WriteRights, Rights.RegularFile & ~WriteRights)
                : (Rights.Directory, Rights.RegularFile);
            var directory = preopen.Open();
            directory.PreopenName = preopen.GuestPath;
            directory.Base = directoryRights;
            directory.Inheriting = directoryRights | fileRights;
            _descriptors.Add(directory);
        }
    }

    /// <summary>The rights that change a file or directory.</summary>
    internal const Rights WriteRights = Rights.FdWrite | Rights.FdAllocate | Rights.FdFilestatSetSize | Rights.FdFilestatSetTimes
        | Rights.FdDatasync | Rights.PathCreateDirectory | Rights.PathCreateFile | Rights.PathLinkSource | Rights.PathLinkTarget
        | Rights.PathRenameSource | Rights.PathRenameTarget | Rights.PathFilestatSetSize | Rights.PathFilestatSetTimes
        | Rights.PathSymlink | Rights.PathRemoveDirectory | Rights.PathUnlinkFile;

    /// <summary>The memory WASI functions read and write: the program's exported <c>memory</c>.</summary>
    public MemoryInstance? Memory { get; set; }

    /// <summary>The code given to <c>proc_exit</c>, once the program has called it.</summary>
    public int? ExitCode { get; private set; }

    /// <summary>
    /// Binds the memory WASI functions use: the instance's export named <c>memory</c>, else its one imported
    /// memory. wasm-ld before LLVM 16 cannot export an imported memory, so a wasi-threads program it linked
    /// (memory imported, shared by every thread's instance) has no export; wasmtime would refuse it, we serve it.
    /// </summary>
    public void Bind(ModuleInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        Memory = instance.GetExport("memory") as MemoryInstance
            ?? (instance.Module.ImportedMemoryCount == 1 && instance.Memories.Length == 1 ? instance.Memories[0] : null);
    }

    /// <summary>
    /// Runs a command: binds <paramref name="instance"/>, calls its <c>_start</c> export and returns the exit
    /// code (0 when <c>_start</c> returns, the <c>proc_exit</c> code otherwise). Traps propagate as
    /// <see cref="TrapException"/>.
    /// </summary>
    public int RunCommand(ModuleInstance instance)
    {
        Bind(instance);
        try
        {
            if (instance.GetExport("_start") is FunctionInstance start)
            {
                instance.Store.Invoke(start);
            }
            else
            {
                throw new InvalidOperationException("the module exports no '_start' function");
            }
            return 0;
        }
        catch (WasiExitException exit)
        {
            return exit.Code;
        }
        finally
        {
            FlushOutputs();
        }
    }

    /// <summary>Flushes standard output and error.</summary>
    public void FlushOutputs()
    {
        foreach (var descriptor in _descriptors.OfType<StreamDescriptor>())
        {
            try
            {
                descriptor.Output?.Flush();
            }
            catch (IOException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>Closes every open descriptor (files stay as they are on the host).</summary>
    public void Dispose()
    {
        FlushOutputs();
        foreach (var descriptor in _descriptors)
        {
            if (descriptor is not StreamDescriptor)
            {
                descriptor?.Close();
            }
        }
        _descriptors.Clear();
    }

    // ---- registration ----

    private delegate Errno Body(ReadOnlySpan<Value> args);

    /// <summary>Defines every function of <c>wasi_snapshot_preview1</c> into <paramref name="linker"/>.</summary>
    public Linker Define(Linker linker)
    {
        ArgumentNullException.ThrowIfNull(linker);
        Add(linker, "args_get", "ii", a => ArgsGet(U(a[0]), U(a[1])));
        Add(linker, "args_sizes_get", "ii", a => SizesGet(_arguments, U(a[0]), U(a[1])));
        Add(linker, "environ_get", "ii", a => EnvironGet(U(a[0]), U(a[1])));
        Add(linker, "environ_sizes_get", "ii", a => SizesGet(_environment, U(a[0]), U(a[1])));
        Add(linker, "clock_res_get", "ii", a => ClockResGet(U(a[0]), U(a[1])));
        Add(linker, "clock_time_get", "iIi", a => ClockTimeGet(U(a[0]), U(a[2])));
        Add(linker, "fd_advise", "iIIi", a => FdAdvise(U(a[0]), a[1].I64, a[2].I64, U(a[3])));
        Add(linker, "fd_allocate", "iII", a => FdAllocate(U(a[0]), a[1].I64, a[2].I64));
        Add(linker, "fd_close", "i", a => FdClose(U(a[0])));
        Add(linker, "fd_datasync", "i", a => FdSync(U(a[0]), Rights.FdDatasync));
        Add(linker, "fd_fdstat_get", "ii", a => FdFdstatGet(U(a[0]), U(a[1])));
        Add(linker, "fd_fdstat_set_flags", "ii", a => FdFdstatSetFlags(U(a[0]), U(a[1])));
        Add(linker, "fd_fdstat_set_rights", "iII", a => FdFdstatSetRights(U(a[0]), (Rights)a[1].Low, (Rights)a[2].Low));
        Add(linker, "fd_filestat_get", "ii", a => FdFilestatGet(U(a[0]), U(a[1])));
        Add(linker, "fd_filestat_set_size", "iI", a => FdFilestatSetSize(U(a[0]), a[1].I64));
        Add(linker, "fd_filestat_set_times", "iIIi", a => FdFilestatSetTimes(U(a[0]), a[1].Low, a[2].Low, U(a[3])));
        Add(linker, "fd_pread", "iiiIi", a => FdRead(U(a[0]), U(a[1]), U(a[2]), a[3].I64, U(a[4])));
        Add(linker, "fd_prestat_get", "ii", a => FdPrestatGet(U(a[0]), U(a[1])));
        Add(linker, "fd_prestat_dir_name", "iii", a => FdPrestatDirName(U(a[0]), U(a[1]), U(a[2])));
        Add(linker, "fd_pwrite", "iiiIi", a => FdWrite(U(a[0]), U(a[1]), U(a[2]), a[3].I64, U(a[4])));
        Add(linker, "fd_read", "iiii", a => FdRead(U(a[0]), U(a[1]), U(a[2]), null, U(a[3])));
        Add(linker, "fd_readdir", "iiiIi", a => FdReaddir(U(a[0]), U(a[1]), U(a[2]), a[3].Low, U(a[4])));
        Add(linker, "fd_renumber", "ii", a => FdRenumber(U(a[0]), U(a[1])));
        Add(linker, "fd_seek", "iIii", a => FdSeek(U(a[0]), a[1].I64, U(a[2]), U(a[3])));
        Add(linker, "fd_sync", "i", a => FdSync(U(a[0]), Rights.FdSync));
        Add(linker, "fd_tell", "ii", a => FdTell(U(a[0]), U(a[1])));
        Add(linker, "fd_write", "iiii", a => FdWrite(U(a[0]), U(a[1]), U(a[2]), null, U(a[3])));
        Add(linker, "path_create_directory", "iii", a => PathCreateDirectory(U(a[0]), U(a[1]), U(a[2])));
        Add(linker, "path_filestat_get", "iiiii", a => PathFilestatGet(U(a[0]), U(a[1]), U(a[2]), U(a[3]), U(a[4])));
        Add(linker, "path_filestat_set_times", "iiiiIIi", a => PathFilestatSetTimes(U(a[0]), U(a[1]), U(a[2]), U(a[3]), a[4].Low, a[5].Low, U(a[6])));
        Add(linker, "path_link", "iiiiiii", a => PathLink(U(a[0]), U(a[1]), U(a[2]), U(a[3]), U(a[4]), U(a[5]), U(a[6])));
        Add(linker, "path_open", "iiiiiIIii", a => PathOpen(U(a[0]), U(a[1]), U(a[2]), U(a[3]), U(a[4]), (Rights)a[5].Low, (Rights)a[6].Low, U(a[7]), U(a[8])));
        Add(linker, "path_readlink", "iiiiii", a => PathReadlink(U(a[0]), U(a[1]), U(a[2]), U(a[3]), U(a[4]), U(a[5])));
        Add(linker, "path_remove_directory", "iii", a => PathRemoveDirectory(U(a[0]), U(a[1]), U(a[2])));
        Add(linker, "path_rename", "iiiiii", a => PathRename(U(a[0]), U(a[1]), U(a[2]), U(a[3]), U(a[4]), U(a[5])));
        Add(linker, "path_symlink", "iiiii", a => PathSymlink(U(a[0]), U(a[1]), U(a[2]), U(a[3]), U(a[4])));
        Add(linker, "path_unlink_file", "iii", a => PathUnlinkFile(U(a[0]), U(a[1]), U(a[2])));
        Add(linker, "poll_oneoff", "iiii", a => PollOneoff(U(a[0]), U(a[1]), U(a[2]), U(a[3])));
        linker.DefineFunction(ModuleName, "proc_exit", new FunctionType([ValType.I32], []), (args, _) =>
        {
            ExitCode = args[0].I32;
            FlushOutputs();
            throw new WasiExitException(args[0].I32);
        });
        Add(linker, "proc_raise", "i", _ => Errno.NotSup);
        Add(linker, "sched_yield", "", _ =>
        {
            Thread.Yield();
            return Errno.Success;
        });
        Add(linker, "random_get", "ii", a => RandomGet(U(a[0]), U(a[1])));
        Add(linker, "sock_accept", "iii", a => SockCheck(U(a[0])));
        Add(linker, "sock_recv", "iiiiii", a => SockCheck(U(a[0])));
        Add(linker, "sock_send", "iiiii", a => SockCheck(U(a[0])));
        Add(linker, "sock_shutdown", "ii", a => SockCheck(U(a[0])));
        return linker;
    }

    private static uint U(Value value) => (uint)value.Low;

    /// <summary>
    /// Taken by every function that uses the descriptor table: the threads of a wasi-threads program (each in a
    /// store of its own) call into one context. <c>poll_oneoff</c> and <c>sched_yield</c> run outside it, so a
    /// thread that sleeps does not hold up the others.
    /// </summary>
    private readonly Lock _lock = new();

    private void Add(Linker linker, string name, string parameters, Body body)
    {
        var type = new FunctionType([.. parameters.Select(c => c == 'I' ? ValType.I64 : ValType.I32)], [ValType.I32]);
        var unlocked = name is "poll_oneoff" or "sched_yield";
        linker.DefineFunction(ModuleName, name, type, (args, results) =>
        {
            Errno errno;
            try
            {
                if (unlocked)
                {
                    errno = body(args);
                }
                else
                {
                    lock (_lock)
                    {
                        errno = body(args);
                    }
                }
            }
            catch (WasiErrorException e)
            {
                errno = e.Errno;
            }
            catch (Exception e) when (e is not (TrapException or WasiExitException or OutOfMemoryException))
            {
                // Whatever the host's file APIs throw becomes an errno: a guest never crashes the host.
                errno = Host.HostErrno.FromException(e);
            }
            results[0] = Value.FromI32((int)errno);
        });
    }

    // ---- guest memory: every access bounds-checked, a bad pointer is EFAULT ----

    private MemoryInstance Mem => Memory ?? throw new WasiErrorException(Errno.Fault, "no memory is bound (the module must export 'memory')");

    private void Check(uint address, ulong length)
    {
        if (!Mem.InBounds(address, 0, length))
        {
            throw new WasiErrorException(Errno.Fault, "pointer out of bounds");
        }
    }

    private uint LoadU32(uint address)
    {
        Check(address, 4);
        return Mem.Read<uint>(address);
    }

    private ulong LoadU64(uint address)
    {
        Check(address, 8);
        return Mem.Read<ulong>(address);
    }

    private ushort LoadU16(uint address)
    {
        Check(address, 2);
        return Mem.Read<ushort>(address);
    }

    private byte LoadU8(uint address)
    {
        Check(address, 1);
        return Mem.Read<byte>(address);
    }

    private void StoreU8(uint address, byte value)
    {
        Check(address, 1);
        Mem.Write(address, 0, value);
    }

    private void StoreU16(uint address, ushort value)
    {
        Check(address, 2);
        Mem.Write(address, 0, value);
    }

    private void StoreU32(uint address, uint value)
    {
        Check(address, 4);
        Mem.Write(address, 0, value);
    }

    private void StoreU64(uint address, ulong value)
    {
        Check(address, 8);
        Mem.Write(address, 0, value);
    }

    private byte[] LoadBytes(uint address, uint length)
    {
        Check(address, length);
        var bytes = new byte[length];
        Mem.ReadBytes(address, bytes);
        return bytes;
    }

    private void LoadBytes(uint address, Span<byte> destination)
    {
        Check(address, (ulong)destination.Length);
        Mem.ReadBytes(address, destination);
    }

    private void StoreBytes(uint address, ReadOnlySpan<byte> bytes)
    {
        Check(address, (ulong)bytes.Length);
        Mem.WriteBytes(address, bytes);
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>A path from guest memory: bounds-checked, at most <see cref="PathWalk.MaxPathBytes"/> (else <c>ENAMETOOLONG</c>, before any host memory is spent on it), UTF-8.</summary>
    private string LoadString(uint address, uint length)
    {
        Check(address, length);
        if (length > PathWalk.MaxPathBytes)
        {
            throw PathWalk.PathTooLong();
        }
        var bytes = LoadBytes(address, length);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new WasiErrorException(Errno.Ilseq, "path is not UTF-8");
        }
    }

    /// <summary>The most bytes one <c>fd_read</c>/<c>fd_write</c> (or positioned form) may ask for in all its iovecs: as readv/writev, whose total must fit an <c>ssize_t</c>, and wasmtime, whose lengths are 32-bit.</summary>
    internal const ulong MaxIovecTotal = int.MaxValue;

    /// <summary>
    /// Checks an iovec array before any byte moves: the array and every buffer in bounds (<c>EFAULT</c>), and the
    /// total length at most <see cref="MaxIovecTotal"/> (<c>EINVAL</c>). It reads the entries one by one from guest
    /// memory and keeps none of them, so a call with 2^29 iovecs costs no host memory; the transfer reads each entry
    /// again with <see cref="LoadIovec"/>. Returns the total length.
    /// </summary>
    private uint CheckIovecs(uint address, uint count)
    {
        Check(address, (ulong)count * 8);
        ulong total = 0;
        for (uint i = 0; i < count; i++)
        {
            var (buffer, length) = LoadIovec(address, i);
            Check(buffer, length);
            total += length;
            if (total > MaxIovecTotal)
            {
                throw new WasiErrorException(Errno.Inval, "the iovecs' total length exceeds 2^31-1");
            }
        }
        return (uint)total;
    }

    /// <summary>Entry <paramref name="index"/> of the iovec array at <paramref name="address"/>, read from guest memory (bounds-checked).</summary>
    private (uint Address, uint Length) LoadIovec(uint address, uint index)
    {
        var entry = address + (ulong)index * 8;
        if (entry > uint.MaxValue - 8)
        {
            throw new WasiErrorException(Errno.Fault, "pointer out of bounds");
        }
        return (LoadU32((uint)entry), LoadU32((uint)entry + 4));
    }

    // ---- args, environ ----

    private Errno ArgsGet(uint argv, uint buffer) => ListGet(_arguments, argv, buffer);

    private Errno EnvironGet(uint environ, uint buffer) => ListGet(_environment, environ, buffer);

    private Errno ListGet(byte[][] items, uint pointers, uint buffer)
    {
        Check(pointers, (ulong)items.Length * 4);
        Check(buffer, (ulong)items.Sum(item => (long)item.Length + 1));
        var offset = buffer;
        for (var i = 0; i < items.Length; i++)
        {
            StoreU32(pointers + (uint)i * 4, offset);
            StoreBytes(offset, items[i]);
            StoreU8(offset + (uint)items[i].Length, 0);
            offset += (uint)items[i].Length + 1;
        }
        return Errno.Success;
    }

    private Errno SizesGet(byte[][] items, uint countPointer, uint sizePointer)
    {
        Check(countPointer, 4);
        Check(sizePointer, 4);
        StoreU32(countPointer, (uint)items.Length);
        StoreU32(sizePointer, (uint)items.Sum(item => item.Length + 1));
        return Errno.Success;
    }

    // ---- clocks, random ----

    private const uint ClockRealtime = 0;
    private const uint ClockMonotonic = 1;
    private const uint ClockProcessCpu = 2;
    private const uint ClockThreadCpu = 3;

    private Errno ClockResGet(uint id, uint result)
    {
        ulong resolution = id switch
        {
            ClockRealtime => 100,
            ClockMonotonic => (ulong)Math.Max(1, 1_000_000_000 / Stopwatch.Frequency),
            ClockProcessCpu or ClockThreadCpu => 100,
            _ => throw new WasiErrorException(Errno.Inval),
        };
        StoreU64(result, resolution);
        return Errno.Success;
    }

    private Errno ClockTimeGet(uint id, uint result)
    {
        StoreU64(result, Now(id) ?? throw new WasiErrorException(Errno.Inval));
        return Errno.Success;
    }

    /// <summary>The time of a clock in nanoseconds, or null for an unknown clock.</summary>
    private ulong? Now(uint id) => id switch
    {
        ClockRealtime => (ulong)(DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100,
        ClockMonotonic => (ulong)(Stopwatch.GetElapsedTime(_monotonicStart).Ticks * 100) + 1,
        ClockProcessCpu => (ulong)Process.GetCurrentProcess().TotalProcessorTime.Ticks * 100,
        ClockThreadCpu => (ulong)Process.GetCurrentProcess().TotalProcessorTime.Ticks * 100,
        _ => null,
    };

    private Errno RandomGet(uint buffer, uint length)
    {
        Check(buffer, length);
        var bytes = new byte[Math.Min(length, 1u << 16)];
        for (uint done = 0; done < length;)
        {
            var chunk = (int)Math.Min(length - done, (uint)bytes.Length);
            _random(bytes.AsSpan(0, chunk));
            StoreBytes(buffer + done, bytes.AsSpan(0, chunk));
            done += (uint)chunk;
        }
        return Errno.Success;
    }

    /// <summary>The <c>sock_*</c> functions: this host hands the guest no socket, so every descriptor is <c>ENOTSOCK</c> (a closed one <c>EBADF</c>).</summary>
    private Errno SockCheck(uint fd)
    {
        _ = Get(fd);
        return Errno.NotSock;
    }
}
