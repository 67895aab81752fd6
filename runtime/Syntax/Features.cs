namespace WasmHarness.Syntax;

/// <summary>
/// The proposals that Wasm 3.0 added on top of Wasm 2.0 (and the legacy exception instructions), as a module
/// can use them. Wasm 2.0 itself (MVP, sign extension, saturating conversions, multi-value, reference types,
/// bulk memory, SIMD) is the empty set.
/// </summary>
[Flags]
public enum Wasm3Features
{
    None = 0,
    Memory64 = 1 << 0,
    MultiMemory = 1 << 1,
    TailCall = 1 << 2,
    Exceptions = 1 << 3,
    LegacyExceptions = 1 << 4,
    FunctionReferences = 1 << 5,
    GarbageCollection = 1 << 6,
    ExtendedConst = 1 << 7,
    RelaxedSimd = 1 << 8,

    // Beyond Wasm 3.0: the standardized-track proposals wasmtime ships.
    Threads = 1 << 9,
    WideArithmetic = 1 << 10,
    CustomPageSizes = 1 << 11,
}

/// <summary>Finds which <see cref="Wasm3Features"/> a module uses, by looking at its types, sections and instructions.</summary>
public static partial class FeatureDetector
{
    public static Wasm3Features Of(Module module)
    {
        var features = Wasm3Features.None;

        foreach (var group in module.Types)
        {
            if (group.Types.Count > 1)
            {
                features |= Wasm3Features.GarbageCollection;
            }
            foreach (var type in group.Types)
            {
                if (!type.Final || type.Supertypes.Count > 0 || type.Body is not FunctionType)
                {
                    features |= Wasm3Features.GarbageCollection;
                }
                switch (type.Body)
                {
                    case FunctionType function:
                        features |= OfTypes(function.Parameters) | OfTypes(function.Results);
                        break;
                    case StructType structure:
                        features |= OfTypes(structure.Fields.Select(f => f.Storage.Type));
                        break;
                    case ArrayType array:
                        features |= OfType(array.Element.Storage.Type);
                        break;
                }
            }
        }

        var memories = module.Memories.Select(m => m.Limits).Concat(module.ImportsOf(ExternKind.Memory).Select(i => ((MemoryType)i.Type).Limits)).ToList();
        var tables = module.Tables.Select(t => t.Type).Concat(module.ImportsOf(ExternKind.Table).Select(i => (TableType)i.Type)).ToList();
        var globals = module.Globals.Select(g => g.Type).Concat(module.ImportsOf(ExternKind.Global).Select(i => (GlobalType)i.Type));
        if (memories.Count > 1)
        {
            features |= Wasm3Features.MultiMemory;
        }
        if (memories.Any(l => l.Shared))
        {
            features |= Wasm3Features.Threads;
        }
        if (memories.Any(l => l.AddressType == AddressType.I64) || tables.Any(t => t.Limits.AddressType == AddressType.I64))
        {
            features |= Wasm3Features.Memory64;
        }
        if (module.Memories.Concat(module.ImportsOf(ExternKind.Memory).Select(i => (MemoryType)i.Type)).Any(m => m.HasCustomPageSize))
        {
            features |= Wasm3Features.CustomPageSizes;
        }
        features |= OfTypes(tables.Select(t => t.ElementType)) | OfTypes(globals.Select(g => g.Type));
        if (module.Tags.Count > 0 || module.ImportsOf(ExternKind.Tag).Any())
        {
            features |= Wasm3Features.Exceptions;
        }
        if (module.Tables.Any(t => t.Init is not null))
        {
            features |= Wasm3Features.FunctionReferences;
        }

        var constants = module.Globals.Select(g => g.Init)
            .Concat(module.Tables.Select(t => t.Init))
            .Concat(module.Elements.SelectMany(e => e.Items.Append(e.Offset)))
            .Concat(module.Data.Select(d => d.Offset))
            .OfType<Expression>();
        foreach (var constant in constants)
        {
            if (constant.Instructions.Any(i => i.Opcode is Opcode.I32Add or Opcode.I32Sub or Opcode.I32Mul or Opcode.I64Add or Opcode.I64Sub or Opcode.I64Mul))
            {
                features |= Wasm3Features.ExtendedConst;
            }
            features |= OfInstructions(constant.Instructions);
        }
        features |= OfTypes(module.Elements.Select(e => e.Type));

        foreach (var function in module.Functions)
        {
            features |= OfTypes(function.Locals.Select(l => l.Type)) | OfInstructions(function.Body.Instructions);
        }
        return features;
    }

    private static Wasm3Features OfInstructions(IEnumerable<Instruction> instructions)
    {
        var features = Wasm3Features.None;
        foreach (var instruction in instructions)
        {
            var info = instruction.Info;
            features |= OfOpcode(instruction.Opcode);
            features |= info.Immediates switch
            {
                ImmediateKind.MemArg or ImmediateKind.MemArgAndLane when instruction.MemArg.Memory != 0 => Wasm3Features.MultiMemory,
                ImmediateKind.Memory when instruction.Index != 0 => Wasm3Features.MultiMemory,
                ImmediateKind.MemoryAndMemory when instruction.Index != 0 || instruction.SecondIndex != 0 => Wasm3Features.MultiMemory,
                ImmediateKind.DataAndMemory when instruction.SecondIndex != 0 => Wasm3Features.MultiMemory,
                ImmediateKind.HeapType => OfHeap(instruction.HeapType, nullable: true),
                ImmediateKind.SelectTypes => OfTypes(instruction.SelectTypes),
                ImmediateKind.BlockType or ImmediateKind.TryTable when instruction.BlockType.IsValue => OfType(instruction.BlockType.Result),
                _ => Wasm3Features.None,
            };
        }
        return features;
    }

    private static Wasm3Features OfTypes(IEnumerable<ValType> types) =>
        types.Aggregate(Wasm3Features.None, (features, type) => features | OfType(type));

    private static Wasm3Features OfType(ValType type) =>
        type.IsReference ? OfHeap(type.Heap, type.Nullable) : Wasm3Features.None;

    private static Wasm3Features OfHeap(HeapType heap, bool nullable)
    {
        var features = nullable ? Wasm3Features.None : Wasm3Features.FunctionReferences;
        if (heap.IsConcrete)
        {
            return features | Wasm3Features.FunctionReferences;
        }
        return features | heap.Kind switch
        {
            AbstractHeapType.Func or AbstractHeapType.Extern => Wasm3Features.None,
            AbstractHeapType.Exn or AbstractHeapType.NoExn => Wasm3Features.Exceptions,
            _ => Wasm3Features.GarbageCollection,
        };
    }
}
