using WasmHarness.Engines;
using WasmHarness.Generator;
using WasmHarness.Syntax;

namespace WasmHarness.Oracle;

/// <summary>One instruction class's row of the census: in how many cases it occurred, ran, and mattered.</summary>
/// <param name="Present">Cases whose module has an instruction of the class.</param>
/// <param name="Executed">Of those, cases where one ran: a trap put right after each of them changed the outcome.</param>
/// <param name="Observed">
/// Of those, cases where its result reached the compared state: flipping the lowest bit of each of its results
/// changed the outcome (a return value, a global, a memory byte, a table entry, a trap).
/// </param>
public sealed record CensusRow(string Class, long Present, long Executed, long Observed)
{
    /// <summary>Observed per executed: how often a miscomputed result of this class would be seen.</summary>
    public double ObservedRate => Executed == 0 ? 0 : (double)Observed / Executed;
}

/// <summary>
/// How observable each class of generated instruction is (issue 22's census): for every case and every class of
/// value-producing instruction in its module, the oracle compares the interpreter with an interpreter whose
/// instructions of that class (a) trap right after running, which tells whether one ran, and (b) return their result
/// with the lowest bit flipped, which tells whether a result reached anything the oracle compares. A class that runs
/// often but is seldom observed is a blind spot of the generator (its results folded away, dropped or overwritten,
/// or canonicalized as NaNs), whatever faults the catalogue happens to hold.
/// </summary>
public static class ObservabilityCensus
{
    /// <summary>A class: a name and which instructions belong to it, with the type of their one result.</summary>
    private sealed record Class(string Name, Func<Instruction, ValType?> ResultOf);

    private static readonly IReadOnlyList<Class> Classes = BuildClasses();

    private static List<Class> BuildClasses()
    {
        var fixedResults = OpcodeCatalog.Fixed.Where(e => e.Results.Length == 1).ToLookup(e => e.Class);
        var classes = new List<Class>();
        foreach (var group in fixedResults)
        {
            var byOpcode = group.ToDictionary(e => e.Opcode, e => e.Results[0]);
            classes.Add(new Class(group.Key.ToString().ToLowerInvariant(), i => byOpcode.TryGetValue(i.Opcode, out var type) ? type : null));
        }
        var loads = OpcodeCatalog.MemoryAccesses.Where(a => !a.Store).ToDictionary(a => a.Opcode, a => a.Type);
        classes.Add(new Class("memory load", i => loads.TryGetValue(i.Opcode, out var type) ? type : null));
        return classes;
    }

    /// <summary>Runs the census over cases 0 to <paramref name="cases"/> - 1 of <paramref name="seed"/>'s campaign.</summary>
    public static IReadOnlyList<CensusRow> Run(ulong seed, int cases, GeneratorProfile profile, TextWriter? log = null)
    {
        var rows = Classes.ToDictionary(c => c.Name, _ => (Present: 0L, Executed: 0L, Observed: 0L));
        var oracles = Classes.ToDictionary(c => c.Name, c => (
            Trap: new DifferentialOracle([new InterpreterEngine(), FaultCatalog.FaultyInterpreter(Perturbation(c, trap: true))]),
            Flip: new DifferentialOracle([new InterpreterEngine(), FaultCatalog.FaultyInterpreter(Perturbation(c, trap: false))])));
        for (var index = 0; index < cases; index++)
        {
            var caseSeed = Campaign.CaseSeed(seed, index);
            var module = Campaign.GenerateCase(caseSeed, out _, profile);
            foreach (var c in Classes)
            {
                if (!module.Functions.Any(f => f.Body.Instructions.Any(i => c.ResultOf(i) is not null)))
                {
                    continue;
                }
                var (present, executed, observed) = rows[c.Name];
                present++;
                if (oracles[c.Name].Trap.Check(module, caseSeed).Verdict == Verdict.Divergence)
                {
                    executed++;
                    if (oracles[c.Name].Flip.Check(module, caseSeed).Verdict == Verdict.Divergence)
                    {
                        observed++;
                    }
                }
                rows[c.Name] = (present, executed, observed);
            }
            if (log is not null && (index + 1) % 500 == 0)
            {
                log.WriteLine($"census: {index + 1} cases");
            }
        }
        return [.. Classes.Select(c => new CensusRow(c.Name, rows[c.Name].Present, rows[c.Name].Executed, rows[c.Name].Observed))];
    }

    /// <summary>The rewrite of a class's instructions: a trap after each, or its result's lowest bit flipped.</summary>
    private static Fault Perturbation(Class c, bool trap) => FaultCatalog.After(
        $"census-{c.Name}-{(trap ? "trap" : "flip")}", "census",
        i => c.ResultOf(i) is { } type ? trap ? [Instruction.Simple(Opcode.Unreachable)] : FlipLowestBit(type) : null);

    private static IReadOnlyList<Instruction> FlipLowestBit(ValType type) => type.Kind switch
    {
        ValueKind.I32 => [Instruction.I32Const(1), Instruction.Simple(Opcode.I32Xor)],
        ValueKind.I64 => [Instruction.I64Const(1), Instruction.Simple(Opcode.I64Xor)],
        ValueKind.F32 => [Instruction.Simple(Opcode.I32ReinterpretF32), Instruction.I32Const(1), Instruction.Simple(Opcode.I32Xor), Instruction.Simple(Opcode.F32ReinterpretI32)],
        ValueKind.F64 => [Instruction.Simple(Opcode.I64ReinterpretF64), Instruction.I64Const(1), Instruction.Simple(Opcode.I64Xor), Instruction.Simple(Opcode.F64ReinterpretI64)],
        ValueKind.V128 => [Instruction.V128Const(new V128(1, 0)), Instruction.Simple(Opcode.V128Xor)],
        _ => [],
    };
}
