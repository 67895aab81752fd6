using System.Diagnostics;
using WasmHarness.Binary;
using WasmHarness.Engines;
using WasmHarness.Syntax;
using WasmHarness.Text;

namespace WasmHarness.Bench;

/// <summary>
/// <c>bench --rate [ITERATIONS]</c>: Wasm instructions per second on a plain counted loop (<c>corpus/bench/wat/count.wat</c>),
/// for our interpreter and JIT, wasmtime and, when a binary is found, wasm3 (<see cref="Wasm3Runner.Find"/>). The
/// instructions are counted from the loop body, so the figure is Wasm instructions, whatever an engine fuses.
/// </summary>
public static class InstructionRate
{
    public static int Run(string? iterationsArgument)
    {
        var iterations = iterationsArgument is null ? 100_000_000 : int.Parse(iterationsArgument, System.Globalization.CultureInfo.InvariantCulture);
        var path = Path.Combine(AppContext.BaseDirectory, "kernels", "count.wat");
        var module = WatParser.ParseModule(File.ReadAllText(path), "count.wat");
        var perIteration = LoopBodyInstructions(module);
        var instructions = (double)perIteration * iterations;
        var expected = ExpectedSum(iterations);
        Console.WriteLine($"plain counted loop: {iterations} iterations of {perIteration} instructions; best of 3 calls (after one untimed call)");
        Console.WriteLine($"{"engine",-9} {"best s",8} {"G instr/s",10}");
        using var wasmtime = new Engines.Wasmtime.WasmtimeEngine();
        IEngine[] engines = [new InterpreterEngine(), new JitEngine(), wasmtime];
        foreach (var engine in engines)
        {
            using var session = engine.CreateSession();
            var instance = session.Instantiate(new ModuleArtifact(module));
            EngineValue[] arguments = [EngineValue.I32(iterations)];
            var best = double.MaxValue;
            for (var run = 0; run < 4; run++)
            {
                var watch = Stopwatch.StartNew();
                var result = session.Invoke(instance, "count", arguments)[0];
                var seconds = watch.Elapsed.TotalSeconds;
                if (result != EngineValue.I32(expected))
                {
                    throw new InvalidOperationException($"{engine.Name} computed {result}, expected {expected}");
                }
                best = run == 0 ? best : Math.Min(best, seconds);
            }
            Console.WriteLine($"{engine.Name,-9} {best,8:F3} {instructions / best / 1e9,10:F2}");
        }
        if (Wasm3Runner.Find() is { } wasm3)
        {
            var binary = Path.Combine(Path.GetTempPath(), $"count-{Environment.ProcessId}.wasm");
            File.WriteAllBytes(binary, ModuleEncoder.Encode(module));
            try
            {
                var best = Enumerable.Range(0, 3).Min(_ => RunWasm3(wasm3, binary, iterations, expected));
                Console.WriteLine($"{"wasm3",-9} {best,8:F3} {instructions / best / 1e9,10:F2}   (a process per run: start-up included)");
            }
            finally
            {
                File.Delete(binary);
            }
        }
        else
        {
            Console.WriteLine("wasm3     (no binary: set WASM3, docs/bench.md \"wasm3\")");
        }
        return 0;
    }

    private static double RunWasm3(string wasm3, string binary, int iterations, int expected)
    {
        var start = new ProcessStartInfo(wasm3, ["--func", "count", binary, iterations.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        var seconds = watch.Elapsed.TotalSeconds;
        return output.Contains($"Result: {expected}", StringComparison.Ordinal)
            ? seconds
            : throw new InvalidOperationException($"wasm3 printed '{output.Trim()}', expected the result {expected}");
    }

    /// <summary>The sum <c>count</c> returns: 0 + 1 + ... + (n - 1), wrapped to 32 bits.</summary>
    private static int ExpectedSum(int n) => unchecked((int)((long)n * (n - 1) / 2));

    /// <summary>The instructions from the loop's head to its end, without the structure markers (which run no code).</summary>
    private static int LoopBodyInstructions(Module module)
    {
        var body = module.Functions[0].Body.Instructions;
        var start = body.ToList().FindIndex(i => i.Opcode == Opcode.Loop);
        var count = 0;
        for (int i = start + 1, depth = 1; depth > 0; i++)
        {
            var opcode = body[i].Opcode;
            depth += opcode.OpensBlock() ? 1 : opcode == Opcode.End ? -1 : 0;
            count += opcode is Opcode.Block or Opcode.Loop or Opcode.End or Opcode.Nop ? 0 : 1;
        }
        return count;
    }
}
