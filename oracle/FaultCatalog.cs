using WasmHarness.Binary;
using WasmHarness.Engines;
using WasmHarness.Syntax;
using WasmHarness.Text;

namespace WasmHarness.Oracle;

/// <summary>
/// One injected miscompilation: which instructions it alters (<see cref="Triggers"/>) and the faulty module an engine
/// compiles instead of the one it was given (<see cref="Apply"/>: a copy in which those instructions compute something
/// else in some cases, through an inline replacement or a call of a helper function appended to the module).
/// </summary>
public sealed class Fault(string name, string area, Func<Module, Instruction, bool> triggers, Func<Module, Module> apply)
{
    public string Name { get; } = name;

    public string Area { get; } = area;

    /// <summary>True for an instruction of a module that the fault miscompiles.</summary>
    public Func<Module, Instruction, bool> Triggers { get; } = triggers;

    /// <summary>
    /// The faulty copy of a module (the argument is never changed). A miscompilation never turns a valid module into
    /// an invalid one, so where the rewrite would (an i32 replacement for a memory64 instruction, say) the module is
    /// left as it is.
    /// </summary>
    public Module Apply(Module module)
    {
        var faulty = apply(module);
        try
        {
            Validation.ModuleValidator.Validate(faulty);
            return faulty;
        }
        catch (InvalidModuleException)
        {
            return module;
        }
    }

    /// <summary>
    /// The language a campaign must generate to reach the fault's instructions: <see cref="Generator.GeneratorProfile.Wasm3"/>
    /// for an instruction beyond Wasm 2.0 (exceptions, say), else null (the benchmark's profile, Wasm 2.0 by default).
    /// </summary>
    public Generator.GeneratorProfile? Profile { get; init; }

    public override string ToString() => Name;
}

/// <summary>
/// The fault-injection benchmark's faults: realistic miscompilations across integer, float, memory, control, table and
/// SIMD instructions. The first ones (issue 8) replace one instruction by a sequence of the same type that computes
/// something else in some cases (a signed/unsigned mix-up, a wrong operand, a lost check, an off-by-one); the later
/// ones (issue 22) are faults written by outside reviewers that campaigns first missed: each is wrong only on an edge
/// (INT64_MIN % -1, a signed zero, a tie, an overlap, an exact bound, an index equal to the label count), so only
/// a generator that reaches edges finds them.
/// </summary>
public static class FaultCatalog
{
    private static Instruction S(Opcode opcode) => Instruction.Simple(opcode);

    /// <summary>A fault that compiles each <paramref name="target"/> instruction as <paramref name="replacement"/>'s sequence (<paramref name="profile"/>: see <see cref="Fault.Profile"/>).</summary>
    private static Fault Replace(string name, string area, Opcode target, Func<Instruction, IReadOnlyList<Instruction>> replacement, Generator.GeneratorProfile? profile = null) =>
        new(name, area, (_, i) => i.Opcode == target, module => Rewrite(module, i => i.Opcode == target ? replacement(i) : null)) { Profile = profile };

    private static Fault Swap(string area, Opcode target, Opcode instead) =>
        Replace($"{OpcodeTable.Get(target).Name}->{OpcodeTable.Get(instead).Name}", area, target, _ => [S(instead)]);

    /// <summary>
    /// A fault that compiles each <paramref name="target"/> instruction (on memory 0 with 32-bit addresses, when it
    /// accesses memory) as a call of a helper function written in the text format, <paramref name="helper"/>: a
    /// <c>(func ...)</c> whose parameters and results are the instruction's operands and results, with the
    /// instruction's immediates appended as parameters by <paramref name="immediates"/> (constants pushed before the call).
    /// </summary>
    private static Fault Helper(string name, string area, Opcode target, string helper, Func<Instruction, IReadOnlyList<Instruction>>? immediates = null)
    {
        // The helper's memory instructions name memory 0, so only instructions on memory 0 (32-bit) are rewritten.
        bool Triggers(Module module, Instruction instruction) =>
            instruction.Opcode == target && (!UsesMemory(instruction) || (OnMemory0(instruction) && Memory32(module, 0)));
        // Parsed once per fault, not per module the faulty engine compiles.
        var parsed = WatParser.ParseModule($"(module (memory 1) {helper})");
        var function = parsed.Functions[0];
        var type = parsed.Types[(int)function.TypeIndex];
        return new Fault(name, area, Triggers, module =>
        {
            var helperIndex = (uint)(module.ImportedFunctionCount + module.Functions.Count);
            var rewritten = Rewrite(module, i => Triggers(module, i) ? [.. immediates?.Invoke(i) ?? [], Instruction.WithIndex(Opcode.Call, helperIndex)] : null);
            var typeIndex = (uint)rewritten.Types.Sum(group => group.Types.Count);
            rewritten.Types.Add(type);
            rewritten.Functions.Add(new Function(typeIndex, function.Locals, function.Body));
            return rewritten;
        });
    }

