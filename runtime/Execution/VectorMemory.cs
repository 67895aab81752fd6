using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using WasmHarness.Syntax;

namespace WasmHarness.Execution;

/// <summary>
/// The semantics of the vector memory accesses, one method each, named after its <see cref="Syntax.Opcode"/>, on an
/// address that the caller has already bounds-checked (the interpreter with <see cref="MemoryInstance.Address"/>, the
/// JIT with the same inline check as its scalar accesses). Both tiers call these; RyuJIT inlines them into the
/// compiled function (a lane index is a constant there, so <c>WithElement</c>/<c>GetElement</c> become one
/// <c>pinsr</c>/<c>pextr</c> or AdvSimd <c>ins</c>/<c>umov</c>). Every other vector instruction is pure
/// (<see cref="VectorOps"/>, <see cref="RelaxedVectorOps"/>).
/// </summary>
public static unsafe class VectorMemory
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<T> V<T>(V128 value) => value.Bits.As<ulong, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V128 R<T>(Vector128<T> value) => new(value.AsUInt64());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Half(byte* address) => Vector128.Create(Unsafe.ReadUnaligned<ulong>(address), 0UL);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 V128Load(byte* address) => Unsafe.ReadUnaligned<V128>(address);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void V128Store(byte* address, V128 value) => Unsafe.WriteUnaligned(address, value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 V128Load8x8S(byte* address) => R(Vector128.WidenLower(Half(address).AsSByte()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 V128Load8x8U(byte* address) => R(Vector128.WidenLower(Half(address).AsByte()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 V128Load16x4S(byte* address) => R(Vector128.WidenLower(Half(address).AsInt16()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 V128Load16x4U(byte* address) => R(Vector128.WidenLower(Half(address).AsUInt16()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 V128Load32x2S(byte* address) => R(Vector128.WidenLower(Half(address).AsInt32()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 V128Load32x2U(byte* address) => R(Vector128.WidenLower(Half(address).AsUInt32()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 V128Load8Splat(byte* address) => R(Vector128.Create(*address));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 V128Load16Splat(byte* address) => R(Vector128.Create(Unsafe.ReadUnaligned<ushort>(address)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 V128Load32Splat(byte* address) => R(Vector128.Create(Unsafe.ReadUnaligned<uint>(address)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 V128Load64Splat(byte* address) => R(Vector128.Create(Unsafe.ReadUnaligned<ulong>(address)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 V128Load32Zero(byte* address) => new(Unsafe.ReadUnaligned<uint>(address), 0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 V128Load64Zero(byte* address) => new(Unsafe.ReadUnaligned<ulong>(address), 0);

    // ---- Lane accesses: the vector operand after the address, the lane index last --------------------------

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 V128Load8Lane(byte* address, V128 vector, int lane) => R(V<byte>(vector).WithElement(lane, *address));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 V128Load16Lane(byte* address, V128 vector, int lane) => R(V<ushort>(vector).WithElement(lane, Unsafe.ReadUnaligned<ushort>(address)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 V128Load32Lane(byte* address, V128 vector, int lane) => R(V<uint>(vector).WithElement(lane, Unsafe.ReadUnaligned<uint>(address)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 V128Load64Lane(byte* address, V128 vector, int lane) => R(V<ulong>(vector).WithElement(lane, Unsafe.ReadUnaligned<ulong>(address)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void V128Store8Lane(byte* address, V128 vector, int lane) => *address = V<byte>(vector).GetElement(lane);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void V128Store16Lane(byte* address, V128 vector, int lane) => Unsafe.WriteUnaligned(address, V<ushort>(vector).GetElement(lane));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void V128Store32Lane(byte* address, V128 vector, int lane) => Unsafe.WriteUnaligned(address, V<uint>(vector).GetElement(lane));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void V128Store64Lane(byte* address, V128 vector, int lane) => Unsafe.WriteUnaligned(address, V<ulong>(vector).GetElement(lane));
}
