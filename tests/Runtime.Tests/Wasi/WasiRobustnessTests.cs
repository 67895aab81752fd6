using WasmHarness.Execution;
using WasmHarness.Wasi;

namespace WasmHarness.Tests.Wasi;

/// <summary>Random arguments and random memory never make a WASI function throw: every call answers an errno.</summary>
public sealed class WasiRobustnessTests : IDisposable
{
    private readonly WasiTestHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public void RandomCallsAnswerErrnosOnly()
    {
        File.WriteAllText(Path.Join(_host.Sandbox, "a"), "some text");
        Directory.CreateDirectory(Path.Join(_host.Sandbox, "d"));
        var calls = new WasiCalls(_host, _host.Configuration()
            .WithArgs("x", "y")
            .WithEnvironmentVariable("K", "V")
            .WithStandardInput(new MemoryStream(new byte[100]))
            .WithPreopenedDirectory(_host.Sandbox, "."));
        var random = new Random(7);
        var memory = calls.Memory;
        // Names the path functions may hit: a few real ones among the noise.
        string[] names = ["a", "d", "d/x", "b", "..", "../secret.txt", "/abs", ".", "a/", "d/../a"];
        long Argument(char kind)
        {
            var pick = random.Next(10);
            return pick switch
            {
                0 => 0,
                1 => random.Next(0, 8),
                2 => -1,
                3 => 65536 - random.Next(0, 16),
                4 => random.Next(0, 65536),
                5 => kind == 'I' ? random.NextInt64() : random.Next(),
                _ => random.Next(0, 512),
            };
        }
        foreach (var (name, signature) in WasiCalls.Signatures.Where(pair => pair.Key is not "poll_oneoff"))
        {
            for (var i = 0; i < 500; i++)
            {
                random.NextBytes(memory.Span[..4096]);
                // Sometimes plant a real name at a likely address, with a plausible length.
                var planted = names[random.Next(names.Length)];
                var length = calls.Put(64, planted);
                var args = signature.Select(Argument).ToArray();
                if (name.StartsWith("path_", StringComparison.Ordinal) && random.Next(2) == 0)
                {
                    var stringIndex = signature.IndexOf("ii", 1, StringComparison.Ordinal);
                    if (stringIndex > 0)
                    {
                        args[stringIndex] = 64;
                        args[stringIndex + 1] = length;
                    }
                }
                var errno = calls.Call(name, args);
                Assert.InRange((int)errno, 0, 76);
            }
        }
        Assert.Equal("secret", File.ReadAllText(Path.Join(_host.Root, "secret.txt")));
        Assert.Equal(["sandbox", "secret.txt"], Directory.EnumerateFileSystemEntries(_host.Root).Select(Path.GetFileName).Order());
    }
}
