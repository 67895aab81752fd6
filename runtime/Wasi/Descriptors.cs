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
/// and may never leave it (<see cref="Sandbox"/>).
/// </summary>
internal sealed class DirectoryDescriptor(string hostPath, string? preopenName) : Descriptor
{
    /// <summary>The directory on the host (absolute, normalized).</summary>
    public string HostPath { get; } = hostPath;

    /// <summary>The guest's name of a preopened directory; <see langword="null"/> for one opened by <c>path_open</c>.</summary>
    public string? PreopenName { get; } = preopenName;

    public override FileType Type => FileType.Directory;
}
