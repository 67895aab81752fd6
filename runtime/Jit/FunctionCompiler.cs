using System.Reflection;
using System.Reflection.Emit;
using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Jit;

/// <summary>
/// Translates one validated Wasm function into CIL. Wasm locals become CIL arguments and locals; operands stay
/// on the CIL evaluation stack within straight-line code and are spilled to one CIL local per (stack height,
/// type) at every label and branch, so the CIL stack is empty wherever control flow joins. Blocks and loops
/// become labels, <c>br_table</c> a <c>switch</c>. The signature is the Wasm one (i32 → int, i64 → long,
/// f32 → float, f64 → double, references → object), results after the first returned through byrefs, and the
/// <see cref="JitContext"/> last.
/// </summary>
internal sealed partial class FunctionCompiler
{
    private static readonly Type PointerType = typeof(byte).MakePointerType();
    // A memory's base and length are read from its fields, not through its properties: the same loads, without an
    // inlining of RyuJIT's at each of the many reloads after calls.
    private static readonly FieldInfo MemoryData = typeof(MemoryInstance).GetField("_data", BindingFlags.Instance | BindingFlags.NonPublic) ?? throw new MissingFieldException(nameof(MemoryInstance), "_data");
    private static readonly FieldInfo MemoryLength = typeof(MemoryInstance).GetField("_length", BindingFlags.Instance | BindingFlags.NonPublic) ?? throw new MissingFieldException(nameof(MemoryInstance), "_length");
    private static readonly FieldInfo ContextState = typeof(JitContext).GetField(nameof(JitContext.State))!;
    private static readonly FieldInfo ContextCode = typeof(JitContext).GetField(nameof(JitContext.Code))!;
    private static readonly FieldInfo ContextRelaxedSimd = typeof(JitContext).GetField(nameof(JitContext.RelaxedSimd))!;
    private static readonly FieldInfo GlobalRawValue = typeof(GlobalInstance).GetField(nameof(GlobalInstance.RawValue), BindingFlags.Instance | BindingFlags.NonPublic)!;
    private static readonly FieldInfo StateDepth = typeof(JitState).GetField(nameof(JitState.Depth))!;
    private static readonly FieldInfo ContextMemory = typeof(JitContext).GetField(nameof(JitContext.Memory0))!;
    private static readonly FieldInfo ContextMemories = typeof(JitContext).GetField(nameof(JitContext.Memories))!;
    private static readonly FieldInfo ContextGlobals = typeof(JitContext).GetField(nameof(JitContext.Globals))!;
    private static readonly FieldInfo ContextFunctions = typeof(JitContext).GetField(nameof(JitContext.Functions))!;

    private readonly JitModule _module;
    private readonly Validation.ValidatedModule _validated;
    private readonly int _index;
    private readonly Function _code;
    private readonly FunctionType _type;
    private readonly IlWriter _il;
    private readonly Func<int, bool> _isCompiled;
    private readonly int _contextArg;

    /// <summary>The argument holding this frame's call depth (see <see cref="EmitBody"/>).</summary>
    private readonly int _depthArg;
    private readonly List<ValType> _localTypes = [];
    private readonly LocalBuilder[] _locals;
    private readonly List<ValueKind> _stack = [];
    private readonly List<Control> _controls = [];
    private readonly Dictionary<(int, ValueKind), LocalBuilder> _slots = [];
    private readonly Dictionary<(ValueKind, int), LocalBuilder> _temps = [];
    private readonly LocalBuilder _state;
    private readonly LocalBuilder? _memoryBase;
    private readonly LocalBuilder? _memoryLength;
    private readonly bool _fuel;
    private readonly bool _interruptChecks;
    private readonly CoverageProbes? _coverage;
    private int _cilBase;
    private bool _unreachable;

    // Outlining (RegionPlanner): the function's plan, the region this compiler emits (null: the function itself),
    // its instruction range, the frame buffer that carries locals and branch values across region calls.
    private readonly RegionPlan? _plan;
    private readonly Region? _region;
    private readonly int _first;
    private readonly int _end;
    private readonly Dictionary<int, LocalBuilder> _regionLocals = [];
    private readonly HashSet<int> _frameLocals = [];
    private readonly List<MethodInfo> _outlined;
    private readonly Action<string, string>? _dump;
    private LocalBuilder? _frame;
    private DeadCode _deadCode;

    private sealed class Control
    {
        public Opcode Kind;
        public int Height;
        public ValueKind[] Params = [];
        public ValueKind[] Results = [];
        public Label Label;
        public Label Else;
        public bool HasElse;

        /// <summary>Some branch targets this label (in a region's method, the labels around the region are its exits).</summary>
        public bool Used;

        public ValueKind[] LabelTypes => Kind == Opcode.Loop ? Params : Results;
    }

    private FunctionCompiler(JitModule module, int index, ILGenerator generator, Func<int, bool> isCompiled, Action<string, string>? dump,
        RegionPlan? plan = null, Region? region = null, List<MethodInfo>? outlined = null)
    {
        _module = module;
        _validated = module.Validated;
        _index = index;
        _code = module.Code(index);
        _type = _validated.FunctionTypes[index];
        _isCompiled = isCompiled;
        _dump = dump;
        _il = new IlWriter(generator, dump is not null);
        _plan = plan;
        _region = region;
        _outlined = outlined ?? [];
        (_first, _end) = region is null ? (0, _code.Body.Instructions.Count) : (region.Start, region.End);
        // A region's method takes the frame buffer, the depth and the context; the function's, its Wasm parameters,
        // the byrefs of results after the first, the depth and the context.
        _depthArg = region is not null ? 1 : _type.Parameters.Count + (_type.Results.Count > 1 ? _type.Results.Count : 0);
        _contextArg = _depthArg + 1;
        _localTypes.AddRange(_type.Parameters);
        foreach (var group in _code.Locals)
        {
            for (var i = 0u; i < group.Count; i++)
            {
                _localTypes.Add(group.Type);
            }
        }
        if (region is null)
        {
            _locals = new LocalBuilder[_localTypes.Count - _type.Parameters.Count];
            for (var i = 0; i < _locals.Length; i++)
            {
                _locals[i] = _il.Local(ClrType(_localTypes[_type.Parameters.Count + i].Kind), $"local {_type.Parameters.Count + i}");
            }
        }
        else
        {
            _locals = [];
        }
        if (plan is not null)
        {
            // Locals the regions called from here also use live in the frame buffer (no copies around the calls).
            foreach (var child in plan.Children(region))
            {
                _frameLocals.UnionWith(child.Used);
            }
        }
        if (region is not null)
        {
            foreach (var local in region.Used.Where(l => !_frameLocals.Contains(l)))
            {
                _regionLocals[local] = _il.Local(ClrType(_localTypes[local].Kind), $"local {local}");
            }
        }
        _state = _il.Local(typeof(JitState), "state");
        if (_validated.Memories.Count > 0 && AccessesCachedMemory(Range))
        {
            _memoryBase = _il.Local(PointerType, "memory base");
            _memoryLength = _il.Local(typeof(ulong), "memory length");
        }
        // A method that outlines regions is one that was too large already: it keeps the helper's form of the check.
        _inlineBoundsChecks = (plan is null || !plan.Children(region).Any())
            && RegionPlanner.RoomForInlineChecks(Range, module.Engine.Options.JitMethodBudget, isCompiled);
        _fuel = module.Engine.Options.Fuel is not null;
        _interruptChecks = module.Engine.Options.JitInterruptChecks;
        _coverage = CoverageProbes.For(module.Engine, (uint)index, _il, LoadContext);
    }

    /// <summary>The instructions this compiler emits: the function's body, or its region's part of it.</summary>
    private IEnumerable<Instruction> Range
    {
        get
        {
            var body = _code.Body.Instructions;
            for (var i = _first; i < _end; i++)
            {
                yield return body[i];
            }
        }
    }

    /// <summary>
    /// Whether a body loads or stores through memory 0's cached base and length (an unshared memory 0, see
    /// <see cref="AccessOperands"/>): only then are they loaded at entry and after every call. A function that
    /// touches no memory (a recursive <c>fib</c>) pays neither.
    /// </summary>
    private bool AccessesCachedMemory(IEnumerable<Instruction> body) =>
        !MemoryIsShared(0) && body.Any(i => i.Info.Immediates is ImmediateKind.MemArg or ImmediateKind.MemArgAndLane && i.MemArg.Memory == 0);

    // ---- Entry points ----------------------------------------------------------------------------------

