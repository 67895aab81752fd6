using WasmHarness.Syntax;
using WasmHarness.Text;

namespace WasmHarness.Tests.Text;

public sealed class WatParserTests
{
    private static Module Parse(string text) => WatParser.ParseModule(text, "test.wat");

    /// <summary>Asserts two modules are the same in every component the model has.</summary>
    internal static void AssertSameModule(Module expected, Module actual)
    {
        Assert.Equal(expected.Types, actual.Types);
        Assert.Equal(expected.Imports, actual.Imports);
        Assert.Equal(expected.Functions, actual.Functions);
        Assert.Equal(expected.Tables, actual.Tables);
        Assert.Equal(expected.Memories, actual.Memories);
        Assert.Equal(expected.Globals, actual.Globals);
        Assert.Equal(expected.Tags, actual.Tags);
        Assert.Equal(expected.Exports, actual.Exports);
        Assert.Equal(expected.Start, actual.Start);
        Assert.Equal(expected.Elements, actual.Elements);
        Assert.Equal(expected.Data, actual.Data);
    }

    [Theory]
    // Inline exports and inline signatures.
    [InlineData(
        """(func (export "f") (param i32) (result i32) (local.get 0))""",
        """(type (func (param i32) (result i32))) (func (type 0) (param i32) (result i32) local.get 0) (export "f" (func 0))""")]
    // Folded and plain instructions.
    [InlineData(
        "(func (result i32) (i32.add (i32.const 1) (i32.mul (i32.const 2) (i32.const 3))))",
        "(func (result i32) i32.const 1 i32.const 2 i32.const 3 i32.mul i32.add)")]
    [InlineData(
        "(func (param i32) (result i32) (if (result i32) (local.get 0) (then (i32.const 1)) (else (i32.const 2))))",
        "(func (param i32) (result i32) local.get 0 if (result i32) i32.const 1 else i32.const 2 end)")]
    [InlineData(
        "(func (block $a (loop $b (br_if $b (i32.const 0)) (br $a))))",
        "(func block loop i32.const 0 br_if 0 br 1 end end)")]
    [InlineData(
        "(func block $x end $x)",
        "(func (block))")]
    // Inline imports.
    [InlineData(
        """(func $f (import "m" "f") (param i32)) (global (import "m" "g") (mut i64)) (memory (import "m" "mem") 1) (table (import "m" "t") 2 funcref)""",
        """(import "m" "f" (func (param i32))) (import "m" "g" (global (mut i64))) (import "m" "mem" (memory 1)) (import "m" "t" (table 2 funcref))""")]
    // Inline element segments and data.
    [InlineData(
        "(func $f) (func $g) (table funcref (elem $f $g))",
        "(func) (func) (table 2 2 funcref) (elem (table 0) (i32.const 0) funcref (ref.func 0) (ref.func 1))")]
    [InlineData(
        "(func $f) (table funcref (elem func $f))",
        "(func) (table 1 1 funcref) (elem (table 0) (i32.const 0) func 0)")]
    [InlineData(
        "(func $f) (table $t i64 funcref (elem (ref.func $f) (ref.null func)))",
        "(func) (table i64 2 2 funcref) (elem (table 0) (i64.const 0) funcref (item ref.func 0) (item ref.null func))")]
    [InlineData(
        """(memory i64 (data "abc" "def"))""",
        """(memory i64 1 1) (data (memory 0) (i64.const 0) "abcdef")""")]
    [InlineData(
        "(func $f) (table 1 funcref) (elem (i32.const 0) $f)",
        "(func) (table 1 funcref) (elem (table 0) (offset (i32.const 0)) func 0)")]
    [InlineData(
        "(func $f) (elem declare func $f) (elem funcref (item ref.func $f) (ref.null func))",
        "(func) (elem declare func 0) (elem funcref (item (ref.func 0)) (item ref.null func))")]
    [InlineData(
        """(memory 1) (data (i32.const 8) "x")""",
        """(memory 1) (data (memory 0) (offset i32.const 8) "x")""")]
    // Type uses: reuse of an explicit type, implicit types appended after all explicit ones.
    [InlineData(
        "(func (param i64)) (type (func (param i32))) (func (param i32))",
        "(type (func (param i32))) (type (func (param i64))) (func (type 1)) (func (type 0))")]
    [InlineData(
        "(type $t (func (param i32))) (func (type $t) (param $x i32) (local.get $x))",
        "(type (func (param i32))) (func (type 0) local.get 0)")]
    // A type in a recursive group is not reused by an inline signature.
    [InlineData(
        "(rec (type (func)) (type (struct))) (type (sub (func))) (func)",
        "(rec (type (func)) (type (struct))) (type (sub (func))) (type (func)) (func (type 3))")]
    // ... but a group of one is a plain type definition.
    [InlineData(
        "(rec (type (func))) (func)",
        "(type (func)) (func (type 0))")]
    // Block types with several values get a type index.
    [InlineData(
        "(func (block (param i32) (result i32 i32) unreachable))",
        "(type (func)) (type (func (param i32) (result i32 i32))) (func (type 0) (block (type 1) unreachable))")]
    // Memory arguments.
    [InlineData(
        "(memory 1) (func (drop (i32.load offset=0x10 align=2 (i32.const 0))))",
        "(memory 1) (func i32.const 0 i32.load 0 offset=16 align=2 drop)")]
    // Named locals, params and globals.
    [InlineData(
        "(global $g (mut i32) (i32.const 0)) (func (param $a i32) (local $b i32) (global.set $g (local.get $b)) (local.set $a (i32.const 1)))",
        "(global (mut i32) (i32.const 0)) (func (param i32) (local i32) local.get 1 global.set 0 i32.const 1 local.set 0)")]
    // call_indirect with table and type.
    [InlineData(
        "(type $t (func)) (table $a 1 funcref) (table $b 1 funcref) (func (call_indirect $b (type $t) (i32.const 0)))",
        "(type (func)) (table 1 funcref) (table 1 funcref) (func i32.const 0 call_indirect 1 (type 0))")]
    // v128 constants of every shape.
    [InlineData(
        "(func (result v128) (v128.const i32x4 1 2 3 -1))",
        "(func (result v128) (v128.const i8x16 1 0 0 0 2 0 0 0 3 0 0 0 0xff 0xff 0xff 0xff))")]
    [InlineData(
        "(func (result v128) (v128.const f32x4 1.0 -0 inf nan))",
        "(func (result v128) (v128.const i32x4 0x3f800000 0x80000000 0x7f800000 0x7fc00000))")]
    // Struct fields by name.
    [InlineData(
        "(type $s (struct (field $a i32) (field $b (mut i64)))) (func (param (ref $s)) (drop (struct.get $s $b (local.get 0))))",
        "(type (struct (field i32) (field (mut i64)))) (func (param (ref 0)) local.get 0 struct.get 0 1 drop)")]
    // Reference type abbreviations.
    [InlineData(
        "(global funcref (ref.null func)) (global externref (ref.null extern)) (global anyref (ref.null any)) (global exnref (ref.null exn))",
        "(global (ref null func) (ref.null func)) (global (ref null extern) (ref.null extern)) (global (ref null any) (ref.null any)) (global (ref null exn) (ref.null exn))")]
    public void AbbreviationExpandsToLongForm(string abbreviated, string expanded) =>
        AssertSameModule(Parse($"(module {expanded})"), Parse(abbreviated));

