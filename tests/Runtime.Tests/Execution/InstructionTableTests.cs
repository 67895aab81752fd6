using WasmHarness.Tests.Shared;
using WasmHarness.Wast;
using WasmHarness.Binary;
using WasmHarness.Execution;
using WasmHarness.Jit;
using WasmHarness.Syntax;
using WasmHarness.Tests.Support;
using WasmHarness.Text;
using WasmHarness.Validation;

namespace WasmHarness.Tests.Execution;

/// <summary>
/// The instruction table (<c>runtime/Syntax/Instructions.table</c>) is the one source of truth: every opcode in it is
/// either generated (a pure instruction: the interpreter's case and the JIT's emission come from its row) or
/// handled by hand in each tier, the validator, the encoder/decoder and the text parser.
/// </summary>
public sealed class InstructionTableTests
{
    private static readonly long[] IntegerEdges = [0, 1, -1, 7, int.MinValue, int.MaxValue, long.MinValue, 0x1234_5678_9ABC_DEF0];

    private static readonly ulong[] F32Edges = [0, 0x8000_0000, 0x3F80_0000, 0x7FC0_0000, 0x7FA0_0001, 0xFFC1_2345, 0x4F00_0000, 0xCF00_0001, 0x7F80_0000];

    private static readonly ulong[] F64Edges = [0, 0x8000_0000_0000_0000, 0x3FF0_0000_0000_0000, 0x7FF8_0000_0000_0000, 0x7FF4_0000_0000_0001, 0xC1E0_0000_0020_0000, 0x43E0_0000_0000_0000];

    private static readonly (ulong Low, ulong High)[] VectorEdges =
    [
        (0, 0), (ulong.MaxValue, 0x8000_0000_7FC0_0000), (0x7FFF_8000_00FF_FF80, 0x8001_7FFF_0100_FEFF), (0x3F80_0000_FFC1_2345, 0x7FF4_0000_0000_0001),
    ];

    private static IEnumerable<Value> Edges(ValType type) => type.Kind switch
    {
        ValueKind.I32 => IntegerEdges.Select(v => Value.FromI32((int)v)),
        ValueKind.I64 => IntegerEdges.Select(Value.FromI64),
        ValueKind.F32 => F32Edges.Select(bits => Value.FromF32Bits((uint)bits)),
        ValueKind.F64 => F64Edges.Select(Value.FromF64Bits),
        ValueKind.V128 => VectorEdges.Select(v => new Value(v.Low, v.High)),
        _ => throw new InvalidOperationException(type.ToString()),
    };

    /// <summary>A module exporting <c>f</c>: its parameters, <paramref name="prefix"/>, then the instruction, returning what it pushes.</summary>
    private static Module Single(Signature signature, Instruction instruction, Instruction[] prefix, ValType[] parameters)
    {
        var module = new Module();
        module.Types.Add(new RecursiveType([new SubType(new FunctionType(parameters, signature.Results), null, true)]));
        module.Memories.Add(new MemoryType(new Limits(1)));
        var body = new List<Instruction>();
        for (var i = 0; i < parameters.Length; i++)
        {
            body.Add(Instruction.WithIndex(Opcode.LocalGet, (uint)i));
        }
        body.AddRange(prefix);
        body.Add(instruction);
        body.Add(Instruction.Simple(Opcode.End));
        module.Functions.Add(new Function(0, [], new Expression([.. body])));
        module.Exports.Add(new Export("f", ExternKind.Function, 0));
        return module;
    }

    private static string Outcome(ModuleInstance instance, Value[] args)
    {
        try
        {
            return string.Join(",", instance.Invoke("f", args).Select(v => $"{v.Low:X}:{v.High:X}"));
        }
        catch (TrapException trap)
        {
            return "trap " + trap.Reason;
        }
    }

    /// <summary>Runs <paramref name="module"/> on both tiers with every combination of edge values; the JIT must compile it (no fallback).</summary>
    private static int RunOnBothTiers(string name, Module module, ValType[] parameters, RelaxedSimdMode relaxed = RelaxedSimdMode.Deterministic)
    {
        var fallbacks = new List<string>();
        var jitEngine = new Engine(new EngineOptions { Tier = ExecutionTier.Jit, RelaxedSimd = relaxed, JitFallback = (_, reason) => fallbacks.Add(reason) });
        var interpEngine = new Engine(new EngineOptions { Tier = ExecutionTier.Interpreter, RelaxedSimd = relaxed });
        var jit = CompiledModule.Compile(jitEngine, module).Instantiate(new Store(jitEngine));
        var interp = CompiledModule.Compile(interpEngine, module).Instantiate(new Store(interpEngine));
        IEnumerable<Value[]> argumentSets = [[]];
        foreach (var parameter in parameters)
        {
            var edges = Edges(parameter).ToArray();
            argumentSets = argumentSets.SelectMany(args => edges.Select(edge => (Value[])[.. args, edge]));
        }
        var runs = 0;
        foreach (var args in argumentSets.Take(200))
        {
            var (expected, actual) = (Outcome(interp, args), Outcome(jit, args));
            Assert.True(expected == actual, $"{name}({string.Join(", ", args.Select(a => $"{a.Low:X}"))}): interp {expected}, jit {actual}");
            runs++;
        }
        Assert.True(fallbacks.Count == 0, $"{name}: the JIT fell back ({string.Join(", ", fallbacks)})");
        return runs;
    }

