using WasmHarness.Syntax;

namespace WasmHarness.Generator;

/// <summary>
/// Generates a valid module from a byte string of decisions (<see cref="Unstructured"/>), valid by construction:
/// it tracks the operand and control stacks, offers only instructions whose operands are on the stack, and closes
/// every open block (coercing the stack to the block's results) when the input or the instruction budget runs out.
/// </summary>
/// <remarks>
/// Termination by construction: the first defined global is fuel (<see cref="FuelGlobalOf"/>). Every function entry and
/// every loop header checks it and spends one unit; at zero it returns fixed values at once (so every frame unwinds),
/// identically on every engine. The export <see cref="ResetFuelExport"/> refills it; the oracle calls it before each
/// call. Everything is exported: functions <c>f0..</c>, globals <c>g1..</c> (numbered among the defined globals, the
/// sink first), the memory <see cref="MemoryExport"/>, the table <see cref="TableExport"/> (and with GC a table of GC
/// references, <see cref="GcTableExport"/>). Exported signatures use
/// numbers, v128, nullable funcref/externref and, with GC, two nullable GC reference types (every engine passes them,
/// wasmtime through its C API). With the 3.0 features: tags
/// (exceptions), a second memory <see cref="SecondMemoryExport"/>, 64-bit addresses. With
/// <see cref="GeneratorConfig.Imports"/>: a second generated module (the provider, <see cref="ProviderModules"/>)
/// whose functions, globals (mutable ones included), memory and table the module imports.
/// </remarks>
public static class ModuleGenerator
{
    public const string ResetFuelExport = "__reset_fuel";
    public const string MemoryExport = "mem";
    /// <summary>The second memory's export (<see cref="GeneratorConfig.MultiMemory"/>).</summary>
    public const string SecondMemoryExport = "mem1";
    public const string TableExport = "table";

    /// <summary>The export name of the table of GC references (<see cref="ModuleBuilder.GcTable"/>).</summary>
    public const string GcTableExport = "gctable";

    /// <summary>The fuel global's index in <paramref name="module"/>: the first defined global, after the imported ones.</summary>
    public static uint FuelGlobalOf(Module module) => (uint)module.ImportedGlobalCount;

    public static Module Generate(ReadOnlyMemory<byte> bytes) => Generate(new Unstructured(bytes));

    /// <summary>A module from <paramref name="u"/>, with a swarm configuration drawn from the same bytes.</summary>
    public static Module Generate(Unstructured u, GeneratorProfile profile = GeneratorProfile.Wasm2) => Generate(u, GeneratorConfig.Swarm(u, profile));

    public static Module Generate(Unstructured u, GeneratorConfig config) => new ModuleBuilder(u, config).Build();

    internal sealed class ModuleBuilder(Unstructured u, GeneratorConfig config)
    {
        public readonly Unstructured U = u;
        public readonly GeneratorConfig Config = config;
        public readonly List<FunctionType> Types = [];
        public readonly List<uint> FunctionTypes = [];
        public readonly List<(ValType Type, bool Mutable)> Globals = [];
        public bool HasMemory;
        public bool HasTable;
        /// <summary>
        /// With GC and tables: the index of a table whose elements are one of the module's GC reference types
        /// (<see cref="GcTableType"/>), exported as <see cref="GcTableExport"/>, so <c>table.get/set/grow/fill/size</c>
        /// run on GC references too and the oracle compares its elements after every call; -1 without one.
        /// </summary>
        public int GcTable = -1;
        public ValType GcTableType;

        /// <summary>With GC: the two GC reference types drawn for this module's value types.</summary>
        public ValType[] GcInterface = [];
        public bool HasPassiveData;
        public ulong MemoryMinPages;
        /// <summary>Memory 0's page size, log2: 16 (64 KiB), or 0 (1 byte, <see cref="GeneratorConfig.CustomPageSizes"/>).</summary>
        public int MemoryPageSizeLog2 = MemoryType.DefaultPageSizeLog2;
        /// <summary>Memory 0 is shared (<see cref="GeneratorConfig.Threads"/>).</summary>
        public bool MemoryShared;
        /// <summary>Per memory: true when it has 64-bit addresses (memory64).</summary>
        public readonly List<bool> MemoryIs64 = [];
        /// <summary>The parameter types of each tag (exceptions).</summary>
        public readonly List<FunctionType> Tags = [];
        public List<OpcodeEntry> Allowed = [];
        public List<ValType> ValueTypes = [];

