using WasmHarness.Tests.Wasi.Sandbox;
using WasmHarness.Wasi;
using WasmHarness.Wasi.InMemory;
using Xunit.Abstractions;

namespace WasmHarness.Tests.Wasi;

/// <summary>
/// Limits a guest may reach with ordinary calls: iovec arrays of any length are read from guest memory as the call
/// goes (no host copy), a total above 2^31-1 is <c>EINVAL</c>; names and paths too long are <c>ENAMETOOLONG</c>
/// on the host file system (as wasmtime answers) and on the in-memory one.
/// </summary>
public sealed class WasiLimitsTests(ITestOutputHelper output) : IDisposable
{
    private const int Preopen = 3;
    private const int Stdout = 1;

    /// <summary>16 Mi iovecs: 128 MiB of guest memory for the array.</summary>
    private const int HugeCount = 16 * 1024 * 1024;

    private readonly WasiTestHost _host = new();

    public void Dispose() => _host.Dispose();

    /// <summary>A guest with 2049 pages: the iovec array at 0 (zeroed: every entry is an empty buffer at 0), strings above it.</summary>
    private WasiCalls Calls(WasiConfiguration configuration)
    {
        var calls = new WasiCalls(_host, configuration);
        Assert.Equal(1, calls.Memory.Grow(2048));
        return calls;
    }

    [Theory]
    [InlineData("fd_write")]
    [InlineData("fd_read")]
    [InlineData("fd_pwrite")]
    [InlineData("fd_pread")]
    public void HugeIovecCountsCostNoHostMemory(string function)
    {
        File.WriteAllText(Path.Join(_host.Sandbox, "f"), "data");
        var calls = Calls(_host.Configuration().WithStandardInput(new MemoryStream([1, 2, 3])).WithPreopenedDirectory(_host.Sandbox, "."));
        var fd = Stdout;
        if (function is "fd_pwrite" or "fd_pread" or "fd_read")
        {
            Assert.Equal(Errno.Success, calls.Open(Preopen, "f", rights: Rights.FdRead | Rights.FdWrite | Rights.FdSeek));
            fd = (int)calls.U32(WasiCalls.Result);
        }
        const int result = HugeCount * 8 + 16;
        long[] args = function.StartsWith("fd_p", StringComparison.Ordinal) ? [fd, 0, HugeCount, 0, result] : [fd, 0, HugeCount, result];
        calls.Call(function, args); // warm up: the first call compiles and resolves what it needs
        var before = GC.GetAllocatedBytesForCurrentThread();
        var errno = calls.Call(function, args);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"{function}, {HugeCount} iovecs: {allocated} bytes allocated");
        Assert.Equal(Errno.Success, errno);
        Assert.Equal(0u, calls.U32(result));
        // The old copy of the array alone was 16 Mi × 8 bytes = 128 MiB (plus 16 bytes of array header per entry's tuple).
        Assert.True(allocated < 64 * 1024, $"{function} with {HugeCount} iovecs allocated {allocated} bytes");
    }

    [Theory]
    [InlineData("fd_write")]
    [InlineData("fd_read")]
    public void ATotalAbove2GiBIsEinvalAndNothingMoves(string function)
    {
        var calls = Calls(_host.Configuration().WithStandardInput(new MemoryStream(new byte[100])));
        // 16 iovecs of 128 MiB each (all in bounds): 2^31 bytes in all, one more than a call may ask for.
        const int array = 65536;
        for (var i = 0; i < 16; i++)
        {
            calls.Memory.Write((ulong)(array + i * 8), 0, 0u);
            calls.Memory.Write((ulong)(array + i * 8 + 4), 0, (uint)(1 << 27));
        }
        Assert.Equal(Errno.Inval, calls.Call(function, function == "fd_write" ? Stdout : 0, array, 16, WasiCalls.Result));
        Assert.Equal(0, _host.Stdout.Length);
        // The count is free (any number of empty iovecs is fine); only the sum is limited.
        Assert.Equal(Errno.Inval, calls.Call(function, function == "fd_write" ? Stdout : 0, array, 17, WasiCalls.Result));
        // An entry out of bounds is EFAULT, as before; so is an array that does not fit.
        calls.Memory.Write((ulong)(array + 4), 0, uint.MaxValue);
        Assert.Equal(Errno.Fault, calls.Call(function, function == "fd_write" ? Stdout : 0, array, 1, WasiCalls.Result));
        Assert.Equal(Errno.Fault, calls.Call(function, function == "fd_write" ? Stdout : 0, array, (1 << 29) - 1, WasiCalls.Result));
    }

    /// <summary>What each long name gives; the same on every engine and on both file systems.</summary>
    private static void AssertLongNames(Func<string, Errno> mkdir, Func<string, Errno> open)
    {
        Assert.Equal(Errno.NameTooLong, mkdir(new string('a', 256)));
        Assert.Equal(Errno.Success, mkdir(new string('a', 255)));
        Assert.Equal(Errno.NameTooLong, open(new string('b', 100_000)));
        Assert.Equal(Errno.NameTooLong, open(new string('a', 255) + "/" + new string('c', 256)));
        Assert.Equal(Errno.NoEnt, open(new string('a', 255) + "/" + new string('c', 255)));
        // 4096 bytes of short components: longer than PATH_MAX allows.
        Assert.Equal(Errno.NameTooLong, open(string.Concat(Enumerable.Repeat("./", 2048))));
        Assert.Equal(Errno.NoEnt, open(string.Concat(Enumerable.Repeat("./", 2046)) + "zq"));
        // Multi-byte UTF-8 counts in bytes: 128 × 2 bytes = 256.
        Assert.Equal(Errno.NameTooLong, mkdir(new string('é', 128)));
    }

    [Theory]
    [MemberData(nameof(SandboxGuest.Engines), MemberType = typeof(SandboxGuest))]
    public void LongNamesOnTheHostFileSystem(string engine)
    {
        using var guest = SandboxGuest.Start(engine, (_host.Sandbox, "."));
        AssertLongNames(name => guest.Mkdir(Preopen, name), path => guest.Open(Preopen, path).Errno);
    }

    [Fact]
    public void LongNamesOnTheInMemoryFileSystem()
    {
        var calls = new WasiCalls(_host, _host.Configuration().WithPreopenedDirectory(new MemoryFileSystem(), "/"));
        Assert.Equal(1, calls.Memory.Grow(2));
        AssertLongNames(
            name => calls.Call("path_create_directory", Preopen, WasiCalls.String1, calls.Put(WasiCalls.String1, name)),
            path => calls.Open(Preopen, path));
    }
}
