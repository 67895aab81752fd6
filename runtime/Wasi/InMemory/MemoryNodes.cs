namespace WasmHarness.Wasi.InMemory;

/// <summary>A file, directory or symbolic link of a <see cref="MemoryFileSystem"/>: what an inode is on a disk.</summary>
internal abstract class MemoryNode(MemoryFileSystem fileSystem)
{
    public MemoryFileSystem FileSystem { get; } = fileSystem;

    public ulong Inode { get; } = fileSystem.NextInode();

    /// <summary>How many directory entries name this node (hard links); a directory counts its entry only.</summary>
    public ulong LinkCount = 1;

    public ulong AccessTime = MemoryFileSystem.Now();

    public ulong ModifyTime = MemoryFileSystem.Now();

    public ulong ChangeTime = MemoryFileSystem.Now();

    public abstract FileType Type { get; }

    public virtual ulong Size => 0;

    public Filestat Stat() => new(1, Inode, Type, LinkCount, Size, AccessTime, ModifyTime, ChangeTime);

    public void SetTimes(long access, long modify)
    {
        var now = MemoryFileSystem.Now();
        if (access != Timestamp.Omit)
        {
            AccessTime = access == Timestamp.Now ? now : (ulong)access;
        }
        if (modify != Timestamp.Omit)
        {
            ModifyTime = modify == Timestamp.Now ? now : (ulong)modify;
        }
        ChangeTime = now;
    }

    public void Touch() => ModifyTime = ChangeTime = MemoryFileSystem.Now();
}

/// <summary>A regular file's bytes.</summary>
internal sealed class MemoryFileNode(MemoryFileSystem fileSystem) : MemoryNode(fileSystem)
{
    /// <summary>The largest file the in-memory file system holds (<c>EFBIG</c> beyond): fuzzing must not exhaust memory.</summary>
    public const long MaxSize = 16 << 20;

    private byte[] _data = [];

    public long Length { get; private set; }

    public override FileType Type => FileType.RegularFile;

    public override ulong Size => (ulong)Length;

    public int Read(Span<byte> buffer, long position)
    {
        if (position >= Length)
        {
            return 0;
        }
        var count = (int)Math.Min(buffer.Length, Length - position);
        _data.AsSpan((int)position, count).CopyTo(buffer);
        AccessTime = MemoryFileSystem.Now();
        return count;
    }

    public void Write(ReadOnlySpan<byte> data, long position)
    {
        var end = position + data.Length;
        if (end > MaxSize)
        {
            throw new WasiErrorException(Errno.Fbig);
        }
        if (end > Length)
        {
            SetLength(end);
        }
        data.CopyTo(_data.AsSpan((int)position));
        Touch();
    }

    public void SetLength(long length)
    {
        if (length > MaxSize)
        {
            throw new WasiErrorException(Errno.Fbig);
        }
        if (length > _data.Length)
        {
            Array.Resize(ref _data, (int)Math.Max(length, Math.Min(MaxSize, _data.Length * 2L)));
        }
        else if (length < Length)
        {
            _data.AsSpan((int)length, (int)(Length - length)).Clear();
        }
        Length = length;
        Touch();
    }

    public byte[] ToArray() => _data.AsSpan(0, (int)Length).ToArray();
}

/// <summary>A directory: names to nodes, in ordinal order.</summary>
internal sealed class MemoryDirectoryNode(MemoryFileSystem fileSystem, MemoryDirectoryNode? parent) : MemoryNode(fileSystem)
{
    public SortedDictionary<string, MemoryNode> Children { get; } = new(StringComparer.Ordinal);

    /// <summary>The directory this one is in (itself for the root); used for <c>..</c>'s inode in listings and to refuse moving a directory into itself.</summary>
    public MemoryDirectoryNode Parent = parent!;

    /// <summary>True once removed: nothing can be created in it any more (as on Linux, <c>ENOENT</c>).</summary>
    public bool Removed;

    public override FileType Type => FileType.Directory;

    /// <summary>True when <paramref name="node"/> is this directory or lies below it.</summary>
    public bool Contains(MemoryDirectoryNode node)
    {
        for (var at = node; ; at = at.Parent)
        {
            if (at == this)
            {
                return true;
            }
            if (at.Parent == at)
            {
                return false;
            }
        }
    }
}

/// <summary>A symbolic link: only its target text.</summary>
internal sealed class MemorySymlinkNode(MemoryFileSystem fileSystem, string target) : MemoryNode(fileSystem)
{
    public string Target { get; } = target;

    public override FileType Type => FileType.SymbolicLink;

    public override ulong Size => (ulong)System.Text.Encoding.UTF8.GetByteCount(Target);
}