        /// <summary>Imported functions and globals come first in their index spaces (<see cref="FunctionTypes"/>, <see cref="Globals"/>).</summary>
        public int ImportedFunctions;
        public int ImportedGlobals;

        /// <summary>The fuel global: the first defined one.</summary>
        public uint FuelGlobal => (uint)ImportedGlobals;

        /// <summary>
        /// The sink: an exported mutable i64 (<c>g1</c>) into which every value the generated code discards is folded
        /// (rotate and xor), so that a wrong result the code would otherwise drop still reaches state the oracle compares.
        /// </summary>
        public uint SinkGlobal => FuelGlobal + 1;

        public uint TypeIndex(FunctionType type)
        {
            var index = Types.IndexOf(type);
            if (index < 0)
            {
                Types.Add(type);
                index = Types.Count - 1;
            }
            return (uint)(index + GcTypes.Count);
        }

        /// <summary>The function type at type index <paramref name="typeIndex"/> (after the GC types).</summary>
        public FunctionType TypeAt(uint typeIndex) => Types[(int)typeIndex - GcTypes.Count];

        public FunctionType FunctionType(int function) => TypeAt(FunctionTypes[function]);

        /// <summary>
        /// With <see cref="GeneratorConfig.Gc"/>, the GC types, first in the type index space: a non-final struct
        /// <see cref="Struct"/> (mut i32, mut i64), its final subtype <see cref="SubStruct"/> (adds an immutable i32) and
        /// an array <see cref="Array"/> of mut i32 or i16. Two nullable reference types of the <c>any</c> hierarchy
        /// (of anyref, eqref, i31ref and references to <see cref="Struct"/> and <see cref="Array"/>) join
        /// <see cref="ValueTypes"/>, so GC objects reach signatures, locals, globals and tags, and the interface.
        /// </summary>
        public readonly List<SubType> GcTypes = [];
        public const uint Struct = 0;
        public const uint SubStruct = 1;
        public const uint Array = 2;

