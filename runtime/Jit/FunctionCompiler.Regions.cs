using System.Reflection;
using System.Reflection.Emit;
using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Jit;

/// <summary>
/// Outlining: the regions <see cref="RegionPlanner"/> picks in a large function become methods of their own,
/// <c>int region(byte* frame, JitContext context)</c>.
/// <list type="bullet">
/// <item>The function allocates a frame buffer on its stack (<c>localloc</c>) with a 16-byte slot per local any
/// region touches and room for branch values. A method that calls regions keeps the locals they use in that buffer
/// (every access is a load or store there), so nothing is copied at a call; a region copies the locals whose entry
/// value can matter (<see cref="Region.ReadFirst"/>) into CIL locals of its own at entry and those it writes back at
/// every exit, so its own code keeps them in registers. (Copying around each call instead, with the caller's locals
/// in registers, measured slower: docs/jit.md.)</item>
/// <item>A region starts and ends where its block's operand stack is empty: no operand crosses. Its method sees the
/// labels of every block around it as exits: a branch to one (or <c>return</c>) stores the label's values in the
/// frame buffer and returns the exit's code; the caller then branches to that label as the original branch would
/// have. Falling off the end returns 0.</item>
/// <item>A region is part of its function's frame, not a Wasm call: no call depth, no fuel, no entry in a backtrace
/// (<see cref="JitModule.Frames"/> knows only functions' methods). Its entry checks the stack as calls do, since
/// nested regions deepen the .NET stack between Wasm calls.</item>
/// </list>
/// </summary>
internal sealed partial class FunctionCompiler
{
    /// <summary>
    /// The regions of function <paramref name="index"/>, or null when it is small enough (or cannot be cut);
    /// <paramref name="isCompiled"/> says which callees it calls directly (compiled with it or before).
    /// </summary>
    private static RegionPlan? PlanRegions(JitModule module, int index, Func<int, bool> isCompiled, int budget)
    {
        var options = module.Engine.Options;
        if (options.GuestCoverage is not null)
        {
            return null; // coverage edges are numbered per function: keep each function one method
        }
        var validated = module.Validated;
        var info = validated.Functions[index - validated.ImportedFunctionCount];
        var body = module.Code(index).Body.Instructions;
        var results = validated.FunctionTypes[index].Results.Select(r => r.Kind).ToArray();
        var plan = RegionPlanner.Plan(body, info, pc => LabelKinds(validated, body[pc]), results, budget, isCompiled);
        // The frame buffer lives on the stack: a function whose regions pass thousands of locals is left whole.
        return plan is { FrameBytes: <= 64 * 1024 } ? plan : null;
    }

    private static ValueKind[] LabelKinds(Validation.ValidatedModule module, Instruction instruction)
    {
        var type = instruction.BlockType;
        if (type.IsEmpty)
        {
            return [];
        }
        if (type.IsValue)
        {
            return instruction.Opcode == Opcode.Loop ? [] : [type.Result.Kind];
        }
        var function = (FunctionType)module.TypeBody(type.TypeIndex);
        return [.. (instruction.Opcode == Opcode.Loop ? function.Parameters : function.Results).Select(t => t.Kind)];
    }

    /// <summary>At function entry, when the function has regions: the frame buffer they share.</summary>
    private void AllocateFrame()
    {
        if (_region is not null || _plan is null)
        {
            return;
        }
        _frame = _il.Local(PointerType, "frame buffer");
        _il.Emit(OpCodes.Ldc_I4, _plan.FrameBytes);
        _il.Emit(OpCodes.Conv_U);
        _il.Emit(OpCodes.Localloc);
        _il.Emit(OpCodes.Stloc, _frame);
        // Parameters that live in the frame start there (declared locals start at zero, as the buffer does).
        foreach (var local in _frameLocals.Where(l => l < _type.Parameters.Count))
        {
            FrameAddress(LocalOffset(local));
            _il.Argument(OpCodes.Ldarg, local);
            StoreIndirect(_localTypes[local].Kind);
        }
    }

