using System.Runtime.InteropServices;
using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Interpreter;

/// <summary>
/// One operand stack slot: the bits of a number or vector and a reference. Locals live in slots too, below
/// the operands of their frame. An i32 is always stored zero-extended in <see cref="Low"/>, so that an i32
/// address and an i64 address read the same way, and a slot holding a number or vector has a null
/// <see cref="Reference"/> (numeric locals are then copied bits-only, without a GC write barrier).
/// </summary>
[StructLayout(LayoutKind.Auto)]
internal struct Slot
{
    public ulong Low;
    public ulong High;
    public object? Reference;
}

/// <summary>
/// One instruction of the interpreter's internal form: the opcode (a Wasm <see cref="Opcode"/>, or one of
/// <see cref="InternalOp"/>) with its immediates resolved: indices in <see cref="A"/>/<see cref="B"/>,
/// constant bits or a memory offset in <see cref="C"/>; for branches the target pc in <see cref="A"/>, the
/// label's stack height (relative to the frame) in <see cref="B"/> and its arity in <see cref="C"/>. The dispatch
/// loop switches on <see cref="Dispatch"/>, the same instruction renumbered densely (<see cref="DispatchCode"/>);
/// everything else reads <see cref="Code"/>. 24 bytes, as before the dispatch code (it fills the padding).
/// </summary>
[StructLayout(LayoutKind.Auto)]
internal readonly struct Op
{
    // Fields, not properties: the dispatch loop reads them thousands of times, and every property read is an inline
    // that counts against RyuJIT's inlining budget for the loop (over it, calls stay calls; docs/execution.md).
    public readonly Opcode Code;
    public readonly Opcode Dispatch;
    public readonly int A;
    public readonly int B;
    public readonly ulong C;

    public Op(Opcode code, int a = 0, int b = 0, ulong c = 0)
    {
        Code = code;
        Dispatch = DispatchCode.Of(code);
        A = a;
        B = b;
        C = c;
    }

    /// <summary>The same op with <see cref="A"/> (a branch target) set.</summary>
    public Op WithA(int a) => new(Code, a, B, C);
}

/// <summary>A <c>br_table</c> target: pc, the label's stack height and arity.</summary>
internal record struct BranchTarget(int Pc, int Height, int Arity);

/// <summary>What a handler does with an exception it catches.</summary>
internal enum HandlerKind : byte
{
    /// <summary><c>try_table</c> <c>catch</c>: push the payload, branch.</summary>
    Catch,
    /// <summary><c>try_table</c> <c>catch_ref</c>: push the payload and the exnref, branch.</summary>
    CatchRef,
    /// <summary><c>try_table</c> <c>catch_all</c>: branch.</summary>
    CatchAll,
    /// <summary><c>try_table</c> <c>catch_all_ref</c>: push the exnref, branch.</summary>
    CatchAllRef,
    /// <summary>Legacy <c>catch</c>: keep the exception in a hidden local for <c>rethrow</c>, push the payload, run the catch block.</summary>
    LegacyCatch,
    /// <summary>Legacy <c>catch_all</c>: keep the exception, run the catch block.</summary>
    LegacyCatchAll,
    /// <summary>Legacy <c>delegate</c>: hand the exception to the handlers of the block at nesting depth <see cref="Handler.Slot"/> and outwards.</summary>
    Delegate,
}

/// <summary>
/// An exception handler over the pcs [<see cref="Start"/>, <see cref="End"/>): <see cref="Tag"/> is the tag index
/// (-1 for the catch-all kinds), <see cref="Target"/> the index of its branch target, <see cref="Depth"/> the
/// nesting depth of the block that owns it, <see cref="Slot"/> the hidden local of a legacy catch (or the target
/// depth of a delegate). Handlers are sorted so that, searched from the end, the innermost handler that covers a
/// pc comes first and a block's clauses come in their order.
/// </summary>
internal readonly record struct Handler(int Start, int End, int Tag, HandlerKind Kind, int Target, int Depth, int Slot = 0);

