using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace WasmHarness.InstructionTable;

/// <summary>One row of <c>Instructions.table</c>.</summary>
internal sealed class Row
{
    public int Line { get; set; }

    public int Prefix { get; set; }

    public int Code { get; set; }

    public int Value => (Prefix << 16) | Code;

    public string Name { get; set; } = "";

    public string Enum { get; set; } = "";

    public string Immediates { get; set; } = "None";

    public int Alignment { get; set; }

    public int Lanes { get; set; }

    /// <summary>Operand types, or null when the signature is <c>custom</c>.</summary>
    public string[]? Parameters { get; set; }

    public string[]? Results { get; set; }

    public string Feature { get; set; } = "mvp";

    public string[] Traps { get; set; } = [];

    public bool Nan { get; set; }

    /// <summary>The interpreter runs this pure scalar instruction out of its dispatch loop (<c>Machine.ExecutePureCold</c>).</summary>
    public bool Cold { get; set; }

    /// <summary>The <c>jit</c> method takes the function's opaque zero (a <c>Vector128&lt;ulong&gt;</c> loaded once) as its last argument.</summary>
    public bool OpaqueZero { get; set; }

    /// <summary>The semantics method takes the engine's <c>RelaxedSimdMode</c> after the operands (relaxed SIMD: the deterministic or the host's result).</summary>
    public bool Relaxed { get; set; }

    public string? Semantics { get; set; }

    public string[]? Il { get; set; }

    public string? Jit { get; set; }

    public bool IsCustom => Parameters is null;

    /// <summary>
    /// Every type concrete and no immediate that names something of the module (an index to check): the validator
    /// takes the signature from the table. (<c>data.drop</c> is <c>-&gt;</c> but names a segment: not fixed.)
    /// </summary>
    public bool IsFixed => Parameters is not null && Parameters.Concat(Results!).All(Table.IsConcrete) && Immediates is "None" or "Lane";
}

/// <summary>Parses the table; errors name the line.</summary>
internal static class Table
{
    public static readonly string[] ConcreteTypes = ["i32", "i64", "f32", "f64", "v128"];

    public static bool IsConcrete(string type) => Array.IndexOf(ConcreteTypes, type) >= 0;

    public static List<Row> Parse(string text, List<string> errors)
    {
        var rows = new List<Row>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            var tokens = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length < 3)
            {
                errors.Add($"line {i + 1}: expected ENCODING NAME ENUM");
                continue;
            }
            var row = new Row { Line = i + 1, Name = tokens[1], Enum = tokens[2] };
            try
            {
                var encoding = tokens[0];
                var colon = encoding.IndexOf(':');
                if (colon < 0)
                {
                    row.Code = ParseHex(encoding);
                }
                else
                {
                    row.Prefix = ParseHex(encoding.Substring(0, colon));
                    row.Code = int.Parse(encoding.Substring(colon + 1), CultureInfo.InvariantCulture);
                }
                foreach (var token in tokens.Skip(3))
                {
                    var eq = token.IndexOf('=');
                    var key = eq < 0 ? token : token.Substring(0, eq);
                    var value = eq < 0 ? "" : token.Substring(eq + 1);
                    switch (key)
                    {
                        case "imm": row.Immediates = value; break;
                        case "align": row.Alignment = int.Parse(value, CultureInfo.InvariantCulture); break;
                        case "lanes": row.Lanes = int.Parse(value, CultureInfo.InvariantCulture); break;
                        case "sig": ParseSignature(row, value); break;
                        case "feature": row.Feature = value; break;
                        case "trap": row.Traps = value.Split(','); break;
                        case "nan": row.Nan = true; break;
                        case "cold": row.Cold = true; break;
                        case "opaque": row.OpaqueZero = true; break;
                        case "mode": row.Relaxed = true; break;
                        case "sem": row.Semantics = value; break;
                        case "il": row.Il = value.Split(','); break;
                        case "jit": row.Jit = value; break;
                        default: throw new FormatException($"unknown column '{key}'");
                    }
                }
                if (row.Semantics is not null && !row.IsFixed)
                {
                    throw new FormatException("sem= needs a fixed signature (concrete types only)");
                }
                if (row.Relaxed && (row.Semantics is null || row.Il is not null || row.Immediates != "None"))
                {
                    throw new FormatException("mode needs a sem= method and takes neither il= nor an immediate");
                }
                if (row.Semantics is not null && row.Results!.Length == 0)
                {
                    throw new FormatException("sem= needs at least one result");
                }
                if (row.Semantics is not null && row.Results!.Length > 1 && (row.Il is not null || row.Immediates != "None"))
                {
                    // A multi-result method returns a value tuple, which inline CIL and lane immediates do not model.
                    throw new FormatException("a multi-result sem= row takes neither il= nor an immediate");
                }
                rows.Add(row);
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                errors.Add($"line {i + 1}: {e.Message}");
            }
        }
        foreach (var group in rows.GroupBy(r => r.Value).Where(g => g.Count() > 1))
        {
            errors.Add($"line {group.Last().Line}: encoding 0x{group.Key:X} is used twice");
        }
        foreach (var group in rows.GroupBy(r => r.Enum).Where(g => g.Count() > 1))
        {
            errors.Add($"line {group.Last().Line}: enum name {group.Key} is used twice");
        }
        return rows;
    }

    private static int ParseHex(string text)
    {
        if (!text.StartsWith("0x", StringComparison.Ordinal))
        {
            throw new FormatException($"'{text}' is not 0x followed by hex digits");
        }
        return int.Parse(text.Substring(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    private static void ParseSignature(Row row, string value)
    {
        if (value == "custom")
        {
            return;
        }
        var arrow = value.IndexOf("->", StringComparison.Ordinal);
        if (arrow < 0)
        {
            throw new FormatException($"signature '{value}' has no ->");
        }
        row.Parameters = Types(value.Substring(0, arrow));
        row.Results = Types(value.Substring(arrow + 2));
    }

    private static string[] Types(string list)
    {
        var types = list.Length == 0 ? [] : list.Split(',');
        foreach (var type in types)
        {
            if (!IsConcrete(type) && type is not "addr" and not "*")
            {
                throw new FormatException($"unknown type '{type}'");
            }
        }
        return types;
    }
}
