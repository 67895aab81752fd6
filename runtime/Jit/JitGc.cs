using WasmHarness.Execution;
using WasmHarness.Syntax;
using WasmHarness.Validation;

namespace WasmHarness.Jit;

/// <summary>
/// The out-of-line part of the GC instructions in compiled code: allocation (accounted in the store's
/// <see cref="GcHeap"/>), bulk array operations and casts to abstract heap types. Struct field accesses are
/// emitted inline (<see cref="FunctionCompiler"/>); array element accesses call <see cref="GcArrays"/>' typed
/// accessors directly; everything here calls the semantics both tiers share (<see cref="Gc"/>, <see cref="GcArrays"/>).
/// Operands come in Wasm stack order, then the context and immediates.
/// </summary>
internal static class JitGc
{
    public static StructObject NewStruct(Value[] fields, DefinedType type, JitContext context) =>
        Gc.NewStruct(context.Instance.Store.GcHeap, type, fields);

    public static StructObject NewStructDefault(DefinedType type, JitContext context) =>
        Gc.NewStructDefault(context.Instance.Store.GcHeap, type);

    public static ArrayObject NewArrayFixed(Value[] elements, DefinedType type, JitContext context) =>
        GcArrays.NewFixed(context.Instance.Store.GcHeap, type, elements);

    public static ArrayObject ArrayNew(Value initial, int length, DefinedType type, JitContext context) =>
        GcArrays.New(context.Instance.Store.GcHeap, type, (uint)length, initial);

    public static ArrayObject ArrayNewDefault(int length, DefinedType type, JitContext context) =>
        GcArrays.NewDefault(context.Instance.Store.GcHeap, type, (uint)length);

    public static ArrayObject ArrayNewData(int offset, int length, JitContext context, int typeIndex, int dataIndex) =>
        GcArrays.NewData(context.Instance.Store.GcHeap, context.Types[typeIndex], context.Instance.Data[dataIndex], (uint)offset, (uint)length);

    public static ArrayObject ArrayNewElem(int offset, int length, JitContext context, int typeIndex, int elementIndex) =>
        GcArrays.NewElements(context.Instance.Store.GcHeap, context.Types[typeIndex], context.Instance.Elements[elementIndex], (uint)offset, (uint)length);

    public static void ArrayFill(object? array, int index, Value value, int count) =>
        GcArrays.Fill(array, (uint)index, value, (uint)count);

    public static void ArrayCopy(object? destination, int destinationIndex, object? source, int sourceIndex, int count) =>
        GcArrays.Copy(destination, (uint)destinationIndex, source, (uint)sourceIndex, (uint)count);

    public static void ArrayInitData(object? array, int index, int offset, int count, JitContext context, int dataIndex) =>
        GcArrays.InitData(array, (uint)index, context.Instance.Data[dataIndex], (uint)offset, (uint)count);

    public static void ArrayInitElem(object? array, int index, int offset, int count, JitContext context, int elementIndex) =>
        GcArrays.InitElements(array, (uint)index, context.Instance.Elements[elementIndex], (uint)offset, (uint)count);

    /// <summary>Whether a non-null reference is of an abstract heap type (given as its <see cref="AbstractHeapType"/> code).</summary>
    public static int MatchesAbstract(object reference, int kind) => Gc.MatchesAbstract(reference, (AbstractHeapType)kind) ? 1 : 0;

    public static I31Reference RefI31(int value) => I31Reference.Wrap(value);

    public static Value FromI32(int value) => new((uint)value);

    public static Value FromI64(long value) => new((ulong)value);

    public static Value FromF32(float value) => new(BitConverter.SingleToUInt32Bits(value));

    public static Value FromF64(double value) => new(BitConverter.DoubleToUInt64Bits(value));

    public static Value FromV128(V128 value) => Value.FromV128(value);

    public static Value FromRef(object? value) => new(0, 0, value);

    /// <summary>Reads a <c>v128</c> field.</summary>
    public static V128 LoadV128(ref Value slot) => slot.V128;

    /// <summary>Writes a <c>v128</c> field.</summary>
    public static void StoreV128(ref Value slot, V128 value) => slot = Value.FromV128(value);
}
