using System.Text;
using WasmHarness.Execution;
using WasmHarness.Wasi;

namespace WasmHarness.Tests.Wasi;

/// <summary>Whole WASI programs in WAT, run as commands (<c>_start</c>) with captured streams.</summary>
public sealed class WasiProgramTests : IDisposable
{
    private readonly WasiTestHost _host = new();

    public void Dispose() => _host.Dispose();

    private const string Hello = """
        (module
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 8) "\10\00\00\00\06\00\00\00")
          (data (i32.const 16) "hello\n")
          (func (export "_start")
            (drop (call $fd_write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 100)))))
        """;

    [Fact]
    public void FdWriteToStdout()
    {
        Assert.Equal(0, _host.Run(Hello, _host.Configuration()));
        Assert.Equal("hello\n", _host.StdoutText);
    }

    [Fact]
    public void StdinIsReadAndEchoed()
    {
        const string cat = """
            (module
              (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
              (memory (export "memory") 1)
              (func (export "_start")
                (i32.store (i32.const 0) (i32.const 64))
                (i32.store (i32.const 4) (i32.const 3))
                (block $done
                  (loop $next
                    (br_if $done (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 32)))
                    (br_if $done (i32.eqz (i32.load (i32.const 32))))
                    (i32.store (i32.const 8) (i32.const 64))
                    (i32.store (i32.const 12) (i32.load (i32.const 32)))
                    (drop (call $fd_write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 36)))
                    (br $next)))))
            """;
        var input = new MemoryStream(Encoding.UTF8.GetBytes("a longer line\n"));
        Assert.Equal(0, _host.Run(cat, _host.Configuration().WithStandardInput(input)));
        Assert.Equal("a longer line\n", _host.StdoutText);
    }

    private const string PrintList = """
        (module
          (import "wasi_snapshot_preview1" "SIZES" (func $sizes (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "GET" (func $get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "_start")
            (drop (call $sizes (i32.const 0) (i32.const 4)))
            (drop (call $get (i32.const 16) (i32.const 1024)))
            (i32.store (i32.const 8) (i32.const 1024))
            (i32.store (i32.const 12) (i32.load (i32.const 4)))
            (drop (call $fd_write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 100)))
            ;; then the pointers, to stderr
            (i32.store (i32.const 8) (i32.const 16))
            (i32.store (i32.const 12) (i32.mul (i32.load (i32.const 0)) (i32.const 4)))
            (drop (call $fd_write (i32.const 2) (i32.const 8) (i32.const 1) (i32.const 100)))))
        """;

    [Fact]
    public void ArgsAreNulTerminatedInOrder()
    {
        var wat = PrintList.Replace("SIZES", "args_sizes_get").Replace("GET", "args_get");
        Assert.Equal(0, _host.Run(wat, _host.Configuration().WithArgs("prog", "a b", "ü")));
        Assert.Equal("prog\0a b\0ü\0", _host.StdoutText);
        var pointers = _host.Stderr.ToArray();
        Assert.Equal([1024u, 1029u, 1033u], Enumerable.Range(0, 3).Select(i => BitConverter.ToUInt32(pointers, i * 4)));
    }

    [Fact]
    public void EnvironmentIsNameEqualsValue()
    {
        var wat = PrintList.Replace("SIZES", "environ_sizes_get").Replace("GET", "environ_get");
        Assert.Equal(0, _host.Run(wat, _host.Configuration().WithEnvironmentVariable("A", "1").WithEnvironmentVariable("B", "x=y").WithEnvironmentVariable("A", "2")));
        Assert.Equal("B=x=y\0A=2\0", _host.StdoutText);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(255)]
    public void ProcExitEndsTheProgramWithItsCode(int code)
    {
        var wat = $$"""
            (module
              (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (memory (export "memory") 1)
              (func (export "_start") (call $exit (i32.const {{code}})) unreachable))
            """;
        Assert.Equal(code, _host.Run(wat, _host.Configuration()));
    }

    [Fact]
    public void ProcExitThrowsTheExitExceptionToDirectCallers()
    {
        const string wat = """
            (module
              (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (memory (export "memory") 1)
              (func (export "run") (call $exit (i32.const 42))))
            """;
        var (context, instance) = _host.Instantiate(wat, _host.Configuration());
        var exit = Assert.Throws<WasiExitException>(() => instance.Invoke("run"));
        Assert.Equal(42, exit.Code);
        Assert.Equal(42, context.ExitCode);
    }

