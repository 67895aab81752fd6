namespace WasmHarness.Syntax;

/// <summary>Packed storage types of struct and array fields.</summary>
public enum PackedType : byte
{
    /// <summary>Not packed: the field holds a full <see cref="ValType"/>.</summary>
    None,
    I8,
    I16,
}

/// <summary>A field's storage type (spec: <c>storagetype</c>): a value type or a packed integer type.</summary>
public readonly record struct StorageType(ValType Type, PackedType Packed = PackedType.None)
{
    public static readonly StorageType I8 = new(ValType.I32, PackedType.I8);
    public static readonly StorageType I16 = new(ValType.I32, PackedType.I16);

    public bool IsPacked => Packed != PackedType.None;

    /// <summary>The type a value has on the operand stack once read (packed types unpack to i32).</summary>
    public ValType Unpacked => IsPacked ? ValType.I32 : Type;

    public override string ToString() => Packed switch
    {
        PackedType.I8 => "i8",
        PackedType.I16 => "i16",
        _ => Type.ToString(),
    };
}

/// <summary>A struct or array field (spec: <c>fieldtype</c>).</summary>
public readonly record struct FieldType(StorageType Storage, bool Mutable);

/// <summary>A composite type (spec: <c>comptype</c>): a function, struct or array type.</summary>
public abstract class CompositeType
{
    private protected CompositeType()
    {
    }
}

/// <summary>A function type <c>[params] -> [results]</c>.</summary>
public sealed class FunctionType(IReadOnlyList<ValType> parameters, IReadOnlyList<ValType> results) : CompositeType, IEquatable<FunctionType>
{
    public static readonly FunctionType Empty = new([], []);

    public IReadOnlyList<ValType> Parameters { get; } = parameters;

    public IReadOnlyList<ValType> Results { get; } = results;

    public bool Equals(FunctionType? other) =>
        other is not null && Parameters.SequenceEqual(other.Parameters) && Results.SequenceEqual(other.Results);

    public override bool Equals(object? obj) => Equals(obj as FunctionType);

    public override int GetHashCode() => HashCode.Combine(Parameters.Count, Results.Count, Parameters.FirstOrDefault(), Results.FirstOrDefault());

    public override string ToString() => $"[{string.Join(' ', Parameters)}] -> [{string.Join(' ', Results)}]";
}

/// <summary>A struct type: a sequence of fields.</summary>
public sealed class StructType(IReadOnlyList<FieldType> fields) : CompositeType, IEquatable<StructType>
{
    public IReadOnlyList<FieldType> Fields { get; } = fields;

    public bool Equals(StructType? other) => other is not null && Fields.SequenceEqual(other.Fields);

    public override bool Equals(object? obj) => Equals(obj as StructType);

    public override int GetHashCode() => Fields.Count;

    public override string ToString() => $"(struct {string.Join(' ', Fields.Select(f => f.Mutable ? $"(mut {f.Storage})" : f.Storage.ToString()))})";
}

/// <summary>An array type: one element field.</summary>
public sealed class ArrayType(FieldType element) : CompositeType, IEquatable<ArrayType>
{
    public FieldType Element { get; } = element;

    public bool Equals(ArrayType? other) => other is not null && Element == other.Element;

    public override bool Equals(object? obj) => Equals(obj as ArrayType);

    public override int GetHashCode() => Element.GetHashCode();

    public override string ToString() => $"(array {(Element.Mutable ? $"(mut {Element.Storage})" : Element.Storage.ToString())})";
}

/// <summary>
/// A sub type (spec: <c>subtype</c>): a composite type with its declared supertypes (type indices) and
/// whether it is final. A plain type definition without <c>sub</c> is final with no supertypes.
/// </summary>
public sealed class SubType(CompositeType body, IReadOnlyList<uint>? supertypes = null, bool final = true) : IEquatable<SubType>
{
    public CompositeType Body { get; } = body;

    public IReadOnlyList<uint> Supertypes { get; } = supertypes ?? [];

    public bool Final { get; } = final;

    public bool Equals(SubType? other) =>
        other is not null && Final == other.Final && Supertypes.SequenceEqual(other.Supertypes) && Body.Equals(other.Body);

    public override bool Equals(object? obj) => Equals(obj as SubType);

    public override int GetHashCode() => HashCode.Combine(Final, Supertypes.Count, Body.GetHashCode());

