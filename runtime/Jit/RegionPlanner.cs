using WasmHarness.Syntax;
using WasmHarness.Validation;

namespace WasmHarness.Jit;

/// <summary>
/// A run of a function's instructions compiled as a method of its own (outlined): [<see cref="Start"/>,
/// <see cref="End"/>), whole statements of one block, so no operand crosses its edges. Wasm locals it reads
/// (<see cref="Used"/>) come in through the frame buffer and those it writes (<see cref="Written"/>) go back out.
/// </summary>
/// <remarks>
/// <see cref="ReadFirst"/>: the locals whose value at entry can matter: read before written on some path, or written
/// on some ways out of the region but not on all (the others must carry the entry value back out). <see cref="MayGrowMemory"/>: it calls or grows memory, so its caller reloads memory 0's base and length.
/// </remarks>
internal sealed record Region(int Start, int End, int Id, int[] Used, int[] Written, int[] ReadFirst, bool MayGrowMemory);

/// <summary>The regions of one function (none for most) and the frame buffer they share: 16 bytes per local passed, then the branch values.</summary>
internal sealed class RegionPlan
{
    private readonly int _valueSlots;
    private readonly List<Region> _outermost = [];
    private readonly Dictionary<Region, List<Region>> _children = [];

    public RegionPlan(Dictionary<int, Region> byStart, Dictionary<int, int> frameSlots, int valueSlots)
    {
        ByStart = byStart;
        FrameSlots = frameSlots;
        _valueSlots = valueSlots;
        // Regions nest or are disjoint: in order of their starts (outer first at a shared start), each one's caller
        // is the innermost open region that contains it.
        var open = new Stack<Region>();
        foreach (var region in byStart.Values.OrderBy(r => r.Start).ThenByDescending(r => r.End))
        {
            while (open.Count > 0 && open.Peek().End <= region.Start)
            {
                open.Pop();
            }
            if (open.TryPeek(out var parent))
            {
                (_children.TryGetValue(parent, out var list) ? list : _children[parent] = []).Add(region);
            }
            else
            {
                _outermost.Add(region);
            }
            open.Push(region);
        }
    }

    /// <summary>Regions by their first instruction, nested ones included.</summary>
    public IReadOnlyDictionary<int, Region> ByStart { get; }

    /// <summary>Local index → its 16-byte slot in the frame buffer.</summary>
    public IReadOnlyDictionary<int, int> FrameSlots { get; }

    /// <summary>Byte offset of the branch values (results of a region leaving through an outer label).</summary>
    public int ValuesOffset => FrameSlots.Count * 16;

    public int FrameBytes => (FrameSlots.Count + _valueSlots) * 16;

    /// <summary>The regions called directly from <paramref name="parent"/>'s method (null: the function's own).</summary>
    public IReadOnlyList<Region> Children(Region? parent) =>
        parent is null ? _outermost : _children.TryGetValue(parent, out var children) ? children : [];
}

/// <summary>
/// Decides which parts of a large function become methods of their own, so that no method the JIT emits reaches
/// the sizes at which RyuJIT stops optimizing and compiles with MinOpts (60,000 bytes of IL, 20,000 IL
/// instructions, 2,000 basic blocks, 8,000 local references: one unoptimized 14,000-instruction function, the
/// dispatch loop of a bytecode interpreter, ran the whole program at about the interpreter's speed).
/// </summary>
/// <remarks>
/// <para>Sizes are estimates in IL instructions and basic blocks per Wasm instruction (<see cref="Weight"/>); each
/// method, the function's own and each region's, is kept within <see cref="DefaultBudget"/>.</para>
/// <para>A region is a run of whole statements of one block: it starts where the block's operand stack is empty
/// (<see cref="FunctionInfo.StackBefore"/>) and ends where it is empty again or unreachable, so nothing but locals
/// and branch values crosses its edges. Which runs: those executed least per instruction they remove, by a static
/// estimate of execution frequency (a loop body runs 8 times per entry, each arm of an <c>if</c> or <c>br_if</c>
/// half the time, each target of a <c>br_table</c> 1/n). The dispatch loop of an interpreter then keeps its loop
/// and <c>br_table</c> and calls one method per opcode, rather than wrapping the whole dispatch in nested calls.</para>
/// <para>Not outlined: code inside a <c>try</c>/<c>try_table</c> (a handler in the function could read locals the
/// region changed before it threw), code with tail calls or the legacy exception instructions, and code touching
/// reference-typed locals or branching with reference-typed values (the frame buffer holds numbers and vectors).</para>
/// </remarks>
internal static class RegionPlanner
{
    /// <summary>Estimated IL instructions a method may have (RyuJIT's limit: 20,000, and 60,000 bytes of IL).</summary>
    public const int DefaultBudget = 14_000;

