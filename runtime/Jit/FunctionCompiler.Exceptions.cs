using System.Reflection;
using System.Reflection.Emit;
using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Jit;

/// <summary>
/// Exception handling in CIL. A Wasm exception is a .NET <see cref="UncaughtException"/> (the type that already
/// carries Wasm exceptions across host and interpreter frames), so it crosses every kind of frame unchanged and a
/// <see cref="TrapException"/> is never mistaken for one.
/// <list type="bullet">
/// <item><c>try_table</c> (with catch clauses) and the body of a legacy <c>try</c> become a CIL protected region
/// entered with an empty CIL stack (its operands spilled). A filter picks the first matching clause (tags compare
/// by identity), so exceptions no clause catches pass without unwinding. The handler takes the exception, restores
/// the JIT call depth of this frame (compiled frames unwound by the exception never ran their exit), and leaves
/// the region to a stub outside it that pushes the payload (and the <c>exnref</c>) and branches to the clause's
/// label. A region costs nothing on the path that does not throw.</item>
/// <item>A branch from inside a region to a label outside it is a <c>leave</c> (a <c>br_if</c> or <c>br_table</c>
/// arm that crosses goes through a trampoline), as CIL requires.</item>
/// <item>Legacy <c>catch</c> bodies run after the region (exceptions they throw are not caught by their own
/// <c>try</c>); the caught exception stays in a local per <c>try</c> for <c>rethrow</c>. <c>delegate l</c> catches
/// everything its body throws and throws it again from a stub placed where only the handlers of label
/// <c>l</c>'s block and further out apply: right after the outermost region nested inside that block closes.</item>
/// </list>
/// </summary>
internal sealed partial class FunctionCompiler
{
    private static readonly MethodInfo ExceptionOf = typeof(UncaughtException).GetProperty(nameof(UncaughtException.Exception))!.GetMethod!;
    private static readonly MethodInfo PayloadOf = typeof(ExceptionInstance).GetProperty(nameof(ExceptionInstance.Payload))!.GetMethod!;

    /// <summary>The exception constructs with a CIL region, by their control (reference identity).</summary>
    private readonly Dictionary<Control, TryRegion> _tries = [];
    private int _openRegions;
    private int _position;
    private LocalBuilder? _clause;
    private LocalBuilder? _thrown;
    private LocalBuilder? _delegated;
    private LocalBuilder? _filtered;

    private sealed class TryRegion
    {
        /// <summary>Still emitting the protected region (the try body).</summary>
        public bool Open = true;

        /// <summary>Clause tags in order, -1 for a catch-all kind.</summary>
        public required int[] Tags;

        /// <summary>try_table: the clauses; empty for legacy try.</summary>
        public IReadOnlyList<CatchClause> Clauses = [];

        /// <summary>Where the handler leaves to, one label per clause.</summary>
        public required Label[] Targets;

        /// <summary>Legacy try: the caught exception, for <c>rethrow</c>.</summary>
        public LocalBuilder? Caught;

        /// <summary>Legacy try: the next catch clause to open.</summary>
        public int NextClause;

        /// <summary>Rethrow stubs of <c>delegate</c>s to emit right after this region closes.</summary>
        public List<Label> Stubs = [];
    }

    private static bool IsExceptionInstruction(Opcode opcode) =>
        opcode is Opcode.Try or Opcode.Catch or Opcode.Throw or Opcode.Rethrow or Opcode.ThrowRef
            or Opcode.Delegate or Opcode.CatchAll or Opcode.TryTable;

    private static bool SupportsException(Validation.ValidatedModule module, Instruction instruction) => instruction.Opcode switch
    {
        Opcode.Try => !instruction.BlockType.IsValue || Compilable(instruction.BlockType.Result),
        Opcode.TryTable => (!instruction.BlockType.IsValue || Compilable(instruction.BlockType.Result))
            && instruction.Catches.All(c => !c.HasTag || Compilable(module.TagTypes[(int)c.Tag])),
        Opcode.Throw or Opcode.Catch => Compilable(module.TagTypes[(int)instruction.Index]),
        _ => true,
    };

    private static MethodInfo ExceptionHelper(string name) =>
        typeof(JitExceptions).GetMethod(name, BindingFlags.Static | BindingFlags.Public) ?? throw new InvalidOperationException($"no JIT helper {name}");

    /// <summary>
    /// In a function with handlers, the locals they use. (A handler restores no call depth: the depth is an argument,
    /// so a caught exception leaves it as it was.)
    /// </summary>
    private void PrepareCatch()
    {
        if (!Range.Any(i => i.Opcode is Opcode.Try or Opcode.TryTable))
        {
            return;
        }
        _clause = _il.Local(typeof(int), "catch clause");
        _thrown = _il.Local(typeof(ExceptionInstance), "caught exception");
    }

