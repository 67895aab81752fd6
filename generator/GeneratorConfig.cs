using WasmHarness.Syntax;

namespace WasmHarness.Generator;

/// <summary>Groups of instructions a swarm configuration turns on or off as a whole.</summary>
public enum InstructionClass
{
    Numeric,
    Float,
    Conversion,
    Parametric,
    Variable,
    Control,
    Branch,
    Call,
    Memory,
    BulkMemory,
    Table,
    Reference,
    Simd,
    Trapping,
}

/// <summary>The language a swarm configuration draws its features from.</summary>
public enum GeneratorProfile
{
    /// <summary>Wasm 2.0 only (a configuration drawn from the same bytes as a Wasm3 one, without the 3.0 features).</summary>
    Wasm2,

    /// <summary>Wasm 2.0 plus the 3.0 features the tiers support: tail calls, typed function references, exceptions, multiple memories, memory64.</summary>
    Wasm3,
}

/// <summary>
/// The generator's knobs. <see cref="Swarm"/> draws one per test case from the input bytes (swarm testing: each case
/// enables a random subset of features and instruction kinds, so rarely combined instructions meet often).
/// The Wasm 3.0 features are off unless the swarm draws them (<see cref="GeneratorProfile.Wasm3"/>); GC types are not
/// generated yet, and relaxed SIMD never is (implementation-defined results). The Wasm3 profile also draws three
/// proposals beyond 3.0 (<see cref="WideArithmetic"/>, <see cref="CustomPageSizes"/>, <see cref="Threads"/>).
/// </summary>
public sealed record GeneratorConfig
{
    public int MaxFunctions { get; init; } = 4;
    public int MaxParams { get; init; } = 3;
    public int MaxResults { get; init; } = 2;
    public int MaxLocals { get; init; } = 4;
    public int MaxGlobals { get; init; } = 3;
    public int MaxInstructions { get; init; } = 80;
    public int MaxNesting { get; init; } = 4;

    /// <summary>Fuel per exported call: every function entry and loop header spends one unit; at zero the function returns fixed values.</summary>
    public int Fuel { get; init; } = 300;

    public bool Floats { get; init; } = true;
    public bool Simd { get; init; } = true;
    public bool MultiValue { get; init; } = true;
    public bool ReferenceTypes { get; init; } = true;
    public bool BulkMemory { get; init; } = true;
    public bool SignExtension { get; init; } = true;
    public bool SaturatingConversions { get; init; } = true;
    public bool Memory { get; init; } = true;
    public bool Table { get; init; } = true;

    /// <summary>Wasm 3.0: <c>return_call</c>, <c>return_call_indirect</c> (and <c>return_call_ref</c> with <see cref="FunctionReferences"/>).</summary>
    public bool TailCalls { get; init; }

    /// <summary>Wasm 3.0 typed function references: <c>call_ref</c> through <c>ref.func</c> (or a typed null), <c>br_on_null</c>, <c>ref.as_non_null</c>.</summary>
    public bool FunctionReferences { get; init; }

    /// <summary>Wasm 3.0 exception handling: tags, <c>throw</c>, <c>try_table</c> with <c>catch</c> and <c>catch_all</c> clauses.</summary>
    public bool Exceptions { get; init; }

    /// <summary>Wasm 3.0: a second memory (exported as <c>mem1</c>) that memory instructions choose between.</summary>
    public bool MultiMemory { get; init; }

    /// <summary>Wasm 3.0: memory 0 has 64-bit addresses (and memory 1, with <see cref="MultiMemory"/>, sometimes too).</summary>
    public bool Memory64 { get; init; }

    /// <summary>
    /// The module imports from a second generated module, the provider (<see cref="ProviderModules"/>): some of its
    /// functions, globals (mutable ones included: both modules then read and write one global), its memory and its
    /// table, so that cross-module calls, shared state and imported-global access are checked.
    /// </summary>
    public bool Imports { get; init; }

    /// <summary>
    /// The module imports the deterministic host functions of <see cref="HostModule"/> (one of which calls the
    /// module's export <see cref="HostModule.CallbackExport"/> back), so that calls out of Wasm and back in are checked.
    /// </summary>
    public bool HostFunctions { get; init; }

    /// <summary>
    /// Wasm 3.0 garbage collection, on the operand stack: <c>struct.new/get/set</c> on a struct and its subtype,
    /// <c>array.new/get/set/len</c>, <c>ref.i31</c> and <c>i31.get_s/u</c>, <c>ref.test</c>, <c>ref.cast</c>,
    /// <c>br_on_cast</c> and <c>ref.eq</c>; results reach compared state as numbers (field values, lengths, test results).
    /// </summary>
    public bool Gc { get; init; }

    /// <summary>
    /// Beyond Wasm 3.0 (wide arithmetic): <c>i64.add128</c>, <c>i64.sub128</c>, <c>i64.mul_wide_s/u</c>, fixed-signature
    /// instructions with two results.
    /// </summary>
    public bool WideArithmetic { get; init; }

    /// <summary>
    /// Beyond Wasm 3.0 (custom page sizes): a defined memory 0 sometimes has a page size of 1 byte, so its limits,
    /// <c>memory.size</c> and <c>memory.grow</c> count bytes.
    /// </summary>
    public bool CustomPageSizes { get; init; }

    /// <summary>
    /// Beyond Wasm 3.0 (threads): a defined memory 0 is sometimes shared; atomic loads, stores, read-modify-writes,
    /// compare-exchanges, <c>atomic.fence</c>, <c>memory.atomic.notify</c> and <c>memory.atomic.wait32/64</c> with a
    /// timeout of 0 on memory 0. One thread only, so every result is deterministic (a wait with a timeout could block).
    /// </summary>
    public bool Threads { get; init; }

