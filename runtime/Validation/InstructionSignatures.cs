using System.Collections.Frozen;
using WasmHarness.Syntax;
using ValueType = WasmHarness.Syntax.ValueType;

namespace WasmHarness.Validation;

/// <summary>An instruction's fixed operand and result types, for instructions whose type does not depend on the context.</summary>
internal sealed record Signature(ValueType[] Parameters, ValueType[] Results);

/// <summary>
/// The fixed types of the numeric, vector and lane instructions (spec: the typing rules of numeric and vector
/// instructions), and the value types and lane counts of memory and lane instructions.
/// </summary>
internal static class InstructionSignatures
{
    private static readonly ValueType I32 = ValueType.I32;
    private static readonly ValueType I64 = ValueType.I64;
    private static readonly ValueType F32 = ValueType.F32;
    private static readonly ValueType F64 = ValueType.F64;
    private static readonly ValueType V128 = ValueType.V128;

    private static readonly FrozenDictionary<Opcode, Signature> s_fixed = BuildFixed();
    // Dense views of s_fixed for the hot path: single-byte opcodes, and the 0xFC and 0xFD families.
    private static readonly Signature?[] s_plain = Dense(0x00, 0x100);
    private static readonly Signature?[] s_misc = Dense(0xFC_0000, 0x20);
    private static readonly Signature?[] s_vector = Dense(0xFD_0000, 0x120);
    private static readonly FrozenDictionary<Opcode, (ValueType Type, bool Store)> s_memory = BuildMemory();
    private static readonly FrozenDictionary<Opcode, int> s_laneCounts = BuildLaneCounts();