    /// <summary>True when a branch to <paramref name="target"/> leaves an open CIL region (so it must be a <c>leave</c>).</summary>
    private bool Crosses(Control target)
    {
        if (_openRegions == 0)
        {
            return false;
        }
        for (var i = _controls.Count - 1; i >= 0; i--)
        {
            if (_tries.TryGetValue(_controls[i], out var region) && region.Open)
            {
                return true;
            }
            if (ReferenceEquals(_controls[i], target))
            {
                return false;
            }
        }
        return false;
    }

    /// <summary>An unconditional jump to <paramref name="target"/>'s label: <c>br</c>, or <c>leave</c> out of a region.</summary>
    private void Jump(Control target) => _il.Emit(Crosses(target) ? OpCodes.Leave : OpCodes.Br, target.Label);

    private void TranslateException(Instruction instruction)
    {
        switch (instruction.Opcode)
        {
            case Opcode.TryTable:
                OpenTry(instruction, [.. instruction.Catches.Select(c => c.HasTag ? (int)c.Tag : -1)], instruction.Catches);
                return;
            case Opcode.Try:
                var (tags, delegates) = LegacyClauses();
                OpenTry(instruction, tags, []);
                if (!delegates && tags.Length > 0)
                {
                    _tries[_controls[^1]].Caught = _il.Local(typeof(ExceptionInstance), "legacy catch");
                }
                return;
            case Opcode.Catch:
            case Opcode.CatchAll:
                LegacyCatch(instruction);
                return;
            case Opcode.Delegate:
                Delegate(instruction.Index);
                return;
            case Opcode.Throw:
            {
                PackArguments(_validated.TagTypes[(int)instruction.Index], 0);
                LoadContext();
                _il.Emit(OpCodes.Ldc_I4, (int)instruction.Index);
                _il.Emit(OpCodes.Call, ExceptionHelper(nameof(JitExceptions.Throw)));
                _il.Emit(OpCodes.Throw);
                _unreachable = true;
                return;
            }
            case Opcode.ThrowRef:
                Pop(1);
                _il.Emit(OpCodes.Call, ExceptionHelper(nameof(JitExceptions.ThrowRef)));
                _il.Emit(OpCodes.Throw);
                _unreachable = true;
                return;
            case Opcode.Rethrow:
                SpillAll();
                _il.Emit(OpCodes.Ldloc, _tries[Target(instruction.Index)].Caught!);
                _il.Emit(OpCodes.Call, ExceptionHelper(nameof(JitExceptions.ThrowRef)));
                _il.Emit(OpCodes.Throw);
                _unreachable = true;
                return;
            default:
                throw new NotSupportedException($"the JIT does not compile {instruction.Opcode.Name()}");
        }
    }

    /// <summary>The clauses of the legacy <c>try</c> at the current position: catch tags (-1 for <c>catch_all</c>), or a <c>delegate</c>.</summary>
    private (int[] Tags, bool Delegates) LegacyClauses()
    {
        var instructions = _code.Body.Instructions;
        var tags = new List<int>();
        var depth = 0;
        for (var i = _position + 1; i < instructions.Count; i++)
        {
            var opcode = instructions[i].Opcode;
            if (opcode.OpensBlock())
            {
                depth++;
            }
            else if (opcode is Opcode.End or Opcode.Delegate)
            {
                if (depth == 0)
                {
                    return (opcode == Opcode.Delegate ? [-1] : [.. tags], opcode == Opcode.Delegate);
                }
                depth--;
            }
            else if (depth == 0 && opcode is Opcode.Catch or Opcode.CatchAll)
            {
                tags.Add(opcode == Opcode.Catch ? (int)instructions[i].Index : -1);
            }
        }
        throw new NotSupportedException("try without end");
    }

    /// <summary>Opens a try block; with clauses (or a delegate) also its CIL region, entered with an empty CIL stack.</summary>
    private void OpenTry(Instruction instruction, int[] tags, IReadOnlyList<CatchClause> clauses)
    {
        var (parameters, results) = BlockTypes(instruction.BlockType);
        SpillAll();
        var control = new Control { Kind = instruction.Opcode, Height = _stack.Count - parameters.Length, Params = parameters, Results = results, Label = _il.DefineLabel() };
        if (tags.Length > 0)
        {
            _tries[control] = new TryRegion { Tags = tags, Clauses = clauses, Targets = [.. tags.Select(_ => _il.DefineLabel())] };
            // A region never begins at a branch target: RyuJIT 10 crashed (SIGSEGV inside the JIT, killing the
            // process) compiling a conditional branch whose target and fall-through were both a region's first block,
            // as `if (then) end` right before a nested try_table compiles (found by the differential tester,
            // JitTests.TryRegionRightAfterAnEmptyIf). The nop gives such branches a block outside the region.
            _il.Emit(OpCodes.Nop);
            _il.BeginTry();
            _openRegions++;
        }
        _controls.Add(control);
    }

