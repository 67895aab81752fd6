using WasmHarness.Syntax;
using WasmHarness.Validation;
using static WasmHarness.Tests.Validation.ValidationTestKit;

namespace WasmHarness.Tests.Validation;

public class ModuleValidationTests
{
    private static Global ConstGlobal(ValType type, Instruction init, bool mutable = false) =>
        new(new GlobalType(type, mutable), Expression.Of(init));

    [Fact]
    public void Validated_module_resolves_index_spaces_with_imports_first()
    {
        var module = new Module();
        var t0 = module.AddType(Sig([I32], []));
        var t1 = module.AddType(Sig([], [I64]));
        module.Imports.Add(new Import("env", "f", new FunctionTypeUse(t0)));
        module.Imports.Add(new Import("env", "g", new GlobalType(I32, false)));
        module.Imports.Add(new Import("env", "t", new TableType(new Limits(1), ValType.FuncRef)));
        module.Imports.Add(new Import("env", "m", new MemoryType(new Limits(1, 2))));
        module.Imports.Add(new Import("env", "e", new TagType(t0)));
        module.AddFunc(t1, [F32], I64Const());
        module.Globals.Add(ConstGlobal(I64, I64Const(), mutable: true));
        module.Tags.Add(new TagType(t0));
        var v = Valid(module);
        Assert.Equal([t0, t1], v.FunctionTypeIndices);
        Assert.Equal(2, v.FunctionTypes.Count);
        Assert.Equal(I64, v.FunctionTypes[1].Results[0]);
        Assert.Equal(1, v.ImportedFunctionCount);
        Assert.Equal(2, v.Globals.Count);
        Assert.True(v.Globals[1].Mutable);
        Assert.Single(v.Tables);
        Assert.Single(v.Memories);
        Assert.Equal([t0, t0], v.TagTypeIndices);
        Assert.Equal([I32], v.TagTypes[1].Parameters);
        Assert.Same(v.Types[(int)t0], v.TagDefinedType(1));
        Assert.Equal(1u, v.Functions[0].FunctionIndex);
        Assert.Equal([F32], v.Functions[0].LocalTypes);
        Assert.Same(v.Types[(int)t1], v.FunctionDefinedType(1));
    }

    [Fact]
    public void Imports_check_their_types()
    {
        var module = new Module();
        module.Imports.Add(new Import("a", "b", new FunctionTypeUse(0)));
        Invalid(module, "unknown type 0");
        module = new Module();
        module.AddType(new StructType([]));
        module.Imports.Add(new Import("a", "b", new FunctionTypeUse(0)));
        Invalid(module, "non-function type 0");
        module = new Module();
        module.AddType(Sig([], [I32]));
        module.Imports.Add(new Import("a", "b", new TagType(0)));
        Invalid(module, "non-empty tag result type");
        module = new Module();
        module.AddType(Sig([], [I32]));
        module.Tags.Add(new TagType(0));
        Invalid(module, "non-empty tag result type");
    }

    [Fact]
    public void Limits_are_checked()
    {
        var module = new Module();
        module.Memories.Add(new MemoryType(new Limits(65537)));
        Invalid(module, "memory size must be at most 65536 pages (4GiB)");
        module = new Module();
        module.Memories.Add(new MemoryType(new Limits(0, 65537)));
        Invalid(module, "memory size must be at most 65536 pages (4GiB)");
        module = new Module();
        module.Memories.Add(new MemoryType(new Limits(65536, 65536)));
        Valid(module);
        module = new Module();
        module.Memories.Add(new MemoryType(new Limits(2, 1)));
        Invalid(module, "size minimum must not be greater than maximum");
        module = new Module();
        module.Memories.Add(new MemoryType(new Limits(1UL << 48, null, AddressType.I64)));
        Valid(module);
        module = new Module();
        module.Memories.Add(new MemoryType(new Limits((1UL << 48) + 1, null, AddressType.I64)));
        InvalidPrefix(module, "memory size");
        module = new Module();
        module.Tables.Add(new Table(new TableType(new Limits(1UL << 32), ValType.FuncRef)));
        InvalidPrefix(module, "table size");
        module = new Module();
        module.Tables.Add(new Table(new TableType(new Limits(0xFFFF_FFFF, 0), ValType.FuncRef)));
        Invalid(module, "size minimum must not be greater than maximum");
        module = new Module();
        module.Tables.Add(new Table(new TableType(new Limits(1UL << 32, null, AddressType.I64), ValType.FuncRef)));
        Valid(module);
    }