    /// <summary>Why defined function <paramref name="index"/> cannot be compiled (the first instruction or type the JIT lacks), or null when it can.</summary>
    public static string? Unsupported(Validation.ValidatedModule module, int index)
    {
        var code = module.Module.Functions[index - module.ImportedFunctionCount];
        if (!Compilable(module.FunctionTypes[index]) || code.Locals.Any(group => !Compilable(group.Type)))
        {
            return "value type";
        }
        if (OverBudget(module.Functions[index - module.ImportedFunctionCount], code.Body.Instructions) is { } budget)
        {
            return budget;
        }
        foreach (var instruction in code.Body.Instructions)
        {
            var opcode = instruction.Opcode;
            var encoding = (int)opcode;
            var ok = opcode switch
            {
                Opcode.Block or Opcode.Loop or Opcode.If => !instruction.BlockType.IsValue || Compilable(instruction.BlockType.Result),
                Opcode.Call or Opcode.ReturnCall => Compilable(module.FunctionTypes[(int)instruction.Index]),
                Opcode.CallIndirect or Opcode.ReturnCallIndirect or Opcode.CallRef or Opcode.ReturnCallRef => Compilable((FunctionType)module.TypeBody(instruction.Index)),
                Opcode.SelectTyped => instruction.SelectTypes.All(Compilable),
                Opcode.GlobalGet or Opcode.GlobalSet => Compilable(module.Globals[(int)instruction.Index].Type),
                Opcode.ElemDrop or Opcode.DataDrop or Opcode.MemoryInit or Opcode.MemoryCopy or Opcode.MemoryFill => true,
                Opcode.TableGet or Opcode.TableSet or Opcode.TableSize or Opcode.TableGrow or Opcode.TableFill or Opcode.TableCopy or Opcode.TableInit => true,
                _ when instruction.Info.IsPure => true, // generated from the instruction table (TryEmitPure)
                _ when IsExceptionInstruction(opcode) => SupportsException(module, instruction),
                _ when (encoding >> 16) == 0xFD => true, // EmitSimd: every vector instruction
                _ when (encoding >> 16) == 0xFB => SupportsGc(opcode),
                _ when (encoding >> 16) == 0xFE => true, // threads: EmitAtomic
                _ => encoding is <= 0x05 or (>= 0x0B and <= 0x0F) or 0x1A or 0x1B or (>= 0x20 and <= 0x22)
                    or (>= 0x28 and <= 0x44) or (>= 0xD0 and <= 0xD6),
            };
            if (!ok)
            {
                return opcode.Name();
            }
        }
        return null;
    }

    /// <summary>
    /// The JIT's own limits, which valid functions within <see cref="Validation.ModuleLimits"/> can still exceed: a
    /// CIL method has at most 65,535 locals (each Wasm local and each operand stack slot becomes one) and RyuJIT's
    /// time grows faster than linearly with locals, exception regions and their nesting, and method size. A function
    /// beyond one runs in the interpreter (counted in the JIT statistics with this reason), so compiling any one
    /// function is bounded in time and memory and the JIT never refuses what the interpreter runs.
    /// </summary>
    private static string? OverBudget(Validation.FunctionInfo info, IReadOnlyList<Instruction> body)
    {
        if (info.LocalTypes.Count + info.MaxStackHeight > JitBudget.CilLocals)
        {
            return $"over the JIT's budget: {info.LocalTypes.Count} locals + {info.MaxStackHeight} operand slots > {JitBudget.CilLocals}";
        }
        if (body.Count > JitBudget.Instructions)
        {
            return $"over the JIT's budget: {body.Count} instructions > {JitBudget.Instructions}";
        }
        int regions = 0, depth = 0, deepest = 0;
        var tries = new Stack<bool>();
        foreach (var instruction in body)
        {
            switch (instruction.Opcode)
            {
                case Opcode.Block or Opcode.Loop or Opcode.If:
                    tries.Push(false);
                    break;
                case Opcode.TryTable or Opcode.Try:
                    tries.Push(true);
                    regions++;
                    deepest = Math.Max(deepest, ++depth);
                    break;
                case Opcode.End when tries.Count > 0:
                    if (tries.Pop())
                    {
                        depth--;
                    }
                    break;
            }
        }
        if (regions > JitBudget.ExceptionRegions)
        {
            return $"over the JIT's budget: {regions} try blocks > {JitBudget.ExceptionRegions}";
        }
        return deepest > JitBudget.ExceptionNesting ? $"over the JIT's budget: try blocks nested {deepest} deep > {JitBudget.ExceptionNesting}" : null;
    }

    private static bool Compilable(FunctionType type) => type.Parameters.All(Compilable) && type.Results.All(Compilable);

    private static bool Compilable(ValType type) => type.Kind is ValueKind.I32 or ValueKind.I64 or ValueKind.F32 or ValueKind.F64 or ValueKind.V128 or ValueKind.Ref;

    private static Type ClrType(ValueKind kind) => kind switch
    {
        ValueKind.I32 => typeof(int),
        ValueKind.I64 => typeof(long),
        ValueKind.F32 => typeof(float),
        ValueKind.F64 => typeof(double),
        ValueKind.Ref => typeof(object),
        ValueKind.V128 => typeof(V128),
        _ => throw new NotSupportedException($"the JIT does not compile {kind} values"),
    };

    /// <summary>The method signature of a Wasm function type.</summary>
    private static (Type Return, Type[] Parameters) Signature(FunctionType type)
    {
        var parameters = new List<Type>(type.Parameters.Select(p => ClrType(p.Kind)));
        Type returnType = typeof(void);
        if (type.Results.Count == 1)
        {
            returnType = ClrType(type.Results[0].Kind);
        }
        else if (type.Results.Count > 1)
        {
            parameters.AddRange(type.Results.Select(r => ClrType(r.Kind).MakeByRefType()));
        }
        // The frame's call depth, then the context: see EmitBody.
        parameters.Add(typeof(int));
        parameters.Add(typeof(JitContext));
        return (returnType, [.. parameters]);
    }

    /// <summary>
    /// Creates the (empty) method of function <paramref name="index"/>, so that others can call it before its IL is
    /// emitted: a <see cref="DynamicMethod"/> in memory, or a public static method of <paramref name="assembly"/>
    /// when the code is written to a file (<see cref="JitAssembly"/>).
    /// </summary>
    public static MethodInfo Declare(JitModule module, int index, TypeBuilder? assembly)
    {
        var (returnType, parameters) = Signature(module.Validated.FunctionTypes[index]);
        if (assembly is null)
        {
            return new DynamicMethod(module.Function(index).ToString().Replace(' ', '_'), returnType, parameters, typeof(JitContext).Module, skipVisibility: true);
        }
        var method = assembly.DefineMethod(JitAssembly.FunctionName(index), MethodAttributes.Public | MethodAttributes.Static, returnType, parameters);
        // RyuJIT does not inline dynamic methods into each other; saved ones it would, and a trap's backtrace
        // (read from the .NET frames, JitModule.Frames) would lose the inlined functions. Same code either way.
        method.SetImplementationFlags(MethodImplAttributes.NoInlining);
        return method;
    }

    /// <summary>Emits the IL of function <paramref name="index"/> into its declared method; returns the methods of its outlined regions.</summary>
    public static IReadOnlyList<MethodInfo> Emit(JitModule module, int index, Func<int, bool> isCompiled) => Emit(module, index, isCompiled, out _);

    /// <summary>As <see cref="Emit(JitModule, int, Func{int, bool})"/>; <paramref name="outline"/> is what a loop variant of the function may reuse.</summary>
    public static IReadOnlyList<MethodInfo> Emit(JitModule module, int index, Func<int, bool> isCompiled, out Outline outline)
    {
        var dump = module.Engine.Options.JitDumpIl;
        var outlined = new List<MethodInfo>();
        var compiler = new FunctionCompiler(module, index, Generator(module.Method(index)), isCompiled, dump, PlanWithinLimits(module, index, isCompiled), null, outlined);
        compiler.EmitBody();
        dump?.Invoke(module.Function(index).ToString(), compiler._il.Listing);
        outline = new Outline(compiler._plan, compiler._regions);
        return outlined;
    }

    /// <summary>A function's region plan and the methods of its regions, as its ordinary method calls them (for its loop variant).</summary>
    internal sealed record Outline(RegionPlan? Plan, Dictionary<int, (MethodInfo Method, List<int> Exits, bool FallsThrough)> Regions);

    /// <summary>A method for function <paramref name="index"/>'s loop variant (tier-up's on-stack replacement: FunctionCompiler.TierUp.cs).</summary>
    public static DynamicMethod DeclareLoopVariant(JitModule module, int index)
    {
        var (returnType, parameters) = Signature(module.Validated.FunctionTypes[index]);
        return new DynamicMethod(module.Function(index).ToString().Replace(' ', '_') + "_loops", returnType, parameters, typeof(JitContext).Module, skipVisibility: true);
    }

