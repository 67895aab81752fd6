using WasmHarness.Wasi;

namespace WasmHarness.Tests.Wasi;

/// <summary>Files inside a preopen, and the sandbox: nothing outside it is reachable by any path.</summary>
public sealed class WasiFileSystemTests : IDisposable
{
    private readonly WasiTestHost _host = new();
    private const int Preopen = 3;

    public WasiFileSystemTests()
    {
        File.WriteAllText(Path.Join(_host.Sandbox, "data.txt"), "inside");
        Directory.CreateDirectory(Path.Join(_host.Sandbox, "sub", "deeper"));
        File.WriteAllText(Path.Join(_host.Sandbox, "sub", "note.txt"), "note");
    }

    public void Dispose() => _host.Dispose();

    private WasiCalls Calls(bool readOnly = false) =>
        new(_host, _host.Configuration().WithPreopenedDirectory(_host.Sandbox, "/sandbox", readOnly));

    [Fact]
    public void PreopenIsDescribed()
    {
        var calls = Calls();
        Assert.Equal(Errno.Success, calls.Call("fd_prestat_get", Preopen, WasiCalls.Result));
        Assert.Equal(0u, calls.U32(WasiCalls.Result));
        Assert.Equal(8u, calls.U32(WasiCalls.Result + 4));
        Assert.Equal(Errno.Success, calls.Call("fd_prestat_dir_name", Preopen, WasiCalls.Buffer, 8));
        Assert.Equal("/sandbox", calls.Text(WasiCalls.Buffer, 8));
        Assert.Equal(Errno.Badf, calls.Call("fd_prestat_get", 1, WasiCalls.Result));
        Assert.Equal(Errno.Badf, calls.Call("fd_prestat_get", 4, WasiCalls.Result));
    }

    [Fact]
    public void ReadWriteCreateInsideThePreopen()
    {
        var calls = Calls();
        Assert.Equal("inside", calls.ReadFile(Preopen, "data.txt"));
        Assert.Equal("note", calls.ReadFile(Preopen, "./sub/deeper/../note.txt"));

        Assert.Equal(Errno.Success, calls.Open(Preopen, "new.txt", oflags: 1 | 4, rights: Rights.FdWrite | Rights.FdSeek));
        var fd = (int)calls.U32(WasiCalls.Result);
        Assert.Equal(Errno.Success, calls.Write(fd, "written"));
        Assert.Equal(7u, calls.U32(WasiCalls.Result));
        Assert.Equal(Errno.Success, calls.Call("fd_close", fd));
        Assert.Equal("written", File.ReadAllText(Path.Join(_host.Sandbox, "new.txt")));

        // O_CREAT|O_EXCL on an existing file; O_TRUNC empties; append writes at the end.
        Assert.Equal(Errno.Exist, calls.Open(Preopen, "new.txt", oflags: 1 | 4, rights: Rights.FdWrite));
        Assert.Equal(Errno.Success, calls.Open(Preopen, "new.txt", oflags: 8, rights: Rights.FdWrite));
        Assert.Equal(Errno.Success, calls.Call("fd_close", (int)calls.U32(WasiCalls.Result)));
        Assert.Equal("", File.ReadAllText(Path.Join(_host.Sandbox, "new.txt")));
        Assert.Equal(Errno.Success, calls.Open(Preopen, "data.txt", rights: Rights.FdWrite, fdflags: 1));
        fd = (int)calls.U32(WasiCalls.Result);
        Assert.Equal(Errno.Success, calls.Write(fd, "+more"));
        Assert.Equal("inside+more", File.ReadAllText(Path.Join(_host.Sandbox, "data.txt")));

        // A descriptor opened for writing only may not read; reading a directory is EISDIR.
        Assert.Equal(Errno.NotCapable, calls.Call("fd_read", fd, 16, 1, WasiCalls.Result));
        Assert.Equal(Errno.IsDir, calls.Call("fd_read", Preopen, 16, 1, WasiCalls.Result));
        Assert.Equal(Errno.NoEnt, calls.Open(Preopen, "missing.txt"));
        Assert.Equal(Errno.NotDir, calls.Open(Preopen, "data.txt/x"));
        Assert.Equal(Errno.NotDir, calls.Open(Preopen, "data.txt", oflags: 2));
        Assert.Equal(Errno.IsDir, calls.Open(Preopen, "sub", rights: Rights.FdWrite));
    }

