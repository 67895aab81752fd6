using System.Reflection;
using System.Reflection.Emit;
using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Jit;

/// <summary>
/// Tier-up's on-stack replacement (<see cref="EngineOptions.JitTierUp"/>): a call the interpreter runs moves into
/// compiled code at the head of a hot loop. The code it moves into is the function's loop variant, a method of its
/// own with the function's signature whose prologue takes <see cref="JitState.LoopEntry"/> (the loop's ordinal),
/// loads the locals after the parameters (which came as arguments) from <see cref="JitState.LoopState"/> and jumps
/// to a block just before that loop's head that loads the operand stack's slots, then falls into the loop. It then
/// runs the call to its end.
/// </summary>
/// <remarks>
/// A loop can be entered so when its head is in this method (not in an outlined region) and outside every CIL
/// exception region (CIL allows no branch into a protected block). Entering an inner loop gives the loops around it a
/// second entry, which RyuJIT cannot treat as loops (no hoisting or cloning there): hence a method of its own, used
/// only by the call that moved, while every call after runs the function's ordinary method. A loop's ordinal is its
/// place among the function's <c>loop</c> instructions, which the interpreter counts the same way.
/// </remarks>
internal sealed partial class FunctionCompiler
{
    private static readonly FieldInfo StateLoopEntry = typeof(JitState).GetField(nameof(JitState.LoopEntry))!;
    private static readonly FieldInfo StateLoopState = typeof(JitState).GetField(nameof(JitState.LoopState))!;

    /// <summary>This compiler emits a loop variant (<see cref="EmitLoopVariant"/>).</summary>
    private bool _loopVariant;

    /// <summary>
    /// The outlined regions this function's method calls, by region id: emitted by this compiler, or, in a loop
    /// variant, those of the function's ordinary method (same plan, same regions: a region is entered only at its
    /// start, so the variant's entries change nothing in it), which RyuJIT then compiles once for both.
    /// </summary>
    private Dictionary<int, (MethodInfo Method, List<int> Exits, bool FallsThrough)> _regions = [];

    /// <summary>In a loop variant, one label per <c>loop</c> of the function, by ordinal: where its entry jumps.</summary>
    private Label[]? _loopEntries;

    /// <summary>The positions of the function's <c>loop</c> instructions, in order (a loop's ordinal is its index here).</summary>
    private int[] _loopPositions = [];

    /// <summary>The ordinals of the loops whose entry this method has (the others' labels lead nowhere).</summary>
    private readonly HashSet<int> _enterable = [];

    /// <summary>Prologue (after the frame) of a loop variant: takes <see cref="JitState.LoopEntry"/> and jumps to that loop's entry.</summary>
    private void EmitLoopEntry()
    {
        if (!_loopVariant || _region is not null)
        {
            return;
        }
        var body = _code.Body.Instructions;
        _loopPositions = [.. Enumerable.Range(0, body.Count).Where(i => body[i].Opcode == Opcode.Loop)];
        if (_loopPositions.Length == 0)
        {
            return;
        }
        _loopEntries = [.. _loopPositions.Select(_ => _il.DefineLabel())];
        var loop = _il.Local(typeof(int), "loop entry");
        var start = _il.DefineLabel();
        _il.Emit(OpCodes.Ldloc, _state);
        _il.Emit(OpCodes.Ldfld, StateLoopEntry);
        _il.Emit(OpCodes.Dup);
        _il.Emit(OpCodes.Stloc, loop);
        _il.Emit(OpCodes.Ldc_I4_0);
        _il.Emit(OpCodes.Blt, start);
        // Taken: a call this one makes must start at its beginning.
        _il.Emit(OpCodes.Ldloc, _state);
        _il.Emit(OpCodes.Ldc_I4_M1);
        _il.Emit(OpCodes.Stfld, StateLoopEntry);
        for (var local = _type.Parameters.Count; local < _localTypes.Count; local++)
        {
            LoadLoopState(local, _localTypes[local].Kind);
            StoreLocal(local);
        }
        _il.Emit(OpCodes.Ldloc, loop);
        _il.Emit(OpCodes.Switch, _loopEntries);
        _il.Mark(start);
    }

    /// <summary>At a loop's head (operands spilled, before its label): the entry that loads the operand stack, if this loop can have one.</summary>
    private void EmitLoopHeadEntry()
    {
        if (_loopEntries is null || _unreachable || _openRegions > 0)
        {
            return;
        }
        var ordinal = Array.BinarySearch(_loopPositions, _position);
        var head = _il.DefineLabel();
        _il.Emit(OpCodes.Br, head);
        _il.Mark(_loopEntries[ordinal]);
        for (var height = 0; height < _stack.Count; height++)
        {
            LoadLoopState(_localTypes.Count + height, _stack[height]);
            _il.Emit(OpCodes.Stloc, Slot(height, _stack[height]));
        }
        _il.Mark(head);
        _enterable.Add(ordinal);
    }

    /// <summary>After the body: the labels of loops without an entry lead to a trap (the interpreter never asks for them).</summary>
    private void EndLoopEntries()
    {
        if (_loopEntries is null)
        {
            return;
        }
        var none = Enumerable.Range(0, _loopEntries.Length).Where(ordinal => !_enterable.Contains(ordinal)).ToList();
        foreach (var ordinal in none)
        {
            _il.Mark(_loopEntries[ordinal]);
        }
        if (none.Count > 0)
        {
            Throw(TrapKind.Unreachable);
        }
    }

    /// <summary>Pushes value <paramref name="index"/> of <see cref="JitState.LoopState"/> as a <paramref name="kind"/>.</summary>
    private void LoadLoopState(int index, ValueKind kind)
    {
        _il.Emit(OpCodes.Ldloc, _state);
        _il.Emit(OpCodes.Ldfld, StateLoopState);
        _il.Emit(OpCodes.Ldc_I4, index);
        _il.Emit(OpCodes.Call, Helper("Arg", kind));
    }
}
