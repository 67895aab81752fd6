using Microsoft.Win32.SafeHandles;

namespace WasmHarness.Wasi;

/// <summary>An open file descriptor of the guest: what it refers to, its rights and its flags.</summary>
internal abstract class Descriptor
{
    public Rights Base;
    public Rights Inheriting;
    public ushort Flags;

    public abstract FileType Type { get; }

    public virtual void Close()
    {
    }
}

/// <summary>A standard stream (character device): reads from or writes to a .NET stream.</summary>
internal sealed class StreamDescriptor(Stream? input, Stream? output) : Descriptor
{
    public Stream? Input { get; } = input;

    public Stream? Output { get; } = output;

    public override FileType Type => FileType.CharacterDevice;
}

/// <summary>An open regular file; reads and writes go through <see cref="RandomAccess"/> at <see cref="Position"/>.</summary>
internal sealed class FileDescriptor(SafeFileHandle handle, string hostPath) : Descriptor
{
    public SafeFileHandle Handle { get; } = handle;

    public string HostPath { get; } = hostPath;

    public long Position;

    public bool Append => (Flags & WasiContext.FdFlagAppend) != 0;

    public override FileType Type => FileType.RegularFile;

    public override void Close() => Handle.Dispose();
}

/// <summary>
/// A directory: the root of its own sandbox. Paths given relative to it are resolved component by component
/// and may never leave it (<see cref="Sandbox"/>). It is named by its preopen's host directory and the
/// components below it; each use checks that those components are still directories (not links), so renaming
/// a directory and putting a link in its place cannot move an open descriptor out of its preopen.
/// </summary>
internal sealed class DirectoryDescriptor(string root, IReadOnlyList<string> components, string? preopenName) : Descriptor
{
    /// <summary>The preopened host directory this one lies in (absolute, normalized).</summary>
    public string Root { get; } = root;

    /// <summary>The components from <see cref="Root"/> to this directory (empty for a preopen).</summary>
    public IReadOnlyList<string> Components { get; } = components;

    /// <summary>The guest's name of a preopened directory; <see langword="null"/> for one opened by <c>path_open</c>.</summary>
    public string? PreopenName { get; } = preopenName;

    public override FileType Type => FileType.Directory;

    /// <summary>The directory's host path, after checking that every component below the preopen is still a real directory.</summary>
    public string VerifiedHostPath()
    {
        var path = Root;
        foreach (var component in Components)
        {
            path = Sandbox.Join(path, [component]);
            if (HostFileSystem.Probe(path) != FileType.Directory)
            {
                throw new WasiErrorException(Errno.NoEnt, "the directory was moved or replaced");
            }
        }
        return path;
    }
}
