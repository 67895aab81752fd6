using WasmHarness.Syntax;

namespace WasmHarness.Binary;

/// <summary>
/// Encodes a <see cref="Module"/> in the binary format, canonically: shortest LEB128 integers, sections in
/// the spec's order, empty sections left out, short forms of reference types, and element segments in the
/// function-index form where that form says the same.
/// </summary>
/// <remarks>
/// Custom sections go back after the section they followed (<see cref="CustomSection.After"/>); a section
/// named there is written even when empty, so that decoding the result gives the same placement. The data
/// count section is written when <see cref="Module.DataCount"/> has a value. The <c>name</c> section is not
/// made up from <see cref="Module.FunctionNames"/>: it is written only when it is one of the custom sections.
/// A model that no binary can express (a bottom type, an alignment of 64 or more) is an
/// <see cref="ArgumentException"/>.
/// </remarks>
public static class ModuleEncoder
{
    public static byte[] Encode(Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var output = new WasmWriter(4096);
        output.WriteFixedU32(ModuleDecoder.Magic);
        output.WriteFixedU32(ModuleDecoder.Version);

        var content = new WasmWriter(4096);
        WriteCustomSections(output, content, module, 0);
        foreach (var id in SectionOrder.Standard)
        {
            var forced = module.CustomSections.Any(custom => custom.After == (byte)id);
            content.Clear();
            if (WriteSection(content, module, id, forced))
            {
                output.WriteByte((byte)id);
                output.WriteLength(content.Length);
                output.WriteBytes(content.WrittenSpan);
            }
            WriteCustomSections(output, content, module, (byte)id);
        }
        foreach (var custom in module.CustomSections.Where(custom => custom.After > (byte)SectionId.Tag))
        {
            WriteCustomSection(output, content, custom);
        }
        return output.ToArray();
    }

    private static void WriteCustomSections(WasmWriter output, WasmWriter content, Module module, byte after)
    {
        foreach (var custom in module.CustomSections)
        {
            if (custom.After == after)
            {
                WriteCustomSection(output, content, custom);
            }
        }
    }

    private static void WriteCustomSection(WasmWriter output, WasmWriter content, CustomSection custom)
    {
        content.Clear();
        content.WriteName(custom.Name);
        content.WriteBytes(custom.Content.Span);
        output.WriteByte((byte)SectionId.Custom);
        output.WriteLength(content.Length);
        output.WriteBytes(content.WrittenSpan);
    }

    /// <summary>Writes one section's contents; false when the section is left out.</summary>
    private static bool WriteSection(WasmWriter w, Module module, SectionId id, bool forced)
    {
        switch (id)
        {
            case SectionId.Type:
                return WriteVector(w, module.Types, forced, WriteRecursiveType);
            case SectionId.Import:
                return WriteVector(w, module.Imports, forced, WriteImport);
            case SectionId.Function:
                return WriteVector(w, module.Functions, forced, static (w, f) => w.WriteU32(f.TypeIndex));
            case SectionId.Table:
                return WriteVector(w, module.Tables, forced, WriteTable);
            case SectionId.Memory:
                return WriteVector(w, module.Memories, forced, static (w, m) => WriteMemoryType(w, m));
            case SectionId.Tag:
                return WriteVector(w, module.Tags, forced, WriteTagType);
            case SectionId.Global:
                return WriteVector(w, module.Globals, forced, WriteGlobal);
            case SectionId.Export:
                return WriteVector(w, module.Exports, forced, WriteExport);
            case SectionId.Start:
                if (module.Start is not { } start)
                {
                    return false;
                }
                w.WriteU32(start);
                return true;
            case SectionId.Element:
                return WriteVector(w, module.Elements, forced, WriteElementSegment);
            case SectionId.DataCount:
                if (module.DataCount is not { } count)
                {
                    return false;
                }
                w.WriteU32(count);
                return true;
            case SectionId.Code:
                {
                    var body = new WasmWriter();
                    return WriteVector(w, module.Functions, forced, (w, f) => WriteCode(w, body, f));
                }
            case SectionId.Data:
                return WriteVector(w, module.Data, forced, WriteDataSegment);
            default:
                throw new ArgumentOutOfRangeException(nameof(id));
        }
    }

