using System.Diagnostics;
using WasmHarness.Generator;
using WasmHarness.Syntax;
using WasmHarness.Validation;

namespace WasmHarness.Generator.Reducer;

/// <summary>
/// Shrinks a failing module while the failure persists: drops exports, replaces whole function bodies by constants,
/// deletes runs of instructions (halving run lengths, ddmin style) and zeroes constants. Every candidate must still
/// validate; the predicate decides whether it still fails. The modules a case carries (<see cref="ProviderModules"/>)
/// are reduced the same way after the case, each candidate put back into the case before the predicate sees it.
/// </summary>
/// <remarks>
/// Bounded twice: by time (checked before each candidate) and by <c>maxSteps</c> predicate calls. And no candidate
/// may run forever, which no time check between candidates could stop: when every loop and calling function of the input starts with
/// the generator's fuel check (<see cref="IsFueled"/>), a candidate that breaks one (deletes its decrement,
/// zeroes its constant, removes its return) is rejected before it runs. Likewise, when every instruction that may make
/// a nondeterministic NaN is canonicalized (<see cref="NansCanonicalized"/>), a candidate that breaks a
/// canonicalization is rejected: without it two engines may rightly return different NaNs, and the reduction would
/// end on a difference that is no bug.
/// </remarks>
public static class TestCaseReducer
{
    /// <summary>Predicate calls a reduction makes at most (each runs the candidate on every engine).</summary>
    public const int DefaultMaxSteps = 4000;

    public static Module Reduce(Module module, Func<Module, bool> stillFails, TimeSpan budget, int maxSteps = DefaultMaxSteps)
    {
        var limits = new Limits(Stopwatch.StartNew(), budget, maxSteps);
        var current = ReduceOne(module, stillFails, limits);
        // Then the modules the case carries (ProviderModules): a divergence in a provider's function needs the
        // provider reduced, the case around it stays as it is. Each candidate provider is put back into the case.
        foreach (var (name, provider) in ProviderModules.Of(current))
        {
            var reducedProvider = ReduceOne(provider, candidate => stillFails(ProviderModules.Replace(current, name, candidate)), limits);
            current = ProviderModules.Replace(current, name, reducedProvider);
        }
        return current;
    }

    /// <summary>The time and predicate calls a reduction may take, shared by the case and the modules it carries.</summary>
    private sealed class Limits(Stopwatch clock, TimeSpan budget, int maxSteps)
    {
        public int Steps { get; set; }

        public bool Exhausted => clock.Elapsed > budget || Steps >= maxSteps;
    }

    private static Module ReduceOne(Module module, Func<Module, bool> stillFails, Limits limits)
    {
        var current = module;
        var fueled = IsFueled(module);
        var canonical = NansCanonicalized(module);
        bool Exhausted() => limits.Exhausted;
        bool Try(Module candidate)
        {
            if (Exhausted() || !IsValid(candidate) || (fueled && !IsFueled(candidate)) || (canonical && !NansCanonicalized(candidate)))
            {
                return false;
            }
            limits.Steps++;
            if (!stillFails(candidate))
            {
                return false;
            }
            current = candidate;
            return true;
        }

        var changed = true;
        while (changed && !Exhausted())
        {
            changed = false;
            // Exports (the fuel reset stays: the oracle needs it).
            for (var i = current.Exports.Count - 1; i >= 0; i--)
            {
                var export = current.Exports[i];
                if (export.Kind == ExternKind.Function && export.Name != ModuleGenerator.ResetFuelExport)
                {
                    changed |= Try(With(current, exports: [.. current.Exports.Where((_, j) => j != i)]));
                }
            }
            // Whole bodies to constants.
            for (var f = 0; f < current.Functions.Count; f++)
            {
                var function = current.Functions[f];
                var type = (FunctionType)current.TypeDefinitions.ElementAt((int)function.TypeIndex).Body;
                var trivial = new Expression([.. type.Results.Select(Zero), Instruction.Simple(Opcode.End)]);
                if (!function.Body.Equals(trivial))
                {
                    changed |= Try(WithBody(current, f, trivial.Instructions));
                }
            }
            // Runs of instructions.
            for (var f = 0; f < current.Functions.Count; f++)
            {
                for (var chunk = Math.Max(1, current.Functions[f].Body.Instructions.Count / 2); chunk >= 1 && !Exhausted(); chunk /= 2)
                {
                    for (var start = 0; start + chunk < current.Functions[f].Body.Instructions.Count && !Exhausted();)
                    {
                        var body = current.Functions[f].Body.Instructions;
                        var candidate = body.Take(start).Concat(body.Skip(start + chunk)).ToList();
                        if (Try(WithBody(current, f, candidate)))
                        {
                            changed = true;
                        }
                        else
                        {
                            start++;
                        }
                    }
                }
            }
            // Constants to zero.
            for (var f = 0; f < current.Functions.Count; f++)
            {
                var body = current.Functions[f].Body.Instructions;
                for (var i = 0; i < body.Count; i++)
                {
                    if (body[i].Info.Immediates is ImmediateKind.I32 or ImmediateKind.I64 or ImmediateKind.F32 or ImmediateKind.F64 or ImmediateKind.V128
                        && body[i] != Zero(ResultOfConst(body[i].Opcode)))
                    {
                        var candidate = body.ToList();
                        candidate[i] = Zero(ResultOfConst(body[i].Opcode));
                        if (Try(WithBody(current, f, candidate)))
                        {
                            changed = true;
                            body = current.Functions[f].Body.Instructions;
                        }
                    }
                }
            }
        }
        return current;
    }

