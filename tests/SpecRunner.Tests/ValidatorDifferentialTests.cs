using WasmHarness.Tests.Shared;
using WasmHarness.Wast;
using WasmHarness.Binary;
using WasmHarness.Engines.Wasmtime;
using WasmHarness.Syntax;
using WasmHarness.Text;
using WasmHarness.Validation;

namespace WasmHarness.SpecRunner.Tests;

/// <summary>
/// The validator against wasmtime's on modules the suite does not contain: valid modules of the core suite,
/// mutated (instructions removed, inserted, swapped or wrapped in blocks; types, globals, tables and element
/// segments changed), encoded by our encoder and judged by both. Seeded, so a failure reproduces.
/// </summary>
public sealed class ValidatorDifferentialTests
{
    private static readonly Lazy<List<Module>> s_seeds = new(LoadSeeds);

    private static List<Module> LoadSeeds()
    {
        var suite = CoreSuite.Root;
        var modules = new List<Module>();
        foreach (var file in Directory.EnumerateFiles(suite, "*.wast").Order(StringComparer.Ordinal))
        {
            foreach (var command in WastParser.ParseFile(file).Commands)
            {
                if (command is ModuleCommand { Module: TextScriptModule { Module: { } module } } && module.Functions.Count > 0 && IsValid(module))
                {
                    modules.Add(module);
                }
            }
        }
        return modules;
    }

    private static bool IsValid(Module module)
    {
        try
        {
            ModuleValidator.Validate(module);
            return true;
        }
        catch (InvalidModuleException)
        {
            return false;
        }
    }

