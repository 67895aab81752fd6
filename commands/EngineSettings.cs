using System.Globalization;
using WasmHarness.Validation;

namespace WasmHarness.Cli;

/// <summary>What <c>-W</c> settings configure: the engine's options, and the run's wall-clock limit.</summary>
internal sealed record EngineConfiguration(EngineOptions Options, TimeSpan? Timeout);

/// <summary>
/// <c>-W name=value</c>, as wasmtime's: every <see cref="ModuleLimits.Settings"/> name (<c>max-functions</c>, ...), the
/// engine's own limits and settings, the feature switches (<c>simd</c>, <c>gc</c>, ...) and <c>timeout</c>. An unknown
/// name, a wasmtime name we do not support, or a bad value is one <see cref="CliException"/> (exit 1).
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
        ["threaded-interpreter"] = ("y/n: the interpreter runs functions of numbers as threaded code (EngineOptions.ThreadedInterpreter, default y)", (o, v) => Bool(v) is { } b ? o with { ThreadedInterpreter = b } : null),
        ["jit-tier-up"] = ("with --tier jit: N (default 1000) starts every function in the interpreter and compiles it once it has had N calls or N loop iterations, a hot loop moving into the compiled code; 0 compiles each function on its first call (EngineOptions.JitTierUp)", (o, v) => Int(v) is { } n and >= 0 ? o with { JitTierUp = n } : null),
        ["relaxed-simd-deterministic"] = ("y/n: relaxed SIMD gives the same result on every host (default y)", (o, v) => Bool(v) is { } b ? o with { RelaxedSimd = b ? RelaxedSimdMode.Deterministic : RelaxedSimdMode.Native } : null),
    };

    /// <summary>
    /// wasmtime's feature switches for what this runtime never has: <c>NAME=n</c> is accepted (it changes nothing),
    /// <c>NAME</c> or <c>NAME=y</c> is "not supported".
    /// </summary>
    private static readonly HashSet<string> AbsentFeatures = new(StringComparer.Ordinal)
    {
        "shared-everything-threads", "component-model", "component-model-async", "stack-switching",
    };

    /// <summary>wasmtime's Wasm 2.0 switches: always on here, so <c>=y</c> is accepted and <c>=n</c> is "not supported".</summary>
    private static readonly HashSet<string> AlwaysOnFeatures = new(StringComparer.Ordinal) { "bulk-memory", "multi-value", "reference-types" };

    /// <summary>wasmtime's other <c>-W</c> settings, which this engine does not have: "not supported", with why.</summary>
    private static readonly Dictionary<string, string> UnsupportedSettings = new(StringComparer.Ordinal)
    {
        ["nan-canonicalization"] = "NaN results are the hardware's, as the spec allows",
        ["epoch-interruption"] = "use -W timeout",
        ["max-wasm-stack"] = "use -W max-call-depth and -W max-stack-slots",
        ["async-stack-size"] = "no async support",
        ["unknown-exports-allow"] = "",
        ["unknown-imports-trap"] = "",
        ["unknown-imports-default"] = "",
        ["max-instances"] = "",
        ["max-memories-per-store"] = "",
        ["max-tables-per-store"] = "",
        ["trap-on-grow-failure"] = "a failed grow returns -1, as the spec says",
        ["pooling-allocator"] = "",
        ["all-proposals"] = "every proposal this runtime has is on by default",
        ["gc-support"] = "use -W gc",
        ["concurrency-support"] = "",
        ["memory-may-move"] = "",
        ["memory-guard-size"] = "use -W memory-reservation",
    };

    /// <summary>Every name <c>-W</c> takes, sorted.</summary>
    public static IEnumerable<string> Names => ModuleLimits.Settings.Keys.Concat(Engine.Keys).Concat(FeatureGate.Names.Select(f => f.Name)).Append("timeout").Order(StringComparer.Ordinal);

    /// <summary>The text of <c>-W</c>'s help.</summary>
    public static string Help => "Engine setting NAME=VALUE, repeatable: module limits (" + string.Join(", ", ModuleLimits.Settings.Keys)
        + "; non-negative integers); " + string.Join("; ", Engine.Select(pair => $"{pair.Key}: {pair.Value.Help}"))
        + "; features, y/n (default y): " + string.Join(", ", FeatureGate.Names.Select(f => f.Name))
        + "; timeout: wall-clock limit of the run (e.g. 1s, 500ms, 2m). `harness settings` lists them all.";

    /// <summary>Each setting of <c>-W</c> with its help, for <c>harness settings</c>.</summary>
    public static IEnumerable<(string Name, string Help)> Describe() =>
        ModuleLimits.Settings.Keys.Select(name => (name, "module limit (count; bytes for the *-bytes ones)"))
            .Concat(Engine.Select(pair => (pair.Key, pair.Value.Help)))
            .Concat(FeatureGate.Names.Select(f => (f.Name, "y/n: modules may use this feature (default y)")))
            .Append(("timeout", "wall-clock limit of the run (1s, 500ms, 2m, 1h); then the guest traps 'interrupted' (exit 134)"))
            .OrderBy(pair => pair.Item1, StringComparer.Ordinal);

    /// <summary>The wasmtime settings <c>-W</c> knows but refuses as not supported.</summary>
    public static IEnumerable<string> Unsupported => UnsupportedSettings.Keys.Order(StringComparer.Ordinal);

    /// <summary>wasmtime's feature switches for what this runtime lacks (only <c>=n</c> is accepted).</summary>
    public static IEnumerable<string> Absent => AbsentFeatures.Order(StringComparer.Ordinal);

    /// <summary>wasmtime's switches for Wasm 2.0 features, always on here (only <c>=y</c> is accepted).</summary>
    public static IEnumerable<string> AlwaysOn => AlwaysOnFeatures.Order(StringComparer.Ordinal);

    /// <summary><paramref name="options"/> with each <c>NAME=VALUE</c> of <paramref name="settings"/> applied in order.</summary>
    public static EngineConfiguration Apply(EngineOptions options, IEnumerable<string> settings)
    {
        TimeSpan? timeout = null;
        foreach (var setting in settings)
        {
            // wasmtime writes a switch on as NAME alone (-W simd); a value-less limit is then a bad value.
            var equals = setting.IndexOf('=', StringComparison.Ordinal);
            if (equals == 0)
            {
                throw new CliException($"bad -W '{setting}': expected NAME=VALUE");
            }
            var (name, value) = equals < 0 ? (setting, "y") : (setting[..equals], setting[(equals + 1)..]);
            var isSwitch = FeatureGate.Names.Any(f => f.Name == name) || AbsentFeatures.Contains(name) || AlwaysOnFeatures.Contains(name);
            if (equals < 0 && !isSwitch)
            {
                throw new CliException($"bad -W '{setting}': expected NAME=VALUE");
            }
            if (ModuleLimits.Settings.TryGetValue(name, out var limit))
            {
                var number = Long(value) ?? throw BadValue(name, value, "a non-negative integer");
                options = options with { ModuleLimits = limit(options.ModuleLimits, number) };
            }
            else if (Engine.TryGetValue(name, out var engine))
            {
                options = engine.Apply(options, value) ?? throw BadValue(name, value, engine.Help);
            }
            else if (FeatureGate.Names.FirstOrDefault(f => f.Name == name) is { Name: not null } feature)
            {
                var on = Bool(value) ?? throw BadValue(name, value, "y or n");
                options = options with { Features = on ? options.Features | feature.Feature : options.Features & ~feature.Feature };
            }
            else if (name == "timeout")
            {
                timeout = Duration(value) ?? throw BadValue(name, value, "a positive duration such as 1s, 500ms, 2m or 1h");
            }
            else if (AbsentFeatures.Contains(name))
            {
                if (Bool(value) ?? throw BadValue(name, value, "y or n"))
                {
                    throw new CliException($"not supported: -W {name} (this runtime has no {name})");
                }
            }
            else if (AlwaysOnFeatures.Contains(name))
            {
                if (!(Bool(value) ?? throw BadValue(name, value, "y or n")))
                {
                    throw new CliException($"not supported: -W {name}=n ({name} is part of Wasm 2.0 and always on)");
                }
            }
            else if (UnsupportedSettings.TryGetValue(name, out var why))
            {
                throw new CliException($"not supported: -W {name}{(why.Length > 0 ? $" ({why})" : "")}");
            }
            else
            {
                throw new CliException($"unknown -W setting '{name}' (known: {string.Join(", ", Names)})");
            }
        }
        return new EngineConfiguration(options, timeout);
    }

    /// <summary>A duration as wasmtime writes one: a number and a unit (<c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c>), e.g. <c>1s</c>, <c>1.5s</c>, <c>500ms</c>.</summary>
    internal static TimeSpan? Duration(string value)
    {
        var digits = value.TrimEnd("smh".ToCharArray());
        var unit = value[digits.Length..];
        if (!double.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number) || number <= 0)
        {
            return null;
        }
        double? milliseconds = unit switch
        {
            "ms" => number,
            "s" => number * 1000,
            "m" => number * 60_000,
            "h" => number * 3_600_000,
            _ => null,
        };
        return milliseconds is { } ms and <= int.MaxValue ? TimeSpan.FromMilliseconds(ms) : null;
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
