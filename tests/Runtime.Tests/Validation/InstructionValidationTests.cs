using WasmHarness.Syntax;
using WasmHarness.Validation;
using static WasmHarness.Tests.Validation.ValidationTestKit;

namespace WasmHarness.Tests.Validation;

public class InstructionValidationTests
{
    private static readonly FunctionType VoidToVoid = Sig([], []);
    private static readonly FunctionType VoidToI32 = Sig([], [I32]);

    [Fact]
    public void Numeric_instructions_check_operand_types()
    {
        Valid(Func(VoidToI32, I32Const(1), I32Const(2), Op(Opcode.I32Add)));
        Invalid(Func(VoidToI32, I64Const(1), I32Const(2), Op(Opcode.I32Add)),
            "type mismatch: instruction requires [i32 i32] but stack has [i64 i32]");
        Invalid(Func(VoidToI32, I32Const(1), Op(Opcode.I32Add)),
            "type mismatch: instruction requires [i32 i32] but stack has [i32]");
        Invalid(Func(Sig([], [F64]), I32Const(1), Op(Opcode.F64ConvertI64S)),
            "type mismatch: instruction requires [i64] but stack has [i32]");
    }

    [Fact]
    public void Function_end_reports_missing_and_extra_results_like_the_reference_interpreter()
    {
        Invalid(Func(VoidToI32), "type mismatch: instruction requires [i32] but stack has []");
        Invalid(Func(VoidToI32, I64Const()), "type mismatch: instruction requires [i32] but stack has [i64]");
        Invalid(Func(VoidToVoid, I32Const()), "type mismatch: block requires [] but stack has [i32]");
        Invalid(Func(VoidToI32, I32Const(), I32Const()), "type mismatch: block requires [i32] but stack has [i32 i32]");
    }

    [Fact]
    public void Stack_is_polymorphic_after_unreachable_br_return_and_throw()
    {
        Valid(Func(VoidToI32, Op(Opcode.Unreachable)));
        Valid(Func(VoidToI32, Op(Opcode.Unreachable), Op(Opcode.I32Add)));
        Valid(Func(VoidToI32, I32Const(), Op(Opcode.Return), Op(Opcode.I64Add), Op(Opcode.Drop), I32Const()));
        Valid(Func(VoidToI32, I32Const(), Op(Opcode.Br, 0)));
        Invalid(Func(VoidToI32, Op(Opcode.Return)), "type mismatch: instruction requires [i32] but stack has []");
        // Known operands are still checked: (unreachable) (i64.const) (i32.add) is invalid.
        Invalid(Func(VoidToI32, Op(Opcode.Unreachable), I64Const(), Op(Opcode.I32Add)),
            "type mismatch: instruction requires [i32 i32] but stack has [bot i64]");
        // Extra values after unreachable still fail at the end of the block.
        Invalid(Func(VoidToVoid, Op(Opcode.Unreachable), I32Const()), "type mismatch: block requires [] but stack has [i32]");
        // Operands cannot be taken from outside the current block even when the outer block is unreachable.
        Invalid(Func(VoidToI32, I32Const(), Block(Opcode.Block, I32), Op(Opcode.Drop), I32Const(), End),
            "type mismatch: instruction requires [bot] but stack has []");
    }

    [Fact]
    public void Blocks_loops_and_ifs_use_their_block_types()
    {
        var module = new Module();
        var pair = module.AddType(Sig([I32], [I32, I32]));
        var main = module.AddType(Sig([], [I32]));
        module.AddFunc(main, [],
            I32Const(1), Block(Opcode.Block, BlockType.Indexed(pair)), Op(Opcode.LocalGet, 0), End, Op(Opcode.I32Add));
        Invalid(module, "unknown local 0");

        module = new Module();
        pair = module.AddType(Sig([I32], [I32, I32]));
        main = module.AddType(Sig([], [I32]));
        module.AddFunc(main, [],
            I32Const(1), Block(Opcode.Block, BlockType.Indexed(pair)), I32Const(2), End, Op(Opcode.I32Add));
        var validated = Valid(module);
        Assert.Equal(2, validated.Functions[0].MaxStackHeight);

        // A loop's label takes its parameters.
        module = new Module();
        pair = module.AddType(Sig([I32], [I32, I32]));
        main = module.AddType(Sig([], [I32]));
        module.AddFunc(main, [],
            I32Const(1), Block(Opcode.Loop, BlockType.Indexed(pair)), I64Const(2), Op(Opcode.Br, 0), End, Op(Opcode.I32Add));
        Invalid(module, "type mismatch: instruction requires [i32] but stack has [i64]");
    }

