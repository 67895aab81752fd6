namespace WasmHarness.Syntax;

/// <summary>
/// An expression (spec: <c>expr</c>): a flat instruction sequence whose last instruction is the closing
/// <see cref="Opcode.End"/>. Function bodies and constant expressions are both expressions.
/// </summary>
public sealed class Expression(IReadOnlyList<Instruction> instructions) : IEquatable<Expression>
{
    public IReadOnlyList<Instruction> Instructions { get; } = instructions;

    /// <summary>A constant expression of one instruction, e.g. <c>(i32.const 0)</c>.</summary>
    public static Expression Of(params Instruction[] instructions) =>
        new([.. instructions, Instruction.Simple(Opcode.End)]);

    public bool Equals(Expression? other) => other is not null && Instructions.SequenceEqual(other.Instructions);

    public override bool Equals(object? obj) => Equals(obj as Expression);

    public override int GetHashCode() => Instructions.Count;

    public override string ToString() => string.Join("; ", Instructions);
}

/// <summary>A run of locals of one type, as declared in the binary format (spec: <c>locals</c>).</summary>
public readonly record struct LocalGroup(uint Count, ValType Type);

/// <summary>A function defined by the module: its type index, declared locals (parameters excluded) and body.</summary>
public sealed class Function(uint typeIndex, IReadOnlyList<LocalGroup> locals, Expression body) : IEquatable<Function>
{
    public uint TypeIndex { get; } = typeIndex;

    public IReadOnlyList<LocalGroup> Locals { get; } = locals;

    public Expression Body { get; } = body;

    /// <summary>Number of declared locals (parameters excluded).</summary>
    public ulong LocalCount => Locals.Aggregate(0UL, (sum, group) => sum + group.Count);

    public bool Equals(Function? other) =>
        other is not null && TypeIndex == other.TypeIndex && Locals.SequenceEqual(other.Locals) && Body.Equals(other.Body);

    public override bool Equals(object? obj) => Equals(obj as Function);

    public override int GetHashCode() => HashCode.Combine(TypeIndex, Locals.Count, Body.Instructions.Count);
}

/// <summary>A table definition, with an optional initializer expression for its elements (function references).</summary>
public sealed record Table(TableType Type, Expression? Init = null);

/// <summary>A global definition: type and constant initializer.</summary>
public sealed record Global(GlobalType Type, Expression Init);

/// <summary>An import: module name, item name and the type it must have.</summary>
public sealed record Import(string Module, string Name, ExternType Type);

/// <summary>An export: its name, and the kind and index of what it exports.</summary>
public sealed record Export(string Name, ExternKind Kind, uint Index);

/// <summary>Whether a segment is copied at instantiation, kept for bulk instructions, or only declares references.</summary>
public enum SegmentMode : byte
{
    Active,
    Passive,
    /// <summary>Element segments only: declares functions that <c>ref.func</c> may name.</summary>
    Declarative,
}

/// <summary>An element segment: reference values given as constant expressions.</summary>
public sealed class ElementSegment(
    SegmentMode mode,
    ValType type,
    IReadOnlyList<Expression> items,
    uint table = 0,
    Expression? offset = null) : IEquatable<ElementSegment>
{
    public SegmentMode Mode { get; } = mode;

    /// <summary>The reference type of the items.</summary>
    public ValType Type { get; } = type;

    /// <summary>One constant expression per element; a function index <c>i</c> in the binary is <c>ref.func i</c> here.</summary>
    public IReadOnlyList<Expression> Items { get; } = items;

    /// <summary>Target table of an active segment.</summary>
    public uint Table { get; } = table;

    /// <summary>Offset expression of an active segment.</summary>
    public Expression? Offset { get; } = offset;

    public bool Equals(ElementSegment? other) =>
        other is not null && Mode == other.Mode && Type == other.Type && Table == other.Table &&
        Equals(Offset, other.Offset) && Items.SequenceEqual(other.Items);

    public override bool Equals(object? obj) => Equals(obj as ElementSegment);

    public override int GetHashCode() => HashCode.Combine(Mode, Type, Items.Count);
}

