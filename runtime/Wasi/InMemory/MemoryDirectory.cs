namespace WasmHarness.Wasi.InMemory;

/// <summary>
/// An open directory of a <see cref="MemoryFileSystem"/>: a capability on one directory node. Paths are resolved
/// beneath it by <see cref="PathWalk"/>, exactly as for host directories; the operations follow Linux's errnos.
/// </summary>
internal sealed class MemoryDirectory(MemoryDirectoryNode node) : DirectoryDescriptor
{
    public MemoryDirectoryNode Node { get; } = node;

    public override Filestat Stat() => Node.Stat();

    public override void SetTimes(long access, long modify) => Node.SetTimes(access, modify);

    private WalkedPath<MemoryDirectoryNode> Walk(string path, bool followFinalLink) => PathWalk.Walk(Walker.Instance, Node, path, followFinalLink);

    /// <summary>The node a walked path names, or null; <c>.</c> is the parent itself.</summary>
    private static MemoryNode? Find(WalkedPath<MemoryDirectoryNode> walked) =>
        walked.Name == "." ? walked.Parent : walked.Parent.Children.GetValueOrDefault(walked.Name);

    private static void CheckTrailingSlash(WalkedPath<MemoryDirectoryNode> walked, MemoryNode node)
    {
        if (walked.TrailingSlash && node is not MemoryDirectoryNode)
        {
            throw new WasiErrorException(Errno.NotDir);
        }
    }

    /// <summary>The directory a new entry goes in: it must still exist (a removed directory takes no new entries).</summary>
    private static MemoryDirectoryNode Writable(MemoryDirectoryNode directory) =>
        directory.Removed ? throw new WasiErrorException(Errno.NoEnt, "the directory was removed") : directory;

    public override Descriptor Open(string path, bool followFinalLink, OpenFlags flags, bool read, bool write)
    {
        using var walked = Walk(path, followFinalLink || path[^1] == '/');
        var node = Find(walked);
        if (node is null)
        {
            if (!flags.HasFlag(OpenFlags.Create))
            {
                throw new WasiErrorException(Errno.NoEnt);
            }
            if (walked.TrailingSlash)
            {
                throw new WasiErrorException(Errno.IsDir);
            }
            if (flags.HasFlag(OpenFlags.Directory))
            {
                throw new WasiErrorException(Errno.Inval);
            }
            var created = new MemoryFileNode(Node.FileSystem);
            Writable(walked.Parent).Children.Add(walked.Name, created);
            walked.Parent.Touch();
            return new MemoryFile(created);
        }
        if (flags.HasFlag(OpenFlags.Create) && flags.HasFlag(OpenFlags.Exclusive))
        {
            throw new WasiErrorException(Errno.Exist);
        }
        switch (node)
        {
            case MemorySymlinkNode:
                throw new WasiErrorException(Errno.Loop, "the final component is a link not to be followed");
            case MemoryDirectoryNode directory:
                if (write || flags.HasFlag(OpenFlags.Truncate))
                {
                    throw new WasiErrorException(Errno.IsDir);
                }
                return new MemoryDirectory(directory);
            case MemoryFileNode file:
                if (flags.HasFlag(OpenFlags.Directory) || walked.TrailingSlash)
                {
                    throw new WasiErrorException(Errno.NotDir);
                }
                if (flags.HasFlag(OpenFlags.Truncate))
                {
                    file.SetLength(0);
                }
                return new MemoryFile(file);
            default:
                throw new WasiErrorException(Errno.Io);
        }
    }

    public override void CreateDirectory(string path)
    {
        using var walked = Walk(path, followFinalLink: false);
        if (Find(walked) is not null)
        {
            throw new WasiErrorException(Errno.Exist);
        }
        Writable(walked.Parent).Children.Add(walked.Name, new MemoryDirectoryNode(Node.FileSystem, walked.Parent));
        walked.Parent.Touch();
    }

    public override void RemoveDirectory(string path)
    {
        using var walked = Walk(path, followFinalLink: false);
        if (walked.Name == ".")
        {
            throw new WasiErrorException(Errno.Inval);
        }
        switch (Find(walked))
        {
            case null:
                throw new WasiErrorException(Errno.NoEnt);
            case MemoryDirectoryNode directory:
                if (directory.Children.Count > 0)
                {
                    throw new WasiErrorException(Errno.NotEmpty);
                }
                Remove(walked.Parent, walked.Name);
                break;
            default:
                throw new WasiErrorException(Errno.NotDir);
        }
    }

    public override void UnlinkFile(string path)
    {
        using var walked = Walk(path, followFinalLink: false);
        switch (Find(walked))
        {
            case null:
                throw new WasiErrorException(Errno.NoEnt);
            case MemoryDirectoryNode:
                throw new WasiErrorException(Errno.IsDir);
            case var _ when walked.TrailingSlash:
                throw new WasiErrorException(Errno.NotDir);
            default:
                Remove(walked.Parent, walked.Name);
                break;
        }
    }

    private static void Remove(MemoryDirectoryNode directory, string name)
    {
        var node = directory.Children[name];
        directory.Children.Remove(name);
        node.LinkCount--;
        node.ChangeTime = MemoryFileSystem.Now();
        if (node is MemoryDirectoryNode removed)
        {
            removed.Removed = true;
        }
        directory.Touch();
    }

    public override Filestat StatAt(string path, bool followFinalLink)
    {
        using var walked = Walk(path, followFinalLink || path[^1] == '/');
        var node = Find(walked) ?? throw new WasiErrorException(Errno.NoEnt);
        CheckTrailingSlash(walked, node);
        return node.Stat();
    }

