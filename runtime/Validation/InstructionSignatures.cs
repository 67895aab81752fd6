using System.Collections.Frozen;
using WasmHarness.Syntax;

namespace WasmHarness.Validation;

/// <summary>An instruction's fixed operand and result types, for instructions whose type does not depend on the context.</summary>
internal sealed record Signature(ValType[] Parameters, ValType[] Results);

/// <summary>
/// The fixed types of the numeric, vector and lane instructions (spec: the typing rules of numeric and vector
/// instructions), and the value types and lane counts of memory and lane instructions. The data (<c>BuildFixed</c>,
/// <c>BuildMemory</c>, <c>BuildLaneCounts</c>) is generated from the instruction table's <c>sig</c> and <c>lanes</c> columns.
/// </summary>
internal static partial class InstructionSignatures
{
    private static readonly FrozenDictionary<Opcode, Signature> s_fixed = BuildFixed();
    // Dense views of s_fixed for the hot path: single-byte opcodes, and the 0xFC, 0xFD and 0xFE families.
    private static readonly Signature?[] s_plain = Dense(0x00, 0x100);
    private static readonly Signature?[] s_misc = Dense(0xFC_0000, 0x20);
    private static readonly Signature?[] s_vector = Dense(0xFD_0000, 0x120);
    private static readonly Signature?[] s_atomic = Dense(0xFE_0000, 0x50); // threads: atomic.fence (the others take an address)
    private static readonly FrozenDictionary<Opcode, (ValType Type, bool Store)> s_memory = BuildMemory();
    private static readonly FrozenDictionary<Opcode, int> s_laneCounts = BuildLaneCounts();
    private static readonly FrozenDictionary<Opcode, Signature> s_addressed = BuildAddressed();

    /// <summary>
    /// For an instruction whose operands are an address and fixed types (<c>sig=addr,...</c> in the table): the types
    /// after the address, and the results.
    /// </summary>
    public static bool TryGetAddressed(Opcode opcode, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Signature? signature) =>
        s_addressed.TryGetValue(opcode, out signature);

    /// <summary>The fixed signature of a numeric or vector instruction without context-dependent immediates.</summary>
    public static bool TryGetFixed(Opcode opcode, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Signature? signature)
    {
        var code = (int)opcode & 0xFFFF;
        var table = ((int)opcode >> 16) switch
        {
            0 => s_plain,
            0xFC => s_misc,
            0xFD => s_vector,
            0xFE => s_atomic,
            _ => null,
        };
        signature = table is not null && code < table.Length ? table[code] : null;
        return signature is not null;
    }

    private static Signature?[] Dense(int first, int length)
    {
        var table = new Signature?[length];
        for (var i = 0; i < length; i++)
        {
            table[i] = s_fixed.GetValueOrDefault((Opcode)(first + i));
        }
        return table;
    }

    /// <summary>For a load or store (not lane accesses): the value type it loads or stores.</summary>
    public static bool TryGetMemoryAccess(Opcode opcode, out ValType type, out bool store)
    {
        if (s_memory.TryGetValue(opcode, out var access))
        {
            (type, store) = access;
            return true;
        }
        type = default;
        store = false;
        return false;
    }

    /// <summary>Whether the instruction has a lane index immediate to check (extract/replace lane).</summary>
    public static bool HasLane(Opcode opcode) => s_laneCounts.ContainsKey(opcode);

    /// <summary>The number of lanes a lane index of an extract/replace instruction ranges over.</summary>
    public static int LaneCount(Opcode opcode) => s_laneCounts[opcode];

    public static IEnumerable<Opcode> FixedOpcodes => s_fixed.Keys;
}
