using WasmHarness.Wast;
using System.Security.Cryptography;
using WasmHarness.Binary;
using WasmHarness.Fuzz.Targets;
using WasmHarness.Syntax;
using WasmHarness.Text;

namespace WasmHarness.Fuzz;

/// <summary>
/// Seed inputs for a target, made at run time from the official suite's scripts (never committed): the bytes of
/// <c>(module binary ...)</c> modules and our encoder's bytes of text modules for the binary targets, the text of
/// <c>(module ...)</c> forms for the text target; plus a few built-in modules, so that there are seeds without the suite.
/// </summary>
public static class SeedCorpus
{
    /// <summary>Largest seed kept: AFL++ works best on small inputs.</summary>
    public const int MaxSeedBytes = 16 * 1024;

    /// <summary>The suite's root, found by <see cref="SuiteLocator"/> from <paramref name="explicitRoot"/>, or above the working or program folder.</summary>
    public static string? LocateSuite(string? explicitRoot = null) =>
        SuiteLocator.Locate(explicitRoot, Directory.GetCurrentDirectory()).Root
        ?? (string.IsNullOrEmpty(explicitRoot) ? SuiteLocator.Locate(null, AppContext.BaseDirectory).Root : null);

    /// <summary>The suite's core scripts (top level, <c>legacy/</c>), in a stable order.</summary>
    public static IEnumerable<string> Scripts(string root) =>
        new[] { "", "legacy" }
            .Select(folder => Path.Combine(root, folder))
            .Where(Directory.Exists)
            .SelectMany(dir => Directory.EnumerateFiles(dir, "*.wast").Order(StringComparer.Ordinal));

    /// <summary>
    /// Seeds for <paramref name="target"/>, deduplicated, at most <paramref name="max"/> (sampled evenly across the
    /// suite when there are more). <paramref name="suiteRoot"/> null: built-in seeds only.
    /// </summary>
    public static List<byte[]> Build(FuzzTarget target, string? suiteRoot, int max)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var seeds = new List<byte[]>();
        void Add(byte[] seed)
        {
            if (seed.Length <= MaxSeedBytes && seen.Add(Convert.ToHexString(SHA256.HashData(seed))))
            {
                seeds.Add(seed);
            }
        }

