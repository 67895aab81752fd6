namespace WasmHarness.Wasi.InMemory;

/// <summary>An open file of a <see cref="MemoryFileSystem"/>: refers to the node, so it survives renames and unlinks, as a host descriptor does.</summary>
internal sealed class MemoryFile(MemoryFileNode node) : FileDescriptor
{
    protected override long Length => node.Length;

    protected override int ReadAt(Span<byte> buffer, long position) => node.Read(buffer, position);

    protected override void WriteAt(ReadOnlySpan<byte> data, long position) => node.Write(data, position);

    public override Filestat Stat() => node.Stat();

    public override void SetSize(long size) => node.SetLength(size);

    public override void SetTimes(long access, long modify) => node.SetTimes(access, modify);
}
