using WasmHarness.Binary;
using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Generator;

/// <summary>
/// The modules a generated case imports from. A case stays one module, one <c>.wasm</c> file: each module it imports
/// from travels inside it as a custom section <c>harness.import:NAME</c> holding that module's binary, and is
/// instantiated and registered as <c>NAME</c> before the case itself. So everything that passes a case around (the
/// reducer, the regression corpus, the fault benchmark, a worker process) keeps its imports without knowing of them;
/// engines ignore custom sections. To run a case elsewhere, extract the section's bytes into <c>NAME.wasm</c>.
/// </summary>
public static class ProviderModules
{
    /// <summary>The import module name of the generated provider (<see cref="GeneratorConfig.Imports"/>).</summary>
    public const string Name = "provider";

    private const string SectionPrefix = "harness.import:";

    /// <summary>Embeds <paramref name="provider"/> in <paramref name="module"/>, to be registered as <paramref name="name"/>.</summary>
    public static void Attach(Module module, string name, Module provider) =>
        module.CustomSections.Add(new CustomSection(SectionPrefix + name, ModuleEncoder.Encode(provider)));

    /// <summary>A copy of <paramref name="module"/> carrying <paramref name="provider"/> as <paramref name="name"/> instead of the module it carried.</summary>
    public static Module Replace(Module module, string name, Module provider) =>
        Reducer.TestCaseReducer.With(module, customSections:
        [
            .. module.CustomSections.Select(section => section.Name == SectionPrefix + name
                ? new CustomSection(section.Name, ModuleEncoder.Encode(provider))
                : section),
        ]);

    /// <summary>The modules <paramref name="module"/> carries, in the order they must be instantiated.</summary>
    public static IReadOnlyList<(string Name, Module Module)> Of(Module module) =>
        [.. module.CustomSections
            .Where(section => section.Name.StartsWith(SectionPrefix, StringComparison.Ordinal))
            .Select(section => (section.Name[SectionPrefix.Length..], ModuleDecoder.Decode(section.Content.Span)))];

    /// <summary>
    /// Instantiates the modules <paramref name="module"/> carries in <paramref name="store"/> and defines each in
    /// <paramref name="linker"/> under its name, for embedders that run a case on our runtime directly.
    /// </summary>
    public static Linker Define(Linker linker, Store store, Module module)
    {
        ArgumentNullException.ThrowIfNull(linker);
        ArgumentNullException.ThrowIfNull(store);
        foreach (var (name, provider) in Of(module))
        {
            linker.DefineInstance(name, CompiledModule.Compile(store.Engine, provider).Instantiate(store, linker));
        }
        return linker;
    }
}
