using System.Globalization;
using WasmHarness.Validation;

namespace WasmHarness.Cli;

/// <summary>
/// <c>-W name=value</c>, as wasmtime's: every <see cref="ModuleLimits.Settings"/> name (<c>max-functions</c>, ...), and
/// the engine's own limits and settings. An unknown name or a bad value is one <see cref="CliException"/> (exit 1).
/// </summary>
internal static class EngineSettings
{
    /// <summary>The settings that are not module limits: name → (what the value is, how it changes the options).</summary>
    private static readonly Dictionary<string, (string Help, Func<EngineOptions, string, EngineOptions?> Apply)> Engine = new(StringComparer.Ordinal)
    {
        ["max-memory-size"] = ("bytes a linear memory may reach (EngineOptions.MaxMemoryBytes, default 4 GiB)", (o, v) => ULong(v) is { } n ? o with { MaxMemoryBytes = n } : null),
        ["max-gc-heap"] = ("bytes of GC objects a store may hold; beyond, allocation traps (EngineOptions.MaxGcHeapBytes, default 4 GiB)", (o, v) => Long(v) is { } n and > 0 ? o with { MaxGcHeapBytes = n } : null),
        ["max-table-elements"] = ("elements a table may reach (EngineOptions.MaxTableElements)", (o, v) => ULong(v) is { } n ? o with { MaxTableElements = n } : null),
        ["fuel"] = ("instruction budget; running out traps (EngineOptions.Fuel, as --fuel)", (o, v) => Long(v) is { } n and >= 0 ? o with { Fuel = n } : null),
        ["max-call-depth"] = ("nested Wasm calls before 'call stack exhausted' (EngineOptions.MaxCallDepth)", (o, v) => Int(v) is { } n and > 0 ? o with { MaxCallDepth = n } : null),
        ["max-stack-slots"] = ("operand stack slots of all frames (EngineOptions.MaxStackSlots)", (o, v) => Int(v) is { } n and > 0 ? o with { MaxStackSlots = n } : null),
        ["memory-reservation"] = ("y/n: reserve each memory's address space up front (EngineOptions.ReserveMemoryAddressSpace)", (o, v) => Bool(v) is { } b ? o with { ReserveMemoryAddressSpace = b } : null),
        ["relaxed-simd-deterministic"] = ("y/n: relaxed SIMD gives the same result on every host (default y)", (o, v) => Bool(v) is { } b ? o with { RelaxedSimd = b ? RelaxedSimdMode.Deterministic : RelaxedSimdMode.Native } : null),
    };

    /// <summary>Every name <c>-W</c> takes, sorted.</summary>
    public static IEnumerable<string> Names => ModuleLimits.Settings.Keys.Concat(Engine.Keys).Order(StringComparer.Ordinal);

    /// <summary>The text of <c>-W</c>'s help.</summary>
    public static string Help => "Engine setting NAME=VALUE, repeatable: module limits (" + string.Join(", ", ModuleLimits.Settings.Keys)
        + "; non-negative integers) and " + string.Join("; ", Engine.Select(pair => $"{pair.Key}: {pair.Value.Help}")) + ".";

    /// <summary><paramref name="options"/> with each <c>NAME=VALUE</c> of <paramref name="settings"/> applied in order.</summary>
    public static EngineOptions Apply(EngineOptions options, IEnumerable<string> settings)
    {
        foreach (var setting in settings)
        {
            var equals = setting.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CliException($"bad -W '{setting}': expected NAME=VALUE");
            }
            var (name, value) = (setting[..equals], setting[(equals + 1)..]);
            if (ModuleLimits.Settings.TryGetValue(name, out var limit))
            {
                var number = Long(value) ?? throw BadValue(name, value, "a non-negative integer");
                options = options with { ModuleLimits = limit(options.ModuleLimits, number) };
            }
            else if (Engine.TryGetValue(name, out var engine))
            {
                options = engine.Apply(options, value) ?? throw BadValue(name, value, engine.Help);
            }
            else
            {
                throw new CliException($"unknown -W setting '{name}' (known: {string.Join(", ", Names)})");
            }
        }
        return options;
    }

    private static CliException BadValue(string name, string value, string expected) => new($"bad -W {name}: '{value}' is not valid (expected {expected})");

    private static long? Long(string value) =>
        long.TryParse(value.Replace("_", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static ulong? ULong(string value) =>
        ulong.TryParse(value.Replace("_", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static int? Int(string value) =>
        int.TryParse(value.Replace("_", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static bool? Bool(string value) => value switch
    {
        "y" or "yes" or "true" or "1" => true,
        "n" or "no" or "false" or "0" => false,
        _ => null,
    };
}
