using System.Globalization;
using System.Runtime.InteropServices;

namespace WasmHarness.Cli;

/// <summary>
/// Reads the files the commands load (modules, compiled code, scripts): only regular files (not <c>/dev/zero</c>, a
/// FIFO or a directory, which would read forever, block or fail obscurely), and never more than a limit
/// (<c>--max-module-size</c>, 1 GiB by default, as <see cref="Validation.ModuleLimits.ModuleBytes"/>); every refusal
/// is one <see cref="CliException"/>.
/// </summary>
internal static partial class ModuleFile
{
    /// <summary>The default limit: wasmparser's and ours on a binary module's size.</summary>
    public static long DefaultMaxBytes => Validation.ModuleLimits.Default.ModuleBytes;

    /// <summary>
    /// Refuses <paramref name="path"/> unless it is a regular file (after following links) of at most
    /// <paramref name="maxBytes"/> bytes; opens nothing, so a FIFO cannot block.
    /// </summary>
    public static void Check(string path, long maxBytes)
    {
        var (kind, size) = Stat(path);
        if (kind != "regular file")
        {
            throw new CliException($"{path}: not a regular file ({kind})");
        }
        if (size > maxBytes)
        {
            throw TooLarge(path, maxBytes, size);
        }
    }

    /// <summary>
    /// The bytes of <paramref name="path"/>, which the caller has passed through <see cref="Check"/> (it must decide
    /// what the file is before opening it); reads at most <paramref name="maxBytes"/> + 1 bytes even if the file grew
    /// or was replaced meanwhile.
    /// </summary>
    public static byte[] ReadChecked(string path, long maxBytes)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
            var buffer = new MemoryStream((int)Math.Min(Math.Max(file.Length, 0), Math.Min(maxBytes, Array.MaxLength)));
            var chunk = new byte[1 << 16];
            while (true)
            {
                var want = (int)Math.Min(chunk.Length, maxBytes + 1 - buffer.Length);
                var read = file.Read(chunk, 0, want);
                if (read == 0)
                {
                    return buffer.ToArray();
                }
                buffer.Write(chunk, 0, read);
                if (buffer.Length > maxBytes)
                {
                    throw TooLarge(path, maxBytes, null);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read {path}: {e.Message}");
        }
    }

    private static CliException TooLarge(string path, long maxBytes, long? size) => new(string.Create(
        CultureInfo.InvariantCulture,
        $"{path}: {(size is { } s ? $"{s} bytes" : "the file")} exceeds the limit of {maxBytes} bytes (--max-module-size)"));

    /// <summary>What <paramref name="path"/> is (following links) and its size; a missing or unreadable path is a <see cref="CliException"/>.</summary>
    private static (string Kind, long Size) Stat(string path)
    {
        if (OperatingSystem.IsLinux())
        {
            Span<byte> buffer = stackalloc byte[256];
            // statx(AT_FDCWD, path, 0, STATX_TYPE | STATX_SIZE): the layout is the same on every architecture.
            if (Statx(-100, path, 0, 0x1 | 0x200, buffer) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new CliException(errno == 2 ? $"no such file: {path}" : $"cannot read {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
            }
            var kind = (BitConverter.ToUInt16(buffer[28..]) & 0xF000) switch
            {
                0x8000 => "regular file",
                0x4000 => "a directory",
                0x2000 => "a character device",
                0x6000 => "a block device",
                0x1000 => "a FIFO",
                0xC000 => "a socket",
                _ => "an unknown kind of file",
            };
            return (kind, (long)BitConverter.ToUInt64(buffer[40..]));
        }
        // Elsewhere: directories are told apart; the bounded read still stops a device that never ends.
        if (Directory.Exists(path))
        {
            return ("a directory", 0);
        }
        var info = new FileInfo(path);
        return info.Exists ? ("regular file", info.Length) : throw new CliException($"no such file: {path}");
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directory, string path, int flags, uint mask, Span<byte> buffer);
}
