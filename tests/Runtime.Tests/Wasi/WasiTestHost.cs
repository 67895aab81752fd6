using System.Text;
using WasmHarness.Execution;
using WasmHarness.Wasi;

namespace WasmHarness.Tests.Wasi;

/// <summary>Runs WAT programs against WASI with captured streams, and a scratch directory to preopen.</summary>
internal sealed class WasiTestHost : IDisposable
{
    public WasiTestHost()
    {
        Root = Directory.CreateTempSubdirectory("wasi-test-").FullName;
        Sandbox = Path.Join(Root, "sandbox");
        Directory.CreateDirectory(Sandbox);
        File.WriteAllText(Path.Join(Root, "secret.txt"), "secret");
    }

    /// <summary>A scratch directory; <see cref="Sandbox"/> inside it is what tests preopen, <c>secret.txt</c> beside it must stay unreachable.</summary>
    public string Root { get; }

    public string Sandbox { get; }

    public MemoryStream Stdout { get; } = new();

    public MemoryStream Stderr { get; } = new();

    public string StdoutText => Encoding.UTF8.GetString(Stdout.ToArray());

    public WasiConfiguration Configuration() =>
        new WasiConfiguration().WithStandardOutput(Stdout).WithStandardError(Stderr);

    public (WasiContext Context, ModuleInstance Instance) Instantiate(string wat, WasiConfiguration configuration)
    {
        var engine = new Engine();
        var module = CompiledModule.FromText(engine, wat);
        var context = new WasiContext(configuration);
        var linker = context.Define(new Linker());
        var instance = module.Instantiate(new Store(engine), linker);
        context.Bind(instance);
        return (context, instance);
    }

