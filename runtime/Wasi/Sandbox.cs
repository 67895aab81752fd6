namespace WasmHarness.Wasi;

/// <summary>A guest path resolved inside a directory's sandbox.</summary>
/// <param name="HostPath">The host path of the final component (the directory itself when the path is <c>.</c>).</param>
/// <param name="Type">The final component's type, without following a final symbolic link; null when it does not exist.</param>
/// <param name="IsRoot">True when the path names the directory itself.</param>
/// <param name="MustBeDirectory">The path ended in <c>/</c>.</param>
/// <param name="Components">The components from the preopen's root to the final one.</param>
internal readonly record struct ResolvedPath(string HostPath, FileType? Type, bool IsRoot, bool MustBeDirectory, IReadOnlyList<string> Components);

/// <summary>
/// The security boundary of the file system: resolves a guest path relative to a directory descriptor one
/// component at a time, the way wasmtime (cap-std) does. Absolute paths are refused; <c>..</c> may not climb
/// above the directory; every symbolic link met on the way is expanded by reading it and continuing inside the
/// sandbox, so a link whose target is absolute or climbs out is refused. The host file system is never asked
/// to follow a link: every component passed to it has been checked to be a directory (or is the final one,
/// checked to be no link, or a link the caller does not follow).
/// </summary>
internal static class Sandbox
{
    /// <summary>How many symbolic links one resolution may expand before <c>ELOOP</c>.</summary>
    public const int MaxSymlinkExpansions = 32;

    /// <summary>The errno for an attempt to leave the sandbox: <c>EPERM</c>, as wasmtime (cap-std) answers.</summary>
    public const Errno EscapeErrno = Errno.Perm;

    public static ResolvedPath Resolve(DirectoryDescriptor directory, string path, bool followFinalSymlink)
    {
        if (path.Length == 0)
        {
            throw new WasiErrorException(Errno.NoEnt, "empty path");
        }
        if (path.Contains('\0'))
        {
            throw new WasiErrorException(Errno.Inval, "path contains NUL");
        }
        if (path[0] == '/')
        {
            throw new WasiErrorException(EscapeErrno, "absolute path");
        }
        var mustBeDirectory = path[^1] == '/';
        var basePath = directory.VerifiedHostPath();
        var stack = new List<string>();
        var pending = new Stack<string>();
        PushComponents(pending, path);
        var expansions = 0;
        while (pending.Count > 0)
        {
            var name = pending.Pop();
            if (name == "..")
            {
                if (stack.Count == 0)
                {
                    throw new WasiErrorException(EscapeErrno, "path climbs out of its directory");
                }
                stack.RemoveAt(stack.Count - 1);
                continue;
            }
            var isLast = pending.Count == 0;
            var host = Join(basePath, [.. stack, name]);
            var type = HostFileSystem.Probe(host);
            if (type == FileType.SymbolicLink && (!isLast || followFinalSymlink || mustBeDirectory))
            {
                if (++expansions > MaxSymlinkExpansions)
                {
                    throw new WasiErrorException(Errno.Loop, "too many symbolic links");
                }
                var target = HostFileSystem.ReadLink(host) ?? throw new WasiErrorException(Errno.NoEnt);
                if (target.Length == 0)
                {
                    throw new WasiErrorException(Errno.NoEnt, "empty symbolic link");
                }
                if (target[0] == '/')
                {
                    throw new WasiErrorException(EscapeErrno, "symbolic link to an absolute path");
                }
                if (isLast && target[^1] == '/')
                {
                    mustBeDirectory = true;
                }
                PushComponents(pending, target);
                continue;
            }
            if (!isLast)
            {
                if (type is null)
                {
                    throw new WasiErrorException(Errno.NoEnt);
                }
                if (type != FileType.Directory)
                {
                    throw new WasiErrorException(Errno.NotDir);
                }
            }
            stack.Add(name);
        }
        var hostPath = Join(basePath, stack);
        var finalType = stack.Count == 0 ? FileType.Directory : HostFileSystem.Probe(hostPath);
        if (mustBeDirectory && finalType is not null and not FileType.Directory)
        {
            throw new WasiErrorException(Errno.NotDir);
        }
        return new ResolvedPath(hostPath, finalType, stack.Count == 0, mustBeDirectory, [.. directory.Components, .. stack]);
    }

    private static void PushComponents(Stack<string> pending, string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = parts.Length - 1; i >= 0; i--)
        {
            if (parts[i] != ".")
            {
                pending.Push(parts[i]);
            }
        }
    }

    /// <summary>Joins a host directory and components with '/'.</summary>
    public static string Join(string root, IEnumerable<string> components)
    {
        var joined = string.Join('/', components.Prepend(root.TrimEnd('/')));
        return joined.Length == 0 ? "/" : joined;
    }
}
