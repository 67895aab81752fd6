using System.Buffers.Binary;
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

    /// <inheritdoc/>
    public override string ToString() => $"struct {Type.Id}";
}

/// <summary>A GC array (spec: <c>arrayinst</c>): its canonical type and elements (packed elements keep their low bits).</summary>
public sealed class ArrayObject(DefinedType type, Value[] elements)
{
    /// <summary>The array's canonical type.</summary>
    public DefinedType Type { get; } = type;

    /// <summary>The elements.</summary>
    public Value[] Elements { get; } = elements;

    /// <inheritdoc/>
    public override string ToString() => $"array {Type.Id} [{Elements.Length}]";
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

    /// <summary>Allocates an array, trapping when the length is beyond what the host allows.</summary>
    public static ArrayObject NewArray(DefinedType type, ulong length, Value initial)
    {
        if (length > MaxArrayLength)
        {
            TrapException.Throw(TrapKind.ResourceExhausted);
        }
        var elements = new Value[(int)length];
        var packed = Pack(((ArrayType)type.Body).Element.Storage, initial);
        if (packed != default)
        {
            Array.Fill(elements, packed);
        }
        return new ArrayObject(type, elements);
    }

    /// <summary>Size in bytes of an element read from a data segment.</summary>
    public static int ByteWidth(StorageType storage) => storage.Packed switch
    {
        PackedType.I8 => 1,
        PackedType.I16 => 2,
        _ => storage.Type.ByteWidth,
    };

    /// <summary>Reads <paramref name="count"/> elements from <paramref name="bytes"/> at <paramref name="offset"/> (<c>array.new_data</c>, <c>array.init_data</c>).</summary>
    public static Value[] ReadData(StorageType storage, ReadOnlySpan<byte> bytes, ulong offset, ulong count)
    {
        var width = (ulong)ByteWidth(storage);
        if (offset > (ulong)bytes.Length || count > ((ulong)bytes.Length - offset) / width)
        {
            TrapException.Throw(TrapKind.OutOfBoundsMemoryAccess);
        }
        if (count > MaxArrayLength)
        {
            TrapException.Throw(TrapKind.ResourceExhausted);
        }
        var values = new Value[(int)count];
        for (var i = 0; i < values.Length; i++)
        {
            var at = bytes[(int)(offset + ((ulong)i * width))..];
            values[i] = width switch
            {
                1 => new Value(at[0]),
                2 => new Value(BinaryPrimitives.ReadUInt16LittleEndian(at)),
                4 => new Value(BinaryPrimitives.ReadUInt32LittleEndian(at)),
                8 => new Value(BinaryPrimitives.ReadUInt64LittleEndian(at)),
                _ => Value.FromV128(V128.FromBytes(at)),
            };
        }
        return values;
    }

    /// <summary>Reads references from an element segment (<c>array.new_elem</c>, <c>array.init_elem</c>).</summary>
    public static Value[] ReadElements(ElementInstance segment, ulong offset, ulong count)
    {
        var items = segment.Items;
        if (offset > (ulong)items.Length || count > (ulong)items.Length - offset)
        {
            TrapException.Throw(TrapKind.OutOfBoundsTableAccess);
        }
        var values = new Value[(int)count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Value.FromReference(items[(int)offset + i]);
        }
        return values;
    }

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

    /// <summary>Traps unless elements [<paramref name="index"/>, <paramref name="index"/> + <paramref name="count"/>) lie in the array.</summary>
    public static void CheckRange(ArrayObject array, ulong index, ulong count)
    {
        var length = (ulong)array.Elements.Length;
        if (index > length || count > length - index)
        {
            TrapException.Throw(TrapKind.OutOfBoundsArrayAccess);
        }
    }

    /// <summary><c>array.fill</c>.</summary>
    public static void Fill(ArrayObject array, uint index, Value value, uint count)
    {
        CheckRange(array, index, count);
        Array.Fill(array.Elements, Pack(((ArrayType)array.Type.Body).Element.Storage, value), (int)index, (int)count);
    }

    /// <summary><c>array.copy</c> (overlapping ranges copy as if through a temporary).</summary>
    public static void Copy(ArrayObject destination, uint destinationIndex, ArrayObject source, uint sourceIndex, uint count)
    {
        CheckRange(destination, destinationIndex, count);
        CheckRange(source, sourceIndex, count);
        Array.Copy(source.Elements, sourceIndex, destination.Elements, destinationIndex, count);
    }

    /// <summary><c>array.init_data</c>.</summary>
    public static void InitData(ArrayObject array, uint index, DataInstance data, uint offset, uint count)
    {
        CheckRange(array, index, count);
        ReadData(((ArrayType)array.Type.Body).Element.Storage, data.Bytes.Span, offset, count).CopyTo(array.Elements, index);
    }

    /// <summary><c>array.init_elem</c>.</summary>
    public static void InitElements(ArrayObject array, uint index, ElementInstance segment, uint offset, uint count)
    {
        CheckRange(array, index, count);
        ReadElements(segment, offset, count).CopyTo(array.Elements, index);
    }

    /// <summary><c>ref.eq</c>: identity, except that i31 references compare by value.</summary>
    public static bool ReferenceEqual(object? a, object? b) =>
        ReferenceEquals(a, b) || (a is I31Reference x && b is I31Reference y && x.Value == y.Value);
}