    public int Run(string wat, WasiConfiguration configuration)
    {
        var (context, instance) = Instantiate(wat, configuration);
        using (context)
        {
            return context.RunCommand(instance);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>
/// A module that exports WASI's file functions unchanged with its memory, so tests call them directly with
/// strings placed in memory by the host.
/// </summary>
internal sealed class WasiCalls
{
    /// <summary>Every function of wasi_snapshot_preview1 but proc_exit, with its parameters (i = i32, I = i64); each returns an errno.</summary>
    public static readonly Dictionary<string, string> Signatures = new()
    {
        ["args_get"] = "ii",
        ["args_sizes_get"] = "ii",
        ["environ_get"] = "ii",
        ["environ_sizes_get"] = "ii",
        ["clock_res_get"] = "ii",
        ["clock_time_get"] = "iIi",
        ["fd_advise"] = "iIIi",
        ["fd_allocate"] = "iII",
        ["fd_close"] = "i",
        ["fd_datasync"] = "i",
        ["fd_fdstat_get"] = "ii",
        ["fd_fdstat_set_flags"] = "ii",
        ["fd_fdstat_set_rights"] = "iII",
        ["fd_filestat_get"] = "ii",
        ["fd_filestat_set_size"] = "iI",
        ["fd_filestat_set_times"] = "iIIi",
        ["fd_pread"] = "iiiIi",
        ["fd_prestat_get"] = "ii",
        ["fd_prestat_dir_name"] = "iii",
        ["fd_pwrite"] = "iiiIi",
        ["fd_read"] = "iiii",
        ["fd_readdir"] = "iiiIi",
        ["fd_renumber"] = "ii",
        ["fd_seek"] = "iIii",
        ["fd_sync"] = "i",
        ["fd_tell"] = "ii",
        ["fd_write"] = "iiii",
        ["path_create_directory"] = "iii",
        ["path_filestat_get"] = "iiiii",
        ["path_filestat_set_times"] = "iiiiIIi",
        ["path_link"] = "iiiiiii",
        ["path_open"] = "iiiiiIIii",
        ["path_readlink"] = "iiiiii",
        ["path_remove_directory"] = "iii",
        ["path_rename"] = "iiiiii",
        ["path_symlink"] = "iiiii",
        ["path_unlink_file"] = "iii",
        ["poll_oneoff"] = "iiii",
        ["proc_raise"] = "i",
        ["sched_yield"] = "",
        ["random_get"] = "ii",
        ["sock_accept"] = "iii",
        ["sock_recv"] = "iiiiii",
        ["sock_send"] = "iiiii",
        ["sock_shutdown"] = "ii",
    };

    /// <summary>The module: imports every function and exports it under its own name, with its memory.</summary>
    public static readonly string Wat = "(module\n" + string.Concat(Signatures.Select(pair =>
        $"  (import \"wasi_snapshot_preview1\" \"{pair.Key}\" (func ${pair.Key} (param {string.Join(' ', pair.Value.Select(c => c == 'I' ? "i64" : "i32"))}) (result i32)))\n"))
        + "  (memory (export \"memory\") 1)\n"
        + string.Concat(Signatures.Keys.Select(name => $"  (export \"{name}\" (func ${name}))\n")) + ")";

    /// <summary>Where the first string argument goes; the second at <see cref="String2"/>; results at <see cref="Result"/>; buffers at <see cref="Buffer"/>.</summary>
    public const int String1 = 1024;
    public const int String2 = 2048;
    public const int Result = 512;
    public const int Buffer = 4096;

    public WasiCalls(WasiTestHost host, WasiConfiguration configuration)
    {
        (Context, Instance) = host.Instantiate(Wat, configuration);
        Memory = Instance.GetMemory("memory");
    }

    public WasiContext Context { get; }

    public ModuleInstance Instance { get; }

    public MemoryInstance Memory { get; }

    public Errno Call(string name, params long[] args)
    {
        var function = Instance.GetFunction(name);
        var values = args.Select((a, i) => function.Type.Parameters[i].Kind == Syntax.ValueKind.I64 ? Value.FromI64(a) : Value.FromI32((int)a)).ToArray();
        return (Errno)function.Invoke(values)[0].I32;
    }

    /// <summary>Puts a string in memory and returns its length.</summary>
    public int Put(int address, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Memory.WriteBytes((ulong)address, bytes);
        return bytes.Length;
    }

    public uint U32(int address) => Memory.Read<uint>((ulong)address);

    public ulong U64(int address) => Memory.Read<ulong>((ulong)address);

    public string Text(int address, int length)
    {
        var bytes = new byte[length];
        Memory.ReadBytes((ulong)address, bytes);
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary><c>path_open</c> relative to <paramref name="directory"/>; the new descriptor lands at <see cref="Result"/>.</summary>
    public Errno Open(int directory, string path, bool follow = true, int oflags = 0, Rights rights = Rights.FdRead | Rights.FdSeek | Rights.FdTell | Rights.FdFilestatGet | Rights.FdReaddir, Rights inheriting = Rights.All, int fdflags = 0) =>
        Call("path_open", directory, follow ? 1 : 0, String1, Put(String1, path), oflags, (long)rights, (long)inheriting, fdflags, Result);

    /// <summary>Opens a file for reading and returns its text.</summary>
    public string ReadFile(int directory, string path)
    {
        Assert.Equal(Errno.Success, Open(directory, path));
        var fd = (int)U32(Result);
        var text = new StringBuilder();
        while (true)
        {
            Memory.Write(16UL, 0, (uint)Buffer);
            Memory.Write(20UL, 0, 256u);
            Assert.Equal(Errno.Success, Call("fd_read", fd, 16, 1, Result));
            var read = (int)U32(Result);
            if (read == 0)
            {
                break;
            }
            text.Append(Text(Buffer, read));
        }
        Assert.Equal(Errno.Success, Call("fd_close", fd));
        return text.ToString();
    }

    /// <summary>Writes <paramref name="text"/> to a descriptor with one iovec.</summary>
    public Errno Write(int fd, string text)
    {
        var length = Put(Buffer, text);
        Memory.Write(16UL, 0, (uint)Buffer);
        Memory.Write(20UL, 0, (uint)length);
        return Call("fd_write", fd, 16, 1, Result);
    }
}
