using Microsoft.Win32.SafeHandles;

namespace WasmHarness.Wasi.Host;

/// <summary>
/// A directory on the host, held as an OS directory descriptor: a capability. Every path operation resolves its
/// path beneath this descriptor (with <c>openat2(RESOLVE_BENEATH)</c> for opens where the kernel has it, otherwise
/// with <see cref="PathWalk"/>) and then calls the host's <c>*at</c> function with the parent's descriptor and one
/// name, so no host path string is ever resolved again: renaming this directory, or putting a link where it was,
/// changes nothing about what it refers to.
/// </summary>
internal sealed class HostDirectory : DirectoryDescriptor
{
    private HostDirectory(SafeFileHandle handle) => Handle = handle;

    public SafeFileHandle Handle { get; }

    /// <summary>Opens a preopened host directory: the only host path ever resolved, once, when the program starts.</summary>
    /// <exception cref="PlatformNotSupportedException">Not on Linux: the handle-based sandbox needs Linux's <c>*at</c> calls.</exception>
    public static HostDirectory OpenPreopen(string hostPath)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException(
                $"cannot preopen '{hostPath}': WASI directories are only supported on Linux hosts (the sandbox is built on openat/openat2 and directory descriptors); run without --dir on this system");
        }
        try
        {
            return new HostDirectory(Native.OpenDirectoryPath(hostPath));
        }
        catch (WasiErrorException e)
        {
            throw new DirectoryNotFoundException($"cannot open directory '{hostPath}': {e.Errno}");
        }
    }

    public override Filestat Stat() => Native.Stat(Handle);

    public override void SetTimes(long access, long modify) => Native.SetTimes(Handle, access, modify);

    public override void Sync(bool dataOnly) => Native.Sync(Handle, dataOnly);

    public override void Close() => Handle.Dispose();

    private WalkedPath<SafeFileHandle> Walk(string path, bool followFinalLink) => PathWalk.Walk(Walker.Instance, Handle, path, followFinalLink);

    public override Descriptor Open(string path, bool followFinalLink, OpenFlags flags, bool read, bool write)
    {
        var hostFlags = (read, write) switch
        {
            (true, true) => Native.OReadWrite,
            (false, true) => Native.OWriteOnly,
            _ => Native.OReadOnly,
        };
        if (flags.HasFlag(OpenFlags.Create))
        {
            hostFlags |= Native.OCreate;
        }
        if (flags.HasFlag(OpenFlags.Exclusive))
        {
            hostFlags |= Native.OExclusive;
        }
        if (flags.HasFlag(OpenFlags.Truncate))
        {
            hostFlags |= Native.OTruncate;
        }
        if (flags.HasFlag(OpenFlags.Directory))
        {
            hostFlags |= Native.ODirectory;
        }
        PathWalk.CheckGuestPath(path);
        var errno = Native.OpenBeneath(Handle, path, followFinalLink ? hostFlags : hostFlags | Native.ONoFollow, out var handle);
        if (errno == Native.EXDEV)
        {
            throw new WasiErrorException(PathWalk.EscapeErrno, "the kernel refused a path leading outside the directory");
        }
        if (errno == Native.ENOSYS)
        {
            // No openat2: walk the path ourselves; the final open never follows a link (a link swapped in after
            // the walk is ELOOP, not followed).
            using var walked = Walk(path, followFinalLink || path[^1] == '/');
            handle = Native.OpenAt(walked.Parent, walked.Name, hostFlags | Native.ONoFollow | (walked.TrailingSlash ? Native.ODirectory : 0));
        }
        else if (errno != 0)
        {
            throw new WasiErrorException(HostErrno.ToWasi(errno), $"openat2: host errno {errno}");
        }
        var opened = handle!;
        try
        {
            return Native.Stat(opened).Type == FileType.Directory ? new HostDirectory(opened) : new HostFile(opened);
        }
        catch
        {
            opened.Dispose();
            throw;
        }
    }

    public override void CreateDirectory(string path)
    {
        using var walked = Walk(path, followFinalLink: false);
        Native.MkdirAt(walked.Parent, walked.NameWithSlash);
    }

    public override void RemoveDirectory(string path)
    {
        using var walked = Walk(path, followFinalLink: false);
        Native.UnlinkAt(walked.Parent, walked.NameWithSlash, removeDirectory: true);
    }

    public override void UnlinkFile(string path)
    {
        using var walked = Walk(path, followFinalLink: false);
        Native.UnlinkAt(walked.Parent, walked.NameWithSlash, removeDirectory: false);
    }

    public override Filestat StatAt(string path, bool followFinalLink)
    {
        // A trailing '/' makes the final link followed (as POSIX does), by our walk, never by the host.
        using var walked = Walk(path, followFinalLink || path[^1] == '/');
        var stat = Native.StatAt(walked.Parent, walked.Name);
        return walked.TrailingSlash && stat.Type != FileType.Directory ? throw new WasiErrorException(Errno.NotDir) : stat;
    }

    public override void SetTimesAt(string path, bool followFinalLink, long access, long modify)
    {
        using var walked = Walk(path, followFinalLink || path[^1] == '/');
        if (walked.TrailingSlash && Native.StatAt(walked.Parent, walked.Name).Type != FileType.Directory)
        {
            throw new WasiErrorException(Errno.NotDir);
        }
        // AT_SYMLINK_NOFOLLOW: a link not followed gets its own times.
        Native.SetTimesAt(walked.Parent, walked.Name, access, modify);
    }

    public override void Link(string oldPath, bool followFinalLink, DirectoryDescriptor target, string newPath)
    {
        if (target is not HostDirectory targetDirectory)
        {
            throw new WasiErrorException(Errno.Xdev);
        }
        using var source = Walk(oldPath, followFinalLink || oldPath[^1] == '/');
        using var destination = targetDirectory.Walk(newPath, followFinalLink: false);
        if (source.TrailingSlash && Native.StatAt(source.Parent, source.Name).Type != FileType.Directory)
        {
            throw new WasiErrorException(Errno.NotDir);
        }
        Native.LinkAt(source.Parent, source.Name, destination.Parent, destination.NameWithSlash);
    }

    public override void Rename(string oldPath, DirectoryDescriptor target, string newPath)
    {
        if (target is not HostDirectory targetDirectory)
        {
            throw new WasiErrorException(Errno.Xdev);
        }
        using var source = Walk(oldPath, followFinalLink: false);
        using var destination = targetDirectory.Walk(newPath, followFinalLink: false);
        Native.RenameAt(source.Parent, source.NameWithSlash, destination.Parent, destination.NameWithSlash);
    }

    public override void Symlink(string linkTarget, string path)
    {
        using var walked = Walk(path, followFinalLink: false);
        Native.SymlinkAt(linkTarget, walked.Parent, walked.NameWithSlash);
    }

    public override string ReadLink(string path)
    {
        using var walked = Walk(path, path[^1] == '/');
        return Native.ReadLinkAt(walked.Parent, walked.Name, out var errno) ?? throw new WasiErrorException(HostErrno.ToWasi(errno));
    }

    public override IReadOnlyList<DirectoryEntry> ReadDirectory()
    {
        var entries = Native.ReadDirectory(Handle);
        entries.Sort((a, b) => Rank(a.Name) != Rank(b.Name) ? Rank(a.Name).CompareTo(Rank(b.Name)) : string.CompareOrdinal(a.Name, b.Name));
        return entries;

        static int Rank(string name) => name switch
        {
            "." => 0,
            ".." => 1,
            _ => 2,
        };
    }

    /// <summary>Path steps on the host: each directory is opened with <c>O_PATH | O_DIRECTORY | O_NOFOLLOW</c> relative to the one before.</summary>
    private sealed class Walker : IWalkableDirectory<SafeFileHandle>
    {
        public static readonly Walker Instance = new();

        public EntryKind Lookup(SafeFileHandle directory, string name, bool open, out SafeFileHandle? child, out string? linkTarget)
        {
            child = null;
            linkTarget = null;
            if (open)
            {
                var errno = Native.TryOpenAt(directory, name, Native.OPath | Native.ODirectory | Native.ONoFollow, out child);
                switch (errno)
                {
                    case 0:
                        return EntryKind.Directory;
                    case Native.ENOENT:
                        return EntryKind.Missing;
                    case not (Native.ENOTDIR or Native.ELOOP):
                        throw new WasiErrorException(HostErrno.ToWasi(errno));
                }
            }
            linkTarget = Native.ReadLinkAt(directory, name, out var readErrno);
            if (linkTarget is not null)
            {
                return EntryKind.SymbolicLink;
            }
            return readErrno switch
            {
                Native.ENOENT => EntryKind.Missing,
                Native.EINVAL => EntryKind.Other, // exists and is no link (and, when asked to open it, no directory)
                _ => throw new WasiErrorException(HostErrno.ToWasi(readErrno)),
            };
        }

        public void Release(SafeFileHandle directory) => directory.Dispose();
    }
}
