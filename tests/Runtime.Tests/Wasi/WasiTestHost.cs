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
    public const string Wat = """
        (module
          (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_readdir" (func $fd_readdir (param i32 i32 i32 i64 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_filestat_get" (func $fd_filestat_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fd_fdstat_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "path_create_directory" (func $path_create_directory (param i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "path_remove_directory" (func $path_remove_directory (param i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "path_unlink_file" (func $path_unlink_file (param i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "path_symlink" (func $path_symlink (param i32 i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "path_readlink" (func $path_readlink (param i32 i32 i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "path_rename" (func $path_rename (param i32 i32 i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "path_link" (func $path_link (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "path_filestat_get" (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
          (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "sock_accept" (func $sock_accept (param i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (export "path_open" (func $path_open))
          (export "fd_read" (func $fd_read))
          (export "fd_write" (func $fd_write))
          (export "fd_close" (func $fd_close))
          (export "fd_readdir" (func $fd_readdir))
          (export "fd_prestat_get" (func $fd_prestat_get))
          (export "fd_prestat_dir_name" (func $fd_prestat_dir_name))
          (export "fd_seek" (func $fd_seek))
          (export "fd_filestat_get" (func $fd_filestat_get))
          (export "fd_fdstat_get" (func $fd_fdstat_get))
          (export "path_create_directory" (func $path_create_directory))
          (export "path_remove_directory" (func $path_remove_directory))
          (export "path_unlink_file" (func $path_unlink_file))
          (export "path_symlink" (func $path_symlink))
          (export "path_readlink" (func $path_readlink))
          (export "path_rename" (func $path_rename))
          (export "path_link" (func $path_link))
          (export "path_filestat_get" (func $path_filestat_get))
          (export "poll_oneoff" (func $poll_oneoff))
          (export "clock_time_get" (func $clock_time_get))
          (export "random_get" (func $random_get))
          (export "args_get" (func $args_get))
          (export "sock_accept" (func $sock_accept)))
        """;

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
