using WasmHarness.Execution;
using WasmHarness.Syntax;
using WasmHarness.Validation;

namespace WasmHarness.Jit;

/// <summary>
/// The out-of-line part of the GC instructions in compiled code: allocation of arrays, bulk array operations and
/// casts to abstract heap types. Field and element accesses, null checks and index checks are emitted inline
/// (<see cref="FunctionCompiler"/>); everything here calls the semantics both tiers share (<see cref="Gc"/>).
/// Operands come in Wasm stack order, then the context and immediates.
/// </summary>
internal static class JitGc
{
    public static StructObject NewStruct(Value[] fields, DefinedType type) => new(type, fields);

    public static ArrayObject NewArrayFixed(Value[] elements, DefinedType type) => new(type, elements);

    public static ArrayObject ArrayNew(Value initial, int length, DefinedType type) => Gc.NewArray(type, (uint)length, initial);

    public static ArrayObject ArrayNewDefault(int length, DefinedType type) => Gc.NewArray(type, (uint)length, default);

    public static ArrayObject ArrayNewData(int offset, int length, JitContext context, int typeIndex, int dataIndex)
    {
        var type = context.Types[typeIndex];
        var storage = ((ArrayType)type.Body).Element.Storage;
        return new ArrayObject(type, Gc.ReadData(storage, context.Instance.Data[dataIndex].Bytes.Span, (uint)offset, (uint)length));
    }

    public static ArrayObject ArrayNewElem(int offset, int length, JitContext context, int typeIndex, int elementIndex) =>
        new(context.Types[typeIndex], Gc.ReadElements(context.Instance.Elements[elementIndex], (uint)offset, (uint)length));

    public static void ArrayFill(object? array, int index, Value value, int count) =>
        Gc.Fill(Array(array), (uint)index, value, (uint)count);

    public static void ArrayCopy(object? destination, int destinationIndex, object? source, int sourceIndex, int count) =>
        Gc.Copy(Array(destination), (uint)destinationIndex, Array(source), (uint)sourceIndex, (uint)count);

    public static void ArrayInitData(object? array, int index, int offset, int count, JitContext context, int dataIndex) =>
        Gc.InitData(Array(array), (uint)index, context.Instance.Data[dataIndex], (uint)offset, (uint)count);

    public static void ArrayInitElem(object? array, int index, int offset, int count, JitContext context, int elementIndex) =>
        Gc.InitElements(Array(array), (uint)index, context.Instance.Elements[elementIndex], (uint)offset, (uint)count);

    /// <summary>Whether a non-null reference is of an abstract heap type (given as its <see cref="AbstractHeapType"/> code).</summary>
    public static int MatchesAbstract(object reference, int kind) => Gc.MatchesAbstract(reference, (AbstractHeapType)kind) ? 1 : 0;

    public static I31Reference RefI31(int value) => I31Reference.Wrap(value);

    public static Value FromI32(int value) => new((uint)value);

    public static Value FromI64(long value) => new((ulong)value);

    public static Value FromF32(float value) => new(BitConverter.SingleToUInt32Bits(value));

    public static Value FromF64(double value) => new(BitConverter.DoubleToUInt64Bits(value));

    public static Value FromV128(V128 value) => Value.FromV128(value);

    public static Value FromRef(object? value) => new(0, 0, value);

    /// <summary>Reads a <c>v128</c> field or element.</summary>
    public static V128 LoadV128(ref Value slot) => slot.V128;

    /// <summary>Writes a <c>v128</c> field or element.</summary>
    public static void StoreV128(ref Value slot, V128 value) => slot = Value.FromV128(value);

    private static ArrayObject Array(object? reference) =>
        reference as ArrayObject ?? throw new TrapException(TrapKind.NullArrayReference);
}
