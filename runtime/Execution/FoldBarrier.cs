using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace WasmHarness.Execution;

/// <summary>
/// Values hidden from RyuJIT's constant folding, for the few places where folding changes a NaN's bits.
/// </summary>
/// <remarks>
/// RyuJIT simplifies <c>x + -0</c>, <c>x - 0</c>, <c>x * 1</c> and <c>x / 1</c> to <c>x</c> when it knows the constant,
/// which is exact except for a signalling NaN <c>x</c>: the operation must quiet it, the simplified code does not.
/// In compiled Wasm code (where the semantics methods are inlined into code with constants) that broke the spec's
/// NaN rules. A value OR-ed with <see cref="s_zero"/> is the same value, but RyuJIT must load the field to know it,
/// so it knows nothing: one cheap instruction where a constant could reach an identity.
/// </remarks>
internal static class FoldBarrier
{
    /// <summary>Always zero; not <c>readonly</c>, so RyuJIT cannot assume it. Never written.</summary>
#pragma warning disable CS0649 // never assigned: its value is the default on purpose
    private static ulong s_zero;
#pragma warning restore CS0649

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Hide(double value) => BitConverter.UInt64BitsToDouble(BitConverter.DoubleToUInt64Bits(value) | s_zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Hide(float value) => BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(value) | (uint)s_zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Hide<T>(Vector128<T> value) => (value.AsUInt64() | Vector128.Create(s_zero)).As<ulong, T>();
}