/// <summary>
/// Opcodes that exist only in the interpreter's internal form. They use single-byte codes that Wasm leaves unassigned
/// (0xE0..), so that the dispatch switch keeps them in its dense jump table.
/// </summary>
internal static class InternalOp
{
    /// <summary>Unconditional jump to A (a branch that needs no stack adjustment).</summary>
    public const Opcode Jump = (Opcode)0xE0;
    /// <summary>Branch to A, moving the top C values down to height B.</summary>
    public const Opcode BrMove = (Opcode)0xE1;
    /// <summary>Pop an i32; if nonzero jump to A.</summary>
    public const Opcode BrIfJump = (Opcode)0xE2;
    /// <summary>Pop an i32; if nonzero branch to A moving C values to height B.</summary>
    public const Opcode BrIfMove = (Opcode)0xE3;
    /// <summary>Pop an i32; if zero jump to A (the start of <c>if</c>).</summary>
    public const Opcode BrUnless = (Opcode)0xE4;
    /// <summary>Pop an index; branch through the function's <see cref="CompiledFunction.BranchTargets"/> from A (B entries plus a default).</summary>
    public const Opcode BrTableJump = (Opcode)0xE5;
    /// <summary><c>local.get</c> of a number or vector local: copies the bits only (no reference, so no GC write barrier).</summary>
    public const Opcode LocalGetBits = (Opcode)0xE6;
    /// <summary><c>local.set</c> of a number or vector local.</summary>
    public const Opcode LocalSetBits = (Opcode)0xE7;
    /// <summary><c>local.tee</c> of a number or vector local.</summary>
    public const Opcode LocalTeeBits = (Opcode)0xE8;

    // Superinstructions (Compiler.Fuse): each stands for a sequence of two or three instructions.

    /// <summary><c>i32.const C; i32.add</c> (and <c>i32.const -C; i32.sub</c>).</summary>
    public const Opcode I32AddImm = (Opcode)0xE9;
    /// <summary><c>i32.const C; i32.and</c>.</summary>
    public const Opcode I32AndImm = (Opcode)0xEA;
    /// <summary><c>i32.const C; i32.shl</c>.</summary>
    public const Opcode I32ShlImm = (Opcode)0xEB;
    /// <summary><c>i32.const C; i32.shr_u</c>.</summary>
    public const Opcode I32ShrUImm = (Opcode)0xEC;
    /// <summary><c>local.get A; i32.const C; i32.add</c>.</summary>
    public const Opcode LocalI32AddImm = (Opcode)0xED;
    /// <summary><c>local.get A; local.get B</c> (number or vector locals).</summary>
    public const Opcode LocalGet2 = (Opcode)0xEE;
    /// <summary><c>local.get A; i32.load offset=C</c> from memory B (also <c>f32.load</c>: the same 32 bits).</summary>
    public const Opcode LocalI32Load = (Opcode)0xEF;
    /// <summary><c>i32.eqz; br_if</c> to A with no values to move: pop an i32; if zero jump to A.</summary>
    public const Opcode BrIfZeroJump = (Opcode)0xF0;
    /// <summary><c>i32.const C; local.set A</c>.</summary>
    public const Opcode LocalSetImm = (Opcode)0xF1;
    /// <summary><c>local.get A; local.get B; i32.store offset=C</c> to memory 0.</summary>
    public const Opcode LocalI32Store = (Opcode)0xF2;
    /// <summary><c>local.get A; i64.load offset=C</c> from memory B (also <c>f64.load</c>: the same 64 bits).</summary>
    public const Opcode LocalI64Load = (Opcode)0xF3;
    /// <summary><c>local.get A; i32.const C; i32.add; local.set B</c>: the counted loop's step.</summary>
    public const Opcode LocalAddImmSet = (Opcode)0xF4;
    /// <summary><c>local.get A; i32.const C; i32.add; local.tee B</c>.</summary>
    public const Opcode LocalAddImmTee = (Opcode)0xF5;
    /// <summary><c>local.get A; local.get B; i32.add</c>.</summary>
    public const Opcode LocalI32Add = (Opcode)0xF6;
    /// <summary><c>i32.add; local.set A</c>.</summary>
    public const Opcode I32AddSet = (Opcode)0xF7;
    /// <summary><c>i32.add; local.tee A</c>.</summary>
    public const Opcode I32AddTee = (Opcode)0xF8;
    /// <summary><c>local.get A; local.get B; i32.add; local.set C</c>.</summary>
    public const Opcode LocalI32AddSet = (Opcode)0xF9;

