using WasmHarness.Wasi;

namespace WasmHarness.Tests.Wasi.Sandbox;

/// <summary>
/// A second host thread swaps a directory inside the preopen for a link to the outside and back, as fast as it can,
/// while the guest opens, lists, creates and stats paths through it in a loop. A check-then-use sandbox loses this
/// race sooner or later; one that resolves every step beneath a handle with no-follow opens cannot. Bounded by the
/// guest's iteration count, not a clock.
/// </summary>
public sealed class SandboxRaceTests : IDisposable
{
    private const int Iterations = 1500;
    private readonly SandboxWorld _world = new();

    public void Dispose() => _world.Dispose();

    [Theory]
    [MemberData(nameof(SandboxGuest.Engines), MemberType = typeof(SandboxGuest))]
    public void ARacingSwapOfDirectoryAndLinkNeverLeadsOut(string engine)
    {
        var swapped = Path.Join(_world.Inside, "swap");
        var parked = Path.Join(_world.Inside, "parked");
        Directory.CreateDirectory(swapped);
        File.WriteAllText(Path.Join(swapped, "secret.txt"), "decoy");
        using var guest = SandboxGuest.Start(engine, (_world.Inside, "."));
        var seen = new List<string?>();
        var done = 0;
        var swaps = 0;
        var swapper = new Thread(() =>
        {
            // Another process: rename the real directory away, put an absolute link to the outside in its place, undo.
            while (Volatile.Read(ref done) == 0 && swaps < 50 * Iterations)
            {
                try
                {
                    Directory.Move(swapped, parked);
                    File.CreateSymbolicLink(swapped, _world.Outside);
                    Thread.Yield();
                    File.Delete(swapped);
                    Directory.Move(parked, swapped);
                    Thread.Yield(); // give the real directory a window too, or the guest would only ever meet the link
                    swaps++;
                }
                catch (IOException)
                {
                }
            }
        });
        swapper.Start();
        var outcomes = new Dictionary<Errno, int>();
        try
        {
            for (var i = 0; i < Iterations; i++)
            {
                var (errno, text) = guest.ReadFile(3, "swap/secret.txt");
                seen.Add(text);
                outcomes[errno] = outcomes.GetValueOrDefault(errno) + 1;
                var (listed, directory) = guest.Open(3, "swap", oflags: 2);
                if (listed == Errno.Success)
                {
                    seen.Add(string.Join('\n', guest.List(directory).Names));
                    seen.Add(guest.ReadFile(directory, "secret.txt").Text);
                    guest.Call("guest_fd_close", directory);
                }
                guest.WriteFile(3, "swap/planted.txt", "planted");
                guest.Touch(3, "swap/vault-dir");
                guest.Mkdir(3, "swap/made");
            }
        }
        finally
        {
            Volatile.Write(ref done, 1);
            swapper.Join();
        }
        if (new FileInfo(swapped).LinkTarget is not null)
        {
            File.Delete(swapped);
            Directory.Move(parked, swapped);
        }
        Assert.True(swaps > 0, "the host thread never swapped");
        Assert.True(outcomes.GetValueOrDefault(Errno.Success) > 0, $"the guest never read the decoy: {string.Join(", ", outcomes)}");
        _world.AssertUntouched(seen);
    }
}
