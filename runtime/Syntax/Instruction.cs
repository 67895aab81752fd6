using System.Buffers.Binary;

namespace WasmHarness.Syntax;

/// <summary>
/// A block type (spec: <c>blocktype</c>): empty, a single result type, or a type index naming a function
/// type for blocks with parameters or several results.
/// </summary>
public readonly record struct BlockType
{
    private readonly ValType _result;
    private readonly int _typeIndex; // -1: empty or single result

    private BlockType(ValType result, int typeIndex)
    {
        _result = result;
        _typeIndex = typeIndex;
    }

    public static readonly BlockType Empty = new(default, -2);

    public static BlockType Value(ValType result) => new(result, -1);

    public static BlockType Indexed(uint typeIndex) =>
        typeIndex <= int.MaxValue ? new(default, (int)typeIndex) : throw new ArgumentOutOfRangeException(nameof(typeIndex));

    public bool IsEmpty => _typeIndex == -2;

    public bool IsValue => _typeIndex == -1;

    public bool IsIndexed => _typeIndex >= 0;

    /// <summary>The single result type of a value block type.</summary>
    public ValType Result => IsValue ? _result : throw new InvalidOperationException("not a value block type");

    public uint TypeIndex => IsIndexed ? (uint)_typeIndex : throw new InvalidOperationException("not an indexed block type");

    public override string ToString() => IsEmpty ? "" : IsValue ? $"(result {_result})" : $"(type {_typeIndex})";
}

/// <summary>A memory instruction's argument (spec: <c>memarg</c>): alignment exponent, static offset and memory.</summary>
public readonly record struct MemArg(uint AlignExponent, ulong Offset, uint Memory = 0);

/// <summary>The kinds of catch clause of <c>try_table</c>.</summary>
public enum CatchKind : byte
{
    Catch = 0,
    CatchRef = 1,
    CatchAll = 2,
    CatchAllRef = 3,
}

/// <summary>One catch clause of <c>try_table</c> (spec: <c>catch</c>): <see cref="Tag"/> is unused for the catch-all kinds.</summary>
public readonly record struct CatchClause(CatchKind Kind, uint Tag, uint Label)
{
    public bool HasTag => Kind is CatchKind.Catch or CatchKind.CatchRef;
}

/// <summary>A 128-bit vector constant, little-endian lanes.</summary>
/// <remarks>
/// The bits are one <see cref="System.Runtime.Intrinsics.Vector128{T}"/> field, not two <see cref="ulong"/> fields: RyuJIT keeps a struct of one
/// vector in a vector register, so the vector instructions (<see cref="Execution.VectorOps"/>, compiled code) run on
/// registers; two 64-bit fields went through memory on every conversion (the C benchmark's <c>simd</c> kernel ran 8.7×
/// slower than wasmtime before this layout).
/// </remarks>
public readonly struct V128 : IEquatable<V128>
{
    /// <summary>A vector of two 64-bit halves, <paramref name="low"/> in lane 0.</summary>
    public V128(ulong low, ulong high) => Bits = System.Runtime.Intrinsics.Vector128.Create(low, high);

    /// <summary>A vector from its bits.</summary>
    public V128(System.Runtime.Intrinsics.Vector128<ulong> bits) => Bits = bits;

    /// <summary>The 128 bits, as two 64-bit lanes (reinterpret with <c>As&lt;ulong, T&gt;()</c>).</summary>
    public System.Runtime.Intrinsics.Vector128<ulong> Bits { get; }

    /// <summary>Bits 0 to 63 (lanes 0 to 7 of an i8x16 vector, little-endian).</summary>
    public ulong Low => System.Runtime.Intrinsics.Vector128.GetElement(Bits, 0);

    /// <summary>Bits 64 to 127.</summary>
    public ulong High => System.Runtime.Intrinsics.Vector128.GetElement(Bits, 1);

    public bool Equals(V128 other) => Bits.Equals(other.Bits);

    public override bool Equals(object? obj) => obj is V128 other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Low, High);

    public static bool operator ==(V128 left, V128 right) => left.Equals(right);

    public static bool operator !=(V128 left, V128 right) => !left.Equals(right);

    public static V128 FromBytes(ReadOnlySpan<byte> bytes) =>
        new(BinaryPrimitives.ReadUInt64LittleEndian(bytes), BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]));

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, Low);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], High);
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[16];
        WriteTo(bytes);
        return bytes;
    }

    public override string ToString() => $"0x{High:x16}{Low:x16}";
}

/// <summary>The table of a <c>br_table</c>: the targets for indices 0..n-1 and the default.</summary>
public sealed record BranchTable(IReadOnlyList<uint> Labels, uint Default)
{
    public bool Equals(BranchTable? other) => other is not null && Default == other.Default && Labels.SequenceEqual(other.Labels);

    public override int GetHashCode() => HashCode.Combine(Default, Labels.Count);
}