        public Module Build()
        {
            var module = new Module();
            ValueTypes = [ValType.I32, ValType.I64];
            if (Config.Floats)
            {
                ValueTypes.AddRange([ValType.F32, ValType.F64]);
            }
            if (Config.Simd)
            {
                ValueTypes.Add(ValType.V128);
            }
            if (Config.ReferenceTypes)
            {
                ValueTypes.AddRange([ValType.FuncRef, ValType.ExternRef]);
            }
            Allowed = [.. OpcodeCatalog.Fixed.Where(IsAllowed)];
            if (Config.WideArithmetic)
            {
                // Appended, and not subject to the swarm's opcode subset (drawn from the Wasm 3.0 opcodes only).
                Allowed.AddRange(OpcodeCatalog.WideArithmetic.Where(Fits));
            }
            if (Config.Gc)
            {
                FieldType Mutable(ValType type) => new(new StorageType(type), Mutable: true);
                GcTypes.Add(new SubType(new StructType([Mutable(ValType.I32), Mutable(ValType.I64)]), final: false));
                // The subtype's own field is packed (i8) and so is, in half the modules, the array's element (i16):
                // they are read with get_s and get_u, whose sign extension is a fault of its own (FaultCatalog).
                GcTypes.Add(new SubType(new StructType([Mutable(ValType.I32), Mutable(ValType.I64), new FieldType(StorageType.I8, Mutable: false)]), [Struct]));
                GcTypes.Add(new SubType(new ArrayType(U.Bool() ? new FieldType(StorageType.I16, Mutable: true) : Mutable(ValType.I32))));
                // Two GC reference types join the value types of signatures, locals, globals, tags and blocks, so GC
                // objects cross every engine's interface (wasmtime's C API too) and flow through locals and globals.
                // Two, not all five, so that numbers stay most of what a case computes.
                List<ValType> gcInterface =
                [
                    ValType.Ref(HeapType.Any, nullable: true), ValType.Ref(HeapType.Eq, nullable: true), ValType.Ref(HeapType.I31, nullable: true),
                    ValType.Ref(HeapType.Concrete(Struct), nullable: true), ValType.Ref(HeapType.Concrete(Array), nullable: true),
                ];
                var first = U.Choose(gcInterface);
                gcInterface.Remove(first);
                GcInterface = [first, U.Choose(gcInterface)];
                ValueTypes.AddRange(GcInterface);
            }

            var provider = Config.Imports ? new ModuleBuilder(U, Config with { Imports = false, HostFunctions = false, Gc = false, Threads = false, MaxFunctions = Math.Min(Config.MaxFunctions, 3) }).Build() : null;
            if (Config.HostFunctions)
            {
                foreach (var function in HostModule.Functions)
                {
                    ImportFunction(module, HostModule.Name, function.Name, function.Type);
                }
            }
            var importedMemory = provider is not null && ImportFrom(provider, module);

            // Globals (after the imported ones): fuel first, the sink, then a few of any type.
            Globals.Add((ValType.I32, true));
            Globals.Add((ValType.I64, true));
            var globalCount = U.Int(Config.MaxGlobals + 1);
            for (var i = 0; i < globalCount; i++)
            {
                Globals.Add((U.Choose(ValueTypes), U.Bool()));
            }

            HasMemory = Config.Memory;
            if (HasMemory)
            {
                if (!importedMemory)
                {
                    MemoryMinPages = (ulong)U.Range(1, 2);
                    var addressType = Config.Memory64 ? AddressType.I64 : AddressType.I32;
                    var maxPages = MemoryMinPages + (ulong)U.Int(3);
                    if (Config.CustomPageSizes && U.Bool())
                    {
                        // Pages of one byte: at least 1104, so that a masked address (below 1 KiB) plus an offset (up
                        // to 32) plus an access (up to 16 bytes) stays in bounds; a maximum a little above, so that
                        // memory.grow (by 0 to 3 pages) reaches it.
                        MemoryPageSizeLog2 = 0;
                        MemoryMinPages = (ulong)U.Range(1104, 70000);
                        maxPages = MemoryMinPages + (ulong)U.Int(8);
                    }
                    MemoryShared = Config.Threads && U.Bool(); // a shared memory needs a maximum, which it has
                    module.Memories.Add(new MemoryType(new Limits(MemoryMinPages, maxPages, addressType, MemoryShared), MemoryPageSizeLog2));
                }
                MemoryIs64.Add(Config.Memory64);
                module.Exports.Add(new Export(MemoryExport, ExternKind.Memory, 0));
                if (Config.MultiMemory)
                {
                    // Smaller, so that its bounds are met more often; 64-bit only where memory64 is on.
                    var is64 = Config.Memory64 && U.Bool();
                    module.Memories.Add(new MemoryType(new Limits(1, 1 + (ulong)U.Int(2), is64 ? AddressType.I64 : AddressType.I32)));
                    MemoryIs64.Add(is64);
                    module.Exports.Add(new Export(SecondMemoryExport, ExternKind.Memory, 1));
                }
            }
            if (Config.Exceptions)
            {
                // Defined tags follow the imported ones (ImportFrom) in the tag index space, as in Tags. Each is
                // exported, so a provider's tags can be imported: an exception thrown in the provider is then caught
                // by its tag in the case, which needs tag identity across instances to be right.
                var tags = U.Range(1, 2);
                for (var i = 0; i < tags; i++)
                {
                    var tag = new FunctionType(RandomTypes(2, forInterface: true), []);
                    module.Exports.Add(new Export($"t{i}", ExternKind.Tag, (uint)Tags.Count));
                    Tags.Add(tag);
                    module.Tags.Add(new TagType(TypeIndex(tag)));
                }
            }

            var functionCount = U.Range(1, Math.Max(1, Config.MaxFunctions));
            var callable = ImportedFunctions + functionCount; // imported and defined, not the fuel reset
            for (var i = 0; i < functionCount; i++)
            {
                var parameters = RandomTypes(Config.MaxParams, forInterface: true);
                var results = RandomTypes(Config.MultiValue ? Config.MaxResults : Math.Min(1, Config.MaxResults), forInterface: true);
                // With host functions, the first defined function is also the callback the host calls back.
                FunctionTypes.Add(TypeIndex(i == 0 && Config.HostFunctions ? HostModule.CallbackType : new FunctionType(parameters, results)));
            }
            var resetIndex = FunctionTypes.Count;
            FunctionTypes.Add(TypeIndex(Syntax.FunctionType.Empty));

            HasTable = Config.Table;
            if (HasTable)
            {
                var size = module.ImportsOf(ExternKind.Table).Select(i => ((TableType)i.Type).Limits.Min).FirstOrDefault();
                if (module.ImportedTableCount == 0)
                {
                    size = (ulong)U.Range(1, 8);
                    module.Tables.Add(new Table(new TableType(new Limits(size, size + (ulong)U.Int(5)), ValType.FuncRef)));
                }
                module.Exports.Add(new Export(TableExport, ExternKind.Table, 0));
                var items = new List<Expression>();
                var count = U.Int((int)size + 1);
                for (var i = 0; i < count; i++)
                {
                    items.Add(U.Int(4) == 0
                        ? Expression.Of(Instruction.WithHeapType(Opcode.RefNull, HeapType.Func))
                        : Expression.Of(Instruction.WithIndex(Opcode.RefFunc, (uint)U.Int(callable))));
                }
                module.Elements.Add(new ElementSegment(SegmentMode.Active, ValType.FuncRef, items, 0, Expression.Of(Instruction.I32Const(0))));
            }
            if (Config.Gc && Config.Table)
            {
                GcTable = module.ImportedTableCount + module.Tables.Count;
                GcTableType = U.Choose(GcInterface);
                var size = (ulong)U.Range(1, 6);
                module.Tables.Add(new Table(new TableType(new Limits(size, size + (ulong)U.Int(5)), GcTableType)));
                module.Exports.Add(new Export(GcTableExport, ExternKind.Table, (uint)GcTable));
            }
            if (Config.ReferenceTypes || Config.FunctionReferences)
            {
                // Declares every function so that ref.func may name any of them.
                module.Elements.Add(new ElementSegment(SegmentMode.Declarative, ValType.FuncRef,
                    [.. Enumerable.Range(0, callable).Select(f => Expression.Of(Instruction.WithIndex(Opcode.RefFunc, (uint)f)))]));
            }
            if (HasMemory)
            {
                var active = RandomBytes(U.Range(1, 160));
                module.Data.Add(new DataSegment(SegmentMode.Active, active, 0, Expression.Of(Address(0, U.Int(8) == 0 ? (int)(MemoryMinPages << MemoryPageSizeLog2) - active.Length : U.Int(900)))));
                if (Config.BulkMemory)
                {
                    module.Data.Add(new DataSegment(SegmentMode.Passive, RandomBytes(U.Range(1, 32))));
                    HasPassiveData = true;
                }
                if (MemoryIs64.Count > 1)
                {
                    var second = RandomBytes(U.Range(1, 64));
                    module.Data.Add(new DataSegment(SegmentMode.Active, second, 1, Expression.Of(Address(1, U.Int(512)))));
                }
                if (Config.BulkMemory)
                {
                    module.DataCount = (uint)module.Data.Count;
                }
            }

            for (var i = 0; i < functionCount; i++)
            {
                module.Functions.Add(new FunctionBuilder(this, ImportedFunctions + i).Build());
                module.Exports.Add(new Export($"f{i}", ExternKind.Function, (uint)(ImportedFunctions + i)));
            }
            if (Config.HostFunctions)
            {
                module.Exports.Add(new Export(HostModule.CallbackExport, ExternKind.Function, (uint)ImportedFunctions));
            }
            module.Functions.Add(new Function(FunctionTypes[resetIndex], [], Expression.Of(Instruction.I32Const(Config.Fuel), Instruction.WithIndex(Opcode.GlobalSet, FuelGlobal))));
            module.Exports.Add(new Export(ResetFuelExport, ExternKind.Function, (uint)resetIndex));

            for (var i = ImportedGlobals; i < Globals.Count; i++)
            {
                var (type, mutable) = Globals[i];
                var init = i == FuelGlobal ? Instruction.I32Const(Config.Fuel) : Constant(type);
                module.Globals.Add(new Global(new GlobalType(type, mutable), Expression.Of(init)));
                if (i > FuelGlobal)
                {
                    module.Exports.Add(new Export($"g{i - ImportedGlobals}", ExternKind.Global, (uint)i));
                }
            }
            module.Types.AddRange(GcTypes.Concat(Types.Select(t => new SubType(t))).Select(t => new RecursiveType([t])));
            if (provider is not null)
            {
                ProviderModules.Attach(module, ProviderModules.Name, provider);
            }
            return module;
        }

