using WasmHarness.Syntax;

namespace WasmHarness.Validation;

/// <summary>
/// The spec's matching (subtyping) relations over types in canonical form (concrete heap types are canonical ids
/// of <see cref="TypeRegistry"/>). Because canonical types are shared by all modules, the same functions serve
/// validation inside one module and import matching across modules.
/// </summary>
public static class Subtyping
{
    /// <summary>The top of a heap type's hierarchy: <c>any</c>, <c>func</c>, <c>exn</c> or <c>extern</c>.</summary>
    public static HeapType TopOf(HeapType heap)
    {
        if (heap.IsConcrete)
        {
            return TypeRegistry.Get(heap).Kind == CompositeKind.Function ? HeapType.Func : HeapType.Any;
        }
        return heap.Kind switch
        {
            AbstractHeapType.Any or AbstractHeapType.Eq or AbstractHeapType.I31 or AbstractHeapType.Struct
                or AbstractHeapType.Array or AbstractHeapType.None => HeapType.Any,
            AbstractHeapType.Func or AbstractHeapType.NoFunc => HeapType.Func,
            AbstractHeapType.Exn or AbstractHeapType.NoExn => HeapType.Exn,
            AbstractHeapType.Extern or AbstractHeapType.NoExtern => HeapType.Extern,
            _ => HeapType.Bottom,
        };
    }

    /// <summary>The bottom of a heap type's hierarchy: <c>none</c>, <c>nofunc</c>, <c>noexn</c> or <c>noextern</c>.</summary>
    public static HeapType BottomOf(HeapType heap)
    {
        var top = TopOf(heap);
        if (top == HeapType.Any)
        {
            return HeapType.None;
        }
        if (top == HeapType.Func)
        {
            return HeapType.NoFunc;
        }
        if (top == HeapType.Exn)
        {
            return HeapType.NoExn;
        }
        return top == HeapType.Extern ? HeapType.NoExtern : HeapType.Bottom;
    }

    /// <summary><paramref name="sub"/> matches (is a subtype of) <paramref name="super"/>.</summary>
    public static bool Matches(HeapType sub, HeapType super)
    {
        if (sub == super)
        {
            return true;
        }
        if (sub.IsConcrete)
        {
            var dt = TypeRegistry.Get(sub);
            if (super.IsConcrete)
            {
                return dt.IsSubtypeOf(TypeRegistry.Get(super));
            }
            return (dt.Kind, super.Kind) switch
            {
                (CompositeKind.Function, AbstractHeapType.Func) => true,
                (CompositeKind.Struct, AbstractHeapType.Struct or AbstractHeapType.Eq or AbstractHeapType.Any) => true,
                (CompositeKind.Array, AbstractHeapType.Array or AbstractHeapType.Eq or AbstractHeapType.Any) => true,
                _ => false,
            };
        }
        switch (sub.Kind)
        {
            case AbstractHeapType.Bottom:
                return true;
            case AbstractHeapType.None:
            case AbstractHeapType.NoFunc:
            case AbstractHeapType.NoExn:
            case AbstractHeapType.NoExtern:
                return TopOf(super) == TopOf(sub);
            case AbstractHeapType.Eq:
                return super == HeapType.Any;
            case AbstractHeapType.I31:
            case AbstractHeapType.Struct:
            case AbstractHeapType.Array:
                return super == HeapType.Eq || super == HeapType.Any;
            default:
                return false;
        }
    }

    /// <summary>Reference type matching: nullability and heap type.</summary>
    public static bool MatchesReference(ValType sub, ValType super) =>
        (!sub.Nullable || super.Nullable) && Matches(sub.Heap, super.Heap);

    /// <summary>Value type matching; the validator's <see cref="ValueKind.Bottom"/> matches everything.</summary>
    public static bool Matches(ValType sub, ValType super)
    {
        if (sub.Kind == ValueKind.Bottom)
        {
            return true;
        }
        if (sub.Kind != super.Kind)
        {
            return false;
        }
        return sub.Kind != ValueKind.Ref || MatchesReference(sub, super);
    }

    /// <summary>Result type matching: same length, pointwise matching.</summary>
    public static bool Matches(IReadOnlyList<ValType> sub, IReadOnlyList<ValType> super)
    {
        if (sub.Count != super.Count)
        {
            return false;
        }
        for (var i = 0; i < sub.Count; i++)
        {
            if (!Matches(sub[i], super[i]))
            {
                return false;
            }
        }
        return true;
    }

    public static bool Matches(StorageType sub, StorageType super) =>
        sub.Packed == super.Packed && (sub.IsPacked || Matches(sub.Type, super.Type));

    /// <summary>Field matching: immutable fields are covariant, mutable ones invariant.</summary>
    public static bool Matches(FieldType sub, FieldType super) =>
        sub.Mutable == super.Mutable && Matches(sub.Storage, super.Storage) &&
        (!sub.Mutable || Matches(super.Storage, sub.Storage));

    /// <summary>Composite type matching: struct width and depth subtyping, array element, function contra/covariance.</summary>
    public static bool Matches(CompositeType sub, CompositeType super)
    {
        switch (sub, super)
        {
            case (StructType s1, StructType s2):
                if (s1.Fields.Count < s2.Fields.Count)
                {
                    return false;
                }
                for (var i = 0; i < s2.Fields.Count; i++)
                {
                    if (!Matches(s1.Fields[i], s2.Fields[i]))
                    {
                        return false;
                    }
                }
                return true;
            case (ArrayType a1, ArrayType a2):
                return Matches(a1.Element, a2.Element);
            case (FunctionType f1, FunctionType f2):
                return Matches(f2.Parameters, f1.Parameters) && Matches(f1.Results, f2.Results);
            default:
                return false;
        }
    }

    /// <summary>Limits matching for imports: the actual range lies within the expected one.</summary>
    public static bool Matches(Limits actual, Limits expected) =>
        actual.AddressType == expected.AddressType && actual.Min >= expected.Min &&
        (expected.Max is null || (actual.Max is { } max && max <= expected.Max.Value));

    /// <summary>Global type matching for imports (canonical value types).</summary>
    public static bool Matches(GlobalType actual, GlobalType expected) =>
        actual.Mutable == expected.Mutable && Matches(actual.Type, expected.Type) &&
        (!actual.Mutable || Matches(expected.Type, actual.Type));

    /// <summary>Table type matching for imports (canonical element types, which must be equivalent).</summary>
    public static bool Matches(TableType actual, TableType expected) =>
        Matches(actual.Limits, expected.Limits) &&
        Matches(actual.ElementType, expected.ElementType) && Matches(expected.ElementType, actual.ElementType);

    /// <summary>Memory type matching for imports: the page sizes must be equal (custom-page-sizes), the limits match.</summary>
    public static bool Matches(MemoryType actual, MemoryType expected) =>
        actual.Limits.Shared == expected.Limits.Shared && actual.PageSizeLog2 == expected.PageSizeLog2 && Matches(actual.Limits, expected.Limits);

    /// <summary>Function import matching: the provided function's type is a subtype of the expected one.</summary>
    public static bool Matches(DefinedType actual, DefinedType expected) => actual.IsSubtypeOf(expected);
}