    [Fact]
    public void RefTestAndCastPickNullableOpcodes()
    {
        var module = Parse("(type $t (struct)) (func (param anyref) (drop (ref.test (ref null $t) (local.get 0))) (drop (ref.cast (ref $t) (local.get 0))) (drop (ref.cast anyref (local.get 0))))");
        var opcodes = module.Functions[0].Body.Instructions.Select(i => i.Opcode).ToList();
        Assert.Contains(Opcode.RefTestNull, opcodes);
        Assert.Contains(Opcode.RefCast, opcodes);
        Assert.Contains(Opcode.RefCastNull, opcodes);
        var cast = module.Functions[0].Body.Instructions.First(i => i.Opcode == Opcode.RefCast);
        Assert.Equal(HeapType.Concrete(0), cast.HeapType);
    }

    [Fact]
    public void TryTableCatchesAndLegacyTry()
    {
        var module = Parse("""
            (tag $e (param i32))
            (func (result i32)
              (block $h (result i32)
                (try_table (catch $e $h) (catch_all 0)
                  (throw $e (i32.const 1)))
                (i32.const 0)))
            (func
              (try $t (do (nop)) (catch $e (drop)) (catch_all (rethrow $t))))
            (func
              (block $outer (try (do) (delegate $outer))))
            """);
        var tryTable = module.Functions[0].Body.Instructions.First(i => i.Opcode == Opcode.TryTable);
        Assert.Equal([new CatchClause(CatchKind.Catch, 0, 0), new CatchClause(CatchKind.CatchAll, 0, 0)], tryTable.Catches);
        Assert.Equal(
            [Opcode.Try, Opcode.Nop, Opcode.Catch, Opcode.Drop, Opcode.CatchAll, Opcode.Rethrow, Opcode.End, Opcode.End],
            module.Functions[1].Body.Instructions.Select(i => i.Opcode));
        Assert.Equal(0u, module.Functions[1].Body.Instructions[5].Index);
        var delegateInstruction = module.Functions[2].Body.Instructions.First(i => i.Opcode == Opcode.Delegate);
        Assert.Equal(0u, delegateInstruction.Index);
    }

