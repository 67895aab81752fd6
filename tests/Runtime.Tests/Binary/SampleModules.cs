using WasmHarness.Syntax;

namespace WasmHarness.Tests.Binary;

/// <summary>Hand-built modules in the decoder's canonical form, covering every section and type form.</summary>
public static class SampleModules
{
    public static readonly ValType RefFunc = ValType.Ref(HeapType.Func, nullable: false);

    public static Instruction I32(int value) => Instruction.I32Const(value);

    public static Instruction End => Instruction.Simple(Opcode.End);

    /// <summary>A module that uses every section, every kind of import and export, and each segment encoding.</summary>
    public static Module Everything()
    {
        var module = new Module();
        // Types: 0 [] -> [], 1 [i32] -> [i32], rec { 2 struct (sub), 3 array (sub final 2?) }, 4 func with refs.
        module.Types.Add(new RecursiveType([new SubType(FunctionType.Empty)]));
        module.Types.Add(new RecursiveType([new SubType(new FunctionType([ValType.I32], [ValType.I32]))]));
        module.Types.Add(new RecursiveType(
        [
            new SubType(
                new StructType(
                [
                    new FieldType(StorageType.I8, Mutable: true),
                    new FieldType(StorageType.I16, Mutable: false),
                    new FieldType(new StorageType(ValType.Ref(HeapType.Concrete(3), nullable: true)), Mutable: true),
                    new FieldType(new StorageType(ValType.V128), Mutable: false),
                ]),
                supertypes: [],
                final: false),
            new SubType(new ArrayType(new FieldType(new StorageType(ValType.F64), Mutable: true)), supertypes: [], final: true),
            new SubType(new ArrayType(new FieldType(StorageType.I8, Mutable: false)), supertypes: [3], final: false),
        ]));
        module.Types.Add(new RecursiveType(
        [
            new SubType(
                new FunctionType(
                    [ValType.FuncRef, ValType.ExternRef, ValType.Ref(HeapType.Any, nullable: false), ValType.NullExnRef],
                    [ValType.Ref(HeapType.Concrete(0), nullable: false), ValType.I64, ValType.F32]),
                supertypes: [1000],
                final: true),
        ]));

        module.Imports.Add(new Import("env", "f", new FunctionTypeUse(1)));
        module.Imports.Add(new Import("env", "t", new TableType(new Limits(1, 10, AddressType.I64), ValType.ExternRef)));
        module.Imports.Add(new Import("env", "m", new MemoryType(new Limits(1, 2, AddressType.I32, Shared: true))));
        module.Imports.Add(new Import("env", "g", new GlobalType(ValType.I64, Mutable: true)));
        module.Imports.Add(new Import("env", "e", new TagType(0)));
        module.Imports.Add(new Import("ünïcödé", "\U0001F600", new MemoryType(new Limits(0, null, AddressType.I64))));

        module.Functions.Add(new Function(0, [], Expression.Of()));
        module.Functions.Add(new Function(
            1,
            [new LocalGroup(2, ValType.I32), new LocalGroup(1, ValType.Ref(HeapType.Concrete(2), nullable: true))],
            new Expression(
            [
                Instruction.WithIndex(Opcode.LocalGet, 0),
                Instruction.Memory(Opcode.I32Load, new MemArg(2, 8, 0)),
                Instruction.Memory(Opcode.I32Load, new MemArg(2, 8, 2)),
                Instruction.Simple(Opcode.I32Add),
                Instruction.Simple(Opcode.Drop),
                Instruction.WithIndex(Opcode.LocalGet, 0),
                End,
            ])));
        module.Functions.Add(new Function(
            0,
            [],
            new Expression(
            [
                I32(0),
                I32(0),
                I32(1),
                Instruction.WithIndices(Opcode.MemoryInit, 1, 0),
                Instruction.WithIndex(Opcode.DataDrop, 0),
                End,
            ])));

        module.Tables.Add(new Table(new TableType(new Limits(3), ValType.FuncRef)));
        module.Tables.Add(new Table(
            new TableType(new Limits(2, 5, AddressType.I64), RefFunc),
            Expression.Of(Instruction.WithIndex(Opcode.RefFunc, 1))));
        module.Memories.Add(new MemoryType(new Limits(1)));
        module.Memories.Add(new MemoryType(new Limits(0, 65536, AddressType.I64)));
        module.Tags.Add(new TagType(1));
        module.Globals.Add(new Global(new GlobalType(ValType.I32, Mutable: false), Expression.Of(I32(-123456))));
        module.Globals.Add(new Global(
            new GlobalType(ValType.Ref(HeapType.I31, nullable: false), Mutable: true),
            Expression.Of(I32(7), Instruction.Simple(Opcode.RefI31))));
        module.Globals.Add(new Global(
            new GlobalType(ValType.V128, Mutable: false),
            Expression.Of(Instruction.V128Const(new V128(0x0123456789ABCDEF, 0xFEDCBA9876543210)))));

        module.Exports.Add(new Export("f", ExternKind.Function, 1));
        module.Exports.Add(new Export("t", ExternKind.Table, 0));
        module.Exports.Add(new Export("m", ExternKind.Memory, 0));
        module.Exports.Add(new Export("g", ExternKind.Global, 0));
        module.Exports.Add(new Export("e", ExternKind.Tag, 0));
        module.Exports.Add(new Export("", ExternKind.Function, 0));
        module.Start = 1;

        var funcs = new[] { Expression.Of(Instruction.WithIndex(Opcode.RefFunc, 0)), Expression.Of(Instruction.WithIndex(Opcode.RefFunc, 2)) };
        var exprs = new[] { Expression.Of(Instruction.WithHeapType(Opcode.RefNull, HeapType.Func)), Expression.Of(Instruction.WithIndex(Opcode.RefFunc, 1)) };
        module.Elements.Add(new ElementSegment(SegmentMode.Active, RefFunc, funcs, 0, Expression.Of(I32(0))));             // 0
        module.Elements.Add(new ElementSegment(SegmentMode.Passive, RefFunc, funcs));                                      // 1
        module.Elements.Add(new ElementSegment(SegmentMode.Active, RefFunc, funcs, 1, Expression.Of(Instruction.I64Const(1)))); // 2
        module.Elements.Add(new ElementSegment(SegmentMode.Declarative, RefFunc, funcs));                                  // 3
        module.Elements.Add(new ElementSegment(SegmentMode.Active, ValType.FuncRef, exprs, 0, Expression.Of(I32(1))));  // 4
        module.Elements.Add(new ElementSegment(SegmentMode.Passive, ValType.FuncRef, exprs));                            // 5
        module.Elements.Add(new ElementSegment(SegmentMode.Active, ValType.FuncRef, exprs, 2, Expression.Of(I32(2))));  // 6
        module.Elements.Add(new ElementSegment(SegmentMode.Declarative, ValType.Ref(HeapType.Concrete(0), nullable: false), exprs[1..])); // 7
        module.Elements.Add(new ElementSegment(SegmentMode.Passive, ValType.ExternRef, []));                             // 5, empty

        module.Data.Add(new DataSegment(SegmentMode.Active, new byte[] { 1, 2, 3 }, 0, Expression.Of(I32(16))));
        module.Data.Add(new DataSegment(SegmentMode.Passive, new byte[] { 0xFF, 0x00 }));
        module.Data.Add(new DataSegment(SegmentMode.Active, Array.Empty<byte>(), 1, Expression.Of(Instruction.I64Const(0))));
        module.DataCount = 3;

        module.CustomSections.Add(new CustomSection("first", new byte[] { 1 }, 0));
        module.CustomSections.Add(new CustomSection("after types", Array.Empty<byte>(), 1));
        module.CustomSections.Add(new CustomSection("after tags", new byte[] { 2, 3 }, 13));
        module.CustomSections.Add(new CustomSection("after data count", new byte[] { 4 }, 12));
        module.CustomSections.Add(new CustomSection("last", new byte[] { 5 }, 11));
        return module;
    }
}