        if (target.TakesGeneratorBytes && target.OwnSeeds is null)
        {
            return [.. BuiltinSeeds.GeneratorBytes(Math.Min(max, 64))];
        }
        var builtIn = BuiltinSeeds.For(target).ToList();
        builtIn.ForEach(Add);
        if (suiteRoot is not null && !target.TakesGeneratorBytes)
        {
            foreach (var script in Scripts(suiteRoot))
            {
                foreach (var seed in target.TakesText ? TextModules(script) : BinaryModules(script, wantValid: target is RunTarget or DifferentialTarget))
                {
                    Add(seed);
                }
            }
        }
        if (seeds.Count <= max)
        {
            return seeds;
        }
        // Keep the built-in seeds, then sample the rest evenly so every part of the suite is represented.
        var rest = seeds.Skip(builtIn.Count).ToList();
        var room = Math.Max(0, max - builtIn.Count);
        var sampled = Enumerable.Range(0, room).Select(i => rest[(int)((long)i * rest.Count / room)]);
        return [.. seeds.Take(builtIn.Count), .. sampled];
    }

    /// <summary>Writes seeds as <c>seed-NNNN.wasm</c> / <c>.wat</c> into <paramref name="folder"/>.</summary>
    public static int Write(FuzzTarget target, IReadOnlyList<byte[]> seeds, string folder)
    {
        Directory.CreateDirectory(folder);
        for (var i = 0; i < seeds.Count; i++)
        {
            File.WriteAllBytes(Path.Combine(folder, $"seed-{i:D4}.{target.Extension}"), seeds[i]);
        }
        return seeds.Count;
    }

    /// <summary>Binary modules of a script: binary modules as written, text modules as our encoder writes them.</summary>
    public static IEnumerable<byte[]> BinaryModules(string scriptPath, bool wantValid)
    {
        Script script;
        try
        {
            script = WastParser.ParseFile(scriptPath);
        }
        catch (Exception e) when (e is MalformedException or IOException)
        {
            yield break;
        }
        foreach (var command in script.Commands)
        {
            var (module, valid) = command switch
            {
                ModuleCommand c => (c.Module, true),
                AssertModuleTrapCommand c => (c.Module, true),
                AssertUnlinkableCommand c => (c.Module, true),
                AssertInvalidCommand c => (c.Module, false),
                AssertMalformedCommand c => (c.Module, false),
                _ => ((ScriptModule?)null, false),
            };
            if (module is null || (wantValid && !valid))
            {
                continue;
            }
            var bytes = module switch
            {
                BinaryScriptModule binary => binary.Bytes,
                TextScriptModule { Module: { } parsed } => TryEncode(parsed),
                _ => null,
            };
            if (bytes is not null)
            {
                yield return bytes;
            }
        }
    }

    private static byte[]? TryEncode(Module module)
    {
        try
        {
            return ModuleEncoder.Encode(module);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or WasmException)
        {
            return null;
        }
    }

    /// <summary>The text of each <c>(module ...)</c> form of a script that is written in the text format.</summary>
    public static IEnumerable<byte[]> TextModules(string scriptPath)
    {
        var text = File.ReadAllText(scriptPath);
        foreach (var (outerStart, outerEnd) in TopLevelForms(text, 0, text.Length))
        {
            var (start, end) = (outerStart, outerEnd);
            // (assert_invalid (module ...) "...") and the like: the module inside.
            if (text.AsSpan(start + 1).TrimStart().StartsWith("assert_", StringComparison.Ordinal))
            {
                var inner = TopLevelForms(text, start + 1, end - 1).FirstOrDefault();
                if (inner == default)
                {
                    continue;
                }
                (start, end) = inner;
            }
            var form = text.AsSpan(start, end - start);
            var head = form[1..].TrimStart();
            if (!head.StartsWith("module", StringComparison.Ordinal))
            {
                continue;
            }
            var rest = head["module".Length..].TrimStart();
            if (rest.StartsWith("definition", StringComparison.Ordinal))
            {
                rest = rest["definition".Length..].TrimStart();
            }
            if (rest.StartsWith("$", StringComparison.Ordinal))
            {
                var space = rest.IndexOfAny(" \t\r\n()");
                rest = space < 0 ? [] : rest[space..].TrimStart();
            }
            if (rest.StartsWith("binary", StringComparison.Ordinal) || rest.StartsWith("quote", StringComparison.Ordinal) || rest.StartsWith("instance", StringComparison.Ordinal))
            {
                continue;
            }
            yield return System.Text.Encoding.UTF8.GetBytes(form.ToString());
        }
    }

    /// <summary>Start and end of each top-level parenthesized form, skipping strings and comments.</summary>
    private static List<(int Start, int End)> TopLevelForms(string text, int from, int to)
    {
        var depth = 0;
        var start = 0;
        var forms = new List<(int, int)>();
        for (var i = from; i < to; i++)
        {
            var c = text[i];
            if (c == ';' && i + 1 < text.Length && text[i + 1] == ';')
            {
                while (i < to && text[i] != '\n')
                {
                    i++;
                }
            }
            else if (c == '(' && i + 1 < text.Length && text[i + 1] == ';')
            {
                var nesting = 1;
                for (i += 2; i < to && nesting > 0; i++)
                {
                    if (text[i] == '(' && i + 1 < text.Length && text[i + 1] == ';')
                    {
                        nesting++;
                        i++;
                    }
                    else if (text[i] == ';' && i + 1 < text.Length && text[i + 1] == ')')
                    {
                        nesting--;
                        i++;
                    }
                }
                i--;
            }
            else if (c == '"')
            {
                for (i++; i < to && text[i] != '"'; i++)
                {
                    if (text[i] == '\\')
                    {
                        i++;
                    }
                }
            }
            else if (c == '(')
            {
                if (depth++ == 0)
                {
                    start = i;
                }
            }
            else if (c == ')' && depth > 0 && --depth == 0)
            {
                forms.Add((start, i + 1));
            }
        }
        return forms;
    }
}
