using WasmHarness.Syntax;

namespace WasmHarness.Generator.Shapes;

/// <summary>What a tier must do with a shape: run it (and give <see cref="ExtremeShape.Expected"/>), or refuse it by a named limit.</summary>
public enum ShapeOutcome
{
    /// <summary>The module is within every limit: <c>run</c> returns the expected value on every tier.</summary>
    Runs,

    /// <summary>The module is beyond a <see cref="Validation.ModuleLimits"/> setting: compiling it names that limit.</summary>
    ExceedsLimit,
}

/// <summary>
/// One valid but extreme module: a shape scaled by <see cref="Size"/>, with the outcome this runtime promises for it
/// (a result within the engine's budgets, or an error naming the exceeded limit) and, for a limit, its name.
/// The module exports <c>run: [] -> [i32]</c>.
/// </summary>
public sealed record ExtremeShape(string Name, int Size, Module Module, ShapeOutcome Outcome, int Expected, string? Limit)
{
    public override string ToString() => $"{Name}({Size})";
}

/// <summary>
/// Valid modules of the shapes that stress an engine's implementation limits and its compilers' budgets (issue:
/// robustness). Each generator takes a size; the robustness tests run them small by default and at the sizes that
/// once crashed or hung the runtime in the nightly job, and the <c>shapes</c> fuzz target lets AFL++ pick shape and
/// size. Modules are built in memory (no text), so a depth the text parser could not read is still tested.
/// </summary>
public static class ExtremeShapes
{
    /// <summary>Every shape, by name: the function that builds it at a size.</summary>
    public static IReadOnlyDictionary<string, Func<int, ExtremeShape>> All { get; } = new Dictionary<string, Func<int, ExtremeShape>>(StringComparer.Ordinal)
    {
        ["deep-operand-stack"] = DeepOperandStack,
        ["many-results"] = ManyResults,
        ["wide-struct"] = WideStruct,
        ["array-new-fixed"] = ArrayNewFixed,
        ["sequential-try"] = SequentialTry,
        ["nested-try"] = NestedTry,
        ["nested-blocks"] = NestedBlocks,
        ["many-functions"] = ManyFunctions,
        ["tail-call-chain"] = TailCallChain,
        ["many-locals"] = ManyLocals,
        ["deep-subtypes"] = DeepSubtypes,
        ["wide-br-table"] = WideBrTable,
    };

    private static readonly Validation.ModuleLimits Limits = Validation.ModuleLimits.Default;

    /// <summary><paramref name="size"/> constants on the operand stack across a block boundary, then summed away.</summary>
    public static ExtremeShape DeepOperandStack(int size)
    {
        var body = new List<Instruction>();
        for (var i = 0; i < size; i++)
        {
            body.Add(Instruction.I32Const(1));
        }
        body.Add(Instruction.Block(Opcode.Block, BlockType.Empty));
        body.Add(Instruction.Simple(Opcode.End));
        for (var i = 1; i < size; i++)
        {
            body.Add(Instruction.Simple(Opcode.I32Add));
        }
        return Single("deep-operand-stack", size, [], body, ShapeOutcome.Runs, size, null);
    }

    /// <summary>A function with <paramref name="size"/> i32 results, called and all but the first dropped.</summary>
    public static ExtremeShape ManyResults(int size)
    {
        var module = new Module();
        module.Types.Add(Group(new FunctionType([], [ValType.I32])));
        module.Types.Add(Group(new FunctionType([], [.. Enumerable.Repeat(ValType.I32, size)])));
        var callee = new List<Instruction>();
        for (var i = 0; i < size; i++)
        {
            callee.Add(Instruction.I32Const(i + 7));
        }
        callee.Add(Instruction.Simple(Opcode.End));
        var run = new List<Instruction> { Instruction.WithIndex(Opcode.Call, 1) };
        for (var i = 1; i < size; i++)
        {
            run.Add(Instruction.Simple(Opcode.Drop));
        }
        run.Add(Instruction.Simple(Opcode.End));
        module.Functions.Add(new Function(0, [], new Expression(run)));
        module.Functions.Add(new Function(1, [], new Expression(callee)));
        module.Exports.Add(new Export("run", ExternKind.Function, 0));
        return Shape("many-results", size, module, size <= Limits.Results, 7, nameof(Validation.ModuleLimits.Results));
    }

    /// <summary><c>struct.new</c> of a struct with <paramref name="size"/> i32 fields; returns the last field.</summary>
    public static ExtremeShape WideStruct(int size)
    {
        var module = new Module();
        module.Types.Add(Group(new FunctionType([], [ValType.I32])));
        module.Types.Add(Group(new StructType([.. Enumerable.Repeat(new FieldType(new StorageType(ValType.I32), false), size)])));
        var body = new List<Instruction>();
        for (var i = 0; i < size; i++)
        {
            body.Add(Instruction.I32Const(i));
        }
        body.Add(Instruction.WithIndex(Opcode.StructNew, 1));
        body.Add(Instruction.WithIndices(Opcode.StructGet, 1, (uint)(size - 1)));
        body.Add(Instruction.Simple(Opcode.End));
        module.Functions.Add(new Function(0, [], new Expression(body)));
        module.Exports.Add(new Export("run", ExternKind.Function, 0));
        return Shape("wide-struct", size, module, size <= Limits.StructFields, size - 1, nameof(Validation.ModuleLimits.StructFields));
    }

