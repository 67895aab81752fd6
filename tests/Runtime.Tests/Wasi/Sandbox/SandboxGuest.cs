using System.Text;
using WasmHarness.Execution;
using WasmHarness.Wasi;

namespace WasmHarness.Tests.Wasi.Sandbox;

/// <summary>
/// A guest whose code calls WASI: one exported wrapper function per <c>wasi_snapshot_preview1</c> function, each
/// passing its parameters on to the import, so every call of an escape attempt goes through guest code compiled by
/// the tier under test (or by wasmtime). The attack scripts drive those exports and read and write the guest's memory.
/// </summary>
internal abstract class SandboxGuest : IDisposable
{
    /// <summary>The engines every escape attempt runs on.</summary>
    public static readonly TheoryData<string> Engines = ["interp", "jit", "wasmtime"];

    /// <summary>The guest: an import and a wrapper export (<c>guest_NAME</c>) for every function.</summary>
    public static readonly string Wat = "(module\n"
        + string.Concat(WasiCalls.Signatures.Select(pair =>
            $"  (import \"wasi_snapshot_preview1\" \"{pair.Key}\" (func ${pair.Key} {Params(pair.Value)} (result i32)))\n"))
        + "  (memory (export \"memory\") 2)\n"
        + string.Concat(WasiCalls.Signatures.Select(pair =>
            $"  (func (export \"guest_{pair.Key}\") {Params(pair.Value)} (result i32) {string.Concat(pair.Value.Select((_, i) => $"local.get {i} "))}call ${pair.Key})\n"))
        + ")";

    private static string Params(string signature) =>
        signature.Length == 0 ? "" : $"(param {string.Join(' ', signature.Select(c => c == 'I' ? "i64" : "i32"))})";

    /// <summary>Starts the guest on <paramref name="engine"/> with the given (host directory, guest name) preopens, numbered from 3.</summary>
    public static SandboxGuest Start(string engine, params (string Host, string Guest)[] preopens) => engine switch
    {
        "interp" => new OurGuest(ExecutionTier.Interpreter, preopens),
        "jit" => new OurGuest(ExecutionTier.Jit, preopens),
        "wasmtime" => new WasmtimeGuest(preopens),
        _ => throw new ArgumentException(engine, nameof(engine)),
    };

    public const int String1 = 1024;
    public const int String2 = 2048;
    public const int Result = 512;
    public const int Buffer = 8192;
    public const int BufferSize = 32768;

    public abstract string Engine { get; }

    public abstract Errno Call(string name, params long[] args);

    public abstract void WriteBytes(int address, ReadOnlySpan<byte> bytes);

    public abstract byte[] ReadBytes(int address, int length);

    public uint U32(int address) => BitConverter.ToUInt32(ReadBytes(address, 4));

    public ulong U64(int address) => BitConverter.ToUInt64(ReadBytes(address, 8));

    public int Put(int address, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        WriteBytes(address, bytes);
        return bytes.Length;
    }

    public virtual void Dispose()
    {
    }

    // ---- the calls the attacks use ----

    public const Rights ReadRights = Rights.FdRead | Rights.FdSeek | Rights.FdTell | Rights.FdFilestatGet | Rights.FdReaddir | Rights.PathOpen;

    /// <summary><c>path_open</c>; the new descriptor, or the errno.</summary>
    public (Errno Errno, int Fd) Open(int directory, string path, bool follow = true, int oflags = 0, Rights rights = ReadRights)
    {
        var errno = Call("guest_path_open", directory, follow ? 1 : 0, String1, Put(String1, path), oflags, (long)rights, (long)Rights.All, 0, Result);
        return (errno, errno == Errno.Success ? (int)U32(Result) : -1);
    }

    /// <summary>Reads a descriptor to its end (or the first error).</summary>
    public string ReadAll(int fd)
    {
        var text = new StringBuilder();
        WriteBytes(16, BitConverter.GetBytes(Buffer));
        WriteBytes(20, BitConverter.GetBytes(BufferSize));
        while (Call("guest_fd_read", fd, 16, 1, Result) == Errno.Success && U32(Result) is var read and > 0)
        {
            text.Append(Encoding.UTF8.GetString(ReadBytes(Buffer, (int)read)));
        }
        return text.ToString();
    }

    /// <summary>Opens and reads a file; the text, or null with the errno.</summary>
    public (Errno Errno, string? Text) ReadFile(int directory, string path, bool follow = true)
    {
        var (errno, fd) = Open(directory, path, follow);
        if (errno != Errno.Success)
        {
            return (errno, null);
        }
        var text = ReadAll(fd);
        Call("guest_fd_close", fd);
        return (Errno.Success, text);
    }

    /// <summary>The names <c>fd_readdir</c> lists, or the errno.</summary>
    public (Errno Errno, List<string> Names) List(int fd)
    {
        var names = new List<string>();
        var errno = Call("guest_fd_readdir", fd, Buffer, BufferSize, 0, Result);
        if (errno != Errno.Success)
        {
            return (errno, names);
        }
        var used = (int)U32(Result);
        var bytes = ReadBytes(Buffer, used);
        for (var at = 0; at + 24 <= used;)
        {
            var length = (int)BitConverter.ToUInt32(bytes, at + 16);
            if (at + 24 + length > used)
            {
                break;
            }
            names.Add(Encoding.UTF8.GetString(bytes, at + 24, length));
            at += 24 + length;
        }
        return (errno, names);
    }

    public Errno Mkdir(int fd, string path) => Call("guest_path_create_directory", fd, String1, Put(String1, path));