    [Fact]
    public void If_without_else_must_pass_its_parameters_through()
    {
        Invalid(Func(VoidToI32, I32Const(), Block(Opcode.If, I32), I32Const(), End),
            "type mismatch: instruction requires [i32] but stack has []");
        Valid(Func(VoidToI32, I32Const(), Block(Opcode.If, I32), I32Const(), Op(Opcode.Else), I32Const(2), End));
        Invalid(Func(VoidToI32, I32Const(), Block(Opcode.If, I32), I32Const(), Op(Opcode.Else), I64Const(2), End),
            "type mismatch: instruction requires [i32] but stack has [i64]");
        Invalid(Func(VoidToVoid, I64Const(), Block(Opcode.If), End),
            "type mismatch: instruction requires [i32] but stack has [i64]");
    }

    [Fact]
    public void Branches_check_labels_and_their_types()
    {
        Invalid(Func(VoidToVoid, Op(Opcode.Br, 1)), "unknown label 1");
        Valid(Func(VoidToI32, Block(Opcode.Block, I32), I32Const(), Op(Opcode.Br, 0), End));
        Invalid(Func(VoidToI32, Block(Opcode.Block, I32), I64Const(), Op(Opcode.Br, 0), End),
            "type mismatch: instruction requires [i32] but stack has [i64]");
        Valid(Func(VoidToI32, Block(Opcode.Block, I32), I32Const(), I32Const(), Op(Opcode.BrIf, 0), End));
        Invalid(Func(VoidToI32, Block(Opcode.Block, I32), I32Const(), Op(Opcode.BrIf, 0), End),
            "type mismatch: instruction requires [i32 i32] but stack has [i32]");
    }

    [Fact]
    public void Br_table_targets_must_agree()
    {
        Valid(Func(VoidToI32, Block(Opcode.Block, I32), Block(Opcode.Block, I32), I32Const(), I32Const(),
            Instruction.BrTable([0, 1], 1), End, End));
        Invalid(Func(VoidToI32, Block(Opcode.Block, I32), Block(Opcode.Block), I32Const(), I32Const(),
            Instruction.BrTable([0], 1), End, I32Const(), End), "type mismatch: instruction requires [] but stack has [i32]");
        Invalid(Func(VoidToVoid, Block(Opcode.Block), I32Const(), Instruction.BrTable([3], 0), End), "unknown label 3");
        // After unreachable, br_table to labels of the same arity but different types is fine; different arities are not.
        Valid(Func(VoidToI32, Block(Opcode.Block, I32), Block(Opcode.Block, F32), Op(Opcode.Unreachable),
            Instruction.BrTable([0], 1), End, Op(Opcode.Drop), I32Const(), End));
        Invalid(Func(VoidToI32, Block(Opcode.Block, I32), Block(Opcode.Block), Op(Opcode.Unreachable),
            Instruction.BrTable([0], 1), End, I32Const(), End), "type mismatch: instruction requires [] but stack has [bot]");
    }

    [Fact]
    public void Locals_must_exist_and_non_defaultable_ones_must_be_set_before_use()
    {
        var module = new Module();
        var s = module.AddType(new StructType([]));
        var f = module.AddType(Sig([], []));
        module.AddFunc(f, [Ref(s)], Op(Opcode.LocalGet, 0), Op(Opcode.Drop));
        Invalid(module, "uninitialized local");

        module = new Module();
        s = module.AddType(new StructType([]));
        f = module.AddType(Sig([], []));
        module.AddFunc(f, [Ref(s)], Op(Opcode.StructNew, s), Op(Opcode.LocalSet, 0), Op(Opcode.LocalGet, 0), Op(Opcode.Drop));
        Valid(module);

        // Initialization inside a block does not survive the block.
        module = new Module();
        s = module.AddType(new StructType([]));
        f = module.AddType(Sig([], []));
        module.AddFunc(f, [Ref(s)], Block(Opcode.Block), Op(Opcode.StructNew, s), Op(Opcode.LocalSet, 0), End,
            Op(Opcode.LocalGet, 0), Op(Opcode.Drop));
        Invalid(module, "uninitialized local");

        Invalid(Func(VoidToVoid, [I32], Op(Opcode.LocalGet, 1), Op(Opcode.Drop)), "unknown local 1");
        Valid(Func(Sig([I64], [I64]), [I32], Op(Opcode.LocalGet, 0)));
        Invalid(Func(Sig([I64], [I64]), [I32], Op(Opcode.LocalGet, 1)), "type mismatch: instruction requires [i64] but stack has [i32]");
    }