        /// <summary>
        /// Imports some of <paramref name="provider"/>'s exports (each with even odds): functions and globals first in
        /// their index spaces, its memory as memory 0 and its table as table 0. True when memory 0 is imported.
        /// </summary>
        private bool ImportFrom(Module provider, Module module)
        {
            var importedMemory = false;
            foreach (var export in provider.Exports)
            {
                switch (export.Kind)
                {
                    case ExternKind.Function when export.Name != ResetFuelExport && U.Bool():
                    {
                        var type = (FunctionType)provider.TypeDefinitions.ElementAt((int)provider.Functions[(int)export.Index].TypeIndex).Body;
                        ImportFunction(module, ProviderModules.Name, export.Name, type);
                        break;
                    }
                    case ExternKind.Global when U.Int(4) != 0:
                    {
                        var type = provider.Globals[(int)export.Index].Type;
                        module.Imports.Add(new Import(ProviderModules.Name, export.Name, type));
                        Globals.Add((type.Type, type.Mutable));
                        ImportedGlobals++;
                        break;
                    }
                    case ExternKind.Memory when export.Index == 0 && Config.Memory && U.Bool():
                    {
                        var type = provider.Memories[0];
                        module.Imports.Add(new Import(ProviderModules.Name, export.Name, type));
                        MemoryMinPages = type.Limits.Min;
                        MemoryPageSizeLog2 = type.PageSizeLog2;
                        MemoryShared = type.Limits.Shared;
                        importedMemory = true;
                        break;
                    }
                    case ExternKind.Table when Config.Table && U.Bool():
                        module.Imports.Add(new Import(ProviderModules.Name, export.Name, provider.Tables[0].Type));
                        break;
                    case ExternKind.Tag when Config.Exceptions && U.Bool():
                    {
                        var definitions = provider.TypeDefinitions.ToList();
                        var type = (FunctionType)definitions[(int)provider.Tags[(int)export.Index].TypeIndex].Body;
                        module.Imports.Add(new Import(ProviderModules.Name, export.Name, new TagType(TypeIndex(type))));
                        Tags.Add(type);
                        break;
                    }
                }
            }
            return importedMemory;
        }

