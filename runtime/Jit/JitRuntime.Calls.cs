using System.Runtime.CompilerServices;
using WasmHarness.Execution;

namespace WasmHarness.Jit;

/// <summary>Resolution of calls whose target is known only at run time (<c>call_indirect</c>, <c>call_ref</c> and their tail forms).</summary>
internal static partial class JitRuntime
{
    /// <summary>
    /// <c>call_indirect</c>'s checks (table bounds, null, canonical type). Returns the target's code pointer and
    /// context when it runs compiled, or zero (then <paramref name="function"/> is called through the store).
    /// The index is zero-extended from i32 for a 32-bit table.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // RyuJIT finds inlining it unprofitable at every site: saying so spares it the evaluation (docs/jit.md)
    public static nint ResolveIndirect(long index, JitContext context, int typeIndex, int tableIndex, out FunctionInstance function, out JitContext? target)
    {
        if (!context.Tables[tableIndex].TryGet((ulong)index, out var element))
        {
            throw TrapException.AtElement(TrapKind.UndefinedElement, (ulong)index);
        }
        if (element is not FunctionInstance resolved)
        {
            throw TrapException.AtElement(TrapKind.UninitializedElement, (ulong)index);
        }
        var expected = context.Instance.DefinedTypes[typeIndex];
        if (!ReferenceEquals(resolved.DefinedType, expected) && !resolved.DefinedType.IsSubtypeOf(expected))
        {
            throw Trap((int)TrapKind.IndirectCallTypeMismatch);
        }
        function = resolved;
        return CodeOf(resolved, context, out target);
    }

    /// <summary><c>call_ref</c>'s null check (its type was checked by validation); then as <see cref="ResolveIndirect"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // RyuJIT finds inlining it unprofitable at every site: saying so spares it the evaluation (docs/jit.md)
    public static nint ResolveReference(object? reference, JitContext context, out FunctionInstance function, out JitContext? target)
    {
        if (reference is not FunctionInstance resolved)
        {
            throw Trap((int)TrapKind.NullFunctionReference);
        }
        function = resolved;
        return CodeOf(resolved, context, out target);
    }

    /// <summary>A directly called function that is not compiled with the caller (an import): its code pointer and context when it runs compiled, else zero.</summary>
    public static nint ResolveFunction(JitContext context, int functionIndex, out FunctionInstance function, out JitContext? target)
    {
        function = context.Functions[functionIndex];
        return CodeOf(function, context, out target);
    }

    /// <summary>The code pointer and context of <paramref name="function"/> when it runs compiled (compiling it if needed), else zero.</summary>
    private static nint CodeOf(FunctionInstance function, JitContext context, out JitContext? target)
    {
        target = null;
        if (function is WasmFunction wasm && wasm.Instance.Store.Jit is not null)
        {
            var callee = ReferenceEquals(wasm.Instance, context.Instance) ? context : JitModule.ContextOf(wasm.Instance);
            if (callee.Module.Runs((int)wasm.Index, wasm.Instance.Store))
            {
                target = callee;
                return callee.Module.Pointer((int)wasm.Index);
            }
        }
        return 0;
    }
}