    public override string ToString() => Final && Supertypes.Count == 0 ? Body.ToString()! : $"(sub {(Final ? "final " : "")}{string.Join(' ', Supertypes)} {Body})";
}

/// <summary>
/// A recursive type group (spec: <c>rectype</c>). Each member occupies one type index; a type defined
/// outside <c>(rec ...)</c> is a group of one.
/// </summary>
public sealed class RecursiveType(IReadOnlyList<SubType> types) : IEquatable<RecursiveType>
{
    public IReadOnlyList<SubType> Types { get; } = types;

    public bool Equals(RecursiveType? other) => other is not null && Types.SequenceEqual(other.Types);

    public override bool Equals(object? obj) => Equals(obj as RecursiveType);

    public override int GetHashCode() => Types.Count;
}

/// <summary>Whether a memory or table is indexed by i32 or, with memory64/table64, by i64.</summary>
public enum AddressType : byte
{
    I32,
    I64,
}

/// <summary>Size limits of a memory (in pages) or a table (in elements) (spec: <c>limits</c>).</summary>
public readonly record struct Limits(ulong Min, ulong? Max = null, AddressType AddressType = AddressType.I32, bool Shared = false)
{
    public ValType AddressValueType => AddressType == AddressType.I64 ? ValType.I64 : ValType.I32;
}

/// <summary>The type of an external value (spec: <c>externtype</c>), the descriptor of an import.</summary>
public abstract record ExternType
{
    private protected ExternType()
    {
    }

    public abstract ExternKind Kind { get; }
}

/// <summary>An imported function's type, by type index.</summary>
public sealed record FunctionTypeUse(uint TypeIndex) : ExternType
{
    public override ExternKind Kind => ExternKind.Function;
}

/// <summary>A table type: limits and element reference type.</summary>
public sealed record TableType(Limits Limits, ValType ElementType) : ExternType
{
    public override ExternKind Kind => ExternKind.Table;
}

/// <summary>
/// A memory type: limits in pages, and the page size as its log2 (custom-page-sizes: 0 for 1 byte, or the default
/// 16 for 64 KiB; the decoder and text parser keep it below 64, the validator to those two).
/// </summary>
public sealed record MemoryType(Limits Limits, int PageSizeLog2 = MemoryType.DefaultPageSizeLog2) : ExternType
{
    /// <summary>The log2 of the page size of a memory that does not state one: 64 KiB.</summary>
    public const int DefaultPageSizeLog2 = 16;

    /// <summary>The page size of a memory that does not state one: 64 KiB.</summary>
    public const ulong DefaultPageSize = 1UL << DefaultPageSizeLog2;

    /// <summary>The size of one page in bytes: the unit of the limits, <c>memory.size</c> and <c>memory.grow</c>.</summary>
    public ulong PageSize => 1UL << PageSizeLog2;

    /// <summary>True when the page size is not the default (the module needs custom-page-sizes).</summary>
    public bool HasCustomPageSize => PageSizeLog2 != DefaultPageSizeLog2;

    /// <summary>
    /// The most pages the address type allows: 2^bits / page size, but at most 2^bits - 1, so that the size in pages
    /// is never confused with <c>memory.grow</c>'s -1 (a 1-byte-page wasm32 memory has at most 2^32 - 1 bytes).
    /// </summary>
    public ulong MaxPagesOfAddressSpace
    {
        get
        {
            var bits = Limits.AddressType == AddressType.I64 ? 64 : 32;
            var allOnes = bits == 64 ? ulong.MaxValue : uint.MaxValue;
            return PageSizeLog2 == 0 ? allOnes : PageSizeLog2 >= bits ? 0 : (allOnes >> PageSizeLog2) + 1;
        }
    }

    public override ExternKind Kind => ExternKind.Memory;
}

/// <summary>A global type: value type and mutability.</summary>
public sealed record GlobalType(ValType Type, bool Mutable) : ExternType
{
    public override ExternKind Kind => ExternKind.Global;
}

/// <summary>An exception tag's type: the index of a function type whose parameters are the payload (results must be empty).</summary>
public sealed record TagType(uint TypeIndex) : ExternType
{
    public override ExternKind Kind => ExternKind.Tag;
}

/// <summary>The kinds of import and export (their binary codes are the enum values).</summary>
public enum ExternKind : byte
{
    Function = 0,
    Table = 1,
    Memory = 2,
    Global = 3,
    Tag = 4,
}
