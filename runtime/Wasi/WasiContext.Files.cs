using System.Buffers;
using System.Text;

namespace WasmHarness.Wasi;

/// <summary>
/// The descriptor and path functions. Each one checks the descriptor's rights and the guest's pointers, then asks
/// the descriptor to do the work (<see cref="Descriptor"/>, <see cref="DirectoryDescriptor"/>): what a descriptor
/// is decides what it can do, so no function here looks at its concrete type.
/// </summary>
public sealed partial class WasiContext
{
    private const uint LookupSymlinkFollow = 1;
    private const ushort FstAtim = 1;
    private const ushort FstAtimNow = 2;
    private const ushort FstMtim = 4;
    private const ushort FstMtimNow = 8;

    // ---- the descriptor table ----

    private Descriptor Get(uint fd) =>
        fd < (uint)_descriptors.Count && _descriptors[(int)fd] is { } descriptor ? descriptor : throw new WasiErrorException(Errno.Badf);

    /// <summary>A descriptor with <paramref name="required"/>; a missing right is <c>ENOTCAPABLE</c>.</summary>
    private Descriptor Get(uint fd, Rights required)
    {
        var descriptor = Get(fd);
        if ((descriptor.Base & required) != required)
        {
            throw new WasiErrorException(Errno.NotCapable, $"descriptor {fd} lacks {required & ~descriptor.Base}");
        }
        return descriptor;
    }

    /// <summary>A directory descriptor with <paramref name="required"/>: any other kind is <c>ENOTDIR</c>.</summary>
    private DirectoryDescriptor GetDirectory(uint fd, Rights required) =>
        Get(fd) is DirectoryDescriptor ? (DirectoryDescriptor)Get(fd, required) : throw new WasiErrorException(Errno.NotDir);

    /// <summary>A descriptor that <c>fd_read</c>/<c>fd_write</c> (and their positioned forms) and the file calls may use: not a directory, with <paramref name="required"/>.</summary>
    private Descriptor GetNonDirectory(uint fd, Rights required)
    {
        var descriptor = Get(fd);
        if (descriptor is DirectoryDescriptor)
        {
            throw new WasiErrorException(Errno.IsDir);
        }
        return Get(fd, required);
    }

    private uint Allocate(Descriptor descriptor)
    {
        for (var i = 3; i < _descriptors.Count; i++)
        {
            if (_descriptors[i] is null)
            {
                _descriptors[i] = descriptor;
                return (uint)i;
            }
        }
        _descriptors.Add(descriptor);
        return (uint)(_descriptors.Count - 1);
    }

    private Errno FdClose(uint fd)
    {
        Get(fd).Close();
        _descriptors[(int)fd] = null;
        return Errno.Success;
    }

    /// <summary><c>fd_renumber</c>: moves a descriptor over another (closing it); a preopen moved away is gone from its number, with its capability.</summary>
    private Errno FdRenumber(uint from, uint to)
    {
        var descriptor = Get(from);
        var target = Get(to);
        if (from == to)
        {
            return Errno.Success;
        }
        target.Close();
        _descriptors[(int)to] = descriptor;
        _descriptors[(int)from] = null;
        return Errno.Success;
    }

    // ---- descriptor state ----

    private Errno FdFdstatGet(uint fd, uint result)
    {
        var descriptor = Get(fd);
        Check(result, 24);
        StoreBytes(result, new byte[24]);
        StoreU8(result, (byte)descriptor.Type);
        StoreU16(result + 2, descriptor.Flags);
        StoreU64(result + 8, (ulong)descriptor.Base);
        StoreU64(result + 16, (ulong)descriptor.Inheriting);
        return Errno.Success;
    }

    private Errno FdFdstatSetFlags(uint fd, uint flags)
    {
        var descriptor = Get(fd, Rights.FdFdstatSetFlags);
        if ((flags & ~(uint)(FdFlagAppend | FdFlagDsync | FdFlagNonblock | FdFlagRsync | FdFlagSync)) != 0)
        {
            return Errno.Inval;
        }
        if ((flags & FdFlagAppend) != 0 && !descriptor.CanAppend)
        {
            return Errno.NotSup;
        }
        descriptor.Flags = (ushort)flags;
        return Errno.Success;
    }

    private Errno FdFdstatSetRights(uint fd, Rights rightsBase, Rights rightsInheriting)
    {
        var descriptor = Get(fd);
        if ((rightsBase & ~descriptor.Base) != 0 || (rightsInheriting & ~descriptor.Inheriting) != 0)
        {
            return Errno.NotCapable;
        }
        descriptor.Base = rightsBase;
        descriptor.Inheriting = rightsInheriting;
        return Errno.Success;
    }

