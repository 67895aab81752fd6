using System.Runtime.InteropServices;

namespace WasmHarness.Wasi;

/// <summary>
/// The few POSIX calls .NET does not expose (hard links, rename with POSIX semantics, mkdir/rmdir/unlink with
/// precise errors, lstat-free probing), and the map from host errors to WASI errnos.
/// </summary>
internal static partial class HostFileSystem
{
    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LinkNative(string oldPath, string newPath);

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameNative(string oldPath, string newPath);

    [LibraryImport("libc", EntryPoint = "mkdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MkdirNative(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "rmdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RmdirNative(string path);

    [LibraryImport("libc", EntryPoint = "unlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UnlinkNative(string path);

    [LibraryImport("libc", EntryPoint = "symlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SymlinkNative(string target, string linkPath);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenNative(string path, int flags, uint mode);

    /// <summary>O_NOFOLLOW on this host, or 0 where we do not know its value (then .NET opens the file).</summary>
    private static readonly int NoFollow = !OperatingSystem.IsLinux() ? 0 : RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 or Architecture.X86 => 0x20000,
        Architecture.Arm64 or Architecture.Arm => 0x8000,
        _ => 0,
    };

    /// <summary>
    /// Opens a regular file that the sandbox resolved, with <c>O_NOFOLLOW</c> where the host allows, so that a
    /// link put in place of the final component after the check is refused (<c>ELOOP</c>) rather than followed.
    /// </summary>
    public static Microsoft.Win32.SafeHandles.SafeFileHandle OpenFile(string path, FileMode mode, FileAccess access)
    {
        if (NoFollow == 0)
        {
            return File.OpenHandle(path, mode, access, FileShare.ReadWrite | FileShare.Delete);
        }
        const int create = 0x40, exclusive = 0x80, truncate = 0x200, closeOnExec = 0x80000;
        var flags = access switch
        {
            FileAccess.Read => 0,
            FileAccess.Write => 1,
            _ => 2,
        } | mode switch
        {
            FileMode.Create => create | truncate,
            FileMode.CreateNew => create | exclusive,
            FileMode.Truncate => truncate,
            _ => 0,
        } | NoFollow | closeOnExec;
        var fd = OpenNative(path, flags, Convert.ToUInt32("666", 8));
        if (fd < 0)
        {
            throw new WasiErrorException(FromHostErrno(Marshal.GetLastPInvokeError()));
        }
        return new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
    }

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FsyncNative(nint fd);

    /// <summary>Flushes a file to its device (best effort: the handle's writes already reached the host kernel).</summary>
    public static void Fsync(Microsoft.Win32.SafeHandles.SafeFileHandle handle)
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            _ = FsyncNative(handle.DangerousGetHandle());
        }
    }

    public static Errno Link(string oldPath, string newPath) => Check(LinkNative(oldPath, newPath));

    public static Errno Rename(string oldPath, string newPath) => Check(RenameNative(oldPath, newPath));

    public static Errno Mkdir(string path) => Check(MkdirNative(path, Convert.ToUInt32("777", 8)));

    public static Errno Rmdir(string path) => Check(RmdirNative(path));

    public static Errno Unlink(string path) => Check(UnlinkNative(path));

    public static Errno Symlink(string target, string linkPath) => Check(SymlinkNative(target, linkPath));

    private static Errno Check(int result) => result == 0 ? Errno.Success : FromHostErrno(Marshal.GetLastPInvokeError());

    /// <summary>What kind of entry a host path names, without following a final symbolic link; null when there is none.</summary>
    public static FileType? Probe(string hostPath)
    {
        FileSystemInfo info = new FileInfo(hostPath);
        try
        {
            if (info.LinkTarget is not null)
            {
                return FileType.SymbolicLink;
            }
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        if (Directory.Exists(hostPath))
        {
            return FileType.Directory;
        }
        return File.Exists(hostPath) ? FileType.RegularFile : null;
    }

    /// <summary>The target of a symbolic link, or null.</summary>
    public static string? ReadLink(string hostPath)
    {
        try
        {
            return new FileInfo(hostPath).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Linux errno values to WASI's.</summary>
    public static Errno FromHostErrno(int errno) => errno switch
    {
        1 => Errno.Perm,
        2 => Errno.NoEnt,
        5 => Errno.Io,
        9 => Errno.Badf,
        11 => Errno.Again,
        12 => Errno.NoMem,
        13 => Errno.Acces,
        14 => Errno.Fault,
        16 => Errno.Busy,
        17 => Errno.Exist,
        18 => Errno.Xdev,
        20 => Errno.NotDir,
        21 => Errno.IsDir,
        22 => Errno.Inval,
        23 => Errno.Nfile,
        24 => Errno.Mfile,
        26 => Errno.TxtBsy,
        27 => Errno.Fbig,
        28 => Errno.NoSpc,
        29 => Errno.Spipe,
        30 => Errno.Rofs,
        31 => Errno.Mlink,
        32 => Errno.Pipe,
        36 => Errno.NameTooLong,
        38 => Errno.NoSys,
        39 => Errno.NotEmpty,
        40 => Errno.Loop,
        95 => Errno.NotSup,
        122 => Errno.Dquot,
        _ => Errno.Io,
    };

    /// <summary>The errno for an exception thrown by a .NET file API.</summary>
    public static Errno FromException(Exception e) => e switch
    {
        WasiErrorException wasi => wasi.Errno,
        FileNotFoundException or DirectoryNotFoundException => Errno.NoEnt,
        UnauthorizedAccessException => Errno.Acces,
        PathTooLongException => Errno.NameTooLong,
        IOException io when (io.HResult & 0xFFFF) == 80 || (io.HResult & 0xFFFF) == 183 => Errno.Exist,
        IOException io when io.HResult is > 0 and < 200 => FromHostErrno(io.HResult),
        IOException => Errno.Io,
        ArgumentException => Errno.Inval,
        NotSupportedException => Errno.NotSup,
        _ => Errno.Io,
    };
}