    /// <summary>
    /// An i32 comparison and the <c>br_if</c> that consumes it (no values to move): pop two i32s; if the comparison
    /// (B: its <see cref="Opcode"/>, <c>i32.eq</c> to <c>i32.ge_u</c>) holds, jump to A.
    /// </summary>
    public const Opcode BrIfI32 = (Opcode)0xC5;

    /// <summary>
    /// <c>i32.const C; i32 comparison; br_if</c> to A with no values to move: the popped value against a constant
    /// (B: the comparison's <see cref="Opcode"/>). C code tests characters, tags and bounds this way.
    /// </summary>
    public const Opcode BrIfImmI32 = (Opcode)0xC6;

    /// <summary>
    /// <c>local.get B; i32.const; i32 comparison; br_if</c> to A with no values to move: C's low half is the constant,
    /// its high half the comparison's <see cref="Opcode"/>.
    /// </summary>
    public const Opcode BrIfLocalImmI32 = (Opcode)0xC7;

    /// <summary><c>local.get A; i32.load offset=C</c> (or <c>f32.load</c>) from memory 0; <c>local.set B</c>.</summary>
    public const Opcode LocalLoad32Set = (Opcode)0xC8;

    /// <summary><c>local.get A; i32.load offset=C</c> (or <c>f32.load</c>) from memory 0; <c>local.tee B</c>.</summary>
    public const Opcode LocalLoad32Tee = (Opcode)0xC9;

    /// <summary><c>i32.const B; i32.shr_u; i32.const C; i32.and</c>: a bit field (an instruction's operand in a VM, say).</summary>
    public const Opcode I32ShrUAndImm = (Opcode)0xCA;

    /// <summary>
    /// A loop's head when the engine tiers up (<see cref="EngineOptions.JitTierUp"/>): counts an iteration; once the
    /// function is hot, asks the JIT to go on in compiled code from this loop (A: its ordinal among the function's loops).
    /// </summary>
    public const Opcode LoopHeader = (Opcode)0xCB;

    // More superinstructions in codes Wasm leaves unassigned (0xCF, 0xD7..).

    /// <summary><c>local.get A; i32.load8_u offset=C</c> from memory B (bytes: strings, parsers, compressors).</summary>
    public const Opcode LocalI32Load8U = (Opcode)0xCF;
    /// <summary><c>local.get A; i32.load8_s offset=C</c> from memory B.</summary>
    public const Opcode LocalI32Load8S = (Opcode)0xD7;
    /// <summary>
    /// <c>local.get B; local.get (C's low half); i32 comparison; br_if</c> to A with no values to move: a loop's
    /// closing test in one op. C's high half is the comparison's <see cref="Opcode"/>.
    /// </summary>
    public const Opcode BrIfLocalsI32 = (Opcode)0xD8;
    /// <summary><c>local.get A; local.set B</c> of a number or vector local: a register move, frequent in compiled loops.</summary>
    public const Opcode LocalCopy = (Opcode)0xD9;
    /// <summary>
    /// <c>local.get B; i32 comparison; br_if</c> to A with no values to move, the comparison's left operand popped
    /// (a computed value against a local: <c>v[i] &lt; pivot</c>). C is the comparison's <see cref="Opcode"/>.
    /// </summary>
    public const Opcode BrIfTopLocalI32 = (Opcode)0xDA;

    /// <summary>
    /// <c>local.get A</c> then any pure scalar instruction: pushes the local and runs the instruction's generated
    /// case directly, without a second dispatch. B is the instruction's dispatch code (<see cref="DispatchCode"/>),
    /// C its <see cref="Opcode"/> (for the compiler, which may take the pair apart again).
    /// </summary>
    public const Opcode LocalGetPure = (Opcode)0xDB;

    /// <summary>
    /// <c>local.get A; local.get B</c> then any pure scalar instruction: C holds its dispatch code in the low 32 bits
    /// and its <see cref="Opcode"/> in the high 32.
    /// </summary>
    public const Opcode LocalGet2Pure = (Opcode)0xDC;

    // An address computed from locals, then a load from memory 0 (clang's `p->field` and `a[i]`): one op for all four
    // instructions. The `i32.add` wraps at 32 bits, as the unfused one does, before the load adds its offset C.

