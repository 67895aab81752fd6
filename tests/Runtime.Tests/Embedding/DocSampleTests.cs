using System.Reflection;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace WasmHarness.Tests.Embedding;

/// <summary>
/// Every <c>```csharp</c> block of README.md and docs/*.md: a program is compiled as a default console project would
/// compile it (its implicit usings, a reference to the runtime) and run, and what it prints is checked where the docs
/// say it; <c>```csharp compile-only</c> is compiled (it needs files the test does not have); <c>```csharp excerpt
/// FILE</c> quotes source code, so each of its lines must be in FILE.
/// </summary>
[Collection(nameof(ConsoleCollection))]
public sealed partial class DocSampleTests
{
    private static readonly string Root = FindRoot();

    public static TheoryData<string, int> Samples()
    {
        var data = new TheoryData<string, int>();
        foreach (var (file, index, _, _) in AllBlocks())
        {
            data.Add(file, index);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Every_csharp_sample_of_the_docs_compiles_and_runs(string file, int index)
    {
        var (_, _, info, code) = AllBlocks().Single(block => block.File == file && block.Index == index);
        if (info.StartsWith("excerpt ", StringComparison.Ordinal))
        {
            var source = File.ReadAllText(Path.Combine(Root, info["excerpt ".Length..].Trim()));
            foreach (var line in code.Split('\n').Select(l => l.Split("   //")[0].Trim()).Where(l => l.Length > 0))
            {
                Assert.Contains(line, source, StringComparison.Ordinal);
            }
            return;
        }
        var assembly = Compile(code);
        if (info != "compile-only")
        {
            var output = Run(assembly);
            if (file == "docs/execution.md" && code.Contains("GetFunction<int, int, int>", StringComparison.Ordinal))
            {
                Assert.Equal("Hello, Wasm!\nprinted 12 bytes; 2 + 3 = 5\nwritten by the host\n", output);
            }
            else if (file == "docs/execution.md")
            {
                Assert.Equal("21\n42\n", output);
            }
        }
    }

    [Fact]
    public void The_docs_have_samples_of_every_kind()
    {
        var blocks = AllBlocks().ToList();
        Assert.Contains(blocks, b => b.Info == "" && b.Code.Contains("Caller caller", StringComparison.Ordinal));
        Assert.Contains(blocks, b => b.Info == "compile-only");
        Assert.Contains(blocks, b => b.Info.StartsWith("excerpt ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_sample_that_does_not_compile_is_reported_with_its_error() =>
        Assert.Contains("CS0103", Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => Compile("Console.WriteLine(nope);")).Message, StringComparison.Ordinal);

    private static IEnumerable<(string File, int Index, string Info, string Code)> AllBlocks()
    {
        var files = new[] { "README.md" }.Concat(Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md").Select(f => Path.GetRelativePath(Root, f).Replace('\\', '/'))).Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var index = 0;
            foreach (Match match in Block().Matches(File.ReadAllText(Path.Combine(Root, file))))
            {
                yield return (file, index++, match.Groups["info"].Value.Trim(), match.Groups["code"].Value);
            }
        }
    }

    [GeneratedRegex(@"^```csharp(?<info>[^\n]*)\n(?<code>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Block();

    // The implicit usings of `dotnet new console` (Microsoft.NET.Sdk): a sample must compile with them, so a name of
    // ours that collides with one of System's shows up here as it would for a user.
    private const string ImplicitUsings = """
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """;

    private static byte[] Compile(string code)
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var references = platform.Append(typeof(Engine).Assembly.Location).Select(path => MetadataReference.CreateFromFile(path));
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create(
            "DocSample",
            [CSharpSyntaxTree.ParseText(ImplicitUsings, options), CSharpSyntaxTree.ParseText(code, options)],
            references,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
        Assert.True(result.Success, "the sample does not compile:\n" + string.Join("\n", errors) + "\n" + code);
        return stream.ToArray();
    }

    private static string Run(byte[] image)
    {
        var context = new AssemblyLoadContext("DocSample", isCollectible: true);
        var writer = new StringWriter { NewLine = "\n" };
        var previous = Console.Out;
        try
        {
            var entry = context.LoadFromStream(new MemoryStream(image)).EntryPoint!;
            Console.SetOut(writer);
            entry.Invoke(null, entry.GetParameters().Length == 0 ? null : [Array.Empty<string>()]);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw new Xunit.Sdk.XunitException($"the sample threw {e.InnerException}");
        }
        finally
        {
            Console.SetOut(previous);
            context.Unload();
        }
        return writer.ToString();
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Harness.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Harness.sln not found above the test assembly");
    }
}

/// <summary>Tests that redirect <see cref="Console.Out"/>: never in parallel with each other.</summary>
[CollectionDefinition(nameof(ConsoleCollection), DisableParallelization = true)]
public sealed class ConsoleCollection;
