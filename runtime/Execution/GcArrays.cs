using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using WasmHarness.Syntax;
using WasmHarness.Validation;

namespace WasmHarness.Execution;

/// <summary>
/// The array instructions' semantics on packed arrays (<see cref="ArrayObject{T}"/>), the one copy both tiers use:
/// the interpreter through the <see cref="Value"/> forms (<see cref="Get"/>, <see cref="Set"/>, ...), compiled code
/// through the typed accessors (<see cref="GetS8"/>, <see cref="SetI32"/>, ...), which the <see cref="Value"/> forms
/// call in turn. Accessors take the array as an object and trap on null (<c>null array reference</c>), then on an
/// index out of bounds (<c>out of bounds array access</c>). Allocation accounts every array in the store's
/// <see cref="GcHeap"/>.
/// </summary>
public static class GcArrays
{
    /// <summary>How an element is stored: its CLR type, by the storage type's kind.</summary>
    public enum ElementKind : byte
    {
        /// <summary><c>i8</c>: <see cref="byte"/>.</summary>
        I8,
        /// <summary><c>i16</c>: <see cref="ushort"/>.</summary>
        I16,
        /// <summary><c>i32</c> and <c>f32</c> (its bits): <see cref="int"/>.</summary>
        I32,
        /// <summary><c>i64</c> and <c>f64</c> (its bits): <see cref="long"/>.</summary>
        I64,
        /// <summary><c>v128</c>: <see cref="Syntax.V128"/>.</summary>
        V128,
        /// <summary>References: <see cref="object"/>.</summary>
        Ref,
    }

    /// <summary>How elements of <paramref name="storage"/> type are stored.</summary>
    public static ElementKind KindOf(StorageType storage) => storage.Packed switch
    {
        PackedType.I8 => ElementKind.I8,
        PackedType.I16 => ElementKind.I16,
        _ => storage.Type.Kind switch
        {
            ValueKind.I32 or ValueKind.F32 => ElementKind.I32,
            ValueKind.I64 or ValueKind.F64 => ElementKind.I64,
            ValueKind.V128 => ElementKind.V128,
            _ => ElementKind.Ref,
        },
    };

    /// <summary>Size in bytes of an element read from a data segment (<c>array.new_data</c>, <c>array.init_data</c>).</summary>
    public static int DataBytes(StorageType storage) => storage.Packed switch
    {
        PackedType.I8 => 1,
        PackedType.I16 => 2,
        _ => storage.Type.ByteWidth,
    };

    // ---- allocation ----

    /// <summary>
    /// Allocates an array of <paramref name="length"/> default elements in <paramref name="heap"/>: traps
    /// (<c>resource exhausted</c>) beyond <see cref="Gc.MaxArrayLength"/>, beyond the heap's limit, or when the
    /// host cannot allocate it.
    /// </summary>
    public static ArrayObject NewDefault(GcHeap heap, DefinedType type, ulong length)
    {
        ArgumentNullException.ThrowIfNull(heap);
        ArgumentNullException.ThrowIfNull(type);
        if (length > Gc.MaxArrayLength)
        {
            throw new TrapException(TrapKind.ResourceExhausted, $"an array of {length} elements exceeds the limit of {Gc.MaxArrayLength}");
        }
        var n = (int)length;
        return KindOf(((ArrayType)type.Body).Element.Storage) switch
        {
            ElementKind.I8 => Allocate<byte>(heap, type, n),
            ElementKind.I16 => Allocate<ushort>(heap, type, n),
            ElementKind.I32 => Allocate<int>(heap, type, n),
            ElementKind.I64 => Allocate<long>(heap, type, n),
            ElementKind.V128 => Allocate<V128>(heap, type, n),
            _ => Allocate<object?>(heap, type, n),
        };
    }

    /// <summary><c>array.new</c>: <paramref name="length"/> copies of <paramref name="initial"/> (packed: its low bits).</summary>
    public static ArrayObject New(GcHeap heap, DefinedType type, ulong length, Value initial)
    {
        var array = NewDefault(heap, type, length);
        if (initial != default)
        {
            FillUnchecked(array, 0, initial, array.Length);
        }
        return array;
    }