    [Fact]
    public void SelectTypedAndBrTable()
    {
        var module = Parse("(func (param i32) (result i32) (block $a (block $b (br_table $a $b 0 (local.get 0)))) (select (result i32) (i32.const 1) (i32.const 2) (local.get 0)))");
        var instructions = module.Functions[0].Body.Instructions;
        var table = instructions.First(i => i.Opcode == Opcode.BrTable).BranchTable;
        Assert.Equal([1u, 0u], table.Labels);
        Assert.Equal(0u, table.Default);
        Assert.Equal([ValType.I32], instructions.First(i => i.Opcode == Opcode.SelectTyped).SelectTypes);
    }

    [Fact]
    public void ShuffleLaneAndMemArgLane()
    {
        var module = Parse("(memory $m 1) (memory $n 1) (func (param v128) (result v128) (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31 (local.get 0) (local.get 0)) (v128.load8_lane $n offset=3 15 (i32.const 0)) (v128.load16_lane 1 (i32.const 0)) drop drop)");
        var instructions = module.Functions[0].Body.Instructions;
        var shuffle = instructions.First(i => i.Opcode == Opcode.I8x16Shuffle);
        Assert.Equal(31, shuffle.V128.ToBytes()[15]);
        var load8 = instructions.First(i => i.Opcode == Opcode.V128Load8Lane);
        Assert.Equal(new MemArg(0, 3, 1), load8.MemArg);
        Assert.Equal(15, load8.LaneIndex);
        var load16 = instructions.First(i => i.Opcode == Opcode.V128Load16Lane);
        Assert.Equal(new MemArg(1, 0, 0), load16.MemArg);
        Assert.Equal(1, load16.LaneIndex);
    }

    [Fact]
    public void TablesMemoriesWithAddressTypesAndLimits()
    {
        var module = Parse("(table $t i64 1 10 (ref null func)) (memory i64 2) (memory 0 65536) (table 0 externref (ref.null extern))");
        Assert.Equal(new TableType(new Limits(1, 10, AddressType.I64), ValType.FuncRef), module.Tables[0].Type);
        Assert.Null(module.Tables[0].Init);
        Assert.Equal(new MemoryType(new Limits(2, null, AddressType.I64)), module.Memories[0]);
        Assert.Equal(new MemoryType(new Limits(0, 65536)), module.Memories[1]);
        Assert.Equal(Expression.Of(Instruction.WithHeapType(Opcode.RefNull, HeapType.Extern)), module.Tables[1].Init);
    }

    [Fact]
    public void RecursiveAndSubTypes()
    {
        var module = Parse("(rec (type $a (sub (struct (field (ref null $b))))) (type $b (sub final $a (struct (field (ref null $b)) (field i8))))) (type $c (array (mut i16)))");
        Assert.Equal(2, module.Types.Count);
        var a = module.Types[0].Types[0];
        var b = module.Types[0].Types[1];
        Assert.False(a.Final);
        Assert.True(b.Final);
        Assert.Equal([0u], b.Supertypes);
        var fields = ((StructType)b.Body).Fields;
        Assert.Equal(ValType.Ref(HeapType.Concrete(1), true), fields[0].Storage.Type);
        Assert.Equal(StorageType.I8, fields[1].Storage);
        Assert.Equal(new ArrayType(new FieldType(StorageType.I16, true)), module.Types[1].Types[0].Body);
    }