    [Fact]
    public void SeekAndFilestat()
    {
        var calls = Calls();
        Assert.Equal(Errno.Success, calls.Open(Preopen, "data.txt"));
        var fd = (int)calls.U32(WasiCalls.Result);
        Assert.Equal(Errno.Success, calls.Call("fd_seek", fd, -2, 2, WasiCalls.Result));
        Assert.Equal(4UL, calls.U64(WasiCalls.Result));
        Assert.Equal(Errno.Inval, calls.Call("fd_seek", fd, -10, 1, WasiCalls.Result));
        Assert.Equal(Errno.Success, calls.Call("fd_filestat_get", fd, WasiCalls.Buffer));
        Assert.Equal((byte)FileType.RegularFile, calls.Memory.Read<byte>(WasiCalls.Buffer + 16));
        Assert.Equal(6UL, calls.U64(WasiCalls.Buffer + 32));
        Assert.Equal(Errno.Success, calls.Call("fd_fdstat_get", Preopen, WasiCalls.Buffer));
        Assert.Equal((byte)FileType.Directory, calls.Memory.Read<byte>(WasiCalls.Buffer));
        Assert.Equal(Errno.Spipe, calls.Call("fd_seek", 1, 0, 0, WasiCalls.Result));
        Assert.Equal(Errno.Badf, calls.Call("fd_close", 40));
    }

    [Fact]
    public void DirectoriesCreateListRemove()
    {
        var calls = Calls();
        Assert.Equal(Errno.Success, calls.Call("path_create_directory", Preopen, WasiCalls.String1, calls.Put(WasiCalls.String1, "made")));
        Assert.True(Directory.Exists(Path.Join(_host.Sandbox, "made")));
        Assert.Equal(Errno.Exist, calls.Call("path_create_directory", Preopen, WasiCalls.String1, calls.Put(WasiCalls.String1, "made")));
        Assert.Equal(Errno.NotEmpty, calls.Call("path_remove_directory", Preopen, WasiCalls.String1, calls.Put(WasiCalls.String1, "sub")));
        Assert.Equal(Errno.NotDir, calls.Call("path_remove_directory", Preopen, WasiCalls.String1, calls.Put(WasiCalls.String1, "data.txt")));
        Assert.Equal(Errno.IsDir, calls.Call("path_unlink_file", Preopen, WasiCalls.String1, calls.Put(WasiCalls.String1, "made")));
        Assert.Equal(Errno.Success, calls.Call("path_remove_directory", Preopen, WasiCalls.String1, calls.Put(WasiCalls.String1, "made")));

        Assert.Equal(Errno.Success, calls.Call("fd_readdir", Preopen, WasiCalls.Buffer, 1024, 0, WasiCalls.Result));
        var used = (int)calls.U32(WasiCalls.Result);
        var names = new List<string>();
        for (var at = 0; at < used;)
        {
            var length = (int)calls.U32(WasiCalls.Buffer + at + 16);
            names.Add(calls.Text(WasiCalls.Buffer + at + 24, length));
            at += 24 + length;
        }
        Assert.Equal([".", "..", "data.txt", "sub"], names);

        // A small buffer is filled completely (the last entry truncated) so the caller knows to grow it.
        Assert.Equal(Errno.Success, calls.Call("fd_readdir", Preopen, WasiCalls.Buffer, 30, 0, WasiCalls.Result));
        Assert.Equal(30u, calls.U32(WasiCalls.Result));
        // Resuming from a cookie.
        Assert.Equal(Errno.Success, calls.Call("fd_readdir", Preopen, WasiCalls.Buffer, 1024, 3, WasiCalls.Result));
        Assert.Equal("sub", calls.Text(WasiCalls.Buffer + 24, 3));
    }