    /// <summary><c>array.new_fixed</c> of <paramref name="size"/> values; returns the array's length.</summary>
    public static ExtremeShape ArrayNewFixed(int size)
    {
        var module = new Module();
        module.Types.Add(Group(new FunctionType([], [ValType.I32])));
        module.Types.Add(Group(new ArrayType(new FieldType(new StorageType(ValType.I32), true))));
        var body = new List<Instruction>();
        for (var i = 0; i < size; i++)
        {
            body.Add(Instruction.I32Const(i));
        }
        body.Add(Instruction.ArrayNewFixed(1, (uint)size));
        body.Add(Instruction.Simple(Opcode.ArrayLen));
        body.Add(Instruction.Simple(Opcode.End));
        module.Functions.Add(new Function(0, [], new Expression(body)));
        module.Exports.Add(new Export("run", ExternKind.Function, 0));
        return Shape("array-new-fixed", size, module, size <= Limits.ArrayNewFixedOperands, size, nameof(Validation.ModuleLimits.ArrayNewFixedOperands));
    }

    /// <summary><paramref name="size"/> <c>try_table</c>s one after another, each adding one to a local.</summary>
    public static ExtremeShape SequentialTry(int size)
    {
        // Each inside a block that its catch_all targets (label 0, outside the try_table).
        var body = new List<Instruction>();
        for (var i = 0; i < size; i++)
        {
            body.Add(Instruction.Block(Opcode.Block, BlockType.Empty));
            body.Add(Instruction.TryTable(BlockType.Empty, [new CatchClause(CatchKind.CatchAll, 0, 0)]));
            body.Add(Instruction.WithIndex(Opcode.LocalGet, 0));
            body.Add(Instruction.I32Const(1));
            body.Add(Instruction.Simple(Opcode.I32Add));
            body.Add(Instruction.WithIndex(Opcode.LocalSet, 0));
            body.Add(Instruction.Simple(Opcode.End));
            body.Add(Instruction.Simple(Opcode.End));
        }
        body.Add(Instruction.WithIndex(Opcode.LocalGet, 0));
        return Single("sequential-try", size, [new LocalGroup(1, ValType.I32)], body, ShapeOutcome.Runs, size, null);
    }

    /// <summary><paramref name="size"/> <c>try_table</c>s with <c>catch_all</c> (to the enclosing one) nested in one another, inside a block.</summary>
    public static ExtremeShape NestedTry(int size) =>
        Nested("nested-try", size, () => Instruction.TryTable(BlockType.Empty, [new CatchClause(CatchKind.CatchAll, 0, 0)]));

    /// <summary><paramref name="size"/> blocks nested in one another, inside a block.</summary>
    public static ExtremeShape NestedBlocks(int size) =>
        Nested("nested-blocks", size, () => Instruction.Block(Opcode.Block, BlockType.Empty));

    /// <summary><paramref name="size"/> small functions, each called once from <c>run</c>, which sums their results.</summary>
    public static ExtremeShape ManyFunctions(int size)
    {
        var module = new Module();
        module.Types.Add(Group(new FunctionType([], [ValType.I32])));
        var run = new List<Instruction> { Instruction.I32Const(0) };
        for (var i = 1; i <= size; i++)
        {
            run.Add(Instruction.WithIndex(Opcode.Call, (uint)i));
            run.Add(Instruction.Simple(Opcode.I32Add));
        }
        run.Add(Instruction.Simple(Opcode.End));
        module.Functions.Add(new Function(0, [], new Expression(run)));
        var one = new Expression([Instruction.I32Const(1), Instruction.Simple(Opcode.End)]);
        for (var i = 0; i < size; i++)
        {
            module.Functions.Add(new Function(0, [], one));
        }
        module.Exports.Add(new Export("run", ExternKind.Function, 0));
        return Shape("many-functions", size, module, size + 1 <= Limits.Functions, size, nameof(Validation.ModuleLimits.Functions));
    }

    /// <summary>
    /// <paramref name="size"/> functions, each tail-calling the next and the last returning <paramref name="size"/>: every
    /// function reaches all the others by direct calls (the JIT's first-call group), each runs once.
    /// </summary>
    public static ExtremeShape TailCallChain(int size)
    {
        var module = new Module();
        module.Types.Add(Group(new FunctionType([], [ValType.I32])));
        for (var i = 0; i < size - 1; i++)
        {
            module.Functions.Add(new Function(0, [], new Expression([Instruction.WithIndex(Opcode.ReturnCall, (uint)(i + 1)), Instruction.Simple(Opcode.End)])));
        }
        module.Functions.Add(new Function(0, [], new Expression([Instruction.I32Const(size), Instruction.Simple(Opcode.End)])));
        module.Exports.Add(new Export("run", ExternKind.Function, 0));
        return Shape("tail-call-chain", size, module, size <= Limits.Functions, size, nameof(Validation.ModuleLimits.Functions));
    }

