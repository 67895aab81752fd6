using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace WasmHarness.Wasi.Host;

/// <summary>
/// The Linux calls the handle-based file system is made of: every one takes a directory descriptor and a single
/// name (or an empty path with <c>AT_EMPTY_PATH</c>), never a host path string. Flag values are Linux's
/// (x86-64 and arm64 differ in <c>O_DIRECTORY</c> and <c>O_NOFOLLOW</c>); <c>statx</c> is used for file
/// status because its layout is the same on every architecture.
/// </summary>
internal static partial class Native
{
    public const int OReadOnly = 0;
    public const int OWriteOnly = 1;
    public const int OReadWrite = 2;
    public const int OCreate = 0x40;
    public const int OExclusive = 0x80;
    public const int OTruncate = 0x200;
    public const int OPath = 0x200000;
    public const int OCloseOnExec = 0x80000;

    /// <summary>O_DIRECTORY: arm64 and x86-64 use different values.</summary>
    public static readonly int ODirectory = IsArm ? 0x4000 : 0x10000;

    /// <summary>O_NOFOLLOW: arm64 and x86-64 use different values.</summary>
    public static readonly int ONoFollow = IsArm ? 0x8000 : 0x20000;

    public const int AtSymlinkNoFollow = 0x100;
    public const int AtRemoveDir = 0x200;
    public const int AtSymlinkFollow = 0x400;
    public const int AtEmptyPath = 0x1000;

    public const int EPERM = 1, ENOENT = 2, EINTR = 4, EAGAIN = 11, EEXIST = 17, EXDEV = 18, ENOTDIR = 20, EINVAL = 22, ENOSYS = 38, ELOOP = 40;

    public const long UtimeNow = (1L << 30) - 1;
    public const long UtimeOmit = (1L << 30) - 2;