    [Fact]
    public void Every_pure_instruction_is_generated_for_both_tiers_and_they_agree()
    {
        var pure = OpcodeTable.All.Where(info => info.IsPure).ToList();
        var runs = 0;
        foreach (var info in pure)
        {
            Assert.True(InstructionSignatures.TryGetFixed(info.Opcode, out var signature), info.Name);
            Assert.True(info.HasFixedStackEffect && info.Results is not null, info.Name);
            var instruction = info.Immediates switch
            {
                ImmediateKind.None => Instruction.Simple(info.Opcode),
                ImmediateKind.Lane => Instruction.Lane(info.Opcode, 1),
                _ => throw new InvalidOperationException($"{info.Name}: a pure instruction with immediates {info.Immediates}"),
            };
            runs += RunOnBothTiers(info.Name, Single(signature, instruction, [], [.. signature.Parameters]), [.. signature.Parameters]);
        }
        Assert.True(pure.Count >= 348, $"only {pure.Count} pure instructions");
        Assert.True(runs > 3000, $"only {runs} runs");
    }

    /// <summary>
    /// The relaxed instructions with the host's results (<see cref="RelaxedSimdMode.Native"/>) agree across tiers bit
    /// for bit too: both call the same <see cref="RelaxedVectorOps"/> method, and RyuJIT must not rearrange the
    /// compiled one (say, move <c>relaxed_nmadd</c>'s negation to another operand, which changes a NaN's sign).
    /// </summary>
    [Fact]
    public void Relaxed_instructions_agree_across_tiers_with_the_hosts_results_too()
    {
        var relaxed = OpcodeTable.All.Where(info => info.IsPure && info.Feature == "relaxed-simd").ToList();
        Assert.Equal(20, relaxed.Count);
        foreach (var info in relaxed)
        {
            Assert.True(InstructionSignatures.TryGetFixed(info.Opcode, out var signature), info.Name);
            RunOnBothTiers(info.Name, Single(signature, Instruction.Simple(info.Opcode), [], [.. signature.Parameters]), [.. signature.Parameters], RelaxedSimdMode.Native);
        }
    }

    [Fact]
    public void Every_memory_access_runs_on_both_tiers_and_they_agree()
    {
        var accesses = 0;
        foreach (var info in OpcodeTable.All.Where(info => info.Immediates is ImmediateKind.MemArg or ImmediateKind.MemArgAndLane && info.HasFixedStackEffect))
        {
            var parameters = new List<ValType>();
            var results = new List<ValType>();
            if (InstructionSignatures.TryGetMemoryAccess(info.Opcode, out var type, out var store))
            {
                parameters.Add(ValType.I32);
                if (store)
                {
                    parameters.Add(type);
                }
                else
                {
                    results.Add(type);
                }
            }
            else if (info.Immediates == ImmediateKind.MemArgAndLane)
            {
                parameters.AddRange([ValType.I32, ValType.V128]);
                results.AddRange(info.Pushes == 1 ? [ValType.V128] : []);
            }
            else
            {
                continue; // the bulk and size instructions have context-dependent types: the suite covers them
            }
            var arg = new MemArg(info.NaturalAlignment, 3);
            var instruction = info.Immediates == ImmediateKind.MemArg ? Instruction.Memory(info.Opcode, arg) : Instruction.MemoryLane(info.Opcode, arg, 1);
            var signature = new Signature([.. parameters], [.. results]);
            // The address is masked into the page, or pushed past its end (both tiers must trap alike).
            RunOnBothTiers(info.Name, Single(signature, instruction, [], [.. parameters]), [.. parameters]);
            accesses++;
        }
        Assert.True(accesses >= 37, $"only {accesses} memory accesses");
    }

    /// <summary>Modules with the instructions no script of the suite has.</summary>
    private const string NotInTheSuite = """
        (module (memory 1 1 shared) (func (export "fence") (atomic.fence)))
        """;