    public static IReadOnlyList<Fault> All { get; } =
    [
        // Integer.
        Swap("integer", Opcode.I32Add, Opcode.I32Sub),
        Swap("integer", Opcode.I32DivS, Opcode.I32DivU),
        Swap("integer", Opcode.I32ShrS, Opcode.I32ShrU),
        Swap("integer", Opcode.I32LtS, Opcode.I32LtU),
        Swap("integer", Opcode.I64RemS, Opcode.I64RemU),
        Swap("integer", Opcode.I32Rotl, Opcode.I32Rotr),
        Swap("integer", Opcode.I64Clz, Opcode.I64Ctz),
        Swap("integer", Opcode.I64ExtendI32S, Opcode.I64ExtendI32U),
        Replace("i32.extend8_s->zero-extend", "integer", Opcode.I32Extend8S, _ => [Instruction.I32Const(0xFF), S(Opcode.I32And)]),
        Replace("i64.mul-off-by-one", "integer", Opcode.I64Mul, _ => [S(Opcode.I64Mul), Instruction.I64Const(1), S(Opcode.I64Add)]),
        // x86's idiv traps on INT64_MIN / -1, and a remainder computed with it traps too where Wasm gives 0.
        Helper("i64.rem_s-traps-on-min%-1", "integer", Opcode.I64RemS, """
            (func (param i64 i64) (result i64)
              (if (i64.eq (local.get 1) (i64.const -1)) (then (drop (i64.div_s (local.get 0) (local.get 1)))))
              (i64.rem_s (local.get 0) (local.get 1)))
            """),
        // Float.
        Swap("float", Opcode.F64Min, Opcode.F64Max),
        Swap("float", Opcode.F32Nearest, Opcode.F32Trunc),
        Swap("float", Opcode.F32ConvertI32S, Opcode.F32ConvertI32U),
        Swap("float", Opcode.I32TruncF32S, Opcode.I32TruncSatF32S),
        Replace("f64.copysign->keep-sign", "float", Opcode.F64Copysign, _ => [S(Opcode.Drop)]),
        Swap("float", Opcode.F64Ge, Opcode.F64Gt),
        // minss returns its second operand when the operands compare equal: min(-0, +0) gives +0.
        Helper("f32.min-of-zeros-gives-second", "float", Opcode.F32Min, """
            (func (param f32 f32) (result f32)
              (if (result f32) (f32.eq (local.get 0) (local.get 1)) (then (local.get 1)) (else (f32.min (local.get 0) (local.get 1)))))
            """),
        // Math.Round's default is to even; MidpointRounding.AwayFromZero rounds 2.5 to 3.
        Helper("f64.nearest-ties-away-from-zero", "float", Opcode.F64Nearest, """
            (func (param f64) (result f64)
              (if (result f64) (f64.eq (f64.sub (f64.abs (local.get 0)) (f64.floor (f64.abs (local.get 0)))) (f64.const 0.5))
                (then (f64.copysign (f64.ceil (f64.abs (local.get 0))) (local.get 0)))
                (else (f64.nearest (local.get 0)))))
            """),
        // A NaN operand returned as it is, without setting the quiet bit: a signalling NaN comes out, which no
        // arithmetic instruction may return (only its bits show it: it is still a NaN).
        Helper("f32.add-passes-signaling-nan-through", "float", Opcode.F32Add, """
            (func (param f32 f32) (result f32)
              (if (result f32) (f32.ne (local.get 0) (local.get 0)) (then (local.get 0)) (else (f32.add (local.get 0) (local.get 1)))))
            """),
        // A NaN made with a payload bit of its own: a canonical NaN in gives a non-canonical (still quiet) NaN out, which
        // the spec forbids; canonicalizing the result erases it, so only the generator's NaN-origin check sees it.
        Helper("f64.promote_f32-nan-low-bit-set", "float", Opcode.F64PromoteF32, """
            (func (param f32) (result f64)
              (if (result f64) (f32.ne (local.get 0) (local.get 0))
                (then (f64.reinterpret_i64 (i64.or (i64.reinterpret_f64 (f64.promote_f32 (local.get 0))) (i64.const 1))))
                (else (f64.promote_f32 (local.get 0)))))
            """),
        // Memory.
        Swap("memory", Opcode.I32Load8s, Opcode.I32Load8u),
        Swap("memory", Opcode.I32Store16, Opcode.I32Store8),
        Replace("i64.load-offset+1", "memory", Opcode.I64Load, i => [Instruction.Memory(Opcode.I64Load, i.MemArg with { Offset = i.MemArg.Offset + 1 })]),
        Replace("memory.grow-always-fails", "memory", Opcode.MemoryGrow, _ => [S(Opcode.Drop), Instruction.I32Const(-1)]),
        Replace("memory.fill-no-op", "memory", Opcode.MemoryFill, _ => [S(Opcode.Drop), S(Opcode.Drop), S(Opcode.Drop)]),
        // A copy loop that always runs forwards: wrong when the destination overlaps the source from above.
        Helper("memory.copy-forwards-over-overlap", "memory", Opcode.MemoryCopy, """
            (func (param $d i32) (param $s i32) (param $n i32) (local $i i32)
              (if (i32.or (i32.or (i32.le_u (local.get $d) (local.get $s)) (i32.eqz (local.get $n)))
                          (i64.gt_u (i64.add (i64.extend_i32_u (local.get $d)) (i64.extend_i32_u (local.get $n)))
                                    (i64.mul (i64.extend_i32_u (memory.size)) (i64.const 65536))))
                (then (memory.copy (local.get $d) (local.get $s) (local.get $n)) (return)))
              (loop $next
                (i32.store8 (i32.add (local.get $d) (local.get $i)) (i32.load8_u (i32.add (local.get $s) (local.get $i))))
                (br_if $next (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n)))))
            """),
        // The bounds check compares the end with >= instead of >: a fill that ends exactly at the end of memory traps.
        Helper("memory.fill-traps-at-exact-end", "memory", Opcode.MemoryFill, """
            (func (param $d i32) (param $v i32) (param $n i32)
              (if (i64.eq (i64.add (i64.extend_i32_u (local.get $d)) (i64.extend_i32_u (local.get $n)))
                          (i64.mul (i64.extend_i32_u (memory.size)) (i64.const 65536)))
                (then (i32.store8 (i32.const -1) (i32.const 0))))
              (memory.fill (local.get $d) (local.get $v) (local.get $n)))
            """),
        // The effective address computed in 32 bits: address + offset wraps at 2^32 instead of trapping.
        Helper("i64.load16_u-address-wraps", "memory", Opcode.I64Load16u, """
            (func (param $address i32) (param $offset i32) (result i64)
              (i64.load16_u (i32.add (local.get $address) (local.get $offset))))
            """, i => [Instruction.I32Const((int)(uint)i.MemArg.Offset)]),
        // Control.
        Replace("br_if-inverted", "control", Opcode.BrIf, i => [S(Opcode.I32Eqz), i]),
        Replace("select-inverted", "control", Opcode.Select, i => [S(Opcode.I32Eqz), i]),
        Replace("br_table-always-first", "control", Opcode.BrTable, i => [S(Opcode.Drop), Instruction.I32Const(0), i]),
        Replace("if-inverted", "control", Opcode.If, i => [S(Opcode.I32Eqz), i]),
        // An off-by-one in the range check: an index equal to the label count takes the last label, not the default.
        new("br_table-count-takes-last-label", "control",
            (_, i) => i.Opcode == Opcode.BrTable && i.BranchTable.Labels.Count > 0 && i.BranchTable.Labels[^1] != i.BranchTable.Default,
            module => Rewrite(module, i => i.Opcode == Opcode.BrTable && i.BranchTable.Labels.Count > 0
                ? [Instruction.BrTable([.. i.BranchTable.Labels, i.BranchTable.Labels[^1]], i.BranchTable.Default)]
                : null)),
        // Exceptions: a rethrow that traps instead of throwing what catch_ref caught (a null exnref traps either way).
        Replace("throw_ref-traps", "exception", Opcode.ThrowRef, _ => [S(Opcode.Drop), S(Opcode.Unreachable)], Generator.GeneratorProfile.Wasm3),
        // The catch clauses tried last to first: with two clauses that both match, the exception goes to the wrong one.
        new Fault("try_table-clauses-tried-last-first", "exception",
            (_, i) => i.Opcode == Opcode.TryTable && i.Catches.Count > 1,
            module => Rewrite(module, i => i.Opcode == Opcode.TryTable && i.Catches.Count > 1
                ? [Instruction.TryTable(i.BlockType, [.. i.Catches.Reverse()])]
                : null)) { Profile = Generator.GeneratorProfile.Wasm3 },
        // Variables: compiled code that reads a copy of an imported mutable global taken at instantiation, so it
        // misses every later write (by this module or by the module that owns the global).
        new("imported-global-read-private-copy", "variable", (module, i) => i.Opcode == Opcode.GlobalGet && IsImportedMutableGlobal(module, i.Index), PrivateGlobalCopies),
        // References and GC (stop 32: the catalogue had none): packed fields read with the wrong extension, a
        // test or comparison answered the other way, an array length off by one.
        Replace("struct.get_s->struct.get_u", "gc", Opcode.StructGetS, i => [Instruction.WithIndices(Opcode.StructGetU, i.Index, i.SecondIndex)], Generator.GeneratorProfile.Wasm3),
        Replace("array.get_s->array.get_u", "gc", Opcode.ArrayGetS, i => [Instruction.WithIndex(Opcode.ArrayGetU, i.Index)], Generator.GeneratorProfile.Wasm3),
        Replace("i31.get_s->i31.get_u", "gc", Opcode.I31GetS, _ => [S(Opcode.I31GetU)], Generator.GeneratorProfile.Wasm3),
        Replace("ref.test-inverted", "gc", Opcode.RefTest, i => [i, S(Opcode.I32Eqz)], Generator.GeneratorProfile.Wasm3),
        Replace("ref.eq-inverted", "gc", Opcode.RefEq, i => [i, S(Opcode.I32Eqz)], Generator.GeneratorProfile.Wasm3),
        Replace("array.len-off-by-one", "gc", Opcode.ArrayLen, i => [i, Instruction.I32Const(1), S(Opcode.I32Sub)], Generator.GeneratorProfile.Wasm3),
        Replace("ref.is_null-inverted", "table", Opcode.RefIsNull, i => [i, S(Opcode.I32Eqz)]),
        // memory64: the address truncated to 32 bits, so an access at 2^32 or above reads low memory instead of trapping.
        new("memory64-address-truncated-to-32-bits", "memory", (module, i) => i.Opcode is Opcode.I32Load or Opcode.I64Load && Memory64(module, i.MemArg.Memory),
            module => Rewrite(module, i => i.Opcode is Opcode.I32Load or Opcode.I64Load && Memory64(module, i.MemArg.Memory)
                ? [Instruction.I64Const(0xFFFFFFFF), S(Opcode.I64And), i]
                : null)) { Profile = Generator.GeneratorProfile.Wasm3 },
        // NaN payloads: negation as a multiplication by -1, right for every number but a NaN, whose bits neg must keep
        // (only its sign flips); only a comparison of NaN bits sees it.
        Replace("f32.neg-as-multiply-by-minus-one", "float", Opcode.F32Neg, _ => [Instruction.F32Const(0xBF800000), S(Opcode.F32Mul)]),
        // Table.
        Replace("table.size-off-by-one", "table", Opcode.TableSize, i => [i, Instruction.I32Const(1), S(Opcode.I32Sub)]),
        Replace("table.get-index+1", "table", Opcode.TableGet, i => [Instruction.I32Const(1), S(Opcode.I32Add), i]),
        Replace("table.grow-always-fails", "table", Opcode.TableGrow, _ => [S(Opcode.Drop), S(Opcode.Drop), Instruction.I32Const(-1)]),
        Replace("call_indirect-index+1", "table", Opcode.CallIndirect, i => [Instruction.I32Const(1), S(Opcode.I32Add), i]),
        // SIMD.
        Swap("simd", Opcode.I32x4Add, Opcode.I32x4Sub),
        Swap("simd", Opcode.I8x16AddSatS, Opcode.I8x16Add),
        Swap("simd", Opcode.I16x8ShrS, Opcode.I16x8ShrU),
        Swap("simd", Opcode.I8x16ExtractLaneS, Opcode.I8x16ExtractLaneU),
        Swap("simd", Opcode.F32x4Min, Opcode.F32x4PMin),
        Swap("simd", Opcode.I16x8NarrowI32x4S, Opcode.I16x8NarrowI32x4U),
    ];

