using System.Numerics;
using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Generator;

/// <summary>
/// The host functions a generated case may import (<see cref="GeneratorConfig.HostFunctions"/>), module
/// <c>host</c>: deterministic bodies, so that every engine's host computes the same, and one that calls back into
/// the calling instance (its export <see cref="CallbackExport"/>), so host-to-Wasm re-entry is checked too. The
/// semantics are here, once; <see cref="Define"/> puts them in a runtime linker and the oracle in any engine's session.
/// One object is one world's host: it counts the re-entries under way.
/// </summary>
public sealed class HostModule
{
    public const string Name = "host";

    /// <summary>The export <c>reenter</c> calls: a generated function of type <see cref="CallbackType"/>.</summary>
    public const string CallbackExport = "callback";

    /// <summary>How many <c>reenter</c> calls may be under way at once; deeper ones return -2 without calling.</summary>
    public const int MaxReentry = 8;

    public static FunctionType CallbackType { get; } = new([ValType.I32], [ValType.I32]);

    /// <summary>
    /// One host function: its import name and type (i32 and i64 only), whether it calls the caller's
    /// <see cref="CallbackExport"/> back, and its body on one world's host, over the arguments as integers (an i32 as
    /// its signed value) with a way to call back (null when that call failed), giving its one result.
    /// </summary>
    public sealed record Function(string Name, FunctionType Type, bool CallsBack, Func<HostModule, long[], Func<int, int?>, long> Body);

    /// <summary>The functions, in the order a generated case imports them. Every embedding adapter loops over these.</summary>
    public static IReadOnlyList<Function> Functions { get; } =
    [
        new("mix_i32", new FunctionType([ValType.I32, ValType.I32], [ValType.I32]), false, (_, a, _) => MixI32((int)a[0], (int)a[1])),
        new("mix_i64", new FunctionType([ValType.I64, ValType.I64], [ValType.I64]), false, (_, a, _) => MixI64(a[0], a[1])),
        new("reenter", CallbackType, true, (host, a, callback) => host.Reenter((int)a[0], callback)),
    ];

    private int _reentries;

    /// <summary><c>mix_i32(a, b)</c>: a rotated, xor b times a large odd constant (every input bit matters).</summary>
    public static int MixI32(int a, int b) => (int)(BitOperations.RotateLeft((uint)a, 7) ^ ((uint)b * 0x9E3779B1u));

    public static long MixI64(long a, long b) => (long)(BitOperations.RotateLeft((ulong)a, 13) ^ ((ulong)b * 0x9E3779B97F4A7C15UL));

    /// <summary>
    /// <c>reenter(x)</c>: the caller's <c>callback(x + 1)</c> xor 0x5BD1E995; -1 when that call fails (a trap: the
    /// host catches it and Wasm goes on), -2 when <see cref="MaxReentry"/> re-entries are already under way.
    /// </summary>
    public int Reenter(int x, Func<int, int?> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        if (_reentries >= MaxReentry)
        {
            return -2;
        }
        _reentries++;
        try
        {
            return callback(x + 1) is { } result ? result ^ 0x5BD1E995 : -1;
        }
        finally
        {
            _reentries--;
        }
    }

    /// <summary>Defines a fresh host world's functions in <paramref name="linker"/> (for cases run on our runtime directly).</summary>
    public static Linker Define(Linker linker)
    {
        ArgumentNullException.ThrowIfNull(linker);
        var host = new HostModule();
        foreach (var function in Functions)
        {
            var (parameters, result) = (function.Type.Parameters, function.Type.Results[0]);
            linker.DefineFunction(Name, function.Name, function.Type, (Caller caller, ReadOnlySpan<Value> args, Span<Value> results) =>
            {
                var numbers = new long[args.Length];
                for (var i = 0; i < numbers.Length; i++)
                {
                    numbers[i] = parameters[i].Kind == ValueKind.I32 ? args[i].I32 : args[i].I64;
                }
                var value = function.Body(host, numbers, x =>
                {
                    try
                    {
                        return caller.GetFunction(CallbackExport)?.Invoke(Value.FromI32(x))[0].I32;
                    }
                    catch (TrapException)
                    {
                        return null;
                    }
                });
                results[0] = result.Kind == ValueKind.I32 ? Value.FromI32((int)value) : Value.FromI64(value);
            });
        }
        return linker;
    }
}