    /// <summary>Translates this method's instructions; a region planned inside them becomes a call.</summary>
    private void TranslateRange()
    {
        var body = _code.Body.Instructions;
        for (_position = _first; _position < _end; _position++)
        {
            if (_plan is not null && _plan.ByStart.TryGetValue(_position, out var region) && region != _region)
            {
                if (!_unreachable)
                {
                    CallRegion(region);
                }
                _position = region.End - 1;
                continue;
            }
            Translate(body[_position]);
        }
    }

    /// <summary>Pushes the address of byte <paramref name="offset"/> of the frame buffer.</summary>
    private void FrameAddress(int offset)
    {
        if (_region is not null)
        {
            _il.Emit(OpCodes.Ldarg_0);
        }
        else
        {
            _il.Emit(OpCodes.Ldloc, _frame!);
        }
        if (offset != 0)
        {
            _il.Emit(OpCodes.Ldc_I4, offset);
            _il.Emit(OpCodes.Add);
        }
    }

    private int LocalOffset(int local) => _plan!.FrameSlots[local] * 16;

    private void StoreLocalsToFrame(IEnumerable<int> locals)
    {
        foreach (var local in locals)
        {
            FrameAddress(LocalOffset(local));
            LoadLocal(local);
            StoreIndirect(_localTypes[local].Kind);
        }
    }

    /// <summary>The locals a region's method keeps in CIL locals and changes: stored back at each exit.</summary>
    private IEnumerable<int> Written => _region!.Written.Where(_regionLocals.ContainsKey);

    private void LoadLocalsFromFrame(IEnumerable<int> locals)
    {
        foreach (var local in locals)
        {
            FrameAddress(LocalOffset(local));
            LoadIndirect(_localTypes[local].Kind);
            StoreLocal(local);
        }
    }

    /// <summary>Compiles <paramref name="region"/> into a method of its own and emits its call here, with the branches its exits stand for.</summary>
    private void CallRegion(Region region)
    {
        SpillAll();
        if (!_regions.TryGetValue(region.Id, out var emitted))
        {
            var declared = DeclareRegion(region);
            var compiler = new FunctionCompiler(_module, _index, Generator(declared), _isCompiled, _dump, _plan, region, _outlined) { _measurement = _measurement };
            var (regionExits, regionFallsThrough) = compiler.EmitRegion(_controls);
            _measurement?.Add(compiler._il);
            _outlined.Add(declared);
            _regions[region.Id] = emitted = (declared, regionExits, regionFallsThrough);
            _dump?.Invoke($"{_module.Function(_index)} region {region.Id} ({region.ReadFirst.Length} locals in, {region.Written.Length} out, {regionExits.Count} exits)", compiler._il.Listing);
        }
        var (method, exits, fallsThrough) = emitted;

        // (The locals the region uses live in the frame buffer in this method: nothing to pass.) A region is part of
        // this frame: same depth.
        FrameAddress(0);
        LoadDepth();
        LoadContext();
        _il.Emit(OpCodes.Call, method);
        var code = Temp(ValueKind.I32, 10);
        _il.Emit(OpCodes.Stloc, code);
        if (region.MayGrowMemory)
        {
            ReloadMemory();
        }
        if (exits.Count > 0)
        {
            var labels = exits.Select(_ => _il.DefineLabel()).ToArray();
            _il.Emit(OpCodes.Ldloc, code);
            _il.Emit(OpCodes.Ldc_I4_1);
            _il.Emit(OpCodes.Sub);
            _il.Emit(OpCodes.Switch, labels);
            var next = _il.DefineLabel();
            if (fallsThrough)
            {
                _il.Emit(OpCodes.Br, next);
            }
            else
            {
                Throw(TrapKind.Unreachable); // (no exit code 0 from a region whose end is unreachable)
            }
            for (var i = 0; i < exits.Count; i++)
            {
                _il.Mark(labels[i]);
                var target = _controls[exits[i]];
                var kinds = target.LabelTypes;
                for (var v = 0; v < kinds.Length; v++)
                {
                    FrameAddress(_plan!.ValuesOffset + 16 * v);
                    LoadIndirect(kinds[v]);
                    Push(kinds[v]);
                }
                SpillAll();
                Branch((uint)(_controls.Count - 1 - exits[i]));
                _stack.RemoveRange(_stack.Count - kinds.Length, kinds.Length);
                _cilBase = _stack.Count;
            }
            _il.Mark(next);
        }
        else if (!fallsThrough)
        {
            Throw(TrapKind.Unreachable);
        }
        _unreachable = !fallsThrough;
    }

