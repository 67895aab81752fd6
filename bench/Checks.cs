using System.Diagnostics;
using WasmHarness.Engines;
using WasmHarness.Engines.Wasmtime;

namespace WasmHarness.Bench;

/// <summary><c>bench --check</c>: every kernel once on every engine, results compared, with rough times.</summary>
public static class Checks
{
    public static int Run(string? size)
    {
        var failures = 0;
        using (var wasmtime = new WasmtimeEngine())
        {
            IEngine[] engines = [new InterpreterEngine(), new JitEngine(), wasmtime];
            foreach (var kernel in Kernel.All)
            {
                foreach (var engine in engines)
                {
                    var started = Stopwatch.StartNew();
                    using var prepared = new PreparedKernel(engine, kernel);
                    Console.WriteLine($"{kernel.Name,-10} {engine.Name,-9} ok  ({started.Elapsed.TotalMilliseconds:F0} ms incl. compile)");
                }
            }
        }
        foreach (var program in CPrograms.Kernels.Append(CPrograms.Empty).OfType<CProgram>())
        {
            var sized = size is null ? program : program with { Arguments = [size] };
            var expected = ProgramCheck.NativeOutput(sized);
            foreach (var engine in ProgramCheck.Engines)
            {
                var started = Stopwatch.StartNew();
                using var runner = ProgramCheck.Create(engine, sized);
                var output = runner.Run();
                var verdict = output == expected ? "ok" : $"MISMATCH: printed '{output.Trim()}', native '{expected.Trim()}'";
                failures += output == expected ? 0 : 1;
                Console.WriteLine($"{program.Name,-10} {engine,-9} {verdict}  ({started.Elapsed.TotalMilliseconds:F0} ms incl. compile) {output.Trim()}");
            }
        }
        return failures == 0 ? 0 : 1;
    }
}