    [Fact]
    public void Select_requires_numeric_operands_unless_typed()
    {
        Valid(Func(VoidToI32, I32Const(), I32Const(), I32Const(), Op(Opcode.Select)));
        Invalid(Func(VoidToI32, I32Const(), I64Const(), I32Const(), Op(Opcode.Select)),
            "type mismatch: instruction requires [i64 i64 i32] but stack has [i32 i64 i32]");
        var funcref = Func(Sig([], [ValType.FuncRef]),
            Instruction.WithHeapType(Opcode.RefNull, HeapType.Func), Instruction.WithHeapType(Opcode.RefNull, HeapType.Func), I32Const(), Op(Opcode.Select));
        Invalid(funcref, "type mismatch: instruction requires numeric or vector type but stack has (ref null func)");
        Valid(Func(Sig([], [ValType.FuncRef]),
            Instruction.WithHeapType(Opcode.RefNull, HeapType.Func), Instruction.WithHeapType(Opcode.RefNull, HeapType.Func), I32Const(),
            Instruction.SelectTyped([ValType.FuncRef])));
        InvalidPrefix(Func(VoidToI32, I32Const(), I32Const(), I32Const(), Instruction.SelectTyped([])), "invalid result arity");
        InvalidPrefix(Func(VoidToI32, I32Const(), I32Const(), I32Const(), Instruction.SelectTyped([I32, I32])), "invalid result arity");
        // Polymorphic: select after unreachable yields the bottom type, usable as anything numeric.
        Valid(Func(VoidToI32, Op(Opcode.Unreachable), Op(Opcode.Select)));
        // The validator tells the tiers what an untyped select selects.
        var info = Valid(Func(Sig([], [F64]), Instruction.F64Const(0), Instruction.F64Const(0), I32Const(), Op(Opcode.Select))).Functions[0];
        Assert.Equal(F64, Assert.Single(info.SelectTypes).Value);
        Assert.Equal(3, info.SelectTypes.Keys.Single());
        Assert.Equal(ValType.Bottom, Valid(Func(VoidToI32, Op(Opcode.Unreachable), Op(Opcode.Select))).Functions[0].SelectTypes[1]);
    }

    [Fact]
    public void Calls_and_tail_calls_check_types()
    {
        var module = new Module();
        var t = module.AddType(Sig([I32], [I64]));
        var callee = module.AddFunc(t, [], I64Const());
        var main = module.AddType(Sig([], [I64]));
        module.AddFunc(main, [], I32Const(), Op(Opcode.Call, callee));
        module.AddFunc(main, [], I32Const(), Op(Opcode.ReturnCall, callee));
        Valid(module);

        module = new Module();
        t = module.AddType(Sig([I32], [I64]));
        callee = module.AddFunc(t, [], I64Const());
        main = module.AddType(Sig([], [I32]));
        module.AddFunc(main, [], I32Const(), Op(Opcode.ReturnCall, callee));
        Invalid(module, "type mismatch: current function requires result type [i32] but callee returns [i64]");

        Invalid(Func(VoidToVoid, Op(Opcode.Call, 5)), "unknown function 5");
    }