    public static Fault? Find(string name) => All.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>An interpreter engine that miscompiles as <paramref name="fault"/> says (named <c>interp!fault</c>).</summary>
    public static IEngine FaultyInterpreter(Fault fault)
    {
        var engine = new InterpreterEngine();
        engine.RuntimeEngine.InjectFault(fault.Apply);
        return new NamedEngine(engine, $"interp!{fault.Name}");
    }

    /// <summary>A JIT engine that miscompiles as <paramref name="fault"/> says (named <c>jit!fault</c>).</summary>
    public static IEngine FaultyJit(Fault fault)
    {
        var engine = new JitEngine();
        engine.RuntimeEngine.InjectFault(fault.Apply);
        return new NamedEngine(engine, $"jit!{fault.Name}");
    }

    /// <summary>Our engine <paramref name="name"/> (<c>interp</c> or <c>jit</c>) miscompiling as <paramref name="fault"/> says.</summary>
    public static IEngine Faulty(string name, Fault fault) => name switch
    {
        "interp" => FaultyInterpreter(fault),
        "jit" => FaultyJit(fault),
        _ => throw new ArgumentException($"faults are injected into interp or jit, not {name}"),
    };

    /// <summary>
    /// A rewrite that puts <paramref name="appended"/>'s sequence right after each instruction it gives one for (the
    /// census's perturbations: a trap, or a changed result).
    /// </summary>
    internal static Fault After(string name, string area, Func<Instruction, IReadOnlyList<Instruction>?> appended) =>
        new(name, area, (_, i) => appended(i) is not null, module => Rewrite(module, i => appended(i) is { } tail ? [i, .. tail] : null));