    public Errno Rmdir(int fd, string path) => Call("guest_path_remove_directory", fd, String1, Put(String1, path));

    public Errno Unlink(int fd, string path) => Call("guest_path_unlink_file", fd, String1, Put(String1, path));

    public Errno Symlink(string target, int fd, string path) => Call("guest_path_symlink", String1, Put(String1, target), fd, String2, Put(String2, path));

    public Errno Link(int fromFd, string from, int toFd, string to, bool follow = false) =>
        Call("guest_path_link", fromFd, follow ? 1 : 0, String1, Put(String1, from), toFd, String2, Put(String2, to));

    public Errno Rename(int fromFd, string from, int toFd, string to) =>
        Call("guest_path_rename", fromFd, String1, Put(String1, from), toFd, String2, Put(String2, to));

    public Errno Stat(int fd, string path, bool follow = true) => Call("guest_path_filestat_get", fd, follow ? 1 : 0, String1, Put(String1, path), Buffer);

    /// <summary>Sets a path's modification time to the epoch (a change the outside snapshot would see).</summary>
    public Errno Touch(int fd, string path, bool follow = true) => Call("guest_path_filestat_set_times", fd, follow ? 1 : 0, String1, Put(String1, path), 0, 0, 4);

    public Errno Readlink(int fd, string path) => Call("guest_path_readlink", fd, String1, Put(String1, path), Buffer, BufferSize, Result);

    /// <summary>Creates (or truncates) a file and writes <paramref name="text"/> to it.</summary>
    public Errno WriteFile(int directory, string path, string text, bool follow = true)
    {
        var (errno, fd) = Open(directory, path, follow, oflags: 1 | 8, rights: Rights.FdWrite | Rights.FdRead);
        if (errno != Errno.Success)
        {
            return errno;
        }
        var length = Put(Buffer, text);
        WriteBytes(16, BitConverter.GetBytes(Buffer));
        WriteBytes(20, BitConverter.GetBytes(length));
        errno = Call("guest_fd_write", fd, 16, 1, Result);
        Call("guest_fd_close", fd);
        return errno;
    }

    /// <summary>Our runtime on one tier.</summary>
    private sealed class OurGuest : SandboxGuest
    {
        private readonly WasiContext _context;
        private readonly ModuleInstance _instance;
        private readonly MemoryInstance _memory;

        public OurGuest(ExecutionTier tier, (string Host, string Guest)[] preopens)
        {
            Engine = tier == ExecutionTier.Jit ? "jit" : "interp";
            var configuration = new WasiConfiguration();
            foreach (var (host, guest) in preopens)
            {
                configuration.WithPreopenedDirectory(host, guest);
            }
            var engine = new WasmHarness.Engine(new EngineOptions { Tier = tier });
            _context = new WasiContext(configuration);
            _instance = CompiledModule.FromText(engine, Wat).Instantiate(new Store(engine), _context.Define(new Linker()));
            _context.Bind(_instance);
            _memory = _instance.GetMemory("memory");
        }

        public override string Engine { get; }

        public override Errno Call(string name, params long[] args)
        {
            var function = _instance.GetFunction(name);
            var values = args.Select((a, i) => function.Type.Parameters[i].Kind == Syntax.ValueKind.I64 ? Value.FromI64(a) : Value.FromI32((int)a)).ToArray();
            return (Errno)function.Invoke(values)[0].I32;
        }

        public override void WriteBytes(int address, ReadOnlySpan<byte> bytes) => _memory.WriteBytes((ulong)address, bytes);

        public override byte[] ReadBytes(int address, int length)
        {
            var bytes = new byte[length];
            _memory.ReadBytes((ulong)address, bytes);
            return bytes;
        }

        public override void Dispose() => _context.Dispose();
    }

    /// <summary>wasmtime through its .NET package, with its own WASI and the same preopens.</summary>
    private sealed class WasmtimeGuest : SandboxGuest
    {
        private readonly global::Wasmtime.Engine _engine = new();
        private readonly global::Wasmtime.Store _store;
        private readonly global::Wasmtime.Instance _instance;
        private readonly global::Wasmtime.Memory _memory;

        public WasmtimeGuest((string Host, string Guest)[] preopens)
        {
            using var module = global::Wasmtime.Module.FromText(_engine, "sandbox-guest", Wat);
            using var linker = new global::Wasmtime.Linker(_engine);
            linker.DefineWasi();
            _store = new global::Wasmtime.Store(_engine);
            var configuration = new global::Wasmtime.WasiConfiguration();
            foreach (var (host, guest) in preopens)
            {
                configuration.WithPreopenedDirectory(host, guest, true);
            }
            _store.SetWasiConfiguration(configuration);
            _instance = linker.Instantiate(_store, module);
            _memory = _instance.GetMemory("memory")!;
        }

        public override string Engine => "wasmtime";

        public override Errno Call(string name, params long[] args)
        {
            var function = _instance.GetFunction(name)!;
            var boxes = args.Select((a, i) => function.Parameters[i] == global::Wasmtime.ValueKind.Int64 ? (global::Wasmtime.ValueBox)a : (global::Wasmtime.ValueBox)(int)a).ToArray();
            return (Errno)(int)function.Invoke(boxes)!;
        }

        public override void WriteBytes(int address, ReadOnlySpan<byte> bytes) => bytes.CopyTo(_memory.GetSpan(address, bytes.Length));

        public override byte[] ReadBytes(int address, int length) => _memory.GetSpan(address, length).ToArray();

        public override void Dispose()
        {
            _store.Dispose();
            _engine.Dispose();
        }
    }
}