    private static bool IsArm => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm;

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenAtNative(SafeFileHandle directory, string name, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenNative(string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static unsafe partial long Syscall4(long number, int directory, byte* path, OpenHow* how, nuint size);

    [LibraryImport("libc", EntryPoint = "mkdirat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MkdirAtNative(SafeFileHandle directory, string name, uint mode);

    [LibraryImport("libc", EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UnlinkAtNative(SafeFileHandle directory, string name, int flags);

    [LibraryImport("libc", EntryPoint = "renameat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameAtNative(SafeFileHandle oldDirectory, string oldName, SafeFileHandle newDirectory, string newName);

    [LibraryImport("libc", EntryPoint = "symlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SymlinkAtNative(string target, SafeFileHandle directory, string name);

    [LibraryImport("libc", EntryPoint = "linkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LinkAtNative(SafeFileHandle oldDirectory, string oldName, SafeFileHandle newDirectory, string newName, int flags);

    [LibraryImport("libc", EntryPoint = "readlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint ReadLinkAtNative(SafeFileHandle directory, string name, Span<byte> buffer, nuint size);

    [LibraryImport("libc", EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UtimensAtNative(SafeFileHandle directory, string? name, ReadOnlySpan<long> times, int flags);

    [LibraryImport("libc", EntryPoint = "futimens", SetLastError = true)]
    private static partial int FutimensNative(SafeFileHandle file, ReadOnlySpan<long> times);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxNative(SafeFileHandle directory, string name, int flags, uint mask, Span<byte> buffer);

    [LibraryImport("libc", EntryPoint = "getdents64", SetLastError = true)]
    private static partial nint GetDents64Native(SafeFileHandle directory, Span<byte> buffer, nuint size);

    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    private static partial int FtruncateNative(SafeFileHandle file, long length);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FsyncNative(SafeFileHandle file);

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int FdatasyncNative(SafeFileHandle file);

    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    private const ulong ResolveNoMagicLinks = 0x02;
    private const ulong ResolveBeneath = 0x08;
    private const int MaxOpenat2Tries = 8;
    private const long SysOpenat2 = 437; // the same number on x86-64 and arm64 (new syscalls share one table)

    /// <summary>Whether <c>openat2</c> is known to work here; cleared the first time the kernel (or a seccomp filter) says ENOSYS.</summary>
    private static bool s_openat2Works = OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64
        && Environment.GetEnvironmentVariable("WASMHARNESS_NO_OPENAT2") is null;

    /// <summary>True while <see cref="OpenBeneath"/> may be tried (tests turn it off to exercise the component walk).</summary>
    public static bool Openat2Enabled
    {
        get => s_openat2Works;
        set => s_openat2Works = value && OperatingSystem.IsLinux();
    }

    private static int LastError => Marshal.GetLastPInvokeError();

    private static WasiErrorException Error(int errno) => new(HostErrno.ToWasi(errno), $"host errno {errno}");

    private static SafeFileHandle Handle(int fd) => fd < 0 ? throw Error(LastError) : new SafeFileHandle(fd, ownsHandle: true);

    /// <summary><c>openat(directory, name, flags | O_CLOEXEC)</c>; throws the mapped errno.</summary>
    public static SafeFileHandle OpenAt(SafeFileHandle directory, string name, int flags, uint mode = 0x1B6)
    {
        int fd;
        do
        {
            fd = OpenAtNative(directory, name, flags | OCloseOnExec, mode);
        }
        while (fd < 0 && LastError == EINTR);
        return Handle(fd);
    }

    /// <summary>Like <see cref="OpenAt"/>, but returns the host errno instead of throwing.</summary>
    public static int TryOpenAt(SafeFileHandle directory, string name, int flags, out SafeFileHandle? handle)
    {
        var fd = OpenAtNative(directory, name, flags | OCloseOnExec, 0);
        handle = fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
        return fd < 0 ? LastError : 0;
    }

    /// <summary>Opens a preopened directory by its host path: the one place a host path is resolved, once, at start.</summary>
    public static SafeFileHandle OpenDirectoryPath(string path) => Handle(OpenNative(path, OReadOnly | ODirectory | OCloseOnExec, 0));

    /// <summary>
    /// <c>openat2(directory, path, flags, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)</c>: the kernel resolves the
    /// whole path and refuses (<c>EXDEV</c>) any step that would leave <paramref name="directory"/>: <c>..</c> above it,
    /// an absolute path, a symbolic link to an absolute path or out of it. Returns the host errno, or ENOSYS when
    /// openat2 is not available (the caller then walks the path itself).
    /// </summary>
    public static unsafe int OpenBeneath(SafeFileHandle directory, string path, int flags, out SafeFileHandle? handle)
    {
        handle = null;
        if (!s_openat2Works)
        {
            return ENOSYS;
        }
        var bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        var how = new OpenHow { Flags = (ulong)(flags | OCloseOnExec), Mode = (flags & OCreate) != 0 ? 0x1B6u : 0, Resolve = ResolveBeneath | ResolveNoMagicLinks };
        var added = false;
        try
        {
            directory.DangerousAddRef(ref added);
            long fd;
            int errno;
            var tries = 0;
            do
            {
                fixed (byte* p = bytes)
                {
                    fd = Syscall4(SysOpenat2, (int)directory.DangerousGetHandle(), p, &how, (nuint)sizeof(OpenHow));
                }
                errno = fd < 0 ? LastError : 0;
            }
            while ((errno is EINTR or EAGAIN) && ++tries < MaxOpenat2Tries);
            if (errno == EAGAIN)
            {
                // EAGAIN: a rename somewhere on the system while ".." was resolved made the kernel unsure (some
                // kernels, and gVisor, answer it for every ".." under RESOLVE_BENEATH): let the caller walk the path.
                return ENOSYS;
            }
            if (errno == ENOSYS || errno == EPERM && fd < 0 && IsSeccompRefusal(directory))
            {
                s_openat2Works = false;
                return ENOSYS;
            }
            if (fd >= 0)
            {
                handle = new SafeFileHandle((nint)fd, ownsHandle: true);
            }
            return errno;
        }
        finally
        {
            if (added)
            {
                directory.DangerousRelease();
            }
        }
    }

    /// <summary>Some container runtimes' seccomp filters answer EPERM for syscalls they do not know; tell that apart from a real EPERM.</summary>
    private static unsafe bool IsSeccompRefusal(SafeFileHandle directory)
    {
        var bytes = "."u8.ToArray().Append((byte)0).ToArray();
        var how = new OpenHow { Flags = (ulong)(OPath | OCloseOnExec), Resolve = ResolveBeneath };
        fixed (byte* p = bytes)
        {
            var fd = Syscall4(SysOpenat2, (int)directory.DangerousGetHandle(), p, &how, (nuint)sizeof(OpenHow));
            if (fd >= 0)
            {
                new SafeFileHandle((nint)fd, ownsHandle: true).Dispose();
                return false;
            }
            return LastError == EPERM;
        }
    }

    public static void MkdirAt(SafeFileHandle directory, string name) => Check(MkdirAtNative(directory, name, 0x1FF));

    public static void UnlinkAt(SafeFileHandle directory, string name, bool removeDirectory) =>
        Check(UnlinkAtNative(directory, name, removeDirectory ? AtRemoveDir : 0));

    public static void RenameAt(SafeFileHandle oldDirectory, string oldName, SafeFileHandle newDirectory, string newName) =>
        Check(RenameAtNative(oldDirectory, oldName, newDirectory, newName));

    public static void SymlinkAt(string target, SafeFileHandle directory, string name) => Check(SymlinkAtNative(target, directory, name));

    /// <summary><c>linkat</c> without <c>AT_SYMLINK_FOLLOW</c>: the caller resolved any link it had to follow, beneath its directory.</summary>
    public static void LinkAt(SafeFileHandle oldDirectory, string oldName, SafeFileHandle newDirectory, string newName) =>
        Check(LinkAtNative(oldDirectory, oldName, newDirectory, newName, 0));

    /// <summary>The target of the link <paramref name="name"/> in <paramref name="directory"/>; null (with the errno) when it is no link.</summary>
    public static string? ReadLinkAt(SafeFileHandle directory, string name, out int errno)
    {
        var buffer = new byte[256];
        while (true)
        {
            var length = ReadLinkAtNative(directory, name, buffer, (nuint)buffer.Length);
            if (length < 0)
            {
                errno = LastError;
                return null;
            }
            if (length < buffer.Length)
            {
                errno = 0;
                return System.Text.Encoding.UTF8.GetString(buffer, 0, (int)length);
            }
            buffer = new byte[buffer.Length * 4];
        }
    }

    /// <summary>Sets access and modification times (nanoseconds, or <see cref="UtimeNow"/>/<see cref="UtimeOmit"/>) of a name, never following a final link.</summary>
    public static void SetTimesAt(SafeFileHandle directory, string name, long accessNs, long modifyNs) =>
        Check(UtimensAtNative(directory, name, Times(accessNs, modifyNs), AtSymlinkNoFollow));

    /// <summary>Sets the times of an open file or directory.</summary>
    public static void SetTimes(SafeFileHandle file, long accessNs, long modifyNs) => Check(FutimensNative(file, Times(accessNs, modifyNs)));

    private static long[] Times(long accessNs, long modifyNs) =>
    [
        accessNs is UtimeNow or UtimeOmit ? 0 : accessNs / 1_000_000_000, accessNs is UtimeNow or UtimeOmit ? accessNs : accessNs % 1_000_000_000,
        modifyNs is UtimeNow or UtimeOmit ? 0 : modifyNs / 1_000_000_000, modifyNs is UtimeNow or UtimeOmit ? modifyNs : modifyNs % 1_000_000_000,
    ];

    /// <summary>The status of a name in a directory, without following a final link.</summary>
    public static Filestat StatAt(SafeFileHandle directory, string name) => Statx(directory, name, AtSymlinkNoFollow);

    /// <summary>The status of an open file or directory.</summary>
    public static Filestat Stat(SafeFileHandle file) => Statx(file, "", AtEmptyPath | AtSymlinkNoFollow);

    private static Filestat Statx(SafeFileHandle directory, string name, int flags)
    {
        Span<byte> buffer = stackalloc byte[256];
        Check(StatxNative(directory, name, flags, 0x7FF, buffer));
        var mode = BitConverter.ToUInt16(buffer[28..]);
        static ulong Time(ReadOnlySpan<byte> at) => (ulong)(BitConverter.ToInt64(at) * 1_000_000_000 + BitConverter.ToUInt32(at[8..]));
        return new Filestat(
            Device: ((ulong)BitConverter.ToUInt32(buffer[136..]) << 32) | BitConverter.ToUInt32(buffer[140..]),
            Inode: BitConverter.ToUInt64(buffer[32..]),
            Type: (mode & 0xF000) switch
            {
                0x8000 => FileType.RegularFile,
                0x4000 => FileType.Directory,
                0xA000 => FileType.SymbolicLink,
                0x2000 => FileType.CharacterDevice,
                0x6000 => FileType.BlockDevice,
                0xC000 => FileType.SocketStream,
                _ => FileType.Unknown,
            },
            LinkCount: BitConverter.ToUInt32(buffer[16..]),
            Size: BitConverter.ToUInt64(buffer[40..]),
            AccessTime: Time(buffer[64..]),
            ModifyTime: Time(buffer[112..]),
            ChangeTime: Time(buffer[96..]));
    }

    /// <summary>Every entry of an open directory (<c>getdents64</c> on a fresh descriptor of it, so no shared position).</summary>
    public static List<DirectoryEntry> ReadDirectory(SafeFileHandle directory)
    {
        using var reader = OpenAt(directory, ".", OReadOnly | ODirectory);
        var entries = new List<DirectoryEntry>();
        var buffer = new byte[32768];
        while (true)
        {
            var used = GetDents64Native(reader, buffer, (nuint)buffer.Length);
            if (used < 0)
            {
                throw Error(LastError);
            }
            if (used == 0)
            {
                return entries;
            }
            for (var at = 0; at < used;)
            {
                var inode = BitConverter.ToUInt64(buffer, at);
                var length = BitConverter.ToUInt16(buffer, at + 16);
                var type = buffer[at + 18];
                var nameEnd = Array.IndexOf(buffer, (byte)0, at + 19);
                var name = System.Text.Encoding.UTF8.GetString(buffer, at + 19, nameEnd - at - 19);
                entries.Add(new DirectoryEntry(name, inode, type switch
                {
                    8 => FileType.RegularFile,
                    4 => FileType.Directory,
                    10 => FileType.SymbolicLink,
                    2 => FileType.CharacterDevice,
                    6 => FileType.BlockDevice,
                    12 => FileType.SocketStream,
                    _ => FileType.Unknown,
                }));
                at += length;
            }
        }
    }

    public static void Truncate(SafeFileHandle file, long length) => Check(FtruncateNative(file, length));

    public static void Sync(SafeFileHandle file, bool dataOnly) => Check(dataOnly ? FdatasyncNative(file) : FsyncNative(file));

    private static void Check(int result)
    {
        if (result != 0)
        {
            throw Error(LastError);
        }
    }
}
