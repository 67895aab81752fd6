using WasmHarness.Syntax;

namespace WasmHarness.Binary;

/// <summary>
/// Decodes the binary format (Wasm 3.0, plus the legacy exception-handling instructions) into the
/// <see cref="Module"/> model.
/// </summary>
/// <remarks>
/// The decoder is purely syntactic: it rejects what the spec calls malformed, with the reference
/// interpreter's messages, and leaves everything the spec calls invalid (indices, types, constness) to
/// the validator. Like the reference interpreter it reads a section's contents from the whole input and
/// only then checks the declared size ("section size mismatch"), and it bounds every vector length by the
/// bytes left ("length out of bounds"). Any bad input makes it throw <see cref="BinaryFormatException"/>
/// and nothing else.
/// </remarks>
public static class ModuleDecoder
{
    /// <summary>The first four bytes of every module: <c>\0asm</c>.</summary>
    public const uint Magic = 0x6D736100;

    /// <summary>The binary format version this decoder reads.</summary>
    public const uint Version = 1;

    public static Module Decode(byte[] bytes, Validation.ModuleLimits? limits = null, Validation.WasmFeatures features = Validation.WasmFeatures.All)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return Decode(bytes.AsSpan(), limits, features);
    }

    /// <summary>
    /// Decodes a binary module; <paramref name="limits"/> (default <see cref="Validation.ModuleLimits.Default"/>) bounds
    /// its size and each function body's before they are read, with <see cref="Validation.ImplementationLimitException"/>.
    /// <paramref name="features"/> matters where a proposal changes what is well-formed: without
    /// <see cref="Validation.WasmFeatures.CustomPageSizes"/> a memory's limits flag 0x08 is malformed, as Wasm 3.0 says.
    /// </summary>
    public static Module Decode(ReadOnlySpan<byte> bytes, Validation.ModuleLimits? limits = null, Validation.WasmFeatures features = Validation.WasmFeatures.All)
    {
        limits ??= Validation.ModuleLimits.Default;
        Validation.ModuleLimits.Check("module too large (bytes)", bytes.Length, limits.ModuleBytes, nameof(Validation.ModuleLimits.ModuleBytes));
        return new ModuleReader(bytes, limits, features).ReadModule();
    }
}