    [Fact]
    public void RenameLinkSymlinkUnlink()
    {
        var calls = Calls();
        Assert.Equal(Errno.Success, calls.Call("path_rename", Preopen, WasiCalls.String1, calls.Put(WasiCalls.String1, "data.txt"), Preopen, WasiCalls.String2, calls.Put(WasiCalls.String2, "sub/moved.txt")));
        Assert.Equal("inside", File.ReadAllText(Path.Join(_host.Sandbox, "sub", "moved.txt")));
        Assert.Equal(Errno.Success, calls.Call("path_link", Preopen, 0, WasiCalls.String1, calls.Put(WasiCalls.String1, "sub/moved.txt"), Preopen, WasiCalls.String2, calls.Put(WasiCalls.String2, "hard.txt")));
        Assert.Equal("inside", File.ReadAllText(Path.Join(_host.Sandbox, "hard.txt")));
        Assert.Equal(Errno.Success, calls.Call("path_symlink", WasiCalls.String1, calls.Put(WasiCalls.String1, "sub/moved.txt"), Preopen, WasiCalls.String2, calls.Put(WasiCalls.String2, "soft")));
        Assert.Equal("inside", calls.ReadFile(Preopen, "soft"));
        Assert.Equal(Errno.Success, calls.Call("path_readlink", Preopen, WasiCalls.String1, calls.Put(WasiCalls.String1, "soft"), WasiCalls.Buffer, 100, WasiCalls.Result));
        Assert.Equal("sub/moved.txt", calls.Text(WasiCalls.Buffer, (int)calls.U32(WasiCalls.Result)));
        // Not following the final link: O_NOFOLLOW gives ELOOP, filestat describes the link itself.
        Assert.Equal(Errno.Loop, calls.Open(Preopen, "soft", follow: false));
        Assert.Equal(Errno.Success, calls.Call("path_filestat_get", Preopen, 0, WasiCalls.String1, calls.Put(WasiCalls.String1, "soft"), WasiCalls.Buffer));
        Assert.Equal((byte)FileType.SymbolicLink, calls.Memory.Read<byte>(WasiCalls.Buffer + 16));
        Assert.Equal(Errno.Success, calls.Call("path_filestat_get", Preopen, 1, WasiCalls.String1, calls.Put(WasiCalls.String1, "soft"), WasiCalls.Buffer));
        Assert.Equal((byte)FileType.RegularFile, calls.Memory.Read<byte>(WasiCalls.Buffer + 16));
        Assert.Equal(Errno.Success, calls.Call("path_unlink_file", Preopen, WasiCalls.String1, calls.Put(WasiCalls.String1, "soft")));
        Assert.True(File.Exists(Path.Join(_host.Sandbox, "sub", "moved.txt")));
        Assert.Equal(Errno.NoEnt, calls.Call("path_unlink_file", Preopen, WasiCalls.String1, calls.Put(WasiCalls.String1, "soft")));
    }

    [Theory]
    [InlineData("../secret.txt")]
    [InlineData("..")]
    [InlineData("sub/../../secret.txt")]
    [InlineData("sub/deeper/../../../secret.txt")]
    [InlineData("/etc/passwd")]
    [InlineData("/")]
    public void PathsThatLeaveThePreopenAreRefused(string path)
    {
        var calls = Calls();
        Assert.Equal(PathWalk.EscapeErrno, calls.Open(Preopen, path));
        Assert.Equal(PathWalk.EscapeErrno, calls.Call("path_filestat_get", Preopen, 1, WasiCalls.String1, calls.Put(WasiCalls.String1, path), WasiCalls.Buffer));
        Assert.Equal(PathWalk.EscapeErrno, calls.Call("path_create_directory", Preopen, WasiCalls.String1, calls.Put(WasiCalls.String1, path + "/x")));
        Assert.Equal(PathWalk.EscapeErrno, calls.Call("path_unlink_file", Preopen, WasiCalls.String1, calls.Put(WasiCalls.String1, path)));
        Assert.True(File.Exists(Path.Join(_host.Root, "secret.txt")));
    }

