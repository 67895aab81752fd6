using WasmHarness.Syntax;
using WasmHarness.Validation;
using static WasmHarness.Tests.Validation.ValidationTestKit;

namespace WasmHarness.Tests.Validation;

public class TypeValidationTests
{
    private static SubType Sub(CompositeType body, uint[]? supertypes = null, bool final = false) => new(body, supertypes, final);

    private static StructType Struct(params FieldType[] fields) => new(fields);

    private static FieldType Field(ValType type, bool mutable = false) => new(new StorageType(type), mutable);

    [Fact]
    public void Abstract_heap_type_hierarchies()
    {
        Assert.True(Subtyping.Matches(HeapType.I31, HeapType.Eq));
        Assert.True(Subtyping.Matches(HeapType.Struct, HeapType.Any));
        Assert.True(Subtyping.Matches(HeapType.None, HeapType.Array));
        Assert.True(Subtyping.Matches(HeapType.NoFunc, HeapType.Func));
        Assert.True(Subtyping.Matches(HeapType.NoExtern, HeapType.Extern));
        Assert.True(Subtyping.Matches(HeapType.NoExn, HeapType.Exn));
        Assert.True(Subtyping.Matches(HeapType.Bottom, HeapType.NoExn));
        Assert.False(Subtyping.Matches(HeapType.Eq, HeapType.I31));
        Assert.False(Subtyping.Matches(HeapType.None, HeapType.Func));
        Assert.False(Subtyping.Matches(HeapType.NoFunc, HeapType.Any));
        Assert.False(Subtyping.Matches(HeapType.Func, HeapType.Any));
        Assert.False(Subtyping.Matches(HeapType.Extern, HeapType.Any));
        Assert.False(Subtyping.Matches(HeapType.Exn, HeapType.Extern));
        Assert.True(Subtyping.Matches(ValType.Ref(HeapType.Func, false), ValType.FuncRef));
        Assert.False(Subtyping.Matches(ValType.FuncRef, ValType.Ref(HeapType.Func, false)));
        Assert.True(Subtyping.Matches(ValType.Bottom, ValType.I64));
        Assert.False(Subtyping.Matches(ValType.I32, ValType.I64));
    }

    [Fact]
    public void Concrete_types_match_their_abstract_supertypes_and_declared_chain()
    {
        var module = new Module();
        var a = module.AddRecGroup(Sub(Struct(Field(I32))));
        var b = module.AddRecGroup(Sub(Struct(Field(I32), Field(I64)), [a]));
        var f = module.AddRecGroup(Sub(Sig([], [])));
        var arr = module.AddRecGroup(Sub(new ArrayType(Field(I32, mutable: true))));
        var v = Valid(module);
        HeapType H(uint i) => v.Types[(int)i].HeapType;
        Assert.True(Subtyping.Matches(H(b), H(a)));
        Assert.False(Subtyping.Matches(H(a), H(b)));
        Assert.True(Subtyping.Matches(H(b), HeapType.Struct));
        Assert.True(Subtyping.Matches(H(b), HeapType.Eq));
        Assert.False(Subtyping.Matches(H(b), HeapType.Array));
        Assert.True(Subtyping.Matches(H(arr), HeapType.Array));
        Assert.True(Subtyping.Matches(H(f), HeapType.Func));
        Assert.False(Subtyping.Matches(H(f), HeapType.Any));
        Assert.True(Subtyping.Matches(HeapType.None, H(a)));
        Assert.True(Subtyping.Matches(HeapType.NoFunc, H(f)));
        Assert.False(Subtyping.Matches(HeapType.NoFunc, H(a)));
        Assert.False(Subtyping.Matches(HeapType.None, H(f)));
        Assert.Equal(HeapType.Any, Subtyping.TopOf(H(arr)));
        Assert.Equal(HeapType.Func, Subtyping.TopOf(H(f)));
        Assert.Equal(HeapType.NoFunc, Subtyping.BottomOf(H(f)));
    }

