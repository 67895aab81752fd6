using System.Security.Cryptography;
using System.Text;
using WasmHarness.Execution;
using WasmHarness.Syntax;
using WasmHarness.Wasi;

namespace WasmHarness.Fuzz.Targets;

/// <summary>
/// <c>wasi-paths</c>: the input is a program of WASI path calls (open, create, truncate, mkdir, rmdir, unlink,
/// symlink, link, rename, stat, set_times, readlink, readdir, renumber, close) over paths built from a small
/// vocabulary that is rich in escapes (<c>..</c>, absolute paths, links to the outside, the outside's names). They
/// run on the interpreter against a temporary directory preopened twice (itself and a subdirectory inside it),
/// beside an <c>outside/</c> tree holding a marker. After every call the target checks that nothing outside the
/// sandbox was created, changed or removed and that no byte the guest read or listed came from outside.
/// </summary>
public sealed class WasiPathsTarget : FuzzTarget
{
    private static readonly string[] Components = ["a", "b", "sub", "..", ".", "outside", "secret.txt", "link", "up", "", "x.txt", "sub/..", "../outside"];

    private static readonly string Wat = "(module\n"
        + string.Concat(Signatures.Select(p => $"  (import \"wasi_snapshot_preview1\" \"{p.Key}\" (func ${p.Key} (param {string.Join(' ', p.Value.Select(c => c == 'I' ? "i64" : "i32"))}) (result i32)))\n"))
        + "  (memory (export \"memory\") 1)\n"
        + string.Concat(Signatures.Select(p => $"  (func (export \"{p.Key}\") (param {string.Join(' ', p.Value.Select(c => c == 'I' ? "i64" : "i32"))}) (result i32) {string.Concat(p.Value.Select((_, i) => $"local.get {i} "))}call ${p.Key})\n"))
        + ")";

    private static Dictionary<string, string> Signatures => new()
    {
        ["path_open"] = "iiiiiIIii", ["path_create_directory"] = "iii", ["path_remove_directory"] = "iii", ["path_unlink_file"] = "iii",
        ["path_symlink"] = "iiiii", ["path_link"] = "iiiiiii", ["path_rename"] = "iiiiii", ["path_filestat_get"] = "iiiii",
        ["path_filestat_set_times"] = "iiiiIIi", ["path_readlink"] = "iiiiii", ["fd_readdir"] = "iiiIi", ["fd_renumber"] = "ii",
        ["fd_close"] = "i", ["fd_read"] = "iiii", ["fd_write"] = "iiii",
    };

    public override string Name => "wasi-paths";

    public override string Description => "random WASI path calls over a preopened temp dir; nothing outside may change or be read";

    public override bool TakesGeneratorBytes => true;