    [Theory]
    [InlineData("../secret.txt")]
    [InlineData("sub/../../secret.txt")]
    [InlineData("ABSOLUTE")]
    [InlineData("..")]
    [InlineData(".././sandbox/../secret.txt")]
    public void SymlinksThatLeaveThePreopenAreRefused(string target)
    {
        target = target.Replace("ABSOLUTE", Path.Join(_host.Root, "secret.txt"));
        File.CreateSymbolicLink(Path.Join(_host.Sandbox, "escape"), target);
        // A link inside a directory, and a chain: link -> link -> outside.
        File.CreateSymbolicLink(Path.Join(_host.Sandbox, "sub", "chain"), "../escape");
        var calls = Calls();
        foreach (var path in new[] { "escape", "sub/chain", "escape/secret.txt", "sub/chain/x" })
        {
            Assert.Equal(PathWalk.EscapeErrno, calls.Open(Preopen, path));
            Assert.Equal(PathWalk.EscapeErrno, calls.Call("path_filestat_get", Preopen, 1, WasiCalls.String1, calls.Put(WasiCalls.String1, path), WasiCalls.Buffer));
        }
        // Writing through the link is refused too, and nothing outside changes.
        Assert.Equal(PathWalk.EscapeErrno, calls.Open(Preopen, "escape", oflags: 1 | 8, rights: Rights.FdWrite));
        Assert.Equal("secret", File.ReadAllText(Path.Join(_host.Root, "secret.txt")));
        // The link itself may still be inspected and removed (it is inside).
        Assert.Equal(Errno.Success, calls.Call("path_filestat_get", Preopen, 0, WasiCalls.String1, calls.Put(WasiCalls.String1, "escape"), WasiCalls.Buffer));
        Assert.Equal(Errno.Success, calls.Call("path_unlink_file", Preopen, WasiCalls.String1, calls.Put(WasiCalls.String1, "escape")));
        Assert.True(File.Exists(Path.Join(_host.Root, "secret.txt")));
    }

    [Fact]
    public void SymlinksCreatedByTheGuestCannotEscapeEither()
    {
        var calls = Calls();
        Assert.Equal(Errno.Success, calls.Call("path_symlink", WasiCalls.String1, calls.Put(WasiCalls.String1, "../secret.txt"), Preopen, WasiCalls.String2, calls.Put(WasiCalls.String2, "mine")));
        Assert.Equal(PathWalk.EscapeErrno, calls.Open(Preopen, "mine"));
        Assert.Equal(PathWalk.EscapeErrno, calls.Call("path_symlink", WasiCalls.String1, calls.Put(WasiCalls.String1, "/etc/passwd"), Preopen, WasiCalls.String2, calls.Put(WasiCalls.String2, "abs")));
        Assert.False(File.Exists(Path.Join(_host.Sandbox, "abs")));
    }

    [Fact]
    public void SymlinkLoopsEndInEloop()
    {
        File.CreateSymbolicLink(Path.Join(_host.Sandbox, "a"), "b");
        File.CreateSymbolicLink(Path.Join(_host.Sandbox, "b"), "a");
        Assert.Equal(Errno.Loop, Calls().Open(Preopen, "a"));
    }

    [Fact]
    public void AnOpenedSubdirectoryIsItsOwnSandbox()
    {
        var calls = Calls();
        Assert.Equal(Errno.Success, calls.Open(Preopen, "sub", oflags: 2, rights: Rights.PathOpen | Rights.FdReaddir, inheriting: Rights.All));
        var sub = (int)calls.U32(WasiCalls.Result);
        Assert.Equal("note", calls.ReadFile(sub, "note.txt"));
        Assert.Equal(PathWalk.EscapeErrno, calls.Open(sub, "../data.txt"));
        // Rights: the subdirectory was opened without PATH_CREATE_FILE.
        Assert.Equal(Errno.NotCapable, calls.Open(sub, "new.txt", oflags: 1, rights: Rights.FdWrite));
        // A file descriptor is no directory.
        Assert.Equal(Errno.Success, calls.Open(Preopen, "data.txt"));
        Assert.Equal(Errno.NotDir, calls.Open((int)calls.U32(WasiCalls.Result), "x"));
    }

