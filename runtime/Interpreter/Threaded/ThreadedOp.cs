using System.Runtime.InteropServices;

using unsafe OpHandler = delegate*<WasmHarness.Interpreter.Threaded.ThreadedOp*, ulong*, ulong*, WasmHarness.Interpreter.Threaded.ThreadedContext, ulong*>;

namespace WasmHarness.Interpreter.Threaded;

/// <summary>
/// One op of threaded code: the address of the handler that runs it and its immediates. A handler is a small static
/// method <c>ulong* H(ThreadedOp* ip, ulong* sp, ulong* fp, ThreadedContext c)</c> that does the op's work and ends by
/// calling the next op's handler in tail position, which RyuJIT compiles to a jump (docs/execution.md, "Threaded
/// code"): no dispatch loop, no switch, and each handler is compiled alone. <c>ip</c> is this op,
/// <c>sp</c> the operand stack's top (one past the last value), <c>fp</c> the frame's first local; the chain returns
/// the stack top when the invocation's entry function returns. 32 bytes.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ThreadedOp
{
    /// <summary>The handler that runs this op.</summary>
    public OpHandler Handler;

    /// <summary>First immediate: a local, function, global or type index, a result count.</summary>
    public int A;

    /// <summary>Second immediate: a local or table index, a label's stack height, a constant.</summary>
    public int B;

    /// <summary>Third immediate: a constant's bits, a memory offset, a branch's arity.</summary>
    public ulong C;

    /// <summary>A branch's target op, or a <c>br_table</c>'s first <see cref="ThreadedTarget"/>.</summary>
    public void* Target;
}

/// <summary>A <c>br_table</c> entry: the target op, the label's stack height (from the frame) and arity.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ThreadedTarget
{
    public ThreadedOp* Op;
    public int Height;
    public int Arity;
}
