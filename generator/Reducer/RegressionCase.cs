using System.Text;
using System.Text.Json;
using WasmHarness.Binary;
using WasmHarness.Syntax;

namespace WasmHarness.Generator.Reducer;

/// <summary>What a regression case records beside its module: how it was found and what replaying it must give.</summary>
public sealed record RegressionInfo(string Name, string Engines, ulong Seed, string Detail, string Category, string Expect, string Found);

/// <summary>
/// Writes a reduced case to <c>corpus/regressions/differential/</c>: <c>NAME.wasm</c>, a readable <c>NAME.wat</c>
/// (WAT-like, one instruction per line) and <c>NAME.json</c> (<see cref="RegressionInfo"/>). The replay test runs
/// every <c>.wasm</c> there. <c>Expect</c> is <c>agree</c> once the bug is fixed, <c>divergence</c> while it is open.
/// </summary>
public static class RegressionCase
{
    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static string Write(string directory, RegressionInfo info, Module module)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, info.Name);
        File.WriteAllBytes(path + ".wasm", ModuleEncoder.Encode(module));
        File.WriteAllText(path + ".wat", Print(module));
        File.WriteAllText(path + ".json", JsonSerializer.Serialize(info, Json));
        return path + ".wasm";
    }

    /// <summary>A WAT-like listing of the module (for people; not guaranteed to parse).</summary>
    public static string Print(Module module)
    {
        var text = new StringBuilder("(module\n");
        var types = module.TypeDefinitions.ToList();
        for (var i = 0; i < types.Count; i++)
        {
            text.Append($"  (type {i} {types[i]})\n");
        }
        foreach (var memory in module.Memories)
        {
            text.Append($"  (memory {memory.Limits.Min} {memory.Limits.Max}{(memory.HasCustomPageSize ? $" (pagesize {memory.PageSize})" : "")})\n");
        }
        foreach (var table in module.Tables)
        {
            text.Append($"  (table {table.Type.Limits.Min} {table.Type.Limits.Max} {table.Type.ElementType})\n");
        }
        for (var i = 0; i < module.Globals.Count; i++)
        {
            var global = module.Globals[i];
            text.Append($"  (global {i} {(global.Type.Mutable ? $"(mut {global.Type.Type})" : global.Type.Type.ToString())} ({global.Init}))\n");
        }
        for (var f = 0; f < module.Functions.Count; f++)
        {
            var function = module.Functions[f];
            text.Append($"  (func {f} (type {function.TypeIndex}) ;; {types[(int)function.TypeIndex]}\n");
            if (function.Locals.Count > 0)
            {
                text.Append($"    (local {string.Join(' ', function.Locals.SelectMany(g => Enumerable.Repeat(g.Type.ToString(), (int)g.Count)))})\n");
            }
            var depth = 2;
            var instructions = function.Body.Instructions;
            for (var i = 0; i < instructions.Count - 1; i++)
            {
                var instruction = instructions[i];
                if (instruction.Opcode is Opcode.End or Opcode.Else)
                {
                    depth--;
                }
                text.Append(' ', depth * 2).Append(instruction).Append('\n');
                if (instruction.Opcode.OpensBlock() || instruction.Opcode == Opcode.Else)
                {
                    depth++;
                }
            }
            text.Append("  )\n");
        }
        foreach (var export in module.Exports)
        {
            text.Append($"  (export \"{export.Name}\" ({export.Kind.ToString().ToLowerInvariant()} {export.Index}))\n");
        }
        foreach (var element in module.Elements)
        {
            text.Append($"  (elem {element.Mode.ToString().ToLowerInvariant()} {(element.Offset is null ? "" : $"(offset {element.Offset}) ")}{string.Join(' ', element.Items.Select(item => $"({item})"))})\n");
        }
        foreach (var data in module.Data)
        {
            text.Append($"  (data {data.Mode.ToString().ToLowerInvariant()} {(data.Offset is null ? "" : $"(offset {data.Offset}) ")}\"{string.Concat(data.Bytes.ToArray().Select(b => $"\\{b:x2}"))}\")\n");
        }
        return text.Append(")\n").ToString();
    }
}
