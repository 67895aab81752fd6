using System.Text;
using Microsoft.Win32.SafeHandles;

namespace WasmHarness.Wasi;

public sealed partial class WasiContext
{
    private const uint LookupSymlinkFollow = 1;
    private const ushort OflagCreat = 1;
    private const ushort OflagDirectory = 2;
    private const ushort OflagExcl = 4;
    private const ushort OflagTrunc = 8;
    private const ushort FstAtim = 1;
    private const ushort FstAtimNow = 2;
    private const ushort FstMtim = 4;
    private const ushort FstMtimNow = 8;

    // ---- the descriptor table ----

    private Descriptor Get(uint fd) =>
        fd < (uint)_descriptors.Count && _descriptors[(int)fd] is { } descriptor ? descriptor : throw new WasiErrorException(Errno.Badf);

    private T Get<T>(uint fd, Rights required) where T : Descriptor
    {
        var descriptor = Get(fd);
        if (descriptor is not T typed)
        {
            throw new WasiErrorException(descriptor is DirectoryDescriptor ? Errno.IsDir : typeof(T) == typeof(DirectoryDescriptor) ? Errno.NotDir : Errno.Badf);
        }
        if ((descriptor.Base & required) != required)
        {
            throw new WasiErrorException(Errno.NotCapable, $"descriptor {fd} lacks {required & ~descriptor.Base}");
        }
        return typed;
    }

    private Descriptor Get(uint fd, Rights required)
    {
        var descriptor = Get(fd);
        if ((descriptor.Base & required) != required)
        {
            throw new WasiErrorException(Errno.NotCapable);
        }
        return descriptor;
    }

    /// <summary>A descriptor that <c>fd_read</c>/<c>fd_write</c> (and their positioned forms) may use: not a directory, with <paramref name="required"/>.</summary>
    private Descriptor GetForTransfer(uint fd, Rights required)
    {
        var descriptor = Get(fd);
        if (descriptor is DirectoryDescriptor)
        {
            throw new WasiErrorException(Errno.IsDir);
        }
        if ((descriptor.Base & required) != required)
        {
            throw new WasiErrorException(Errno.NotCapable);
        }
        return descriptor;
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
        var descriptor = Get(fd);
        descriptor.Close();
        _descriptors[(int)fd] = null;
        return Errno.Success;
    }

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
        if ((flags & FdFlagAppend) != 0 && descriptor is not FileDescriptor)
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

    private Errno FdPrestatGet(uint fd, uint result)
    {
        if (Get(fd) is not DirectoryDescriptor { PreopenName: { } name })
        {
            return Errno.Badf;
        }
        Check(result, 8);
        StoreU32(result, 0);
        StoreU32(result + 4, (uint)Encoding.UTF8.GetByteCount(name));
        return Errno.Success;
    }

    private Errno FdPrestatDirName(uint fd, uint path, uint length)
    {
        if (Get(fd) is not DirectoryDescriptor { PreopenName: { } name })
        {
            return Errno.Badf;
        }
        var bytes = Encoding.UTF8.GetBytes(name);
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
        var descriptor = GetForTransfer(fd, offset is null ? Rights.FdRead : Rights.FdRead | Rights.FdSeek);
        var vectors = LoadIovecs(iovs, count);
        Check(resultPointer, 4);
        ulong total = 0;
        switch (descriptor)
        {
            case StreamDescriptor stream:
                if (offset is not null)
                {
                    return Errno.Spipe;
                }
                if (stream.Input is null)
                {
                    if (stream.Output is not null)
                    {
                        return Errno.Badf;
                    }
                    break;
                }
                foreach (var (address, length) in vectors)
                {
                    if (length == 0)
                    {
                        continue;
                    }
                    var buffer = new byte[Math.Min(length, 1u << 20)];
                    var read = stream.Input.Read(buffer);
                    StoreBytes(address, buffer.AsSpan(0, read));
                    total += (uint)read;
                    if (read < length)
                    {
                        break;
                    }
                }
                break;
            case FileDescriptor file:
                var position = offset ?? file.Position;
                if (position < 0)
                {
                    return Errno.Inval;
                }
                var chunk = new byte[1 << 16];
                var done = false;
                foreach (var (address, length) in vectors)
                {
                    for (uint offsetInBuffer = 0; offsetInBuffer < length && !done;)
                    {
                        var want = (int)Math.Min(length - offsetInBuffer, (uint)chunk.Length);
                        var read = RandomAccess.Read(file.Handle, chunk.AsSpan(0, want), position);
                        StoreBytes(address + offsetInBuffer, chunk.AsSpan(0, read));
                        total += (uint)read;
                        position += read;
                        offsetInBuffer += (uint)read;
                        done = read < want;
                    }
                    if (done)
                    {
                        break;
                    }
                }
                if (offset is null)
                {
                    file.Position = position;
                }
                break;
        }
        StoreU32(resultPointer, (uint)total);
        return Errno.Success;
    }

