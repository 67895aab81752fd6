using WasmHarness.Syntax;

namespace WasmHarness.Validation;

/// <summary>
/// Validates a module (spec: chapter 3, Validation; rule <c>Module_ok</c>). Checks follow the order of the
/// reference interpreter (types, imports, tags, functions, memories, tables, globals, data, elements, bodies,
/// start, exports), so a module with several errors reports the same first one.
/// </summary>
public static class ModuleValidator
{
    private const ulong MaxTableSize32 = uint.MaxValue;

    /// <summary>Validates <paramref name="module"/>; throws <see cref="InvalidModuleException"/> with the spec's message on the first error.</summary>
    public static ValidatedModule Validate(Module module, ModuleLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        var c = new ValidationContext(module) { Limits = limits ?? ModuleLimits.Default };
        var code = new CodeValidator(c);
        CheckCounts(c);
        CheckTypes(c);
        CheckImports(c);
        var importedFunctions = c.Functions.Count;
        var importedGlobals = c.Globals.Count;
        CheckTags(c);
        CheckFunctionTypes(c);
        CollectReferences(c);
        CheckMemories(c);
        CheckTables(c, code, importedGlobals);
        CheckGlobals(c, code);
        CheckData(c, code);
        CheckElements(c, code);
        var infos = new FunctionInfo[module.Functions.Count];
        for (var i = 0; i < module.Functions.Count; i++)
        {
            var functionIndex = (uint)(importedFunctions + i);
            c.At($"func {functionIndex}");
            infos[i] = CheckFunctionBody(c, code, module.Functions[i], functionIndex);
        }
        CheckStart(c);
        CheckExports(c);

        return new ValidatedModule(
            module,
            c.Types.ToArray(),
            c.FunctionTypeIndices.ToArray(),
            ModuleGlobals(module),
            ModuleTables(module),
            ModuleMemories(module),
            c.TagTypeIndices.ToArray(),
            module.Elements.Select(e => e.Type).ToArray(),
            infos,
            c.References);
    }

    // ---- Definitions ----------------------------------------------------------------------------------------

    /// <summary>The index spaces' sizes against <see cref="ModuleLimits"/>, before anything is built from them.</summary>
    private static void CheckCounts(ValidationContext c)
    {
        var m = c.Module;
        var l = c.Limits;
        ModuleLimits.Check("too many types", c.Definitions.Length, l.Types, nameof(ModuleLimits.Types));
        ModuleLimits.Check("too many imports", m.Imports.Count, l.Imports, nameof(ModuleLimits.Imports));
        ModuleLimits.Check("too many exports", m.Exports.Count, l.Exports, nameof(ModuleLimits.Exports));
        ModuleLimits.Check("too many functions", (long)m.ImportedFunctionCount + m.Functions.Count, l.Functions, nameof(ModuleLimits.Functions));
        ModuleLimits.Check("too many globals", (long)m.ImportedGlobalCount + m.Globals.Count, l.Globals, nameof(ModuleLimits.Globals));
        ModuleLimits.Check("too many tables", (long)m.ImportedTableCount + m.Tables.Count, l.Tables, nameof(ModuleLimits.Tables));
        ModuleLimits.Check("too many memories", (long)m.ImportedMemoryCount + m.Memories.Count, l.Memories, nameof(ModuleLimits.Memories));
        ModuleLimits.Check("too many tags", (long)m.ImportedTagCount + m.Tags.Count, l.Tags, nameof(ModuleLimits.Tags));
        ModuleLimits.Check("too many element segments", m.Elements.Count, l.ElementSegments, nameof(ModuleLimits.ElementSegments));
        ModuleLimits.Check("too many data segments", m.Data.Count, l.DataSegments, nameof(ModuleLimits.DataSegments));
    }