    [Fact]
    public void Constant_expressions_allow_only_constant_instructions()
    {
        var module = new Module();
        module.Globals.Add(new Global(new GlobalType(I32, false), Expression.Of(I32Const(1), I32Const(2), Op(Opcode.I32Add))));
        module.Globals.Add(new Global(new GlobalType(I64, false), Expression.Of(I64Const(1), I64Const(2), Op(Opcode.I64Mul))));
        module.Globals.Add(new Global(new GlobalType(I32, false), Expression.Of(Op(Opcode.GlobalGet, 0), I32Const(2), Op(Opcode.I32Sub))));
        Valid(module);

        module = new Module();
        module.Globals.Add(new Global(new GlobalType(I32, false), Expression.Of(I32Const(1), I32Const(2), Op(Opcode.I32DivS))));
        Invalid(module, "constant expression required");
        module = new Module();
        module.Globals.Add(new Global(new GlobalType(I32, false), Expression.Of(Op(Opcode.Nop), I32Const())));
        Invalid(module, "constant expression required");
        module = new Module();
        module.Globals.Add(new Global(new GlobalType(I32, false), Expression.Of(I64Const())));
        Invalid(module, "type mismatch: instruction requires [i32] but stack has [i64]");
        module = new Module();
        module.Globals.Add(new Global(new GlobalType(I32, false), new Expression([End])));
        Invalid(module, "type mismatch: instruction requires [i32] but stack has []");
    }

    [Fact]
    public void Global_get_in_constant_expressions_sees_only_earlier_immutable_globals()
    {
        var module = new Module();
        module.Globals.Add(ConstGlobal(I32, Op(Opcode.GlobalGet, 1)));
        module.Globals.Add(ConstGlobal(I32, I32Const()));
        Invalid(module, "unknown global 1");
        module = new Module();
        module.Globals.Add(ConstGlobal(I32, Op(Opcode.GlobalGet, 0)));
        Invalid(module, "unknown global 0");
        module = new Module();
        module.Globals.Add(ConstGlobal(I32, I32Const(), mutable: true));
        module.Globals.Add(ConstGlobal(I32, Op(Opcode.GlobalGet, 0)));
        Invalid(module, "constant expression required");
        module = new Module();
        module.Imports.Add(new Import("a", "b", new GlobalType(I32, true)));
        module.Globals.Add(ConstGlobal(I32, Op(Opcode.GlobalGet, 0)));
        Invalid(module, "constant expression required");
        module = new Module();
        module.Imports.Add(new Import("a", "b", new GlobalType(I32, false)));
        module.Globals.Add(ConstGlobal(I32, Op(Opcode.GlobalGet, 0)));
        Valid(module);
        // Table initializers see only imported globals.
        module = new Module();
        module.Globals.Add(ConstGlobal(ValType.FuncRef, Instruction.WithHeapType(Opcode.RefNull, HeapType.Func)));
        module.Tables.Add(new Table(new TableType(new Limits(1), ValType.FuncRef), Expression.Of(Op(Opcode.GlobalGet, 0))));
        Invalid(module, "unknown global 0");
        // Element and data segment offsets see all globals.
        module = new Module();
        module.Memories.Add(new MemoryType(new Limits(1)));
        module.Globals.Add(ConstGlobal(I32, I32Const()));
        module.Data.Add(new DataSegment(SegmentMode.Active, Array.Empty<byte>(), 0, Expression.Of(Op(Opcode.GlobalGet, 0))));
        Valid(module);
    }

