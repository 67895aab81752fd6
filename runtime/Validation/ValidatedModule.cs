using WasmHarness.Syntax;

namespace WasmHarness.Validation;

/// <summary>
/// What the validator learned about one defined function's body, for the execution tiers.
/// </summary>
public sealed class FunctionInfo
{
    internal FunctionInfo(uint functionIndex, uint typeIndex, FunctionType type, ValType[] localTypes, int maxStackHeight,
        int[] blockEnds, BlockStack[] stackBefore, Dictionary<int, int> elses, Dictionary<int, ValType>? selectTypes, Dictionary<int, List<int>>? catches)
    {
        FunctionIndex = functionIndex;
        TypeIndex = typeIndex;
        Type = type;
        LocalTypes = localTypes;
        MaxStackHeight = maxStackHeight;
        BlockEnds = blockEnds;
        StackBefore = stackBefore;
        Elses = elses;
        SelectTypes = selectTypes ?? s_noSelects;
        LegacyCatches = catches?.ToDictionary(entry => entry.Key, entry => (IReadOnlyList<int>)entry.Value) ?? s_noCatches;
    }

    /// <summary>The function's index in the function index space (imports first).</summary>
    public uint FunctionIndex { get; }

    /// <summary>The module type index of the function's type.</summary>
    public uint TypeIndex { get; }

    /// <summary>The function's type as the module states it (module type indices in reference types).</summary>
    public FunctionType Type { get; }

    /// <summary>Parameters then declared locals, as the module states them.</summary>
    public IReadOnlyList<ValType> LocalTypes { get; }

    /// <summary>The largest number of operands on the stack at any point of the body (all blocks together).</summary>
    public int MaxStackHeight { get; }

    /// <summary>
    /// For each instruction of the body: where it opens a block (<c>block</c>, <c>loop</c>, <c>if</c>, <c>try</c>,
    /// <c>try_table</c>), the index of its closing <c>end</c> (or <c>delegate</c>); for an <c>end</c>/<c>delegate</c>,
    /// the index of the instruction that opened it (-1 for the function's final <c>end</c>); otherwise -1.
    /// </summary>
    public IReadOnlyList<int> BlockEnds { get; }

    /// <summary>
    /// For each instruction of the body: whether the operand stack of the innermost block holds values before it, is
    /// empty, or is unreachable (polymorphic). Where it is empty, the block's code can be cut in two without passing
    /// operands across (the JIT's outlining of large functions, <c>Jit/RegionPlanner</c>).
    /// </summary>
    public IReadOnlyList<BlockStack> StackBefore { get; }

    /// <summary>
    /// For each untyped <c>select</c>: instruction index → the operand type (a number or vector type, or
    /// <see cref="ValueKind.Bottom"/> in unreachable code), which the text and binary forms leave implicit.
    /// </summary>
    public IReadOnlyDictionary<int, ValType> SelectTypes { get; }

    private static readonly Dictionary<int, ValType> s_noSelects = [];

    /// <summary>For each legacy <c>try</c> with handlers: instruction index of the <c>try</c> → its <c>catch</c>/<c>catch_all</c> instructions, in order.</summary>
    public IReadOnlyDictionary<int, IReadOnlyList<int>> LegacyCatches { get; }

    private static readonly Dictionary<int, IReadOnlyList<int>> s_noCatches = [];

    /// <summary>For each <c>if</c> that has an <c>else</c>: instruction index of the <c>if</c> → index of its <c>else</c>.</summary>
    public IReadOnlyDictionary<int, int> Elses { get; }
}

/// <summary>What the innermost block's operand stack holds before an instruction (<see cref="FunctionInfo.StackBefore"/>).</summary>
public enum BlockStack : byte
{
    /// <summary>Operands pushed within the block (or its parameters).</summary>
    Values,
    /// <summary>Nothing of the block's own: its code before and after this point share no operand.</summary>
    Empty,
    /// <summary>After an unconditional branch, <c>return</c>, <c>unreachable</c> or a throw: no value flows on.</summary>
    Unreachable,
}