    /// <summary>One type definition's size against <see cref="ModuleLimits"/>.</summary>
    private static void CheckTypeSize(ValidationContext c, CompositeType body)
    {
        switch (body)
        {
            case FunctionType f:
                ModuleLimits.Check("too many parameters", f.Parameters.Count, c.Limits.Parameters, nameof(ModuleLimits.Parameters), c.Location);
                ModuleLimits.Check("too many results", f.Results.Count, c.Limits.Results, nameof(ModuleLimits.Results), c.Location);
                break;
            case StructType s:
                ModuleLimits.Check("too many struct fields", s.Fields.Count, c.Limits.StructFields, nameof(ModuleLimits.StructFields), c.Location);
                break;
        }
    }

    private static void CheckTags(ValidationContext c)
    {
        foreach (var tag in c.Module.Tags)
        {
            c.At($"tag {c.Tags.Count}");
            c.Tags.Add(CheckTagType(c, tag));
            c.TagTypeIndices.Add(tag.TypeIndex);
        }
    }

    private static void CheckFunctionTypes(ValidationContext c)
    {
        foreach (var function in c.Module.Functions)
        {
            c.At($"func {c.Functions.Count}");
            c.FunctionType(function.TypeIndex);
            c.Functions.Add(c.Type(function.TypeIndex));
            c.FunctionTypeIndices.Add(function.TypeIndex);
        }
    }

    private static void CheckMemories(ValidationContext c)
    {
        foreach (var memory in c.Module.Memories)
        {
            c.At($"memory {c.Memories.Count}");
            CheckMemoryType(c, memory);
            c.Memories.Add(memory);
        }
    }

    /// <summary>Tables; their initializers see only imported globals (spec: context <c>C'</c>).</summary>
    private static void CheckTables(ValidationContext c, CodeValidator code, int importedGlobals)
    {
        foreach (var table in c.Module.Tables)
        {
            c.At($"table {c.Tables.Count}");
            var type = CheckTableType(c, table.Type);
            c.VisibleGlobals = importedGlobals;
            // Without an initializer a table is filled with null, which its element type must allow.
            var init = table.Init ?? Expression.Of(Instruction.WithHeapType(Opcode.RefNull, table.Type.ElementType.Heap));
            code.ValidateConstant(init, type.ElementType);
            c.Tables.Add(type);
        }
    }

    /// <summary>Globals; each initializer sees the imported globals and those defined before it.</summary>
    private static void CheckGlobals(ValidationContext c, CodeValidator code)
    {
        foreach (var global in c.Module.Globals)
        {
            c.At($"global {c.Globals.Count}");
            var type = global.Type with { Type = c.Canonical(global.Type.Type) };
            c.VisibleGlobals = c.Globals.Count;
            code.ValidateConstant(global.Init, type.Type);
            c.Globals.Add(type);
        }
        c.VisibleGlobals = c.Globals.Count;
    }

    private static void CheckData(ValidationContext c, CodeValidator code)
    {
        var data = c.Module.Data;
        for (var i = 0; i < data.Count; i++)
        {
            c.At($"data {i}");
            var segment = data[i];
            if (segment.Mode == SegmentMode.Active)
            {
                var memory = c.Memory(segment.Memory);
                code.ValidateConstant(segment.Offset ?? throw c.Error("active data segment without offset"), memory.Limits.AddressValueType);
            }
            else if (segment.Mode != SegmentMode.Passive)
            {
                throw c.Error("invalid data segment mode");
            }
        }
        c.DataCount = data.Count;
    }

