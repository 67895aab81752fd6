using System.Collections.Frozen;

namespace WasmHarness.Syntax;

/// <summary>What follows an opcode: the shape of an instruction's immediates.</summary>
public enum ImmediateKind : byte
{
    /// <summary>No immediates.</summary>
    None,
    /// <summary><c>block</c>, <c>loop</c>, <c>if</c>, <c>try</c>: a <see cref="Syntax.BlockType"/>.</summary>
    BlockType,
    /// <summary>A label index (relative depth): <c>br</c>, <c>br_if</c>, <c>br_on_null</c>, <c>rethrow</c>, <c>delegate</c>.</summary>
    Label,
    /// <summary><c>br_table</c>: a vector of labels and a default label.</summary>
    BranchTable,
    /// <summary>A function index: <c>call</c>, <c>return_call</c>, <c>ref.func</c>.</summary>
    Function,
    /// <summary>A type index then a table index: <c>call_indirect</c>, <c>return_call_indirect</c>.</summary>
    CallIndirect,
    /// <summary>A type index: <c>call_ref</c>, <c>struct.new</c>, <c>array.get</c>, ...</summary>
    Type,
    /// <summary>A type index and a field index: <c>struct.get</c> and friends.</summary>
    TypeAndField,
    /// <summary>Two type indices: <c>array.copy</c> (destination, source).</summary>
    TypeAndType,
    /// <summary>A type index and a data index: <c>array.new_data</c>, <c>array.init_data</c>.</summary>
    TypeAndData,
    /// <summary>A type index and an element index: <c>array.new_elem</c>, <c>array.init_elem</c>.</summary>
    TypeAndElem,
    /// <summary>A type index and an operand count: <c>array.new_fixed</c>.</summary>
    TypeAndCount,
    /// <summary>A local index.</summary>
    Local,
    /// <summary>A global index.</summary>
    Global,
    /// <summary>A table index.</summary>
    Table,
    /// <summary>A memory index: <c>memory.size</c>, <c>memory.grow</c>, <c>memory.fill</c>.</summary>
    Memory,
    /// <summary>Destination and source table: <c>table.copy</c>.</summary>
    TableAndTable,
    /// <summary>An element index then a table index: <c>table.init</c>.</summary>
    ElemAndTable,
    /// <summary>Destination and source memory: <c>memory.copy</c>.</summary>
    MemoryAndMemory,
    /// <summary>A data index then a memory index: <c>memory.init</c>.</summary>
    DataAndMemory,
    /// <summary>A data index: <c>data.drop</c>.</summary>
    Data,
    /// <summary>An element index: <c>elem.drop</c>.</summary>
    Element,
    /// <summary>A tag index: <c>throw</c>, legacy <c>catch</c>.</summary>
    Tag,
    /// <summary>A memory argument (alignment, offset, memory index).</summary>
    MemArg,
    /// <summary>A memory argument and a lane index: <c>v128.load8_lane</c> and friends.</summary>
    MemArgAndLane,
    /// <summary>A lane index: <c>extract_lane</c>, <c>replace_lane</c>.</summary>
    Lane,
    /// <summary>Sixteen lane indices: <c>i8x16.shuffle</c>.</summary>
    Shuffle,
    /// <summary>An <c>i32</c> constant.</summary>
    I32,
    /// <summary>An <c>i64</c> constant.</summary>
    I64,
    /// <summary>An <c>f32</c> constant (its bits).</summary>
    F32,
    /// <summary>An <c>f64</c> constant (its bits).</summary>
    F64,
    /// <summary>A <c>v128</c> constant.</summary>
    V128,
    /// <summary>A heap type: <c>ref.null</c>, <c>ref.test</c>, <c>ref.cast</c>.</summary>
    HeapType,
    /// <summary>A label and two reference types: <c>br_on_cast</c>, <c>br_on_cast_fail</c>.</summary>
    BrOnCast,
    /// <summary>A vector of value types: typed <c>select</c>.</summary>
    SelectTypes,
    /// <summary>A block type and catch clauses: <c>try_table</c>.</summary>
    TryTable,
}