    [Fact]
    public void Call_indirect_needs_a_function_table()
    {
        var module = new Module();
        var t = module.AddType(Sig([], []));
        module.Tables.Add(new Table(new TableType(new Limits(1), ValType.ExternRef)));
        module.AddFunc(t, [], I32Const(), Op(Opcode.CallIndirect, t, 0));
        Invalid(module, "type mismatch: instruction requires table of function type but table has element type (ref null extern)");

        module = new Module();
        t = module.AddType(Sig([], []));
        module.AddFunc(t, [], I32Const(), Op(Opcode.CallIndirect, t, 0));
        Invalid(module, "unknown table 0");

        module = new Module();
        t = module.AddType(Sig([], []));
        module.Tables.Add(new Table(new TableType(new Limits(1, null, AddressType.I64), ValType.FuncRef)));
        module.AddFunc(t, [], I32Const(), Op(Opcode.CallIndirect, t, 0));
        Invalid(module, "type mismatch: instruction requires [i64] but stack has [i32]");
    }

    [Fact]
    public void Memory_instructions_check_memory_alignment_offset_and_address_type()
    {
        Invalid(Func(VoidToI32, I32Const(), Mem(Opcode.I32Load, 2)), "unknown memory 0");
        Valid(WithMemory(Func(VoidToI32, I32Const(), Mem(Opcode.I32Load, 2))));
        Invalid(WithMemory(Func(VoidToI32, I32Const(), Mem(Opcode.I32Load, 3))), "alignment must not be larger than natural");
        Invalid(WithMemory(Func(VoidToI32, I32Const(), Mem(Opcode.I32Load8u, 1))), "alignment must not be larger than natural");
        Invalid(WithMemory(Func(VoidToI32, I32Const(), Mem(Opcode.I32Load, 0, 1UL << 32))), "offset out of range");
        Valid(WithMemory(Func(VoidToI32, I64Const(), Mem(Opcode.I32Load, 0, 1UL << 32)), AddressType.I64));
        Invalid(WithMemory(Func(VoidToI32, I32Const(), Mem(Opcode.I32Load, 2)), AddressType.I64),
            "type mismatch: instruction requires [i64] but stack has [i32]");
        Valid(WithMemory(Func(VoidToVoid, I32Const(), Instruction.V128Const(default), Mem(Opcode.V128Store, 4))));
        Invalid(WithMemory(Func(VoidToVoid, I32Const(), Instruction.V128Const(default), Mem(Opcode.V128Store, 5))),
            "alignment must not be larger than natural");

        // Multiple memories with different address types.
        var module = Func(VoidToI32, I64Const(), Mem(Opcode.I32Load, 2, 0, 1));
        module.Memories.Add(new MemoryType(new Limits(1)));
        module.Memories.Add(new MemoryType(new Limits(1, null, AddressType.I64)));
        Valid(module);
        module = Func(Sig([], [I64]), Op(Opcode.MemorySize, 1));
        module.Memories.Add(new MemoryType(new Limits(1)));
        module.Memories.Add(new MemoryType(new Limits(1, null, AddressType.I64)));
        Valid(module);
        Invalid(WithMemory(Func(VoidToI32, Op(Opcode.MemorySize, 1))), "unknown memory 1");
    }

    [Fact]
    public void Lane_indices_are_checked()
    {
        Valid(Func(VoidToI32, Instruction.V128Const(default), Instruction.Lane(Opcode.I8x16ExtractLaneS, 15)));
        Invalid(Func(VoidToI32, Instruction.V128Const(default), Instruction.Lane(Opcode.I8x16ExtractLaneS, 16)), "invalid lane index");
        Invalid(Func(Sig([], [I64]), Instruction.V128Const(default), Instruction.Lane(Opcode.I64x2ExtractLane, 2)), "invalid lane index");
        Valid(Func(Sig([], [Vec]), Instruction.V128Const(default), Instruction.V128Const(default), Instruction.Shuffle(new V128(0x1F1F1F1F1F1F1F1FUL, 0))));
        Invalid(Func(Sig([], [Vec]), Instruction.V128Const(default), Instruction.V128Const(default), Instruction.Shuffle(new V128(0, 0x2000000000000000UL))),
            "invalid lane index");
        Valid(WithMemory(Func(Sig([], [Vec]), I32Const(), Instruction.V128Const(default),
            Instruction.MemoryLane(Opcode.V128Load32Lane, new MemArg(2, 0), 3))));
        Invalid(WithMemory(Func(Sig([], [Vec]), I32Const(), Instruction.V128Const(default),
            Instruction.MemoryLane(Opcode.V128Load32Lane, new MemArg(2, 0), 4))), "invalid lane index");
        Invalid(WithMemory(Func(VoidToVoid, I32Const(), Instruction.V128Const(default),
            Instruction.MemoryLane(Opcode.V128Store64Lane, new MemArg(4, 0), 0))), "alignment must not be larger than natural");
    }