    /// <summary>True when <paramref name="module"/> has an instruction <paramref name="fault"/> miscompiles (else the case cannot detect it).</summary>
    public static bool Covers(Fault fault, Module module) =>
        module.Functions.Any(f => f.Body.Instructions.Any(i => fault.Triggers(module, i)));

    // ---- Module surgery ------------------------------------------------------------------------------------

    /// <summary>A deep copy of <paramref name="module"/> (through the binary format, which every module round-trips).</summary>
    private static Module Copy(Module module) => ModuleDecoder.Decode(ModuleEncoder.Encode(module));

    /// <summary>A copy of <paramref name="module"/> with each instruction for which <paramref name="replace"/> gives a sequence replaced by it.</summary>
    private static Module Rewrite(Module module, Func<Instruction, IReadOnlyList<Instruction>?> replace)
    {
        var copy = Copy(module);
        for (var f = 0; f < copy.Functions.Count; f++)
        {
            var function = copy.Functions[f];
            var body = function.Body.Instructions.SelectMany(i => replace(i) ?? [i]).ToList();
            copy.Functions[f] = new Function(function.TypeIndex, function.Locals, new Expression(body));
        }
        return copy;
    }

    private static bool IsImportedMutableGlobal(Module module, uint index) =>
        module.ImportsOf(ExternKind.Global).ElementAtOrDefault((int)index) is { Type: GlobalType { Mutable: true } };