    /// <summary>A function with <paramref name="size"/> i32 locals; the last one is set and returned.</summary>
    public static ExtremeShape ManyLocals(int size)
    {
        var last = (uint)(size - 1);
        var body = new List<Instruction>
        {
            Instruction.I32Const(42), Instruction.WithIndex(Opcode.LocalSet, last), Instruction.WithIndex(Opcode.LocalGet, last),
        };
        var shape = Single("many-locals", size, [new LocalGroup((uint)size, ValType.I32)], body, ShapeOutcome.Runs, 42, null);
        return size <= Limits.Locals ? shape : shape with { Outcome = ShapeOutcome.ExceedsLimit, Limit = nameof(Validation.ModuleLimits.Locals) };
    }

    /// <summary>A chain of <paramref name="size"/> struct subtypes; <c>ref.test</c> of the deepest against the root.</summary>
    public static ExtremeShape DeepSubtypes(int size)
    {
        var module = new Module();
        module.Types.Add(Group(new FunctionType([], [ValType.I32])));
        var empty = new StructType([]);
        module.Types.Add(new RecursiveType([new SubType(empty, [], final: false)]));
        for (var i = 1; i <= size; i++)
        {
            module.Types.Add(new RecursiveType([new SubType(empty, [(uint)i], final: false)]));
        }
        var deepest = (uint)(size + 1);
        var body = new List<Instruction>
        {
            Instruction.WithIndex(Opcode.StructNew, deepest),
            Instruction.WithHeapType(Opcode.RefTest, HeapType.Concrete(1)),
            Instruction.Simple(Opcode.End),
        };
        module.Functions.Add(new Function(0, [], new Expression(body)));
        module.Exports.Add(new Export("run", ExternKind.Function, 0));
        return Shape("deep-subtypes", size, module, size <= Limits.SubtypeDepth, 1, nameof(Validation.ModuleLimits.SubtypeDepth));
    }

    /// <summary>A <c>br_table</c> with <paramref name="size"/> labels (all the same block), taken with index 3.</summary>
    public static ExtremeShape WideBrTable(int size)
    {
        var body = new List<Instruction>
        {
            Instruction.Block(Opcode.Block, BlockType.Empty),
            Instruction.I32Const(3),
            Instruction.BrTable([.. Enumerable.Repeat(0u, size - 1)], 0),
            Instruction.Simple(Opcode.End),
            Instruction.I32Const(5),
        };
        var shape = Single("wide-br-table", size, [], body, ShapeOutcome.Runs, 5, null);
        return size <= Limits.BrTableTargets ? shape : shape with { Outcome = ShapeOutcome.ExceedsLimit, Limit = nameof(Validation.ModuleLimits.BrTableTargets) };
    }

    private static ExtremeShape Nested(string name, int size, Func<Instruction> open)
    {
        // size levels inside one outer block: size + 1 nested blocks in all.
        var body = new List<Instruction> { Instruction.Block(Opcode.Block, BlockType.Empty) };
        for (var i = 0; i < size; i++)
        {
            body.Add(open());
        }
        for (var i = 0; i <= size; i++)
        {
            body.Add(Instruction.Simple(Opcode.End));
        }
        body.Add(Instruction.I32Const(size));
        var shape = Single(name, size, [], body, ShapeOutcome.Runs, size, null);
        return size + 1 <= Limits.NestingDepth ? shape : shape with { Outcome = ShapeOutcome.ExceedsLimit, Limit = nameof(Validation.ModuleLimits.NestingDepth) };
    }

    /// <summary>A module of one function <c>run: [] -> [i32]</c> with <paramref name="body"/> (its closing <c>end</c> added).</summary>
    private static ExtremeShape Single(string name, int size, IReadOnlyList<LocalGroup> locals, List<Instruction> body, ShapeOutcome outcome, int expected, string? limit)
    {
        var module = new Module();
        module.Types.Add(Group(new FunctionType([], [ValType.I32])));
        body.Add(Instruction.Simple(Opcode.End));
        module.Functions.Add(new Function(0, locals, new Expression(body)));
        module.Exports.Add(new Export("run", ExternKind.Function, 0));
        return new ExtremeShape(name, size, module, outcome, expected, limit);
    }

    private static ExtremeShape Shape(string name, int size, Module module, bool withinLimit, int expected, string limit) =>
        new(name, size, module, withinLimit ? ShapeOutcome.Runs : ShapeOutcome.ExceedsLimit, expected, withinLimit ? null : limit);

    private static RecursiveType Group(CompositeType body) => new([new SubType(body)]);
}
