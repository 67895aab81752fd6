using System.Globalization;
using System.Text;
using WasmHarness.Syntax;

namespace WasmHarness.Validation;

/// <summary>
/// The spec's validation context <c>C</c> for one module, built up as the module is checked. Every type it holds
/// is in canonical form (concrete heap types are canonical ids of <see cref="TypeRegistry"/>).
/// </summary>
internal sealed class ValidationContext(Module module)
{
    public Module Module { get; } = module;

    /// <summary>The implementation limits the module is checked against.</summary>
    public ModuleLimits Limits { get; init; } = ModuleLimits.Default;

    /// <summary>The module's type definitions, flattened (module type index → definition as written).</summary>
    public SubType[] Definitions { get; } = [.. module.TypeDefinitions];

    /// <summary>Module type index → canonical type.</summary>
    public List<DefinedType> Types { get; } = [];

    /// <summary>Function index → module type index.</summary>
    public List<uint> FunctionTypeIndices { get; } = [];

    /// <summary>Function index → canonical type.</summary>
    public List<DefinedType> Functions { get; } = [];

    public List<GlobalType> Globals { get; } = [];

    public List<TableType> Tables { get; } = [];

    public List<MemoryType> Memories { get; } = [];

    /// <summary>Tag index → canonical function type of the tag.</summary>
    public List<DefinedType> Tags { get; } = [];

    /// <summary>Tag index → module type index.</summary>
    public List<uint> TagTypeIndices { get; } = [];

    /// <summary>Element segment index → canonical reference type.</summary>
    public List<ValType> Elements { get; } = [];

    public int DataCount { get; set; }

    /// <summary>Functions that <c>ref.func</c> may name in function bodies (spec: <c>C.refs</c>).</summary>
    public HashSet<uint> References { get; } = [];

    /// <summary>How many globals constant expressions may see right now (spec: the context <c>C'</c>).</summary>
    public int VisibleGlobals { get; set; }

    // ---- Where we are, for error messages ----------------------------------------------------------------

    private string _where = "module";
    private int _instruction = -1;
    private Opcode _opcode;

    public void At(string where)
    {
        _where = where;
        _instruction = -1;
    }

    public void AtInstruction(int index, Opcode opcode)
    {
        _instruction = index;
        _opcode = opcode;
    }

    /// <summary>Leaves an instruction sequence: later errors are about the enclosing definition again.</summary>
    public void LeaveInstructions() => _instruction = -1;

    public string Location =>
        _instruction < 0 ? _where : $"{_where}, instruction {_instruction} ({_opcode.Name()})";

    public InvalidModuleException Error(string reason) => new(reason, Location);

    // ---- Lookups with the spec's messages ------------------------------------------------------------------

    private InvalidModuleException Unknown(string category, ulong index) =>
        Error($"unknown {category} {index.ToString(CultureInfo.InvariantCulture)}");

    public DefinedType Type(uint index) =>
        index < (uint)Types.Count ? Types[(int)index] : throw Unknown("type", index);

    public FunctionType FunctionType(uint typeIndex) =>
        Type(typeIndex).Body as FunctionType ?? throw Error($"non-function type {typeIndex}");

    public StructType StructType(uint typeIndex) =>
        Type(typeIndex).Body as StructType ?? throw Error($"non-structure type {typeIndex}");

    public ArrayType ArrayType(uint typeIndex) =>
        Type(typeIndex).Body as ArrayType ?? throw Error($"non-array type {typeIndex}");

    public DefinedType Function(uint index) =>
        index < (uint)Functions.Count ? Functions[(int)index] : throw Unknown("function", index);

    public GlobalType Global(uint index) =>
        index < (uint)Globals.Count ? Globals[(int)index] : throw Unknown("global", index);

    /// <summary>A global as a constant expression sees it: only those defined before (spec: <c>C'</c>).</summary>
    public GlobalType ConstantGlobal(uint index) =>
        index < (uint)VisibleGlobals ? Globals[(int)index] : throw Unknown("global", index);

    public TableType Table(uint index) =>
        index < (uint)Tables.Count ? Tables[(int)index] : throw Unknown("table", index);

    public MemoryType Memory(uint index) =>
        index < (uint)Memories.Count ? Memories[(int)index] : throw Unknown("memory", index);

    public DefinedType Tag(uint index) =>
        index < (uint)Tags.Count ? Tags[(int)index] : throw Unknown("tag", index);

    public ValType Element(uint index) =>
        index < (uint)Elements.Count ? Elements[(int)index] : throw Unknown("elem segment", index);

    public void Data(uint index)
    {
        if (index >= (uint)DataCount)
        {
            throw Unknown("data segment", index);
        }
    }

    /// <summary>Checks a value type of the module (spec: <c>valtype ok</c>) and returns it in canonical form.</summary>
    public ValType Canonical(ValType type)
    {
        if (type.Kind == ValueKind.Bottom)
        {
            throw Error("invalid value type");
        }
        if (type.Kind != ValueKind.Ref)
        {
            return type;
        }
        return ValType.Ref(Canonical(type.Heap), type.Nullable);
    }

    public HeapType Canonical(HeapType heap)
    {
        if (heap.IsAbstract)
        {
            return heap.Kind == AbstractHeapType.Bottom ? throw Error("invalid heap type") : heap;
        }
        return Type(heap.TypeIndex).HeapType;
    }

    public ValType[] Canonical(IReadOnlyList<ValType> types)
    {
        var result = new ValType[types.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = Canonical(types[i]);
        }
        return result;
    }

    // ---- Printing types as the reference interpreter does ------------------------------------------------

    private Dictionary<int, uint>? _moduleIndexOf;

    /// <summary>A canonical heap type as text, naming concrete types by this module's type index where it has one.</summary>
    public string Format(HeapType heap)
    {
        if (heap.IsAbstract)
        {
            return heap.Kind == AbstractHeapType.Bottom ? "something" : heap.ToString();
        }
        if (_moduleIndexOf is null || _moduleIndexOf.Count != Types.Count)
        {
            _moduleIndexOf = [];
            for (var i = Types.Count - 1; i >= 0; i--)
            {
                _moduleIndexOf[Types[i].Id] = (uint)i;
            }
        }
        var id = (int)heap.TypeIndex;
        return _moduleIndexOf.TryGetValue(id, out var index)
            ? index.ToString(CultureInfo.InvariantCulture)
            : $"(canonical {id})";
    }

    public string Format(ValType type) => type.Kind switch
    {
        ValueKind.Ref => type.Nullable ? $"(ref null {Format(type.Heap)})" : $"(ref {Format(type.Heap)})",
        ValueKind.Bottom => "bot",
        _ => type.ToString(),
    };

    public string Format(ReadOnlySpan<ValType> types)
    {
        var builder = new StringBuilder("[");
        for (var i = 0; i < types.Length; i++)
        {
            if (i > 0)
            {
                builder.Append(' ');
            }
            builder.Append(Format(types[i]));
        }
        return builder.Append(']').ToString();
    }

    public string Format(FieldType field)
    {
        var storage = field.Storage.IsPacked ? field.Storage.ToString() : Format(field.Storage.Type);
        return field.Mutable ? $"(mut {storage})" : storage;
    }
}
