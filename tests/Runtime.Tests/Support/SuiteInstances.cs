using WasmHarness.Execution;
using WasmHarness.Syntax;
using WasmHarness.Tests.Shared;
using WasmHarness.Wast;

namespace WasmHarness.Tests.Support;

/// <summary>Instantiates a module of the spec suite on its own, as the tests that sweep every suite module need.</summary>
public static class SuiteInstances
{
    /// <summary>
    /// Every function defined by a module of the core suite that instantiates on its own (<see cref="TryInstantiate"/>),
    /// its instance, and where the module stands (<c>script:line:column</c>): the sweep of the tests that check a
    /// property of every compiled function.
    /// </summary>
    public static IEnumerable<(string Where, ModuleInstance Instance, WasmFunction Function)> DefinedFunctions(EngineOptions? options = null)
    {
        foreach (var script in TestSuite.CoreScripts())
        {
            foreach (var command in WastParser.ParseFile(Path.Combine(TestSuite.Root, script)).Commands)
            {
                if (command is not ModuleCommand { Module: TextScriptModule { Module: { } module } } || TryInstantiate(module, options) is not { } instance)
                {
                    continue;
                }
                foreach (var function in instance.Functions.OfType<WasmFunction>().Where(f => f.Instance == instance))
                {
                    yield return ($"{script}:{command.Location}", instance, function);
                }
            }
        }
    }

    /// <summary>
    /// An instance of <paramref name="module"/> linked against <c>spectest</c>; any other imported function is a stub
    /// that returns default results (the module's own script would have provided it). Null when the module does not
    /// instantiate on its own (an unlinkable import, a trap in its start function, ...).
    /// </summary>
    public static ModuleInstance? TryInstantiate(Module module, EngineOptions? options = null)
    {
        var engine = new Engine(options ?? new EngineOptions());
        try
        {
            var linker = SpecTestModule.Define(new Linker());
            foreach (var import in module.Imports)
            {
                if (linker.Resolve(import.Module, import.Name) is null && import.Type is FunctionTypeUse use)
                {
                    var type = (FunctionType)module.TypeDefinitions.ElementAt((int)use.TypeIndex).Body;
                    linker.DefineFunction(import.Module, import.Name, type, (_, results) => results.Clear());
                }
            }
            return CompiledModule.Compile(engine, module).Instantiate(new Store(engine), linker);
        }
        catch (WasmException)
        {
            return null;
        }
    }
}
