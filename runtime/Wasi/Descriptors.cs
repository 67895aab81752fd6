namespace WasmHarness.Wasi;

/// <summary>A file's status, as <c>fd_filestat_get</c> and <c>path_filestat_get</c> report it (witx <c>$filestat</c>); times in nanoseconds.</summary>
internal readonly record struct Filestat(ulong Device, ulong Inode, FileType Type, ulong LinkCount, ulong Size, ulong AccessTime, ulong ModifyTime, ulong ChangeTime);

/// <summary>One entry of a directory listing (witx <c>$dirent</c> without its cookie).</summary>
internal readonly record struct DirectoryEntry(string Name, ulong Inode, FileType Type);

/// <summary>A new timestamp for <c>*_filestat_set_times</c>: nanoseconds since the epoch, or one of the two markers.</summary>
internal static class Timestamp
{
    /// <summary>Set the time to the current time (<c>UTIME_NOW</c>).</summary>
    public const long Now = (1L << 30) - 1;

    /// <summary>Leave the time as it is (<c>UTIME_OMIT</c>).</summary>
    public const long Omit = (1L << 30) - 2;
}

/// <summary>How <c>fd_seek</c> counts its offset (witx <c>$whence</c>).</summary>
internal enum Whence : byte
{
    Set = 0,
    Cur = 1,
    End = 2,
}

/// <summary>
/// An open file descriptor of the guest: its rights and flags, and its behaviour. Every operation a WASI function
/// may apply to a descriptor is a virtual method whose default is the errno for a descriptor that cannot do it, so
/// the functions in <see cref="WasiContext"/> check rights and guest memory and then simply ask the descriptor.
/// </summary>
internal abstract class Descriptor
{
    public Rights Base;
    public Rights Inheriting;
    public ushort Flags;

    public abstract FileType Type { get; }

    /// <summary>True when <c>fd_fdstat_set_flags</c> may turn on <c>APPEND</c>.</summary>
    public virtual bool CanAppend => false;

    /// <summary>Reads into <paramref name="buffer"/> at <paramref name="offset"/> (<c>fd_pread</c>) or at the current position (<c>fd_read</c>, when null).</summary>
    public virtual int Read(Span<byte> buffer, long? offset) => throw new WasiErrorException(Errno.Badf);

    /// <summary>Writes <paramref name="data"/> at <paramref name="offset"/> (<c>fd_pwrite</c>) or at the current position (<c>fd_write</c>).</summary>
    public virtual void Write(ReadOnlySpan<byte> data, long? offset) => throw new WasiErrorException(Errno.Badf);

    /// <summary>Moves the position; returns the new one.</summary>
    public virtual long Seek(long delta, Whence whence) => throw new WasiErrorException(Errno.Spipe);

    /// <summary>Bytes that a read could return now without blocking (<c>poll_oneoff</c>'s <c>nbytes</c>).</summary>
    public virtual ulong ReadableBytes => 0;

    public virtual Filestat Stat() => new(0, 0, Type, 1, 0, 0, 0, 0);

    public virtual void SetSize(long size) => throw new WasiErrorException(Errno.Badf);

    public virtual void Allocate(long offset, long length) => throw new WasiErrorException(Errno.Badf);

    /// <summary>Sets the access and modification times (nanoseconds, <see cref="Timestamp.Now"/> or <see cref="Timestamp.Omit"/>).</summary>
    public virtual void SetTimes(long access, long modify) => throw new WasiErrorException(Errno.Badf);

    public virtual void Sync(bool dataOnly)
    {
    }

    public virtual void Close()
    {
    }
}

/// <summary>A standard stream (character device): reads from or writes to a .NET stream; it has no position.</summary>
internal sealed class StreamDescriptor(Stream? input, Stream? output) : Descriptor
{
    public Stream? Input { get; } = input;

    public Stream? Output { get; } = output;

    public override FileType Type => FileType.CharacterDevice;

    public override int Read(Span<byte> buffer, long? offset)
    {
        if (offset is not null)
        {
            throw new WasiErrorException(Errno.Spipe);
        }
        if (Input is null)
        {
            // An output stream cannot be read; a missing input reads as empty.
            return Output is not null ? throw new WasiErrorException(Errno.Badf) : 0;
        }
        return Input.Read(buffer);
    }