    private string PreopenName(uint fd) =>
        Get(fd) is DirectoryDescriptor { PreopenName: { } name } ? name : throw new WasiErrorException(Errno.Badf);

    private Errno FdPrestatGet(uint fd, uint result)
    {
        var name = PreopenName(fd);
        Check(result, 8);
        StoreU32(result, 0);
        StoreU32(result + 4, (uint)Encoding.UTF8.GetByteCount(name));
        return Errno.Success;
    }

    private Errno FdPrestatDirName(uint fd, uint path, uint length)
    {
        var bytes = Encoding.UTF8.GetBytes(PreopenName(fd));
        if (length < bytes.Length)
        {
            return Errno.NameTooLong;
        }
        StoreBytes(path, bytes);
        return Errno.Success;
    }

    // ---- reading and writing ----

    private Errno FdRead(uint fd, uint iovs, uint count, long? offset, uint resultPointer)
    {
        var descriptor = GetNonDirectory(fd, offset is null ? Rights.FdRead : Rights.FdRead | Rights.FdSeek);
        CheckIovecs(iovs, count);
        Check(resultPointer, 4);
        ulong total = 0;
        byte[]? buffer = null;
        try
        {
            for (uint i = 0; i < count; i++)
            {
                var (address, length) = LoadIovec(iovs, i);
                var full = true;
                for (uint at = 0; at < length && full;)
                {
                    buffer ??= ArrayPool<byte>.Shared.Rent(1 << 16);
                    var want = (int)Math.Min(length - at, (uint)buffer.Length);
                    var read = descriptor.Read(buffer.AsSpan(0, want), offset is null ? null : offset + (long)total);
                    StoreBytes(address + at, buffer.AsSpan(0, read));
                    total += (uint)read;
                    at += (uint)read;
                    full = read == want;
                }
                if (!full)
                {
                    // A short read (end of file, or a stream with no more ready): stop, as readv does.
                    break;
                }
            }
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        StoreU32(resultPointer, (uint)total);
        return Errno.Success;
    }

    private Errno FdWrite(uint fd, uint iovs, uint count, long? offset, uint resultPointer)
    {
        var descriptor = GetNonDirectory(fd, offset is null ? Rights.FdWrite : Rights.FdWrite | Rights.FdSeek);
        var size = CheckIovecs(iovs, count);
        Check(resultPointer, 4);
        ulong total = 0;
        byte[]? buffer = null;
        try
        {
            for (uint i = 0; i < count; i++)
            {
                var (address, length) = LoadIovec(iovs, i);
                for (uint at = 0; at < length;)
                {
                    buffer ??= ArrayPool<byte>.Shared.Rent((int)Math.Min(size, 1u << 20)); // pieces of at most 1 MiB, as before
                    var piece = (int)Math.Min(length - at, (uint)buffer.Length);
                    LoadBytes(address + at, buffer.AsSpan(0, piece));
                    descriptor.Write(buffer.AsSpan(0, piece), offset is null ? null : offset + (long)total);
                    at += (uint)piece;
                    total += (uint)piece;
                }
            }
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        if (descriptor is StreamDescriptor)
        {
            descriptor.Sync(dataOnly: true);
        }
        StoreU32(resultPointer, (uint)total);
        return Errno.Success;
    }

    private Errno FdSeek(uint fd, long delta, uint whence, uint result)
    {
        var descriptor = Get(fd);
        if (descriptor is StreamDescriptor)
        {
            return Errno.Spipe;
        }
        var required = whence == (uint)Whence.Cur && delta == 0 ? Rights.FdTell : Rights.FdSeek;
        if ((descriptor.Base & required) == 0)
        {
            return Errno.NotCapable;
        }
        if (whence > (uint)Whence.End)
        {
            return Errno.Inval;
        }
        Check(result, 8);
        StoreU64(result, (ulong)descriptor.Seek(delta, (Whence)whence));
        return Errno.Success;
    }

    private Errno FdTell(uint fd, uint result)
    {
        var descriptor = Get(fd);
        if (descriptor is StreamDescriptor)
        {
            return Errno.Spipe;
        }
        var position = GetNonDirectory(fd, Rights.FdTell).Seek(0, Whence.Cur);
        StoreU64(result, (ulong)position);
        return Errno.Success;
    }

    private Errno FdSync(uint fd, Rights right)
    {
        Get(fd, right).Sync(dataOnly: right == Rights.FdDatasync);
        return Errno.Success;
    }

    private Errno FdAdvise(uint fd, long offset, long length, uint advice)
    {
        if (GetNonDirectory(fd, Rights.FdAdvise) is not FileDescriptor)
        {
            return Errno.Badf;
        }
        return advice > 5 || offset < 0 || length < 0 ? Errno.Inval : Errno.Success;
    }

    private Errno FdAllocate(uint fd, long offset, long length)
    {
        var descriptor = GetNonDirectory(fd, Rights.FdAllocate);
        if (offset < 0 || length <= 0 || offset + length < offset)
        {
            return Errno.Inval;
        }
        descriptor.Allocate(offset, length);
        return Errno.Success;
    }

    // ---- file status ----

    private Errno FdFilestatGet(uint fd, uint result)
    {
        var stat = Get(fd, Rights.FdFilestatGet).Stat();
        StoreFilestat(result, stat);
        return Errno.Success;
    }

    private void StoreFilestat(uint result, Filestat stat)
    {
        Check(result, 64);
        StoreBytes(result, new byte[64]);
        StoreU64(result, stat.Device);
        StoreU64(result + 8, stat.Inode);
        StoreU8(result + 16, (byte)stat.Type);
        StoreU64(result + 24, stat.LinkCount);
        StoreU64(result + 32, stat.Size);
        StoreU64(result + 40, stat.AccessTime);
        StoreU64(result + 48, stat.ModifyTime);
        StoreU64(result + 56, stat.ChangeTime);
    }

    private Errno FdFilestatSetSize(uint fd, long size)
    {
        var descriptor = GetNonDirectory(fd, Rights.FdFilestatSetSize);
        if (size < 0)
        {
            return Errno.Inval;
        }
        descriptor.SetSize(size);
        return Errno.Success;
    }

    private Errno FdFilestatSetTimes(uint fd, ulong accessTime, ulong modifyTime, uint flags)
    {
        var descriptor = Get(fd, Rights.FdFilestatSetTimes);
        var (access, modify) = NewTimes(accessTime, modifyTime, flags);
        descriptor.SetTimes(access, modify);
        return Errno.Success;
    }

    /// <summary>The two new times from <c>$fstflags</c>: nanoseconds, <see cref="Timestamp.Now"/> or <see cref="Timestamp.Omit"/>.</summary>
    private static (long Access, long Modify) NewTimes(ulong accessTime, ulong modifyTime, uint flags)
    {
        if ((flags & ~0xFu) != 0 || ((flags & FstAtim) != 0 && (flags & FstAtimNow) != 0) || ((flags & FstMtim) != 0 && (flags & FstMtimNow) != 0))
        {
            throw new WasiErrorException(Errno.Inval);
        }
        static long One(uint flags, uint set, uint now, ulong time) =>
            (flags & now) != 0 ? Timestamp.Now : (flags & set) != 0 ? (long)Math.Min(time, long.MaxValue) : Timestamp.Omit;
        return (One(flags, FstAtim, FstAtimNow, accessTime), One(flags, FstMtim, FstMtimNow, modifyTime));
    }

    // ---- directories ----

    private Errno FdReaddir(uint fd, uint buffer, uint length, ulong cookie, uint resultPointer)
    {
        var directory = GetDirectory(fd, Rights.FdReaddir);
        Check(buffer, length);
        Check(resultPointer, 4);
        var entries = directory.ReadDirectory();
        var output = new List<byte>();
        for (var i = cookie; i < (ulong)entries.Count && output.Count < length; i++)
        {
            var entry = entries[(int)i];
            var nameBytes = Encoding.UTF8.GetBytes(entry.Name);
            var bytes = new byte[24 + nameBytes.Length];
            BitConverter.TryWriteBytes(bytes.AsSpan(0), i + 1);
            BitConverter.TryWriteBytes(bytes.AsSpan(8), entry.Inode);
            BitConverter.TryWriteBytes(bytes.AsSpan(16), (uint)nameBytes.Length);
            bytes[20] = (byte)entry.Type;
            nameBytes.CopyTo(bytes, 24);
            output.AddRange(bytes);
        }
        var used = (uint)Math.Min((uint)output.Count, length);
        StoreBytes(buffer, output.ToArray().AsSpan(0, (int)used));
        StoreU32(resultPointer, used);
        return Errno.Success;
    }

    private Errno PathCreateDirectory(uint fd, uint path, uint length)
    {
        GetDirectory(fd, Rights.PathCreateDirectory).CreateDirectory(LoadString(path, length));
        return Errno.Success;
    }

    private Errno PathRemoveDirectory(uint fd, uint path, uint length)
    {
        GetDirectory(fd, Rights.PathRemoveDirectory).RemoveDirectory(LoadString(path, length));
        return Errno.Success;
    }

    private Errno PathUnlinkFile(uint fd, uint path, uint length)
    {
        GetDirectory(fd, Rights.PathUnlinkFile).UnlinkFile(LoadString(path, length));
        return Errno.Success;
    }

    private Errno PathFilestatGet(uint fd, uint flags, uint path, uint length, uint result)
    {
        var stat = GetDirectory(fd, Rights.PathFilestatGet).StatAt(LoadString(path, length), (flags & LookupSymlinkFollow) != 0);
        StoreFilestat(result, stat);
        return Errno.Success;
    }

    private Errno PathFilestatSetTimes(uint fd, uint flags, uint path, uint length, ulong accessTime, ulong modifyTime, uint fstFlags)
    {
        var directory = GetDirectory(fd, Rights.PathFilestatSetTimes);
        var name = LoadString(path, length);
        var (access, modify) = NewTimes(accessTime, modifyTime, fstFlags);
        directory.SetTimesAt(name, (flags & LookupSymlinkFollow) != 0, access, modify);
        return Errno.Success;
    }

    private Errno PathLink(uint oldFd, uint oldFlags, uint oldPath, uint oldLength, uint newFd, uint newPath, uint newLength)
    {
        var source = GetDirectory(oldFd, Rights.PathLinkSource);
        var target = GetDirectory(newFd, Rights.PathLinkTarget);
        source.Link(LoadString(oldPath, oldLength), (oldFlags & LookupSymlinkFollow) != 0, target, LoadString(newPath, newLength));
        return Errno.Success;
    }

    private Errno PathRename(uint fd, uint oldPath, uint oldLength, uint newFd, uint newPath, uint newLength)
    {
        var source = GetDirectory(fd, Rights.PathRenameSource);
        var target = GetDirectory(newFd, Rights.PathRenameTarget);
        source.Rename(LoadString(oldPath, oldLength), target, LoadString(newPath, newLength));
        return Errno.Success;
    }

    private Errno PathSymlink(uint oldPath, uint oldLength, uint fd, uint newPath, uint newLength)
    {
        var target = LoadString(oldPath, oldLength);
        var directory = GetDirectory(fd, Rights.PathSymlink);
        var link = LoadString(newPath, newLength);
        if (target.Length == 0 || target.Contains('\0'))
        {
            return Errno.NoEnt;
        }
        if (target[0] == '/')
        {
            // A link to an absolute path could never be followed inside the sandbox; refuse it as wasmtime does.
            return PathWalk.EscapeErrno;
        }
        directory.Symlink(target, link);
        return Errno.Success;
    }

    private Errno PathReadlink(uint fd, uint path, uint length, uint buffer, uint bufferLength, uint resultPointer)
    {
        var target = GetDirectory(fd, Rights.PathReadlink).ReadLink(LoadString(path, length));
        var bytes = Encoding.UTF8.GetBytes(target);
        Check(buffer, bufferLength);
        Check(resultPointer, 4);
        var used = Math.Min((uint)bytes.Length, bufferLength);
        StoreBytes(buffer, bytes.AsSpan(0, (int)used));
        StoreU32(resultPointer, used);
        return Errno.Success;
    }

    private Errno PathOpen(uint fd, uint dirFlags, uint path, uint length, uint oflags, Rights rightsBase, Rights rightsInheriting, uint fdFlags, uint resultPointer)
    {
        var directory = GetDirectory(fd, Rights.PathOpen);
        if ((oflags & ~0xFu) != 0 || (fdFlags & ~0x1Fu) != 0)
        {
            return Errno.Inval;
        }
        var flags = (OpenFlags)oflags;
        if (flags.HasFlag(OpenFlags.Create) && (directory.Base & Rights.PathCreateFile) == 0)
        {
            return Errno.NotCapable;
        }
        if (flags.HasFlag(OpenFlags.Truncate) && (directory.Base & Rights.PathFilestatSetSize) == 0)
        {
            return Errno.NotCapable;
        }
        const Rights writing = Rights.FdWrite | Rights.FdAllocate | Rights.FdFilestatSetSize;
        if ((rightsBase & writing & ~directory.Inheriting) != 0)
        {
            return Errno.NotCapable;
        }
        Check(resultPointer, 4);
        var name = LoadString(path, length);
        var write = (rightsBase & writing) != 0 || flags.HasFlag(OpenFlags.Truncate);
        var read = (rightsBase & Rights.FdRead) != 0 || !write;
        var opened = directory.Open(name, (dirFlags & LookupSymlinkFollow) != 0, flags, read, write);
        opened.Base = rightsBase & directory.Inheriting & (opened is DirectoryDescriptor ? Rights.Directory : Rights.RegularFile);
        opened.Inheriting = rightsInheriting & directory.Inheriting;
        opened.Flags = (ushort)fdFlags;
        StoreU32(resultPointer, Allocate(opened));
        return Errno.Success;
    }
}