    [Fact]
    public void BadPointersAreEfaultNeverAHostCrash()
    {
        const string wat = """
            (module
              (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
              (memory (export "memory") 1)
              (func (export "iovec_out_of_bounds") (result i32)
                (call $fd_write (i32.const 1) (i32.const 65532) (i32.const 1) (i32.const 0)))
              (func (export "buffer_out_of_bounds") (result i32)
                (i32.store (i32.const 0) (i32.const 65000))
                (i32.store (i32.const 4) (i32.const 1000))
                (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
              (func (export "huge_count") (result i32)
                (call $fd_write (i32.const 1) (i32.const 0) (i32.const 0x7fffffff) (i32.const 8)))
              (func (export "args_far") (result i32)
                (call $args_get (i32.const -16) (i32.const -8)))
              (func (export "random_wraps") (result i32)
                (call $random_get (i32.const 65535) (i32.const -1)))
              (func (export "time_at_end") (result i32)
                (call $clock_time_get (i32.const 0) (i64.const 0) (i32.const 65533))))
            """;
        var (_, instance) = _host.Instantiate(wat, _host.Configuration().WithArgs("x"));
        foreach (var name in new[] { "iovec_out_of_bounds", "buffer_out_of_bounds", "huge_count", "args_far", "random_wraps", "time_at_end" })
        {
            Assert.Equal((int)Errno.Fault, instance.Invoke(name)[0].I32);
        }
        Assert.Equal("", _host.StdoutText);
    }

    [Fact]
    public void TrapsCarryABacktraceWithNames()
    {
        const string wat = """
            (module
              (memory (export "memory") 1)
              (func $inner (unreachable))
              (func $outer (call $inner))
              (func (export "_start") (call $outer)))
            """;
        var (context, instance) = _host.Instantiate(wat, _host.Configuration());
        var trap = Assert.Throws<TrapException>(() => context.RunCommand(instance));
        Assert.Equal(TrapKind.Unreachable, trap.Kind);
        Assert.Equal(["func inner", "func outer", "func 2"], trap.WasmBacktrace.Select(f => f.ToString()));
    }

    [Fact]
    public void NoDescriptorIsASocket()
    {
        var calls = new WasiCalls(_host, _host.Configuration());
        Assert.Equal(Errno.NotSock, calls.Call("sock_accept", 1, 0, WasiCalls.Result));
        Assert.Equal(Errno.NotSock, calls.Call("sock_shutdown", 2, 3));
        Assert.Equal(Errno.Badf, calls.Call("sock_accept", 99, 0, WasiCalls.Result));
    }

    [Fact]
    public void ClockAndRandom()
    {
        var calls = new WasiCalls(_host, _host.Configuration().WithRandomSource(span => span.Fill(0xAB)));
        Assert.Equal(Errno.Success, calls.Call("clock_time_get", 0, 1, WasiCalls.Result));
        var now = (ulong)(DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
        Assert.InRange(calls.U64(WasiCalls.Result), now - 5_000_000_000, now + 1_000_000_000);
        Assert.Equal(Errno.Inval, calls.Call("clock_time_get", 9, 1, WasiCalls.Result));
        Assert.Equal(Errno.Success, calls.Call("random_get", WasiCalls.Buffer, 5));
        Assert.Equal([0xAB, 0xAB, 0xAB, 0xAB, 0xAB, 0], calls.Memory.Span.Slice(WasiCalls.Buffer, 6).ToArray());
    }

    [Fact]
    public void PollOneoffWaitsForARelativeClock()
    {
        var calls = new WasiCalls(_host, _host.Configuration());
        var memory = calls.Memory;
        // Two subscriptions: a 20 ms clock (userdata 7) and a 10 s one (userdata 8).
        memory.Write(0UL, 0, 7UL);
        memory.Write(8UL, 0, (byte)0);
        memory.Write(16UL, 0, 1u);
        memory.Write(24UL, 0, 20_000_000UL);
        memory.Write(48UL, 0, 8UL);
        memory.Write(56UL, 0, (byte)0);
        memory.Write(64UL, 0, 1u);
        memory.Write(72UL, 0, 10_000_000_000UL);
        var started = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(Errno.Success, calls.Call("poll_oneoff", 0, 200, 2, WasiCalls.Result));
        Assert.InRange(started.ElapsedMilliseconds, 15, 5000);
        Assert.Equal(1u, calls.U32(WasiCalls.Result));
        Assert.Equal(7UL, calls.U64(200));
        Assert.Equal(0, memory.Read<ushort>(208));
        Assert.Equal(0, memory.Read<byte>(210));
        Assert.Equal(Errno.Inval, calls.Call("poll_oneoff", 0, 200, 0, WasiCalls.Result));
    }

    [Fact]
    public void PollOneoffReportsReadyDescriptorsAtOnce()
    {
        var calls = new WasiCalls(_host, _host.Configuration());
        var memory = calls.Memory;
        memory.Write(0UL, 0, 1UL);
        memory.Write(8UL, 0, (byte)0);
        memory.Write(16UL, 0, 1u);
        memory.Write(24UL, 0, 60_000_000_000UL);
        memory.Write(48UL, 0, 2UL);
        memory.Write(56UL, 0, (byte)2);
        memory.Write(64UL, 0, 1u);
        memory.Write(96UL, 0, 3UL);
        memory.Write(104UL, 0, (byte)1);
        memory.Write(112UL, 0, 77u);
        Assert.Equal(Errno.Success, calls.Call("poll_oneoff", 0, 200, 3, WasiCalls.Result));
        Assert.Equal(2u, calls.U32(WasiCalls.Result));
        Assert.Equal(2UL, calls.U64(200));
        Assert.Equal(2, memory.Read<byte>(210));
        Assert.Equal(3UL, calls.U64(232));
        Assert.Equal((ushort)Errno.Badf, memory.Read<ushort>(240));
    }
}
