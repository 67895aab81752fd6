using WasmHarness.Wasi;

namespace WasmHarness.Tests.Wasi.Sandbox;

/// <summary>
/// Escape attempts, each run by a guest on the interpreter, the JIT and wasmtime: every one must fail with the
/// errno wasmtime gives, and afterwards nothing outside the preopens may have been read, created, changed or listed
/// (<see cref="SandboxWorld.AssertUntouched"/>).
/// </summary>
public sealed class SandboxEscapeTests : IDisposable
{
    private const int Outer = 3;
    private const int Inner = 4;
    private const Errno Escape = PathWalk.EscapeErrno;

    private readonly SandboxWorld _world = new();
    private readonly List<string?> _seen = [];

    public void Dispose() => _world.Dispose();

    private SandboxGuest Start(string engine) => SandboxGuest.Start(engine, (_world.Inside, "."));

    /// <summary>Reads <paramref name="path"/>; whatever comes back is kept for the marker check.</summary>
    private Errno TryRead(SandboxGuest guest, int fd, string path, bool follow = true)
    {
        var (errno, text) = guest.ReadFile(fd, path, follow);
        _seen.Add(text);
        return errno;
    }

    private Errno TryList(SandboxGuest guest, int fd, string path)
    {
        var (errno, opened) = guest.Open(fd, path, oflags: 2);
        if (errno != Errno.Success)
        {
            return errno;
        }
        var (listed, names) = guest.List(opened);
        _seen.Add(string.Join('\n', names));
        return listed;
    }

    [Theory]
    [MemberData(nameof(SandboxGuest.Engines), MemberType = typeof(SandboxGuest))]
    public void NestedPreopenSwapCannotLeadOut(string engine)
    {
        // harness run --dir . --dir ./sub: through the outer preopen, move sub away and put a link to the outside
        // in its place; the inner preopen is a handle on the directory itself, so it keeps meaning the moved one.
        using var guest = SandboxGuest.Start(engine, (_world.Inside, "."), (Path.Join(_world.Inside, "sub"), "./sub"));
        Assert.Equal(Errno.Success, guest.Rename(Outer, "sub", Outer, "moved"));
        Assert.Equal(Errno.Success, guest.Symlink("../outside", Outer, "sub"));
        Assert.Equal(Errno.NoEnt, TryRead(guest, Inner, "secret.txt"));
        Assert.Equal(Errno.Success, TryRead(guest, Inner, "note.txt"));
        Assert.Equal(Errno.Success, guest.WriteFile(Inner, "created.txt", "made inside"));
        Assert.Equal("made inside", File.ReadAllText(Path.Join(_world.Inside, "moved", "created.txt")));
        Assert.Equal(Errno.Success, TryList(guest, Inner, "."));
        Assert.Equal(Errno.NoEnt, guest.Unlink(Inner, "secret.txt"));
        Assert.Equal(Errno.NoEnt, guest.Touch(Inner, "secret.txt"));
        // Through the outer preopen the link itself leads out, so it is refused.
        Assert.Equal(Escape, TryRead(guest, Outer, "sub/secret.txt"));
        Assert.Equal(Escape, TryList(guest, Outer, "sub"));
        Assert.Equal(Escape, guest.WriteFile(Outer, "sub/planted.txt", "x"));

        // The second variant: another host process puts an absolute link (to a directory holding the secret) there.
        Assert.Equal(Errno.Success, guest.Unlink(Outer, "sub"));
        File.CreateSymbolicLink(Path.Join(_world.Inside, "sub"), _world.Outside);
        Assert.Equal(Errno.NoEnt, TryRead(guest, Inner, "secret.txt"));
        Assert.Equal(Errno.Success, TryList(guest, Inner, "."));
        Assert.Equal(Escape, TryRead(guest, Outer, "sub/secret.txt"));
        Assert.Equal(Escape, TryRead(guest, Outer, "sub/vault-dir/secret.txt"));
        _world.AssertUntouched(_seen);
    }