        /// <summary>Imports a function of <paramref name="type"/>: next in the function index space, before every defined one.</summary>
        private void ImportFunction(Module module, string from, string name, FunctionType type)
        {
            var index = TypeIndex(type);
            module.Imports.Add(new Import(from, name, new FunctionTypeUse(index)));
            FunctionTypes.Add(index);
            ImportedFunctions++;
        }

        /// <summary>An address constant for memory <paramref name="memory"/> (i64 for a memory64 memory).</summary>
        private Instruction Address(int memory, int value) => MemoryIs64[memory] ? Instruction.I64Const(value) : Instruction.I32Const(value);

        private byte[] RandomBytes(int count)
        {
            var bytes = new byte[count];
            for (var i = 0; i < count; i++)
            {
                bytes[i] = U.Byte();
            }
            return bytes;
        }

        private List<ValType> RandomTypes(int max, bool forInterface)
        {
            var count = U.Int(max + 1);
            var types = new List<ValType>(count);
            for (var i = 0; i < count; i++)
            {
                types.Add(U.Choose(ValueTypes));
            }
            _ = forInterface; // every type the generator uses is passable at the interface
            return types;
        }

        private bool IsAllowed(OpcodeEntry entry) => (Config.Opcodes is null || Config.Opcodes.Contains(entry.Opcode)) && Fits(entry);

        /// <summary>The configuration's classes, traps, floats and proposals allow <paramref name="entry"/>.</summary>
        private bool Fits(OpcodeEntry entry)
        {
            if (!Config.Allows(entry.Class) || entry.CanTrap && (Config.DisallowTraps || !Config.Allows(InstructionClass.Trapping)))
            {
                return false;
            }
            var types = entry.Parameters.Concat(entry.Results);
            if (!Config.Floats && types.Any(t => t.Kind is ValueKind.F32 or ValueKind.F64))
            {
                return false;
            }
            var code = (int)entry.Opcode;
            if (!Config.Simd && (code >> 16) == 0xFD)
            {
                return false;
            }
            if (!Config.SignExtension && code is >= 0xC0 and <= 0xC4)
            {
                return false;
            }
            return Config.SaturatingConversions || code is < 0xFC_0000 or > 0xFC_0007; // the saturating truncations
        }

