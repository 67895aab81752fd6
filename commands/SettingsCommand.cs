using System.CommandLine;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using WasmHarness.Validation;

namespace WasmHarness.Cli;

/// <summary>
/// <c>harness settings</c>: what this engine can be told, wasmtime's <c>settings</c> in spirit (wasmtime lists
/// Cranelift's settings for the host; here there is no code generator to tune): the host, the tiers, the Wasm
/// features with their switches, and every <c>-W</c> and <c>-S</c> setting.
/// </summary>
internal static class SettingsCommand
{
    public static Command Create(HostStreams streams)
    {
        var command = new Command("settings", "Lists the engine's features and the -W and -S settings.");
        command.SetAction(_ =>
        {
            var defaults = new EngineOptions();
            streams.Out($"host: {RuntimeInformation.OSArchitecture}, {RuntimeInformation.OSDescription}, .NET {Environment.Version}; Vector128 {(Vector128.IsHardwareAccelerated ? "on hardware" : "in software")}");
            streams.Out("tiers: interp (default), jit (--tier)");
            streams.Out("");
            streams.Out("Wasm features (-W NAME=y|n; Wasm 2.0's bulk memory, multi-value, reference types, sign extension, saturating conversions are always on):");
            foreach (var (feature, name) in FeatureGate.Names)
            {
                streams.Out($"  {name,-22} {(defaults.Features.HasFlag(feature) ? "on" : "off")}");
            }
            streams.Out("");
            streams.Out("-W settings:");
            foreach (var (name, help) in EngineSettings.Describe())
            {
                streams.Out($"  {name,-28} {help}");
            }
            streams.Out($"  always on (=n not supported): {string.Join(", ", EngineSettings.AlwaysOn)}");
            streams.Out($"  absent (=y not supported, =n accepted): {string.Join(", ", EngineSettings.Absent)}");
            streams.Out($"  not supported: {string.Join(", ", EngineSettings.Unsupported)}");
            streams.Out("");
            streams.Out("-S settings (WASI preview 1):");
            foreach (var (name, help) in WasiSettings.Known)
            {
                streams.Out($"  {name,-28} {help}");
            }
            streams.Out($"  not supported: {string.Join(", ", WasiSettings.Unsupported)}");
            return 0;
        });
        return command;
    }
}