    /// <summary>
    /// True when every loop of every function, and every function that loops or calls, begins with the generator's
    /// fuel check (<c>global.get F; i32.eqz; if ... return end; global.get F; i32.const 1; i32.sub; global.set F</c>, F the
    /// first defined global, <see cref="ModuleGenerator.FuelGlobalOf"/>),
    /// so that every loop ends and a call tree cannot grow exponentially before the call depth limit stops it.
    /// </summary>
    public static bool IsFueled(Module module)
    {
        var fuel = ModuleGenerator.FuelGlobalOf(module);
        return module.Functions.All(f => FuelChecksIntact(f.Body.Instructions, fuel));
    }

    private static bool FuelChecksIntact(IReadOnlyList<Instruction> body, uint fuel)
    {
        var needsEntryCheck = body.Any(i => i.Opcode is Opcode.Loop or Opcode.Call or Opcode.CallIndirect or Opcode.CallRef
            or Opcode.ReturnCall or Opcode.ReturnCallIndirect or Opcode.ReturnCallRef);
        if (needsEntryCheck && !FunctionBuilder.IsFuelCheckAt(body, 0, fuel))
        {
            return false;
        }
        for (var p = 0; p < body.Count; p++)
        {
            if (body[p].Opcode == Opcode.Loop && !FunctionBuilder.IsFuelCheckAt(body, p + 1, fuel))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// True when every instruction of every function that may make a nondeterministic NaN is followed by the
    /// generator's canonicalization (<see cref="FunctionBuilder.IsCanonicalizedAt"/>), as the generator emits them with
    /// <see cref="GeneratorConfig.CanonicalizeNans"/>.
    /// </summary>
    public static bool NansCanonicalized(Module module) =>
        module.Functions.All(f =>
        {
            var body = f.Body.Instructions;
            return Enumerable.Range(0, body.Count).All(i => OpcodeCatalog.NanShapeOf(body[i].Opcode) == NanShape.None || FunctionBuilder.IsCanonicalizedAt(body, i));
        });

    public static bool IsValid(Module module)
    {
        try
        {
            ModuleValidator.Validate(module);
            return true;
        }
        catch (WasmException)
        {
            return false;
        }
    }

    private static Syntax.ValType ResultOfConst(Opcode opcode) => opcode switch
    {
        Opcode.I32Const => Syntax.ValType.I32,
        Opcode.I64Const => Syntax.ValType.I64,
        Opcode.F32Const => Syntax.ValType.F32,
        Opcode.F64Const => Syntax.ValType.F64,
        _ => Syntax.ValType.V128,
    };

    private static Instruction Zero(Syntax.ValType type) => type.Kind switch
    {
        ValueKind.I32 => Instruction.I32Const(0),
        ValueKind.I64 => Instruction.I64Const(0),
        ValueKind.F32 => Instruction.F32Const(0),
        ValueKind.F64 => Instruction.F64Const(0),
        ValueKind.V128 => Instruction.V128Const(default),
        _ => Instruction.WithHeapType(Opcode.RefNull, type.Heap),
    };

    private static Module WithBody(Module module, int function, IReadOnlyList<Instruction> body)
    {
        var functions = module.Functions.ToList();
        var old = functions[function];
        functions[function] = new Function(old.TypeIndex, old.Locals, new Expression(body));
        return With(module, functions: functions);
    }

    /// <summary>A shallow copy of <paramref name="module"/> with some lists replaced.</summary>
    public static Module With(Module module, List<Function>? functions = null, List<Export>? exports = null, List<CustomSection>? customSections = null)
    {
        var copy = new Module { Start = module.Start, DataCount = module.DataCount, Name = module.Name };
        copy.Types.AddRange(module.Types);
        copy.Imports.AddRange(module.Imports);
        copy.Functions.AddRange(functions ?? module.Functions);
        copy.Tables.AddRange(module.Tables);
        copy.Memories.AddRange(module.Memories);
        copy.Globals.AddRange(module.Globals);
        copy.Tags.AddRange(module.Tags);
        copy.Exports.AddRange(exports ?? module.Exports);
        copy.Elements.AddRange(module.Elements);
        copy.Data.AddRange(module.Data);
        copy.CustomSections.AddRange(customSections ?? module.CustomSections);
        return copy;
    }
}