    [Fact]
    public void Structurally_identical_rec_groups_are_the_same_type_within_and_across_modules()
    {
        Module Make()
        {
            var module = new Module();
            // (rec (type $t (struct (field (ref null $u)))) (type $u (struct (field (ref null $t)))))
            module.AddRecGroup(
                new SubType(Struct(Field(Ref(1, nullable: true)))),
                new SubType(Struct(Field(Ref(0, nullable: true)))));
            module.AddRecGroup(
                new SubType(Struct(Field(Ref(3, nullable: true)))),
                new SubType(Struct(Field(Ref(2, nullable: true)))));
            // A plain function type over the first group, twice.
            module.AddType(Sig([Ref(0)], []));
            module.AddType(Sig([Ref(2)], []));
            return module;
        }
        var one = Valid(Make());
        var two = Valid(Make());
        Assert.Same(one.Types[0], one.Types[2]);
        Assert.Same(one.Types[1], one.Types[3]);
        Assert.NotSame(one.Types[0], one.Types[1]);
        Assert.Same(one.Types[4], one.Types[5]);
        Assert.Same(one.Types[0], two.Types[0]);
        Assert.Same(one.Types[4], two.Types[4]);
    }

    [Fact]
    public void Canonicalization_is_thread_safe()
    {
        static Module Make(int variant)
        {
            var module = new Module();
            // A group unique to this test run, so that all threads race to intern it first.
            module.AddRecGroup(
                new SubType(Struct(Field(Ref(1, nullable: true)), Field(I32)), null, final: false),
                new SubType(new ArrayType(Field(Ref(0, nullable: true), mutable: true))));
            module.AddType(Sig([Ref(0)], [Ref(1)]));
            for (var i = 0; i < variant % 5; i++)
            {
                module.AddType(Struct(Field(F64), Field(F64), Field(F32), Field(I64)));
            }
            return module;
        }
        var results = new ValidatedModule[64];
        Parallel.For(0, results.Length, i => results[i] = Valid(Make(i)));
        foreach (var result in results)
        {
            Assert.Same(results[0].Types[0], result.Types[0]);
            Assert.Same(results[0].Types[1], result.Types[1]);
            Assert.Same(results[0].Types[2], result.Types[2]);
            Assert.Same(result.Types[0], TypeRegistry.Get(result.Types[0].Id));
        }
    }

    [Fact]
    public void Rec_groups_with_different_structure_or_order_are_distinct()
    {
        var module = new Module();
        module.AddRecGroup(new SubType(Struct(Field(I32))), new SubType(Struct(Field(I64))));
        module.AddRecGroup(new SubType(Struct(Field(I64))), new SubType(Struct(Field(I32))));
        module.AddType(Struct(Field(I32)));
        var v = Valid(module);
        Assert.NotSame(v.Types[0], v.Types[3]);
        Assert.NotSame(v.Types[0], v.Types[4]);
        // A final type and a non-final one with the same body differ.
        module = new Module();
        module.AddRecGroup(new SubType(Struct(), null, final: true));
        module.AddRecGroup(new SubType(Struct(), null, final: false));
        v = Valid(module);
        Assert.NotSame(v.Types[0], v.Types[1]);
    }

    [Fact]
    public void Equivalent_types_are_interchangeable_in_code()
    {
        // Two separately declared but identical function types: a function of one can be called via the other.
        var module = new Module();
        var t1 = module.AddType(Sig([I32], [I32]));
        var t2 = module.AddType(Sig([I32], [I32]));
        var t3 = module.AddType(Sig([Ref(t2)], [I32]));
        module.AddFunc(t3, [], I32Const(), Op(Opcode.LocalGet, 0), Op(Opcode.CallRef, t1));
        Valid(module);
    }

    [Fact]
    public void Type_references_must_be_defined()
    {
        var module = new Module();
        module.AddType(Sig([Ref(1)], []));
        module.AddType(Sig([], []));
        Invalid(module, "unknown type 1");
        module = new Module();
        module.AddRecGroup(new SubType(Sig([Ref(1)], [])), new SubType(Sig([], [])));
        Valid(module);
        module = new Module();
        module.AddRecGroup(new SubType(Sig([Ref(2)], [])), new SubType(Sig([], [])));
        Invalid(module, "unknown type 2");
    }

