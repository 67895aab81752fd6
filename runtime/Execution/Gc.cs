using WasmHarness.Syntax;
using WasmHarness.Validation;

namespace WasmHarness.Execution;

/// <summary>A GC struct (spec: <c>structinst</c>): its canonical type and field values (packed fields keep their low bits).</summary>
public sealed class StructObject(DefinedType type, Value[] fields)
{
    /// <summary>The struct's canonical type.</summary>
    public DefinedType Type { get; } = type;

    /// <summary>The fields.</summary>
    public Value[] Fields { get; } = fields;

    /// <summary>The allocation cohort that the store's <see cref="GcHeap"/> tracks it by (it keeps the cohort alive).</summary>
    internal object? Cohort { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"struct {Type.Id}";
}

/// <summary>
/// A GC array (spec: <c>arrayinst</c>): its canonical type and its elements, stored by the element's storage type
/// (<see cref="ArrayObject{T}"/>: <c>i8</c> as bytes, <c>i16</c> as ushorts, <c>i32</c>/<c>f32</c> as ints (an
/// f32's bits), <c>i64</c>/<c>f64</c> as longs, <c>v128</c> as <see cref="V128"/>s, references as objects).
/// <see cref="GcArrays"/> has the instructions' semantics on them, for both tiers.
/// </summary>
public abstract class ArrayObject
{
    private protected ArrayObject(DefinedType type) => Type = type;

    /// <summary>The array's canonical type.</summary>
    public DefinedType Type { get; }

    /// <summary>How many elements it has.</summary>
    public abstract int Length { get; }

    /// <summary>The allocation cohort that the store's <see cref="GcHeap"/> tracks it by, if it is small (it keeps the cohort alive).</summary>
    internal object? Cohort { get; init; }

    /// <summary>The storage type of its elements.</summary>
    public StorageType Storage => ((ArrayType)Type.Body).Element.Storage;

    /// <summary>Element <paramref name="index"/> as a value (packed elements zero-extended), or a trap out of bounds.</summary>
    public Value this[int index] => GcArrays.Get(this, (uint)index, signed: false);

    /// <inheritdoc/>
    public override string ToString() => $"array {Type.Id} [{Length}]";
}

/// <summary>An array whose elements are stored as <typeparamref name="T"/> (see <see cref="ArrayObject"/>).</summary>
public sealed class ArrayObject<T> : ArrayObject
{
    internal ArrayObject(DefinedType type, T[] elements)
        : base(type) => Elements = elements;

    /// <summary>The elements.</summary>
    public T[] Elements { get; }

    /// <inheritdoc/>
    public override int Length => Elements.Length;
}

/// <summary>
/// A scalar reference (spec: <c>i31ref</c>), compared by value. It is a small object here; values in [-1024, 1023]
/// come from a cache, so common ones do not allocate.
/// </summary>
public sealed record I31Reference(int Value)
{
    private static readonly I31Reference[] s_small = [.. Enumerable.Range(-1024, 2048).Select(v => new I31Reference(v))];

    /// <summary><c>ref.i31</c>: keeps the low 31 bits (sign-extended from bit 30).</summary>
    public static I31Reference Wrap(int value)
    {
        var wrapped = (value << 1) >> 1;
        return (uint)(wrapped + 1024) < 2048 ? s_small[wrapped + 1024] : new I31Reference(wrapped);
    }

    /// <summary><c>i31.get_u</c>.</summary>
    public uint Unsigned => (uint)Value & 0x7FFF_FFFF;
}

/// <summary>The GC instructions' semantics, shared by the interpreter and constant expressions.</summary>
public static class Gc
{
    /// <summary>Most elements one array may have before allocation fails with a resource trap.</summary>
    public const int MaxArrayLength = 1 << 27;

    /// <summary>Stores a value into a field of <paramref name="storage"/> type (packed fields keep their low bits).</summary>
    public static Value Pack(StorageType storage, Value value) => storage.Packed switch
    {
        PackedType.I8 => new Value((byte)value.Low),
        PackedType.I16 => new Value((ushort)value.Low),
        _ => value,
    };

    /// <summary>Reads a field: packed fields sign- or zero-extend to i32.</summary>
    public static Value Unpack(StorageType storage, Value value, bool signed) => storage.Packed switch
    {
        PackedType.I8 => new Value(signed ? (uint)(int)(sbyte)value.Low : (byte)value.Low),
        PackedType.I16 => new Value(signed ? (uint)(int)(short)value.Low : (ushort)value.Low),
        _ => value,
    };

    /// <summary>Allocates a struct of <paramref name="type"/> with its (packed) field values in <paramref name="heap"/>.</summary>
    public static StructObject NewStruct(GcHeap heap, DefinedType type, Value[] fields)
    {
        ArgumentNullException.ThrowIfNull(heap);
        ArgumentNullException.ThrowIfNull(fields);
        return new StructObject(type, fields) { Cohort = heap.Charge(GcHeap.StructBytes(fields.Length)) };
    }

    /// <summary>Allocates a struct of <paramref name="type"/> with default field values in <paramref name="heap"/>.</summary>
    public static StructObject NewStructDefault(GcHeap heap, DefinedType type) =>
        NewStruct(heap, type, new Value[((StructType)type.Body).Fields.Count]);

    /// <summary>
    /// Whether a reference value matches a reference type whose heap type is in canonical form (spec: the
    /// dynamic check of <c>ref.test</c>/<c>ref.cast</c>/<c>br_on_cast</c>).
    /// </summary>
    public static bool Matches(object? reference, HeapType heap, bool nullable) =>
        reference is null ? nullable
        : heap.IsConcrete ? MatchesDefined(reference, TypeRegistry.Get(heap))
        : MatchesAbstract(reference, heap.Kind);

    /// <summary>Whether a non-null reference is of canonical type <paramref name="expected"/> or a subtype (O(1): the supertype display).</summary>
    public static bool MatchesDefined(object reference, DefinedType expected) => reference switch
    {
        StructObject s => s.Type.IsSubtypeOf(expected),
        ArrayObject a => a.Type.IsSubtypeOf(expected),
        FunctionInstance f => f.DefinedType.IsSubtypeOf(expected),
        _ => false,
    };

    /// <summary>Whether a non-null reference is of abstract heap type <paramref name="kind"/>.</summary>
    public static bool MatchesAbstract(object reference, AbstractHeapType kind) => kind switch
    {
        AbstractHeapType.Any => reference is not (FunctionInstance or ExceptionInstance),
        AbstractHeapType.Eq => reference is StructObject or ArrayObject or I31Reference,
        AbstractHeapType.I31 => reference is I31Reference,
        AbstractHeapType.Struct => reference is StructObject,
        AbstractHeapType.Array => reference is ArrayObject,
        AbstractHeapType.Func => reference is FunctionInstance,
        AbstractHeapType.Extern => true,
        AbstractHeapType.Exn => reference is ExceptionInstance,
        _ => false, // none, nofunc, noextern, noexn: only null
    };

    /// <summary><c>ref.eq</c>: identity, except that i31 references compare by value.</summary>
    public static bool ReferenceEqual(object? a, object? b) =>
        ReferenceEquals(a, b) || (a is I31Reference x && b is I31Reference y && x.Value == y.Value);
}