/// <summary>
/// The static facts about one opcode, from the instruction table (<c>Syntax/Instructions.table</c>): its text name,
/// the shape of its immediates, its stack effect, the proposal that introduced it, and whether it can trap or make a NaN.
/// </summary>
public sealed class OpcodeInfo(
    Opcode opcode,
    string name,
    ImmediateKind immediates,
    byte naturalAlignment = 0,
    int pops = -1,
    int pushes = -1,
    ValueKind[]? results = null,
    string feature = "mvp",
    bool canTrap = false,
    bool mayProduceNaN = false,
    bool pure = false)
{
    public Opcode Opcode { get; } = opcode;

    /// <summary>The instruction's keyword in the text format, e.g. <c>i32.add</c>.</summary>
    public string Name { get; } = name;

    public ImmediateKind Immediates { get; } = immediates;

    /// <summary>For memory instructions: log2 of the access width in bytes, the largest valid alignment.</summary>
    public byte NaturalAlignment { get; } = naturalAlignment;

    /// <summary>How many operands it pops, or -1 when that depends on its immediates (calls, blocks, <c>struct.new</c>, ...).</summary>
    public int Pops { get; } = pops;

    /// <summary>How many results it pushes, or -1 when that depends on its immediates.</summary>
    public int Pushes { get; } = pushes;

    /// <summary>The kinds of its results when the table gives them all (not context-dependent), else <see langword="null"/>.</summary>
    public IReadOnlyList<ValueKind>? Results { get; } = results;

    /// <summary>True when the stack effect is fixed (<see cref="Pops"/> and <see cref="Pushes"/> are known).</summary>
    public bool HasFixedStackEffect => Pops >= 0;

    /// <summary>The proposal that introduced it (<c>mvp</c>, <c>simd</c>, <c>gc</c>, <c>tail-call</c>, ...).</summary>
    public string Feature { get; } = feature;

    /// <summary>It can trap by itself (<see cref="Execution.InstructionTraps.Of"/> says with what).</summary>
    public bool CanTrap { get; } = canTrap;

    /// <summary>It may produce a NaN whose bits the spec leaves nondeterministic.</summary>
    public bool MayProduceNaN { get; } = mayProduceNaN;

    /// <summary>A pure instruction: one semantics method shared by every tier, dispatch generated from the table.</summary>
    public bool IsPure { get; } = pure;

    /// <summary>The prefix byte (0xFB, 0xFC, 0xFD, 0xFE) or 0 for single-byte opcodes.</summary>
    public byte Prefix => (byte)((int)Opcode >> 16);

    /// <summary>The byte (or, after a prefix, the LEB128 sub-opcode) that identifies the instruction.</summary>
    public uint Code => (uint)Opcode & 0xFFFF;

    public override string ToString() => Name;
}

/// <summary>Looks up <see cref="OpcodeInfo"/> by opcode, by encoding and by text name.</summary>
public static partial class OpcodeTable
{
    private static readonly OpcodeInfo[] s_all = CreateAll();

    private static readonly FrozenDictionary<Opcode, OpcodeInfo> s_byOpcode =
        s_all.ToFrozenDictionary(info => info.Opcode);

    // Text names are unique except for the few instructions whose binary encoding depends on an
    // immediate (typed select, nullable ref.test/ref.cast): the parser picks among those itself.
    private static readonly FrozenDictionary<string, OpcodeInfo> s_byName =
        s_all.GroupBy(info => info.Name).ToFrozenDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    /// <summary>Every instruction, in encoding order.</summary>
    public static IReadOnlyList<OpcodeInfo> All => s_all;

    public static OpcodeInfo Get(Opcode opcode) => s_byOpcode[opcode];

    public static bool TryGet(Opcode opcode, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out OpcodeInfo? info) =>
        s_byOpcode.TryGetValue(opcode, out info);

    /// <summary>Finds an instruction by its encoding: <paramref name="prefix"/> is 0 for single-byte opcodes.</summary>
    public static bool TryDecode(byte prefix, uint code, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out OpcodeInfo? info)
    {
        info = null;
        if (code > 0xFFFF)
        {
            return false;
        }
        return s_byOpcode.TryGetValue((Opcode)((prefix << 16) | (int)code), out info);
    }

    /// <summary>Finds an instruction by its text keyword (for <c>select</c>, <c>ref.test</c>, <c>ref.cast</c> the untyped/non-null form).</summary>
    public static bool TryGetByName(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out OpcodeInfo? info) =>
        s_byName.TryGetValue(name, out info);

    /// <summary>True for the instructions that open a block and are closed by <c>end</c> (or <c>delegate</c>).</summary>
    public static bool OpensBlock(this Opcode opcode) =>
        opcode is Opcode.Block or Opcode.Loop or Opcode.If or Opcode.Try or Opcode.TryTable;

    /// <summary>
    /// True for instructions that name a data segment (<c>memory.init</c>, <c>data.drop</c>, <c>array.new_data</c>,
    /// <c>array.init_data</c>): a binary module whose code has one needs a data count section.
    /// </summary>
    public static bool NamesDataSegment(this ImmediateKind immediates) =>
        immediates is ImmediateKind.Data or ImmediateKind.TypeAndData or ImmediateKind.DataAndMemory;

    public static string Name(this Opcode opcode) => s_byOpcode.TryGetValue(opcode, out var info) ? info.Name : opcode.ToString();
}