    /// <summary><c>array.new_fixed</c>: an array of <paramref name="values"/> (packed: their low bits).</summary>
    public static ArrayObject NewFixed(GcHeap heap, DefinedType type, ReadOnlySpan<Value> values)
    {
        var array = NewDefault(heap, type, (ulong)values.Length);
        for (var i = 0; i < values.Length; i++)
        {
            Set(array, (uint)i, values[i]);
        }
        return array;
    }

    /// <summary>
    /// <c>array.new_data</c>: <paramref name="count"/> elements read (little-endian) from <paramref name="data"/> at
    /// byte <paramref name="offset"/>; traps (<c>out of bounds memory access</c>) when they are not all there.
    /// </summary>
    public static ArrayObject NewData(GcHeap heap, DefinedType type, DataInstance data, ulong offset, ulong count)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(data);
        var bytes = data.Bytes.Span;
        CheckData(((ArrayType)type.Body).Element.Storage, bytes, offset, count);
        var array = NewDefault(heap, type, count);
        ReadData(array, 0, bytes[(int)offset..], array.Length);
        return array;
    }

    /// <summary>
    /// <c>array.new_elem</c>: <paramref name="count"/> references of <paramref name="segment"/> from
    /// <paramref name="offset"/>; traps (<c>out of bounds table access</c>) when they are not all there.
    /// </summary>
    public static ArrayObject NewElements(GcHeap heap, DefinedType type, ElementInstance segment, ulong offset, ulong count)
    {
        ArgumentNullException.ThrowIfNull(segment);
        var items = segment.Items;
        CheckElements(items, offset, count);
        var array = NewDefault(heap, type, count);
        items.AsSpan((int)offset, array.Length).CopyTo(((ArrayObject<object?>)array).Elements);
        return array;
    }

    private static ArrayObject<T> Allocate<T>(GcHeap heap, DefinedType type, int length)
    {
        var bytes = GcHeap.ArrayBytes(length, Unsafe.SizeOf<T>()); // a reference element: a pointer
        var cohort = heap.Charge(bytes);
        T[] elements;
        try
        {
            elements = new T[length];
        }
        catch (OutOfMemoryException)
        {
            throw GcHeap.OutOfMemory(bytes);
        }
        var array = new ArrayObject<T>(type, elements) { Cohort = cohort };
        heap.Track(array, bytes);
        return array;
    }

    // ---- typed accessors (compiled code calls these; the Value forms below call them too) ----

    /// <summary><c>array.len</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Length(object? array) => (array as ArrayObject ?? NullArray<ArrayObject>()).Length;

    /// <summary><c>array.get_s</c> of an <c>i8</c> array.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int GetS8(object? array, int index) => (sbyte)Element<byte>(array, index);

    /// <summary><c>array.get_u</c> of an <c>i8</c> array.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int GetU8(object? array, int index) => Element<byte>(array, index);

    /// <summary><c>array.get_s</c> of an <c>i16</c> array.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int GetS16(object? array, int index) => (short)Element<ushort>(array, index);

    /// <summary><c>array.get_u</c> of an <c>i16</c> array.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int GetU16(object? array, int index) => Element<ushort>(array, index);

    /// <summary><c>array.get</c> of an <c>i32</c> array, or the bits of an <c>f32</c> array's element.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int GetI32(object? array, int index) => Element<int>(array, index);

    /// <summary><c>array.get</c> of an <c>i64</c> array, or the bits of an <c>f64</c> array's element.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long GetI64(object? array, int index) => Element<long>(array, index);

    /// <summary><c>array.get</c> of a <c>v128</c> array.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 GetV128(object? array, int index) => Element<V128>(array, index);

    /// <summary><c>array.get</c> of a reference array.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static object? GetRef(object? array, int index) => Element<object?>(array, index);

    /// <summary><c>array.set</c> of an <c>i8</c> array: keeps the low 8 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetI8(object? array, int index, int value) => Element<byte>(array, index) = (byte)value;

    /// <summary><c>array.set</c> of an <c>i16</c> array: keeps the low 16 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetI16(object? array, int index, int value) => Element<ushort>(array, index) = (ushort)value;

    /// <summary><c>array.set</c> of an <c>i32</c> array, or of an <c>f32</c> array given the value's bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetI32(object? array, int index, int value) => Element<int>(array, index) = value;

    /// <summary><c>array.set</c> of an <c>i64</c> array, or of an <c>f64</c> array given the value's bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetI64(object? array, int index, long value) => Element<long>(array, index) = value;

    /// <summary><c>array.set</c> of a <c>v128</c> array.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetV128(object? array, int index, V128 value) => Element<V128>(array, index) = value;

    /// <summary><c>array.set</c> of a reference array.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetRef(object? array, int index, object? value) => Element<object?>(array, index) = value;

    /// <summary>
    /// The element's address, after the null and bounds checks. Shaped for RyuJIT: the throw helpers are left for it
    /// to find out they never return (so they go to cold code), and the guarded access needs no second bounds check.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref T Element<T>(object? array, int index)
    {
        if (array is ArrayObject<T> a)
        {
            var elements = a.Elements;
            if ((uint)index < (uint)elements.Length)
            {
                return ref elements[index];
            }
            ThrowOutOfBounds();
        }
        ThrowNullArray();
        return ref Unsafe.NullRef<T>();
    }

    [DoesNotReturn]
    private static void ThrowNullArray() => throw new TrapException(TrapKind.NullArrayReference);

    [DoesNotReturn]
    private static void ThrowOutOfBounds() => throw new TrapException(TrapKind.OutOfBoundsArrayAccess);

    [DoesNotReturn]
    private static T NullArray<T>() => throw new TrapException(TrapKind.NullArrayReference);

    // ---- the Value forms (the interpreter, constant expressions, embedders) ----

    /// <summary><c>array.get</c>/<c>array.get_s</c>/<c>array.get_u</c>: packed elements sign- or zero-extend to i32.</summary>
    public static Value Get(object? array, uint index, bool signed)
    {
        var i = (int)index;
        return array switch
        {
            ArrayObject<byte> => new Value((uint)(signed ? GetS8(array, i) : GetU8(array, i))),
            ArrayObject<ushort> => new Value((uint)(signed ? GetS16(array, i) : GetU16(array, i))),
            ArrayObject<int> => new Value((uint)GetI32(array, i)),
            ArrayObject<long> => new Value((ulong)GetI64(array, i)),
            ArrayObject<V128> => Value.FromV128(GetV128(array, i)),
            _ => Value.FromReference(GetRef(array, i)),
        };
    }

    /// <summary><c>array.set</c>: packed elements keep the value's low bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Set(object? array, uint index, Value value)
    {
        var i = (int)index;
        switch (array)
        {
            case ArrayObject<byte>: SetI8(array, i, (int)value.Low); break;
            case ArrayObject<ushort>: SetI16(array, i, (int)value.Low); break;
            case ArrayObject<int>: SetI32(array, i, (int)value.Low); break;
            case ArrayObject<long>: SetI64(array, i, (long)value.Low); break;
            case ArrayObject<V128>: SetV128(array, i, value.V128); break;
            default: SetRef(array, i, value.Reference); break;
        }
    }

    /// <summary>Traps unless elements [<paramref name="index"/>, <paramref name="index"/> + <paramref name="count"/>) lie in the array.</summary>
    public static void CheckRange(ArrayObject array, ulong index, ulong count)
    {
        ArgumentNullException.ThrowIfNull(array);
        var length = (ulong)array.Length;
        if (index > length || count > length - index)
        {
            ThrowOutOfBounds();
        }
    }

    /// <summary><c>array.fill</c>.</summary>
    public static void Fill(object? array, uint index, Value value, uint count)
    {
        var a = array as ArrayObject ?? NullArray<ArrayObject>();
        CheckRange(a, index, count);
        FillUnchecked(a, (int)index, value, (int)count);
    }

    private static void FillUnchecked(ArrayObject array, int index, Value value, int count)
    {
        switch (array)
        {
            case ArrayObject<byte> a: a.Elements.AsSpan(index, count).Fill((byte)value.Low); break;
            case ArrayObject<ushort> a: a.Elements.AsSpan(index, count).Fill((ushort)value.Low); break;
            case ArrayObject<int> a: a.Elements.AsSpan(index, count).Fill((int)value.Low); break;
            case ArrayObject<long> a: a.Elements.AsSpan(index, count).Fill((long)value.Low); break;
            case ArrayObject<V128> a: a.Elements.AsSpan(index, count).Fill(value.V128); break;
            default: ((ArrayObject<object?>)array).Elements.AsSpan(index, count).Fill(value.Reference); break;
        }
    }

    /// <summary>
    /// <c>array.copy</c>: overlapping ranges copy as if through a temporary. Both arrays store their elements
    /// alike: validation makes the source's element type match the destination's.
    /// </summary>
    public static void Copy(object? destination, uint destinationIndex, object? source, uint sourceIndex, uint count)
    {
        var to = destination as ArrayObject ?? NullArray<ArrayObject>();
        var from = source as ArrayObject ?? NullArray<ArrayObject>();
        CheckRange(to, destinationIndex, count);
        CheckRange(from, sourceIndex, count);
        Array.Copy(Elements(from), sourceIndex, Elements(to), destinationIndex, count);
    }

    private static Array Elements(ArrayObject array) => array switch
    {
        ArrayObject<byte> a => a.Elements,
        ArrayObject<ushort> a => a.Elements,
        ArrayObject<int> a => a.Elements,
        ArrayObject<long> a => a.Elements,
        ArrayObject<V128> a => a.Elements,
        _ => ((ArrayObject<object?>)array).Elements,
    };

    /// <summary><c>array.init_data</c>: elements read little-endian from the segment.</summary>
    public static void InitData(object? array, uint index, DataInstance data, uint offset, uint count)
    {
        ArgumentNullException.ThrowIfNull(data);
        var a = array as ArrayObject ?? NullArray<ArrayObject>();
        CheckRange(a, index, count);
        var bytes = data.Bytes.Span;
        CheckData(a.Storage, bytes, offset, count);
        ReadData(a, (int)index, bytes[(int)offset..], (int)count);
    }

    /// <summary><c>array.init_elem</c>.</summary>
    public static void InitElements(object? array, uint index, ElementInstance segment, uint offset, uint count)
    {
        ArgumentNullException.ThrowIfNull(segment);
        var a = array as ArrayObject ?? NullArray<ArrayObject>();
        CheckRange(a, index, count);
        var items = segment.Items;
        CheckElements(items, offset, count);
        items.AsSpan((int)offset, (int)count).CopyTo(((ArrayObject<object?>)a).Elements.AsSpan((int)index));
    }

    private static void CheckData(StorageType storage, ReadOnlySpan<byte> bytes, ulong offset, ulong count)
    {
        var width = (ulong)DataBytes(storage);
        if (offset > (ulong)bytes.Length || count > ((ulong)bytes.Length - offset) / width)
        {
            TrapException.Throw(TrapKind.OutOfBoundsMemoryAccess);
        }
    }

    private static void CheckElements(object?[] items, ulong offset, ulong count)
    {
        if (offset > (ulong)items.Length || count > (ulong)items.Length - offset)
        {
            TrapException.Throw(TrapKind.OutOfBoundsTableAccess);
        }
    }

    /// <summary>Reads <paramref name="count"/> elements (little-endian) from <paramref name="bytes"/> into the array from <paramref name="index"/>.</summary>
    private static void ReadData(ArrayObject array, int index, ReadOnlySpan<byte> bytes, int count)
    {
        switch (array)
        {
            case ArrayObject<byte> a:
                bytes[..count].CopyTo(a.Elements.AsSpan(index));
                break;
            case ArrayObject<ushort> a:
                ReadLittleEndian(bytes, a.Elements.AsSpan(index, count), static b => BinaryPrimitives.ReadUInt16LittleEndian(b));
                break;
            case ArrayObject<int> a:
                ReadLittleEndian(bytes, a.Elements.AsSpan(index, count), static b => BinaryPrimitives.ReadInt32LittleEndian(b));
                break;
            case ArrayObject<long> a:
                ReadLittleEndian(bytes, a.Elements.AsSpan(index, count), static b => BinaryPrimitives.ReadInt64LittleEndian(b));
                break;
            case ArrayObject<V128> a:
                ReadLittleEndian(bytes, a.Elements.AsSpan(index, count), static b => V128.FromBytes(b));
                break;
        }
    }

    private delegate T Reader<T>(ReadOnlySpan<byte> bytes);

    private static void ReadLittleEndian<T>(ReadOnlySpan<byte> bytes, Span<T> destination, Reader<T> read)
        where T : unmanaged
    {
        var width = Unsafe.SizeOf<T>();
        if (BitConverter.IsLittleEndian)
        {
            bytes[..(destination.Length * width)].CopyTo(MemoryMarshal.AsBytes(destination));
            return;
        }
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = read(bytes[(i * width)..]);
        }
    }
}