    [Fact]
    public void Globals_must_exist_and_be_mutable_to_be_set()
    {
        var module = Func(VoidToVoid, I32Const(), Op(Opcode.GlobalSet, 0));
        module.Globals.Add(new Global(new GlobalType(I32, false), Expression.Of(I32Const())));
        Invalid(module, "immutable global");
        module = Func(VoidToVoid, I32Const(), Op(Opcode.GlobalSet, 0));
        module.Globals.Add(new Global(new GlobalType(I32, true), Expression.Of(I32Const())));
        Valid(module);
        Invalid(Func(VoidToI32, Op(Opcode.GlobalGet, 0)), "unknown global 0");
    }

    [Fact]
    public void Table_and_bulk_instructions()
    {
        Module WithTables(params Instruction[] body)
        {
            var module = Func(VoidToVoid, body);
            module.Tables.Add(new Table(new TableType(new Limits(1), ValType.FuncRef)));
            module.Tables.Add(new Table(new TableType(new Limits(1, null, AddressType.I64), ValType.ExternRef)));
            module.Elements.Add(new ElementSegment(SegmentMode.Passive, ValType.FuncRef, []));
            return module;
        }
        Valid(WithTables(I32Const(), Op(Opcode.TableGet, 0), Op(Opcode.Drop)));
        Valid(WithTables(I64Const(), Op(Opcode.TableGet, 1), Op(Opcode.Drop)));
        Valid(WithTables(I32Const(), I32Const(), I32Const(), Op(Opcode.TableInit, 0, 0)));
        Valid(WithTables(Op(Opcode.ElemDrop, 0)));
        Invalid(WithTables(Op(Opcode.ElemDrop, 1)), "unknown elem segment 1");
        Invalid(WithTables(I64Const(), I32Const(), I32Const(), Op(Opcode.TableInit, 0, 1)),
            "type mismatch: element segment's type (ref null extern) does not match table's element type (ref null func)");
        Invalid(WithTables(I32Const(), I32Const(), I32Const(), Op(Opcode.TableCopy, 0, 1)),
            "type mismatch: source element type (ref null func) does not match destination element type (ref null extern)");
        Valid(WithTables(Instruction.WithHeapType(Opcode.RefNull, HeapType.Extern), I64Const(), Op(Opcode.TableGrow, 1), Op(Opcode.Drop)));
        Invalid(WithTables(Instruction.WithHeapType(Opcode.RefNull, HeapType.Extern), I32Const(), Op(Opcode.TableGrow, 0), Op(Opcode.Drop)),
            "type mismatch: instruction requires [(ref null func) i32] but stack has [(ref null extern) i32]");
        Invalid(WithTables(Op(Opcode.TableSize, 2), Op(Opcode.Drop)), "unknown table 2");

        var withData = WithMemory(Func(VoidToVoid, I32Const(), I32Const(), I32Const(), Op(Opcode.MemoryInit, 0, 0), Op(Opcode.DataDrop, 0)));
        withData.Data.Add(new DataSegment(SegmentMode.Passive, new byte[] { 1 }));
        withData.DataCount = 1;
        Valid(withData);
        Invalid(WithMemory(Func(VoidToVoid, Op(Opcode.DataDrop, 0))), "unknown data segment 0");
        // memory.copy between an i32 and an i64 memory takes an i32 length.
        var copy = Func(VoidToVoid, I64Const(), I32Const(), I32Const(), Op(Opcode.MemoryCopy, 1, 0));
        copy.Memories.Add(new MemoryType(new Limits(1)));
        copy.Memories.Add(new MemoryType(new Limits(1, null, AddressType.I64)));
        Valid(copy);
    }

