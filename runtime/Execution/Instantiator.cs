using WasmHarness.Syntax;
using ValueType = WasmHarness.Syntax.ValueType;

namespace WasmHarness.Execution;

/// <summary>
/// Module instantiation in the order of the spec (exec/modules): check the imports, allocate functions,
/// globals (in order, each initializer seeing the earlier ones), tables, memories, tags, exports and
/// segments; then run active element segments, then active data segments (each dropped after use), then
/// the start function.
/// </summary>
public static class Instantiator
{
    /// <summary>Instantiates <paramref name="module"/> with the given external values for its imports, in import order.</summary>
    public static ModuleInstance Instantiate(Store store, Module module, IReadOnlyList<ExternalValue> imports)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(module);
        if (imports.Count != module.Imports.Count)
        {
            throw new LinkException(LinkException.UnknownImport, $"{module.Imports.Count} imports expected, {imports.Count} given");
        }
        var options = store.Engine.Options;
        var instance = new ModuleInstance(store, module);

        var functions = new List<FunctionInstance>();
        var tables = new List<TableInstance>();
        var memories = new List<MemoryInstance>();
        var globals = new List<GlobalInstance>();
        var tags = new List<TagInstance>();

        // 1. Imports: kind and type must match.
        for (var i = 0; i < imports.Count; i++)
        {
            var import = module.Imports[i];
            var value = imports[i];
            if (value.Kind != import.Type.Kind || !ImportMatches(instance, import.Type, value))
            {
                throw new LinkException(LinkException.IncompatibleImportType, $"{import.Module}.{import.Name}");
            }
            switch (value)
            {
                case FunctionInstance f: functions.Add(f); break;
                case TableInstance t: tables.Add(t); break;
                case MemoryInstance m: memories.Add(m); break;
                case GlobalInstance g: globals.Add(g); break;
                case TagInstance tag: tags.Add(tag); break;
            }
        }

        // 2. Functions (closures over the instance), so that ref.func in initializers can name them.
        var importedFunctions = functions.Count;
        for (var i = 0; i < module.Functions.Count; i++)
        {
            var code = module.Functions[i];
            var type = instance.Types[code.TypeIndex] ?? throw new InvalidOperationException($"type {code.TypeIndex} is not a function type");
            functions.Add(new WasmFunction(type, instance, code, (uint)(importedFunctions + i)));
        }
        instance.Functions = [.. functions];

        // 3. Globals, in order: each initializer sees imported globals and the globals before it.
        instance.Globals = [.. globals];
        foreach (var global in module.Globals)
        {
            globals.Add(new GlobalInstance(global.Type, ConstantEvaluator.Evaluate(global.Init, instance)));
            instance.Globals = [.. globals];
        }

        // 4. Tables, memories, tags.
        foreach (var table in module.Tables)
        {
            var initial = table.Init is null ? null : ConstantEvaluator.Evaluate(table.Init, instance).Reference;
            tables.Add(new TableInstance(table.Type, initial, options.MaxTableElements));
        }
        instance.Tables = [.. tables];
        foreach (var memory in module.Memories)
        {
            memories.Add(new MemoryInstance(memory, options.MaxMemoryBytes));
        }
        instance.Memories = [.. memories];
        foreach (var tag in module.Tags)
        {
            tags.Add(new TagInstance(instance.Types[tag.TypeIndex] ?? FunctionType.Empty));
        }
        instance.Tags = [.. tags];

        // 5. Exports.
        foreach (var export in module.Exports)
        {
            instance.AddExport(export.Name, export.Kind switch
            {
                ExternKind.Function => instance.Functions[export.Index],
                ExternKind.Table => instance.Tables[export.Index],
                ExternKind.Memory => instance.Memories[export.Index],
                ExternKind.Global => instance.Globals[export.Index],
                _ => instance.Tags[export.Index],
            });
        }

        // 6. Segment instances.
        instance.Elements = [.. module.Elements.Select(segment => new ElementInstance(segment.Type,
            [.. segment.Items.Select(item => ConstantEvaluator.Evaluate(item, instance).Reference)]))];
        instance.Data = [.. module.Data.Select(segment => new DataInstance(segment.Bytes))];