    /// <summary>
    /// Ends the body of the innermost control's region (reachable ends leave to its label) and emits the
    /// filter and handler: the filter stores the index of the first matching clause, the handler stores the
    /// exception in <paramref name="caught"/>, restores the call depth and memory, and leaves to the clause's target.
    /// </summary>
    private void CloseRegion(TryRegion region, LocalBuilder caught)
    {
        if (!_unreachable)
        {
            SpillAll();
            Branch(0);
        }
        _il.BeginFilter();
        var exception = _filtered ??= _il.Local(typeof(UncaughtException), "filtered");
        var done = _il.DefineLabel();
        _il.Emit(OpCodes.Isinst, typeof(UncaughtException));
        _il.Emit(OpCodes.Stloc, exception);
        _il.Emit(OpCodes.Ldc_I4_M1);
        _il.Emit(OpCodes.Stloc, _clause!);
        _il.Emit(OpCodes.Ldloc, exception);
        _il.Emit(OpCodes.Brfalse, done);
        for (var i = 0; i < region.Tags.Length; i++)
        {
            var next = _il.DefineLabel();
            if (region.Tags[i] >= 0)
            {
                _il.Emit(OpCodes.Ldloc, exception);
                LoadContext();
                _il.Emit(OpCodes.Ldc_I4, region.Tags[i]);
                _il.Emit(OpCodes.Call, ExceptionHelper(nameof(JitExceptions.HasTag)));
                _il.Emit(OpCodes.Brfalse, next);
            }
            _il.Emit(OpCodes.Ldc_I4, i);
            _il.Emit(OpCodes.Stloc, _clause!);
            _il.Emit(OpCodes.Br, done);
            _il.Mark(next);
            if (region.Tags[i] < 0)
            {
                break; // a catch-all: later clauses never match
            }
        }
        _il.Mark(done);
        _il.Emit(OpCodes.Ldloc, _clause!);
        _il.Emit(OpCodes.Ldc_I4_M1);
        _il.Emit(OpCodes.Cgt);
        _il.BeginHandler(null);
        _il.Emit(OpCodes.Castclass, typeof(UncaughtException));
        _il.Emit(OpCodes.Call, ExceptionOf);
        _il.Emit(OpCodes.Stloc, caught);
        ReloadMemory();
        if (region.Targets.Length > 1)
        {
            var trampolines = region.Targets.Select(_ => _il.DefineLabel()).ToArray();
            _il.Emit(OpCodes.Ldloc, _clause!);
            _il.Emit(OpCodes.Switch, trampolines);
            for (var i = 0; i < trampolines.Length; i++)
            {
                _il.Mark(trampolines[i]);
                _il.Emit(OpCodes.Leave, region.Targets[i]);
            }
        }
        else
        {
            _il.Emit(OpCodes.Leave, region.Targets[0]);
        }
        _il.EndTry();
        CloseRegion(region);
    }

    /// <summary>Marks <paramref name="region"/> closed and emits the delegate stubs that waited for it.</summary>
    private void CloseRegion(TryRegion region)
    {
        region.Open = false;
        _openRegions--;
        foreach (var stub in region.Stubs)
        {
            _il.Mark(stub);
            _il.Emit(OpCodes.Ldloc, _delegated!);
            _il.Emit(OpCodes.Throw);
        }
    }

    /// <summary>The <c>end</c> of a try block with a region; false for any other block (the common <c>end</c> handles it).</summary>
    private bool EndTry()
    {
        var control = _controls[^1];
        if (!_tries.TryGetValue(control, out var region))
        {
            return false;
        }
        if (control.Kind == Opcode.TryTable)
        {
            CloseRegion(region, _thrown!);
            _controls.RemoveAt(_controls.Count - 1);
            for (var i = 0; i < region.Clauses.Count; i++)
            {
                // Outside the region, in the try_table's context: push what the clause gives, branch to its label.
                var clause = region.Clauses[i];
                _il.Mark(region.Targets[i]);
                ResetStack(control.Height, []);
                if (clause.HasTag)
                {
                    PushPayload(_thrown!, _validated.TagTypes[(int)clause.Tag]);
                }
                if (clause.Kind is CatchKind.CatchRef or CatchKind.CatchAllRef)
                {
                    _il.Emit(OpCodes.Ldloc, _thrown!);
                    Push(ValueKind.Ref);
                }
                SpillAll();
                Branch(clause.Label);
            }
        }
        else
        {
            if (region.Open)
            {
                throw new NotSupportedException("legacy try with clauses ended before its first catch");
            }
            if (!_unreachable)
            {
                SpillAll();
            }
            _controls.RemoveAt(_controls.Count - 1);
        }
        _il.Mark(control.Label);
        ResetStack(control.Height, control.Results);
        _unreachable = false;
        return true;
    }