    [Fact]
    public void Ref_func_requires_a_declaration_outside_function_bodies()
    {
        var module = Func(VoidToVoid, Op(Opcode.RefFunc, 0), Op(Opcode.Drop));
        Invalid(module, "undeclared function reference 0");
        module = Func(VoidToVoid, Op(Opcode.RefFunc, 0), Op(Opcode.Drop));
        module.Elements.Add(new ElementSegment(SegmentMode.Declarative, ValType.FuncRef, [Expression.Of(Op(Opcode.RefFunc, 0))]));
        Valid(module);
        module = Func(VoidToVoid, Op(Opcode.RefFunc, 0), Op(Opcode.Drop));
        module.Exports.Add(new Export("f", ExternKind.Function, 0));
        Valid(module);
        Invalid(Func(VoidToVoid, Op(Opcode.RefFunc, 3), Op(Opcode.Drop)), "unknown function 3");
    }

    [Fact]
    public void Typed_function_references()
    {
        var module = new Module();
        var t = module.AddType(Sig([I32], [I32]));
        var caller = module.AddType(Sig([Ref(t, nullable: true)], [I32]));
        module.AddFunc(caller, [], I32Const(), Op(Opcode.LocalGet, 0), Op(Opcode.CallRef, t));
        module.AddFunc(caller, [], I32Const(), Op(Opcode.LocalGet, 0), Op(Opcode.ReturnCallRef, t));
        module.AddFunc(caller, [], Block(Opcode.Block), Op(Opcode.LocalGet, 0), Op(Opcode.BrOnNull, 0), Op(Opcode.Drop), End, I32Const());
        module.AddFunc(caller, [], I32Const(), Op(Opcode.LocalGet, 0), Op(Opcode.RefAsNonNull), Op(Opcode.CallRef, t));
        Valid(module);

        Invalid(Func(VoidToI32, I32Const(), Op(Opcode.RefIsNull)),
            "type mismatch: instruction requires reference type but stack has i32");
        Invalid(Func(VoidToI32, I32Const(), Op(Opcode.RefAsNonNull)),
            "type mismatch: instruction requires reference type but stack has i32");
        Invalid(Func(VoidToVoid, Block(Opcode.Block), Instruction.WithHeapType(Opcode.RefNull, HeapType.Func), Op(Opcode.BrOnNonNull, 0), End),
            "type mismatch: instruction requires reference type but label has []");

        // br_on_non_null passes the non-null reference to the label.
        module = new Module();
        t = module.AddType(Sig([], []));
        var result = module.AddType(Sig([Ref(t, nullable: true)], [Ref(t)]));
        module.AddFunc(result, [], Block(Opcode.Block, Ref(t)), Op(Opcode.LocalGet, 0), Op(Opcode.BrOnNonNull, 0), Op(Opcode.Unreachable), End);
        Valid(module);
    }

    [Fact]
    public void Exception_instructions()
    {
        var module = new Module();
        var tagType = module.AddType(Sig([I32], []));
        var f = module.AddType(Sig([], []));
        module.Tags.Add(new TagType(tagType));
        module.AddFunc(f, [], I32Const(), Op(Opcode.Throw, 0));
        Valid(module);

        module = new Module();
        tagType = module.AddType(Sig([I32], []));
        f = module.AddType(Sig([], []));
        module.Tags.Add(new TagType(tagType));
        module.AddFunc(f, [], Op(Opcode.Throw, 0));
        Invalid(module, "type mismatch: instruction requires [i32] but stack has []");
        Invalid(Func(VoidToVoid, Op(Opcode.Throw, 0)), "unknown tag 0");
        Valid(Func(VoidToVoid, Instruction.WithHeapType(Opcode.RefNull, HeapType.Exn), Op(Opcode.ThrowRef)));

        // try_table catch clauses are checked against the labels outside the try_table.
        module = new Module();
        tagType = module.AddType(Sig([I32], []));
        f = module.AddType(Sig([], [I32]));
        module.Tags.Add(new TagType(tagType));
        module.AddFunc(f, [], Block(Opcode.Block, I32),
            Instruction.TryTable(BlockType.Empty, [new CatchClause(CatchKind.Catch, 0, 0)]), End, Op(Opcode.Unreachable), End);
        Valid(module);

        module = new Module();
        tagType = module.AddType(Sig([I32], []));
        f = module.AddType(Sig([], [I64]));
        module.Tags.Add(new TagType(tagType));
        module.AddFunc(f, [], Block(Opcode.Block, I64),
            Instruction.TryTable(BlockType.Empty, [new CatchClause(CatchKind.Catch, 0, 0)]), End, Op(Opcode.Unreachable), End);
        Invalid(module, "type mismatch: catch handler requires [i64] but label has [i32]");

        Valid(Func(Sig([], [ValType.ExnRef]), Block(Opcode.Block, ValType.Ref(HeapType.Exn, false)),
            Instruction.TryTable(BlockType.Empty, [new CatchClause(CatchKind.CatchAllRef, 0, 0)]), End, Op(Opcode.Unreachable), End));
        Invalid(Func(VoidToVoid, Instruction.TryTable(BlockType.Empty, [new CatchClause(CatchKind.CatchAll, 0, 1)]), End), "unknown label 1");
    }

