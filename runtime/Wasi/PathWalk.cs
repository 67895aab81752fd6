namespace WasmHarness.Wasi;

/// <summary>What a name in a directory is, as far as walking a path needs to know (never following a link).</summary>
internal enum EntryKind
{
    Missing,
    Directory,
    SymbolicLink,
    Other,
}

/// <summary>The directory operations a path walk needs; the host and the in-memory file systems each provide them.</summary>
internal interface IWalkableDirectory<TDirectory>
    where TDirectory : class
{
    /// <summary>What <paramref name="name"/> (one component, never <c>.</c> or <c>..</c>) is in <paramref name="directory"/>; the opened directory when it is one and <paramref name="open"/> asks for it.</summary>
    EntryKind Lookup(TDirectory directory, string name, bool open, out TDirectory? child, out string? linkTarget);

    /// <summary>Releases a directory opened by <see cref="Lookup"/> (closes the host descriptor).</summary>
    void Release(TDirectory directory);
}

/// <summary>
/// The result of a walk: the directory that holds the final component, and its name (one component, no '/';
/// <c>.</c> when the path names a directory itself). Disposing it releases the directories opened on the way.
/// </summary>
internal sealed class WalkedPath<TDirectory>(IWalkableDirectory<TDirectory> system, List<TDirectory> opened, TDirectory parent, string name, bool trailingSlash) : IDisposable
    where TDirectory : class
{
    public TDirectory Parent { get; } = parent;

    public string Name { get; } = name;

    /// <summary>The path ended in '/' (the final component must be a directory).</summary>
    public bool TrailingSlash { get; } = trailingSlash;

    /// <summary>The name for a call that does not look at the final component itself (mkdir, unlink, rename, symlink): with its '/' if it had one, so the kernel's rules for it apply.</summary>
    public string NameWithSlash => TrailingSlash && Name != "." ? Name + "/" : Name;

    public void Dispose()
    {
        foreach (var directory in opened)
        {
            system.Release(directory);
        }
        opened.Clear();
    }
}

/// <summary>
/// The security boundary: resolves a guest path beneath a directory, one component at a time, the way cap-std
/// does for wasmtime. Absolute paths are refused; <c>..</c> returns to the directory the walk came from (kept
/// open on a stack, never looked up on the host, so a directory moved meanwhile cannot lead elsewhere) and may
/// not climb above the start; each symbolic link met is read and its target walked by the same rules, so a link
/// whose target is absolute or climbs out is refused; more than <see cref="MaxSymlinkExpansions"/> is <c>ELOOP</c>.
/// Every host call made with the result takes the parent directory's handle and a single name, with no-follow
/// flags, so the host never resolves anything the walk did not check.
/// </summary>
internal static class PathWalk
{
    /// <summary>How many symbolic links one resolution may expand before <c>ELOOP</c>.</summary>
    public const int MaxSymlinkExpansions = 32;

    /// <summary>The errno for an attempt to leave the sandbox: <c>EPERM</c>, as wasmtime answers (cap-std's "a path led outside of the filesystem" is a permission error).</summary>
    public const Errno EscapeErrno = Errno.Perm;

    /// <summary>The longest path in bytes (UTF-8) a call may take: Linux's <c>PATH_MAX</c> (4096) less its NUL.</summary>
    public const int MaxPathBytes = 4095;

    /// <summary>The longest component of a path in bytes (UTF-8): Linux's <c>NAME_MAX</c>.</summary>
    public const int MaxComponentBytes = 255;

    /// <summary>
    /// Checks what every path must be before any lookup: not empty, no NUL, not absolute, at most
    /// <see cref="MaxPathBytes"/> bytes with no component over <see cref="MaxComponentBytes"/> (<c>ENAMETOOLONG</c>,
    /// as the kernel answers wasmtime; the same on every file system, the in-memory one included).
    /// </summary>
    public static void CheckGuestPath(string path)
    {
        if (path.Length == 0)
        {
            throw new WasiErrorException(Errno.NoEnt, "empty path");
        }
        if (path.Contains('\0'))
        {
            throw new WasiErrorException(Errno.Inval, "path contains NUL");
        }
        CheckLength(path);
        if (path[0] == '/')
        {
            throw new WasiErrorException(EscapeErrno, "absolute path");
        }
    }