    [Fact]
    public void AnOpenDirectoryReplacedByALinkCannotLeadOut()
    {
        var calls = Calls();
        Assert.Equal(Errno.Success, calls.Open(Preopen, "sub", oflags: 2, rights: Rights.Directory, inheriting: Rights.All));
        var sub = (int)calls.U32(WasiCalls.Result);
        // Move the directory away and put a link to the preopen's parent (where secret.txt is) in its place.
        Assert.Equal(Errno.Success, calls.Call("path_rename", Preopen, WasiCalls.String1, calls.Put(WasiCalls.String1, "sub"), Preopen, WasiCalls.String2, calls.Put(WasiCalls.String2, "moved")));
        Assert.Equal(Errno.Success, calls.Call("path_symlink", WasiCalls.String1, calls.Put(WasiCalls.String1, ".."), Preopen, WasiCalls.String2, calls.Put(WasiCalls.String2, "sub")));
        // The descriptor is a handle on the directory itself: it follows it to its new name, as wasmtime's does.
        Assert.Equal(Errno.NoEnt, calls.Open(sub, "secret.txt"));
        Assert.Equal(Errno.NoEnt, calls.Call("path_filestat_get", sub, 0, WasiCalls.String1, calls.Put(WasiCalls.String1, "secret.txt"), WasiCalls.Buffer));
        Assert.Equal(Errno.NoEnt, calls.Call("path_unlink_file", sub, WasiCalls.String1, calls.Put(WasiCalls.String1, "secret.txt")));
        Assert.Equal("note", calls.ReadFile(sub, "note.txt"));
        Assert.True(File.Exists(Path.Join(_host.Root, "secret.txt")));
    }

    [Fact]
    public void TheComponentWalkRefusesWhatOpenat2Refuses()
    {
        // Without openat2 every open goes through PathWalk: the same answers.
        var before = WasmHarness.Wasi.Host.Native.Openat2Enabled;
        WasmHarness.Wasi.Host.Native.Openat2Enabled = false;
        try
        {
            File.CreateSymbolicLink(Path.Join(_host.Sandbox, "out"), "../secret.txt");
            File.CreateSymbolicLink(Path.Join(_host.Sandbox, "abs"), Path.Join(_host.Root, "secret.txt"));
            var calls = Calls();
            Assert.Equal("note", calls.ReadFile(Preopen, "sub/deeper/../note.txt"));
            Assert.Equal(PathWalk.EscapeErrno, calls.Open(Preopen, "out"));
            Assert.Equal(PathWalk.EscapeErrno, calls.Open(Preopen, "abs"));
            Assert.Equal(PathWalk.EscapeErrno, calls.Open(Preopen, "sub/../.."));
            Assert.Equal(Errno.Loop, calls.Open(Preopen, "out", follow: false));
        }
        finally
        {
            WasmHarness.Wasi.Host.Native.Openat2Enabled = before;
        }
    }

    [Fact]
    public void ReadOnlyPreopensRefuseChanges()
    {
        var calls = Calls(readOnly: true);
        Assert.Equal("inside", calls.ReadFile(Preopen, "data.txt"));
        Assert.Equal(Errno.NotCapable, calls.Open(Preopen, "data.txt", rights: Rights.FdWrite));
        Assert.Equal(Errno.NotCapable, calls.Open(Preopen, "new.txt", oflags: 1, rights: Rights.FdRead));
        Assert.Equal(Errno.NotCapable, calls.Call("path_create_directory", Preopen, WasiCalls.String1, calls.Put(WasiCalls.String1, "made")));
        Assert.Equal(Errno.NotCapable, calls.Call("path_unlink_file", Preopen, WasiCalls.String1, calls.Put(WasiCalls.String1, "data.txt")));
        Assert.Equal("inside", File.ReadAllText(Path.Join(_host.Sandbox, "data.txt")));
        Assert.False(File.Exists(Path.Join(_host.Sandbox, "new.txt")));
    }

    [Fact]
    public void NoPreopenMeansNoFileSystem()
    {
        var calls = new WasiCalls(_host, _host.Configuration());
        Assert.Equal(Errno.Badf, calls.Open(Preopen, "data.txt"));
        Assert.Equal(Errno.NotDir, calls.Open(1, "data.txt"));
    }
}