    [Fact]
    public void Legacy_exception_instructions()
    {
        var module = new Module();
        var tagType = module.AddType(Sig([I64], []));
        var f = module.AddType(Sig([], [I32]));
        module.Tags.Add(new TagType(tagType));
        module.AddFunc(f, [], Block(Opcode.Try, I32), I32Const(), Op(Opcode.Catch, 0), Op(Opcode.Drop), I32Const(), Op(Opcode.Rethrow, 0),
            Op(Opcode.CatchAll), I32Const(), End);
        var info = Valid(module).Functions[0];
        Assert.Equal([2, 6], info.LegacyCatches[0]);
        Assert.Equal(8, info.BlockEnds[0]);

        module = new Module();
        tagType = module.AddType(Sig([I64], []));
        f = module.AddType(Sig([], [I32]));
        module.Tags.Add(new TagType(tagType));
        module.AddFunc(f, [], Block(Opcode.Try, I32), I32Const(42), Op(Opcode.Catch, 0), End);
        Invalid(module, "type mismatch: instruction requires [i32] but stack has [i64]");

        Invalid(Func(VoidToVoid, Op(Opcode.Rethrow, 0)), "invalid rethrow label");
        Invalid(Func(VoidToVoid, Block(Opcode.Try), Op(Opcode.Rethrow, 0), Op(Opcode.Delegate, 0)), "invalid rethrow label");
        Invalid(Func(VoidToVoid, Block(Opcode.Try), Op(Opcode.Delegate, 1)), "unknown label 1");
        Valid(Func(VoidToVoid, Block(Opcode.Try), Op(Opcode.Delegate, 0)));
        Invalid(Func(VoidToVoid, Block(Opcode.Try), Op(Opcode.CatchAll), I32Const(42), End), "type mismatch: block requires [] but stack has [i32]");
    }