    [Fact]
    public void Sub_type_declarations_are_checked()
    {
        // Supertype is final.
        var module = new Module();
        module.AddType(Sig([], []));
        module.AddRecGroup(Sub(Sig([], []), [0]));
        Invalid(module, "sub type 1 has final super type 0");

        // Supertype of another kind.
        module = new Module();
        module.AddRecGroup(Sub(new ArrayType(Field(I32))));
        module.AddRecGroup(Sub(Struct(), [0]));
        Invalid(module, "sub type 1 does not match super type 0");

        // Immutable fields are covariant, mutable ones invariant.
        module = new Module();
        module.AddRecGroup(Sub(new ArrayType(Field(ValType.AnyRef))));
        module.AddRecGroup(Sub(new ArrayType(Field(ValType.EqRef)), [0]));
        Valid(module);
        module = new Module();
        module.AddRecGroup(Sub(new ArrayType(Field(ValType.AnyRef, mutable: true))));
        module.AddRecGroup(Sub(new ArrayType(Field(ValType.EqRef, mutable: true)), [0]));
        Invalid(module, "sub type 1 does not match super type 0");
        module = new Module();
        module.AddRecGroup(Sub(new ArrayType(Field(I32))));
        module.AddRecGroup(Sub(new ArrayType(Field(I32, mutable: true)), [0]));
        Invalid(module, "sub type 1 does not match super type 0");

        // Function subtyping: contravariant parameters, covariant results.
        module = new Module();
        module.AddRecGroup(Sub(Sig([ValType.EqRef], [ValType.AnyRef])));
        module.AddRecGroup(Sub(Sig([ValType.AnyRef], [ValType.EqRef]), [0]));
        Valid(module);
        module = new Module();
        module.AddRecGroup(Sub(Sig([ValType.AnyRef], [])));
        module.AddRecGroup(Sub(Sig([ValType.EqRef], []), [0]));
        Invalid(module, "sub type 1 does not match super type 0");

        // Struct width subtyping.
        module = new Module();
        module.AddRecGroup(Sub(Struct(Field(I32))));
        module.AddRecGroup(Sub(Struct(), [0]));
        Invalid(module, "sub type 1 does not match super type 0");

        // Supertypes must come earlier, also within a group.
        module = new Module();
        module.AddRecGroup(Sub(Struct(), [1]), Sub(Struct()));
        Invalid(module, "forward use of type 1 in sub type definition");
        module = new Module();
        module.AddRecGroup(Sub(Struct()), Sub(Struct(Field(Ref(1, nullable: true))), [0]));
        Valid(module);
        module = new Module();
        module.AddRecGroup(Sub(Struct(), [5]));
        Invalid(module, "unknown type 5");
        module = new Module();
        module.AddType(Struct());
        module.AddRecGroup(Sub(Struct()));
        module.AddRecGroup(Sub(Struct(), [0, 1]));
        InvalidPrefix(module, "sub type 2");
    }

    [Fact]
    public void Declared_subtyping_makes_recursive_types_match()
    {
        // (rec (type $a (sub (struct (field (ref null $a))))) (type $b (sub $a (struct (field (ref null $b))))))
        var module = new Module();
        module.AddRecGroup(
            Sub(Struct(Field(Ref(0, nullable: true)))),
            Sub(Struct(Field(Ref(1, nullable: true))), [0]));
        var v = Valid(module);
        Assert.True(Subtyping.Matches(v.Types[1].HeapType, v.Types[0].HeapType));
        Assert.Equal(1, v.Types[1].Depth);
    }

