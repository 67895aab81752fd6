namespace WasmHarness.Syntax;

/// <summary>The kinds of value type: numbers, vectors and references (spec: <c>valtype</c>).</summary>
public enum ValueKind : byte
{
    I32,
    I64,
    F32,
    F64,
    V128,
    Ref,
    /// <summary>Not in any module: the validator's unknown operand type after <c>unreachable</c>.</summary>
    Bottom,
}

/// <summary>
/// A value type (spec: <c>valtype</c>): a number type, <c>v128</c>, or a reference type <c>(ref null? heaptype)</c>.
/// </summary>
public readonly record struct ValType(ValueKind Kind, HeapType Heap = default, bool Nullable = false)
{
    public static readonly ValType I32 = new(ValueKind.I32);
    public static readonly ValType I64 = new(ValueKind.I64);
    public static readonly ValType F32 = new(ValueKind.F32);
    public static readonly ValType F64 = new(ValueKind.F64);
    public static readonly ValType V128 = new(ValueKind.V128);
    public static readonly ValType Bottom = new(ValueKind.Bottom);

    /// <summary><c>funcref</c>, that is <c>(ref null func)</c>.</summary>
    public static readonly ValType FuncRef = Ref(HeapType.Func, nullable: true);
    /// <summary><c>externref</c>, that is <c>(ref null extern)</c>.</summary>
    public static readonly ValType ExternRef = Ref(HeapType.Extern, nullable: true);
    public static readonly ValType AnyRef = Ref(HeapType.Any, nullable: true);
    public static readonly ValType EqRef = Ref(HeapType.Eq, nullable: true);
    public static readonly ValType I31Ref = Ref(HeapType.I31, nullable: true);
    public static readonly ValType StructRef = Ref(HeapType.Struct, nullable: true);
    public static readonly ValType ArrayRef = Ref(HeapType.Array, nullable: true);
    public static readonly ValType ExnRef = Ref(HeapType.Exn, nullable: true);
    public static readonly ValType NullRef = Ref(HeapType.None, nullable: true);
    public static readonly ValType NullFuncRef = Ref(HeapType.NoFunc, nullable: true);
    public static readonly ValType NullExternRef = Ref(HeapType.NoExtern, nullable: true);
    public static readonly ValType NullExnRef = Ref(HeapType.NoExn, nullable: true);

    public static ValType Ref(HeapType heap, bool nullable) => new(ValueKind.Ref, heap, nullable);

    public bool IsReference => Kind == ValueKind.Ref;

    public bool IsNumber => Kind is ValueKind.I32 or ValueKind.I64 or ValueKind.F32 or ValueKind.F64;

    /// <summary>True where the type has a default value (numbers, vectors, nullable references): locals of other types must be set before use.</summary>
    public bool IsDefaultable => Kind != ValueKind.Ref || Nullable;

    /// <summary>Size in bytes of the value's bit pattern for number and vector types.</summary>
    public int ByteWidth => Kind switch
    {
        ValueKind.I32 or ValueKind.F32 => 4,
        ValueKind.I64 or ValueKind.F64 => 8,
        ValueKind.V128 => 16,
        _ => throw new InvalidOperationException($"{this} has no bit width"),
    };

    public override string ToString() => Kind switch
    {
        ValueKind.I32 => "i32",
        ValueKind.I64 => "i64",
        ValueKind.F32 => "f32",
        ValueKind.F64 => "f64",
        ValueKind.V128 => "v128",
        ValueKind.Ref => Nullable ? $"(ref null {Heap})" : $"(ref {Heap})",
        _ => "bot",
    };
}
