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

    /// <summary>The functions, in the order a generated case imports them.</summary>
    public static IReadOnlyList<(string Name, FunctionType Type)> Functions { get; } =
    [
        ("mix_i32", new FunctionType([ValType.I32, ValType.I32], [ValType.I32])),
        ("mix_i64", new FunctionType([ValType.I64, ValType.I64], [ValType.I64])),
        ("reenter", CallbackType),
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
        linker.DefineFunction(Name, "mix_i32", Functions[0].Type, (args, results) => results[0] = Value.FromI32(MixI32(args[0].I32, args[1].I32)));
        linker.DefineFunction(Name, "mix_i64", Functions[1].Type, (args, results) => results[0] = Value.FromI64(MixI64(args[0].I64, args[1].I64)));
        linker.DefineFunction(Name, "reenter", Functions[2].Type, (Caller caller, ReadOnlySpan<Value> args, Span<Value> results) =>
            results[0] = Value.FromI32(host.Reenter(args[0].I32, x =>
            {
                try
                {
                    return caller.GetFunction(CallbackExport)?.Invoke(Value.FromI32(x))[0].I32;
                }
                catch (TrapException)
                {
                    return null;
                }
            })));
        return linker;
    }
}