    private Errno FdWrite(uint fd, uint iovs, uint count, long? offset, uint resultPointer)
    {
        var descriptor = GetForTransfer(fd, offset is null ? Rights.FdWrite : Rights.FdWrite | Rights.FdSeek);
        var vectors = LoadIovecs(iovs, count);
        Check(resultPointer, 4);
        ulong total = 0;
        switch (descriptor)
        {
            case StreamDescriptor stream:
                if (offset is not null)
                {
                    return Errno.Spipe;
                }
                if (stream.Output is null && stream.Input is not null)
                {
                    return Errno.Badf;
                }
                foreach (var (address, length) in vectors)
                {
                    for (uint at = 0; at < length;)
                    {
                        var piece = Math.Min(length - at, 1u << 20);
                        stream.Output?.Write(LoadBytes(address + at, piece));
                        at += piece;
                    }
                    total += length;
                }
                stream.Output?.Flush();
                break;
            case FileDescriptor file:
                if (offset is < 0)
                {
                    return Errno.Inval;
                }
                var position = offset ?? (file.Append ? RandomAccess.GetLength(file.Handle) : file.Position);
                foreach (var (address, length) in vectors)
                {
                    for (uint at = 0; at < length;)
                    {
                        var piece = Math.Min(length - at, 1u << 20);
                        RandomAccess.Write(file.Handle, LoadBytes(address + at, piece), position);
                        position += piece;
                        at += piece;
                    }
                    total += length;
                }
                if (offset is null)
                {
                    file.Position = position;
                }
                break;
        }
        StoreU32(resultPointer, (uint)total);
        return Errno.Success;
    }

    private const uint WhenceSet = 0;
    private const uint WhenceCur = 1;
    private const uint WhenceEnd = 2;

    private Errno FdSeek(uint fd, long delta, uint whence, uint result)
    {
        var descriptor = Get(fd);
        if (descriptor is StreamDescriptor)
        {
            return Errno.Spipe;
        }
        var rights = whence == WhenceCur && delta == 0 ? Rights.FdTell : Rights.FdSeek;
        if (descriptor is not FileDescriptor file)
        {
            return descriptor is DirectoryDescriptor ? Errno.Badf : Errno.Spipe;
        }
        if ((file.Base & rights) == 0)
        {
            return Errno.NotCapable;
        }
        long origin = whence switch
        {
            WhenceSet => 0,
            WhenceCur => file.Position,
            WhenceEnd => RandomAccess.GetLength(file.Handle),
            _ => -1,
        };
        if (origin < 0)
        {
            return Errno.Inval;
        }
        var position = origin + delta;
        if ((delta > 0 && position < origin) || position < 0)
        {
            return Errno.Inval;
        }
        Check(result, 8);
        file.Position = position;
        StoreU64(result, (ulong)position);
        return Errno.Success;
    }

    private Errno FdTell(uint fd, uint result)
    {
        var descriptor = Get(fd);
        if (descriptor is StreamDescriptor)
        {
            return Errno.Spipe;
        }
        var file = Get<FileDescriptor>(fd, Rights.FdTell);
        StoreU64(result, (ulong)file.Position);
        return Errno.Success;
    }