/// <summary>The descriptor functions not covered elsewhere: positional I/O, renumbering, flags, rights, sizes and times.</summary>
public sealed class WasiDescriptorTests : IDisposable
{
    private readonly WasiTestHost _host = new();
    private const int Preopen = 3;

    public WasiDescriptorTests() => File.WriteAllText(Path.Join(_host.Sandbox, "data.txt"), "0123456789");

    public void Dispose() => _host.Dispose();

    private WasiCalls Calls() => new(_host, _host.Configuration().WithPreopenedDirectory(_host.Sandbox, "."));

    private static int OpenReadWrite(WasiCalls calls, string path = "data.txt")
    {
        Assert.Equal(Errno.Success, calls.Open(Preopen, path, rights: Rights.RegularFile));
        return (int)calls.U32(WasiCalls.Result);
    }

    [Fact]
    public void PositionalReadAndWriteLeaveThePositionAlone()
    {
        var calls = Calls();
        var fd = OpenReadWrite(calls);
        calls.Memory.Write(16UL, 0, (uint)WasiCalls.Buffer);
        calls.Memory.Write(20UL, 0, 3u);
        Assert.Equal(Errno.Success, calls.Call("fd_pread", fd, 16, 1, 4, WasiCalls.Result));
        Assert.Equal("456", calls.Text(WasiCalls.Buffer, (int)calls.U32(WasiCalls.Result)));
        calls.Put(WasiCalls.Buffer, "ab");
        calls.Memory.Write(20UL, 0, 2u);
        Assert.Equal(Errno.Success, calls.Call("fd_pwrite", fd, 16, 1, 8, WasiCalls.Result));
        Assert.Equal(Errno.Success, calls.Call("fd_tell", fd, WasiCalls.Result));
        Assert.Equal(0UL, calls.U64(WasiCalls.Result));
        Assert.Equal("01234567ab", File.ReadAllText(Path.Join(_host.Sandbox, "data.txt")));
        Assert.Equal(Errno.Spipe, calls.Call("fd_pread", 0, 16, 1, 0, WasiCalls.Result));
    }

    [Fact]
    public void ScatterGatherAcrossSeveralBuffers()
    {
        var calls = Calls();
        var fd = OpenReadWrite(calls);
        calls.Memory.Write(16UL, 0, (uint)WasiCalls.Buffer);
        calls.Memory.Write(20UL, 0, 4u);
        calls.Memory.Write(24UL, 0, (uint)WasiCalls.Buffer + 100);
        calls.Memory.Write(28UL, 0, 20u);
        Assert.Equal(Errno.Success, calls.Call("fd_read", fd, 16, 2, WasiCalls.Result));
        Assert.Equal(10u, calls.U32(WasiCalls.Result));
        Assert.Equal("0123", calls.Text(WasiCalls.Buffer, 4));
        Assert.Equal("456789", calls.Text(WasiCalls.Buffer + 100, 6));
    }

    [Fact]
    public void RenumberMovesADescriptor()
    {
        var calls = Calls();
        var first = OpenReadWrite(calls);
        var second = OpenReadWrite(calls);
        Assert.Equal(Errno.Success, calls.Call("fd_seek", first, 5, 0, WasiCalls.Result));
        Assert.Equal(Errno.Success, calls.Call("fd_renumber", first, second));
        Assert.Equal(Errno.Success, calls.Call("fd_tell", second, WasiCalls.Result));
        Assert.Equal(5UL, calls.U64(WasiCalls.Result));
        Assert.Equal(Errno.Badf, calls.Call("fd_tell", first, WasiCalls.Result));
        Assert.Equal(Errno.Badf, calls.Call("fd_renumber", first, second));
        // The freed number is reused by the next open.
        Assert.Equal(first, OpenReadWrite(calls));
    }

