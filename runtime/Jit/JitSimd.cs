using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Jit;

/// <summary>
/// The vector memory accesses the JIT compiles inline: the address is already bounds-checked; RyuJIT inlines these
/// into the compiled function. Every other vector instruction is pure and shared with the interpreter
/// (<see cref="VectorOps"/>, dispatched from the instruction table).
/// </summary>
internal static unsafe class JitSimd
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<T> V<T>(V128 value) => value.Bits.As<ulong, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V128 R<T>(Vector128<T> value) => new(value.AsUInt64());

    // ---- Memory: the address is already bounds-checked and points into the memory -----------------------

    public static V128 V128Load(byte* address) => Unsafe.ReadUnaligned<V128>(address);

    public static void V128Store(byte* address, V128 value) => Unsafe.WriteUnaligned(address, value);

    public static V128 V128Load8x8S(byte* address) => R(Vector128.WidenLower(Half(address).AsSByte()));

    public static V128 V128Load8x8U(byte* address) => R(Vector128.WidenLower(Half(address).AsByte()));

    public static V128 V128Load16x4S(byte* address) => R(Vector128.WidenLower(Half(address).AsInt16()));

    public static V128 V128Load16x4U(byte* address) => R(Vector128.WidenLower(Half(address).AsUInt16()));

    public static V128 V128Load32x2S(byte* address) => R(Vector128.WidenLower(Half(address).AsInt32()));

    public static V128 V128Load32x2U(byte* address) => R(Vector128.WidenLower(Half(address).AsUInt32()));

    public static V128 V128Load8Splat(byte* address) => R(Vector128.Create(*address));

    public static V128 V128Load16Splat(byte* address) => R(Vector128.Create(Unsafe.ReadUnaligned<ushort>(address)));

    public static V128 V128Load32Splat(byte* address) => R(Vector128.Create(Unsafe.ReadUnaligned<uint>(address)));

    public static V128 V128Load64Splat(byte* address) => R(Vector128.Create(Unsafe.ReadUnaligned<ulong>(address)));

    public static V128 V128Load32Zero(byte* address) => new(Unsafe.ReadUnaligned<uint>(address), 0);

    public static V128 V128Load64Zero(byte* address) => new(Unsafe.ReadUnaligned<ulong>(address), 0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Half(byte* address) => Vector128.Create(Unsafe.ReadUnaligned<ulong>(address), 0UL);
}
