using System.Text;
using WasmHarness.Wasi;
using WasmHarness.Wasi.InMemory;

namespace WasmHarness.Tests.Wasi;

/// <summary>The in-memory file system behind the same WASI functions: files, links, the POSIX rules, and the same sandbox.</summary>
public sealed class WasiMemoryFileSystemTests : IDisposable
{
    private const int Preopen = 3;
    private readonly WasiTestHost _host = new();
    private readonly MemoryFileSystem _files = new();

    public WasiMemoryFileSystemTests()
    {
        _files.CreateDirectory("sub");
        _files.WriteFile("data.txt", "inside"u8);
    }

    public void Dispose() => _host.Dispose();

    private WasiCalls Calls() => new(_host, _host.Configuration().WithPreopenedDirectory(_files, "/"));

    private Errno Path1(WasiCalls calls, string function, string path) => calls.Call(function, Preopen, WasiCalls.String1, calls.Put(WasiCalls.String1, path));

    [Fact]
    public void FilesAndDirectoriesLiveInMemory()
    {
        var calls = Calls();
        Assert.Equal("inside", calls.ReadFile(Preopen, "data.txt"));
        Assert.Equal(Errno.Success, calls.Open(Preopen, "sub/new.txt", oflags: 1, rights: Rights.FdWrite | Rights.FdRead));
        Assert.Equal(Errno.Success, calls.Write((int)calls.U32(WasiCalls.Result), "made"));
        Assert.Equal("made", Encoding.UTF8.GetString(_files.ReadFile("sub/new.txt")!));
        Assert.Equal(Errno.Exist, Path1(calls, "path_create_directory", "sub"));
        Assert.Equal(Errno.NotEmpty, Path1(calls, "path_remove_directory", "sub"));
        Assert.Equal(Errno.IsDir, Path1(calls, "path_unlink_file", "sub"));
        Assert.Equal(Errno.NotDir, calls.Open(Preopen, "data.txt/x"));
        Assert.Equal(Errno.NoEnt, calls.Open(Preopen, "missing"));
        Assert.Equal(Errno.Inval, calls.Call("path_rename", Preopen, WasiCalls.String1, calls.Put(WasiCalls.String1, "sub"), Preopen, WasiCalls.String2, calls.Put(WasiCalls.String2, "sub/inner")));
        Assert.Equal(Errno.Success, calls.Call("path_rename", Preopen, WasiCalls.String1, calls.Put(WasiCalls.String1, "sub"), Preopen, WasiCalls.String2, calls.Put(WasiCalls.String2, "moved")));
        Assert.Contains("moved Directory", _files.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void HardLinksShareAnInodeAndCountTheirNames()
    {
        var calls = Calls();
        Assert.Equal(Errno.Success, calls.Call("path_link", Preopen, 0, WasiCalls.String1, calls.Put(WasiCalls.String1, "data.txt"), Preopen, WasiCalls.String2, calls.Put(WasiCalls.String2, "hard")));
        Assert.Equal(Errno.Success, calls.Call("path_filestat_get", Preopen, 0, WasiCalls.String1, calls.Put(WasiCalls.String1, "data.txt"), WasiCalls.Buffer));
        var inode = calls.U64(WasiCalls.Buffer + 8);
        Assert.Equal(2UL, calls.U64(WasiCalls.Buffer + 24));
        Assert.Equal(Errno.Success, calls.Call("path_filestat_get", Preopen, 0, WasiCalls.String1, calls.Put(WasiCalls.String1, "hard"), WasiCalls.Buffer));
        Assert.Equal(inode, calls.U64(WasiCalls.Buffer + 8));
        Assert.Equal(Errno.Perm, calls.Call("path_link", Preopen, 0, WasiCalls.String1, calls.Put(WasiCalls.String1, "sub"), Preopen, WasiCalls.String2, calls.Put(WasiCalls.String2, "dirlink")));
    }

    [Fact]
    public void TheSameSandboxRulesApply()
    {
        var calls = Calls();
        Assert.Equal(Errno.Success, calls.Call("path_symlink", WasiCalls.String1, calls.Put(WasiCalls.String1, "../.."), Preopen, WasiCalls.String2, calls.Put(WasiCalls.String2, "up")));
        Assert.Equal(PathWalk.EscapeErrno, calls.Open(Preopen, "up/data.txt"));
        Assert.Equal(PathWalk.EscapeErrno, calls.Open(Preopen, "../data.txt"));
        Assert.Equal(PathWalk.EscapeErrno, calls.Open(Preopen, "/data.txt"));
        Assert.Equal(Errno.Loop, calls.Open(Preopen, "up", follow: false));
        Assert.Equal(Errno.NoEnt, calls.Call("path_symlink", WasiCalls.String1, calls.Put(WasiCalls.String1, "data.txt"), Preopen, WasiCalls.String2, calls.Put(WasiCalls.String2, "slash/")));
        // An opened directory keeps referring to its node after a rename, as a host handle does.
        Assert.Equal(Errno.Success, calls.Open(Preopen, "sub", oflags: 2, rights: Rights.Directory));
        var sub = (int)calls.U32(WasiCalls.Result);
        Assert.Equal(Errno.Success, calls.Call("path_rename", Preopen, WasiCalls.String1, calls.Put(WasiCalls.String1, "sub"), Preopen, WasiCalls.String2, calls.Put(WasiCalls.String2, "moved")));
        Assert.Equal(Errno.Success, calls.Call("path_create_directory", sub, WasiCalls.String1, calls.Put(WasiCalls.String1, "made")));
        Assert.Contains("moved/made Directory", _files.Describe(), StringComparison.Ordinal);
    }
}