    public override void SetTimesAt(string path, bool followFinalLink, long access, long modify)
    {
        using var walked = Walk(path, followFinalLink || path[^1] == '/');
        var node = Find(walked) ?? throw new WasiErrorException(Errno.NoEnt);
        CheckTrailingSlash(walked, node);
        node.SetTimes(access, modify);
    }

    public override void Link(string oldPath, bool followFinalLink, DirectoryDescriptor target, string newPath)
    {
        if (target is not MemoryDirectory { Node.FileSystem: var fileSystem } targetDirectory || fileSystem != Node.FileSystem)
        {
            throw new WasiErrorException(Errno.Xdev);
        }
        using var source = Walk(oldPath, followFinalLink || oldPath[^1] == '/');
        using var destination = targetDirectory.Walk(newPath, followFinalLink: false);
        var node = Find(source) ?? throw new WasiErrorException(Errno.NoEnt);
        CheckTrailingSlash(source, node);
        if (node is MemoryDirectoryNode)
        {
            throw new WasiErrorException(Errno.Perm, "hard links to directories are not allowed");
        }
        if (Find(destination) is not null)
        {
            throw new WasiErrorException(Errno.Exist);
        }
        if (destination.TrailingSlash)
        {
            throw new WasiErrorException(Errno.NoEnt);
        }
        Writable(destination.Parent).Children.Add(destination.Name, node);
        node.LinkCount++;
        node.ChangeTime = MemoryFileSystem.Now();
        destination.Parent.Touch();
    }

    public override void Rename(string oldPath, DirectoryDescriptor target, string newPath)
    {
        if (target is not MemoryDirectory { Node.FileSystem: var fileSystem } targetDirectory || fileSystem != Node.FileSystem)
        {
            throw new WasiErrorException(Errno.Xdev);
        }
        using var source = Walk(oldPath, followFinalLink: false);
        using var destination = targetDirectory.Walk(newPath, followFinalLink: false);
        if (source.Name == "." || destination.Name == ".")
        {
            throw new WasiErrorException(Errno.Busy);
        }
        var node = Find(source) ?? throw new WasiErrorException(Errno.NoEnt);
        var existing = Find(destination);
        if (node is not MemoryDirectoryNode && (source.TrailingSlash || destination.TrailingSlash))
        {
            throw new WasiErrorException(Errno.NotDir);
        }
        if (existing == node)
        {
            return;
        }
        if (node is MemoryDirectoryNode directory)
        {
            if (directory.Contains(destination.Parent))
            {
                throw new WasiErrorException(Errno.Inval, "a directory cannot move into itself");
            }
            switch (existing)
            {
                case MemoryDirectoryNode { Children.Count: > 0 }:
                    throw new WasiErrorException(Errno.NotEmpty);
                case null or MemoryDirectoryNode:
                    break;
                default:
                    throw new WasiErrorException(Errno.NotDir);
            }
        }
        else if (existing is MemoryDirectoryNode)
        {
            throw new WasiErrorException(Errno.IsDir);
        }
        var parent = Writable(destination.Parent);
        if (existing is not null)
        {
            Remove(parent, destination.Name);
        }
        source.Parent.Children.Remove(source.Name);
        parent.Children.Add(destination.Name, node);
        if (node is MemoryDirectoryNode moved)
        {
            moved.Parent = parent;
        }
        node.ChangeTime = MemoryFileSystem.Now();
        source.Parent.Touch();
        parent.Touch();
    }

    public override void Symlink(string linkTarget, string path)
    {
        using var walked = Walk(path, followFinalLink: false);
        if (Find(walked) is not null)
        {
            throw new WasiErrorException(Errno.Exist);
        }
        if (walked.TrailingSlash)
        {
            // As Linux: "name/" asks for a directory, and a new link is none.
            throw new WasiErrorException(Errno.NoEnt);
        }
        Writable(walked.Parent).Children.Add(walked.Name, new MemorySymlinkNode(Node.FileSystem, linkTarget));
        walked.Parent.Touch();
    }

    public override string ReadLink(string path)
    {
        using var walked = Walk(path, path[^1] == '/');
        return Find(walked) switch
        {
            null => throw new WasiErrorException(Errno.NoEnt),
            MemorySymlinkNode link => link.Target,
            _ => throw new WasiErrorException(Errno.Inval),
        };
    }

    public override IReadOnlyList<DirectoryEntry> ReadDirectory() =>
    [
        new(".", Node.Inode, FileType.Directory),
        new("..", Node.Parent.Inode, FileType.Directory),
        .. Node.Children.Select(pair => new DirectoryEntry(pair.Key, pair.Value.Inode, pair.Value.Type)),
    ];

    /// <summary>Path steps over nodes.</summary>
    private sealed class Walker : IWalkableDirectory<MemoryDirectoryNode>
    {
        public static readonly Walker Instance = new();

        public EntryKind Lookup(MemoryDirectoryNode directory, string name, bool open, out MemoryDirectoryNode? child, out string? linkTarget)
        {
            child = null;
            linkTarget = null;
            switch (directory.Children.GetValueOrDefault(name))
            {
                case null:
                    return EntryKind.Missing;
                case MemoryDirectoryNode found:
                    child = found;
                    return EntryKind.Directory;
                case MemorySymlinkNode link:
                    linkTarget = link.Target;
                    return EntryKind.SymbolicLink;
                default:
                    return EntryKind.Other;
            }
        }

        public void Release(MemoryDirectoryNode directory)
        {
        }
    }
}
