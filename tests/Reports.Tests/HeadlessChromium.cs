using System.Diagnostics;
using System.Text.RegularExpressions;

namespace WasmHarness.Reports.Tests;

/// <summary>
/// Debian's <c>chromium</c> in headless mode: loads a page from a file, takes a screenshot, and returns what the
/// page wrote to its console (Chromium logs console messages to stderr as <c>...:CONSOLE...] "text", source: ...</c>
/// with <c>--enable-logging=stderr --v=0</c>; uncaught exceptions come out the same way). The command line rather
/// than the DevTools protocol: nothing to connect to, nothing left running.
/// </summary>
public static partial class HeadlessChromium
{
    /// <summary>The browser: <c>$CHROMIUM</c>, else the first of chromium, chromium-browser, google-chrome on PATH; null when none.</summary>
    public static string? Executable { get; } = Find();

    public const string Missing = "chromium is not installed (apt-get install chromium, which .ci/run does as root or through passwordless sudo); set CHROMIUM=path to use another";

    public sealed record Result(int ExitCode, byte[] Screenshot, IReadOnlyList<string> ConsoleMessages, string Log);

    public static Result Screenshot(string htmlPath, string workFolder)
    {
        var png = Path.Combine(workFolder, "screenshot.png");
        var profile = Path.Combine(workFolder, "profile");
        var start = new ProcessStartInfo(Executable ?? throw new InvalidOperationException(Missing),
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars",
            "--disable-extensions", "--disable-background-networking", $"--user-data-dir={profile}",
            "--enable-logging=stderr", "--v=0", "--window-size=1280,2400", $"--screenshot={png}", new Uri(Path.GetFullPath(htmlPath)).AbsoluteUri,
        ]);
        var (exitCode, output, error) = Run(start);
        var log = error + output;
        var console = log.Split('\n').Where(line => ConsoleLine().IsMatch(line)).ToList();
        return new Result(exitCode, File.Exists(png) ? File.ReadAllBytes(png) : [], console, log);
    }

    /// <summary>
    /// The page's DOM after Chromium has loaded and laid it out (<c>--dump-dom</c>, serialised as HTML): what the
    /// browser made of the page, inline SVG included, rather than the file's text.
    /// </summary>
    public static (int ExitCode, string Dom, string Log) DumpDom(string htmlPath, string workFolder)
    {
        var start = new ProcessStartInfo(Executable ?? throw new InvalidOperationException(Missing),
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--disable-extensions", "--disable-background-networking", $"--user-data-dir={Path.Combine(workFolder, "profile-dom")}",
            "--dump-dom", new Uri(Path.GetFullPath(htmlPath)).AbsoluteUri,
        ]);
        return Run(start);
    }

    /// <summary>Runs Chromium to its end (killed after 120 s): exit code, standard output, standard error.</summary>
    private static (int ExitCode, string Output, string Error) Run(ProcessStartInfo start)
    {
        start.RedirectStandardError = true;
        start.RedirectStandardOutput = true;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"chromium did not finish within 120 s: {error.Result}");
        }
        return (process.ExitCode, output.Result, error.Result);
    }

    [GeneratedRegex(@":CONSOLE[:(\]]")]
    private static partial Regex ConsoleLine();

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("CHROMIUM") is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : null;
        }
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return new[] { "chromium", "chromium-browser", "google-chrome" }
            .SelectMany(name => path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Select(dir => Path.Combine(dir, name)))
            .FirstOrDefault(File.Exists);
    }
}

/// <summary>A fact that is skipped, with the install line as the reason, where Chromium is absent.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (HeadlessChromium.Executable is null)
        {
            Skip = HeadlessChromium.Missing;
        }
    }
}