    public override Outcome Run(ReadOnlySpan<byte> input)
    {
        var root = Directory.CreateTempSubdirectory("fuzz-wasi-").FullName;
        try
        {
            var inside = Path.Join(root, "sandbox");
            var outside = Path.Join(root, "outside");
            Directory.CreateDirectory(Path.Join(inside, "sub"));
            Directory.CreateDirectory(outside);
            var marker = "MARKER-" + Guid.NewGuid().ToString("N");
            File.WriteAllText(Path.Join(outside, "secret.txt"), marker);
            File.WriteAllText(Path.Join(outside, marker), marker); // its name shows in any listing of the outside
            File.WriteAllText(Path.Join(inside, "a"), "inside");
            File.CreateSymbolicLink(Path.Join(inside, "up"), "..");
            var before = Snapshot(root, inside);
            var engine = new Engine();
            using var context = new WasiContext(new WasiConfiguration().WithPreopenedDirectory(inside, ".").WithPreopenedDirectory(Path.Join(inside, "sub"), "sub"));
            var instance = CompiledModule.FromText(engine, Wat).Instantiate(new Store(engine), context.Define(new Linker()));
            context.Bind(instance);
            var memory = instance.GetMemory("memory");
            var reader = new Reader(input);
            for (var step = 0; step < 64 && !reader.AtEnd; step++)
            {
                var seen = Step(instance, memory, ref reader);
                if (seen is not null && seen.Contains(marker, StringComparison.Ordinal))
                {
                    throw new FuzzFinding(Name, $"step {step}: the guest saw outside data: {seen}");
                }
                if (Snapshot(root, inside) != before)
                {
                    throw new FuzzFinding(Name, $"step {step}: something outside the sandbox changed:\n{Snapshot(root, inside)}\nwas\n{before}");
                }
            }
            return Outcome.Valid;
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>One call chosen by the input; returns any text the guest read or listed.</summary>
    private static string? Step(ModuleInstance instance, MemoryInstance memory, ref Reader input)
    {
        int Put(int address, string text)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            memory.WriteBytes((ulong)address, bytes);
            return bytes.Length;
        }
        string NextPath(ref Reader r)
        {
            var count = 1 + r.Next() % 3;
            var parts = new List<string>();
            for (var i = 0; i < count; i++)
            {
                parts.Add(Components[r.Next() % Components.Length]);
            }
            var path = string.Join('/', parts);
            return (r.Next() % 8) switch
            {
                0 => "/" + path,
                1 => path + "/",
                _ => path,
            };
        }
        int Call(string name, params long[] args)
        {
            var function = instance.GetFunction(name);
            var values = args.Select((a, i) => function.Type.Parameters[i].Kind == ValueKind.I64 ? Value.FromI64(a) : Value.FromI32((int)a)).ToArray();
            return function.Invoke(values)[0].I32;
        }
        var fd = 3 + input.Next() % 4;
        var follow = input.Next() & 1;
        const int p1 = 1024, p2 = 2048, result = 512, buffer = 8192;
        switch (input.Next() % 14)
        {
            case 0 or 1:
            {
                var oflags = input.Next() % 16;
                var rights = (long)(Rights.FdRead | Rights.FdWrite | Rights.FdReaddir | Rights.PathOpen | Rights.FdSeek);
                if (Call("path_open", fd, follow, p1, Put(p1, NextPath(ref input)), oflags, rights, (long)Rights.All, 0, result) != 0)
                {
                    return null;
                }
                var opened = (int)memory.Read<uint>(result);
                memory.Write(16UL, 0, (uint)buffer);
                memory.Write(20UL, 0, 4096u);
                string? text = null;
                if (Call("fd_read", opened, 16, 1, result) == 0)
                {
                    var bytes = new byte[memory.Read<uint>(result)];
                    memory.ReadBytes(buffer, bytes);
                    text = Encoding.UTF8.GetString(bytes);
                }
                else if (Call("fd_readdir", opened, buffer, 4096, 0, result) == 0)
                {
                    var bytes = new byte[memory.Read<uint>(result)];
                    memory.ReadBytes(buffer, bytes);
                    text = Encoding.UTF8.GetString(bytes);
                }
                memory.Write(20UL, 0, (uint)Put(buffer, "written"));
                Call("fd_write", opened, 16, 1, result);
                if (input.Next() % 2 == 0)
                {
                    Call("fd_close", opened);
                }
                return text;
            }
            case 2:
                Call("path_create_directory", fd, p1, Put(p1, NextPath(ref input)));
                return null;
            case 3:
                Call("path_remove_directory", fd, p1, Put(p1, NextPath(ref input)));
                return null;
            case 4:
                Call("path_unlink_file", fd, p1, Put(p1, NextPath(ref input)));
                return null;
            case 5:
                Call("path_symlink", p1, Put(p1, NextPath(ref input)), fd, p2, Put(p2, NextPath(ref input)));
                return null;
            case 6:
                Call("path_link", fd, follow, p1, Put(p1, NextPath(ref input)), 3 + input.Next() % 4, p2, Put(p2, NextPath(ref input)));
                return null;
            case 7:
                Call("path_rename", fd, p1, Put(p1, NextPath(ref input)), 3 + input.Next() % 4, p2, Put(p2, NextPath(ref input)));
                return null;
            case 8:
                Call("path_filestat_get", fd, follow, p1, Put(p1, NextPath(ref input)), buffer);
                return null;
            case 9:
                Call("path_filestat_set_times", fd, follow, p1, Put(p1, NextPath(ref input)), 0, 0, 1 | 4);
                return null;
            case 10:
                Call("path_readlink", fd, p1, Put(p1, NextPath(ref input)), buffer, 256, result);
                return null;
            case 11:
                Call("fd_renumber", fd, 3 + input.Next() % 4);
                return null;
            case 12:
                Call("fd_close", fd);
                return null;
            default:
                if (Call("fd_readdir", fd, buffer, 4096, 0, result) != 0)
                {
                    return null;
                }
                var listing = new byte[memory.Read<uint>(result)];
                memory.ReadBytes(buffer, listing);
                return Encoding.UTF8.GetString(listing);
        }
    }

    /// <summary>Names, types, link targets, sizes, contents and times of everything outside <paramref name="inside"/>.</summary>
    private static string Snapshot(string root, string inside)
    {
        var text = new StringBuilder();
        void Walk(string directory)
        {
            foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                if (entry.FullName == inside)
                {
                    continue;
                }
                text.Append(entry.FullName).Append(' ').Append(entry.LinkTarget).Append(' ').Append(entry.LastWriteTimeUtc.Ticks);
                if (entry is FileInfo { LinkTarget: null } file)
                {
                    text.Append(' ').Append(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file.FullName))));
                }
                text.Append('\n');
                if (entry is DirectoryInfo { LinkTarget: null })
                {
                    Walk(entry.FullName);
                }
            }
        }
        Walk(root);
        return text.ToString();
    }

    /// <summary>The input as a stream of bytes (zeros after its end).</summary>
    private ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _at;

        public readonly bool AtEnd => _at >= _bytes.Length;

        public int Next() => _at < _bytes.Length ? _bytes[_at++] : 0;
    }
}