    /// <summary>
    /// Emits function <paramref name="index"/>'s loop variant into <paramref name="method"/>: its code, entered at the
    /// head of one of its loops. Returns the methods of its outlined regions and the loops it can be entered at.
    /// </summary>
    /// <remarks>
    /// With the <paramref name="outline"/> of the function's ordinary method, the variant has its plan and calls its
    /// regions instead of emitting its own. Without (a whole variant): no regions at all, so that a loop the ordinary
    /// method outlines can be entered too (at the price of one large method, which RyuJIT may compile unoptimized:
    /// still faster than the interpreter, and run by one call only).
    /// </remarks>
    public static (IReadOnlyList<MethodInfo> Outlined, IReadOnlySet<int> Entries, bool HasRegions) EmitLoopVariant(
        JitModule module, int index, DynamicMethod method, Func<int, bool> isCompiled, Outline? outline)
    {
        var dump = module.Engine.Options.JitDumpIl;
        var outlined = new List<MethodInfo>();
        var compiler = new FunctionCompiler(module, index, method.GetILGenerator(), isCompiled, dump, outline?.Plan, null, outlined)
        {
            _loopVariant = true,
            _regions = outline is not null ? new(outline.Regions) : [],
        };
        compiler.EmitBody();
        dump?.Invoke(module.Function(index) + (outline is null ? " (loop entries, whole)" : " (loop entries)"), compiler._il.Listing);
        return (outlined, compiler._enterable, outline?.Plan is not null);
    }