/// <summary>
/// One instruction of a function body or constant expression, in the flat sequence of the binary format:
/// structured instructions are followed by their body and closed by <see cref="Opcode.End"/>
/// (<c>else</c>, <c>catch</c>, <c>catch_all</c>, <c>delegate</c> likewise appear in sequence).
/// </summary>
/// <remarks>
/// Immediates live in a few fixed slots so that an instruction is a small struct; read them through the
/// typed properties, each of which says what it means for which <see cref="ImmediateKind"/>. The factory
/// methods are the only way to build one, so the slots are always used the same way.
/// </remarks>
public readonly struct Instruction : IEquatable<Instruction>
{
    private readonly uint _a;       // first index: label, function, type, local, global, table, memory, data, elem, tag
    private readonly uint _b;       // second index: table of call_indirect, field, source, segment; memarg alignment
    private readonly ulong _c;      // constant bits (low half of v128), memarg offset, lane, count
    private readonly ulong _d;      // high half of a v128 constant or shuffle; lane of a memarg-and-lane
    private readonly object? _payload; // block type, br_table, catch clauses, select types, br_on_cast types

    private Instruction(Opcode opcode, uint a = 0, uint b = 0, ulong c = 0, ulong d = 0, object? payload = null)
    {
        Opcode = opcode;
        _a = a;
        _b = b;
        _c = c;
        _d = d;
        _payload = payload;
    }

    public Opcode Opcode { get; }

    public OpcodeInfo Info => OpcodeTable.Get(Opcode);

    // ---- Factories, one per immediate shape -------------------------------------------------------------

    /// <summary>An instruction without immediates.</summary>
    public static Instruction Simple(Opcode opcode) => new(opcode);

    /// <summary>An instruction with one index immediate (label, function, type, local, global, table, memory, data, element, tag).</summary>
    public static Instruction WithIndex(Opcode opcode, uint index) => new(opcode, index);

    /// <summary>An instruction with two index immediates, in binary order (e.g. type then table for <c>call_indirect</c>).</summary>
    public static Instruction WithIndices(Opcode opcode, uint first, uint second) => new(opcode, first, second);

    public static Instruction Block(Opcode opcode, BlockType type) => new(opcode, payload: type);

    public static Instruction BrTable(IReadOnlyList<uint> labels, uint defaultLabel) =>
        new(Opcode.BrTable, payload: new BranchTable(labels, defaultLabel));

    public static Instruction TryTable(BlockType type, IReadOnlyList<CatchClause> catches) =>
        new(Opcode.TryTable, payload: new TryTableImmediate(type, catches));

    public static Instruction Memory(Opcode opcode, MemArg arg) => new(opcode, arg.Memory, arg.AlignExponent, arg.Offset);

    public static Instruction MemoryLane(Opcode opcode, MemArg arg, byte lane) => new(opcode, arg.Memory, arg.AlignExponent, arg.Offset, lane);

    public static Instruction Lane(Opcode opcode, byte lane) => new(opcode, c: lane);

    public static Instruction Shuffle(V128 lanes) => new(Opcode.I8x16Shuffle, c: lanes.Low, d: lanes.High);

    public static Instruction I32Const(int value) => new(Opcode.I32Const, c: (uint)value);

    public static Instruction I64Const(long value) => new(Opcode.I64Const, c: (ulong)value);

    public static Instruction F32Const(uint bits) => new(Opcode.F32Const, c: bits);

    public static Instruction F64Const(ulong bits) => new(Opcode.F64Const, c: bits);

    public static Instruction V128Const(V128 value) => new(Opcode.V128Const, c: value.Low, d: value.High);

    public static Instruction WithHeapType(Opcode opcode, HeapType type) => new(opcode, payload: type);

    public static Instruction SelectTyped(IReadOnlyList<ValType> types) => new(Opcode.SelectTyped, payload: types);

    /// <summary><c>br_on_cast</c> / <c>br_on_cast_fail</c>: branch target, then the source and target reference types.</summary>
    public static Instruction BrOnCast(Opcode opcode, uint label, ValType from, ValType to) =>
        new(opcode, label, payload: new CastTypes(from, to));

    /// <summary><c>array.new_fixed</c>: type index and operand count.</summary>
    public static Instruction ArrayNewFixed(uint typeIndex, uint count) => new(Opcode.ArrayNewFixed, typeIndex, count);

    // ---- Typed views of the immediates ------------------------------------------------------------------

    /// <summary>The first (or only) index immediate: label, function, type, local, global, table, memory, data, element or tag.</summary>
    public uint Index => _a;

    /// <summary>The second index immediate in binary order: the table of <c>call_indirect</c>, the field of <c>struct.get</c>, the source of a copy, the segment or memory of an init, the count of <c>array.new_fixed</c>.</summary>
    public uint SecondIndex => _b;

    public MemArg MemArg => new(_b, _c, _a);

    /// <summary>The lane of <see cref="ImmediateKind.Lane"/> and <see cref="ImmediateKind.MemArgAndLane"/> instructions.</summary>
    public byte LaneIndex => Info.Immediates == ImmediateKind.MemArgAndLane ? (byte)_d : (byte)_c;

    public int I32 => (int)(uint)_c;

    public long I64 => (long)_c;

    public uint F32Bits => (uint)_c;

    public ulong F64Bits => _c;

    /// <summary>The constant of <c>v128.const</c>, or the lane indices of <c>i8x16.shuffle</c>.</summary>
    public V128 V128 => new(_c, _d);

    public BlockType BlockType => _payload switch
    {
        BlockType type => type,
        TryTableImmediate tryTable => tryTable.Type,
        _ => throw new InvalidOperationException($"{Opcode} has no block type"),
    };

    public BranchTable BranchTable => (BranchTable)_payload!;

    public IReadOnlyList<CatchClause> Catches => ((TryTableImmediate)_payload!).Catches;

    public HeapType HeapType => (HeapType)_payload!;

    public IReadOnlyList<ValType> SelectTypes => (IReadOnlyList<ValType>)_payload!;

    /// <summary>The source type of <c>br_on_cast</c>/<c>br_on_cast_fail</c>.</summary>
    public ValType CastFrom => ((CastTypes)_payload!).From;

    /// <summary>The target type of <c>br_on_cast</c>/<c>br_on_cast_fail</c>.</summary>
    public ValType CastTo => ((CastTypes)_payload!).To;

    // ---- Equality: structural, payloads included --------------------------------------------------------

    public bool Equals(Instruction other) =>
        Opcode == other.Opcode && _a == other._a && _b == other._b && _c == other._c && _d == other._d && PayloadEquals(_payload, other._payload);

    private static bool PayloadEquals(object? x, object? y) => (x, y) switch
    {
        (null, null) => true,
        (IReadOnlyList<ValType> xs, IReadOnlyList<ValType> ys) => xs.SequenceEqual(ys),
        _ => Equals(x, y),
    };

    public override bool Equals(object? obj) => obj is Instruction other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Opcode, _a, _b, _c, _d);

    public static bool operator ==(Instruction left, Instruction right) => left.Equals(right);

    public static bool operator !=(Instruction left, Instruction right) => !left.Equals(right);

    public override string ToString() => Info.Immediates switch
    {
        ImmediateKind.None => Info.Name,
        ImmediateKind.BlockType => $"{Info.Name} {BlockType}".TrimEnd(),
        ImmediateKind.BranchTable => $"br_table {string.Join(' ', BranchTable.Labels)} {BranchTable.Default}",
        ImmediateKind.MemArg => $"{Info.Name} memory={_a} offset={_c} align={1u << (int)_b}",
        ImmediateKind.MemArgAndLane => $"{Info.Name} memory={_a} offset={_c} align={1u << (int)_b} {LaneIndex}",
        ImmediateKind.Shuffle => $"{Info.Name} {string.Join(' ', V128.ToBytes())}",
        ImmediateKind.I32 => $"i32.const {I32}",
        ImmediateKind.I64 => $"i64.const {I64}",
        // A NaN's payload is what tells NaNs apart: printed as the text format writes it (nan:0x...).
        ImmediateKind.F32 when float.IsNaN(BitConverter.Int32BitsToSingle((int)F32Bits)) =>
            $"f32.const {((F32Bits >> 31) != 0 ? "-" : "")}nan:0x{F32Bits & 0x7FFFFF:x}",
        ImmediateKind.F64 when double.IsNaN(BitConverter.Int64BitsToDouble((long)F64Bits)) =>
            $"f64.const {((F64Bits >> 63) != 0 ? "-" : "")}nan:0x{F64Bits & 0xFFFFFFFFFFFFFUL:x}",
        ImmediateKind.F32 => $"f32.const {BitConverter.Int32BitsToSingle((int)F32Bits)}",
        ImmediateKind.F64 => $"f64.const {BitConverter.Int64BitsToDouble((long)F64Bits)}",
        ImmediateKind.TryTable => $"try_table {BlockType}{string.Concat(Catches.Select(c => c.Kind switch
        {
            CatchKind.Catch => $" (catch {c.Tag} {c.Label})",
            CatchKind.CatchRef => $" (catch_ref {c.Tag} {c.Label})",
            CatchKind.CatchAll => $" (catch_all {c.Label})",
            _ => $" (catch_all_ref {c.Label})",
        }))}".Replace("  ", " ", StringComparison.Ordinal).TrimEnd(),
        ImmediateKind.V128 => $"v128.const {V128}",
        ImmediateKind.HeapType => $"{Info.Name} {HeapType}",
        ImmediateKind.Lane => $"{Info.Name} {LaneIndex}",
        _ when _b != 0 => $"{Info.Name} {_a} {_b}",
        _ => $"{Info.Name} {_a}",
    };

    private sealed record TryTableImmediate(BlockType Type, IReadOnlyList<CatchClause> Catches)
    {
        public bool Equals(TryTableImmediate? other) => other is not null && Type == other.Type && Catches.SequenceEqual(other.Catches);

        public override int GetHashCode() => HashCode.Combine(Type, Catches.Count);
    }

    private sealed record CastTypes(ValType From, ValType To);
}