    [Fact]
    public void Gc_constant_expressions()
    {
        var module = new Module();
        var s = module.AddType(new StructType([new FieldType(new StorageType(I32), false)]));
        var a = module.AddType(new ArrayType(new FieldType(new StorageType(I32), false)));
        module.Globals.Add(new Global(new GlobalType(Ref(s), false), Expression.Of(I32Const(), Op(Opcode.StructNew, s))));
        module.Globals.Add(new Global(new GlobalType(Ref(a), false), Expression.Of(I32Const(), I32Const(), Instruction.ArrayNewFixed(a, 2))));
        module.Globals.Add(new Global(new GlobalType(ValType.I31Ref, false), Expression.Of(I32Const(), Op(Opcode.RefI31))));
        module.Globals.Add(new Global(new GlobalType(ValType.ExternRef, false), Expression.Of(Op(Opcode.GlobalGet, 2), Op(Opcode.ExternConvertAny))));
        Valid(module);
        module = new Module();
        a = module.AddType(new ArrayType(new FieldType(new StorageType(I32), false)));
        module.Data.Add(new DataSegment(SegmentMode.Passive, Array.Empty<byte>()));
        module.Globals.Add(new Global(new GlobalType(Ref(a), false), Expression.Of(I32Const(), I32Const(), Op(Opcode.ArrayNewData, a, 0))));
        Invalid(module, "constant expression required");
    }

    [Fact]
    public void Tables_of_non_nullable_type_need_an_initializer()
    {
        var module = new Module();
        module.Tables.Add(new Table(new TableType(new Limits(1), ValType.Ref(HeapType.Func, false))));
        InvalidPrefix(module, "type mismatch");
        module = new Module();
        var t = module.AddType(Sig([], []));
        var f = module.AddFunc(t, []);
        module.Tables.Add(new Table(new TableType(new Limits(1), ValType.Ref(HeapType.Func, false)), Expression.Of(Op(Opcode.RefFunc, f))));
        var v = Valid(module);
        Assert.Contains(f, v.DeclaredFunctionReferences);
    }

    [Fact]
    public void Element_segments_check_types_tables_and_offsets()
    {
        Module Make(ValType elementType, ValType tableType, Expression item, Expression? offset = null, uint table = 0)
        {
            var module = new Module();
            var t = module.AddType(Sig([], []));
            module.AddFunc(t, []);
            module.Tables.Add(new Table(new TableType(new Limits(1), tableType)));
            module.Elements.Add(new ElementSegment(SegmentMode.Active, elementType, [item], table, offset ?? Expression.Of(I32Const())));
            return module;
        }
        var refFunc = Expression.Of(Op(Opcode.RefFunc, 0));
        Valid(Make(ValType.FuncRef, ValType.FuncRef, refFunc));
        Valid(Make(ValType.Ref(HeapType.Func, false), ValType.FuncRef, refFunc));
        Invalid(Make(ValType.FuncRef, ValType.ExternRef, refFunc),
            "type mismatch: element segment's type (ref null func) does not match table's element type (ref null extern)");
        Invalid(Make(ValType.ExternRef, ValType.ExternRef, refFunc), "type mismatch: instruction requires [(ref null extern)] but stack has [(ref 0)]");
        Invalid(Make(ValType.FuncRef, ValType.FuncRef, refFunc, Expression.Of(I64Const())), "type mismatch: instruction requires [i32] but stack has [i64]");
        Invalid(Make(ValType.FuncRef, ValType.FuncRef, refFunc, table: 1), "unknown table 1");
        Invalid(Make(ValType.FuncRef, ValType.FuncRef, Expression.Of(Op(Opcode.RefFunc, 7))), "unknown function 7");
        Invalid(Make(ValType.FuncRef, ValType.FuncRef, Expression.Of(Op(Opcode.Nop), Op(Opcode.RefFunc, 0))), "constant expression required");
    }

    [Fact]
    public void Data_segments_check_memory_and_offset()
    {
        var module = new Module();
        module.Data.Add(new DataSegment(SegmentMode.Active, Array.Empty<byte>(), 0, Expression.Of(I32Const())));
        Invalid(module, "unknown memory 0");
        module = new Module();
        module.Memories.Add(new MemoryType(new Limits(1, null, AddressType.I64)));
        module.Data.Add(new DataSegment(SegmentMode.Active, Array.Empty<byte>(), 0, Expression.Of(I32Const())));
        Invalid(module, "type mismatch: instruction requires [i64] but stack has [i32]");
        module = new Module();
        module.Memories.Add(new MemoryType(new Limits(1)));
        module.Memories.Add(new MemoryType(new Limits(1)));
        module.Data.Add(new DataSegment(SegmentMode.Active, Array.Empty<byte>(), 1, Expression.Of(I32Const())));
        Valid(module);
    }

