using WasmHarness.Syntax;

namespace WasmHarness.Execution;

/// <summary>A table (spec: <c>tableinst</c>): a growable vector of references, with 64-bit indices for table64.</summary>
public sealed class TableInstance : ExternalValue
{
    /// <inheritdoc/>
    public override ExternKind Kind => ExternKind.Table;

    private object?[] _elements;
    private ulong _length;

    /// <summary>Creates a table of <paramref name="type"/>'s minimum size filled with <paramref name="initial"/>, failing above <paramref name="maxElements"/>.</summary>
    public TableInstance(TableType type, object? initial = null, ulong maxElements = uint.MaxValue)
    {
        Type = type;
        var addressLimit = type.Limits.AddressType == AddressType.I64 ? ulong.MaxValue : uint.MaxValue;
        MaxElements = Math.Min(Math.Min(type.Limits.Max ?? addressLimit, addressLimit), maxElements);
        if (type.Limits.Min > MaxElements || type.Limits.Min > (ulong)Array.MaxLength)
        {
            throw new TrapException(TrapKind.ResourceExhausted, $"table of {type.Limits.Min} elements exceeds the limit");
        }
        _length = type.Limits.Min;
        _elements = new object?[(int)_length];
        if (initial is not null)
        {
            Array.Fill(_elements, initial);
        }
    }

    /// <summary>The table's type; its minimum follows the current size as the table grows.</summary>
    public TableType Type { get; private set; }

    /// <summary>The most elements this table can have.</summary>
    public ulong MaxElements { get; }

    /// <summary>Current number of elements.</summary>
    public ulong Length => _length;

    /// <summary>True for a table64 table (i64 indices).</summary>
    public bool Is64 => Type.Limits.AddressType == AddressType.I64;

    /// <summary>Reads an element, trapping with <c>out of bounds table access</c>.</summary>
    public object? Get(ulong index)
    {
        if (index >= _length)
        {
            TrapException.Throw(TrapKind.OutOfBoundsTableAccess);
        }
        return _elements[(int)index];
    }

    /// <summary>
    /// Writes an element from the host, trapping with <c>out of bounds table access</c>; a function of another store
    /// than the table's is refused (<see cref="ArgumentException"/>).
    /// </summary>
    public void Set(ulong index, object? value)
    {
        AdmitReference(this, value);
        Write(index, value);
    }

    /// <summary><c>table.set</c>: the guest's write (validated code only holds references of its own store).</summary>
    internal void Write(ulong index, object? value)
    {
        if (index >= _length)
        {
            TrapException.Throw(TrapKind.OutOfBoundsTableAccess);
        }
        _elements[(int)index] = value;
    }

    /// <summary>Reads an element without a trap: false when the index is out of bounds.</summary>
    public bool TryGet(ulong index, out object? value)
    {
        if (index >= _length)
        {
            value = null;
            return false;
        }
        value = _elements[(int)index];
        return true;
    }

    /// <summary>Grows by <paramref name="delta"/> elements set to <paramref name="initial"/>; returns the old size or -1.</summary>
    public long Grow(ulong delta, object? initial)
    {
        var old = _length;
        if (delta > MaxElements - old || old + delta > (ulong)Array.MaxLength)
        {
            return -1;
        }
        if (delta != 0)
        {
            var newLength = old + delta;
            if (newLength > (ulong)_elements.Length)
            {
                try
                {
                    Array.Resize(ref _elements, (int)Math.Min(Math.Max(newLength, Math.Min((ulong)_elements.Length * 2, MaxElements)), (ulong)Array.MaxLength));
                }
                catch (OutOfMemoryException)
                {
                    return -1;
                }
            }
            Array.Fill(_elements, initial, (int)old, (int)delta);
            _length = newLength;
            Type = Type with { Limits = Type.Limits with { Min = newLength } };
        }
        return (long)old;
    }