/// <summary>
/// A module that passed validation, with the types the validator resolved for each index space. Types are given
/// as the module states them (reference types name module type indices) unless the member says canonical;
/// canonical types (see <see cref="DefinedType"/>) compare across modules.
/// </summary>
public sealed class ValidatedModule
{
    internal ValidatedModule(
        Module module,
        IReadOnlyList<DefinedType> types,
        IReadOnlyList<uint> functionTypeIndices,
        IReadOnlyList<GlobalType> globals,
        IReadOnlyList<TableType> tables,
        IReadOnlyList<MemoryType> memories,
        IReadOnlyList<uint> tagTypeIndices,
        IReadOnlyList<ValType> elementTypes,
        IReadOnlyList<FunctionInfo> functions,
        IReadOnlySet<uint> declaredFunctionReferences)
    {
        Module = module;
        Types = types;
        FunctionTypeIndices = functionTypeIndices;
        Globals = globals;
        Tables = tables;
        Memories = memories;
        TagTypeIndices = tagTypeIndices;
        ElementTypes = elementTypes;
        Functions = functions;
        DeclaredFunctionReferences = declaredFunctionReferences;
        var definitions = module.TypeDefinitions.ToArray();
        _typeBodies = [.. definitions.Select(d => d.Body)];
        FunctionTypes = functionTypeIndices.Select(index => (FunctionType)definitions[(int)index].Body).ToArray();
        TagTypes = tagTypeIndices.Select(index => (FunctionType)definitions[(int)index].Body).ToArray();
    }

    public Module Module { get; }

    private readonly CompositeType[] _typeBodies;

    /// <summary>The definition of module type <paramref name="typeIndex"/> (a function, struct or array type), as the module states it.</summary>
    public CompositeType TypeBody(uint typeIndex) => _typeBodies[typeIndex];

    /// <summary>Module type index → canonical type. Two indices denote equivalent types exactly when these are the same object.</summary>
    public IReadOnlyList<DefinedType> Types { get; }

    /// <summary>Function index (imports first) → module type index.</summary>
    public IReadOnlyList<uint> FunctionTypeIndices { get; }

    /// <summary>Function index (imports first) → function type, as the module states it.</summary>
    public IReadOnlyList<FunctionType> FunctionTypes { get; }

    /// <summary>Global index (imports first) → global type, as the module states it.</summary>
    public IReadOnlyList<GlobalType> Globals { get; }

    /// <summary>Table index (imports first) → table type, as the module states it.</summary>
    public IReadOnlyList<TableType> Tables { get; }

    /// <summary>Memory index (imports first) → memory type.</summary>
    public IReadOnlyList<MemoryType> Memories { get; }

    /// <summary>Tag index (imports first) → module type index of the tag's function type.</summary>
    public IReadOnlyList<uint> TagTypeIndices { get; }

    /// <summary>Tag index (imports first) → the tag's function type (its parameters are the payload), as the module states it.</summary>
    public IReadOnlyList<FunctionType> TagTypes { get; }

    /// <summary>Element segment index → the segment's reference type, as the module states it.</summary>
    public IReadOnlyList<ValType> ElementTypes { get; }

    /// <summary>Defined functions (function index minus the number of imported functions) → what validation learned.</summary>
    public IReadOnlyList<FunctionInfo> Functions { get; }

    /// <summary>Functions that <c>ref.func</c> may name in function bodies (spec: <c>C.refs</c>).</summary>
    public IReadOnlySet<uint> DeclaredFunctionReferences { get; }

    public int ImportedFunctionCount => FunctionTypeIndices.Count - Functions.Count;

    /// <summary>The canonical type of function <paramref name="functionIndex"/>.</summary>
    public DefinedType FunctionDefinedType(uint functionIndex) => Types[(int)FunctionTypeIndices[(int)functionIndex]];

    /// <summary>The canonical function type of tag <paramref name="tagIndex"/>.</summary>
    public DefinedType TagDefinedType(uint tagIndex) => Types[(int)TagTypeIndices[(int)tagIndex]];

    /// <summary>Converts a value type of this module (module type indices) to canonical form (canonical ids).</summary>
    public ValType ToCanonical(ValType type) =>
        type.Kind == ValueKind.Ref && type.Heap.IsConcrete ? ValType.Ref(ToCanonical(type.Heap), type.Nullable) : type;

    /// <summary>Converts a heap type of this module to canonical form.</summary>
    public HeapType ToCanonical(HeapType heap) => heap.IsConcrete ? Types[(int)heap.TypeIndex].HeapType : heap;

    /// <summary>
    /// The canonical external type of an import or export of kind <paramref name="kind"/> and index
    /// <paramref name="index"/>: a <see cref="DefinedType"/> for functions and tags, a <see cref="GlobalType"/> or
    /// <see cref="TableType"/> with canonical value types, or the <see cref="MemoryType"/>. Compare with
    /// <see cref="Subtyping"/>'s import matching.
    /// </summary>
    public object CanonicalExternType(ExternKind kind, uint index) => kind switch
    {
        ExternKind.Function => FunctionDefinedType(index),
        ExternKind.Tag => TagDefinedType(index),
        ExternKind.Global => Globals[(int)index] with { Type = ToCanonical(Globals[(int)index].Type) },
        ExternKind.Table => Tables[(int)index] with { ElementType = ToCanonical(Tables[(int)index].ElementType) },
        ExternKind.Memory => Memories[(int)index],
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