    [Fact]
    public void FlagsRightsSizesAndTimes()
    {
        var calls = Calls();
        var fd = OpenReadWrite(calls);
        Assert.Equal(Errno.Success, calls.Call("fd_fdstat_set_flags", fd, 1));
        Assert.Equal(Errno.Success, calls.Write(fd, "!"));
        Assert.Equal("0123456789!", File.ReadAllText(Path.Join(_host.Sandbox, "data.txt")));
        Assert.Equal(Errno.Success, calls.Call("fd_fdstat_get", fd, WasiCalls.Buffer));
        Assert.Equal(1, calls.Memory.Read<ushort>(WasiCalls.Buffer + 2));

        Assert.Equal(Errno.Success, calls.Call("fd_filestat_set_size", fd, 4));
        Assert.Equal("0123", File.ReadAllText(Path.Join(_host.Sandbox, "data.txt")));
        Assert.Equal(Errno.Success, calls.Call("fd_allocate", fd, 0, 8));
        Assert.Equal(8, new FileInfo(Path.Join(_host.Sandbox, "data.txt")).Length);
        Assert.Equal(Errno.Success, calls.Call("fd_advise", fd, 0, 8, 1));
        Assert.Equal(Errno.Inval, calls.Call("fd_advise", fd, 0, 8, 9));
        Assert.Equal(Errno.Success, calls.Call("fd_sync", fd));
        Assert.Equal(Errno.Success, calls.Call("fd_datasync", fd));

        const ulong Y2001 = 978_307_200UL * 1_000_000_000;
        Assert.Equal(Errno.Success, calls.Call("fd_filestat_set_times", fd, (long)Y2001, (long)Y2001, 1 | 4));
        Assert.Equal(new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc), File.GetLastWriteTimeUtc(Path.Join(_host.Sandbox, "data.txt")));
        Assert.Equal(Errno.Success, calls.Call("fd_filestat_get", fd, WasiCalls.Buffer));
        Assert.Equal(Y2001, calls.U64(WasiCalls.Buffer + 48));
        Assert.Equal(Errno.Inval, calls.Call("fd_filestat_set_times", fd, 0, 0, 1 | 2));
        Assert.Equal(Errno.Success, calls.Call("path_filestat_set_times", Preopen, 0, WasiCalls.String1, calls.Put(WasiCalls.String1, "data.txt"), 0, 0, 8));
        Assert.True(File.GetLastWriteTimeUtc(Path.Join(_host.Sandbox, "data.txt")) > DateTime.UtcNow.AddMinutes(-5));

        // Rights only shrink: drop FD_WRITE, then writing and growing them back are refused.
        Assert.Equal(Errno.Success, calls.Call("fd_fdstat_set_rights", fd, (long)(Rights.FdRead | Rights.FdSeek), 0));
        Assert.Equal(Errno.NotCapable, calls.Write(fd, "x"));
        Assert.Equal(Errno.NotCapable, calls.Call("fd_fdstat_set_rights", fd, (long)Rights.All, 0));
        Assert.Equal(Errno.NotCapable, calls.Call("fd_filestat_set_size", fd, 0));
    }

    [Fact]
    public void ClockResolutionYieldAndRaise()
    {
        var calls = Calls();
        Assert.Equal(Errno.Success, calls.Call("clock_res_get", 1, WasiCalls.Result));
        Assert.InRange(calls.U64(WasiCalls.Result), 1UL, 1_000_000UL);
        Assert.Equal(Errno.Inval, calls.Call("clock_res_get", 17, WasiCalls.Result));
        Assert.Equal(Errno.Success, calls.Call("sched_yield"));
        Assert.Equal(Errno.NotSup, calls.Call("proc_raise", 6));
        Assert.Equal(Errno.Success, calls.Call("environ_sizes_get", WasiCalls.Result, WasiCalls.Result + 4));
        Assert.Equal(0u, calls.U32(WasiCalls.Result));
    }

    [Fact]
    public void EveryPreview1FunctionIsDefined()
    {
        var linker = new WasiContext(new WasiConfiguration()).Define(new WasmHarness.Execution.Linker());
        foreach (var name in WasiCalls.Signatures.Keys.Append("proc_exit"))
        {
            Assert.NotNull(linker.Resolve(WasiContext.ModuleName, name));
        }
        Assert.Equal(46, WasiCalls.Signatures.Count + 1); // all of wasi_snapshot_preview1
    }
}