    [Fact]
    public void More_rules_with_their_messages()
    {
        // catch_ref passes the tag's payload and a non-null exnref.
        var module = new Module();
        var tagType = module.AddType(Sig([I32], []));
        var f = module.AddType(Sig([], [I32, ValType.ExnRef]));
        module.Tags.Add(new TagType(tagType));
        module.AddFunc(f, [], Block(Opcode.Block, BlockType.Indexed(f)),
            Instruction.TryTable(BlockType.Empty, [new CatchClause(CatchKind.CatchRef, 0, 0)]), End, Op(Opcode.Unreachable), End);
        Valid(module);

        // Initialization in the then-branch does not carry into the else-branch.
        module = new Module();
        var s = module.AddType(new StructType([]));
        var g = module.AddType(Sig([], []));
        module.AddFunc(g, [Ref(s)], I32Const(), Block(Opcode.If), Op(Opcode.StructNew, s), Op(Opcode.LocalSet, 0),
            Op(Opcode.Else), Op(Opcode.LocalGet, 0), Op(Opcode.Drop), End);
        Invalid(module, "uninitialized local");
        module = new Module();
        s = module.AddType(new StructType([]));
        g = module.AddType(Sig([], []));
        module.AddFunc(g, [Ref(s)], Op(Opcode.StructNew, s), Op(Opcode.LocalTee, 0), Op(Opcode.Drop), I32Const(), Block(Opcode.If),
            Op(Opcode.LocalGet, 0), Op(Opcode.Drop), Op(Opcode.Else), Op(Opcode.LocalGet, 0), Op(Opcode.Drop), End);
        Valid(module);

        // return_call_indirect must return what the caller returns.
        module = new Module();
        var callee = module.AddType(Sig([], [I64]));
        var caller = module.AddType(Sig([], [I32]));
        module.Tables.Add(new Table(new TableType(new Limits(1), ValType.FuncRef)));
        module.AddFunc(caller, [], I32Const(), Op(Opcode.ReturnCallIndirect, callee, 0));
        Invalid(module, "type mismatch: current function requires result type [i32] but callee returns [i64]");

        // array.new_fixed with a huge count in unreachable code is valid by the spec, but over this implementation's
        // operand limit (as in wasmparser) unless that limit is raised; in reachable code it needs the operands.
        module = new Module();
        var a = module.AddType(new ArrayType(new FieldType(new StorageType(I32), false)));
        g = module.AddType(Sig([], []));
        module.AddFunc(g, [], Op(Opcode.Unreachable), Instruction.ArrayNewFixed(a, 10_000_000), Op(Opcode.Drop));
        var limit = Assert.Throws<ImplementationLimitException>(() => Valid(module));
        Assert.Equal(nameof(ModuleLimits.ArrayNewFixedOperands), limit.Limit);
        ModuleValidator.Validate(module, ModuleLimits.Default with { ArrayNewFixedOperands = int.MaxValue });
        module = new Module();
        a = module.AddType(new ArrayType(new FieldType(new StorageType(I32), false)));
        g = module.AddType(Sig([], []));
        module.AddFunc(g, [], I32Const(), Instruction.ArrayNewFixed(a, 2), Op(Opcode.Drop));
        Invalid(module, "type mismatch: instruction requires [i32 i32] but stack has [i32]");

        // Typed select with a reference type; multi-value blocks with indexed types take their parameters from the stack.
        Valid(Func(Sig([], [ValType.ExternRef]), Instruction.WithHeapType(Opcode.RefNull, HeapType.NoExtern),
            Instruction.WithHeapType(Opcode.RefNull, HeapType.Extern), I32Const(), Instruction.SelectTyped([ValType.ExternRef])));
        Invalid(Func(Sig([], [ValType.ExternRef]), Instruction.WithHeapType(Opcode.RefNull, HeapType.Func),
            Instruction.WithHeapType(Opcode.RefNull, HeapType.Extern), I32Const(), Instruction.SelectTyped([ValType.ExternRef])),
            "type mismatch: instruction requires [(ref null extern) (ref null extern) i32] but stack has [(ref null func) (ref null extern) i32]");
    }

    [Fact]
    public void Validator_records_block_structure()
    {
        var validated = Valid(Func(VoidToVoid, I32Const(), Block(Opcode.If), Op(Opcode.Nop), Op(Opcode.Else), Block(Opcode.Block), End, End));
        var info = validated.Functions[0];
        Assert.Equal(6, info.BlockEnds[1]);
        Assert.Equal(3, info.Elses[1]);
        Assert.Equal(5, info.BlockEnds[4]);
        Assert.Equal(-1, info.BlockEnds[2]);
        Assert.Equal(-1, info.BlockEnds[7]);
        Assert.Equal(1, info.MaxStackHeight);
    }

    [Fact]
    public void Malformed_instruction_sequences_are_rejected()
    {
        var module = new Module();
        var t = module.AddType(VoidToVoid);
        module.Functions.Add(new Function(t, [], new Expression([Op(Opcode.Nop)])));
        Invalid(module, "unexpected end of section or function");
        module = new Module();
        t = module.AddType(VoidToVoid);
        module.Functions.Add(new Function(t, [], new Expression([End, Op(Opcode.Nop)])));
        Invalid(module, "operators remaining after end of function");
        Invalid(Func(VoidToVoid, Op(Opcode.Else)), "else without matching if");
        Invalid(Func(VoidToVoid, Op(Opcode.Block, 0), End), "invalid immediates for block");
        Invalid(Func(VoidToVoid, Op(Opcode.BrTable, 0)), "invalid immediates for br_table");
        Invalid(Func(VoidToVoid, Op(Opcode.TryTable, 0), End), "invalid immediates for try_table");
        Invalid(Func(VoidToVoid, Op(Opcode.RefNull, 0), Op(Opcode.Drop)), "invalid immediates for ref.null");
        Invalid(Func(VoidToVoid, Op(Opcode.SelectTyped, 0)), "invalid immediates for select");
        Invalid(Func(VoidToVoid, Op(Opcode.BrOnCast, 0)), "invalid immediates for br_on_cast");
    }
}