/// <summary>A data segment: bytes copied into a memory at instantiation (active) or by <c>memory.init</c> (passive).</summary>
public sealed class DataSegment(SegmentMode mode, ReadOnlyMemory<byte> bytes, uint memory = 0, Expression? offset = null) : IEquatable<DataSegment>
{
    public SegmentMode Mode { get; } = mode;

    public ReadOnlyMemory<byte> Bytes { get; } = bytes;

    public uint Memory { get; } = memory;

    public Expression? Offset { get; } = offset;

    public bool Equals(DataSegment? other) =>
        other is not null && Mode == other.Mode && Memory == other.Memory && Equals(Offset, other.Offset) &&
        Bytes.Span.SequenceEqual(other.Bytes.Span);

    public override bool Equals(object? obj) => Equals(obj as DataSegment);

    public override int GetHashCode() => HashCode.Combine(Mode, Memory, Bytes.Length);
}

/// <summary>A custom section, kept with the id of the standard section it followed so the encoder can put it back.</summary>
public sealed class CustomSection(string name, ReadOnlyMemory<byte> content, byte after = 0) : IEquatable<CustomSection>
{
    public string Name { get; } = name;

    public ReadOnlyMemory<byte> Content { get; } = content;

    /// <summary>The id of the last non-custom section before this one (0 when it came first).</summary>
    public byte After { get; } = after;

    public bool Equals(CustomSection? other) =>
        other is not null && Name == other.Name && After == other.After && Content.Span.SequenceEqual(other.Content.Span);

    public override bool Equals(object? obj) => Equals(obj as CustomSection);

    public override int GetHashCode() => HashCode.Combine(Name, Content.Length);
}

/// <summary>
/// A WebAssembly module (spec: <c>module</c>): the one model that the decoder, text parser and generator
/// produce and that the encoder, validator and both execution tiers consume.
/// </summary>
/// <remarks>
/// Index spaces follow the spec: functions, tables, memories, globals and tags number the imports of that
/// kind first, then the definitions below. <see cref="Types"/> holds recursive groups; <see cref="TypeDefinitions"/>
/// flattens them into the type index space.
/// </remarks>
public sealed class Module
{
    public List<RecursiveType> Types { get; } = [];

    public List<Import> Imports { get; } = [];

    public List<Function> Functions { get; } = [];

    public List<Table> Tables { get; } = [];

    public List<MemoryType> Memories { get; } = [];

    public List<Global> Globals { get; } = [];

    public List<TagType> Tags { get; } = [];

    public List<Export> Exports { get; } = [];

    public uint? Start { get; set; }

    public List<ElementSegment> Elements { get; } = [];

    public List<DataSegment> Data { get; } = [];

    /// <summary>The data count section's value, when the module has one (needed by <c>memory.init</c>/<c>data.drop</c>).</summary>
    public uint? DataCount { get; set; }

    public List<CustomSection> CustomSections { get; } = [];

    /// <summary>The module's name: <c>(module $name)</c> in text, or the name section's module name.</summary>
    public string? Name { get; set; }

    /// <summary>Function names from the name section or the text format's identifiers, by function index.</summary>
    public Dictionary<uint, string> FunctionNames { get; } = [];

    /// <summary>All type definitions in type index order (the members of every recursive group, flattened).</summary>
    public IEnumerable<SubType> TypeDefinitions => Types.SelectMany(group => group.Types);

    public IEnumerable<Import> ImportsOf(ExternKind kind) => Imports.Where(import => import.Type.Kind == kind);

    public int ImportedFunctionCount => ImportsOf(ExternKind.Function).Count();

    public int ImportedTableCount => ImportsOf(ExternKind.Table).Count();

    public int ImportedMemoryCount => ImportsOf(ExternKind.Memory).Count();

    public int ImportedGlobalCount => ImportsOf(ExternKind.Global).Count();

    public int ImportedTagCount => ImportsOf(ExternKind.Tag).Count();
}