    [CoreSuiteTheory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Validator_agrees_with_wasmtime_on_mutated_suite_modules(int seed)
    {
        var rng = new Random(seed);
        var seeds = s_seeds.Value;
        using var wasmtime = new WasmtimeValidator();
        var disagreements = new List<string>();
        int bothValid = 0, bothInvalid = 0;
        for (var iteration = 0; iteration < 1500; iteration++)
        {
            var original = seeds[rng.Next(seeds.Count)];
            var mutation = new List<string>();
            var mutated = Mutate(original, rng, mutation);
            if (mutated.Functions.Any(f => f.Body.Instructions.Any(i => i.Opcode is Opcode.Try or Opcode.Catch or Opcode.CatchAll or Opcode.Delegate or Opcode.Rethrow)))
            {
                continue; // wasmtime 50 cannot enable the legacy exception instructions
            }
            var bytes = ModuleEncoder.Encode(mutated);
            string? ours = null;
            try
            {
                ModuleValidator.Validate(ModuleDecoder.Decode(bytes));
            }
            catch (WasmException e)
            {
                ours = e.Reason;
            }
            var theirs = wasmtime.Validate(bytes);
            if ((ours is null) != (theirs is null))
            {
                disagreements.Add($"seed {seed} iteration {iteration}: ours {ours ?? "valid"}; wasmtime {theirs ?? "valid"}; mutation: {string.Join("; ", mutation)}");
            }
            else if (ours is null)
            {
                bothValid++;
            }
            else
            {
                bothInvalid++;
            }
        }
        Assert.Empty(disagreements);
        Assert.True(bothValid > 100 && bothInvalid > 100, $"too few interesting cases: {bothValid} valid, {bothInvalid} invalid");
    }

    private static Module Mutate(Module original, Random rng, List<string> log)
    {
        var functionIndex = rng.Next(original.Functions.Count);
        var function = original.Functions[functionIndex];
        var code = function.Body.Instructions.ToList();
        for (var k = 1 + rng.Next(2); k > 0; k--)
        {
            MutateCode(code, rng, log);
        }
        var module = new Module { Start = original.Start, DataCount = original.DataCount };
        module.Types.AddRange(original.Types);
        module.Imports.AddRange(original.Imports);
        for (var i = 0; i < original.Functions.Count; i++)
        {
            module.Functions.Add(i == functionIndex ? new Function(function.TypeIndex, function.Locals, new Expression(code)) : original.Functions[i]);
        }
        module.Tables.AddRange(original.Tables);
        module.Memories.AddRange(original.Memories);
        module.Globals.AddRange(original.Globals);
        module.Tags.AddRange(original.Tags);
        module.Exports.AddRange(original.Exports);
        module.Elements.AddRange(original.Elements);
        module.Data.AddRange(original.Data);
        if (rng.Next(3) == 0)
        {
            MutateModule(module, rng, log);
        }
        return module;
    }

    private static bool IsStructural(Opcode opcode) =>
        opcode.OpensBlock() || opcode is Opcode.End or Opcode.Else or Opcode.Catch or Opcode.CatchAll or Opcode.Delegate;

    private static void MutateCode(List<Instruction> code, Random rng, List<string> log)
    {
        var pos = rng.Next(code.Count - 1); // never the final end
        switch (rng.Next(5))
        {
            case 0 when !IsStructural(code[pos].Opcode):
                log.Add($"remove {pos} {code[pos]}");
                code.RemoveAt(pos);
                break;
            case 1 when pos + 2 < code.Count && !IsStructural(code[pos].Opcode) && !IsStructural(code[pos + 1].Opcode):
                log.Add($"swap {pos}");
                (code[pos], code[pos + 1]) = (code[pos + 1], code[pos]);
                break;
            case 2:
            {
                var end = pos + rng.Next(Math.Min(4, code.Count - 1 - pos));
                var depth = 0;
                for (var q = pos; q < end && depth >= 0; q++)
                {
                    depth += code[q].Opcode.OpensBlock() ? 1 : code[q].Opcode == Opcode.End ? -1 : 0;
                    if (depth == 0 && code[q].Opcode is Opcode.Else or Opcode.Catch or Opcode.CatchAll or Opcode.Delegate)
                    {
                        depth = -1;
                    }
                }
                if (depth != 0)
                {
                    break;
                }
                var type = rng.Next(3) switch { 0 => BlockType.Empty, 1 => BlockType.Value(ValType.I32), _ => BlockType.Value(ValType.I64) };
                var opcode = rng.Next(3) switch { 0 => Opcode.Block, 1 => Opcode.Loop, _ => Opcode.If };
                code.Insert(end, Instruction.Simple(Opcode.End));
                code.Insert(pos, Instruction.Block(opcode, type));
                log.Add($"wrap {pos}..{end} in {opcode} {type}");
                break;
            }
            default:
            {
                var instruction = RandomInstruction(rng);
                log.Add($"insert {pos} {instruction}");
                code.Insert(pos, instruction);
                if (instruction.Opcode.OpensBlock())
                {
                    code.Insert(Math.Min(code.Count - 1, pos + 1 + rng.Next(3)), Instruction.Simple(Opcode.End));
                }
                break;
            }
        }
    }

    private static readonly AbstractHeapType[] s_abstract =
    [
        AbstractHeapType.Func, AbstractHeapType.Extern, AbstractHeapType.Any, AbstractHeapType.Eq, AbstractHeapType.I31,
        AbstractHeapType.Struct, AbstractHeapType.Array, AbstractHeapType.Exn, AbstractHeapType.None, AbstractHeapType.NoFunc,
        AbstractHeapType.NoExtern, AbstractHeapType.NoExn,
    ];

    private static HeapType RandomHeap(Random rng) =>
        rng.Next(3) == 0 ? HeapType.Concrete((uint)rng.Next(4)) : HeapType.Abstract(s_abstract[rng.Next(s_abstract.Length)]);

    private static ValType RandomValue(Random rng) => rng.Next(3) == 0
        ? ValType.Ref(RandomHeap(rng), rng.Next(2) == 0)
        : new[] { ValType.I32, ValType.I64, ValType.F32, ValType.F64, ValType.V128 }[rng.Next(5)];

    /// <summary>Any instruction of the opcode table (legacy exceptions and structure aside) with small random immediates.</summary>
    private static Instruction RandomInstruction(Random rng)
    {
        while (true)
        {
            var info = OpcodeTable.All[rng.Next(OpcodeTable.All.Count)];
            var op = info.Opcode;
            if (op is Opcode.Try or Opcode.Catch or Opcode.CatchAll or Opcode.Delegate or Opcode.Rethrow or Opcode.End or Opcode.Else)
            {
                continue;
            }
            uint Index() => (uint)rng.Next(4);
            return info.Immediates switch
            {
                ImmediateKind.BlockType => Instruction.Block(op, rng.Next(3) switch { 0 => BlockType.Empty, 1 => BlockType.Value(RandomValue(rng)), _ => BlockType.Indexed(Index()) }),
                ImmediateKind.Label or ImmediateKind.Function or ImmediateKind.Type or ImmediateKind.Local or ImmediateKind.Global
                    or ImmediateKind.Table or ImmediateKind.Memory or ImmediateKind.Data or ImmediateKind.Element or ImmediateKind.Tag => Instruction.WithIndex(op, Index()),
                ImmediateKind.BranchTable => Instruction.BrTable([Index(), Index()], Index()),
                ImmediateKind.CallIndirect or ImmediateKind.TypeAndField or ImmediateKind.TypeAndType or ImmediateKind.TypeAndData
                    or ImmediateKind.TypeAndElem or ImmediateKind.TableAndTable or ImmediateKind.ElemAndTable
                    or ImmediateKind.MemoryAndMemory or ImmediateKind.DataAndMemory => Instruction.WithIndices(op, Index(), Index()),
                ImmediateKind.TypeAndCount => Instruction.ArrayNewFixed(Index(), Index()),
                ImmediateKind.MemArg => Instruction.Memory(op, new MemArg((uint)rng.Next(5), (ulong)rng.Next(3) << 31, (uint)rng.Next(2))),
                ImmediateKind.MemArgAndLane => Instruction.MemoryLane(op, new MemArg((uint)rng.Next(5), 0, 0), (byte)rng.Next(17)),
                ImmediateKind.Lane => Instruction.Lane(op, (byte)rng.Next(17)),
                ImmediateKind.Shuffle => Instruction.Shuffle(new V128((ulong)rng.NextInt64(), 0)),
                ImmediateKind.I32 => Instruction.I32Const(1),
                ImmediateKind.I64 => Instruction.I64Const(1),
                ImmediateKind.F32 => Instruction.F32Const(0),
                ImmediateKind.F64 => Instruction.F64Const(0),
                ImmediateKind.V128 => Instruction.V128Const(default),
                ImmediateKind.HeapType => Instruction.WithHeapType(op, RandomHeap(rng)),
                ImmediateKind.BrOnCast => Instruction.BrOnCast(op, Index(), ValType.Ref(RandomHeap(rng), rng.Next(2) == 0), ValType.Ref(RandomHeap(rng), rng.Next(2) == 0)),
                ImmediateKind.SelectTypes => Instruction.SelectTyped([RandomValue(rng)]),
                ImmediateKind.TryTable => Instruction.TryTable(BlockType.Empty, [new CatchClause((CatchKind)rng.Next(4), Index(), Index())]),
                _ => Instruction.Simple(op),
            };
        }
    }

    private static void MutateModule(Module module, Random rng, List<string> log)
    {
        switch (rng.Next(4))
        {
            case 0 when module.Types.Count > 0:
            {
                var groupIndex = rng.Next(module.Types.Count);
                var members = module.Types[groupIndex].Types.ToList();
                var member = rng.Next(members.Count);
                var first = module.Types.Take(groupIndex).Sum(g => g.Types.Count);
                var old = members[member];
                members[member] = rng.Next(3) switch
                {
                    0 => new SubType(old.Body, old.Supertypes, !old.Final),
                    1 => new SubType(old.Body, first + member > 0 ? [(uint)rng.Next(first + member)] : [], final: rng.Next(3) == 0),
                    _ => new SubType(old.Body switch
                    {
                        StructType s => new StructType([.. s.Fields.Select(f => rng.Next(2) == 0 ? f : new FieldType(new StorageType(RandomValue(rng)), rng.Next(2) == 0))]),
                        ArrayType a => new ArrayType(new FieldType(new StorageType(RandomValue(rng)), !a.Element.Mutable)),
                        FunctionType f => new FunctionType([.. f.Parameters.Select(p => rng.Next(2) == 0 ? p : RandomValue(rng))], f.Results),
                        _ => old.Body,
                    }, old.Supertypes, old.Final),
                };
                module.Types[groupIndex] = new RecursiveType(members);
                log.Add($"type {first + member}: {old} => {members[member]}");
                break;
            }
            case 1 when module.Globals.Count > 0:
            {
                var i = rng.Next(module.Globals.Count);
                var init = rng.Next(4) switch
                {
                    0 => Instruction.WithIndex(Opcode.GlobalGet, (uint)rng.Next(module.Globals.Count + 1)),
                    1 => Instruction.WithHeapType(Opcode.RefNull, RandomHeap(rng)),
                    2 => Instruction.WithIndex(Opcode.RefFunc, (uint)rng.Next(3)),
                    _ => Instruction.I32Const(0),
                };
                var type = rng.Next(2) == 0 ? module.Globals[i].Type : new GlobalType(RandomValue(rng), rng.Next(2) == 0);
                module.Globals[i] = new Global(type, Expression.Of(init));
                log.Add($"global {i}: {type} = {init}");
                break;
            }
            case 2 when module.Tables.Count > 0:
            {
                var i = rng.Next(module.Tables.Count);
                var table = module.Tables[i];
                module.Tables[i] = new Table(table.Type with { ElementType = ValType.Ref(RandomHeap(rng), rng.Next(2) == 0) }, table.Init);
                log.Add($"table {i}: {module.Tables[i].Type}");
                break;
            }
            case 3 when module.Elements.Count > 0:
            {
                var i = rng.Next(module.Elements.Count);
                var e = module.Elements[i];
                module.Elements[i] = new ElementSegment(e.Mode, ValType.Ref(RandomHeap(rng), rng.Next(2) == 0), e.Items, e.Table, e.Offset);
                log.Add($"elem {i}: {module.Elements[i].Type}");
                break;
            }
            default:
                break;
        }
    }
}
