using System.Text.Json;
using WasmHarness.Binary;
using WasmHarness.Engines;
using WasmHarness.Oracle;
using WasmHarness.Generator.Reducer;
using WasmHarness.Engines.Wasmtime;
using WasmHarness.Validation;

namespace WasmHarness.Differential.Tests;

/// <summary>Replays every reduced case in <c>corpus/regressions/differential/</c> on the real engines (both tiers, wasmtime, the round trip).</summary>
public class RegressionReplayTests
{
    private static string Directory()
    {
        var directory = AppContext.BaseDirectory;
        while (directory is not null && !File.Exists(Path.Combine(directory, "Harness.sln")))
        {
            directory = Path.GetDirectoryName(directory);
        }
        return Path.Combine(directory ?? throw new InvalidOperationException("repository root not found"), "corpus", "regressions", "differential");
    }

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory(), "*.wasm").Order())
        {
            data.Add(Path.GetFileName(file));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Replays(string file)
    {
        var path = Path.Combine(Directory(), file);
        var module = ModuleDecoder.Decode(File.ReadAllBytes(path));
        ModuleValidator.Validate(module);
        var sidecar = Path.ChangeExtension(path, ".json");
        using var wasmtime = new WasmtimeEngine();
        var oracle = new DifferentialOracle([new InterpreterEngine(), new JitEngine(), wasmtime, new RoundTripEngine(new InterpreterEngine())]);
        if (!File.Exists(sidecar))
        {
            // A module another tool put here (e.g. a fuzz target's regression input): the engines must not diverge on it.
            var plain = oracle.Check(module, 1);
            Assert.True(plain.Verdict != Verdict.Divergence, $"{file}: {DifferentialOracle.Describe(plain)}");
            return;
        }
        var info = JsonSerializer.Deserialize<RegressionInfo>(File.ReadAllText(sidecar))!;
        var report = oracle.Check(module, info.Seed);
        // A case found by injecting a fault, or a fixed bug, must agree on the real engines; an open bug still diverges.
        var expected = info.Expect == "divergence" ? Verdict.Divergence : Verdict.Agree;
        Assert.True(expected == report.Verdict, $"{file}: expected {expected}, got {DifferentialOracle.Describe(report)}");
    }
}
