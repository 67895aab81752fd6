using System.Text.Json;

namespace WasmHarness.Wast.Wasi;

/// <summary>
/// One test of the WASI suite: a <c>.wasm</c> program and what its <c>.json</c> specification (legacy form, see the
/// suite's doc/specification.md) asks: arguments, environment, a directory preopened as <c>/</c>, and the
/// expected exit code and standard output. A test without a <c>.json</c> expects exit code 0. Standard output is
/// compared only when the specification gives <c>stdout</c>: the suite's reference runner (test-runner's
/// <c>Config.stdout</c> is <c>Optional</c>, default <c>None</c>) checks it only then, and two tests print
/// diagnostics no engine could match byte for byte (rights masks, a hash map's order).
/// </summary>
public sealed record WasiTestCase(string Name, string Wasm, IReadOnlyList<string> Args, IReadOnlyList<KeyValuePair<string, string>> Env, string? Root, int ExitCode, string? Stdout)
{
    /// <summary>Every test of the suite, named <c>language/test</c>, in order.</summary>
    public static IReadOnlyList<WasiTestCase> All(string suiteRoot) =>
        [.. WasiSuiteLocator.TestFolders(suiteRoot).SelectMany(folder => Directory.EnumerateFiles(folder, "*.wasm").Order(StringComparer.Ordinal)
            .Select(wasm => Read(wasm, $"{Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(folder)))}/{Path.GetFileNameWithoutExtension(wasm)}")))];

    /// <summary>Reads the specification beside <paramref name="wasm"/>.</summary>
    public static WasiTestCase Read(string wasm, string name)
    {
        var json = Path.ChangeExtension(wasm, ".json");
        if (!File.Exists(json))
        {
            return new WasiTestCase(name, wasm, [], [], null, 0, null);
        }
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var spec = document.RootElement;
        if (spec.TryGetProperty("operations", out _))
        {
            throw new NotSupportedException($"{json}: operation-based specifications are not supported (no preview 1 test uses them)");
        }
        var args = spec.TryGetProperty("args", out var a) ? a.EnumerateArray().Select(e => e.GetString() ?? "").ToList() : [];
        var env = spec.TryGetProperty("env", out var e) ? e.EnumerateObject().Select(p => new KeyValuePair<string, string>(p.Name, p.Value.GetString() ?? "")).ToList() : [];
        var root = spec.TryGetProperty("root", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        var exitCode = spec.TryGetProperty("exit_code", out var x) ? x.GetInt32() : 0;
        var stdout = spec.TryGetProperty("stdout", out var o) ? o.GetString() ?? "" : null;
        return new WasiTestCase(name, wasm, args, env, root, exitCode, stdout);
    }

    /// <summary>
    /// A fresh copy of the test's root directory (tests create and remove files), with the suite's <c>*.cleanup</c>
    /// artefacts removed; null when the test preopens nothing.
    /// </summary>
    public string? PrepareRoot(string scratch)
    {
        if (Root is null)
        {
            return null;
        }
        var copy = Path.Combine(scratch, Path.GetFileName(Root));
        CopyTree(Path.Combine(Path.GetDirectoryName(Wasm)!, Root), copy);
        foreach (var artefact in Directory.EnumerateFiles(copy, "*.cleanup", SearchOption.AllDirectories))
        {
            File.Delete(artefact);
        }
        return copy;
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var entry in new DirectoryInfo(from).EnumerateFileSystemInfos())
        {
            var target = Path.Combine(to, entry.Name);
            if (entry.LinkTarget is { } link)
            {
                File.CreateSymbolicLink(target, link);
            }
            else if (entry is DirectoryInfo)
            {
                CopyTree(entry.FullName, target);
            }
            else
            {
                File.Copy(entry.FullName, target);
            }
        }
    }
}