    /// <summary>The fixed signature of a numeric or vector instruction without context-dependent immediates.</summary>
    public static bool TryGetFixed(Opcode opcode, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Signature? signature)
    {
        var code = (int)opcode & 0xFFFF;
        var table = ((int)opcode >> 16) switch
        {
            0 => s_plain,
            0xFC => s_misc,
            0xFD => s_vector,
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
    public static bool TryGetMemoryAccess(Opcode opcode, out ValueType type, out bool store)
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
    public static bool HasLane(Opcode opcode) => opcode is >= Opcode.I8x16ExtractLaneS and <= Opcode.F64x2ReplaceLane;

    /// <summary>The number of lanes a lane index of an extract/replace instruction ranges over.</summary>
    public static int LaneCount(Opcode opcode) => s_laneCounts[opcode];

    public static IEnumerable<Opcode> FixedOpcodes => s_fixed.Keys;

    private static FrozenDictionary<Opcode, Signature> BuildFixed()
    {
        var table = new Dictionary<Opcode, Signature>();
        void Range(int first, int last, ValueType[] parameters, ValueType[] results)
        {
            var signature = new Signature(parameters, results);
            for (var code = first; code <= last; code++)
            {
                if (Enum.IsDefined((Opcode)code))
                {
                    table.Add((Opcode)code, signature);
                }
            }
        }
        void Ops(ValueType[] parameters, ValueType[] results, params int[] codes)
        {
            var signature = new Signature(parameters, results);
            foreach (var code in codes)
            {
                table.Add((Opcode)code, signature);
            }
        }

        // Core numeric instructions.
        Range(0x45, 0x45, [I32], [I32]);
        Range(0x46, 0x4F, [I32, I32], [I32]);
        Range(0x50, 0x50, [I64], [I32]);
        Range(0x51, 0x5A, [I64, I64], [I32]);
        Range(0x5B, 0x60, [F32, F32], [I32]);
        Range(0x61, 0x66, [F64, F64], [I32]);
        Range(0x67, 0x69, [I32], [I32]);
        Range(0x6A, 0x78, [I32, I32], [I32]);
        Range(0x79, 0x7B, [I64], [I64]);
        Range(0x7C, 0x8A, [I64, I64], [I64]);
        Range(0x8B, 0x91, [F32], [F32]);
        Range(0x92, 0x98, [F32, F32], [F32]);
        Range(0x99, 0x9F, [F64], [F64]);
        Range(0xA0, 0xA6, [F64, F64], [F64]);
        Range(0xA7, 0xA7, [I64], [I32]);
        Range(0xA8, 0xA9, [F32], [I32]);
        Range(0xAA, 0xAB, [F64], [I32]);
        Range(0xAC, 0xAD, [I32], [I64]);
        Range(0xAE, 0xAF, [F32], [I64]);
        Range(0xB0, 0xB1, [F64], [I64]);
        Range(0xB2, 0xB3, [I32], [F32]);
        Range(0xB4, 0xB5, [I64], [F32]);
        Range(0xB6, 0xB6, [F64], [F32]);
        Range(0xB7, 0xB8, [I32], [F64]);
        Range(0xB9, 0xBA, [I64], [F64]);
        Range(0xBB, 0xBB, [F32], [F64]);
        Range(0xBC, 0xBC, [F32], [I32]);
        Range(0xBD, 0xBD, [F64], [I64]);
        Range(0xBE, 0xBE, [I32], [F32]);
        Range(0xBF, 0xBF, [I64], [F64]);
        Range(0xC0, 0xC1, [I32], [I32]);
        Range(0xC2, 0xC4, [I64], [I64]);

        // Saturating truncation (0xFC 0..7).
        Range(0xFC_0000, 0xFC_0001, [F32], [I32]);
        Range(0xFC_0002, 0xFC_0003, [F64], [I32]);
        Range(0xFC_0004, 0xFC_0005, [F32], [I64]);
        Range(0xFC_0006, 0xFC_0007, [F64], [I64]);

        // Vector instructions (0xFD).
        const int V = 0xFD_0000;
        ValueType[] v = [V128], vv = [V128, V128], vvv = [V128, V128, V128], vi = [V128, I32], i = [I32];
        Ops(vv, v, V + 0x0E); // i8x16.swizzle
        Ops([I32], v, V + 0x0F, V + 0x10, V + 0x11);
        Ops([I64], v, V + 0x12);
        Ops([F32], v, V + 0x13);
        Ops([F64], v, V + 0x14);
        Ops(v, i, V + 0x15, V + 0x16, V + 0x18, V + 0x19, V + 0x1B);
        Ops(vi, v, V + 0x17, V + 0x1A, V + 0x1C);
        Ops(v, [I64], V + 0x1D);
        Ops([V128, I64], v, V + 0x1E);
        Ops(v, [F32], V + 0x1F);
        Ops([V128, F32], v, V + 0x20);
        Ops(v, [F64], V + 0x21);
        Ops([V128, F64], v, V + 0x22);
        Range(V + 0x23, V + 0x4C, vv, v); // comparisons
        Ops(v, v, V + 0x4D); // v128.not
        Range(V + 0x4E, V + 0x51, vv, v);
        Ops(vvv, v, V + 0x52); // bitselect
        Ops(v, i, V + 0x53); // any_true
        Ops(v, v, V + 0x5E, V + 0x5F);
        Ops(v, v, V + 0x60, V + 0x61, V + 0x62);
        Ops(v, i, V + 0x63, V + 0x64);
        Ops(vv, v, V + 0x65, V + 0x66);
        Range(V + 0x67, V + 0x6A, v, v);
        Range(V + 0x6B, V + 0x6D, vi, v);
        Range(V + 0x6E, V + 0x73, vv, v);
        Ops(v, v, V + 0x74, V + 0x75);
        Range(V + 0x76, V + 0x79, vv, v);
        Ops(v, v, V + 0x7A);
        Ops(vv, v, V + 0x7B);
        Range(V + 0x7C, V + 0x7F, v, v);
        Ops(v, v, V + 0x80, V + 0x81);
        Ops(vv, v, V + 0x82);
        Ops(v, i, V + 0x83, V + 0x84);
        Ops(vv, v, V + 0x85, V + 0x86);
        Range(V + 0x87, V + 0x8A, v, v);
        Range(V + 0x8B, V + 0x8D, vi, v);
        Range(V + 0x8E, V + 0x93, vv, v);
        Ops(v, v, V + 0x94);
        Range(V + 0x95, V + 0x9F, vv, v);
        Ops(v, v, V + 0xA0, V + 0xA1);
        Ops(v, i, V + 0xA3, V + 0xA4);
        Range(V + 0xA7, V + 0xAA, v, v);
        Range(V + 0xAB, V + 0xAD, vi, v);
        Range(V + 0xAE, V + 0xBF, vv, v);
        Ops(v, v, V + 0xC0, V + 0xC1);
        Ops(v, i, V + 0xC3, V + 0xC4);
        Range(V + 0xC7, V + 0xCA, v, v);
        Range(V + 0xCB, V + 0xCD, vi, v);
        Range(V + 0xCE, V + 0xDF, vv, v);
        Ops(v, v, V + 0xE0, V + 0xE1, V + 0xE3);
        Range(V + 0xE4, V + 0xEB, vv, v);
        Ops(v, v, V + 0xEC, V + 0xED, V + 0xEF);
        Range(V + 0xF0, V + 0xF7, vv, v);
        Range(V + 0xF8, V + 0xFF, v, v);

        // Relaxed SIMD.
        Ops(vv, v, V + 0x100);
        Range(V + 0x101, V + 0x104, v, v);
        Range(V + 0x105, V + 0x10C, vvv, v);
        Range(V + 0x10D, V + 0x112, vv, v);
        Ops(vvv, v, V + 0x113);
        return table.ToFrozenDictionary();
    }

    private static FrozenDictionary<Opcode, (ValueType, bool)> BuildMemory()
    {
        var table = new Dictionary<Opcode, (ValueType, bool)>
        {
            [Opcode.I32Load] = (I32, false),
            [Opcode.I64Load] = (I64, false),
            [Opcode.F32Load] = (F32, false),
            [Opcode.F64Load] = (F64, false),
            [Opcode.I32Store] = (I32, true),
            [Opcode.I64Store] = (I64, true),
            [Opcode.F32Store] = (F32, true),
            [Opcode.F64Store] = (F64, true),
            [Opcode.V128Store] = (V128, true),
            [Opcode.I32Store8] = (I32, true),
            [Opcode.I32Store16] = (I32, true),
            [Opcode.I64Store8] = (I64, true),
            [Opcode.I64Store16] = (I64, true),
            [Opcode.I64Store32] = (I64, true),
        };
        for (var code = 0x2C; code <= 0x2F; code++)
        {
            table[(Opcode)code] = (I32, false);
        }
        for (var code = 0x30; code <= 0x35; code++)
        {
            table[(Opcode)code] = (I64, false);
        }
        for (var code = 0xFD_0000; code <= 0xFD_000A; code++)
        {
            table[(Opcode)code] = (V128, false);
        }
        table[Opcode.V128Load32Zero] = (V128, false);
        table[Opcode.V128Load64Zero] = (V128, false);
        return table.ToFrozenDictionary();
    }

    private static FrozenDictionary<Opcode, int> BuildLaneCounts() => new Dictionary<Opcode, int>
    {
        [Opcode.I8x16ExtractLaneS] = 16,
        [Opcode.I8x16ExtractLaneU] = 16,
        [Opcode.I8x16ReplaceLane] = 16,
        [Opcode.I16x8ExtractLaneS] = 8,
        [Opcode.I16x8ExtractLaneU] = 8,
        [Opcode.I16x8ReplaceLane] = 8,
        [Opcode.I32x4ExtractLane] = 4,
        [Opcode.I32x4ReplaceLane] = 4,
        [Opcode.I64x2ExtractLane] = 2,
        [Opcode.I64x2ReplaceLane] = 2,
        [Opcode.F32x4ExtractLane] = 4,
        [Opcode.F32x4ReplaceLane] = 4,
        [Opcode.F64x2ExtractLane] = 2,
        [Opcode.F64x2ReplaceLane] = 2,
    }.ToFrozenDictionary();
}