    private Errno FdSync(uint fd, Rights right)
    {
        var descriptor = Get(fd, right);
        if (descriptor is FileDescriptor file)
        {
            HostFileSystem.Fsync(file.Handle);
        }
        return Errno.Success;
    }

    private Errno FdAdvise(uint fd, long offset, long length, uint advice)
    {
        _ = Get<FileDescriptor>(fd, Rights.FdAdvise);
        return advice > 5 || offset < 0 || length < 0 ? Errno.Inval : Errno.Success;
    }

    private Errno FdAllocate(uint fd, long offset, long length)
    {
        var file = Get<FileDescriptor>(fd, Rights.FdAllocate);
        if (offset < 0 || length <= 0 || offset + length < offset)
        {
            return Errno.Inval;
        }
        if (RandomAccess.GetLength(file.Handle) < offset + length)
        {
            RandomAccess.SetLength(file.Handle, offset + length);
        }
        return Errno.Success;
    }

    // ---- file status ----

    private Errno FdFilestatGet(uint fd, uint result)
    {
        var descriptor = Get(fd, Rights.FdFilestatGet);
        Check(result, 64);
        switch (descriptor)
        {
            case FileDescriptor file:
                StoreFilestat(result, file.HostPath, FileType.RegularFile, RandomAccess.GetLength(file.Handle),
                    () => File.GetLastAccessTimeUtc(file.Handle), () => File.GetLastWriteTimeUtc(file.Handle));
                break;
            case DirectoryDescriptor directory:
                StoreFilestat(result, directory.VerifiedHostPath(), FileType.Directory, 0);
                break;
            default:
                StoreBytes(result, new byte[64]);
                StoreU8(result + 16, (byte)descriptor.Type);
                StoreU64(result + 24, 1);
                break;
        }
        return Errno.Success;
    }

    private void StoreFilestat(uint result, string hostPath, FileType type, long? size = null, Func<DateTime>? accessTime = null, Func<DateTime>? modifyTime = null)
    {
        Check(result, 64);
        FileSystemInfo info = type == FileType.Directory ? new DirectoryInfo(hostPath) : new FileInfo(hostPath);
        accessTime ??= () => info.LastAccessTimeUtc;
        modifyTime ??= () => info.LastWriteTimeUtc;
        ulong Time(Func<DateTime> read)
        {
            try
            {
                var time = read();
                return time < DateTime.UnixEpoch ? 0 : (ulong)(time - DateTime.UnixEpoch).Ticks * 100;
            }
            catch (IOException)
            {
                return 0;
            }
        }
        size ??= type switch
        {
            FileType.RegularFile => new FileInfo(hostPath).Length,
            FileType.SymbolicLink => Encoding.UTF8.GetByteCount(HostFileSystem.ReadLink(hostPath) ?? ""),
            _ => 0,
        };
        StoreBytes(result, new byte[64]);
        StoreU64(result, 1);
        StoreU64(result + 8, Inode(hostPath));
        StoreU8(result + 16, (byte)type);
        StoreU64(result + 24, 1);
        StoreU64(result + 32, (ulong)size.Value);
        StoreU64(result + 40, Time(accessTime));
        StoreU64(result + 48, Time(modifyTime));
        StoreU64(result + 56, Time(modifyTime));
    }