    [Fact]
    public void NamesAndExportsAreKept()
    {
        var module = Parse("""(module $m (func $f (export "a") (export "b")) (func $g) (start $g))""");
        Assert.Equal("m", module.Name);
        Assert.Equal("f", module.FunctionNames[0]);
        Assert.Equal([new Export("a", ExternKind.Function, 0), new Export("b", ExternKind.Function, 0)], module.Exports);
        Assert.Equal(1u, module.Start);
    }

    [Fact]
    public void StringsWithEscapes()
    {
        var module = Parse("""(memory 1) (data (i32.const 0) "\00\ff\n\t\\\"\u{1F600}é")""");
        Assert.Equal(
            new byte[] { 0x00, 0xFF, 0x0A, 0x09, 0x5C, 0x22, 0xF0, 0x9F, 0x98, 0x80, 0xC3, 0xA9 },
            module.Data[0].Bytes.ToArray());
    }

    [Theory]
    [InlineData("(module\n  (func (result i32)\n    (i32.const 0x)))", "unknown operator 0x", 3, 16)]
    [InlineData("(module (func (i32.const 4294967296)))", "constant out of range", 1, 26)]
    [InlineData("(module (func (br $l)))", "unknown label $l", 1, 19)]
    [InlineData("(module (func (call $f)))", "unknown function $f", 1, 21)]
    [InlineData("(module (func $f) (func $f))", "duplicate function $f", 1, 25)]
    [InlineData("(module (func (local $x i32) (local $x i32)))", "duplicate local $x", 1, 37)]
    [InlineData("(module (type (func)) (func (type 0) (param i32)))", "inline function type does not match explicit type", 1, 35)]
    [InlineData("(module (func block $a end $b))", "mismatching label", 1, 28)]
    [InlineData("(module (func) (import \"m\" \"f\" (func)))", "import after function definition", 1, 17)]
    [InlineData("(module (memory 1) (func (drop (i32.load align=3 (i32.const 0)))))", "alignment must be a power of two", 1, 42)]
    [InlineData("(module (func (v128.const i32x4 1 2 3) drop))", "wrong number of lane literals", 1, 16)]
    [InlineData("(module (func (i8x16.extract_lane_s 256 (v128.const i64x2 0 0)) drop))", "i8 constant out of range", 1, 37)]
    [InlineData("(module (func \"\\ff\"))", "unexpected token", 1, 15)]
    [InlineData("(module (export \"\\ff\" (func 0)) (func))", "malformed UTF-8 encoding", 1, 17)]
    [InlineData("(module (func (nop) (; unclosed", "unclosed comment", 1, 21)]
    [InlineData("(module (func \"abc))", "unclosed string literal", 1, 15)]
    [InlineData("(module (func $))", "empty identifier", 1, 15)]
    [InlineData("(module (@ x))", "empty annotation id", 1, 9)]
    [InlineData("(module (start 0) (start 0) (func))", "multiple start sections", 1, 20)]
    [InlineData("(module (func (unknown_op)))", "unknown operator unknown_op", 1, 16)]
    [InlineData("(module (func i32.add $x))", "unexpected token", 1, 23)]
    [InlineData("(module (table 1 funcref) (func) (elem (table 0) (i32.const 0) 0))", "unexpected token", 1, 64)]
    public void ErrorsHaveSpecMessageAndPosition(string text, string reason, int line, int column)
    {
        var error = Assert.Throws<TextFormatException>(() => WatParser.ParseModule(text, "e.wat"));
        Assert.Equal(reason, error.Reason);
        Assert.Equal(new SourceLocation(line, column), error.Location);
        Assert.StartsWith($"e.wat:{line}:{column}: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidButWellFormedModulesParse()
    {
        // Out-of-range indices and type errors are the validator's business.
        var module = Parse("(func (result i32) (call 7) (local.get 99) (i64.const 0) (br 12)) (elem (table 3) (i32.const 0) func 9)");
        Assert.Equal(7u, module.Functions[0].Body.Instructions[0].Index);
        Assert.Equal(3u, module.Elements[0].Table);
    }

    [Fact]
    public void NonUtf8BytesInTextAreReported()
    {
        var text = Utf8Text.Decode([(byte)'(', (byte)'f', (byte)'u', (byte)'n', (byte)'c', (byte)' ', 0xFF, (byte)')']);
        var error = Assert.Throws<TextFormatException>(() => WatParser.ParseModule(text));
        Assert.Equal("malformed UTF-8 encoding", error.Reason);
    }

    [Fact]
    public void CustomAndNameAnnotations()
    {
        var module = Parse("""
            (module $id (@name "Modül")
              (type (func))
              (@custom "a" "x" "y")
              (@custom "b" (before global) "z")
              (@custom "c" (after func))
              (@custom "d" (before first))
              (func (@name "λ") (type 0))
              (@other (anything (goes)) here)
            )
            """);
        Assert.Equal("Modül", module.Name);
        Assert.Equal("λ", module.FunctionNames[0]);
        // In binary order, each after the last section present at or before its placement (as a decoder gives them).
        Assert.Equal(
            [
                new CustomSection("d", Array.Empty<byte>(), 0),
                new CustomSection("c", Array.Empty<byte>(), 3),
                new CustomSection("b", "z"u8.ToArray(), 3),
                new CustomSection("a", "xy"u8.ToArray(), 10),
            ],
            module.CustomSections);
    }

    [Theory]
    [InlineData("(@custom)", "@custom annotation: missing section name")]
    [InlineData("(@custom \"a\" (after types))", "@custom annotation: malformed section kind")]
    [InlineData("(@custom \"a\" (later type))", "@custom annotation: malformed placement")]
    [InlineData("(@custom \"a\" 4)", "@custom annotation: unexpected token")]
    [InlineData("(func (@custom \"a\"))", "misplaced @custom annotation")]
    [InlineData("(module (@name \"a\") (@name \"b\"))", "@name annotation: multiple module names")]
    [InlineData("(module (func) (@name \"a\"))", "misplaced @name annotation")]
    public void MalformedAnnotations(string text, string reason) =>
        Assert.Equal(reason, Assert.Throws<TextFormatException>(() => Parse(text)).Reason);

    [Fact]
    public void PlainLegacyTryWithNamedTags()
    {
        var module = Parse("(tag $e) (func try $t nop catch $e rethrow $t catch_all nop end $t)");
        Assert.Equal(
            [Opcode.Try, Opcode.Nop, Opcode.Catch, Opcode.Rethrow, Opcode.CatchAll, Opcode.Nop, Opcode.End, Opcode.End],
            module.Functions[0].Body.Instructions.Select(i => i.Opcode));
    }

    [Fact]
    public void DataCountWhereCodeNeedsIt()
    {
        Assert.Null(Parse("(memory 1) (data \"a\") (func)").DataCount);
        Assert.Equal(2u, Parse("(memory 1) (data \"a\") (data \"b\") (func (data.drop 1))").DataCount);
    }

    [Fact]
    public void DeepNestingIsAnErrorNotAStackOverflow()
    {
        var depth = 200_000;
        var text = "(func " + string.Concat(Enumerable.Repeat("(block ", depth)) + new string(')', depth + 1);
        var error = Assert.Throws<TextFormatException>(() => WatParser.ParseModule(text));
        Assert.Equal("nesting too deep", error.Reason);
        var plain = "(func " + string.Concat(Enumerable.Repeat("block ", depth)) + string.Concat(Enumerable.Repeat("end ", depth)) + ")";
        Assert.Equal("nesting too deep", Assert.Throws<TextFormatException>(() => WatParser.ParseModule(plain)).Reason);
    }

    [Fact]
    public void ModeratelyDeepNestingParses()
    {
        var depth = 1000;
        var module = Parse("(func " + string.Concat(Enumerable.Repeat("(block ", depth)) + new string(')', depth + 1));
        Assert.Equal(2 * depth + 1, module.Functions[0].Body.Instructions.Count);
    }

    [Theory]
    [InlineData("(module (func $f) (func $f) (func (i32.const 0x)))", "unknown operator 0x")]
    [InlineData("(module (func (br $l) (i32.const)))", "unexpected token")]
    [InlineData("(module (func (i32.const 99999999999) (local.get $x) nop nop (i64.const))", "unexpected token")]
    [InlineData("(module (func (call $f) (i32.const 99999999999)))", "unknown function $f")]
    [InlineData("(module (func (i32.const 99999999999) (call $f)))", "constant out of range")]
    public void SyntaxErrorsComeBeforeNameAndRangeErrors(string text, string reason) =>
        Assert.Equal(reason, Assert.Throws<TextFormatException>(() => WatParser.ParseModule(text)).Reason);
}
