namespace WasmHarness.Wasi;

/// <summary>The error codes of <c>wasi_snapshot_preview1</c> (witx <c>$errno</c>), with the spec's values.</summary>
public enum Errno : ushort
{
#pragma warning disable CS1591 // the names are the spec's; each one's meaning is its POSIX namesake's
    Success = 0, TooBig = 1, Acces = 2, AddrInUse = 3, AddrNotAvail = 4, AfNoSupport = 5, Again = 6, Already = 7,
    Badf = 8, BadMsg = 9, Busy = 10, Canceled = 11, Child = 12, ConnAborted = 13, ConnRefused = 14, ConnReset = 15,
    Deadlk = 16, DestAddrReq = 17, Dom = 18, Dquot = 19, Exist = 20, Fault = 21, Fbig = 22, HostUnreach = 23,
    Idrm = 24, Ilseq = 25, InProgress = 26, Intr = 27, Inval = 28, Io = 29, IsConn = 30, IsDir = 31, Loop = 32,
    Mfile = 33, Mlink = 34, MsgSize = 35, Multihop = 36, NameTooLong = 37, NetDown = 38, NetReset = 39,
    NetUnreach = 40, Nfile = 41, NoBufs = 42, NoDev = 43, NoEnt = 44, NoExec = 45, NoLck = 46, NoLink = 47,
    NoMem = 48, NoMsg = 49, NoProtoOpt = 50, NoSpc = 51, NoSys = 52, NotConn = 53, NotDir = 54, NotEmpty = 55,
    NotRecoverable = 56, NotSock = 57, NotSup = 58, NotTy = 59, Nxio = 60, Overflow = 61, OwnerDead = 62,
    Perm = 63, Pipe = 64, Proto = 65, ProtoNoSupport = 66, ProtoType = 67, Range = 68, Rofs = 69, Spipe = 70,
    Srch = 71, Stale = 72, TimedOut = 73, TxtBsy = 74, Xdev = 75, NotCapable = 76,
#pragma warning restore CS1591
}

/// <summary>The rights of a file descriptor (witx <c>$rights</c>), one bit each.</summary>
[Flags]
public enum Rights : ulong
{
#pragma warning disable CS1591
    None = 0,
    FdDatasync = 1UL << 0, FdRead = 1UL << 1, FdSeek = 1UL << 2, FdFdstatSetFlags = 1UL << 3, FdSync = 1UL << 4,
    FdTell = 1UL << 5, FdWrite = 1UL << 6, FdAdvise = 1UL << 7, FdAllocate = 1UL << 8,
    PathCreateDirectory = 1UL << 9, PathCreateFile = 1UL << 10, PathLinkSource = 1UL << 11,
    PathLinkTarget = 1UL << 12, PathOpen = 1UL << 13, FdReaddir = 1UL << 14, PathReadlink = 1UL << 15,
    PathRenameSource = 1UL << 16, PathRenameTarget = 1UL << 17, PathFilestatGet = 1UL << 18,
    PathFilestatSetSize = 1UL << 19, PathFilestatSetTimes = 1UL << 20, FdFilestatGet = 1UL << 21,
    FdFilestatSetSize = 1UL << 22, FdFilestatSetTimes = 1UL << 23, PathSymlink = 1UL << 24,
    PathRemoveDirectory = 1UL << 25, PathUnlinkFile = 1UL << 26, PollFdReadwrite = 1UL << 27,
    SockShutdown = 1UL << 28, SockAccept = 1UL << 29,
#pragma warning restore CS1591

    /// <summary>Every right.</summary>
    All = (1UL << 30) - 1,

    /// <summary>The rights that make sense on a regular file.</summary>
    RegularFile = FdDatasync | FdRead | FdSeek | FdFdstatSetFlags | FdSync | FdTell | FdWrite | FdAdvise | FdAllocate
        | FdFilestatGet | FdFilestatSetSize | FdFilestatSetTimes | PollFdReadwrite,

    /// <summary>The rights that make sense on a directory.</summary>
    Directory = FdFdstatSetFlags | FdSync | FdAdvise | PathCreateDirectory | PathCreateFile | PathLinkSource
        | PathLinkTarget | PathOpen | FdReaddir | PathReadlink | PathRenameSource | PathRenameTarget | PathFilestatGet
        | PathFilestatSetSize | PathFilestatSetTimes | FdFilestatGet | FdFilestatSetTimes | PathSymlink
        | PathRemoveDirectory | PathUnlinkFile,

    /// <summary>The rights of the standard streams.</summary>
    Stream = FdRead | FdWrite | FdFdstatSetFlags | FdFilestatGet | PollFdReadwrite,
}

/// <summary>The kind of file a descriptor refers to (witx <c>$filetype</c>).</summary>
public enum FileType : byte
{
#pragma warning disable CS1591
    Unknown = 0, BlockDevice = 1, CharacterDevice = 2, Directory = 3, RegularFile = 4, SocketDgram = 5,
    SocketStream = 6, SymbolicLink = 7,
#pragma warning restore CS1591
}

/// <summary>An error a WASI function answers with; the host functions catch it and return its errno.</summary>
public sealed class WasiErrorException(Errno errno, string? detail = null) : Exception(detail ?? errno.ToString())
{
    /// <summary>The errno the function returns.</summary>
    public Errno Errno { get; } = errno;
}

/// <summary>
/// The guest called <c>proc_exit</c>: execution stops and unwinds to the embedder, which reads <see cref="Code"/>.
/// Not a trap: a normal, requested end of the program.
/// </summary>
public sealed class WasiExitException(int code) : Exception($"the program exited with code {code}")
{
    /// <summary>The exit code the guest gave.</summary>
    public int Code { get; } = code;
}