    /// <summary>
    /// The region plan of function <paramref name="index"/>, checked against the IL it makes. The planner works from
    /// estimated sizes (good to about 25%); a large function is emitted once into a scratch method first and measured,
    /// and while what it wrote comes near one of RyuJIT's limits for an optimized method it is planned again with a
    /// budget smaller in proportion (docs/jit.md, "Large functions"). So the method RyuJIT gets is optimized whatever
    /// the estimate got wrong.
    /// </summary>
    private static RegionPlan? PlanWithinLimits(JitModule module, int index, Func<int, bool> isCompiled)
    {
        var budget = module.Engine.Options.JitMethodBudget;
        var plan = PlanRegions(module, index, isCompiled, budget);
        var estimate = RegionPlanner.Size(module.Code(index).Body.Instructions, isCompiled);
        // Not measured: a function far from every limit, one kept whole for coverage's edge numbering, and code written
        // to a file (a dynamic method's IL cannot call the methods of an assembly being built; that code is compiled as
        // one group, so its estimate does not move with which calls are direct).
        if (module.Engine.Options.GuestCoverage is not null || module.Method(index) is MethodBuilder || (plan is null && estimate <= Measurement.SafeInstructions / 2))
        {
            return plan;
        }
        var (returnType, parameters) = Signature(module.Validated.FunctionTypes[index]);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var scratch = new DynamicMethod("measure", returnType, parameters, typeof(JitContext).Module, skipVisibility: true);
            var measurement = new Measurement();
            var measured = new FunctionCompiler(module, index, scratch.GetILGenerator(), isCompiled, null, plan, null, []) { _measurement = measurement };
            measured.EmitBody();
            measurement.Add(measured._il);
            if (measurement.Use <= 1)
            {
                break;
            }
            // What RyuJIT gets is the whole function (no plan), or what its plan left and its regions (each about the
            // budget): shrink that.
            budget = (int)(Math.Min(budget, estimate) / measurement.Use * 0.9);
            plan = PlanRegions(module, index, isCompiled, budget);
        }
        return plan;
    }

    /// <summary>
    /// The largest share of a RyuJIT limit that a measured function's methods (its own and its regions') reached:
    /// above 1 means within 90% of a limit. RyuJIT compiles a method unoptimized (MinOpts) above 20,000 IL
    /// instructions, 60,000 bytes of IL or 8,000 local references (fixed in release runtimes).
    /// </summary>
    private sealed class Measurement
    {
        // 90% of RyuJIT's limits.
        public const double SafeInstructions = 18_000;
        private const double SafeIlBytes = 54_000;
        private const double SafeLocalReferences = 7_200;

        public double Use { get; private set; }

        public void Add(IlWriter il) => Use = Math.Max(Use, Math.Max(
            Math.Max(il.Instructions / SafeInstructions, il.Generator.ILOffset / SafeIlBytes), il.LocalReferences / SafeLocalReferences));
    }

    /// <summary>Set while this compiler only measures what it writes (<see cref="PlanWithinLimits"/>): its regions go to scratch methods too, and are measured.</summary>
    private Measurement? _measurement;

    private static ILGenerator Generator(MethodInfo method) => method switch
    {
        DynamicMethod dynamic => dynamic.GetILGenerator(),
        MethodBuilder builder => builder.GetILGenerator(),
        _ => throw new InvalidOperationException($"{method} is compiled already"),
    };

    /// <summary>A thunk that calls compiled function <paramref name="index"/> in a given context, with packed arguments and results.</summary>
    public static Action<JitContext, Value[], Value[]> CompileEntry(JitModule module, int index)
    {
        var method = new DynamicMethod($"entry {module.Function(index)}", typeof(void), [typeof(JitContext), typeof(Value[]), typeof(Value[])], typeof(JitContext).Module, skipVisibility: true);
        EmitEntry(module.Validated.FunctionTypes[index], method.GetILGenerator(), il => il.Emit(OpCodes.Call, module.Method(index)));
        return method.CreateDelegate<Action<JitContext, Value[], Value[]>>();
    }

    /// <summary>The entry thunk of function <paramref name="index"/> as a public static method of an assembly being written.</summary>
    public static void DeclareEntry(JitModule module, int index, TypeBuilder assembly)
    {
        var method = assembly.DefineMethod(JitAssembly.EntryName(index), MethodAttributes.Public | MethodAttributes.Static, typeof(void), [typeof(JitContext), typeof(Value[]), typeof(Value[])]);
        EmitEntry(module.Validated.FunctionTypes[index], method.GetILGenerator(), il => il.Emit(OpCodes.Call, module.Method(index)));
    }

    /// <summary>
    /// Entry thunks shared by every compiled function whose method has the same signature, in every module: the
    /// thunk takes the function's code address and calls it with <c>calli</c>. A thunk per function would cost one
    /// more RyuJIT compilation for each function called from outside compiled code (a differential case calls
    /// several), while the signatures in use are few. Keyed by the value kinds of the parameters and results,
    /// which alone decide the method's signature (<see cref="Signature"/>).
    /// </summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Action<JitContext, Value[], Value[], nint>> s_sharedEntries = new();

    /// <summary>The shared entry thunk of functions of <paramref name="type"/>; its last argument is the code address to call.</summary>
    public static Action<JitContext, Value[], Value[], nint> SharedEntry(FunctionType type)
    {
        var key = string.Concat(type.Parameters.Select(p => (char)('a' + (int)p.Kind))) + ":" + string.Concat(type.Results.Select(r => (char)('a' + (int)r.Kind)));
        return s_sharedEntries.GetOrAdd(key, _ =>
        {
            var method = new DynamicMethod($"entry ({key})", typeof(void), [typeof(JitContext), typeof(Value[]), typeof(Value[]), typeof(nint)], typeof(JitContext).Module, skipVisibility: true);
            var (returnType, parameters) = Signature(type);
            EmitEntry(type, method.GetILGenerator(), il =>
            {
                il.Emit(OpCodes.Ldarg_3);
                il.EmitCalli(returnType, parameters);
            });
            return method.CreateDelegate<Action<JitContext, Value[], Value[], nint>>();
        });
    }

    /// <summary>Unpacks the arguments, calls the function (<paramref name="call"/> emits the call), packs the results.</summary>
    private static void EmitEntry(FunctionType type, ILGenerator generator, Action<IlWriter> call)
    {
        var il = new IlWriter(generator, listing: false);
        for (var i = 0; i < type.Parameters.Count; i++)
        {
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldc_I4, i);
            il.Emit(OpCodes.Call, Helper("Arg", type.Parameters[i].Kind));
        }
        var results = type.Results.Count > 1 ? type.Results.Select(r => il.Local(ClrType(r.Kind))).ToArray() : [];
        foreach (var result in results)
        {
            il.Emit(OpCodes.Ldloca, result);
        }
        // The first compiled frame of this entry is one deeper than the state says (0 from the host; a caller's own
        // depth when compiled code called out through the store and came back).
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldfld, ContextState);
        il.Emit(OpCodes.Ldfld, StateDepth);
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Ldarg_0);
        call(il);
        if (type.Results.Count == 1)
        {
            var value = il.Local(ClrType(type.Results[0].Kind));
            il.Emit(OpCodes.Stloc, value);
            results = [value];
        }
        for (var i = 0; i < results.Length; i++)
        {
            il.Emit(OpCodes.Ldarg_2);
            il.Emit(OpCodes.Ldc_I4, i);
            il.Emit(OpCodes.Ldloc, results[i]);
            il.Emit(OpCodes.Call, Helper("Put", type.Results[i].Kind));
        }
        il.Emit(OpCodes.Ret);
    }

    private static MethodInfo Helper(string name) =>
        typeof(JitRuntime).GetMethod(name, BindingFlags.Static | BindingFlags.Public) ?? throw new InvalidOperationException($"no JIT helper {name}");

    private static MethodInfo Helper(string prefix, ValueKind kind) => Helper(prefix + kind switch
    {
        ValueKind.I32 => "I32",
        ValueKind.I64 => "I64",
        ValueKind.F32 => "F32",
        ValueKind.F64 => "F64",
        ValueKind.Ref => "Ref",
        ValueKind.V128 => "V128",
        _ => throw new NotSupportedException($"the JIT does not compile {kind} values"),
    });

    private static MethodInfo Method(Type type, string name, params Type[] parameters) =>
        type.GetMethod(name, BindingFlags.Static | BindingFlags.Public, parameters) ?? throw new InvalidOperationException($"no method {type.Name}.{name}");

    // ---- Stack model -------------------------------------------------------------------------------------

    private LocalBuilder Slot(int height, ValueKind kind)
    {
        if (!_slots.TryGetValue((height, kind), out var local))
        {
            local = _il.Local(ClrType(kind), $"stack {height}");
            _slots[(height, kind)] = local;
        }
        return local;
    }

    private LocalBuilder Temp(ValueKind kind, int n = 0)
    {
        if (!_temps.TryGetValue((kind, n), out var local))
        {
            local = _il.Local(kind != ValueKind.Bottom ? ClrType(kind) : n == 3 ? typeof(Value[]) : typeof(ulong), $"temp {kind} {n}");
            _temps[(kind, n)] = local;
        }
        return local;
    }

    /// <summary>Stores every operand still on the CIL stack into its slot local, leaving the CIL stack empty.</summary>
    private void SpillAll()
    {
        for (var i = _stack.Count - 1; i >= _cilBase; i--)
        {
            _il.Emit(OpCodes.Stloc, Slot(i, _stack[i]));
        }
        _cilBase = _stack.Count;
    }

    /// <summary>Makes sure the top <paramref name="count"/> operands are on the CIL stack (loading spilled ones).</summary>
    private void Need(int count)
    {
        var first = _stack.Count - count;
        if (first >= _cilBase)
        {
            return;
        }
        SpillAll();
        for (var i = first; i < _stack.Count; i++)
        {
            _il.Emit(OpCodes.Ldloc, Slot(i, _stack[i]));
        }
        _cilBase = first;
    }

    /// <summary>Consumes the top <paramref name="count"/> operands, which are on the CIL stack for the instruction that follows.</summary>
    private void Pop(int count)
    {
        Need(count);
        _stack.RemoveRange(_stack.Count - count, count);
    }

    private ValueKind Top => _stack[^1];

    private void Push(ValueKind kind) => _stack.Add(kind);

    /// <summary>Copies <c>types.Length</c> spilled values from the top of the stack down to height <paramref name="height"/>.</summary>
    private void Move(int height, ValueKind[] types)
    {
        var source = _stack.Count - types.Length;
        if (source == height)
        {
            return;
        }
        for (var i = 0; i < types.Length; i++)
        {
            _il.Emit(OpCodes.Ldloc, Slot(source + i, types[i]));
            _il.Emit(OpCodes.Stloc, Slot(height + i, types[i]));
        }
    }

    private void ResetStack(int height, ValueKind[] top)
    {
        _stack.RemoveRange(height, _stack.Count - height);
        _stack.AddRange(top);
        _cilBase = _stack.Count;
    }

    // ---- Body --------------------------------------------------------------------------------------------

    private void LoadContext() => _il.Argument(OpCodes.Ldarg, _contextArg);

    /// <summary>The function's opaque zero (see <see cref="HoistOpaqueConstants"/>), for the instructions the table marks <c>opaque</c>.</summary>
    private LocalBuilder? _opaqueZero;

    /// <summary>Pushes the engine's <see cref="RelaxedSimdMode"/>, for the instructions the table marks <c>mode</c> (relaxed SIMD).</summary>
    private void LoadRelaxedSimdMode()
    {
        LoadContext();
        _il.Emit(OpCodes.Ldfld, ContextRelaxedSimd);
    }

    private void LoadOpaqueZero() => _il.Emit(OpCodes.Ldloc, _opaqueZero ?? throw new InvalidOperationException("no opaque zero was loaded"));

    /// <summary>Pushes this frame's call depth.</summary>
    private void LoadDepth() => _il.Argument(OpCodes.Ldarg, _depthArg);

    /// <summary>Pushes the depth of a frame this one calls (one deeper).</summary>
    private void LoadCalleeDepth()
    {
        LoadDepth();
        _il.Emit(OpCodes.Ldc_I4_1);
        _il.Emit(OpCodes.Add);
    }

    /// <summary>
    /// Before a call that leaves compiled code (a host or interpreted function, through the store): the state's depth
    /// becomes <paramref name="offset"/> plus this frame's, so that compiled code the call re-enters (whose entry thunk
    /// starts from the state's depth) keeps counting from here.
    /// </summary>
    private void PublishDepth(int offset = 0)
    {
        _il.Emit(OpCodes.Ldloc, _state);
        LoadDepth();
        if (offset != 0)
        {
            _il.Emit(OpCodes.Ldc_I4, offset);
            _il.Emit(OpCodes.Add);
        }
        _il.Emit(OpCodes.Stfld, StateDepth);
    }

    private void ReloadMemory()
    {
        if (_memoryBase is null)
        {
            return;
        }
        LoadContext();
        _il.Emit(OpCodes.Ldfld, ContextMemory);
        _il.Emit(OpCodes.Dup);
        _il.Emit(OpCodes.Ldfld, MemoryData);
        _il.Emit(OpCodes.Stloc, _memoryBase);
        _il.Emit(OpCodes.Ldfld, MemoryLength);
        _il.Emit(OpCodes.Stloc, _memoryLength!);
    }

    // Function entry and loop heads: fuel, and (EngineOptions.JitInterruptChecks) the store's interrupt request.
    private void ConsumeFuel()
    {
        if (_fuel)
        {
            LoadContext();
            _il.Emit(OpCodes.Ldc_I4_1);
            _il.Emit(OpCodes.Call, Helper(nameof(JitRuntime.ConsumeFuel)));
        }
        if (_interruptChecks)
        {
            LoadContext();
            _il.Emit(OpCodes.Call, Helper(nameof(JitRuntime.StopIfInterrupted)));
        }
    }

    private void Throw(TrapKind kind)
    {
        _il.Emit(OpCodes.Ldc_I4, (int)kind);
        _il.Emit(OpCodes.Call, Helper(nameof(JitRuntime.Trap)));
        _il.Emit(OpCodes.Throw);
    }

    /// <summary>
    /// Ends a check whose comparison operands are on the CIL stack, with nothing below them: <paramref name="fails"/>
    /// branches to a trap of <paramref name="kind"/>, <paramref name="passes"/> is its inverse. Outside exception
    /// blocks every check of a kind shares one trap at the method's end (<see cref="EmitSharedTraps"/>): RyuJIT
    /// spends far more on a throw block per check than on a branch; inside one (which a branch may not leave) the
    /// trap is written in place.
    /// </summary>
    private void TrapIf(OpCode fails, OpCode passes, TrapKind kind)
    {
        if (_il.OpenRegions == 0)
        {
            if (!_sharedTraps.TryGetValue(kind, out var trap))
            {
                trap = _il.DefineLabel();
                _sharedTraps.Add(kind, trap);
            }
            _il.Emit(fails, trap);
            return;
        }
        var ok = _il.DefineLabel();
        _il.Emit(passes, ok);
        Throw(kind);
        _il.Mark(ok);
    }

    /// <summary>The traps checks branch to (<see cref="TrapIf"/>), in the order first used.</summary>
    private readonly Dictionary<TrapKind, Label> _sharedTraps = [];

    /// <summary>Writes the shared traps, after the method's last return.</summary>
    private void EmitSharedTraps()
    {
        foreach (var (kind, label) in _sharedTraps)
        {
            _il.Mark(label);
            Throw(kind);
        }
    }

    private ValueKind[] Kinds(IEnumerable<ValType> types) => [.. types.Select(t => t.Kind)];

    private (ValueKind[] Params, ValueKind[] Results) BlockTypes(BlockType type)
    {
        if (type.IsEmpty)
        {
            return ([], []);
        }
        if (type.IsValue)
        {
            return ([], [type.Result.Kind]);
        }
        var functionType = (FunctionType)_validated.TypeBody(type.TypeIndex);
        return (Kinds(functionType.Parameters), Kinds(functionType.Results));
    }

    /// <summary>
    /// The float constants RyuJIT must not see (<see cref="OpaqueConstant"/>), computed once at entry into a local each
    /// when the function has a loop: the out-of-line call that hides one then runs once per call of the function,
    /// not once per iteration. Keyed by kind and bits.
    /// </summary>
    private readonly Dictionary<(ValueKind Kind, ulong Bits), LocalBuilder> _opaqueConstants = [];

    /// <summary>Byref locals holding the address of a number global's bits, by global index (<see cref="HoistGlobals"/>).</summary>
    private readonly Dictionary<int, LocalBuilder> _globalBits = [];

    /// <summary>Prologue: what the code uses often and cannot change during a call, loaded once into locals.</summary>
    private void HoistInvariants()
    {
        var body = Range.ToList();
        var hasLoop = body.Any(i => i.Opcode == Opcode.Loop);
        HoistGlobals(body, hasLoop);
        HoistOpaqueConstants(body, hasLoop);
    }

    /// <summary>The opaque zero of vector float arithmetic, and in a function with a loop its opaque float constants.</summary>
    private void HoistOpaqueConstants(List<Instruction> body, bool hasLoop)
    {
        if (body.Any(i => TakesOpaqueZero(i.Opcode)))
        {
            // Loaded once here, where it dominates every use: vector float arithmetic takes it (LoadOpaqueZero).
            _opaqueZero = _il.Local(typeof(System.Runtime.Intrinsics.Vector128<ulong>), "opaque zero");
            _il.Emit(OpCodes.Call, typeof(JitFloatArithmetic).GetMethod(nameof(JitFloatArithmetic.OpaqueZero))!);
            _il.Emit(OpCodes.Stloc, _opaqueZero);
        }
        if (!hasLoop)
        {
            return;
        }
        foreach (var instruction in body)
        {
            if (OpaqueConstant(instruction) is not { } constant || _opaqueConstants.ContainsKey(constant))
            {
                continue;
            }
            var local = _il.Local(ClrType(constant.Kind), $"constant {constant.Bits:x}");
            EmitOpaqueConstant(constant);
            _il.Emit(OpCodes.Stloc, local);
            _opaqueConstants[constant] = local;
        }
    }

    /// <summary>
    /// The kind and bits of an <c>f32.const</c> or <c>f64.const</c> RyuJIT must not see: NaNs, whose payload it could
    /// quiet (it keeps float constants as doubles). Null for any other instruction or value. (The identities it would
    /// fold, x - 0 and the like, need no hiding here: <see cref="JitFloatArithmetic"/> is immune to them.)
    /// </summary>
    private static (ValueKind Kind, ulong Bits)? OpaqueConstant(Instruction instruction) => instruction.Opcode switch
    {
        Opcode.F32Const when float.IsNaN(BitConverter.UInt32BitsToSingle(instruction.F32Bits)) => (ValueKind.F32, instruction.F32Bits),
        Opcode.F64Const when double.IsNaN(BitConverter.UInt64BitsToDouble(instruction.F64Bits)) => (ValueKind.F64, instruction.F64Bits),
        _ => null,
    };

    /// <summary>Pushes a constant RyuJIT must not see: its hoisted local, else a call of the out-of-line helper.</summary>
    private void EmitOpaqueConstant((ValueKind Kind, ulong Bits) constant)
    {
        if (_opaqueConstants.TryGetValue(constant, out var hoisted))
        {
            _il.Emit(OpCodes.Ldloc, hoisted);
        }
        else if (constant.Kind == ValueKind.F32)
        {
            _il.Emit(OpCodes.Ldc_I4, (int)(uint)constant.Bits);
            _il.Emit(OpCodes.Call, Helper(nameof(JitRuntime.F32Bits)));
        }
        else
        {
            _il.Emit(OpCodes.Ldc_I8, (long)constant.Bits);
            _il.Emit(OpCodes.Call, Helper(nameof(JitRuntime.F64Bits)));
        }
    }

    private void EmitBody()
    {
        // The call depth travels as an argument (callers pass theirs plus one, tail calls their own), so a call costs
        // no read-modify-write of shared state: the entry checks it against the limit, and the stack.
        LoadDepth();
        LoadContext();
        _il.Emit(OpCodes.Ldfld, ContextState);
        _il.Emit(OpCodes.Dup);
        _il.Emit(OpCodes.Stloc, _state);
        _il.Emit(OpCodes.Call, Helper(nameof(JitRuntime.Enter)));
        PrepareCatch();
        ConsumeFuel();
        ReloadMemory();
        HoistInvariants();
        _coverage?.Edge();
        AllocateFrame();
        EmitLoopEntry();
        var results = Kinds(_type.Results);
        _controls.Add(new Control { Kind = Opcode.Block, Height = 0, Results = results, Label = _il.DefineLabel() });
        TranslateRange();
        // The function's end: results are in the slots at the bottom of the stack.
        if (results.Length == 1)
        {
            _il.Emit(OpCodes.Ldloc, Slot(0, results[0]));
        }
        else
        {
            for (var i = 0; i < results.Length; i++)
            {
                _il.Argument(OpCodes.Ldarg, _type.Parameters.Count + i);
                _il.Emit(OpCodes.Ldloc, Slot(i, results[i]));
                StoreIndirect(results[i]);
            }
        }
        _il.Emit(OpCodes.Ret);
        EndLoopEntries();
        EmitTailCallStubs();
        EmitSharedTraps();
    }

    private void Translate(Instruction instruction)
    {
        var opcode = instruction.Opcode;
        if (_unreachable && _deadCode.Skips(opcode))
        {
            return;
        }
        _il.Comment($"{instruction}");
        switch (opcode)
        {
            case Opcode.Nop:
                return;
            case Opcode.Unreachable:
                Throw(TrapKind.Unreachable);
                _unreachable = true;
                return;
            case Opcode.Block:
            {
                var (parameters, results) = BlockTypes(instruction.BlockType);
                _controls.Add(new Control { Kind = opcode, Height = _stack.Count - parameters.Length, Params = parameters, Results = results, Label = _il.DefineLabel() });
                return;
            }
            case Opcode.Loop:
            {
                var (parameters, results) = BlockTypes(instruction.BlockType);
                SpillAll();
                EmitLoopHeadEntry();
                var control = new Control { Kind = opcode, Height = _stack.Count - parameters.Length, Params = parameters, Results = results, Label = _il.DefineLabel() };
                _controls.Add(control);
                _il.Mark(control.Label);
                ConsumeFuel();
                _coverage?.Edge();
                return;
            }
            case Opcode.If:
            {
                var (parameters, results) = BlockTypes(instruction.BlockType);
                SpillAll();
                var condition = Slot(_stack.Count - 1, ValueKind.I32);
                _stack.RemoveAt(_stack.Count - 1);
                _cilBase = _stack.Count;
                var control = new Control { Kind = opcode, Height = _stack.Count - parameters.Length, Params = parameters, Results = results, Label = _il.DefineLabel(), Else = _il.DefineLabel() };
                _controls.Add(control);
                _il.Emit(OpCodes.Ldloc, condition);
                _il.Emit(OpCodes.Brfalse, control.Else);
                _coverage?.Edge();
                return;
            }
            case Opcode.Else:
            {
                var control = _controls[^1];
                if (!_unreachable)
                {
                    SpillAll();
                    _il.Emit(OpCodes.Br, control.Label);
                }
                control.HasElse = true;
                _il.Mark(control.Else);
                _coverage?.Edge();
                ResetStack(control.Height, control.Params);
                _unreachable = false;
                return;
            }
            case Opcode.End when EndTry():
                return;
            case Opcode.End:
            {
                var control = _controls[^1];
                _controls.RemoveAt(_controls.Count - 1);
                if (!_unreachable)
                {
                    SpillAll();
                }
                if (control.Kind == Opcode.If && !control.HasElse)
                {
                    _il.Mark(control.Else);
                }
                if (control.Kind != Opcode.Loop)
                {
                    _il.Mark(control.Label);
                    _coverage?.Edge();
                }
                ResetStack(control.Height, control.Results);
                _unreachable = false;
                return;
            }
            case Opcode.Br:
                SpillAll();
                Branch(instruction.Index);
                _unreachable = true;
                return;
            case Opcode.BrIf:
            {
                SpillAll();
                var condition = Slot(_stack.Count - 1, ValueKind.I32);
                _stack.RemoveAt(_stack.Count - 1);
                _cilBase = _stack.Count;
                var target = Target(instruction.Index);
                _il.Emit(OpCodes.Ldloc, condition);
                if (_stack.Count - target.LabelTypes.Length == target.Height && !Crosses(target))
                {
                    _il.Emit(OpCodes.Brtrue, target.Label);
                }
                else
                {
                    var skip = _il.DefineLabel();
                    _il.Emit(OpCodes.Brfalse, skip);
                    Branch(instruction.Index);
                    _il.Mark(skip);
                }
                _coverage?.Edge();
                return;
            }
            case Opcode.BrTable:
            {
                SpillAll();
                var index = Slot(_stack.Count - 1, ValueKind.I32);
                _stack.RemoveAt(_stack.Count - 1);
                _cilBase = _stack.Count;
                var table = instruction.BranchTable;
                var trampolines = new Dictionary<uint, Label>();
                Label LabelFor(uint depth)
                {
                    var target = Target(depth);
                    if (_stack.Count - target.LabelTypes.Length == target.Height && !Crosses(target))
                    {
                        return target.Label;
                    }
                    if (!trampolines.TryGetValue(depth, out var label))
                    {
                        label = _il.DefineLabel();
                        trampolines[depth] = label;
                    }
                    return label;
                }
                var labels = table.Labels.Select(LabelFor).ToArray();
                if (labels.Length > 0)
                {
                    // (An empty switch falls through; the assembly writer's encoder refuses one, so none is emitted.)
                    _il.Emit(OpCodes.Ldloc, index);
                    _il.Emit(OpCodes.Switch, labels);
                }
                Branch(table.Default);
                foreach (var (depth, label) in trampolines)
                {
                    _il.Mark(label);
                    Branch(depth);
                }
                _unreachable = true;
                return;
            }
            case Opcode.Return:
                SpillAll();
                Branch((uint)(_controls.Count - 1));
                _unreachable = true;
                return;
            case Opcode.Call:
                EmitCall((int)instruction.Index);
                return;
            case Opcode.Try or Opcode.TryTable or Opcode.Catch or Opcode.CatchAll or Opcode.Delegate
                or Opcode.Throw or Opcode.ThrowRef or Opcode.Rethrow:
                TranslateException(instruction);
                return;
            case Opcode.CallIndirect or Opcode.ReturnCall or Opcode.ReturnCallIndirect or Opcode.CallRef or Opcode.ReturnCallRef:
                EmitCallInstruction(instruction);
                return;
            case Opcode.BrOnNull:
                EmitBrOnNull(instruction.Index);
                _coverage?.Edge();
                return;
            case Opcode.BrOnNonNull:
                EmitBrOnNonNull(instruction.Index);
                _coverage?.Edge();
                return;
            case Opcode.Drop:
                Pop(1);
                _il.Emit(OpCodes.Pop);
                return;
            case Opcode.Select:
            case Opcode.SelectTyped:
            {
                var kind = _stack[^2];
                if (kind is ValueKind.F32 or ValueKind.F64)
                {
                    // Operands a, b, c are on the CIL stack in the helper's order: a blend, not a branch.
                    Pop(3);
                    _il.Emit(OpCodes.Call, Helper(kind == ValueKind.F64 ? nameof(JitRuntime.SelectF64) : nameof(JitRuntime.SelectF32)));
                    Push(kind);
                    return;
                }
                Pop(3);
                if (kind is ValueKind.I32 or ValueKind.I64)
                {
                    // Branch-free, as Cranelift's cmov: RyuJIT does not if-convert inside loops on x64, and a select on
                    // data (a merge step, a running minimum) mispredicts half the time as a branch. b ^ ((a ^ b) & mask)
                    // with mask = -(c != 0), all ones or zero.
                    _il.Emit(OpCodes.Ldc_I4_0);
                    _il.Emit(OpCodes.Cgt_Un);
                    _il.Emit(OpCodes.Neg);
                    if (kind == ValueKind.I64)
                    {
                        _il.Emit(OpCodes.Conv_I8);
                    }
                    _il.Emit(OpCodes.Stloc, Temp(kind, 2));
                    _il.Emit(OpCodes.Stloc, Temp(kind, 1));
                    _il.Emit(OpCodes.Ldloc, Temp(kind, 1));
                    _il.Emit(OpCodes.Xor);
                    _il.Emit(OpCodes.Ldloc, Temp(kind, 2));
                    _il.Emit(OpCodes.And);
                    _il.Emit(OpCodes.Ldloc, Temp(kind, 1));
                    _il.Emit(OpCodes.Xor);
                    Push(kind);
                    return;
                }
                _il.Emit(OpCodes.Stloc, Temp(ValueKind.I32, 2));
                _il.Emit(OpCodes.Stloc, Temp(kind, 1));
                _il.Emit(OpCodes.Stloc, Temp(kind, 0));
                var keep = _il.DefineLabel();
                _il.Emit(OpCodes.Ldloc, Temp(ValueKind.I32, 2));
                _il.Emit(OpCodes.Brtrue, keep);
                _il.Emit(OpCodes.Ldloc, Temp(kind, 1));
                _il.Emit(OpCodes.Stloc, Temp(kind, 0));
                _il.Mark(keep);
                _il.Emit(OpCodes.Ldloc, Temp(kind, 0));
                Push(kind);
                return;
            }
            case Opcode.LocalGet:
                LoadLocal((int)instruction.Index);
                Push(_localTypes[(int)instruction.Index].Kind);
                return;
            case Opcode.LocalSet:
                Pop(1);
                StoreLocal((int)instruction.Index);
                return;
            case Opcode.LocalTee:
                Pop(1);
                _il.Emit(OpCodes.Dup);
                StoreLocal((int)instruction.Index);
                Push(_localTypes[(int)instruction.Index].Kind);
                return;
            case Opcode.GlobalGet:
            {
                var kind = _validated.Globals[(int)instruction.Index].Type.Kind;
                if (GlobalBits(kind) is var (load, _))
                {
                    GlobalBitsAddress((int)instruction.Index);
                    _il.Emit(load);
                }
                else
                {
                    LoadGlobal((int)instruction.Index);
                    _il.Emit(OpCodes.Call, Helper("Global", kind));
                }
                Push(kind);
                return;
            }
            case Opcode.GlobalSet:
            {
                var kind = _validated.Globals[(int)instruction.Index].Type.Kind;
                Pop(1);
                if (GlobalBits(kind) is var (_, store))
                {
                    var value = Temp(kind, 12);
                    _il.Emit(OpCodes.Stloc, value);
                    GlobalBitsAddress((int)instruction.Index);
                    _il.Emit(OpCodes.Ldloc, value);
                    _il.Emit(store);
                }
                else
                {
                    LoadGlobal((int)instruction.Index);
                    _il.Emit(OpCodes.Call, Helper("SetGlobal", kind));
                }
                return;
            }
            case Opcode.I32Const:
                _il.Emit(OpCodes.Ldc_I4, instruction.I32);
                Push(ValueKind.I32);
                return;
            case Opcode.I64Const:
                _il.Emit(OpCodes.Ldc_I8, instruction.I64);
                Push(ValueKind.I64);
                return;
            case Opcode.F32Const:
                if (OpaqueConstant(instruction) is { } opaque32)
                {
                    EmitOpaqueConstant(opaque32);
                }
                else
                {
                    _il.Emit(OpCodes.Ldc_R4, BitConverter.UInt32BitsToSingle(instruction.F32Bits));
                }
                Push(ValueKind.F32);
                return;
            case Opcode.F64Const:
                if (OpaqueConstant(instruction) is { } opaque64)
                {
                    EmitOpaqueConstant(opaque64);
                }
                else
                {
                    _il.Emit(OpCodes.Ldc_R8, BitConverter.UInt64BitsToDouble(instruction.F64Bits));
                }
                Push(ValueKind.F64);
                return;
            case Opcode.RefNull:
                _il.Emit(OpCodes.Ldnull);
                Push(ValueKind.Ref);
                return;
            case Opcode.RefIsNull:
                Pop(1);
                _il.Emit(OpCodes.Ldnull);
                _il.Emit(OpCodes.Ceq);
                Push(ValueKind.I32);
                return;
            case Opcode.RefFunc:
                LoadContext();
                _il.Emit(OpCodes.Ldfld, ContextFunctions);
                _il.Emit(OpCodes.Ldc_I4, (int)instruction.Index);
                _il.Emit(OpCodes.Ldelem_Ref);
                Push(ValueKind.Ref);
                return;
            case Opcode.RefEq:
                Call(2, ValueKind.I32, nameof(JitRuntime.RefEq));
                return;
            case Opcode.RefAsNonNull:
                Pop(1);
                _il.Emit(OpCodes.Call, Helper(nameof(JitRuntime.RefAsNonNull)));
                Push(ValueKind.Ref);
                return;
            case Opcode.TableGet or Opcode.TableSet or Opcode.TableSize or Opcode.TableGrow or Opcode.TableFill or Opcode.TableCopy or Opcode.TableInit:
                EmitTableInstruction(instruction);
                return;
            case Opcode.ElemDrop:
                CallHelper(nameof(JitRuntime.ElemDrop), 0, null, (int)instruction.Index);
                return;
            case Opcode.MemorySize or Opcode.MemoryGrow or Opcode.MemoryFill or Opcode.MemoryCopy or Opcode.MemoryInit:
                EmitMemoryInstruction(instruction);
                return;
            case Opcode.DataDrop:
                CallHelper(nameof(JitRuntime.DataDrop), 0, null, (int)instruction.Index);
                return;
            default:
                break;
        }
        var code = (int)opcode;
        if ((code >> 16) == 0xFE)
        {
            EmitAtomic(instruction);
            return;
        }
        if ((code >> 16) == 0xFD)
        {
            EmitSimd(instruction);
            return;
        }
        if ((code >> 16) == 0xFB)
        {
            EmitGc(instruction);
            return;
        }
        if (code is >= 0x28 and <= 0x35)
        {
            EmitLoad(opcode, instruction.MemArg);
            return;
        }
        if (code is >= 0x36 and <= 0x3E)
        {
            EmitStore(opcode, instruction.MemArg);
            return;
        }
        if (!TryEmitPure(instruction))
        {
            throw new NotSupportedException($"the JIT does not compile {opcode.Name()}");
        }
    }

    private Control Target(uint depth)
    {
        var target = _controls[_controls.Count - 1 - (int)depth];
        target.Used = true;
        return target;
    }

    /// <summary>Branches to label <paramref name="depth"/> (the stack is spilled): moves the label's values, then jumps.</summary>
    private void Branch(uint depth)
    {
        var target = Target(depth);
        Move(target.Height, target.LabelTypes);
        Jump(target);
    }

    private void LoadLocal(int index)
    {
        if (_frameLocals.Contains(index))
        {
            FrameAddress(LocalOffset(index));
            LoadIndirect(_localTypes[index].Kind);
        }
        else if (_region is not null)
        {
            _il.Emit(OpCodes.Ldloc, _regionLocals[index]);
        }
        else if (index < _type.Parameters.Count)
        {
            _il.Argument(OpCodes.Ldarg, index);
        }
        else
        {
            _il.Emit(OpCodes.Ldloc, _locals[index - _type.Parameters.Count]);
        }
    }

    private void StoreLocal(int index)
    {
        if (_frameLocals.Contains(index))
        {
            var kind = _localTypes[index].Kind;
            var value = Temp(kind, 11);
            _il.Emit(OpCodes.Stloc, value);
            FrameAddress(LocalOffset(index));
            _il.Emit(OpCodes.Ldloc, value);
            StoreIndirect(kind);
        }
        else if (_region is not null)
        {
            _il.Emit(OpCodes.Stloc, _regionLocals[index]);
        }
        else if (index < _type.Parameters.Count)
        {
            _il.Argument(OpCodes.Starg, index);
        }
        else
        {
            _il.Emit(OpCodes.Stloc, _locals[index - _type.Parameters.Count]);
        }
    }

    private void LoadGlobal(int index)
    {
        LoadContext();
        _il.Emit(OpCodes.Ldfld, ContextGlobals);
        _il.Emit(OpCodes.Ldc_I4, index);
        _il.Emit(OpCodes.Ldelem_Ref);
    }

    /// <summary>
    /// For a number global, the indirect load and store of its type on the address of its bits
    /// (<see cref="GlobalBitsAddress"/>); null for references and vectors (helper calls). A number
    /// global holds its value zero-extended in <see cref="Value.Low"/> with <see cref="Value.High"/> zero and no
    /// reference, whatever was stored before, so a store of the type's own width keeps that true (little-endian: the
    /// low bytes come first). Plain IL rather than an inlined helper: the generator's modules make their results
    /// observable through globals, and each inlined call site costs RyuJIT about twice the IL it stands for.
    /// </summary>
    private static (OpCode Load, OpCode Store)? GlobalBits(ValueKind kind) => !BitConverter.IsLittleEndian ? null : kind switch
    {
        ValueKind.I32 => (OpCodes.Ldind_I4, OpCodes.Stind_I4),
        ValueKind.I64 => (OpCodes.Ldind_I8, OpCodes.Stind_I8),
        ValueKind.F32 => (OpCodes.Ldind_R4, OpCodes.Stind_R4),
        ValueKind.F64 => (OpCodes.Ldind_R8, OpCodes.Stind_R8),
        _ => null,
    };

    /// <summary>
    /// Pushes the address of number global <paramref name="index"/>'s bits: from the local the prologue loaded it
    /// into (<see cref="HoistGlobals"/>), or through the context's globals.
    /// </summary>
    private void GlobalBitsAddress(int index)
    {
        if (_globalBits.TryGetValue(index, out var local))
        {
            _il.Emit(OpCodes.Ldloc, local);
            return;
        }
        LoadGlobal(index);
        _il.Emit(OpCodes.Ldflda, GlobalRawValue);
        _il.Emit(OpCodes.Ldflda, ValueLow);
    }

    /// <summary>
    /// Loads, once at entry, the address of the bits of each number global the code uses more than once or in a
    /// loop into a byref local (a global's instance is fixed for the instance's life): each access is then a load
    /// or store through a register instead of a walk from the context through the globals array with its range check.
    /// </summary>
    private void HoistGlobals(List<Instruction> body, bool hasLoop)
    {
        var uses = body.Where(i => i.Opcode is Opcode.GlobalGet or Opcode.GlobalSet && GlobalBits(_validated.Globals[(int)i.Index].Type.Kind) is not null)
            .GroupBy(i => (int)i.Index);
        foreach (var global in uses.Where(g => hasLoop || g.Count() > 1).Select(g => g.Key).Order())
        {
            var local = _il.Local(typeof(ulong).MakeByRefType(), $"global {global} bits");
            GlobalBitsAddress(global);
            _il.Emit(OpCodes.Stloc, local);
            _globalBits[global] = local;
        }
    }

    /// <summary>Calls a <see cref="JitRuntime"/> helper taking <paramref name="pops"/> operands, the context and constant indices.</summary>
    private void CallHelper(string name, int pops, ValueKind? result, params int[] immediates)
    {
        Pop(pops);
        LoadContext();
        foreach (var immediate in immediates)
        {
            _il.Emit(OpCodes.Ldc_I4, immediate);
        }
        _il.Emit(OpCodes.Call, Helper(name));
        if (result is { } kind)
        {
            Push(kind);
        }
    }

    // ---- Calls -------------------------------------------------------------------------------------------

    private void EmitCall(int functionIndex)
    {
        var type = _validated.FunctionTypes[functionIndex];
        if (_isCompiled(functionIndex))
        {
            Pop(type.Parameters.Count);
            var results = type.Results.Count > 1 ? type.Results.Select((r, i) => Temp(r.Kind, 10 + i)).ToArray() : [];
            foreach (var result in results)
            {
                _il.Emit(OpCodes.Ldloca, result);
            }
            LoadCalleeDepth();
            LoadContext();
            _il.Emit(OpCodes.Call, _module.Method(functionIndex));
            if (type.Results.Count == 1)
            {
                Push(type.Results[0].Kind);
            }
            for (var i = 0; i < results.Length; i++)
            {
                _il.Emit(OpCodes.Ldloc, results[i]);
                Push(type.Results[i].Kind);
            }
        }
        else if (functionIndex >= _validated.ImportedFunctionCount)
        {
            // A function of this module outside the group: through the code table (compiled on its first call).
            EmitDynamicCall(type, tail: false, (function, context) => ResolveDefined(functionIndex, function, context), above: 0);
            return;
        }
        else
        {
            PackArguments(type, 0);
            PublishDepth();
            LoadContext();
            _il.Emit(OpCodes.Ldc_I4, functionIndex);
            _il.Emit(OpCodes.Call, Helper(nameof(JitRuntime.Call)));
            UnpackResults(type);
        }
        ReloadMemory();
    }

    /// <summary>Pops the arguments (below <paramref name="above"/> more operands, which stay spilled) into a new <see cref="Value"/> array on the CIL stack.</summary>
    private void PackArguments(FunctionType type, int above)
    {
        SpillAll();
        var count = type.Parameters.Count;
        var first = _stack.Count - above - count;
        _il.Emit(OpCodes.Ldc_I4, count);
        _il.Emit(OpCodes.Newarr, typeof(Value));
        for (var i = 0; i < count; i++)
        {
            var kind = _stack[first + i];
            _il.Emit(OpCodes.Dup);
            _il.Emit(OpCodes.Ldc_I4, i);
            _il.Emit(OpCodes.Ldloc, Slot(first + i, kind));
            _il.Emit(OpCodes.Call, Helper("Put", kind));
        }
        _stack.RemoveRange(first, count + above);
        _cilBase = _stack.Count;
    }

    /// <summary>Unpacks the results array on the CIL stack onto the operand stack.</summary>
    private void UnpackResults(FunctionType type)
    {
        if (type.Results.Count == 0)
        {
            _il.Emit(OpCodes.Pop);
            return;
        }
        var array = _il.Local(typeof(Value[]), "results");
        _il.Emit(OpCodes.Stloc, array);
        for (var i = 0; i < type.Results.Count; i++)
        {
            _il.Emit(OpCodes.Ldloc, array);
            _il.Emit(OpCodes.Ldc_I4, i);
            _il.Emit(OpCodes.Call, Helper("Arg", type.Results[i].Kind));
            Push(type.Results[i].Kind);
        }
    }

    // ---- Vectors -------------------------------------------------------------------------------------------

    private static readonly MethodInfo ShuffleMethod = ((Func<V128, V128, long, long, V128>)VectorOps.I8x16Shuffle).Method;
    private static readonly MethodInfo ShuffleOneMethod = ((Func<V128, long, long, V128>)VectorOps.I8x16ShuffleOne).Method;

    /// <summary>
    /// <c>i8x16.shuffle</c> of operands a, b (b on top) with lane indices <paramref name="lanes"/>. In general two
    /// byte shuffles and an OR (<see cref="VectorOps.I8x16Shuffle"/>); one shuffle (<see cref="VectorOps.I8x16ShuffleOne"/>)
    /// when every lane comes from one operand, when both operands are the same local, or when one operand is a local
    /// that holds zero there (<see cref="IsZeroAt"/>; clang widens bytes by shuffling with a zero vector kept in a
    /// local): its lanes then read index 0x80, which gives 0.
    /// </summary>
    private void EmitShuffle(V128 lanes)
    {
        var indices = lanes.ToBytes();
        var (a, b) = (OperandLocal(2), OperandLocal(1));
        // Which operand the single shuffle reads, and each lane's index into it (0x80: a zero lane).
        (bool FromB, Func<byte, byte> Index)? one =
            indices.All(i => i < 16) ? (false, i => i)
            : indices.All(i => i >= 16) ? (true, i => (byte)(i - 16))
            : a is not null && a == b ? (false, i => (byte)(i & 15))
            : b is { } zeroB && IsZeroAt(zeroB, _position) ? (false, i => i < 16 ? i : (byte)0x80)
            : a is { } zeroA && IsZeroAt(zeroA, _position) ? (true, i => i >= 16 ? (byte)(i - 16) : (byte)0x80)
            : null;
        Pop(2);
        if (one is not var (fromB, index))
        {
            _il.Emit(OpCodes.Ldc_I8, (long)lanes.Low);
            _il.Emit(OpCodes.Ldc_I8, (long)lanes.High);
            _il.Emit(OpCodes.Call, ShuffleMethod);
            Push(ValueKind.V128);
            return;
        }
        if (fromB)
        {
            var top = Temp(ValueKind.V128, 12);
            _il.Emit(OpCodes.Stloc, top);
            _il.Emit(OpCodes.Pop);
            _il.Emit(OpCodes.Ldloc, top);
        }
        else
        {
            _il.Emit(OpCodes.Pop);
        }
        var rewritten = V128.FromBytes(indices.Select(index).ToArray());
        _il.Emit(OpCodes.Ldc_I8, (long)rewritten.Low);
        _il.Emit(OpCodes.Ldc_I8, (long)rewritten.High);
        _il.Emit(OpCodes.Call, ShuffleOneMethod);
        Push(ValueKind.V128);
    }

    /// <summary>
    /// The local whose <c>local.get</c> pushed the operand <paramref name="depth"/> deep (1: the top) of the current
    /// instruction, when the instructions just before it are plain pushes of this code (not an outlined region's
    /// end); otherwise null.
    /// </summary>
    private int? OperandLocal(int depth)
    {
        var body = _code.Body.Instructions;
        var at = _position - depth;
        if (at < _first || (_plan is not null && _plan.ByStart.Values.Any(r => r != _region && r.Start <= at && r.End > at)))
        {
            return null;
        }
        // Each instruction between it and the current one must push exactly one value and pop none.
        for (var i = at + 1; i < _position; i++)
        {
            if (body[i].Opcode is not (Opcode.LocalGet or Opcode.V128Const))
            {
                return null;
            }
        }
        return body[at].Opcode == Opcode.LocalGet ? (int)body[at].Index : null;
    }

    /// <summary>
    /// Whether v128 local <paramref name="local"/> certainly holds zero when the instruction at
    /// <paramref name="position"/> runs: its last write before that point in the code is a <c>v128.const</c> of zero
    /// (or there is none and the local is declared, so it starts at zero), that write is at the position's own
    /// nesting level or an enclosing one (so every path from it reaches the position through it), and no loop entered
    /// after it that encloses the position writes the local (a back edge would bring that value round). Anything
    /// less certain (a write in a nested block, a legacy <c>catch</c> arm) answers no.
    /// </summary>
    private bool IsZeroAt(int local, int position)
    {
        if (local < _type.Parameters.Count || _localTypes[local].Kind != ValueKind.V128)
        {
            return false;
        }
        var body = _code.Body.Instructions;
        var blocks = _validated.Functions[_index - _validated.ImportedFunctionCount];
        bool Writes(int from, int to)
        {
            for (var i = from + 1; i < to; i++)
            {
                if (body[i].Opcode is Opcode.LocalSet or Opcode.LocalTee && body[i].Index == local)
                {
                    return true;
                }
            }
            return false;
        }
        // Walk back to the last write at the position's level or an enclosing one, noting the loops entered since.
        var loops = new List<int>();
        for (var i = position - 1; i >= 0; i--)
        {
            var instruction = body[i];
            switch (instruction.Opcode)
            {
                case Opcode.End or Opcode.Delegate:
                    // A block closed before the position: whether its writes ran is not known here.
                    var opener = blocks.BlockEnds[i];
                    if (Writes(opener, i))
                    {
                        return false;
                    }
                    i = opener;
                    break;
                case Opcode.Loop:
                    loops.Add(i);
                    break;
                case Opcode.Else:
                    // The then arm does not run on the way to an else arm: go on before its if.
                    i = blocks.Elses.First(e => e.Value == i).Key;
                    break;
                case Opcode.Catch or Opcode.CatchAll:
                    return false;
                case Opcode.LocalSet or Opcode.LocalTee when instruction.Index == local:
                    return i > 0 && body[i - 1].Opcode == Opcode.V128Const && body[i - 1].V128 == default && NoLoopWrites();
            }
        }
        return NoLoopWrites(); // never written before: the zero it starts with
        bool NoLoopWrites() => loops.TrueForAll(loop => !Writes(loop, blocks.BlockEnds[loop]));
    }

    /// <summary>True when a lane of <paramref name="value"/>, read as f32x4 or as f64x2, is a NaN.</summary>
    private static bool HasNanLane(V128 value)
    {
        static bool Nan32(ulong bits) => float.IsNaN(BitConverter.UInt32BitsToSingle((uint)bits));
        static bool Nan64(ulong bits) => double.IsNaN(BitConverter.UInt64BitsToDouble(bits));
        return Nan32(value.Low) || Nan32(value.Low >> 32) || Nan32(value.High) || Nan32(value.High >> 32) || Nan64(value.Low) || Nan64(value.High);
    }

    /// <summary>
    /// A vector instruction, all compiled inline (no call into another tier): <c>v128.const</c> and
    /// <c>i8x16.shuffle</c> here, the pure and relaxed ones as the instruction table says (<see cref="TryEmitPure"/>:
    /// calls of <see cref="VectorOps"/> and <see cref="RelaxedVectorOps"/>, which RyuJIT inlines), memory accesses
    /// with <see cref="VectorMemory"/> (<see cref="TryEmitVectorMemory"/>). The methods are the interpreter's too, so
    /// both tiers agree exactly.
    /// </summary>
    private void EmitSimd(Instruction instruction)
    {
        var opcode = instruction.Opcode;
        if (opcode == Opcode.V128Const)
        {
            var constant = instruction.V128;
            _il.Emit(OpCodes.Ldc_I8, (long)constant.Low);
            _il.Emit(OpCodes.Ldc_I8, (long)constant.High);
            _il.Emit(OpCodes.Call, Helper(HasNanLane(constant) ? nameof(JitRuntime.V128ConstOpaque) : nameof(JitRuntime.V128Const)));
            Push(ValueKind.V128);
            return;
        }
        if (opcode == Opcode.I8x16Shuffle)
        {
            EmitShuffle(instruction.V128);
            return;
        }
        if (!TryEmitPure(instruction) && !TryEmitVectorMemory(instruction))
        {
            throw new NotSupportedException($"the JIT does not compile {opcode.Name()}");
        }
    }

    // ---- Numerics: the pure instructions are compiled by TryEmitPure, generated from the instruction table ----

    private void Call(int pops, ValueKind result, MethodInfo method)
    {
        Pop(pops);
        _il.Emit(OpCodes.Call, method);
        Push(result);
    }

    private void Call(int pops, ValueKind result, string helper) => Call(pops, result, Helper(helper));
}
