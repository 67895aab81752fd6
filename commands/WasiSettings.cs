namespace WasmHarness.Cli;

/// <summary>
/// <c>-S NAME[=VALUE]</c>, wasmtime's WASI settings, as far as this WASI (preview 1 only, no network) has them:
/// <c>inherit-env</c>; <c>cli</c> and <c>preview2=n</c> describe what it always does; the others are "not supported".
/// </summary>
internal static class WasiSettings
{
    /// <summary>What the <c>-S</c> settings of a run ask for.</summary>
    internal sealed record Result(bool InheritEnvironment);

    /// <summary>The settings this WASI has, with their help (for <c>harness settings</c>).</summary>
    public static IReadOnlyList<(string Name, string Help)> Known { get; } =
    [
        ("inherit-env", "y/n: the guest sees every host environment variable (then --env ones override them)"),
        ("cli", "y: the WASI CLI interfaces (always on; n is not supported)"),
        ("preview2", "n: the host implements WASI preview 1, the only one here (y is not supported)"),
    ];

    /// <summary>wasmtime's other <c>-S</c> names: "not supported".</summary>
    public static IReadOnlyList<string> Unsupported { get; } =
    [
        "allow-ip-name-lookup", "cli-exit-with-code", "common", "config", "config-var", "http", "http-outgoing-body-buffer-chunks",
        "http-outgoing-body-chunk-size", "inherit-network", "keyvalue", "keyvalue-in-memory-data", "listenfd", "network-error-code",
        "nn", "nn-graph", "tcp", "tcplisten", "threads", "udp",
    ];

    /// <summary>The text of <c>-S</c>'s help.</summary>
    public static string Help => "WASI setting NAME[=VALUE], repeatable: " + string.Join("; ", Known.Select(k => $"{k.Name}: {k.Help}")) + ".";

    /// <summary>What <paramref name="settings"/> ask for; an unknown or unsupported one is a <see cref="CliException"/>.</summary>
    public static Result Apply(IEnumerable<string> settings)
    {
        var result = new Result(InheritEnvironment: false);
        foreach (var setting in settings)
        {
            var equals = setting.IndexOf('=', StringComparison.Ordinal);
            var (name, value) = equals < 0 ? (setting, "y") : (setting[..equals], setting[(equals + 1)..]);
            var on = value switch
            {
                "y" or "yes" or "true" or "1" => true,
                "n" or "no" or "false" or "0" => false,
                _ => throw new CliException($"bad -S {name}: '{value}' is not valid (expected y or n)"),
            };
            result = name switch
            {
                "inherit-env" => result with { InheritEnvironment = on },
                "cli" when on => result,
                "cli" => throw new CliException("not supported: -S cli=n (the WASI CLI interfaces are always on)"),
                "preview2" when !on => result,
                "preview2" => throw new CliException("not supported: -S preview2 (the WASI host is preview 1 only)"),
                _ when Unsupported.Contains(name) => throw new CliException($"not supported: -S {name}"),
                _ => throw new CliException($"unknown -S setting '{name}' (known: {string.Join(", ", Known.Select(k => k.Name))})"),
            };
        }
        return result;
    }
}
