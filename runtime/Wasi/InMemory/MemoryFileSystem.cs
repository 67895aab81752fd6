using System.Text;

namespace WasmHarness.Wasi.InMemory;

/// <summary>
/// A directory tree held in memory, to preopen instead of a host directory
/// (<see cref="WasiConfiguration.WithPreopenedDirectory(MemoryFileSystem, string, bool)"/>): tests and fuzzing run
/// guests against it without touching the host. It follows the POSIX rules the host implementation gets from Linux
/// (hard links, symbolic links, rename over directories), and paths are resolved by the same
/// <see cref="PathWalk"/>, so it is also a model to compare the host implementation with.
/// </summary>
public sealed class MemoryFileSystem
{
    private ulong _inodes;

    /// <summary>An empty file system.</summary>
    public MemoryFileSystem()
    {
        Root = new MemoryDirectoryNode(this, null);
        Root.Parent = Root;
    }

    internal MemoryDirectoryNode Root { get; }

    internal ulong NextInode() => ++_inodes;

    internal static ulong Now() => (ulong)(DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;

    /// <summary>Creates (or replaces) a file at <paramref name="path"/> ('/'-separated, below the root; its directories must exist).</summary>
    public void WriteFile(string path, ReadOnlySpan<byte> content)
    {
        var (directory, name) = Parent(path);
        var file = new MemoryFileNode(this);
        file.Write(content, 0);
        directory.Children[name] = file;
    }

    /// <summary>Creates a directory at <paramref name="path"/>.</summary>
    public void CreateDirectory(string path)
    {
        var (directory, name) = Parent(path);
        directory.Children.Add(name, new MemoryDirectoryNode(this, directory));
    }

    /// <summary>Creates a symbolic link at <paramref name="path"/> with the text <paramref name="target"/>.</summary>
    public void CreateSymbolicLink(string path, string target)
    {
        var (directory, name) = Parent(path);
        directory.Children.Add(name, new MemorySymlinkNode(this, target));
    }

    /// <summary>The bytes of the file at <paramref name="path"/>, or null when there is none.</summary>
    public byte[]? ReadFile(string path)
    {
        var (directory, name) = Parent(path);
        return directory.Children.GetValueOrDefault(name) is MemoryFileNode file ? file.ToArray() : null;
    }

    /// <summary>Every entry, one per line (<c>path type size</c>, links with their target), in order: a snapshot to compare.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        void Walk(MemoryDirectoryNode directory, string prefix)
        {
            foreach (var (name, node) in directory.Children)
            {
                text.Append(prefix).Append(name).Append(' ').Append(node.Type);
                switch (node)
                {
                    case MemoryFileNode file:
                        text.Append(' ').Append(file.Length).Append(' ').Append(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(file.ToArray()))[..16]);
                        break;
                    case MemorySymlinkNode link:
                        text.Append(" -> ").Append(link.Target);
                        break;
                }
                text.Append('\n');
                if (node is MemoryDirectoryNode child)
                {
                    Walk(child, prefix + name + "/");
                }
            }
        }
        Walk(Root, "");
        return text.ToString();
    }

    private (MemoryDirectoryNode Directory, string Name) Parent(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            throw new ArgumentException("a path below the root is needed", nameof(path));
        }
        var directory = Root;
        foreach (var part in parts[..^1])
        {
            directory = directory.Children.GetValueOrDefault(part) as MemoryDirectoryNode
                ?? throw new DirectoryNotFoundException($"no directory '{part}' in '{path}'");
        }
        return (directory, parts[^1]);
    }
}
