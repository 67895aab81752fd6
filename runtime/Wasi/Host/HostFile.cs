using Microsoft.Win32.SafeHandles;

namespace WasmHarness.Wasi.Host;

/// <summary>A regular file opened on the host: reads and writes go through its descriptor, never its path.</summary>
internal sealed class HostFile(SafeFileHandle handle) : FileDescriptor
{
    public SafeFileHandle Handle { get; } = handle;

    protected override long Length => RandomAccess.GetLength(Handle);

    protected override int ReadAt(Span<byte> buffer, long position)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = RandomAccess.Read(Handle, buffer[total..], position + total);
            if (read == 0)
            {
                break;
            }
            total += read;
        }
        return total;
    }

    protected override void WriteAt(ReadOnlySpan<byte> data, long position) => RandomAccess.Write(Handle, data, position);

    public override Filestat Stat() => Native.Stat(Handle);

    public override void SetSize(long size) => Native.Truncate(Handle, size);

    public override void SetTimes(long access, long modify) => Native.SetTimes(Handle, access, modify);

    public override void Sync(bool dataOnly) => Native.Sync(Handle, dataOnly);

    public override void Close() => Handle.Dispose();
}
