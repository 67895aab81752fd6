using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using WasmHarness.Fuzz.Targets;

namespace WasmHarness.Fuzz;

/// <summary>
/// Replays inputs and groups findings by signature: the exception type, the first line of a finding's message with
/// numbers taken out, and the top frames of the stack in the harness's own code. Each input is replayed in a child
/// process, so that a stack overflow or a hang is a signature too, not the end of triage.
/// </summary>
public static partial class Triage
{
    /// <summary>Frames of the stack that name a finding: the harness's own, at most this many.</summary>
    public const int TopFrames = 3;

    /// <summary>Runs one input in this process: null when it is handled, else its signature and the exception.</summary>
    public static (string Signature, Exception Error)? Replay(FuzzTarget target, byte[] input)
    {
        try
        {
            target.Run(input);
            return null;
        }
        catch (Exception e)
        {
            return (Signature(e), e);
        }
    }

    /// <summary>The signature of an exception that escaped a target.</summary>
    public static string Signature(Exception e)
    {
        var message = e is FuzzFinding finding ? Numbers().Replace(finding.Message.Split('\n')[0], "N") : "";
        var frames = new StackTrace(e, fNeedFileInfo: false).GetFrames()
            .Select(f => f.GetMethod())
            .Where(m => m?.DeclaringType?.Namespace?.StartsWith("WasmHarness", StringComparison.Ordinal) == true
                && m.DeclaringType.Namespace?.StartsWith("WasmHarness.Fuzz", StringComparison.Ordinal) != true)
            .Take(TopFrames)
            .Select(m => $"{m!.DeclaringType!.Name}.{m.Name}");
        return $"{e.GetType().Name}{(message.Length > 0 ? $" [{message}]" : "")} at {string.Join(" < ", frames.DefaultIfEmpty("?"))}";
    }

    [GeneratedRegex(@"\b(0x[0-9a-fA-F]+|-?\d+(\.\d+)?)\b")]
    private static partial Regex Numbers();

    /// <summary>
    /// Replays every file of <paramref name="findings"/> (AFL++'s <c>crashes/</c> and <c>hangs/</c> folders, or any
    /// folder of inputs) in child processes, keeps the smallest input per signature in <paramref name="output"/>
    /// (named by a hash of the signature) and writes <c>SIGNATURES.txt</c> there. Returns the number of signatures.
    /// </summary>
    public static int Run(FuzzTarget target, IEnumerable<string> findings, string output, TimeSpan timeout)
    {
        var groups = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var file in findings.Where(f => !Path.GetFileName(f).StartsWith("README", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var signature = ReplayInChild(target, file, timeout);
            if (signature is null)
            {
                Console.WriteLine($"  not reproduced: {file}");
                continue;
            }
            if (!groups.TryGetValue(signature, out var files))
            {
                groups[signature] = files = [];
            }
            files.Add(file);
        }
        Directory.CreateDirectory(output);
        var report = new StringBuilder();
        foreach (var (signature, files) in groups.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var smallest = files.OrderBy(f => new FileInfo(f).Length).ThenBy(f => f, StringComparer.Ordinal).First();
            var name = $"{SignatureId(signature)}.{target.Extension}";
            File.Copy(smallest, Path.Combine(output, name), overwrite: true);
            report.AppendLine($"{name}\t{files.Count} inputs\t{signature}");
            Console.WriteLine($"  {files.Count,5} x {signature}\n        -> {name}");
        }
        File.WriteAllText(Path.Combine(output, "SIGNATURES.txt"), report.ToString());
        return groups.Count;
    }

    /// <summary>A short stable name for a signature.</summary>
    public static string SignatureId(string signature) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(signature)))[..12].ToLowerInvariant();

    private static string? ReplayInChild(FuzzTarget target, string file, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            info.ArgumentList.Add(typeof(Triage).Assembly.Location);
        }
        foreach (var arg in new[] { "replay", target.Name, "--signature", file })
        {
            info.ArgumentList.Add(arg);
        }
        using var child = Process.Start(info)!;
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        if (!child.WaitForExit(timeout))
        {
            child.Kill(entireProcessTree: true);
            return $"Hang (no result in {timeout.TotalSeconds:0} s)";
        }
        var line = stdout.Result.Split('\n').FirstOrDefault(l => l.StartsWith("SIGNATURE\t", StringComparison.Ordinal));
        if (line is not null)
        {
            return line["SIGNATURE\t".Length..].Trim();
        }
        if (child.ExitCode == 0)
        {
            return null;
        }
        var last = stderr.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .FirstOrDefault(l => l.Contains("Stack overflow", StringComparison.OrdinalIgnoreCase) || l.Contains("Exception", StringComparison.Ordinal));
        return $"ProcessCrash (exit {child.ExitCode}){(last is null ? "" : $": {Numbers().Replace(last, "N")}")}";
    }
}
