using WasmHarness.Syntax;
using WasmHarness.Validation;

namespace WasmHarness.Execution;

/// <summary>
/// Module instantiation in the order of the spec (exec/modules): check the imports, allocate functions,
/// globals (in order, each initializer seeing the earlier ones), tables, memories, tags, exports and
/// segments; then run active element segments, then active data segments (each dropped after use), then
/// the start function.
/// </summary>
public static class Instantiator
{
    /// <summary>Instantiates a validated module with the given external values for its imports, in import order.</summary>
    public static ModuleInstance Instantiate(Store store, ValidatedModule validated, IReadOnlyList<ExternalValue> imports) =>
        Instantiate(store, validated, imports, null);

    /// <summary>
    /// As <see cref="Instantiate(Store, ValidatedModule, IReadOnlyList{ExternalValue})"/>; <paramref name="onCreated"/>
    /// is told the instance as soon as it exists, before any of its code (segments, start function) runs, so host
    /// functions bound to it (<see cref="Caller"/>) can reach it from the start function.
    /// </summary>
    internal static ModuleInstance Instantiate(Store store, ValidatedModule validated, IReadOnlyList<ExternalValue> imports, Action<ModuleInstance>? onCreated)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(validated);
        var module = validated.Module;
        if (imports.Count != module.Imports.Count)
        {
            throw new LinkException(LinkException.UnknownImport, $"{module.Imports.Count} imports expected, {imports.Count} given");
        }
        var options = store.Engine.Options;
        var instance = new ModuleInstance(store, validated);
        onCreated?.Invoke(instance);

        var functions = new List<FunctionInstance>();
        var tables = new List<TableInstance>();
        var memories = new List<MemoryInstance>();
        var globals = new List<GlobalInstance>();
        var tags = new List<TagInstance>();

        // 1. Imports: kind and type must match (canonical types, with subtyping).
        var indexInKind = new uint[5];
        for (var i = 0; i < imports.Count; i++)
        {
            var import = module.Imports[i];
            var value = imports[i];
            var kind = import.Type.Kind;
            var expected = validated.CanonicalExternType(kind, indexInKind[(int)kind]++);
            if (value.Kind != kind || !ImportMatches(expected, value))
            {
                throw new LinkException(LinkException.IncompatibleImportType, $"{import.Module}.{import.Name}");
            }
            if (!value.TryBindTo(store))
            {
                throw new LinkException(LinkException.CrossStoreImport, $"{import.Module}.{import.Name} belongs to another store");
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
            functions.Add(new WasmFunction(type, validated.Types[(int)code.TypeIndex], instance, code, (uint)(importedFunctions + i)));
        }
        instance.Functions = [.. functions];

        // 3. Globals, in order: each initializer sees imported globals and the globals before it.
        instance.Globals = [.. globals];
        foreach (var global in module.Globals)
        {
            var type = global.Type with { Type = validated.ToCanonical(global.Type.Type) };
            globals.Add(new GlobalInstance(type, ConstantEvaluator.Evaluate(global.Init, instance)));
            instance.Globals = [.. globals];
        }

        // 4. Tables, memories, tags.
        foreach (var table in module.Tables)
        {
            var initial = table.Init is null ? null : ConstantEvaluator.Evaluate(table.Init, instance).Reference;
            var type = table.Type with { ElementType = validated.ToCanonical(table.Type.ElementType) };
            tables.Add(new TableInstance(type, initial, options.MaxTableElements));
        }
        instance.Tables = [.. tables];
        foreach (var memory in module.Memories)
        {
            var memoryInstance = new MemoryInstance(memory, options.MaxMemoryBytes, options.ReserveMemoryAddressSpace);
            store.Track(memoryInstance);
            memories.Add(memoryInstance);
        }
        instance.Memories = [.. memories];
        foreach (var tag in module.Tags)
        {
            tags.Add(new TagInstance(validated.Types[(int)tag.TypeIndex]));
        }
        instance.Tags = [.. tags];
        foreach (var created in tables.Concat<ExternalValue>(memories).Concat(globals).Concat(tags))
        {
            created.TryBindTo(store); // the module's own objects (imports are bound already)
        }

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
        instance.Elements = [.. module.Elements.Select(segment => new ElementInstance(validated.ToCanonical(segment.Type),
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

    private static bool ImportMatches(object expected, ExternalValue actual) => (expected, actual) switch
    {
        (DefinedType type, FunctionInstance function) => CanonicalTypes.Matches(function.DefinedType, type),
        (TableType type, TableInstance table) => Subtyping.Matches(table.Type, type),
        (MemoryType type, MemoryInstance memory) => Subtyping.Matches(memory.Type, type),
        (GlobalType type, GlobalInstance global) => Subtyping.Matches(global.Type, type),
        (DefinedType type, TagInstance tag) => ReferenceEquals(tag.DefinedType, type),
        _ => false,
    };
}