    /// <summary><c>table.fill</c>: checks bounds, then fills.</summary>
    public void Fill(ulong index, object? value, ulong count)
    {
        if (index > _length || count > _length - index)
        {
            TrapException.Throw(TrapKind.OutOfBoundsTableAccess);
        }
        Array.Fill(_elements, value, (int)index, (int)count);
    }

    /// <summary><c>table.copy</c>: checks both ranges, then copies (overlap-safe).</summary>
    public static void Copy(TableInstance destination, ulong destinationIndex, TableInstance source, ulong sourceIndex, ulong count)
    {
        if (destinationIndex > destination._length || count > destination._length - destinationIndex ||
            sourceIndex > source._length || count > source._length - sourceIndex)
        {
            TrapException.Throw(TrapKind.OutOfBoundsTableAccess);
        }
        Array.Copy(source._elements, (int)sourceIndex, destination._elements, (int)destinationIndex, (int)count);
    }

    /// <summary><c>table.init</c>: copies from an element segment, checking both ranges first.</summary>
    public void Init(ulong index, ElementInstance segment, ulong sourceIndex, ulong count)
    {
        var items = segment.Items;
        if (index > _length || count > _length - index || sourceIndex > (ulong)items.Length || count > (ulong)items.Length - sourceIndex)
        {
            TrapException.Throw(TrapKind.OutOfBoundsTableAccess);
        }
        Array.Copy(items, (int)sourceIndex, _elements, (int)index, (int)count);
    }
}

/// <summary>A global variable (spec: <c>globalinst</c>).</summary>
public sealed class GlobalInstance(GlobalType type, Value value) : ExternalValue
{
    /// <inheritdoc/>
    public override ExternKind Kind => ExternKind.Global;

    /// <summary>The global's type.</summary>
    public GlobalType Type { get; } = type;

    /// <summary>
    /// The current value. Setting it from the host is allowed for mutable globals only, and not to a function of
    /// another store than the global's (<see cref="ArgumentException"/>).
    /// </summary>
    public Value Value
    {
        get => RawValue;
        set
        {
            if (!Type.Mutable)
            {
                throw new InvalidOperationException("the global is immutable");
            }
            AdmitReference(this, value.Reference);
            RawValue = value.Normalize(Type.Type);
        }
    }

    /// <summary>The value, written without the mutability check (instructions are validated).</summary>
    internal Value RawValue = value.Normalize(type.Type);
}

/// <summary>An element segment at run time (spec: <c>eleminst</c>): its references, emptied by <c>elem.drop</c>.</summary>
public sealed class ElementInstance(ValType type, object?[] items)
{
    /// <summary>The reference type of the items.</summary>
    public ValType Type { get; } = type;

    /// <summary>The references; empty once dropped.</summary>
    public object?[] Items { get; private set; } = items;

    /// <summary><c>elem.drop</c>.</summary>
    public void Drop() => Items = [];
}

/// <summary>A data segment at run time (spec: <c>datainst</c>): its bytes, emptied by <c>data.drop</c>.</summary>
public sealed class DataInstance(ReadOnlyMemory<byte> bytes)
{
    /// <summary>The bytes; empty once dropped.</summary>
    public ReadOnlyMemory<byte> Bytes { get; private set; } = bytes;

    /// <summary><c>data.drop</c>.</summary>
    public void Drop() => Bytes = ReadOnlyMemory<byte>.Empty;
}

/// <summary>An exception tag (spec: <c>taginst</c>): identity plus the payload's function type.</summary>
public sealed class TagInstance(Validation.DefinedType type) : ExternalValue
{
    /// <summary>A tag of a function type given by the host.</summary>
    public TagInstance(FunctionType type)
        : this(CanonicalTypes.Intern(type))
    {
    }

    /// <summary>The tag's canonical type.</summary>
    public Validation.DefinedType DefinedType { get; } = type;

    /// <inheritdoc/>
    public override ExternKind Kind => ExternKind.Tag;

    /// <summary>The tag's type: its parameters are the payload.</summary>
    public FunctionType Type => (FunctionType)DefinedType.Body;
}