        // 7. Active element segments (table.init; elem.drop), declarative ones dropped.
        for (var i = 0; i < module.Elements.Count; i++)
        {
            var segment = module.Elements[i];
            if (segment.Mode == SegmentMode.Active)
            {
                var table = instance.Tables[segment.Table];
                var offset = Address(ConstantEvaluator.Evaluate(segment.Offset!, instance), table.Is64);
                var element = instance.Elements[i];
                table.Init(offset, element, 0, (ulong)element.Items.Length);
                element.Drop();
            }
            else if (segment.Mode == SegmentMode.Declarative)
            {
                instance.Elements[i].Drop();
            }
        }

        // 8. Active data segments (memory.init; data.drop).
        for (var i = 0; i < module.Data.Count; i++)
        {
            var segment = module.Data[i];
            if (segment.Mode == SegmentMode.Active)
            {
                var memory = instance.Memories[segment.Memory];
                var offset = Address(ConstantEvaluator.Evaluate(segment.Offset!, instance), memory.Is64);
                memory.WriteBytes(offset, segment.Bytes.Span);
                instance.Data[i].Drop();
            }
        }

        // 9. Start.
        if (module.Start is uint start)
        {
            store.Invoke(instance.Functions[start]);
        }
        return instance;
    }

    private static ulong Address(Value value, bool is64) => is64 ? value.Low : (uint)value.Low;

    private static bool ImportMatches(ModuleInstance instance, ExternType expected, ExternalValue actual) => (expected, actual) switch
    {
        (FunctionTypeUse use, FunctionInstance function) =>
            instance.Types[use.TypeIndex] is { } type && FunctionTypes.Matches(function.Type, type),
        (TableType type, TableInstance table) =>
            table.Type.ElementType == type.ElementType && LimitsMatch(table.Type.Limits, type.Limits),
        (MemoryType type, MemoryInstance memory) => LimitsMatch(memory.Type.Limits, type.Limits),
        (GlobalType type, GlobalInstance global) =>
            global.Type.Mutable == type.Mutable && (global.Type.Type == type.Type || (!type.Mutable && IsSubtype(global.Type.Type, type.Type))),
        (TagType type, TagInstance tag) =>
            instance.Types[type.TypeIndex] is { } tagType && FunctionTypes.Matches(tag.Type, tagType),
        _ => false,
    };

    /// <summary>Limits matching (spec: <c>match_limits</c>), also requiring the same address type and sharing.</summary>
    private static bool LimitsMatch(Limits actual, Limits expected) =>
        actual.AddressType == expected.AddressType && actual.Shared == expected.Shared && actual.Min >= expected.Min &&
        (expected.Max is not ulong max || (actual.Max is ulong actualMax && actualMax <= max));

    /// <summary>Subtyping between abstract reference types (enough for imported immutable globals); concrete types compare by equality for now.</summary>
    private static bool IsSubtype(ValueType actual, ValueType expected)
    {
        if (actual == expected)
        {
            return true;
        }
        if (!actual.IsReference || !expected.IsReference || (actual.Nullable && !expected.Nullable))
        {
            return false;
        }
        if (actual.Heap == expected.Heap)
        {
            return true;
        }
        if (actual.Heap.IsConcrete || expected.Heap.IsConcrete)
        {
            return false;
        }
        return (actual.Heap.Kind, expected.Heap.Kind) switch
        {
            (AbstractHeapType.NoFunc, AbstractHeapType.Func) => true,
            (AbstractHeapType.NoExtern, AbstractHeapType.Extern) => true,
            (AbstractHeapType.NoExn, AbstractHeapType.Exn) => true,
            (AbstractHeapType.None, AbstractHeapType.Any or AbstractHeapType.Eq or AbstractHeapType.I31 or AbstractHeapType.Struct or AbstractHeapType.Array) => true,
            (AbstractHeapType.I31 or AbstractHeapType.Struct or AbstractHeapType.Array, AbstractHeapType.Eq or AbstractHeapType.Any) => true,
            (AbstractHeapType.Eq, AbstractHeapType.Any) => true,
            _ => false,
        };
    }
}
