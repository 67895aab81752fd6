namespace WasmHarness.Syntax;

/// <summary>The abstract heap types of Wasm 3.0 (spec: <c>absheaptype</c>), plus the validator's bottom type.</summary>
public enum AbstractHeapType : sbyte
{
    // The values are the negated binary encodings' low bits, so that a HeapType fits one int:
    // concrete type indices are >= 0 and abstract types are < 0.
    NoExn = -0x0C,    // 0x74
    NoFunc = -0x0D,   // 0x73
    NoExtern = -0x0E, // 0x72
    None = -0x0F,     // 0x71
    Func = -0x10,     // 0x70
    Extern = -0x11,   // 0x6F
    Any = -0x12,      // 0x6E
    Eq = -0x13,       // 0x6D
    I31 = -0x14,      // 0x6C
    Struct = -0x15,   // 0x6B
    Array = -0x16,    // 0x6A
    Exn = -0x17,      // 0x69
    /// <summary>Not in any module: the validator's bottom heap type, below every other.</summary>
    Bottom = -0x40,
}

/// <summary>
/// A heap type (spec: <c>heaptype</c>): either abstract (<c>func</c>, <c>any</c>, ...) or a concrete type index
/// into the module's type section.
/// </summary>
public readonly record struct HeapType
{
    private readonly int _code;

    private HeapType(int code) => _code = code;

    public static HeapType Abstract(AbstractHeapType type) => new((int)type);

    public static HeapType Concrete(uint typeIndex) =>
        typeIndex <= int.MaxValue ? new((int)typeIndex) : throw new ArgumentOutOfRangeException(nameof(typeIndex));

    public static readonly HeapType Func = Abstract(AbstractHeapType.Func);
    public static readonly HeapType Extern = Abstract(AbstractHeapType.Extern);
    public static readonly HeapType Any = Abstract(AbstractHeapType.Any);
    public static readonly HeapType Eq = Abstract(AbstractHeapType.Eq);
    public static readonly HeapType I31 = Abstract(AbstractHeapType.I31);
    public static readonly HeapType Struct = Abstract(AbstractHeapType.Struct);
    public static readonly HeapType Array = Abstract(AbstractHeapType.Array);
    public static readonly HeapType Exn = Abstract(AbstractHeapType.Exn);
    public static readonly HeapType None = Abstract(AbstractHeapType.None);
    public static readonly HeapType NoFunc = Abstract(AbstractHeapType.NoFunc);
    public static readonly HeapType NoExtern = Abstract(AbstractHeapType.NoExtern);
    public static readonly HeapType NoExn = Abstract(AbstractHeapType.NoExn);
    public static readonly HeapType Bottom = Abstract(AbstractHeapType.Bottom);

    public bool IsConcrete => _code >= 0;

    public bool IsAbstract => _code < 0;

    /// <summary>The type index of a concrete heap type.</summary>
    public uint TypeIndex => _code >= 0 ? (uint)_code : throw new InvalidOperationException($"{this} is not a concrete heap type");

    /// <summary>The kind of an abstract heap type.</summary>
    public AbstractHeapType Kind => _code < 0 ? (AbstractHeapType)_code : throw new InvalidOperationException($"{this} is not an abstract heap type");

    /// <summary>The binary encoding's byte of an abstract heap type (e.g. 0x70 for <c>func</c>).</summary>
    public byte AbstractCode => (byte)(0x80 + (int)Kind);

    /// <summary>The abstract heap type whose binary code is <paramref name="code"/>, if any.</summary>
    public static bool TryFromCode(byte code, out HeapType type)
    {
        type = default;
        if (code is < 0x69 or > 0x74)
        {
            return false;
        }
        type = new(code - 0x80);
        return true;
    }

    public override string ToString() => _code >= 0 ? _code.ToString(System.Globalization.CultureInfo.InvariantCulture) : Kind switch
    {
        AbstractHeapType.NoExn => "noexn",
        AbstractHeapType.NoFunc => "nofunc",
        AbstractHeapType.NoExtern => "noextern",
        AbstractHeapType.None => "none",
        AbstractHeapType.Func => "func",
        AbstractHeapType.Extern => "extern",
        AbstractHeapType.Any => "any",
        AbstractHeapType.Eq => "eq",
        AbstractHeapType.I31 => "i31",
        AbstractHeapType.Struct => "struct",
        AbstractHeapType.Array => "array",
        AbstractHeapType.Exn => "exn",
        _ => "bot",
    };
}