    [Theory]
    [MemberData(nameof(SandboxGuest.Engines), MemberType = typeof(SandboxGuest))]
    public void SymbolicLinksOutAreNeverFollowed(string engine)
    {
        File.CreateSymbolicLink(Path.Join(_world.Inside, "abs"), Path.Join(_world.Outside, "secret.txt"));
        File.CreateSymbolicLink(Path.Join(_world.Inside, "absdir"), _world.Outside);
        using var guest = Start(engine);
        Assert.Equal(Errno.Success, guest.Symlink("../outside/secret.txt", Outer, "rel"));
        Assert.Equal(Errno.Success, guest.Symlink("../outside", Outer, "reldir"));
        Assert.Equal(Errno.Success, guest.Symlink("rel", Outer, "chain"));
        Assert.Equal(Errno.Success, guest.Symlink("../../outside/secret.txt", Outer, "sub/wind"));
        foreach (var path in new[] { "abs", "rel", "chain", "sub/wind", "absdir/secret.txt", "reldir/secret.txt", "reldir/vault-dir/secret.txt" })
        {
            Assert.Equal(Escape, TryRead(guest, Outer, path));
            Assert.Equal(Escape, guest.Stat(Outer, path));
            Assert.Equal(Escape, guest.Touch(Outer, path));
            Assert.Equal(Escape, guest.WriteFile(Outer, path, "overwritten"));
            // wasmtime does not follow links in path_link at all (EINVAL for LOOKUP_SYMLINK_FOLLOW); we follow beneath the preopen.
            Assert.Equal(guest.Engine == "wasmtime" ? Errno.Inval : Escape, guest.Link(Outer, path, Outer, "stolen", follow: true));
        }
        foreach (var path in new[] { "absdir", "reldir" })
        {
            Assert.Equal(Escape, TryList(guest, Outer, path));
            Assert.Equal(Escape, guest.Mkdir(Outer, path + "/made"));
            Assert.Equal(Escape, guest.Unlink(Outer, path + "/secret.txt"));
            Assert.Equal(Escape, guest.Rmdir(Outer, path + "/vault-dir"));
            Assert.Equal(Escape, guest.Symlink("x", Outer, path + "/planted"));
        }
        // Not following the final link touches the link only (inside).
        Assert.Equal(Errno.Loop, TryRead(guest, Outer, "rel", follow: false));
        Assert.Equal(Errno.Success, guest.Stat(Outer, "abs", follow: false));
        Assert.Equal(Errno.Success, guest.Touch(Outer, "abs", follow: false));
        Assert.Equal(Errno.Success, guest.Unlink(Outer, "abs"));
        _world.AssertUntouched(_seen);
    }

    [Theory]
    [MemberData(nameof(SandboxGuest.Engines), MemberType = typeof(SandboxGuest))]
    public void HardLinksAndRenamesCannotCrossTheBoundary(string engine)
    {
        using var guest = Start(engine);
        Assert.Equal(Errno.Success, guest.Symlink("../outside", Outer, "door"));
        Assert.Equal(Escape, guest.Link(Outer, "../outside/secret.txt", Outer, "stolen"));
        Assert.Equal(Escape, guest.Link(Outer, "door/secret.txt", Outer, "stolen"));
        Assert.Equal(Escape, guest.Link(Outer, "data.txt", Outer, "../outside/planted"));
        Assert.Equal(Escape, guest.Link(Outer, "data.txt", Outer, "door/planted"));
        Assert.Equal(Escape, guest.Rename(Outer, "data.txt", Outer, "../outside/moved.txt"));
        Assert.Equal(Escape, guest.Rename(Outer, "data.txt", Outer, "door/moved.txt"));
        Assert.Equal(Escape, guest.Rename(Outer, "../outside/secret.txt", Outer, "stolen"));
        Assert.Equal(Escape, guest.Rename(Outer, "door/secret.txt", Outer, "stolen"));
        Assert.Equal(Escape, guest.Rename(Outer, "sub", Outer, "../sub"));
        Assert.Equal(Escape, guest.Rename(Outer, "door/vault-dir", Outer, "vault"));
        // Renaming the link itself is fine: it stays a link inside, still refused when followed; moved one level
        // down, its "../outside" names sandbox/outside, which does not exist.
        Assert.Equal(Errno.Success, guest.Rename(Outer, "door", Outer, "door2"));
        Assert.Equal(Escape, TryRead(guest, Outer, "door2/secret.txt"));
        Assert.Equal(Errno.Success, guest.Rename(Outer, "door2", Outer, "sub/door"));
        Assert.Equal(Errno.NoEnt, TryRead(guest, Outer, "sub/door/secret.txt"));
        Assert.False(File.Exists(Path.Join(_world.Inside, "stolen")));
        _world.AssertUntouched(_seen);
    }