    [Fact]
    public void Cast_instructions_use_the_type_hierarchy()
    {
        var module = new Module();
        var s = module.AddRecGroup(Sub(Struct(Field(I32))));
        var t = module.AddRecGroup(Sub(Struct(Field(I32), Field(I32)), [s]));
        var f = module.AddType(Sig([ValType.AnyRef], [ValType.Ref(HeapType.Concrete(t), true)]));
        module.AddFunc(f, [], Op(Opcode.LocalGet, 0), Instruction.WithHeapType(Opcode.RefCastNull, HeapType.Concrete(t)));
        var g = module.AddType(Sig([ValType.AnyRef], [I32]));
        module.AddFunc(g, [], Op(Opcode.LocalGet, 0), Instruction.WithHeapType(Opcode.RefTest, HeapType.Concrete(s)));
        Valid(module);

        // ref.cast from a func reference to a struct type: the operand must be in the any hierarchy.
        module = new Module();
        s = module.AddType(Struct());
        f = module.AddType(Sig([ValType.FuncRef], []));
        module.AddFunc(f, [], Op(Opcode.LocalGet, 0), Instruction.WithHeapType(Opcode.RefCast, HeapType.Concrete(s)), Op(Opcode.Drop));
        Invalid(module, "type mismatch: instruction requires [(ref null any)] but stack has [(ref null func)]");

        // br_on_cast: target must be a subtype of the source; label gets the target, fallthrough the difference.
        module = new Module();
        s = module.AddType(Struct());
        f = module.AddType(Sig([ValType.AnyRef], [ValType.AnyRef]));
        module.AddFunc(f, [],
            Block(Opcode.Block, ValType.Ref(HeapType.Concrete(s), false)),
            Op(Opcode.LocalGet, 0),
            Instruction.BrOnCast(Opcode.BrOnCast, 0, ValType.AnyRef, ValType.Ref(HeapType.Concrete(s), false)),
            Op(Opcode.Return),
            End);
        Valid(module);
        module = new Module();
        s = module.AddType(Struct());
        f = module.AddType(Sig([ValType.AnyRef], [ValType.AnyRef]));
        module.AddFunc(f, [],
            Block(Opcode.Block, ValType.Ref(HeapType.Concrete(s), false)),
            Op(Opcode.LocalGet, 0),
            Instruction.BrOnCast(Opcode.BrOnCast, 0, ValType.Ref(HeapType.Concrete(s), true), ValType.AnyRef),
            Op(Opcode.Return),
            End);
        Invalid(module, "type mismatch on cast: type (ref null any) does not match (ref null 0)");
        module = new Module();
        s = module.AddType(Struct());
        f = module.AddType(Sig([ValType.AnyRef], [ValType.AnyRef]));
        module.AddFunc(f, [],
            Block(Opcode.Block, ValType.Ref(HeapType.Concrete(s), false)),
            Op(Opcode.LocalGet, 0),
            Instruction.BrOnCast(Opcode.BrOnCast, 0, ValType.AnyRef, ValType.Ref(HeapType.Concrete(s), true)),
            Op(Opcode.Return),
            End);
        Invalid(module, "type mismatch: instruction requires type (ref null 0) but label has [(ref 0)]");
        // br_on_cast_fail sends the difference (non-null when the target is nullable) to the label.
        module = new Module();
        s = module.AddType(Struct());
        f = module.AddType(Sig([ValType.AnyRef], [ValType.AnyRef]));
        module.AddFunc(f, [],
            Block(Opcode.Block, ValType.Ref(HeapType.Any, false)),
            Op(Opcode.LocalGet, 0),
            Instruction.BrOnCast(Opcode.BrOnCastFail, 0, ValType.AnyRef, ValType.Ref(HeapType.Concrete(s), true)),
            Op(Opcode.Return),
            End);
        Valid(module);
    }