    private static void CheckElements(ValidationContext c, CodeValidator code)
    {
        var elements = c.Module.Elements;
        for (var i = 0; i < elements.Count; i++)
        {
            c.At($"elem {i}");
            var element = elements[i];
            var type = c.Canonical(element.Type);
            if (type.Kind != ValueKind.Ref)
            {
                throw c.Error("type mismatch: element segment requires a reference type");
            }
            foreach (var item in element.Items)
            {
                code.ValidateConstant(item, type);
            }
            if (element.Mode == SegmentMode.Active)
            {
                var table = c.Table(element.Table);
                if (!Subtyping.Matches(type, table.ElementType))
                {
                    throw c.Error($"type mismatch: element segment's type {c.Format(type)} does not match table's element type {c.Format(table.ElementType)}");
                }
                code.ValidateConstant(element.Offset ?? throw c.Error("active element segment without offset"), table.Limits.AddressValueType);
            }
            c.Elements.Add(type);
        }
    }

    private static void CheckStart(ValidationContext c)
    {
        if (c.Module.Start is not { } start)
        {
            return;
        }
        c.At("start function");
        var type = (FunctionType)c.Function(start).Body;
        if (type.Parameters.Count != 0 || type.Results.Count != 0)
        {
            throw c.Error("start function must not have parameters or results");
        }
    }

