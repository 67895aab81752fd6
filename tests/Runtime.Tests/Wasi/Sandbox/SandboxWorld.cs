using System.Security.Cryptography;
using System.Text;

namespace WasmHarness.Tests.Wasi.Sandbox;

/// <summary>
/// The host files of an escape test: <c>sandbox/</c> (what is preopened, with <c>sub/</c> inside) and, beside it,
/// <c>outside/</c> holding a secret with a marker no guest may ever see. <see cref="Snapshot"/> records everything
/// outside the sandbox (names, types, sizes, contents, times, link targets), so a test proves nothing there was
/// created, changed or removed; the marker proves nothing there was read, and the outside names that nothing was listed.
/// </summary>
internal sealed class SandboxWorld : IDisposable
{
    public SandboxWorld()
    {
        Root = Directory.CreateTempSubdirectory("wasi-sandbox-").FullName;
        Inside = Path.Join(Root, "sandbox");
        Outside = Path.Join(Root, "outside");
        Directory.CreateDirectory(Path.Join(Inside, "sub", "deeper"));
        File.WriteAllText(Path.Join(Inside, "data.txt"), "inside");
        File.WriteAllText(Path.Join(Inside, "sub", "note.txt"), "note");
        Directory.CreateDirectory(Path.Join(Outside, "vault-dir"));
        File.WriteAllText(Path.Join(Outside, "secret.txt"), Marker);
        File.WriteAllText(Path.Join(Outside, "vault-dir", "secret.txt"), Marker);
        File.WriteAllText(Path.Join(Root, "secret.txt"), Marker);
        // The outside tree's times are set back to 2001, so a touch (set_times to now or to any other time) shows in the snapshot.
        foreach (var path in OutsideEntries(Root).Append(Outside))
        {
            File.SetLastAccessTimeUtc(path, new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
            File.SetLastWriteTimeUtc(path, new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        }
        Before = Snapshot();
    }

    /// <summary>The text of every outside file: a guest that shows it read something outside.</summary>
    public string Marker { get; } = "TOP-SECRET-" + Guid.NewGuid().ToString("N");

    /// <summary>Names only the outside tree has: a guest listing that shows one listed something outside.</summary>
    public static readonly string[] OutsideNames = ["vault-dir", "outside"];

    public string Root { get; }

    public string Inside { get; }

    public string Outside { get; }

    public string Before { get; }

    private bool IsInside(string path) => path == Inside || path.StartsWith(Inside + "/", StringComparison.Ordinal);

    /// <summary>Everything outside the sandbox: the root's tree less <c>sandbox/</c>, and <c>/etc/passwd</c>'s size and time.</summary>
    public string Snapshot()
    {
        var text = new StringBuilder();
        foreach (var path in OutsideEntries(Root).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(path);
            text.Append(Path.GetRelativePath(Root, path)).Append(' ').Append(info.Attributes.HasFlag(FileAttributes.Directory) ? "dir" : "file")
                .Append(' ').Append(info.LinkTarget ?? "").Append(' ').Append(File.GetLastWriteTimeUtc(path).Ticks);
            if (info.LinkTarget is null && !info.Attributes.HasFlag(FileAttributes.Directory))
            {
                text.Append(' ').Append(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))));
            }
            text.Append('\n');
        }
        text.Append("root ").Append(File.GetLastWriteTimeUtc(Root).Ticks).Append(' ').Append(string.Join(',', Directory.EnumerateFileSystemEntries(Root).Select(Path.GetFileName).Order(StringComparer.Ordinal))).Append('\n');
        if (File.Exists("/etc/passwd"))
        {
            text.Append("/etc/passwd ").Append(new FileInfo("/etc/passwd").Length).Append(' ').Append(File.GetLastWriteTimeUtc("/etc/passwd").Ticks).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>Every entry below <paramref name="directory"/> but the sandbox, recursing into real directories only (a guest's link to ".." must not make the walk climb).</summary>
    private IEnumerable<string> OutsideEntries(string directory)
    {
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
        {
            if (IsInside(entry.FullName))
            {
                continue;
            }
            yield return entry.FullName;
            if (entry is DirectoryInfo && entry.LinkTarget is null)
            {
                foreach (var below in OutsideEntries(entry.FullName))
                {
                    yield return below;
                }
            }
        }
    }

    /// <summary>Asserts that nothing outside the sandbox changed, and that no text the guest saw holds the marker or an outside name.</summary>
    public void AssertUntouched(IEnumerable<string?> seenByGuest)
    {
        Assert.Equal(Before, Snapshot());
        foreach (var seen in seenByGuest.OfType<string>())
        {
            Assert.DoesNotContain(Marker, seen, StringComparison.Ordinal);
            Assert.DoesNotContain("root:x:0:0", seen, StringComparison.Ordinal);
            foreach (var name in OutsideNames)
            {
                Assert.DoesNotContain(name, seen, StringComparison.Ordinal);
            }
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