    [CoreSuiteFact]
    public void Every_other_instruction_is_handled_by_hand_in_every_consumer()
    {
        // Every opcode must occur in a module of the core suite that the text parser parsed, the validator accepted
        // and the decoder reads back from the encoder's bytes unchanged; the interpreter's compiler and the JIT must
        // both compile a function that has it (the spec runner then runs them: 0 failed on both tiers).
        // The proposals' instructions must occur in their proposal's scripts, and the few no script has (atomic.fence)
        // in NotInTheSuite.
        var missing = OpcodeTable.All.Where(info => !info.IsPure).Select(info => info.Opcode).ToHashSet();
        var problems = new List<string>();
        var scripts = TestSuite.CoreScripts().Concat(SuiteFiles.Find(TestSuite.Root, ["proposals/threads/*"], includeProposals: true))
            .Select(script => (script, WastParser.ParseFile(Path.Combine(TestSuite.Root, script))))
            .Append(("NotInTheSuite", WastParser.ParseScript(NotInTheSuite, "NotInTheSuite.wast")));
        foreach (var (script, parsed) in scripts)
        {
            foreach (var command in parsed.Commands)
            {
                if (missing.Count == 0)
                {
                    break;
                }
                if (command is not ModuleCommand { Module: TextScriptModule { Module: { } module } })
                {
                    continue;
                }
                var uses = module.Functions.SelectMany(f => f.Body.Instructions).Select(i => i.Opcode).Where(missing.Contains).ToHashSet();
                if (uses.Count == 0 || SuiteInstances.TryInstantiate(module) is not { } instance)
                {
                    continue;
                }
                if (ModuleEquality.FirstDifference(module, ModuleDecoder.Decode(ModuleEncoder.Encode(module))) is { } difference)
                {
                    problems.Add($"{script}: the binary round trip changes the module ({difference})");
                    continue;
                }
                foreach (var function in instance.Functions.OfType<WasmFunction>().Where(f => f.Instance == instance))
                {
                    var opcodes = function.Code.Body.Instructions.Select(i => i.Opcode).Where(uses.Contains).ToList();
                    if (opcodes.Count == 0)
                    {
                        continue;
                    }
                    if (FunctionCompiler.Unsupported(instance.Validated, (int)function.Index) is { } reason)
                    {
                        problems.Add($"{script} {function}: the JIT does not compile {reason}");
                        continue;
                    }
                    WasmHarness.Interpreter.Compiler.For(function);
                    missing.ExceptWith(opcodes);
                }
            }
        }
        Assert.Empty(problems);
        Assert.True(missing.Count == 0, "not exercised by the suite: " + string.Join(", ", missing.Select(o => o.Name())));
    }

    [Fact]
    public void The_table_is_consistent_with_the_consumers_that_read_it()
    {
        foreach (var info in OpcodeTable.All)
        {
            // Names and encodings are what the decoder and the text parser look up.
            Assert.True(OpcodeTable.TryDecode(info.Prefix, info.Code, out var decoded) && decoded.Opcode == info.Opcode, info.Name);
            Assert.True(OpcodeTable.TryGetByName(info.Name, out var named) && named.Name == info.Name, info.Name);
            if (InstructionSignatures.TryGetFixed(info.Opcode, out var signature))
            {
                Assert.Equal((signature.Parameters.Length, signature.Results.Length), (info.Pops, info.Pushes));
                // A fixed signature is all the validator checks (besides a lane index): no index immediate.
                Assert.True(info.Immediates is ImmediateKind.None or ImmediateKind.Lane, info.Name);
            }
            Assert.Equal(info.CanTrap, InstructionTraps.Of(info.Opcode).Count > 0);
            // A pure instruction has a result (wide arithmetic's have two: its method returns a value tuple).
            Assert.True(!info.IsPure || info.Pushes >= 1, $"{info.Name}: a pure instruction has no result");
        }
        Assert.Equal([TrapKind.IntegerDivideByZero, TrapKind.IntegerOverflow], InstructionTraps.Of(Opcode.I32DivS));
        Assert.Equal(Wasm3Features.TailCall | Wasm3Features.FunctionReferences, FeatureDetector.OfOpcode(Opcode.ReturnCallRef));
        Assert.Equal(Wasm3Features.None, FeatureDetector.OfOpcode(Opcode.I32Add));
        Assert.True(OpcodeTable.Get(Opcode.F32x4Sqrt).MayProduceNaN);
        Assert.False(OpcodeTable.Get(Opcode.F32Neg).MayProduceNaN);
    }
}