    [Theory]
    [MemberData(nameof(SandboxGuest.Engines), MemberType = typeof(SandboxGuest))]
    public void DotDotNeverClimbsAboveAPreopen(string engine)
    {
        using var guest = Start(engine);
        Assert.Equal(Errno.Success, guest.Symlink("..", Outer, "up"));
        Assert.Equal(Errno.Success, guest.Symlink("../..", Outer, "sub/upup"));
        foreach (var path in new[] { "../secret.txt", "../outside/secret.txt", "sub/../../outside/secret.txt", "sub/deeper/../../../secret.txt", "up/secret.txt", "sub/upup/outside/secret.txt", "./../outside/../secret.txt" })
        {
            Assert.Equal(Escape, TryRead(guest, Outer, path));
            Assert.Equal(Escape, guest.Stat(Outer, path));
            Assert.Equal(Escape, guest.Unlink(Outer, path));
        }
        foreach (var path in new[] { "..", "../outside", "up", "sub/upup", "sub/.." + "/.." })
        {
            Assert.Equal(Escape, TryList(guest, Outer, path));
            Assert.Equal(Escape, guest.Mkdir(Outer, path + "/made"));
        }
        Assert.Equal(Escape, guest.Rmdir(Outer, "../outside/vault-dir"));
        // An opened subdirectory is a sandbox of its own.
        var (errno, sub) = guest.Open(Outer, "sub", oflags: 2);
        Assert.Equal(Errno.Success, errno);
        Assert.Equal(Escape, TryRead(guest, sub, "../data.txt"));
        Assert.Equal(Escape, TryRead(guest, sub, "upup/outside/secret.txt"));
        _world.AssertUntouched(_seen);
    }

    [Theory]
    [MemberData(nameof(SandboxGuest.Engines), MemberType = typeof(SandboxGuest))]
    public void AbsolutePathsAndAbsoluteLinkTargetsAreRefused(string engine)
    {
        using var guest = Start(engine);
        foreach (var path in new[] { "/etc/passwd", Path.Join(_world.Outside, "secret.txt"), "/", _world.Inside + "/data.txt" })
        {
            Assert.Equal(Escape, TryRead(guest, Outer, path));
            Assert.Equal(Escape, guest.Stat(Outer, path));
            Assert.Equal(Escape, guest.WriteFile(Outer, path, "x"));
        }
        Assert.Equal(Escape, TryList(guest, Outer, "/"));
        Assert.Equal(Escape, guest.Symlink("/etc/passwd", Outer, "abs"));
        Assert.Equal(Escape, guest.Symlink(Path.Join(_world.Outside, "secret.txt"), Outer, "abs"));
        Assert.False(File.Exists(Path.Join(_world.Inside, "abs")));
        Assert.False(new FileInfo(Path.Join(_world.Inside, "abs")).LinkTarget is not null);
        _world.AssertUntouched(_seen);
    }

    [Theory]
    [MemberData(nameof(SandboxGuest.Engines), MemberType = typeof(SandboxGuest))]
    public void RenumberingOverPreopensCarriesNoCapabilityOut(string engine)
    {
        using var guest = SandboxGuest.Start(engine, (_world.Inside, "."), (Path.Join(_world.Inside, "sub"), "./sub"));
        // The inner preopen over the outer: number 3 now means sub, and still stops at sub.
        Assert.Equal(Errno.Success, guest.Call("guest_fd_renumber", Inner, Outer));
        Assert.Equal(Errno.Badf, guest.Call("guest_fd_prestat_get", Inner, SandboxGuest.Result));
        Assert.Equal(Errno.Success, TryRead(guest, Outer, "note.txt"));
        Assert.Equal(Escape, TryRead(guest, Outer, "../data.txt"));
        Assert.Equal(Escape, TryRead(guest, Outer, "../../outside/secret.txt"));
        // A file over the preopen: number 3 is a file now, and has no path operations at all.
        var (errno, file) = guest.Open(Outer, "note.txt");
        Assert.Equal(Errno.Success, errno);
        Assert.Equal(Errno.Success, guest.Call("guest_fd_renumber", file, Outer));
        // A path call on a file: ENOTDIR (wasmtime answers path_create_directory on a file with EBADF).
        Assert.Equal(Errno.NotDir, TryRead(guest, Outer, "../outside/secret.txt"));
        Assert.Equal(guest.Engine == "wasmtime" ? Errno.Badf : Errno.NotDir, guest.Mkdir(Outer, "x"));
        // Renumbering onto a closed number is refused; the preopen's number stays closed.
        Assert.Equal(Errno.Success, guest.Call("guest_fd_close", Outer));
        Assert.Equal(Errno.Badf, guest.Call("guest_fd_renumber", 1, Outer));
        Assert.Equal(Errno.Badf, TryRead(guest, Outer, "data.txt"));
        _world.AssertUntouched(_seen);
    }
}