    /// <summary><c>local.get A; i32.const B; i32.add; i32.load offset=C</c> (or <c>f32.load</c>) from memory 0.</summary>
    public const Opcode LocalImmLoad32 = (Opcode)0xDD;
    /// <summary><c>local.get A; i32.const B; i32.add; i64.load offset=C</c> (or <c>f64.load</c>) from memory 0.</summary>
    public const Opcode LocalImmLoad64 = (Opcode)0xDE;
    /// <summary><c>local.get A; i32.const B; i32.add; i32.load8_u offset=C</c> (or <c>i64.load8_u</c>: the same bits) from memory 0.</summary>
    public const Opcode LocalImmLoad8U = (Opcode)0xDF;
    /// <summary><c>local.get A; local.get B; i32.add; i32.load8_u offset=C</c> (or <c>i64.load8_u</c>) from memory 0.</summary>
    public const Opcode LocalsLoad8U = (Opcode)0xFA;
    /// <summary><c>local.get A; local.get B; i32.add; i32.load offset=C</c> (or <c>f32.load</c>) from memory 0.</summary>
    public const Opcode LocalsLoad32 = (Opcode)0xFB;
    /// <summary><c>local.get A; local.get B; i32.add; i64.load offset=C</c> (or <c>f64.load</c>) from memory 0.</summary>
    public const Opcode LocalsLoad64 = (Opcode)0xFC;

    /// <summary>
    /// <c>local.get A; i32.load offset=C</c> (or <c>f32.load</c>) from memory 0, then a pure scalar instruction of
    /// dispatch code B that is no i32 test (those go with a following <c>br_if</c>): the loaded value is an operand.
    /// </summary>
    public const Opcode LocalLoad32Pure = (Opcode)0xFD;
    /// <summary><c>local.get A; i64.load offset=C</c> (or <c>f64.load</c>) from memory 0, then a pure scalar instruction of dispatch code B.</summary>
    public const Opcode LocalLoad64Pure = (Opcode)0xFE;

    /// <summary>Whether <paramref name="op"/> is a pure instruction on numbers only, whose case <c>Machine.ExecutePure</c> has.</summary>
    public static bool IsPureScalar(in Op op) => op.Dispatch >= (Opcode)DispatchCode.PureFirst && op.Dispatch < (Opcode)DispatchCode.PureEnd;

    /// <summary>Whether <paramref name="code"/> is an i32 comparison, which a following <c>br_if</c> fuses with (<see cref="BrIfI32"/>).</summary>
    public static bool IsI32Comparison(Opcode code) => code is >= Opcode.I32Eq and <= Opcode.I32GeU;
}

/// <summary>A function translated once into the interpreter's form (per module: instances share it).</summary>
internal sealed class CompiledFunction(
    FunctionType type, int declaredLocalCount, int localCount, int maxHeight, Op[] code, BranchTarget[] branchTargets, V128[] constants, Handler[] handlers)
{
    /// <summary>True when no result is a reference: returning copies bits only.</summary>
    public bool ResultsAreBits { get; } = type.Results.All(t => !t.IsReference);

    public FunctionType Type { get; } = type;

    public int ParamCount { get; } = type.Parameters.Count;

    public int ResultCount { get; } = type.Results.Count;

    /// <summary>Parameters plus declared locals.</summary>
    public int DeclaredLocalCount { get; } = declaredLocalCount;

    /// <summary>Slots below the operand stack: the declared locals, then one per legacy <c>try</c> (its caught exception).</summary>
    public int LocalCount { get; } = localCount;

    /// <summary>Tier-up: loop iterations run in this code since its last look at the JIT (<see cref="InternalOp.LoopHeader"/>; racy, as a hint).</summary>
    public int LoopHeat;

    /// <summary>Most slots the frame uses (locals and operands).</summary>
    public int MaxHeight { get; } = maxHeight;

    public Op[] Code { get; } = code;

    public BranchTarget[] BranchTargets { get; } = branchTargets;

    /// <summary>v128 constants and shuffle masks, by index (an op's A).</summary>
    public V128[] Constants { get; } = constants;

    /// <summary>Exception handlers, innermost last among those that cover a pc (search from the end).</summary>
    public Handler[] Handlers { get; } = handlers;

    /// <summary>The threaded form of this code, made on first call (<c>Threaded.ThreadedCode.None</c> when it has none).</summary>
    public Threaded.ThreadedCode? Threaded;
}