    /// <summary>A stable nonzero stand-in for an inode number (.NET does not expose one).</summary>
    private static ulong Inode(string hostPath)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(hostPath.TrimEnd('/')))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }
        return hash == 0 ? 1 : hash;
    }

    private Errno FdFilestatSetSize(uint fd, long size)
    {
        var file = Get<FileDescriptor>(fd, Rights.FdFilestatSetSize);
        if (size < 0)
        {
            return Errno.Inval;
        }
        RandomAccess.SetLength(file.Handle, size);
        return Errno.Success;
    }

    private Errno FdFilestatSetTimes(uint fd, ulong accessTime, ulong modifyTime, uint flags)
    {
        var descriptor = Get(fd, Rights.FdFilestatSetTimes);
        return descriptor switch
        {
            // Through the handle: the file's path may since name something else.
            FileDescriptor file => SetTimes(accessTime, modifyTime, flags, time => File.SetLastAccessTimeUtc(file.Handle, time), time => File.SetLastWriteTimeUtc(file.Handle, time)),
            DirectoryDescriptor directory => SetTimes(directory.VerifiedHostPath(), accessTime, modifyTime, flags),
            _ => Errno.Badf,
        };
    }

    private static Errno SetTimes(string hostPath, ulong accessTime, ulong modifyTime, uint flags) =>
        SetTimes(accessTime, modifyTime, flags, time => File.SetLastAccessTimeUtc(hostPath, time), time => File.SetLastWriteTimeUtc(hostPath, time));

    private static Errno SetTimes(ulong accessTime, ulong modifyTime, uint flags, Action<DateTime> setAccess, Action<DateTime> setModify)
    {
        if ((flags & ~0xFu) != 0 || ((flags & FstAtim) != 0 && (flags & FstAtimNow) != 0) || ((flags & FstMtim) != 0 && (flags & FstMtimNow) != 0))
        {
            return Errno.Inval;
        }
        static DateTime FromNanoseconds(ulong ns) => DateTime.UnixEpoch.AddTicks((long)(ns / 100));
        var now = DateTime.UtcNow;
        if ((flags & (FstAtim | FstAtimNow)) != 0)
        {
            setAccess((flags & FstAtimNow) != 0 ? now : FromNanoseconds(accessTime));
        }
        if ((flags & (FstMtim | FstMtimNow)) != 0)
        {
            setModify((flags & FstMtimNow) != 0 ? now : FromNanoseconds(modifyTime));
        }
        return Errno.Success;
    }

    // ---- directories ----

    private Errno FdReaddir(uint fd, uint buffer, uint length, ulong cookie, uint resultPointer)
    {
        var directory = Get<DirectoryDescriptor>(fd, Rights.FdReaddir);
        Check(buffer, length);
        Check(resultPointer, 4);
        var directoryPath = directory.VerifiedHostPath();
        var names = new List<string> { ".", ".." };
        names.AddRange(Directory.EnumerateFileSystemEntries(directoryPath).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal));
        var output = new List<byte>();
        for (var i = cookie; i < (ulong)names.Count && output.Count < length; i++)
        {
            var name = names[(int)i];
            var hostPath = name switch
            {
                "." => directoryPath,
                ".." => Path.GetDirectoryName(directoryPath.TrimEnd('/')) ?? directoryPath,
                _ => Path.Join(directoryPath, name),
            };
            var type = name is "." or ".." ? FileType.Directory : HostFileSystem.Probe(hostPath) ?? FileType.Unknown;
            var nameBytes = Encoding.UTF8.GetBytes(name);
            var entry = new byte[24 + nameBytes.Length];
            BitConverter.TryWriteBytes(entry.AsSpan(0), i + 1);
            BitConverter.TryWriteBytes(entry.AsSpan(8), Inode(hostPath));
            BitConverter.TryWriteBytes(entry.AsSpan(16), (uint)nameBytes.Length);
            entry[20] = (byte)type;
            nameBytes.CopyTo(entry, 24);
            output.AddRange(entry);
        }
        var used = (uint)Math.Min((uint)output.Count, length);
        StoreBytes(buffer, output.ToArray().AsSpan(0, (int)used));
        StoreU32(resultPointer, used);
        return Errno.Success;
    }

    private ResolvedPath ResolveAt(uint fd, Rights required, uint pathPointer, uint pathLength, bool follow, out DirectoryDescriptor directory)
    {
        directory = Get<DirectoryDescriptor>(fd, required);
        var path = LoadString(pathPointer, pathLength);
        return Sandbox.Resolve(directory, path, follow);
    }

    private Errno PathCreateDirectory(uint fd, uint path, uint length)
    {
        var resolved = ResolveAt(fd, Rights.PathCreateDirectory, path, length, follow: false, out _);
        if (resolved.Type is not null)
        {
            return Errno.Exist;
        }
        return HostFileSystem.Mkdir(resolved.HostPath);
    }

    private Errno PathRemoveDirectory(uint fd, uint path, uint length)
    {
        var resolved = ResolveAt(fd, Rights.PathRemoveDirectory, path, length, follow: false, out _);
        if (resolved.IsRoot)
        {
            return Errno.Busy;
        }
        return resolved.Type switch
        {
            null => Errno.NoEnt,
            FileType.Directory => HostFileSystem.Rmdir(resolved.HostPath),
            _ => Errno.NotDir,
        };
    }

    private Errno PathUnlinkFile(uint fd, uint path, uint length)
    {
        var resolved = ResolveAt(fd, Rights.PathUnlinkFile, path, length, follow: false, out _);
        if (resolved.MustBeDirectory)
        {
            return resolved.Type is null ? Errno.NoEnt : Errno.IsDir;
        }
        return resolved.Type switch
        {
            null => Errno.NoEnt,
            FileType.Directory => Errno.IsDir,
            _ => HostFileSystem.Unlink(resolved.HostPath),
        };
    }

    private Errno PathFilestatGet(uint fd, uint flags, uint path, uint length, uint result)
    {
        var resolved = ResolveAt(fd, Rights.PathFilestatGet, path, length, (flags & LookupSymlinkFollow) != 0, out _);
        if (resolved.Type is not { } type)
        {
            return Errno.NoEnt;
        }
        StoreFilestat(result, resolved.HostPath, type);
        return Errno.Success;
    }

    private Errno PathFilestatSetTimes(uint fd, uint flags, uint path, uint length, ulong accessTime, ulong modifyTime, uint fstFlags)
    {
        var resolved = ResolveAt(fd, Rights.PathFilestatSetTimes, path, length, (flags & LookupSymlinkFollow) != 0, out _);
        if (resolved.Type is null)
        {
            return Errno.NoEnt;
        }
        if (resolved.Type == FileType.SymbolicLink)
        {
            // .NET would set the times of the link's target, which may lie outside the sandbox.
            return Errno.NotSup;
        }
        return SetTimes(resolved.HostPath, accessTime, modifyTime, fstFlags);
    }

    private Errno PathLink(uint oldFd, uint oldFlags, uint oldPath, uint oldLength, uint newFd, uint newPath, uint newLength)
    {
        var source = ResolveAt(oldFd, Rights.PathLinkSource, oldPath, oldLength, (oldFlags & LookupSymlinkFollow) != 0, out _);
        var target = ResolveAt(newFd, Rights.PathLinkTarget, newPath, newLength, follow: false, out _);
        if (source.Type is null)
        {
            return Errno.NoEnt;
        }
        if (source.Type == FileType.Directory)
        {
            return Errno.Perm;
        }
        if (target.Type is not null)
        {
            return Errno.Exist;
        }
        return HostFileSystem.Link(source.HostPath, target.HostPath);
    }

    private Errno PathRename(uint fd, uint oldPath, uint oldLength, uint newFd, uint newPath, uint newLength)
    {
        var source = ResolveAt(fd, Rights.PathRenameSource, oldPath, oldLength, follow: false, out _);
        var target = ResolveAt(newFd, Rights.PathRenameTarget, newPath, newLength, follow: false, out _);
        if (source.Type is null)
        {
            return Errno.NoEnt;
        }
        if (source.IsRoot || target.IsRoot)
        {
            return Errno.Busy;
        }
        return HostFileSystem.Rename(source.HostPath, target.HostPath);
    }

    private Errno PathSymlink(uint oldPath, uint oldLength, uint fd, uint newPath, uint newLength)
    {
        var target = LoadString(oldPath, oldLength);
        var link = ResolveAt(fd, Rights.PathSymlink, newPath, newLength, follow: false, out _);
        if (target.Length == 0 || target.Contains('\0'))
        {
            return Errno.NoEnt;
        }
        if (target[0] == '/')
        {
            // A link to an absolute path could never be followed inside the sandbox; refuse it as wasmtime does.
            return Sandbox.EscapeErrno;
        }
        if (link.Type is not null)
        {
            return Errno.Exist;
        }
        return HostFileSystem.Symlink(target, link.HostPath.TrimEnd('/'));
    }

    private Errno PathReadlink(uint fd, uint path, uint length, uint buffer, uint bufferLength, uint resultPointer)
    {
        var resolved = ResolveAt(fd, Rights.PathReadlink, path, length, follow: false, out _);
        if (resolved.Type is null)
        {
            return Errno.NoEnt;
        }
        if (resolved.Type != FileType.SymbolicLink)
        {
            return Errno.Inval;
        }
        var bytes = Encoding.UTF8.GetBytes(HostFileSystem.ReadLink(resolved.HostPath) ?? "");
        Check(buffer, bufferLength);
        Check(resultPointer, 4);
        var used = Math.Min((uint)bytes.Length, bufferLength);
        StoreBytes(buffer, bytes.AsSpan(0, (int)used));
        StoreU32(resultPointer, used);
        return Errno.Success;
    }

    private Errno PathOpen(uint fd, uint dirFlags, uint path, uint length, uint oflags, Rights rightsBase, Rights rightsInheriting, uint fdFlags, uint resultPointer)
    {
        var directory = Get<DirectoryDescriptor>(fd, Rights.PathOpen);
        var create = (oflags & OflagCreat) != 0;
        var exclusive = (oflags & OflagExcl) != 0;
        var truncate = (oflags & OflagTrunc) != 0;
        var mustBeDirectory = (oflags & OflagDirectory) != 0;
        if ((oflags & ~0xFu) != 0 || (fdFlags & ~0x1Fu) != 0)
        {
            return Errno.Inval;
        }
        if (create && (directory.Base & Rights.PathCreateFile) == 0)
        {
            return Errno.NotCapable;
        }
        if (truncate && (directory.Base & Rights.PathFilestatSetSize) == 0)
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
        var resolved = Sandbox.Resolve(directory, name, (dirFlags & LookupSymlinkFollow) != 0);
        var type = resolved.Type;
        if (type is not null && create && exclusive)
        {
            return Errno.Exist;
        }
        if (type == FileType.SymbolicLink)
        {
            // The final component is a link the caller asked not to follow (O_NOFOLLOW).
            return Errno.Loop;
        }
        if (type == FileType.Directory || (type is null && mustBeDirectory && !create))
        {
            if (type is null)
            {
                return Errno.NoEnt;
            }
            if ((rightsBase & writing) != 0 || truncate)
            {
                return Errno.IsDir;
            }
            var opened = new DirectoryDescriptor(directory.Root, resolved.Components, null)
            {
                Base = rightsBase & directory.Inheriting & Rights.Directory,
                Inheriting = rightsInheriting & directory.Inheriting,
                Flags = (ushort)fdFlags,
            };
            StoreU32(resultPointer, Allocate(opened));
            return Errno.Success;
        }
        if (mustBeDirectory)
        {
            return type is null ? Errno.NoEnt : Errno.NotDir;
        }
        if (type is null && !create)
        {
            return Errno.NoEnt;
        }
        if (type is null && resolved.MustBeDirectory)
        {
            return Errno.IsDir;
        }
        var write = (rightsBase & writing) != 0 || truncate;
        var read = (rightsBase & Rights.FdRead) != 0 || !write;
        var access = (read, write) switch
        {
            (true, true) => FileAccess.ReadWrite,
            (false, true) => FileAccess.Write,
            _ => FileAccess.Read,
        };
        var mode = (create, truncate, type is null) switch
        {
            (true, true, _) => FileMode.Create,
            (true, false, true) => FileMode.CreateNew,
            (true, false, false) => FileMode.Open,
            (false, true, _) => FileMode.Truncate,
            _ => FileMode.Open,
        };
        SafeFileHandle handle;
        try
        {
            handle = HostFileSystem.OpenFile(resolved.HostPath, mode, access);
        }
        catch (IOException) when (mode == FileMode.CreateNew && File.Exists(resolved.HostPath))
        {
            return Errno.Exist;
        }
        var descriptor = new FileDescriptor(handle, resolved.HostPath)
        {
            Base = rightsBase & directory.Inheriting & Rights.RegularFile,
            Inheriting = rightsInheriting & directory.Inheriting,
            Flags = (ushort)fdFlags,
        };
        StoreU32(resultPointer, Allocate(descriptor));
        return Errno.Success;
    }
}