    /// <summary>A new method for <paramref name="region"/>, beside the function's own (in memory or in the assembly being written).</summary>
    private MethodInfo DeclareRegion(Region region)
    {
        Type[] parameters = [PointerType, typeof(int), typeof(JitContext)];
        if (_measurement is null && _module.Method(_index) is MethodBuilder { DeclaringType: TypeBuilder type })
        {
            var method = type.DefineMethod($"{JitAssembly.FunctionName(_index)}_region{region.Id}", MethodAttributes.Public | MethodAttributes.Static, typeof(int), parameters);
            method.SetImplementationFlags(MethodImplAttributes.NoInlining);
            return method;
        }
        var name = $"{_module.Function(_index).ToString().Replace(' ', '_')}_region{region.Id}";
        return new DynamicMethod(name, typeof(int), parameters, typeof(JitContext).Module, skipVisibility: true);
    }

    /// <summary>
    /// The body of a region's method: its locals in from the frame buffer, its instructions with every label around it
    /// an exit, and the exits. Returns the exits used (indices into <paramref name="outer"/>, in the order of their
    /// codes 1, 2, ...) and whether the region can run off its end (code 0).
    /// </summary>
    private (List<int> Exits, bool FallsThrough) EmitRegion(IReadOnlyList<Control> outer)
    {
        var region = _region!;
        LoadContext();
        _il.Emit(OpCodes.Ldfld, ContextState);
        _il.Emit(OpCodes.Dup);
        _il.Emit(OpCodes.Stloc, _state);
        _il.Emit(OpCodes.Call, Helper(nameof(JitRuntime.CheckStack)));
        PrepareCatch();
        ReloadMemory();
        HoistInvariants();
        LoadLocalsFromFrame(region.ReadFirst.Where(_regionLocals.ContainsKey));
        foreach (var control in outer)
        {
            _controls.Add(new Control { Kind = Opcode.Block, Height = 0, Results = control.LabelTypes, Label = _il.DefineLabel() });
        }
        TranslateRange();
        var fallsThrough = !_unreachable;
        if (fallsThrough)
        {
            SpillAll();
            StoreLocalsToFrame(Written);
            _il.Emit(OpCodes.Ldc_I4_0);
            _il.Emit(OpCodes.Ret);
        }
        var exits = new List<int>();
        for (var i = 0; i < outer.Count; i++)
        {
            var exit = _controls[i];
            if (!exit.Used)
            {
                continue;
            }
            exits.Add(i);
            _il.Mark(exit.Label);
            // A branch here moved the label's values to the bottom slots (the exit's height is 0).
            for (var v = 0; v < exit.Results.Length; v++)
            {
                FrameAddress(_plan!.ValuesOffset + 16 * v);
                _il.Emit(OpCodes.Ldloc, Slot(v, exit.Results[v]));
                StoreIndirect(exit.Results[v]);
            }
            StoreLocalsToFrame(Written);
            _il.Emit(OpCodes.Ldc_I4, exits.Count);
            _il.Emit(OpCodes.Ret);
        }
        EmitSharedTraps();
        return (exits, fallsThrough);
    }
}