    private static bool WriteVector<T>(WasmWriter w, IReadOnlyList<T> items, bool forced, Action<WasmWriter, T> write)
    {
        if (items.Count == 0 && !forced)
        {
            return false;
        }
        w.WriteLength(items.Count);
        foreach (var item in items)
        {
            write(w, item);
        }
        return true;
    }

    // ---- Types ----------------------------------------------------------------------------------------

    public static void WriteRecursiveType(WasmWriter w, RecursiveType type)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(type);
        if (type.Types.Count == 1)
        {
            WriteSubType(w, type.Types[0]);
            return;
        }
        w.WriteByte(0x4E);
        w.WriteLength(type.Types.Count);
        foreach (var sub in type.Types)
        {
            WriteSubType(w, sub);
        }
    }

    private static void WriteSubType(WasmWriter w, SubType type)
    {
        if (!type.Final || type.Supertypes.Count > 0)
        {
            w.WriteByte(type.Final ? (byte)0x4F : (byte)0x50);
            w.WriteLength(type.Supertypes.Count);
            foreach (var super in type.Supertypes)
            {
                w.WriteU32(super);
            }
        }
        switch (type.Body)
        {
            case FunctionType function:
                w.WriteByte(0x60);
                WriteResultType(w, function.Parameters);
                WriteResultType(w, function.Results);
                break;
            case StructType structure:
                w.WriteByte(0x5F);
                w.WriteLength(structure.Fields.Count);
                foreach (var field in structure.Fields)
                {
                    WriteFieldType(w, field);
                }
                break;
            case ArrayType array:
                w.WriteByte(0x5E);
                WriteFieldType(w, array.Element);
                break;
            default:
                throw new ArgumentException($"cannot encode composite type {type.Body}", nameof(type));
        }
    }

    private static void WriteResultType(WasmWriter w, IReadOnlyList<ValType> types)
    {
        w.WriteLength(types.Count);
        foreach (var type in types)
        {
            WriteValueType(w, type);
        }
    }

    private static void WriteFieldType(WasmWriter w, FieldType field)
    {
        switch (field.Storage.Packed)
        {
            case PackedType.I8:
                w.WriteByte(0x78);
                break;
            case PackedType.I16:
                w.WriteByte(0x77);
                break;
            default:
                WriteValueType(w, field.Storage.Type);
                break;
        }
        w.WriteByte(field.Mutable ? (byte)1 : (byte)0);
    }

    public static void WriteValueType(WasmWriter w, ValType type)
    {
        ArgumentNullException.ThrowIfNull(w);
        switch (type.Kind)
        {
            case ValueKind.I32:
                w.WriteByte(0x7F);
                break;
            case ValueKind.I64:
                w.WriteByte(0x7E);
                break;
            case ValueKind.F32:
                w.WriteByte(0x7D);
                break;
            case ValueKind.F64:
                w.WriteByte(0x7C);
                break;
            case ValueKind.V128:
                w.WriteByte(0x7B);
                break;
            case ValueKind.Ref:
                if (type.Nullable && type.Heap.IsAbstract && type.Heap != HeapType.Bottom)
                {
                    w.WriteByte(type.Heap.AbstractCode);
                    break;
                }
                w.WriteByte(type.Nullable ? (byte)0x63 : (byte)0x64);
                WriteHeapType(w, type.Heap);
                break;
            default:
                throw new ArgumentException($"cannot encode value type {type}", nameof(type));
        }
    }

    public static void WriteHeapType(WasmWriter w, HeapType type)
    {
        ArgumentNullException.ThrowIfNull(w);
        if (type.IsConcrete)
        {
            w.WriteS64(type.TypeIndex);
        }
        else if (type == HeapType.Bottom)
        {
            throw new ArgumentException("cannot encode the bottom heap type", nameof(type));
        }
        else
        {
            w.WriteByte(type.AbstractCode);
        }
    }

    public static void WriteBlockType(WasmWriter w, BlockType type)
    {
        ArgumentNullException.ThrowIfNull(w);
        if (type.IsEmpty)
        {
            w.WriteByte(0x40);
        }
        else if (type.IsValue)
        {
            WriteValueType(w, type.Result);
        }
        else
        {
            w.WriteS64(type.TypeIndex);
        }
    }

    private static void WriteLimits(WasmWriter w, Limits limits, int? pageSizeLog2 = null)
    {
        var flags = (limits.Max.HasValue ? 1 : 0) | (limits.Shared ? 2 : 0) | (limits.AddressType == AddressType.I64 ? 4 : 0) | (pageSizeLog2.HasValue ? 8 : 0);
        w.WriteByte((byte)flags);
        w.WriteU64(limits.Min);
        if (limits.Max is { } max)
        {
            w.WriteU64(max);
        }
        if (pageSizeLog2 is { } log2)
        {
            w.WriteU32((uint)log2);
        }
    }

    /// <summary>A memory type: its limits, with the page size (flag bit 3) only when it is not the default, so MVP modules encode as before.</summary>
    private static void WriteMemoryType(WasmWriter w, MemoryType type) =>
        WriteLimits(w, type.Limits, type.HasCustomPageSize ? type.PageSizeLog2 : null);

    private static void WriteTableType(WasmWriter w, TableType type)
    {
        if (!type.ElementType.IsReference)
        {
            throw new ArgumentException($"table element type {type.ElementType} is not a reference type", nameof(type));
        }
        WriteValueType(w, type.ElementType);
        WriteLimits(w, type.Limits);
    }

    private static void WriteTagType(WasmWriter w, TagType type)
    {
        w.WriteByte(0x00);
        w.WriteU32(type.TypeIndex);
    }

    private static void WriteGlobalType(WasmWriter w, GlobalType type)
    {
        WriteValueType(w, type.Type);
        w.WriteByte(type.Mutable ? (byte)1 : (byte)0);
    }

    // ---- Module fields --------------------------------------------------------------------------------

    private static void WriteImport(WasmWriter w, Import import)
    {
        w.WriteName(import.Module);
        w.WriteName(import.Name);
        w.WriteByte((byte)import.Type.Kind);
        switch (import.Type)
        {
            case FunctionTypeUse function:
                w.WriteU32(function.TypeIndex);
                break;
            case TableType table:
                WriteTableType(w, table);
                break;
            case MemoryType memory:
                WriteMemoryType(w, memory);
                break;
            case GlobalType global:
                WriteGlobalType(w, global);
                break;
            case TagType tag:
                WriteTagType(w, tag);
                break;
            default:
                throw new ArgumentException($"cannot encode import type {import.Type}", nameof(import));
        }
    }

    private static void WriteTable(WasmWriter w, Table table)
    {
        if (table.Init is null)
        {
            WriteTableType(w, table.Type);
            return;
        }
        w.WriteByte(0x40);
        w.WriteByte(0x00);
        WriteTableType(w, table.Type);
        WriteExpression(w, table.Init);
    }

    private static void WriteGlobal(WasmWriter w, Global global)
    {
        WriteGlobalType(w, global.Type);
        WriteExpression(w, global.Init);
    }

    private static void WriteExport(WasmWriter w, Export export)
    {
        w.WriteName(export.Name);
        w.WriteByte((byte)export.Kind);
        w.WriteU32(export.Index);
    }

    private static void WriteElementSegment(WasmWriter w, ElementSegment segment)
    {
        // The function-index forms (flags 0-3) say (ref func) and ref.func items; anything else takes
        // the expression forms (flags 4-7), whose flag 4 says funcref.
        var nonNullFunc = ValType.Ref(HeapType.Func, nullable: false);
        var indices = segment.Type == nonNullFunc && segment.Items.All(IsRefFunc);
        var explicitTable = segment.Mode == SegmentMode.Active &&
            (segment.Table != 0 || segment.Type != (indices ? nonNullFunc : ValType.FuncRef));
        uint flags = segment.Mode switch
        {
            SegmentMode.Active => explicitTable ? 2u : 0u,
            SegmentMode.Passive => 1u,
            SegmentMode.Declarative => 3u,
            _ => throw new ArgumentException($"unknown segment mode {segment.Mode}", nameof(segment)),
        };
        if (!indices)
        {
            flags |= 4;
        }
        w.WriteU32(flags);
        if (segment.Mode == SegmentMode.Active)
        {
            if (explicitTable)
            {
                w.WriteU32(segment.Table);
            }
            WriteExpression(w, segment.Offset ?? throw new ArgumentException("active element segment without offset", nameof(segment)));
        }
        if ((flags & 3) != 0)
        {
            if (indices)
            {
                w.WriteByte(0x00);
            }
            else
            {
                WriteValueType(w, segment.Type);
            }
        }
        w.WriteLength(segment.Items.Count);
        foreach (var item in segment.Items)
        {
            if (indices)
            {
                w.WriteU32(item.Instructions[0].Index);
            }
            else
            {
                WriteExpression(w, item);
            }
        }
    }

    private static bool IsRefFunc(Expression item) =>
        item.Instructions.Count == 2 && item.Instructions[0].Opcode == Opcode.RefFunc && item.Instructions[1].Opcode == Opcode.End;

    private static void WriteDataSegment(WasmWriter w, DataSegment segment)
    {
        switch (segment.Mode)
        {
            case SegmentMode.Active:
                var offset = segment.Offset ?? throw new ArgumentException("active data segment without offset", nameof(segment));
                if (segment.Memory == 0)
                {
                    w.WriteU32(0);
                }
                else
                {
                    w.WriteU32(2);
                    w.WriteU32(segment.Memory);
                }
                WriteExpression(w, offset);
                break;
            case SegmentMode.Passive:
                w.WriteU32(1);
                break;
            default:
                throw new ArgumentException($"data segments cannot be {segment.Mode}", nameof(segment));
        }
        w.WriteByteVector(segment.Bytes.Span);
    }

    private static void WriteCode(WasmWriter w, WasmWriter body, Function function)
    {
        body.Clear();
        body.WriteLength(function.Locals.Count);
        foreach (var group in function.Locals)
        {
            body.WriteU32(group.Count);
            WriteValueType(body, group.Type);
        }
        WriteExpression(body, function.Body);
        w.WriteLength(body.Length);
        w.WriteBytes(body.WrittenSpan);
    }

    // ---- Instructions ---------------------------------------------------------------------------------

    /// <summary>Writes an expression's instructions, its closing <c>end</c> included.</summary>
    public static void WriteExpression(WasmWriter w, Expression expression)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(expression);
        foreach (var instruction in expression.Instructions)
        {
            WriteInstruction(w, instruction);
        }
    }

    public static void WriteInstruction(WasmWriter w, Instruction instruction)
    {
        ArgumentNullException.ThrowIfNull(w);
        var info = instruction.Info;
        if (info.Prefix != 0)
        {
            w.WriteByte(info.Prefix);
            w.WriteU32(info.Code);
        }
        else
        {
            w.WriteByte((byte)info.Code);
        }
        switch (info.Immediates)
        {
            case ImmediateKind.None:
                if (instruction.Opcode == Opcode.AtomicFence)
                {
                    w.WriteByte(0); // the reserved ordering byte (sequentially consistent), see ModuleDecoder
                }
                break;
            case ImmediateKind.BlockType:
                WriteBlockType(w, instruction.BlockType);
                break;
            case ImmediateKind.Label or ImmediateKind.Function or ImmediateKind.Type or ImmediateKind.Local
                or ImmediateKind.Global or ImmediateKind.Table or ImmediateKind.Memory or ImmediateKind.Data
                or ImmediateKind.Element or ImmediateKind.Tag:
                w.WriteU32(instruction.Index);
                break;
            case ImmediateKind.CallIndirect or ImmediateKind.TypeAndField or ImmediateKind.TypeAndType
                or ImmediateKind.TypeAndData or ImmediateKind.TypeAndElem or ImmediateKind.TypeAndCount
                or ImmediateKind.TableAndTable or ImmediateKind.ElemAndTable or ImmediateKind.MemoryAndMemory
                or ImmediateKind.DataAndMemory:
                w.WriteU32(instruction.Index);
                w.WriteU32(instruction.SecondIndex);
                break;
            case ImmediateKind.BranchTable:
                var table = instruction.BranchTable;
                w.WriteLength(table.Labels.Count);
                foreach (var label in table.Labels)
                {
                    w.WriteU32(label);
                }
                w.WriteU32(table.Default);
                break;
            case ImmediateKind.MemArg:
                WriteMemArg(w, instruction.MemArg);
                break;
            case ImmediateKind.MemArgAndLane:
                WriteMemArg(w, instruction.MemArg);
                w.WriteByte(instruction.LaneIndex);
                break;
            case ImmediateKind.Lane:
                w.WriteByte(instruction.LaneIndex);
                break;
            case ImmediateKind.Shuffle or ImmediateKind.V128:
                {
                    Span<byte> bytes = stackalloc byte[16];
                    instruction.V128.WriteTo(bytes);
                    w.WriteBytes(bytes);
                    break;
                }
            case ImmediateKind.I32:
                w.WriteS32(instruction.I32);
                break;
            case ImmediateKind.I64:
                w.WriteS64(instruction.I64);
                break;
            case ImmediateKind.F32:
                w.WriteFixedU32(instruction.F32Bits);
                break;
            case ImmediateKind.F64:
                w.WriteFixedU64(instruction.F64Bits);
                break;
            case ImmediateKind.HeapType:
                WriteHeapType(w, instruction.HeapType);
                break;
            case ImmediateKind.BrOnCast:
                var from = instruction.CastFrom;
                var to = instruction.CastTo;
                w.WriteByte((byte)((from.Nullable ? 1 : 0) | (to.Nullable ? 2 : 0)));
                w.WriteU32(instruction.Index);
                WriteHeapType(w, from.Heap);
                WriteHeapType(w, to.Heap);
                break;
            case ImmediateKind.SelectTypes:
                WriteResultType(w, instruction.SelectTypes);
                break;
            case ImmediateKind.TryTable:
                WriteBlockType(w, instruction.BlockType);
                var catches = instruction.Catches;
                w.WriteLength(catches.Count);
                foreach (var clause in catches)
                {
                    w.WriteByte((byte)clause.Kind);
                    if (clause.HasTag)
                    {
                        w.WriteU32(clause.Tag);
                    }
                    w.WriteU32(clause.Label);
                }
                break;
            default:
                throw new ArgumentException($"cannot encode immediates {info.Immediates}", nameof(instruction));
        }
    }

    private static void WriteMemArg(WasmWriter w, MemArg arg)
    {
        if (arg.AlignExponent >= 0x40)
        {
            throw new ArgumentException($"alignment exponent {arg.AlignExponent} cannot be encoded", nameof(arg));
        }
        if (arg.Memory == 0)
        {
            w.WriteU32(arg.AlignExponent);
        }
        else
        {
            w.WriteU32(arg.AlignExponent | 0x40);
            w.WriteU32(arg.Memory);
        }
        w.WriteU64(arg.Offset);
    }
}
