using WasmHarness.Syntax;

namespace WasmHarness.Execution;

/// <summary>
/// Resolves imports by module and item name and instantiates modules (spec: <c>instantiate</c>). Definitions
/// are external values from other instances (<see cref="DefineInstance"/>) or the host (<see cref="DefineFunction(string, string, FunctionType, HostFunctionCallback)"/>).
/// </summary>
public sealed class Linker
{
    private readonly Dictionary<(string Module, string Name), ExternalValue> _definitions = [];

    /// <summary>Defines <paramref name="module"/>.<paramref name="name"/>, replacing an earlier definition.</summary>
    public Linker Define(string module, string name, ExternalValue value)
    {
        _definitions[(module, name)] = value;
        return this;
    }

    /// <summary>Defines a host function.</summary>
    public Linker DefineFunction(string module, string name, FunctionType type, HostFunctionCallback callback) =>
        Define(module, name, new HostFunction(type, callback, $"{module}.{name}"));

    /// <summary>Defines a host function from a delegate that maps arguments to results.</summary>
    public Linker DefineFunction(string module, string name, FunctionType type, Func<Value[], Value[]> body) =>
        DefineFunction(module, name, type, (args, results) =>
        {
            var values = body(args.ToArray());
            if (values.Length != results.Length)
            {
                throw new InvalidOperationException($"host function {module}.{name} returned {values.Length} values, not {results.Length}");
            }
            values.CopyTo(results);
        });

    /// <summary>Defines every export of <paramref name="instance"/> under the module name <paramref name="module"/> (the script's <c>register</c>).</summary>
    public Linker DefineInstance(string module, ModuleInstance instance)
    {
        foreach (var (name, value) in instance.Exports)
        {
            Define(module, name, value);
        }
        return this;
    }

    /// <summary>The definition of an import, if any.</summary>
    public ExternalValue? Resolve(string module, string name) => _definitions.GetValueOrDefault((module, name));

    /// <summary>
    /// Instantiates a validated module in <paramref name="store"/>: resolves and checks imports
    /// (<see cref="LinkException"/>), then runs the spec's steps; a trap in a segment or the start function
    /// surfaces as <see cref="TrapException"/> (with the effects on imported tables and memories kept).
    /// </summary>
    public ModuleInstance Instantiate(Store store, Module module) => Instantiate(store, Validation.ModuleValidator.Validate(module));

    /// <summary>Instantiates a module that has been validated (see <see cref="Instantiate(Store, Module)"/>).</summary>
    public ModuleInstance Instantiate(Store store, Validation.ValidatedModule validated)
    {
        ArgumentNullException.ThrowIfNull(validated);
        var module = validated.Module;
        var imports = new ExternalValue[module.Imports.Count];
        for (var i = 0; i < imports.Length; i++)
        {
            var import = module.Imports[i];
            imports[i] = Resolve(import.Module, import.Name) ?? throw new LinkException(LinkException.UnknownImport, $"{import.Module}.{import.Name}");
        }
        return Instantiator.Instantiate(store, validated, imports);
    }
}