/// <summary>The decoder's state: the reader and the control stack of the expression being read.</summary>
internal ref struct ModuleReader
{
    // At most this many elements are reserved up front for a vector, however long it claims to be.
    private const int MaxReserve = 1024;

    private WasmReader _r;
    private readonly List<Frame> _frames;
    private bool _bodyUsesData;
    private readonly Validation.ModuleLimits _limits;
    private readonly Validation.WasmFeatures _features;

    public ModuleReader(ReadOnlySpan<byte> bytes, Validation.ModuleLimits limits, Validation.WasmFeatures features)
    {
        _r = new WasmReader(bytes);
        _frames = [];
        _bodyUsesData = false;
        _limits = limits;
        _features = features;
    }

    private enum Frame : byte
    {
        Block,
        If,
        Else,
        Try,
        TryCatch,
        TryCatchAll,
    }

    // ---- Module and sections --------------------------------------------------------------------------

    public Module ReadModule()
    {
        if (_r.ReadFixedU32() != ModuleDecoder.Magic)
        {
            throw Error("magic header not detected", 0);
        }
        if (_r.ReadFixedU32() != ModuleDecoder.Version)
        {
            throw Error("unknown binary version", 4);
        }

        var module = new Module();
        var functionTypes = new List<uint>();
        var bodies = new List<(IReadOnlyList<LocalGroup> Locals, Expression Body)>();
        var usesData = false;
        byte last = 0;
        foreach (var id in SectionOrder.Standard)
        {
            ReadCustomSections(module, last);
            if (!TryEnterSection(id, out var start, out var size))
            {
                continue;
            }
            switch (id)
            {
                case SectionId.Type:
                    ReadVector(module.Types, static (ref ModuleReader m) => m.ReadRecursiveType());
                    break;
                case SectionId.Import:
                    ReadVector(module.Imports, static (ref ModuleReader m) => m.ReadImport());
                    break;
                case SectionId.Function:
                    ReadVector(functionTypes, static (ref ModuleReader m) => m._r.ReadU32());
                    break;
                case SectionId.Table:
                    ReadVector(module.Tables, static (ref ModuleReader m) => m.ReadTable());
                    break;
                case SectionId.Memory:
                    ReadVector(module.Memories, static (ref ModuleReader m) => m.ReadMemoryType());
                    break;
                case SectionId.Tag:
                    ReadVector(module.Tags, static (ref ModuleReader m) => m.ReadTagType());
                    break;
                case SectionId.Global:
                    ReadVector(module.Globals, static (ref ModuleReader m) => m.ReadGlobal());
                    break;
                case SectionId.Export:
                    ReadVector(module.Exports, static (ref ModuleReader m) => m.ReadExport());
                    break;
                case SectionId.Start:
                    module.Start = _r.ReadU32();
                    break;
                case SectionId.Element:
                    ReadVector(module.Elements, static (ref ModuleReader m) => m.ReadElementSegment());
                    break;
                case SectionId.DataCount:
                    module.DataCount = _r.ReadU32();
                    break;
                case SectionId.Code:
                    ReadVector(bodies, static (ref ModuleReader m) => m.ReadCode());
                    usesData = _bodyUsesData;
                    break;
                case SectionId.Data:
                    ReadVector(module.Data, static (ref ModuleReader m) => m.ReadDataSegment());
                    break;
                default:
                    throw new InvalidOperationException($"no reader for section {id}");
            }
            LeaveSection(start, size);
            last = (byte)id;
        }
        ReadCustomSections(module, last);

        if (!_r.AtEnd)
        {
            throw Error("unexpected content after last section", _r.Length);
        }
        if (functionTypes.Count != bodies.Count)
        {
            throw Error("function and code section have inconsistent lengths", _r.Length);
        }
        if (module.DataCount is { } dataCount && dataCount != (uint)module.Data.Count)
        {
            throw Error("data count and data section have inconsistent lengths", _r.Length);
        }
        if (module.DataCount is null && usesData)
        {
            throw Error("data count section required", _r.Length);
        }
        for (var i = 0; i < functionTypes.Count; i++)
        {
            module.Functions.Add(new Function(functionTypes[i], bodies[i].Locals, bodies[i].Body));
        }
        NameSection.Apply(module);
        return module;
    }

    private delegate T ElementReader<T>(ref ModuleReader reader);

    private void ReadVector<T>(List<T> into, ElementReader<T> read)
    {
        var count = _r.ReadLength();
        into.Capacity = Math.Max(into.Capacity, into.Count + Math.Min(count, MaxReserve));
        for (var i = 0; i < count; i++)
        {
            into.Add(read(ref this));
        }
    }

    /// <summary>
    /// Enters the next section if its id is <paramref name="id"/>; an id that names no section is
    /// "malformed section id" wherever a section may start.
    /// </summary>
    private bool TryEnterSection(SectionId id, out int start, out int size)
    {
        start = size = 0;
        var next = _r.Peek();
        if (next < 0)
        {
            return false;
        }
        if (next > (int)SectionId.Tag)
        {
            throw Error("malformed section id", _r.Position);
        }
        if (next != (int)id)
        {
            return false;
        }
        _r.ReadByte();
        size = _r.ReadLength();
        start = _r.Position;
        return true;
    }

    private readonly void LeaveSection(int start, int size)
    {
        if (_r.Position != start + size)
        {
            throw Error("section size mismatch", start);
        }
    }

    private void ReadCustomSections(Module module, byte after)
    {
        while (TryEnterSection(SectionId.Custom, out var start, out var size))
        {
            var name = _r.ReadName();
            var content = _r.ReadBytes(size - (_r.Position - start));
            module.CustomSections.Add(new CustomSection(name, content.ToArray(), after));
            LeaveSection(start, size);
        }
    }

    // ---- Types ----------------------------------------------------------------------------------------

    private RecursiveType ReadRecursiveType()
    {
        if (_r.Peek() == 0x4E)
        {
            _r.ReadByte();
            var types = new List<SubType>();
            ReadVector(types, static (ref ModuleReader m) => m.ReadSubType());
            return new RecursiveType(types);
        }
        return new RecursiveType([ReadSubType()]);
    }

    private SubType ReadSubType()
    {
        var next = _r.Peek();
        if (next is 0x50 or 0x4F)
        {
            _r.ReadByte();
            var supertypes = new List<uint>();
            ReadVector(supertypes, static (ref ModuleReader m) => m._r.ReadU32());
            return new SubType(ReadCompositeType(), supertypes, final: next == 0x4F);
        }
        return new SubType(ReadCompositeType());
    }

    private CompositeType ReadCompositeType()
    {
        var pos = _r.Position;
        switch (_r.ReadS7())
        {
            case -0x20:
                var parameters = ReadResultType();
                var results = ReadResultType();
                return new FunctionType(parameters, results);
            case -0x21:
                var fields = new List<FieldType>();
                ReadVector(fields, static (ref ModuleReader m) => m.ReadFieldType());
                return new StructType(fields);
            case -0x22:
                return new ArrayType(ReadFieldType());
            default:
                throw Error("malformed definition type", pos);
        }
    }

    private List<ValType> ReadResultType()
    {
        var types = new List<ValType>();
        ReadVector(types, static (ref ModuleReader m) => m.ReadValueType());
        return types;
    }

    private FieldType ReadFieldType()
    {
        var storage = ReadStorageType();
        return new FieldType(storage, ReadMutability());
    }

    private StorageType ReadStorageType()
    {
        var pos = _r.Position;
        switch (_r.Peek())
        {
            case 0x78:
                _r.ReadByte();
                return StorageType.I8;
            case 0x77:
                _r.ReadByte();
                return StorageType.I16;
        }
        try
        {
            return new StorageType(ReadValueType());
        }
        catch (BinaryFormatException)
        {
            // Like the reference interpreter: not a value type, so try a packed type, which fails.
            _r.Position = pos;
            _r.ReadS7();
            throw Error("malformed storage type", pos);
        }
    }

    private bool ReadMutability()
    {
        var pos = _r.Position;
        return _r.ReadByte() switch
        {
            0 => false,
            1 => true,
            _ => throw Error("malformed mutability", pos),
        };
    }

    /// <summary>A value type: number, vector or reference type (short forms included).</summary>
    private ValType ReadValueType()
    {
        switch (_r.Peek())
        {
            case 0x7F:
                _r.ReadByte();
                return ValType.I32;
            case 0x7E:
                _r.ReadByte();
                return ValType.I64;
            case 0x7D:
                _r.ReadByte();
                return ValType.F32;
            case 0x7C:
                _r.ReadByte();
                return ValType.F64;
            case 0x7B:
                _r.ReadByte();
                return ValType.V128;
            default:
                return ReadReferenceType();
        }
    }

    private ValType ReadReferenceType()
    {
        var pos = _r.Position;
        var code = _r.ReadS7() & 0x7F;
        switch (code)
        {
            case 0x64:
                return ValType.Ref(ReadHeapType(), nullable: false);
            case 0x63:
                return ValType.Ref(ReadHeapType(), nullable: true);
            default:
                if (HeapType.TryFromCode((byte)code, out var heap))
                {
                    return ValType.Ref(heap, nullable: true);
                }
                throw Error("malformed reference type", pos);
        }
    }

    /// <summary>A heap type: an abstract type's byte, or a type index as a non-negative s33.</summary>
    private HeapType ReadHeapType()
    {
        var pos = _r.Position;
        if (TryReadTypeIndexS33(out var index))
        {
            return HeapType.Concrete(index);
        }
        var code = _r.ReadS7() & 0x7F;
        if (HeapType.TryFromCode((byte)code, out var heap))
        {
            return heap;
        }
        throw Error("malformed heap type", pos);
    }

    /// <summary>
    /// Reads a non-negative s33 that fits a type index, or leaves the position unchanged and returns false
    /// (the reference interpreter then reads the same bytes as a one-byte type code).
    /// </summary>
    private bool TryReadTypeIndexS33(out uint index)
    {
        index = 0;
        var pos = _r.Position;
        var first = _r.Peek();
        if (first < 0)
        {
            return false;
        }
        if ((first & 0x80) == 0)
        {
            if ((first & 0x40) != 0)
            {
                return false;
            }
            _r.ReadByte();
            index = (uint)first;
            return true;
        }
        try
        {
            var value = _r.ReadS33();
            if (value is >= 0 and <= int.MaxValue)
            {
                index = (uint)value;
                return true;
            }
        }
        catch (BinaryFormatException)
        {
            // Fall back, as the reference interpreter does.
        }
        _r.Position = pos;
        return false;
    }

    private BlockType ReadBlockType()
    {
        if (TryReadTypeIndexS33(out var index))
        {
            return BlockType.Indexed(index);
        }
        if (_r.Peek() == 0x40)
        {
            _r.ReadByte();
            return BlockType.Empty;
        }
        return BlockType.Value(ReadValueType());
    }

    private Limits ReadLimits() => ReadLimits(memory: false).Limits;

    /// <summary>A memory type: limits, then (flag bit 3, custom-page-sizes) the page size's log2 as a u32.</summary>
    private MemoryType ReadMemoryType()
    {
        var (limits, pageSizeLog2) = ReadLimits(memory: true);
        return new MemoryType(limits, pageSizeLog2);
    }

    private (Limits Limits, int PageSizeLog2) ReadLimits(bool memory)
    {
        var pos = _r.Position;
        var flags = _r.ReadByte();
        // Bit 0: maximum present; bit 1: shared (threads); bit 2: 64-bit addresses; bit 3 (memories only): page size.
        var pageSizeFlag = memory && _features.HasFlag(Validation.WasmFeatures.CustomPageSizes) ? 0x08 : 0;
        if ((flags & ~(0x07 | pageSizeFlag)) != 0)
        {
            throw Error("malformed limits flags", pos);
        }
        var min = _r.ReadU64();
        ulong? max = (flags & 1) != 0 ? _r.ReadU64() : null;
        var pageSizeLog2 = MemoryType.DefaultPageSizeLog2;
        if ((flags & 8) != 0)
        {
            var log2Pos = _r.Position;
            var log2 = _r.ReadU32();
            // A page size that does not fit in 64 bits is malformed; one that fits but is not allowed is invalid.
            if (log2 >= 64)
            {
                throw Error("invalid custom page size", log2Pos);
            }
            pageSizeLog2 = (int)log2;
        }
        return (new Limits(min, max, (flags & 4) != 0 ? AddressType.I64 : AddressType.I32, Shared: (flags & 2) != 0), pageSizeLog2);
    }

    private TableType ReadTableType()
    {
        var element = ReadReferenceType();
        return new TableType(ReadLimits(), element);
    }

    private GlobalType ReadGlobalType()
    {
        var type = ReadValueType();
        return new GlobalType(type, ReadMutability());
    }

    private TagType ReadTagType()
    {
        var pos = _r.Position;
        if (_r.ReadByte() != 0)
        {
            throw Error("zero byte expected", pos);
        }
        return new TagType(_r.ReadU32());
    }

    // ---- Module fields --------------------------------------------------------------------------------

    private Import ReadImport()
    {
        var moduleName = _r.ReadName();
        var itemName = _r.ReadName();
        var pos = _r.Position;
        ExternType type = _r.ReadByte() switch
        {
            0x00 => new FunctionTypeUse(_r.ReadU32()),
            0x01 => ReadTableType(),
            0x02 => ReadMemoryType(),
            0x03 => ReadGlobalType(),
            0x04 => ReadTagType(),
            _ => throw Error("malformed import kind", pos),
        };
        return new Import(moduleName, itemName, type);
    }

    private Table ReadTable()
    {
        if (_r.Peek() == 0x40 && _r.PeekAt(1) == 0x00)
        {
            _r.ReadByte();
            _r.ReadByte();
            var type = ReadTableType();
            return new Table(type, ReadExpression(functionBody: false));
        }
        return new Table(ReadTableType());
    }

    private Global ReadGlobal()
    {
        var type = ReadGlobalType();
        return new Global(type, ReadExpression(functionBody: false));
    }

    private Export ReadExport()
    {
        var name = _r.ReadName();
        var pos = _r.Position;
        var kind = _r.ReadByte();
        if (kind > (byte)ExternKind.Tag)
        {
            throw Error("malformed export kind", pos);
        }
        return new Export(name, (ExternKind)kind, _r.ReadU32());
    }

    private ElementSegment ReadElementSegment()
    {
        var pos = _r.Position;
        var flags = _r.ReadU32();
        if (flags > 7)
        {
            throw Error("malformed elements segment kind", pos);
        }
        // Bit 0: passive or declarative; bit 1: explicit table (active) or declarative; bit 2: expressions.
        var mode = (flags & 1) == 0 ? SegmentMode.Active : (flags & 2) == 0 ? SegmentMode.Passive : SegmentMode.Declarative;
        uint table = 0;
        Expression? offset = null;
        if (mode == SegmentMode.Active)
        {
            if ((flags & 2) != 0)
            {
                table = _r.ReadU32();
            }
            offset = ReadExpression(functionBody: false);
        }
        var items = new List<Expression>();
        ValType type;
        if ((flags & 4) == 0)
        {
            type = ValType.Ref(HeapType.Func, nullable: false);
            if ((flags & 3) != 0)
            {
                var kindPos = _r.Position;
                if (_r.ReadByte() != 0x00)
                {
                    throw Error("malformed element kind", kindPos);
                }
            }
            ReadVector(items, static (ref ModuleReader m) => Expression.Of(Instruction.WithIndex(Opcode.RefFunc, m._r.ReadU32())));
        }
        else
        {
            type = (flags & 3) != 0 ? ReadReferenceType() : ValType.FuncRef;
            ReadVector(items, static (ref ModuleReader m) => m.ReadExpression(functionBody: false));
        }
        return new ElementSegment(mode, type, items, table, offset);
    }

    private DataSegment ReadDataSegment()
    {
        var pos = _r.Position;
        var flags = _r.ReadU32();
        switch (flags)
        {
            case 0:
                {
                    var offset = ReadExpression(functionBody: false);
                    return new DataSegment(SegmentMode.Active, ReadByteVector(), 0, offset);
                }
            case 1:
                return new DataSegment(SegmentMode.Passive, ReadByteVector());
            case 2:
                {
                    var memory = _r.ReadU32();
                    var offset = ReadExpression(functionBody: false);
                    return new DataSegment(SegmentMode.Active, ReadByteVector(), memory, offset);
                }
            default:
                throw Error("malformed data segment kind", pos);
        }
    }

    private byte[] ReadByteVector() => _r.ReadBytes(_r.ReadLength()).ToArray();

    private (IReadOnlyList<LocalGroup> Locals, Expression Body) ReadCode()
    {
        var size = _r.ReadLength();
        var start = _r.Position;
        // Before the body is read: a body of hundreds of megabytes would cost gigabytes to decode and validate.
        Validation.ModuleLimits.Check("function body too large (bytes)", size, _limits.FunctionBodyBytes, nameof(Validation.ModuleLimits.FunctionBodyBytes), $"at offset 0x{start:x}");
        var localsPos = _r.Position;
        var locals = new List<LocalGroup>();
        ReadVector(locals, static (ref ModuleReader m) =>
        {
            var count = m._r.ReadU32();
            return new LocalGroup(count, m.ReadValueType());
        });
        var total = 0UL;
        foreach (var group in locals)
        {
            total += group.Count;
        }
        if (total >= 1UL << 32)
        {
            throw Error("too many locals", localsPos);
        }
        // Room for the body's instructions up front (clang's code averages about two bytes an instruction): growing
        // the list by doubling copied large arrays, most of a big module's decoding time. Capped, so that a huge body
        // that turns out malformed early costs no more than growing would.
        var body = ReadExpression(functionBody: true, capacity: Math.Min((start + size - _r.Position) / 2, 1 << 16));
        LeaveSection(start, size);
        return (locals, body);
    }

    // ---- Instructions ---------------------------------------------------------------------------------

    /// <summary>
    /// Reads instructions up to and including the <c>end</c> that closes the expression, checking that
    /// <c>else</c>, <c>catch</c>, <c>catch_all</c> and <c>delegate</c> appear only where they may.
    /// </summary>
    private Expression ReadExpression(bool functionBody, int capacity = 4)
    {
        var instructions = new List<Instruction>(capacity);
        _frames.Clear();
        while (true)
        {
            var pos = _r.Position;
            var op = _r.ReadByte();
            var top = _frames.Count > 0 ? _frames[^1] : (Frame?)null;
            switch (op)
            {
                case 0x0B:
                    instructions.Add(Instruction.Simple(Opcode.End));
                    if (top is null)
                    {
                        return new Expression(instructions);
                    }
                    _frames.RemoveAt(_frames.Count - 1);
                    continue;
                case 0x05 when top == Frame.If:
                    _frames[^1] = Frame.Else;
                    instructions.Add(Instruction.Simple(Opcode.Else));
                    continue;
                case 0x07 when top is Frame.Try or Frame.TryCatch:
                    _frames[^1] = Frame.TryCatch;
                    instructions.Add(Instruction.WithIndex(Opcode.Catch, _r.ReadU32()));
                    continue;
                case 0x19 when top is Frame.Try or Frame.TryCatch:
                    _frames[^1] = Frame.TryCatchAll;
                    instructions.Add(Instruction.Simple(Opcode.CatchAll));
                    continue;
                case 0x18 when top == Frame.Try:
                    _frames.RemoveAt(_frames.Count - 1);
                    instructions.Add(Instruction.WithIndex(Opcode.Delegate, _r.ReadU32()));
                    continue;
                case 0x05 or 0x07 or 0x18 or 0x19:
                    // Where the enclosing construct cannot continue, the reference interpreter expects its end.
                    throw Error("END opcode expected", pos);
            }
            var instruction = ReadInstruction(op, pos, functionBody);
            instructions.Add(instruction);
            switch (instruction.Opcode)
            {
                case Opcode.Block or Opcode.Loop or Opcode.TryTable:
                    _frames.Add(Frame.Block);
                    break;
                case Opcode.If:
                    _frames.Add(Frame.If);
                    break;
                case Opcode.Try:
                    _frames.Add(Frame.Try);
                    break;
            }
        }
    }

    private Instruction ReadInstruction(byte op, int pos, bool functionBody)
    {
        OpcodeInfo? info;
        if (op is 0xFB or 0xFC or 0xFD or 0xFE)
        {
            var code = _r.ReadU32();
            if (!OpcodeTable.TryDecode(op, code, out info))
            {
                throw Error($"illegal opcode {op:x2} {code:x2}", pos);
            }
        }
        else if (!OpcodeTable.TryDecode(0, op, out info))
        {
            throw Error($"illegal opcode {op:x2}", pos);
        }

        var opcode = info.Opcode;
        switch (info.Immediates)
        {
            case ImmediateKind.None:
                // atomic.fence carries a reserved byte (the memory ordering, only 0 so far) that the text format omits.
                if (opcode == Opcode.AtomicFence && _r.ReadByte() != 0)
                {
                    throw Error("malformed atomic.fence ordering", pos);
                }
                return Instruction.Simple(opcode);
            case ImmediateKind.BlockType:
                return Instruction.Block(opcode, ReadBlockType());
            case ImmediateKind.Label or ImmediateKind.Function or ImmediateKind.Type or ImmediateKind.Local
                or ImmediateKind.Global or ImmediateKind.Table or ImmediateKind.Memory or ImmediateKind.Data
                or ImmediateKind.Element or ImmediateKind.Tag:
                _bodyUsesData |= functionBody && info.Immediates.NamesDataSegment();
                return Instruction.WithIndex(opcode, _r.ReadU32());
            case ImmediateKind.CallIndirect or ImmediateKind.TypeAndField or ImmediateKind.TypeAndType
                or ImmediateKind.TypeAndData or ImmediateKind.TypeAndElem or ImmediateKind.TableAndTable
                or ImmediateKind.ElemAndTable or ImmediateKind.MemoryAndMemory or ImmediateKind.DataAndMemory:
                {
                    _bodyUsesData |= functionBody && info.Immediates.NamesDataSegment();
                    var first = _r.ReadU32();
                    return Instruction.WithIndices(opcode, first, _r.ReadU32());
                }
            case ImmediateKind.TypeAndCount:
                {
                    var type = _r.ReadU32();
                    return Instruction.ArrayNewFixed(type, _r.ReadU32());
                }
            case ImmediateKind.BranchTable:
                {
                    var labels = new List<uint>();
                    ReadVector(labels, static (ref ModuleReader m) => m._r.ReadU32());
                    return Instruction.BrTable(labels, _r.ReadU32());
                }
            case ImmediateKind.MemArg:
                return Instruction.Memory(opcode, ReadMemArg());
            case ImmediateKind.MemArgAndLane:
                {
                    var arg = ReadMemArg();
                    return Instruction.MemoryLane(opcode, arg, _r.ReadByte());
                }
            case ImmediateKind.Lane:
                return Instruction.Lane(opcode, _r.ReadByte());
            case ImmediateKind.Shuffle:
                return Instruction.Shuffle(V128.FromBytes(_r.ReadBytes(16)));
            case ImmediateKind.I32:
                return Instruction.I32Const(_r.ReadS32());
            case ImmediateKind.I64:
                return Instruction.I64Const(_r.ReadS64());
            case ImmediateKind.F32:
                return Instruction.F32Const(_r.ReadFixedU32());
            case ImmediateKind.F64:
                return Instruction.F64Const(_r.ReadFixedU64());
            case ImmediateKind.V128:
                return Instruction.V128Const(V128.FromBytes(_r.ReadBytes(16)));
            case ImmediateKind.HeapType:
                return Instruction.WithHeapType(opcode, ReadHeapType());
            case ImmediateKind.BrOnCast:
                {
                    var flagsPos = _r.Position;
                    var flags = _r.ReadByte();
                    if ((flags & 0xFC) != 0)
                    {
                        throw Error("malformed br_on_cast flags", flagsPos);
                    }
                    var label = _r.ReadU32();
                    var from = ReadHeapType();
                    var to = ReadHeapType();
                    return Instruction.BrOnCast(
                        opcode, label, ValType.Ref(from, (flags & 1) != 0), ValType.Ref(to, (flags & 2) != 0));
                }
            case ImmediateKind.SelectTypes:
                return Instruction.SelectTyped(ReadResultType());
            case ImmediateKind.TryTable:
                {
                    var type = ReadBlockType();
                    var catches = new List<CatchClause>();
                    ReadVector(catches, static (ref ModuleReader m) => m.ReadCatchClause());
                    return Instruction.TryTable(type, catches);
                }
            default:
                throw new InvalidOperationException($"no decoder for immediates {info.Immediates}");
        }
    }

    private MemArg ReadMemArg()
    {
        var pos = _r.Position;
        var flags = _r.ReadU32();
        if (flags >= 0x80)
        {
            throw Error("malformed memop flags", pos);
        }
        var memory = (flags & 0x40) != 0 ? _r.ReadU32() : 0;
        return new MemArg(flags & 0x3F, _r.ReadU64(), memory);
    }

    private CatchClause ReadCatchClause()
    {
        var pos = _r.Position;
        var kind = _r.ReadByte();
        switch (kind)
        {
            case 0 or 1:
                {
                    var tag = _r.ReadU32();
                    return new CatchClause((CatchKind)kind, tag, _r.ReadU32());
                }
            case 2 or 3:
                return new CatchClause((CatchKind)kind, 0, _r.ReadU32());
            default:
                throw Error("malformed catch clause", pos);
        }
    }

    private static BinaryFormatException Error(string reason, long offset) => WasmReader.Error(reason, offset);
}