    public override void Write(ReadOnlySpan<byte> data, long? offset)
    {
        if (offset is not null)
        {
            throw new WasiErrorException(Errno.Spipe);
        }
        if (Output is null && Input is not null)
        {
            throw new WasiErrorException(Errno.Badf);
        }
        Output?.Write(data);
    }

    public override void Sync(bool dataOnly) => Output?.Flush();
}

/// <summary>
/// An open regular file with a position. Subclasses provide positioned reads and writes and the length; the
/// position, <c>APPEND</c> and <c>fd_seek</c> rules live here once.
/// </summary>
internal abstract class FileDescriptor : Descriptor
{
    public long Position;

    public override FileType Type => FileType.RegularFile;

    public override bool CanAppend => true;

    private bool Append => (Flags & WasiContext.FdFlagAppend) != 0;

    protected abstract int ReadAt(Span<byte> buffer, long position);

    protected abstract void WriteAt(ReadOnlySpan<byte> data, long position);

    protected abstract long Length { get; }

    public override int Read(Span<byte> buffer, long? offset)
    {
        var position = offset ?? Position;
        if (position < 0)
        {
            throw new WasiErrorException(Errno.Inval);
        }
        var read = ReadAt(buffer, position);
        if (offset is null)
        {
            Position += read;
        }
        return read;
    }

    public override void Write(ReadOnlySpan<byte> data, long? offset)
    {
        if (offset is < 0)
        {
            throw new WasiErrorException(Errno.Inval);
        }
        var position = offset ?? (Append ? Length : Position);
        WriteAt(data, position);
        if (offset is null)
        {
            Position = position + data.Length;
        }
    }

    public override long Seek(long delta, Whence whence)
    {
        long origin = whence switch
        {
            Whence.Set => 0,
            Whence.Cur => Position,
            Whence.End => Length,
            _ => throw new WasiErrorException(Errno.Inval),
        };
        var position = origin + delta;
        if ((delta > 0 && position < origin) || position < 0)
        {
            throw new WasiErrorException(Errno.Inval);
        }
        return Position = position;
    }

    public override ulong ReadableBytes => (ulong)Math.Max(0, Length - Position);

    public override void Allocate(long offset, long length)
    {
        if (Length < offset + length)
        {
            SetSize(offset + length);
        }
    }
}

/// <summary>
/// An open directory: a capability. Every path given to it is resolved beneath it (<c>PathWalk</c>
/// for the rules) and can name nothing outside it; it keeps referring to the same directory when that is renamed
/// or replaced. The host implementation holds an OS directory descriptor, the in-memory one a node.
/// </summary>
internal abstract class DirectoryDescriptor : Descriptor
{
    /// <summary>The guest's name of a preopened directory; <see langword="null"/> for one opened by <c>path_open</c>.</summary>
    public string? PreopenName { get; set; }

    public override FileType Type => FileType.Directory;

    public override long Seek(long delta, Whence whence) => throw new WasiErrorException(Errno.Badf);

    /// <summary>Opens a file or directory (<c>path_open</c>); the caller sets the new descriptor's rights and flags.</summary>
    public abstract Descriptor Open(string path, bool followFinalLink, OpenFlags flags, bool read, bool write);

    public abstract void CreateDirectory(string path);

    public abstract void RemoveDirectory(string path);

    public abstract void UnlinkFile(string path);

    public abstract Filestat StatAt(string path, bool followFinalLink);

    public abstract void SetTimesAt(string path, bool followFinalLink, long access, long modify);

    /// <summary>Makes <paramref name="newPath"/> in <paramref name="target"/> a hard link to <paramref name="oldPath"/>.</summary>
    public abstract void Link(string oldPath, bool followFinalLink, DirectoryDescriptor target, string newPath);

    public abstract void Rename(string oldPath, DirectoryDescriptor target, string newPath);

    /// <summary>Creates the symbolic link <paramref name="path"/> whose content is <paramref name="linkTarget"/>.</summary>
    public abstract void Symlink(string linkTarget, string path);

    public abstract string ReadLink(string path);

    /// <summary>The entries, <c>.</c> and <c>..</c> first and the rest in ordinal order, so cookies (indices) stay valid between calls.</summary>
    public abstract IReadOnlyList<DirectoryEntry> ReadDirectory();
}

/// <summary>The <c>$oflags</c> of <c>path_open</c>.</summary>
[Flags]
internal enum OpenFlags : ushort
{
    None = 0,
    Create = 1,
    Directory = 2,
    Exclusive = 4,
    Truncate = 8,
}