    [Fact]
    public void Struct_and_array_instructions()
    {
        var module = new Module();
        var s = module.AddType(Struct(Field(I32, mutable: true), new FieldType(StorageType.I8, false)));
        var a = module.AddType(new ArrayType(new FieldType(StorageType.I16, true)));
        var ai = module.AddType(new ArrayType(Field(I64)));
        var f = module.AddType(Sig([], [I32]));
        module.AddFunc(f, [], I32Const(), I32Const(), Op(Opcode.StructNew, s), Op(Opcode.StructGetS, s, 1));
        module.AddFunc(f, [], Op(Opcode.StructNewDefault, s), Op(Opcode.StructGet, s, 0));
        module.AddFunc(f, [], Op(Opcode.StructNewDefault, s), I32Const(), Op(Opcode.StructSet, s, 0), I32Const());
        module.AddFunc(f, [], I32Const(), I32Const(), Op(Opcode.ArrayNew, a), I32Const(), Op(Opcode.ArrayGetU, a));
        module.AddFunc(f, [], I32Const(), I32Const(), I32Const(), Instruction.ArrayNewFixed(a, 3), Op(Opcode.ArrayLen));
        module.AddFunc(f, [], I32Const(), Op(Opcode.ArrayNewDefault, a), I32Const(), I32Const(), I32Const(), Op(Opcode.ArrayFill, a), I32Const());
        Valid(module);

        Module One(params Instruction[] body)
        {
            var m = new Module();
            var st = m.AddType(Struct(Field(I32, mutable: true), new FieldType(StorageType.I8, false), Field(Ref(0))));
            m.AddType(new ArrayType(new FieldType(StorageType.I16, true)));
            m.AddType(new ArrayType(Field(I64)));
            m.AddType(new ArrayType(Field(ValType.FuncRef, true)));
            var ft = m.AddType(Sig([], []));
            m.AddFunc(ft, [], body);
            return m;
        }
        Invalid(One(Op(Opcode.StructNewDefault, 0), Op(Opcode.Drop)), "field type is not defaultable");
        Invalid(One(Op(Opcode.Unreachable), Op(Opcode.StructGet, 0, 1), Op(Opcode.Drop)), "field is packed");
        Invalid(One(Op(Opcode.Unreachable), Op(Opcode.StructGetU, 0, 0), Op(Opcode.Drop)), "field is unpacked");
        Invalid(One(Op(Opcode.Unreachable), Op(Opcode.StructSet, 0, 1)), "immutable field");
        Invalid(One(Op(Opcode.Unreachable), Op(Opcode.StructGet, 0, 3), Op(Opcode.Drop)), "unknown field 3");
        Invalid(One(Op(Opcode.Unreachable), Op(Opcode.ArraySet, 2)), "immutable array");
        Invalid(One(Op(Opcode.Unreachable), Op(Opcode.ArrayGet, 1), Op(Opcode.Drop)), "array is packed");
        Invalid(One(Op(Opcode.Unreachable), Op(Opcode.ArrayGetS, 2), Op(Opcode.Drop)), "array is unpacked");
        Invalid(One(Op(Opcode.Unreachable), Op(Opcode.ArrayCopy, 1, 2)), "array types do not match");
        Invalid(One(Op(Opcode.Unreachable), Op(Opcode.ArrayCopy, 2, 2)), "immutable array");
        Invalid(One(Op(Opcode.Unreachable), Op(Opcode.ArrayNewData, 3, 0), Op(Opcode.Drop)), "unknown data segment 0");
        Invalid(One(Op(Opcode.Unreachable), Op(Opcode.StructNew, 1), Op(Opcode.Drop)), "non-structure type 1");
        Invalid(One(Op(Opcode.Unreachable), Op(Opcode.ArrayLen), Op(Opcode.StructNew, 9), Op(Opcode.Drop)), "unknown type 9");

        var withData = One(Op(Opcode.Unreachable), Op(Opcode.ArrayNewData, 3, 0), Op(Opcode.Drop));
        withData.Data.Add(new DataSegment(SegmentMode.Passive, Array.Empty<byte>()));
        Invalid(withData, "array type is not numeric or vector");
        var withElem = One(Op(Opcode.Unreachable), Op(Opcode.ArrayNewElem, 2, 0), Op(Opcode.Drop));
        withElem.Elements.Add(new ElementSegment(SegmentMode.Passive, ValType.FuncRef, []));
        Invalid(withElem, "type mismatch: element segment's type (ref null func) does not match array's field type i64");
        withElem = One(Op(Opcode.Unreachable), Op(Opcode.ArrayInitElem, 3, 0));
        withElem.Elements.Add(new ElementSegment(SegmentMode.Passive, ValType.FuncRef, []));
        Valid(withElem);
    }

    [Fact]
    public void I31_and_extern_conversions()
    {
        Valid(Func(Sig([], [I32]), I32Const(), Op(Opcode.RefI31), Op(Opcode.I31GetS)));
        Valid(Func(Sig([ValType.ExternRef], [ValType.AnyRef]), Op(Opcode.LocalGet, 0), Op(Opcode.AnyConvertExtern)));
        Valid(Func(Sig([ValType.Ref(HeapType.Extern, false)], [ValType.Ref(HeapType.Any, false)]), Op(Opcode.LocalGet, 0), Op(Opcode.AnyConvertExtern)));
        Invalid(Func(Sig([ValType.ExternRef], [ValType.Ref(HeapType.Any, false)]), Op(Opcode.LocalGet, 0), Op(Opcode.AnyConvertExtern)),
            "type mismatch: instruction requires [(ref any)] but stack has [(ref null any)]");
        Valid(Func(Sig([ValType.I31Ref], [ValType.ExternRef]), Op(Opcode.LocalGet, 0), Op(Opcode.ExternConvertAny)));
        Invalid(Func(Sig([ValType.FuncRef], [ValType.ExternRef]), Op(Opcode.LocalGet, 0), Op(Opcode.ExternConvertAny)),
            "type mismatch: instruction requires [(ref null any)] but stack has [(ref null func)]");
        Valid(Func(Sig([ValType.I31Ref, ValType.StructRef], [I32]), Op(Opcode.LocalGet, 0), Op(Opcode.LocalGet, 1), Op(Opcode.RefEq)));
        Invalid(Func(Sig([ValType.AnyRef, ValType.StructRef], [I32]), Op(Opcode.LocalGet, 0), Op(Opcode.LocalGet, 1), Op(Opcode.RefEq)),
            "type mismatch: instruction requires [(ref null eq) (ref null eq)] but stack has [(ref null any) (ref null struct)]");
    }
}