    /// <summary>No instruction that can trap is generated (besides the fuel check); memory accesses are masked into bounds.</summary>
    public bool DisallowTraps { get; init; }

    /// <summary>
    /// Every float operation that may produce a NaN is followed by code that replaces a NaN by the canonical one, so
    /// NaN bits (which the spec leaves nondeterministic) never reach memory, integers or results (wasmtime's rule).
    /// </summary>
    public bool CanonicalizeNans { get; init; } = true;

    /// <summary>Classes of instruction the generator may use.</summary>
    public IReadOnlySet<InstructionClass> Classes { get; init; } = new HashSet<InstructionClass>(Enum.GetValues<InstructionClass>());

    /// <summary>When set, the only fixed-signature numeric/vector opcodes and loads/stores the generator may use (a swarm subset).</summary>
    public IReadOnlySet<Opcode>? Opcodes { get; init; }

    public bool Allows(InstructionClass kind) => Classes.Contains(kind);

    /// <summary>The features and classes in use, for the campaign's feature mix.</summary>
    public IEnumerable<string> FeatureNames()
    {
        if (Simd) yield return "simd";
        if (MultiValue) yield return "multi-value";
        if (ReferenceTypes) yield return "reference-types";
        if (BulkMemory) yield return "bulk-memory";
        if (Memory) yield return "memory";
        if (Table) yield return "table";
        if (Floats) yield return "floats";
        if (DisallowTraps) yield return "no-traps";
        if (TailCalls) yield return "tail-calls";
        if (FunctionReferences) yield return "function-references";
        if (Exceptions) yield return "exceptions";
        if (MultiMemory) yield return "multi-memory";
        if (Memory64) yield return "memory64";
        if (Imports) yield return "imports";
        if (HostFunctions) yield return "host-functions";
        if (Gc) yield return "gc";
        if (WideArithmetic) yield return "wide-arithmetic";
        if (CustomPageSizes) yield return "custom-page-sizes";
        if (Threads) yield return "threads";
    }

    /// <summary>A swarm configuration drawn from <paramref name="u"/>: features, limits and a random subset of instructions.</summary>
    public static GeneratorConfig Swarm(Unstructured u, GeneratorProfile profile = GeneratorProfile.Wasm2)
    {
        bool Mostly() => u.Int(8) != 0;
        var classes = new HashSet<InstructionClass>();
        foreach (var kind in Enum.GetValues<InstructionClass>())
        {
            if (u.Int(5) != 0)
            {
                classes.Add(kind);
            }
        }
        classes.Add(InstructionClass.Numeric);
        classes.Add(InstructionClass.Variable);
        var config = new GeneratorConfig
        {
            MaxFunctions = u.Range(1, 5),
            MaxParams = u.Range(0, 4),
            MaxResults = u.Range(0, 3),
            MaxLocals = u.Range(0, 5),
            MaxGlobals = u.Range(0, 4),
            MaxInstructions = u.Range(20, 200),
            MaxNesting = u.Range(1, 5),
            Fuel = u.Range(20, 400),
            Floats = Mostly(),
            Simd = u.Int(3) != 0,
            MultiValue = Mostly(),
            ReferenceTypes = Mostly(),
            BulkMemory = Mostly(),
            SignExtension = Mostly(),
            SaturatingConversions = Mostly(),
            Memory = Mostly(),
            Table = u.Int(3) != 0,
            DisallowTraps = u.Int(10) == 0,
            Classes = classes,
        };
        switch (u.Int(4))
        {
            case 0:
            {
                // About half of the opcodes, from one 64-bit salt.
                var salt = u.UInt64();
                var subset = new HashSet<Opcode>();
                foreach (var opcode in OpcodeCatalog.SwarmOpcodes)
                {
                    var hash = (salt ^ (ulong)(uint)opcode) * 0x9E3779B97F4A7C15UL;
                    if ((hash >> 63) != 0)
                    {
                        subset.Add(opcode);
                    }
                }
                config = config with { Opcodes = subset };
                break;
            }
            case 1:
            case 2:
            {
                // A handful of opcodes, so that each of them occurs many times (swarm testing's strength).
                var count = u.Range(1, 24);
                var subset = new HashSet<Opcode>();
                for (var i = 0; i < count; i++)
                {
                    subset.Add(u.Choose(OpcodeCatalog.SwarmOpcodes));
                }
                config = config with { Opcodes = subset };
                break;
            }
        }
        if (profile == GeneratorProfile.Wasm3)
        {
            // Drawn last, so a Wasm 3.0 configuration shares everything above with the Wasm 2.0 one of the same bytes.
            config = config with
            {
                TailCalls = u.Bool(),
                FunctionReferences = u.Bool(),
                Exceptions = u.Bool(),
                MultiMemory = u.Bool(),
                Memory64 = u.Int(3) == 0,
            };
        }
        // Drawn after everything else, so the rest of a configuration stays what the same bytes gave before imports existed.
        config = config with { Imports = u.Int(4) == 0, HostFunctions = u.Int(4) == 0 };
        if (profile != GeneratorProfile.Wasm3)
        {
            return config;
        }
        config = config with { Gc = u.Int(3) == 0 };
        // The proposals beyond 3.0, drawn after every other draw so that the configurations above stay what they were.
        return config with { WideArithmetic = u.Int(3) == 0, CustomPageSizes = u.Int(3) == 0, Threads = u.Int(3) == 0 };
    }
}