    private static void CheckExports(ValidationContext c)
    {
        var exports = c.Module.Exports;
        for (var i = 0; i < exports.Count; i++)
        {
            var export = exports[i];
            c.At($"export {i} \"{export.Name}\"");
            switch (export.Kind)
            {
                case ExternKind.Function:
                    c.Function(export.Index);
                    break;
                case ExternKind.Table:
                    c.Table(export.Index);
                    break;
                case ExternKind.Memory:
                    c.Memory(export.Index);
                    break;
                case ExternKind.Global:
                    c.Global(export.Index);
                    break;
                case ExternKind.Tag:
                    c.Tag(export.Index);
                    break;
                default:
                    throw c.Error("invalid export kind");
            }
        }
        c.At("exports");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var export in exports)
        {
            if (!names.Add(export.Name))
            {
                throw c.Error($"duplicate export name \"{export.Name}\"");
            }
        }
    }

    // ---- Types ----------------------------------------------------------------------------------------------

    private static void CheckTypes(ValidationContext c)
    {
        foreach (var group in c.Module.Types)
        {
            var first = (uint)c.Types.Count;
            var end = first + (uint)group.Types.Count;
            c.At(group.Types.Count == 1 ? $"type {first}" : $"rec group of types {first}..{end - 1}");
            // Every type index the group uses must be defined before its end.
            for (var i = 0; i < group.Types.Count; i++)
            {
                var sub = group.Types[i];
                CheckTypeSize(c, sub.Body);
                foreach (var super in sub.Supertypes)
                {
                    RequireTypeBelow(c, super, end);
                }
                ForEachHeapType(sub.Body, heap => RequireTypeBelow(c, heap.TypeIndex, end));
            }
            for (var i = 0; i < group.Types.Count; i++)
            {
                var index = first + (uint)i;
                var sub = group.Types[i];
                if (sub.Supertypes.Count > 1)
                {
                    throw c.Error($"sub type {index} has more than one super type");
                }
                foreach (var super in sub.Supertypes)
                {
                    if (super >= index)
                    {
                        throw c.Error($"forward use of type {super} in sub type definition");
                    }
                }
            }
            var canonical = TypeRegistry.Intern(group, first, index => c.Types[(int)index]);
            c.Types.AddRange(canonical.Types);
            for (var i = 0; i < group.Types.Count; i++)
            {
                var index = first + (uint)i;
                var type = canonical.Types[i];
                if (type.Supertype is not { } super)
                {
                    continue;
                }
                ModuleLimits.Check("subtype chain too deep", type.Depth, c.Limits.SubtypeDepth, nameof(ModuleLimits.SubtypeDepth), c.Location);
                var superIndex = group.Types[i].Supertypes[0];
                if (super.Final)
                {
                    throw c.Error($"sub type {index} has final super type {superIndex}");
                }
                if (!Subtyping.Matches(type.Body, super.Body))
                {
                    throw c.Error($"sub type {index} does not match super type {superIndex}");
                }
            }
        }
    }

    private static void RequireTypeBelow(ValidationContext c, uint index, uint end)
    {
        if (index >= end)
        {
            throw c.Error($"unknown type {index}");
        }
    }

    private static void ForEachHeapType(CompositeType body, Action<HeapType> action)
    {
        void Value(ValType t)
        {
            if (t.Kind == ValueKind.Ref && t.Heap.IsConcrete)
            {
                action(t.Heap);
            }
        }
        switch (body)
        {
            case FunctionType f:
                foreach (var t in f.Parameters)
                {
                    Value(t);
                }
                foreach (var t in f.Results)
                {
                    Value(t);
                }
                break;
            case StructType s:
                foreach (var field in s.Fields)
                {
                    Value(field.Storage.Type);
                }
                break;
            case ArrayType a:
                Value(a.Element.Storage.Type);
                break;
            default:
                break;
        }
    }

    private static DefinedType CheckTagType(ValidationContext c, TagType tag)
    {
        var type = c.FunctionType(tag.TypeIndex);
        if (type.Results.Count != 0)
        {
            throw c.Error("non-empty tag result type");
        }
        return c.Type(tag.TypeIndex);
    }

    private static void CheckLimits(ValidationContext c, Limits limits, ulong range, string message)
    {
        if (limits.Min > range)
        {
            throw c.Error(message);
        }
        if (limits.Max is { } max)
        {
            if (max > range)
            {
                throw c.Error(message);
            }
            if (limits.Min > max)
            {
                throw c.Error("size minimum must not be greater than maximum");
            }
        }
    }

    private static void CheckMemoryType(ValidationContext c, MemoryType memory)
    {
        // threads: a shared memory is allocated at its maximum up front (it never moves under another thread).
        if (memory.Limits.Shared && memory.Limits.Max is null)
        {
            throw c.Error("shared memory must have maximum");
        }
        // custom-page-sizes allows a page of 1 byte or the default 64 KiB; the limits count pages of that size.
        if (memory.PageSizeLog2 is not (0 or MemoryType.DefaultPageSizeLog2))
        {
            throw c.Error("invalid custom page size");
        }
        var message = (memory.Limits.AddressType, memory.PageSizeLog2) switch
        {
            (AddressType.I32, MemoryType.DefaultPageSizeLog2) => "memory size must be at most 65536 pages (4GiB)",
            (AddressType.I64, MemoryType.DefaultPageSizeLog2) => "memory size must be at most 2^48 pages (256TiB)",
            (AddressType.I32, _) => "memory size must be at most 2^32-1 bytes (4GiB)",
            _ => "memory size must be at most 2^64-1 bytes",
        };
        CheckLimits(c, memory.Limits, memory.MaxPagesOfAddressSpace, message);
    }

    /// <summary>Checks a table type and returns it with its element type in canonical form.</summary>
    private static TableType CheckTableType(ValidationContext c, TableType table)
    {
        var element = c.Canonical(table.ElementType);
        if (element.Kind != ValueKind.Ref)
        {
            throw c.Error("type mismatch: table requires a reference type");
        }
        if (table.Limits.AddressType == AddressType.I32)
        {
            CheckLimits(c, table.Limits, MaxTableSize32, "table size must be at most 2^32-1");
        }
        else
        {
            CheckLimits(c, table.Limits, ulong.MaxValue, "table size must be at most 2^64-1");
        }
        return table with { ElementType = element };
    }

    // ---- Imports and references -----------------------------------------------------------------------------

    private static void CheckImports(ValidationContext c)
    {
        for (var i = 0; i < c.Module.Imports.Count; i++)
        {
            var import = c.Module.Imports[i];
            c.At($"import {i} \"{import.Module}\" \"{import.Name}\"");
            switch (import.Type)
            {
                case FunctionTypeUse use:
                    c.FunctionType(use.TypeIndex);
                    c.Functions.Add(c.Type(use.TypeIndex));
                    c.FunctionTypeIndices.Add(use.TypeIndex);
                    break;
                case TableType table:
                    c.Tables.Add(CheckTableType(c, table));
                    break;
                case MemoryType memory:
                    CheckMemoryType(c, memory);
                    c.Memories.Add(memory);
                    break;
                case GlobalType global:
                    c.Globals.Add(global with { Type = c.Canonical(global.Type) });
                    break;
                case TagType tag:
                    c.Tags.Add(CheckTagType(c, tag));
                    c.TagTypeIndices.Add(tag.TypeIndex);
                    break;
                default:
                    throw c.Error("invalid import kind");
            }
        }
        c.VisibleGlobals = c.Globals.Count;
    }

    /// <summary>
    /// The functions that <c>ref.func</c> may name in function bodies (spec: <c>$funcidx_nonfuncs</c>): those
    /// referenced in globals, tables, element segments and exports.
    /// </summary>
    private static void CollectReferences(ValidationContext c)
    {
        var module = c.Module;
        void Scan(Expression? expression)
        {
            if (expression is null)
            {
                return;
            }
            foreach (var instruction in expression.Instructions)
            {
                if (instruction.Opcode == Opcode.RefFunc)
                {
                    c.References.Add(instruction.Index);
                }
            }
        }
        foreach (var global in module.Globals)
        {
            Scan(global.Init);
        }
        foreach (var table in module.Tables)
        {
            Scan(table.Init);
        }
        foreach (var element in module.Elements)
        {
            Scan(element.Offset);
            foreach (var item in element.Items)
            {
                Scan(item);
            }
        }
        foreach (var export in module.Exports)
        {
            if (export.Kind == ExternKind.Function)
            {
                c.References.Add(export.Index);
            }
        }
    }

    // ---- Function bodies ------------------------------------------------------------------------------------

    private static FunctionInfo CheckFunctionBody(ValidationContext c, CodeValidator code, Function function, uint functionIndex)
    {
        var type = c.FunctionType(function.TypeIndex);
        var count = (ulong)type.Parameters.Count + function.LocalCount;
        ModuleLimits.Check("too many locals", (long)Math.Min(count, long.MaxValue), c.Limits.Locals, nameof(ModuleLimits.Locals), c.Location);
        var canonicalLocals = new ValType[count];
        var moduleLocals = new ValType[count];
        var n = 0;
        var definitions = c.Definitions[(int)function.TypeIndex].Body as FunctionType ?? type;
        foreach (var parameter in type.Parameters)
        {
            canonicalLocals[n] = parameter;
            moduleLocals[n] = definitions.Parameters[n];
            n++;
        }
        foreach (var group in function.Locals)
        {
            var canonical = c.Canonical(group.Type);
            for (var i = 0UL; i < group.Count; i++)
            {
                canonicalLocals[n] = canonical;
                moduleLocals[n] = group.Type;
                n++;
            }
        }
        var results = type.Results as ValType[] ?? [.. type.Results];
        var result = code.ValidateFunction(function.Body.Instructions, canonicalLocals, type.Parameters.Count, results);
        return new FunctionInfo(functionIndex, function.TypeIndex, definitions, moduleLocals, result.MaxStackHeight, result.BlockEnds, result.StackBefore, result.Elses, result.SelectTypes, result.Catches);
    }

    // ---- The index spaces as the module states them ---------------------------------------------------------

    private static GlobalType[] ModuleGlobals(Module module) =>
        [.. module.Imports.Select(i => i.Type).OfType<GlobalType>(), .. module.Globals.Select(g => g.Type)];

    private static TableType[] ModuleTables(Module module) =>
        [.. module.Imports.Select(i => i.Type).OfType<TableType>(), .. module.Tables.Select(t => t.Type)];

    private static MemoryType[] ModuleMemories(Module module) =>
        [.. module.Imports.Select(i => i.Type).OfType<MemoryType>(), .. module.Memories];
}