    /// <summary>
    /// Walks <paramref name="path"/> beneath <paramref name="start"/>. When <paramref name="followFinalLink"/> a final
    /// symbolic link is expanded too (so the returned name is no link, or is missing).
    /// </summary>
    public static WalkedPath<TDirectory> Walk<TDirectory>(IWalkableDirectory<TDirectory> system, TDirectory start, string path, bool followFinalLink)
        where TDirectory : class
    {
        CheckGuestPath(path);
        var trailingSlash = path[^1] == '/' || path.EndsWith("/.", StringComparison.Ordinal);
        var stack = new List<TDirectory> { start };
        var opened = new List<TDirectory>();
        var pending = new List<string>();
        Push(pending, path);
        var expansions = 0;
        try
        {
            while (true)
            {
                if (pending.Count == 0)
                {
                    // The path was "." or ended in ".." or "/.": it names the current directory itself.
                    return Done(".");
                }
                var name = pending[^1];
                pending.RemoveAt(pending.Count - 1);
                var isLast = pending.Count == 0;
                if (name == "..")
                {
                    if (stack.Count == 1)
                    {
                        throw new WasiErrorException(EscapeErrno, "path climbs out of its directory");
                    }
                    stack.RemoveAt(stack.Count - 1);
                    continue;
                }
                if (isLast && !followFinalLink)
                {
                    return Done(name);
                }
                var kind = system.Lookup(stack[^1], name, open: !isLast, out var child, out var linkTarget);
                switch (kind)
                {
                    case EntryKind.Directory when !isLast:
                        opened.Add(child!);
                        stack.Add(child!);
                        continue;
                    case EntryKind.SymbolicLink:
                        if (++expansions > MaxSymlinkExpansions)
                        {
                            throw new WasiErrorException(Errno.Loop, "too many symbolic links");
                        }
                        if (string.IsNullOrEmpty(linkTarget))
                        {
                            throw new WasiErrorException(Errno.NoEnt, "empty symbolic link");
                        }
                        if (linkTarget[0] == '/')
                        {
                            throw new WasiErrorException(EscapeErrno, "symbolic link to an absolute path");
                        }
                        if (isLast && linkTarget[^1] == '/')
                        {
                            trailingSlash = true;
                        }
                        CheckLength(linkTarget);
                        Push(pending, linkTarget);
                        continue;
                    case EntryKind.Missing when !isLast:
                        throw new WasiErrorException(Errno.NoEnt);
                    case EntryKind.Other when !isLast:
                        throw new WasiErrorException(Errno.NotDir);
                    default:
                        return Done(name);
                }
            }
        }
        catch
        {
            foreach (var directory in opened)
            {
                system.Release(directory);
            }
            throw;
        }

        WalkedPath<TDirectory> Done(string name) => new(system, opened, stack[^1], name, trailingSlash);
    }

    /// <summary>The error of a path over <see cref="MaxPathBytes"/>: <c>ENAMETOOLONG</c>.</summary>
    public static WasiErrorException PathTooLong() => new(Errno.NameTooLong, $"path longer than {MaxPathBytes} bytes");

    /// <summary>
    /// <c>ENAMETOOLONG</c> for a path over <see cref="MaxPathBytes"/> or a component over <see cref="MaxComponentBytes"/>
    /// (bytes of UTF-8); also applied to each symbolic link's target as the walk expands it.
    /// </summary>
    public static void CheckLength(string path)
    {
        // A char is at most 3 bytes of UTF-8 (a surrogate pair: 2 chars, 4 bytes), so short strings need no count.
        if (path.Length * 3 <= MaxComponentBytes)
        {
            return;
        }
        if (System.Text.Encoding.UTF8.GetByteCount(path) > MaxPathBytes)
        {
            throw PathTooLong();
        }
        foreach (var range in path.AsSpan().Split('/'))
        {
            var component = path.AsSpan(range);
            if (component.Length * 3 > MaxComponentBytes && System.Text.Encoding.UTF8.GetByteCount(component) > MaxComponentBytes)
            {
                throw new WasiErrorException(Errno.NameTooLong, "path component longer than 255 bytes");
            }
        }
    }

    /// <summary>Puts the components of <paramref name="path"/> on the pending stack so that the first is popped first; empty ones and <c>.</c> drop out.</summary>
    private static void Push(List<string> pending, string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = parts.Length - 1; i >= 0; i--)
        {
            if (parts[i] != ".")
            {
                pending.Add(parts[i]);
            }
        }
    }
}
