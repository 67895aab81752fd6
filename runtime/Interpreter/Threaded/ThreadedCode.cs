using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Interpreter.Threaded;

/// <summary>
/// A function's threaded code, made once per module from its <see cref="CompiledFunction"/> (instances share it, as
/// they share the op form). The ops live in pinned arrays, so that branch targets and the entry are plain pointers
/// that stay valid for the code's lifetime; a frame running the code keeps its <see cref="WasmFunction"/>, and with
/// it this object, alive.
/// </summary>
internal sealed unsafe class ThreadedCode
{
    /// <summary>The answer for a function the threaded machine does not run (<see cref="Threader"/> says why not).</summary>
    public static readonly ThreadedCode None = new([], [], 0, 0, 0);

    private readonly ThreadedOp[] _ops;
    private readonly ThreadedTarget[] _targets;

    /// <summary>The first op, or null for <see cref="None"/>.</summary>
    public readonly ThreadedOp* Entry;

    public readonly int ParamCount;

    /// <summary>Parameters plus declared locals: the slots a call zeroes above the arguments.</summary>
    public readonly int LocalCount;

    /// <summary>Most slots the frame uses (locals and operands), as the op form counts them.</summary>
    public readonly int MaxHeight;

    public ThreadedCode(ThreadedOp[] ops, ThreadedTarget[] targets, int paramCount, int localCount, int maxHeight)
    {
        _ops = ops;
        _targets = targets;
        Entry = ops.Length == 0 ? null : (ThreadedOp*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(ops));
        ParamCount = paramCount;
        LocalCount = localCount;
        MaxHeight = maxHeight;
    }

    /// <summary>The ops, for tests and listings.</summary>
    public ReadOnlySpan<ThreadedOp> Ops => _ops;

    /// <summary>The threaded code of <paramref name="function"/>, made on first use; <see cref="None"/> when it has none.</summary>
    /// <remarks>Not inlined: handlers reach it only on a first call, and its body would cost them registers.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static ThreadedCode Of(WasmFunction function)
    {
        if (function.Threaded is { } known)
        {
            return known;
        }
        var compiled = function.Compiled ??= Compiler.For(function);
        if (compiled.Threaded is null)
        {
            var code = Threader.Translate(function, compiled, out var refused);
            function.Instance.Store.Engine.InterpreterStatistics.Record(refused);
            compiled.Threaded = code ?? None;
        }
        return function.Threaded = compiled.Threaded;
    }
}