    [Fact]
    public void Start_function_and_exports()
    {
        var module = new Module();
        var t = module.AddType(Sig([], [I32]));
        module.AddFunc(t, [], I32Const());
        module.Start = 0;
        Invalid(module, "start function must not have parameters or results");
        module = new Module { Start = 0 };
        Invalid(module, "unknown function 0");

        module = new Module();
        module.Memories.Add(new MemoryType(new Limits(1)));
        module.Exports.Add(new Export("a", ExternKind.Memory, 0));
        module.Exports.Add(new Export("a", ExternKind.Memory, 0));
        Invalid(module, "duplicate export name \"a\"");
        module = new Module();
        module.Exports.Add(new Export("a", ExternKind.Global, 0));
        Invalid(module, "unknown global 0");
        module = new Module();
        module.Exports.Add(new Export("a", ExternKind.Tag, 0));
        Invalid(module, "unknown tag 0");
        module = new Module();
        module.Exports.Add(new Export("a", ExternKind.Table, 0));
        Invalid(module, "unknown table 0");
    }

    [Fact]
    public void Error_context_says_where()
    {
        var e = Invalid(Func(Sig([], []), Op(Opcode.Nop), I32Const(), I64Const(), Op(Opcode.I32Add), Op(Opcode.Drop)),
            "type mismatch: instruction requires [i32 i32] but stack has [i32 i64]");
        Assert.Equal("func 0, instruction 3 (i32.add)", e.Context);

        // After a constant expression, errors about the segment itself name the segment only.
        var module = new Module();
        module.Tables.Add(new Table(new TableType(new Limits(1), ValType.ExternRef)));
        module.Elements.Add(new ElementSegment(SegmentMode.Active, ValType.FuncRef, [Expression.Of(Instruction.WithHeapType(Opcode.RefNull, HeapType.Func))], 0, Expression.Of(I32Const())));
        e = InvalidPrefix(module, "type mismatch: element segment's type");
        Assert.Equal("elem 0", e.Context);
    }

    [Fact]
    public void Canonical_extern_types_match_across_modules()
    {
        Module Exporter()
        {
            var module = new Module();
            module.AddRecGroup(new SubType(new StructType([]), null, final: false));
            module.AddRecGroup(new SubType(new StructType([new FieldType(new StorageType(I32), false)]), [0], final: false));
            var t = module.AddType(Sig([], [Ref(1)]));
            module.AddFunc(t, [], Op(Opcode.Unreachable));
            module.Globals.Add(new Global(new GlobalType(Ref(1, nullable: true), false), Expression.Of(Instruction.WithHeapType(Opcode.RefNull, HeapType.None))));
            return module;
        }
        var exporter = Valid(Exporter());
        var importer = new Module();
        importer.AddRecGroup(new SubType(new StructType([]), null, final: false));
        var t = importer.AddType(Sig([], [Ref(0)]));
        importer.Imports.Add(new Import("m", "f", new FunctionTypeUse(t)));
        importer.Imports.Add(new Import("m", "g", new GlobalType(Ref(0, nullable: true), false)));
        var imported = Valid(importer);
        // The exported function returns (ref $sub); the import expects [] -> (ref $super): not declared subtypes, so no match.
        Assert.False(Subtyping.Matches((DefinedType)exporter.CanonicalExternType(ExternKind.Function, 0), (DefinedType)imported.CanonicalExternType(ExternKind.Function, 0)));
        // Globals: immutable, covariant.
        Assert.True(Subtyping.Matches((GlobalType)exporter.CanonicalExternType(ExternKind.Global, 0), (GlobalType)imported.CanonicalExternType(ExternKind.Global, 0)));
        Assert.False(Subtyping.Matches((GlobalType)imported.CanonicalExternType(ExternKind.Global, 0), (GlobalType)exporter.CanonicalExternType(ExternKind.Global, 0)));
        Assert.True(Subtyping.Matches(new Limits(2, 3), new Limits(1, 4)));
        Assert.False(Subtyping.Matches(new Limits(2), new Limits(1, 4)));
    }
}