        /// <summary>An interesting constant of <paramref name="type"/>: edge values half the time.</summary>
        public Instruction Constant(ValType type)
        {
            switch (type.Kind)
            {
                case ValueKind.I32:
                    return Instruction.I32Const(U.Int(4) switch
                    {
                        0 => U.Choose(EdgeValues.I32),
                        1 => U.Int(256),
                        2 => U.Int(70000),
                        _ => (int)U.UInt32(),
                    });
                case ValueKind.I64:
                    return Instruction.I64Const(U.Int(3) switch
                    {
                        0 => U.Choose(EdgeValues.I64),
                        1 => U.Int(256),
                        _ => (long)U.UInt64(),
                    });
                case ValueKind.F32:
                    return Instruction.F32Const(U.Int(3) switch
                    {
                        0 => U.Choose(EdgeValues.F32),
                        1 => BitConverter.SingleToUInt32Bits(U.Int(200) / 4f - 25),
                        _ => U.UInt32(),
                    });
                case ValueKind.F64:
                    return Instruction.F64Const(U.Int(3) switch
                    {
                        0 => U.Choose(EdgeValues.F64),
                        1 => BitConverter.DoubleToUInt64Bits(U.Int(200) / 4.0 - 25),
                        _ => U.UInt64(),
                    });
                case ValueKind.V128:
                    return Instruction.V128Const(U.Int(8) switch
                    {
                        0 => new V128(0, 0),
                        1 or 2 => new V128(EdgeValues.Splat32(U.Choose(EdgeValues.F32)), EdgeValues.Splat32(U.Choose(EdgeValues.F32))),
                        3 or 4 => new V128(EdgeValues.Splat8(U.Choose(EdgeValues.Bytes)), EdgeValues.Splat8(U.Choose(EdgeValues.Bytes))),
                        _ => new V128(U.UInt64(), U.UInt64()),
                    });
                default:
                    return Instruction.WithHeapType(Opcode.RefNull, type.Heap);
            }
        }
    }
}

/// <summary>The edge values arguments and constants are drawn from (0, ±1, MIN, MAX, ±inf, NaNs, subnormals).</summary>
public static class EdgeValues
{
    public static readonly int[] I32 = [0, 1, -1, int.MinValue, int.MaxValue, 2, 31, 32, 0x7FFF, 0xFFFF, 0x10000, -2];

    public static readonly long[] I64 = [0, 1, -1, long.MinValue, long.MaxValue, 63, 64, int.MinValue, uint.MaxValue, 0x1_0000_0000];

    /// <summary>0, -0, 1, -1, +inf, -inf, canonical NaN (both signs), a payload NaN, a signalling NaN, MIN, MAX, smallest subnormal, 0.5, 2.5, 2^31, 2^63.</summary>
    public static readonly uint[] F32 =
    [
        0x00000000, 0x80000000, 0x3F800000, 0xBF800000, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000, 0x7FC00001, 0x7F800001,
        0xFF7FFFFF, 0x7F7FFFFF, 0x00000001, 0x3F000000, 0x40200000, 0x4F000000, 0x5F000000, 0xCF000000,
    ];

    public static readonly ulong[] F64 =
    [
        0x0000000000000000, 0x8000000000000000, 0x3FF0000000000000, 0xBFF0000000000000, 0x7FF0000000000000, 0xFFF0000000000000,
        0x7FF8000000000000, 0xFFF8000000000000, 0x7FF8000000000001, 0x7FF0000000000001, 0xFFEFFFFFFFFFFFFF, 0x7FEFFFFFFFFFFFFF,
        0x0000000000000001, 0x3FE0000000000000, 0x4004000000000000, 0x41E0000000000000, 0x43E0000000000000, 0xC1E0000000000000,
    ];

    /// <summary>Lane values that saturate, overflow or flip sign in 8- and 16-bit lane arithmetic.</summary>
    public static readonly byte[] Bytes = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0xFE, 0x81, 0x40];

    public static ulong Splat32(uint bits) => bits | ((ulong)bits << 32);

    public static ulong Splat8(byte value) => 0x0101010101010101UL * value;
}