    /// <summary>
    /// Each imported mutable global gets a defined copy that a start function fills from it at instantiation (a constant
    /// expression may not read a mutable global); every <c>global.get</c> of it reads the copy.
    /// </summary>
    private static Module PrivateGlobalCopies(Module module)
    {
        var copies = new Dictionary<uint, uint>();
        var imported = module.ImportsOf(ExternKind.Global).ToList();
        var next = (uint)(imported.Count + module.Globals.Count);
        for (var g = 0u; g < imported.Count; g++)
        {
            if (imported[(int)g].Type is GlobalType { Mutable: true })
            {
                copies[g] = next++;
            }
        }
        if (copies.Count == 0)
        {
            return module;
        }
        var copy = Rewrite(module, i => i.Opcode == Opcode.GlobalGet && copies.TryGetValue(i.Index, out var to) ? [Instruction.WithIndex(Opcode.GlobalGet, to)] : null);
        var fill = new List<Instruction>();
        foreach (var (global, to) in copies.OrderBy(c => c.Value))
        {
            var type = (GlobalType)imported[(int)global].Type;
            copy.Globals.Add(new Global(type, Expression.Of(Zero(type.Type))));
            fill.AddRange([Instruction.WithIndex(Opcode.GlobalGet, global), Instruction.WithIndex(Opcode.GlobalSet, to)]);
        }
        if (copy.Start is { } start)
        {
            fill.Add(Instruction.WithIndex(Opcode.Call, start));
        }
        var typeIndex = (uint)copy.TypeDefinitions.Count();
        copy.Types.Add(new RecursiveType([new SubType(FunctionType.Empty)]));
        copy.Start = (uint)(copy.ImportedFunctionCount + copy.Functions.Count);
        copy.Functions.Add(new Function(typeIndex, [], Expression.Of([.. fill])));
        return copy;
    }