    /// <summary>Pushes the payload of the exception in <paramref name="exception"/>, typed by its tag's <paramref name="type"/>.</summary>
    private void PushPayload(LocalBuilder exception, FunctionType type)
    {
        for (var i = 0; i < type.Parameters.Count; i++)
        {
            var kind = type.Parameters[i].Kind;
            _il.Emit(OpCodes.Ldloc, exception);
            _il.Emit(OpCodes.Call, PayloadOf);
            _il.Emit(OpCodes.Ldc_I4, i);
            _il.Emit(OpCodes.Call, Helper("Arg", kind));
            Push(kind);
        }
    }

    /// <summary>A legacy <c>catch</c> or <c>catch_all</c>: the first one closes the region; each starts its body after it.</summary>
    private void LegacyCatch(Instruction instruction)
    {
        var control = _controls[^1];
        var region = _tries[control];
        if (region.Open)
        {
            CloseRegion(region, region.Caught!);
        }
        else if (!_unreachable)
        {
            SpillAll();
            Branch(0);
        }
        _il.Mark(region.Targets[region.NextClause++]);
        ResetStack(control.Height, []);
        if (instruction.Opcode == Opcode.Catch)
        {
            PushPayload(region.Caught!, _validated.TagTypes[(int)instruction.Index]);
        }
        _unreachable = false;
    }

    /// <summary>
    /// <c>delegate</c>: ends the try; its region catches every Wasm exception and leaves to a stub that throws it
    /// again where only the handlers of the block at <paramref name="label"/> and further out apply.
    /// </summary>
    private void Delegate(uint label)
    {
        var control = _controls[^1];
        var region = _tries[control];
        if (!_unreachable)
        {
            SpillAll();
            Branch(0);
        }
        _delegated ??= _il.Local(typeof(UncaughtException), "delegated");
        var stub = _il.DefineLabel();
        _il.BeginHandler(typeof(UncaughtException));
        _il.Emit(OpCodes.Stloc, _delegated);
        _il.Emit(OpCodes.Leave, stub);
        _il.EndTry();
        _controls.RemoveAt(_controls.Count - 1);
        CloseRegion(region);
        // The stub belongs outside every region nested inside the target block, inside the rest.
        var target = Math.Max(_controls.Count - 1 - (int)label, 0);
        TryRegion? outermost = null;
        for (var i = target + 1; i < _controls.Count && outermost is null; i++)
        {
            if (_tries.TryGetValue(_controls[i], out var open) && open.Open)
            {
                outermost = open;
            }
        }
        if (outermost is not null)
        {
            outermost.Stubs.Add(stub);
        }
        else
        {
            _il.Mark(stub);
            _il.Emit(OpCodes.Ldloc, _delegated);
            _il.Emit(OpCodes.Throw);
        }
        _il.Mark(control.Label);
        ResetStack(control.Height, control.Results);
        _unreachable = false;
    }
}

/// <summary>Helpers that compiled exception handling calls.</summary>
internal static class JitExceptions
{
    /// <summary><c>throw</c>: the exception to throw, with tag <paramref name="tag"/> of the instance and the packed payload.</summary>
    public static Exception Throw(Value[] payload, JitContext context, int tag) =>
        new UncaughtException(new ExceptionInstance(context.Instance.Tags[tag], payload));

    /// <summary><c>throw_ref</c> and <c>rethrow</c>: throws the exception an <c>exnref</c> refers to again; traps on null.</summary>
    public static Exception ThrowRef(object? exception) =>
        exception is ExceptionInstance instance ? new UncaughtException(instance) : new TrapException(TrapKind.NullExceptionReference);

    /// <summary>True when <paramref name="exception"/> was thrown with tag <paramref name="tag"/> of the instance (tags compare by identity).</summary>
    public static bool HasTag(UncaughtException exception, JitContext context, int tag) =>
        ReferenceEquals(exception.Exception.Tag, context.Instance.Tags[tag]);
}