    public static RegionPlan? Plan(IReadOnlyList<Instruction> body, FunctionInfo info, Func<int, ValueKind[]> labelKinds, ValueKind[] results, int budget, Func<int, bool> callsDirectly)
    {
        if (body.Any(i => i.Opcode is Opcode.ReturnCall or Opcode.ReturnCallIndirect or Opcode.ReturnCallRef))
        {
            return null; // a tail call from a region would return to the function, not replace it
        }
        var weights = new int[body.Count + 1];
        var blocks = new int[body.Count + 1];
        for (var pc = 0; pc < body.Count; pc++)
        {
            var (il, bb) = Weight(body[pc], callsDirectly);
            weights[pc + 1] = weights[pc] + il;
            blocks[pc + 1] = blocks[pc] + bb;
        }
        if (weights[body.Count] <= budget && blocks[body.Count] <= budget / 8)
        {
            return null;
        }
        var blockBudget = budget / 8;
        var localInFrame = info.LocalTypes.Select(t => FrameHolds(t.Kind)).ToArray();
        // forbidden[pc]: instructions before pc that a region may not contain.
        var forbidden = new int[body.Count + 1];
        for (var pc = 0; pc < body.Count; pc++)
        {
            var instruction = body[pc];
            var bad = instruction.Opcode is Opcode.Try or Opcode.Catch or Opcode.CatchAll or Opcode.Delegate or Opcode.Rethrow
                || (instruction.Opcode is Opcode.LocalGet or Opcode.LocalSet or Opcode.LocalTee && !localInFrame[(int)instruction.Index]);
            forbidden[pc + 1] = forbidden[pc] + (bad ? 1 : 0);
        }
        var frequency = Frequencies(body);
        var levels = Levels(body, info, labelKinds, results);
        var chosen = new List<(int Start, int End)>();
        var callCosts = new Dictionary<int, int>(); // by start: the chosen regions' call costs

        // What calling [start, end) costs its caller in IL: the call and the dispatch of its exits (the locals it
        // shares with its caller live in the frame buffer: nothing is copied at the call).
        int CallCost(int start, int end)
        {
            var branches = 0;
            for (var pc = start; pc < end; pc++)
            {
                if (body[pc].Opcode is Opcode.Br or Opcode.BrIf or Opcode.BrTable or Opcode.Return)
                {
                    branches++;
                }
            }
            return 12 + 4 * Math.Min(branches, 16);
        }

        // The residual sizes (what stays in the method once chosen regions are calls) of [start, end). Regions nest or
        // are disjoint, so in order of their starts the outermost ones inside [start, end) are those past the last end.
        (int Il, int Blocks) Residual(int start, int end)
        {
            int il = weights[end] - weights[start], bb = blocks[end] - blocks[start];
            var coveredUntil = start;
            foreach (var (s, e) in chosen)
            {
                if (s < coveredUntil || e > end || (s == start && e == end))
                {
                    continue;
                }
                if (s >= end)
                {
                    break;
                }
                il -= weights[e] - weights[s] - callCosts[s];
                bb -= blocks[e] - blocks[s] - 2;
                coveredUntil = e;
            }
            return (il, bb);
        }

        // What the function's own method pays for the locals its regions share: they live in the frame buffer, so each
        // access left in the method is an address computation and an indirect load or store instead of one ldloc/stloc
        // (Lua's parser `statement`, with four regions, came out at 19,700 IL instructions for an estimate of 14,000,
        // and RyuJIT left it unoptimized when a few more calls were direct).
        int FrameSurcharge()
        {
            if (chosen.Count == 0)
            {
                return 0;
            }
            var inRegion = new bool[body.Count];
            var shared = new HashSet<uint>();
            foreach (var (s, e) in chosen)
            {
                for (var pc = s; pc < e; pc++)
                {
                    inRegion[pc] = true;
                    if (body[pc].Opcode is Opcode.LocalGet or Opcode.LocalSet or Opcode.LocalTee)
                    {
                        shared.Add(body[pc].Index);
                    }
                }
            }
            var surcharge = 0;
            for (var pc = 0; pc < body.Count; pc++)
            {
                var extra = body[pc].Opcode switch { Opcode.LocalGet => 3, Opcode.LocalSet => 5, Opcode.LocalTee => 6, _ => 0 };
                if (extra > 0 && !inRegion[pc] && shared.Contains(body[pc].Index))
                {
                    surcharge += extra;
                }
            }
            return surcharge;
        }

        for (var round = 0; round < 64; round++)
        {
            var (topIl, topBlocks) = Residual(0, body.Count);
            topIl += FrameSurcharge();
            if (topIl <= budget && topBlocks <= blockBudget)
            {
                break;
            }
            var candidates = new List<(int Start, int End, double Score, int Saved, int Blocks, int Cost)>();
            foreach (var level in levels)
            {
                if (!level.Outlinable)
                {
                    continue;
                }
                foreach (var (start, end) in Runs(body, info, level, frequency, (start, end) => Residual(start, end).Il, budget))
                {
                    // Regions nest or are disjoint. One inside a chosen region would shrink that region, not the method
                    // over budget; one overlapping a chosen region's edge would run part of it twice.
                    if (forbidden[end] - forbidden[start] != 0 || callCosts.ContainsKey(start)
                        || chosen.Any(c => c.Start < end && start < c.End && !(start <= c.Start && c.End <= end)))
                    {
                        continue;
                    }
                    var (il, bb) = Residual(start, end);
                    if (il > budget || bb > blockBudget)
                    {
                        continue;
                    }
                    // Worth a call only if it removes several times what the call adds.
                    var cost = CallCost(start, end);
                    var saved = il - cost;
                    if (saved >= Math.Min(3 * cost, budget / 2))
                    {
                        candidates.Add((start, end, saved / Math.Max(frequency[start], 1e-3), saved, bb, cost));
                    }
                }
            }
            if (candidates.Count == 0)
            {
                break;
            }
            // Take the best candidates that do not overlap each other until the estimate fits; then look again
            // (the sizes of enclosing candidates changed).
            var taken = new List<(int Start, int End, int Cost)>();
            var best = candidates.Max(c => c.Score);
            foreach (var c in candidates.OrderByDescending(c => c.Score))
            {
                if (c.Score < best / 64)
                {
                    // Much hotter code than what was just cut: look again first, since cutting the cold parts may
                    // have made a whole enclosing statement (a loop entered once) small enough to outline instead.
                    break;
                }
                if (taken.Any(t => t.Start < c.End && c.Start < t.End))
                {
                    continue;
                }
                taken.Add((c.Start, c.End, c.Cost));
                topIl -= c.Saved;
                topBlocks -= c.Blocks - 2;
                if (topIl <= budget && topBlocks <= blockBudget)
                {
                    break;
                }
            }
            foreach (var t in taken)
            {
                chosen.Add((t.Start, t.End));
                callCosts[t.Start] = t.Cost;
            }
            // By start, outer before inner (Residual relies on it).
            chosen.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.End.CompareTo(a.End));
        }
        if (chosen.Count == 0)
        {
            return null;
        }
        var byStart = new Dictionary<int, Region>();
        var frameSlots = new Dictionary<int, int>();
        foreach (var (start, end) in chosen.OrderBy(c => c.Start))
        {
            var used = new SortedSet<int>();
            var written = new SortedSet<int>();
            var readFirst = new SortedSet<int>();
            // Locals certainly written before this point of the region (inner blocks' writes are forgotten at their end).
            var assigned = new HashSet<int>();
            var outer = new Stack<HashSet<int>>();
            var growsMemory = false;
            // Locals certainly written on every way out of the region (null: no way out seen yet).
            HashSet<int>? atExits = null;
            void Leave() => atExits = atExits is null ? [.. assigned] : [.. atExits.Intersect(assigned)];
            for (var pc = start; pc < end; pc++)
            {
                var opcode = body[pc].Opcode;
                if (opcode is Opcode.Return || (opcode is Opcode.Br or Opcode.BrIf or Opcode.BrOnNull or Opcode.BrOnNonNull or Opcode.BrOnCast or Opcode.BrOnCastFail && body[pc].Index >= outer.Count)
                    || (opcode == Opcode.BrTable && body[pc].BranchTable.Labels.Append(body[pc].BranchTable.Default).Any(label => label >= outer.Count))
                    || opcode == Opcode.TryTable)
                {
                    Leave(); // (a try_table's handlers may branch out from anywhere inside: its start is the conservative point)
                }
                switch (opcode)
                {
                    case Opcode.LocalGet or Opcode.LocalSet or Opcode.LocalTee:
                    {
                        var local = (int)body[pc].Index;
                        used.Add(local);
                        if (opcode == Opcode.LocalGet)
                        {
                            if (!assigned.Contains(local))
                            {
                                readFirst.Add(local);
                            }
                        }
                        else
                        {
                            written.Add(local);
                            assigned.Add(local);
                        }
                        frameSlots.TryAdd(local, frameSlots.Count);
                        break;
                    }
                    case Opcode.Else:
                        assigned = [.. outer.Peek()];
                        break;
                    case Opcode.End:
                        assigned = outer.Pop();
                        break;
                    case Opcode.MemoryGrow or Opcode.Call or Opcode.CallIndirect or Opcode.CallRef:
                        growsMemory = true;
                        break;
                    case var _ when opcode.OpensBlock():
                        outer.Push([.. assigned]);
                        break;
                }
            }
            if (info.StackBefore[end] != BlockStack.Unreachable)
            {
                Leave(); // falling off the end
            }
            // Needed at entry: what is read before written, and what is written on some ways out but not all (the
            // others take the entry value out again).
            readFirst.UnionWith(written.Where(local => atExits is null || !atExits.Contains(local)));
            byStart[start] = new Region(start, end, byStart.Count, [.. used], [.. written], [.. readFirst], growsMemory);
        }
        var valueSlots = Math.Max(results.Length, levels.Max(l => l.MaxLabelArity));
        return new RegionPlan(byStart, frameSlots, valueSlots);
    }

    /// <summary>The estimated IL instructions of <paramref name="range"/> (<see cref="Weight"/>).</summary>
    public static int Size(IEnumerable<Instruction> range, Func<int, bool> callsDirectly) => Totals(range, callsDirectly).Il;

    /// <summary>
    /// Whether <paramref name="range"/> stays within <paramref name="budget"/> with the bounds check of each memory
    /// access written out in the method (FunctionCompiler's inline checks: about 6 IL instructions and one basic block
    /// more than the helper <see cref="Weight"/> counts), with the margin of a quarter of the budget that the estimate needs.
    /// </summary>
    public static bool RoomForInlineChecks(IEnumerable<Instruction> range, int budget, Func<int, bool> callsDirectly)
    {
        var (il, blocks, accesses) = Totals(range, callsDirectly);
        return il + 6 * accesses <= budget * 3 / 4 && blocks + accesses <= budget / 8 * 3 / 4;
    }

    /// <summary>The estimated IL instructions and basic blocks of <paramref name="range"/>, and its memory accesses.</summary>
    private static (int Il, int Blocks, int Accesses) Totals(IEnumerable<Instruction> range, Func<int, bool> callsDirectly)
    {
        var (il, blocks, accesses) = (0, 0, 0);
        foreach (var instruction in range)
        {
            var (i, b) = Weight(instruction, callsDirectly);
            il += i;
            blocks += b;
            accesses += instruction.Info.Immediates is ImmediateKind.MemArg or ImmediateKind.MemArgAndLane ? 1 : 0;
        }
        return (il, blocks, accesses);
    }

    /// <summary>
    /// Estimated IL instructions and basic blocks the JIT emits for one instruction. A <c>call</c> of a function
    /// compiled in the same group is a direct call; any other (a function compiled later, through the code table, or
    /// an import) resolves its target and branches to a call through the store as well: four blocks more (weighing
    /// those as direct calls once left Lua's parser `statement`, compiled lazily, at 43 KB of IL and unoptimized).
    /// Its IL is nearer 40 than 20, but RyuJIT's IL limits are far (the estimate's budget is below them) while its
    /// block limit is what such calls reach; 40 outlined 22 more regions of Lua's VM loop, 4% slower, for nothing.
    /// </summary>
    private static (int Il, int Blocks) Weight(Instruction instruction, Func<int, bool> callsDirectly) => instruction.Opcode switch
    {
        Opcode.Call when !callsDirectly((int)instruction.Index) => (20, 4),
        Opcode.LocalGet or Opcode.LocalSet or Opcode.I32Const or Opcode.I64Const or Opcode.Nop or Opcode.Drop => (1, 0),
        Opcode.LocalTee => (2, 0),
        Opcode.Block or Opcode.End or Opcode.Else => (1, 1),
        Opcode.Loop => (3, 1),
        Opcode.If or Opcode.BrIf => (4, 2),
        Opcode.Br => (3, 1),
        Opcode.BrTable => (4 + instruction.BranchTable.Labels.Count, 1 + instruction.BranchTable.Labels.Count / 4),
        Opcode.Call => (10, 0),
        Opcode.CallIndirect or Opcode.CallRef => (40, 4),
        Opcode.Select or Opcode.SelectTyped => (7, 1),
        Opcode.GlobalGet or Opcode.GlobalSet => (6, 0),
        _ when instruction.Info.Immediates is ImmediateKind.MemArg or ImmediateKind.MemArgAndLane => (10, 0),
        _ => (3, 0),
    };

    /// <summary>Static execution-frequency estimate of each instruction, per entry into the function.</summary>
    private static double[] Frequencies(IReadOnlyList<Instruction> body)
    {
        const double LoopTrips = 8;
        var result = new double[body.Count];
        var frames = new List<(Opcode Kind, double Exit, double Else)> { (Opcode.Block, 0, 0) };
        var f = 1.0;
        for (var pc = 0; pc < body.Count; pc++)
        {
            result[pc] = f;
            var instruction = body[pc];
            switch (instruction.Opcode)
            {
                case Opcode.Block or Opcode.TryTable or Opcode.Try:
                    frames.Add((instruction.Opcode, 0, 0));
                    break;
                case Opcode.Loop:
                    frames.Add((Opcode.Loop, 0, 0));
                    f = Math.Min(f * LoopTrips, 1e12);
                    break;
                case Opcode.If:
                    frames.Add((Opcode.If, 0, f / 2));
                    f /= 2;
                    break;
                case Opcode.Else:
                {
                    var frame = frames[^1];
                    frames[^1] = (frame.Kind, frame.Exit + f, 0);
                    f = frame.Else;
                    break;
                }
                case Opcode.Catch or Opcode.CatchAll:
                    f = Math.Max(f, 1e-6);
                    break;
                case Opcode.End or Opcode.Delegate when frames.Count > 1:
                {
                    var frame = frames[^1];
                    frames.RemoveAt(frames.Count - 1);
                    f = (frame.Kind == Opcode.Loop ? f / LoopTrips : f) + frame.Exit + frame.Else;
                    break;
                }
                case Opcode.Br:
                    AddExit(instruction.Index, f);
                    f = 0;
                    break;
                case Opcode.BrIf or Opcode.BrOnNull or Opcode.BrOnNonNull or Opcode.BrOnCast or Opcode.BrOnCastFail:
                    if (!IsLoop(instruction.Index))
                    {
                        AddExit(instruction.Index, f / 2);
                        f /= 2;
                    }
                    break;
                case Opcode.BrTable:
                {
                    var table = instruction.BranchTable;
                    var share = f / (table.Labels.Count + 1);
                    foreach (var label in table.Labels)
                    {
                        AddExit(label, share);
                    }
                    AddExit(table.Default, share);
                    f = 0;
                    break;
                }
                case Opcode.Return or Opcode.Unreachable or Opcode.Throw or Opcode.ThrowRef or Opcode.Rethrow:
                    f = 0;
                    break;
            }
        }
        return result;

        bool IsLoop(uint depth) => frames[frames.Count - 1 - (int)depth].Kind == Opcode.Loop;

        void AddExit(uint depth, double amount)
        {
            var i = frames.Count - 1 - (int)depth;
            if (frames[i].Kind != Opcode.Loop)
            {
                frames[i] = (frames[i].Kind, frames[i].Exit + amount, frames[i].Else);
            }
        }
    }

    /// <summary>A block's body (an arm of an <c>if</c>, the function's body): items from <see cref="First"/> up to <see cref="Close"/> (its <c>end</c> or <c>else</c>).</summary>
    private sealed record Level(int First, int Close, bool Outlinable, int MaxLabelArity);

    /// <summary>Every level of the function with whether regions may be cut from it.</summary>
    private static List<Level> Levels(IReadOnlyList<Instruction> body, FunctionInfo info, Func<int, ValueKind[]> labelKinds, ValueKind[] results)
    {
        var levels = new List<Level>();
        // Open constructs: whether a region below may exist (no try around, no reference-typed label), and the widest label.
        var stack = new List<(bool Ok, int Arity)> { (results.All(FrameHolds), results.Length) };
        levels.Add(new Level(0, body.Count - 1, stack[0].Ok, results.Length));
        for (var pc = 0; pc < body.Count; pc++)
        {
            var opcode = body[pc].Opcode;
            if (opcode.OpensBlock())
            {
                var kinds = labelKinds(pc);
                var ok = stack[^1].Ok && opcode is Opcode.Block or Opcode.Loop or Opcode.If && kinds.All(FrameHolds);
                var arity = Math.Max(stack[^1].Arity, kinds.Length);
                stack.Add((ok, arity));
                var end = info.BlockEnds[pc];
                if (opcode == Opcode.If && info.Elses.TryGetValue(pc, out var @else))
                {
                    levels.Add(new Level(pc + 1, @else, ok, arity));
                    levels.Add(new Level(@else + 1, end, ok, arity));
                }
                else
                {
                    levels.Add(new Level(pc + 1, end, ok, arity));
                }
            }
            else if (opcode is Opcode.End or Opcode.Delegate && stack.Count > 1 && info.BlockEnds[pc] >= 0)
            {
                stack.RemoveAt(stack.Count - 1);
            }
        }
        return levels;
    }

    /// <summary>Whether the frame buffer can carry a value of <paramref name="kind"/> (numbers and vectors; not references, which the GC must see).</summary>
    private static bool FrameHolds(ValueKind kind) => kind is ValueKind.I32 or ValueKind.I64 or ValueKind.F32 or ValueKind.F64 or ValueKind.V128;

    private static IEnumerable<int> Items(IReadOnlyList<Instruction> body, FunctionInfo info, Level level)
    {
        for (var pc = level.First; pc < level.Close;)
        {
            yield return pc;
            pc = body[pc].Opcode.OpensBlock() ? info.BlockEnds[pc] + 1 : pc + 1;
        }
    }

    /// <summary>
    /// The candidate regions of one level: runs of consecutive statements entered equally often (straight-line code
    /// at this level, no join between them), each cut into pieces of at most <paramref name="budget"/>.
    /// </summary>
    private static IEnumerable<(int Start, int End)> Runs(IReadOnlyList<Instruction> body, FunctionInfo info, Level level, double[] frequency, Func<int, int, int> size, int budget)
    {
        var stack = info.StackBefore;
        int open = -1, runStart = -1, runEnd = -1;
        foreach (var pc in Items(body, info, level).Append(level.Close))
        {
            var state = stack[pc];
            if (state == BlockStack.Values)
            {
                continue; // inside a statement
            }
            if (open >= 0)
            {
                // The statement [open, pc) is complete: extend the run with it, or close the run and start another.
                var extends = runStart >= 0 && runEnd == open && Math.Abs(frequency[open] - frequency[runStart]) <= 1e-9 * Math.Max(1, frequency[runStart]);
                if (extends && size(runStart, pc) <= budget)
                {
                    runEnd = pc;
                }
                else
                {
                    if (runStart >= 0)
                    {
                        yield return (runStart, runEnd);
                    }
                    (runStart, runEnd) = size(open, pc) <= budget ? (open, pc) : (-1, -1);
                }
            }
            open = state == BlockStack.Empty && pc != level.Close ? pc : -1;
        }
        if (runStart >= 0)
        {
            yield return (runStart, runEnd);
        }
    }
}