    /// <summary>The constant a global of <paramref name="type"/> starts with before its start function fills it: zero or null.</summary>
    private static Instruction Zero(ValType type) => type.Kind switch
    {
        ValueKind.I32 => Instruction.I32Const(0),
        ValueKind.I64 => Instruction.I64Const(0),
        ValueKind.F32 => Instruction.F32Const(0),
        ValueKind.F64 => Instruction.F64Const(0),
        ValueKind.V128 => Instruction.V128Const(new V128(0, 0)),
        _ => Instruction.WithHeapType(Opcode.RefNull, type.Heap),
    };

    private static bool UsesMemory(Instruction instruction) =>
        OpcodeTable.Get(instruction.Opcode).Immediates is ImmediateKind.MemArg or ImmediateKind.Memory or ImmediateKind.MemoryAndMemory;

    /// <summary>True when every memory <paramref name="instruction"/> names is memory 0.</summary>
    private static bool OnMemory0(Instruction instruction) => instruction.Opcode switch
    {
        Opcode.MemoryCopy => instruction.Index == 0 && instruction.SecondIndex == 0,
        _ when OpcodeTable.Get(instruction.Opcode).Immediates == ImmediateKind.MemArg => instruction.MemArg.Memory == 0,
        _ => instruction.Index == 0,
    };

    private static bool Memory32(Module module, uint index) => AddressTypeOf(module, index) == AddressType.I32;

    private static bool Memory64(Module module, uint index) => AddressTypeOf(module, index) == AddressType.I64;

    /// <summary>The address type of memory <paramref name="index"/> of <paramref name="module"/> (imports first), or null when there is no such memory.</summary>
    private static AddressType? AddressTypeOf(Module module, uint index) =>
        module.ImportsOf(ExternKind.Memory).Select(i => (MemoryType)i.Type).Concat(module.Memories).ElementAtOrDefault((int)index)?.Limits.AddressType;

    private sealed class NamedEngine(IEngine inner, string name) : IEngine
    {
        public string Name => name;

        public IEngineSession CreateSession() => inner.CreateSession();
    }
}
