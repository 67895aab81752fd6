using WasmHarness.Syntax;

namespace WasmHarness.Execution;

/// <summary>
/// Resolves imports by module and item name and instantiates modules (spec: <c>instantiate</c>). Definitions
/// are external values from other instances (<see cref="DefineInstance"/>) or the host (<see cref="DefineFunction(string, string, FunctionType, HostFunctionCallback)"/>).
/// </summary>
public sealed class Linker
{
    private readonly Dictionary<(string Module, string Name), ExternalValue> _definitions = [];

    // Host functions that take a Caller: made into one HostFunction per importing instance at instantiation.
    private readonly Dictionary<(string Module, string Name), (FunctionType Type, CallerHostFunctionCallback Callback)> _callerDefinitions = [];

    /// <summary>Defines <paramref name="module"/>.<paramref name="name"/>, replacing an earlier definition.</summary>
    public Linker Define(string module, string name, ExternalValue value)
    {
        _callerDefinitions.Remove((module, name));
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

    /// <summary>
    /// Defines a host function from a C# delegate, deriving its Wasm type from the delegate's signature:
    /// parameters and result of type <see cref="int"/> (i32), <see cref="long"/> (i64), <see cref="float"/> (f32),
    /// <see cref="double"/> (f64) or <see cref="Value"/> (given as <paramref name="valueType"/>, default
    /// <c>externref</c>), and a <see langword="void"/> result for none. A first parameter of type <see cref="Caller"/>
    /// is not a Wasm parameter: it gives the function the calling instance (its memory, its exports). Convenient
    /// rather than fast: each call goes through <see cref="Delegate.DynamicInvoke"/>.
    /// </summary>
    /// <example><code>linker.DefineFunction("env", "add", (int a, int b) => a + b);
    /// linker.DefineFunction("env", "log", (Caller caller, int address, int length) => Console.WriteLine(caller.GetMemory()!.ReadString((uint)address, length)));</code></example>
    public Linker DefineFunction(string module, string name, Delegate body, ValType? valueType = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        var method = body.Method;
        var clrParameters = method.GetParameters().Select(p => p.ParameterType).ToArray();
        var takesCaller = clrParameters.Length > 0 && clrParameters[0] == typeof(Caller);
        var reference = valueType ?? ValType.ExternRef;
        ValType Map(Type clr) => ClrValues.TypeOf(clr, reference)
            ?? throw new ArgumentException($"host function {module}.{name}: {clr.Name} has no Wasm type", nameof(body));
        var parameters = clrParameters.Skip(takesCaller ? 1 : 0).Select(Map).ToArray();
        ValType[] results = method.ReturnType == typeof(void) ? [] : [Map(method.ReturnType)];
        var type = new FunctionType(parameters, results);
        void Call(Caller? caller, ReadOnlySpan<Value> args, Span<Value> output)
        {
            var offset = takesCaller ? 1 : 0;
            var clrArgs = new object?[args.Length + offset];
            if (takesCaller)
            {
                clrArgs[0] = caller;
            }
            for (var i = 0; i < args.Length; i++)
            {
                clrArgs[i + offset] = parameters[i].Kind switch
                {
                    ValueKind.I32 => args[i].I32,
                    ValueKind.I64 => args[i].I64,
                    ValueKind.F32 => args[i].F32,
                    ValueKind.F64 => args[i].F64,
                    _ => args[i],
                };
            }
            object? result;
            try
            {
                result = body.DynamicInvoke(clrArgs);
            }
            catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
                throw;
            }
            if (results.Length == 1)
            {
                output[0] = result switch
                {
                    int v => Value.FromI32(v),
                    long v => Value.FromI64(v),
                    float v => Value.FromF32(v),
                    double v => Value.FromF64(v),
                    Value v => v,
                    _ => throw new InvalidOperationException($"host function {module}.{name} returned {result}"),
                };
            }
        }
        return takesCaller
            ? DefineFunction(module, name, type, (Caller caller, ReadOnlySpan<Value> args, Span<Value> output) => Call(caller, args, output))
            : DefineFunction(module, name, type, (args, output) => Call(null, args, output));
    }

    /// <summary>
    /// Defines a host function that receives its <see cref="Caller"/>: each instance that imports it gets its own
    /// host function object, bound to that instance (a re-export of it called from another module still names the
    /// importing instance).
    /// </summary>
    public Linker DefineFunction(string module, string name, FunctionType type, CallerHostFunctionCallback callback)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(callback);
        _definitions.Remove((module, name));
        _callerDefinitions[(module, name)] = (type, callback);
        return this;
    }

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
    public ModuleInstance Instantiate(Store store, Module module)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(module);
        Validation.FeatureGate.Check(module, store.Engine.Options.Features);
        return Instantiate(store, Validation.ModuleValidator.Validate(module, store.Engine.Options.ModuleLimits));
    }

    /// <summary>Instantiates a module that has been validated (see <see cref="Instantiate(Store, Module)"/>).</summary>
    public ModuleInstance Instantiate(Store store, Validation.ValidatedModule validated)
    {
        ArgumentNullException.ThrowIfNull(validated);
        var module = validated.Module;
        var imports = new ExternalValue[module.Imports.Count];
        CallerBinding? binding = null;
        for (var i = 0; i < imports.Length; i++)
        {
            var import = module.Imports[i];
            if (_callerDefinitions.TryGetValue((import.Module, import.Name), out var definition))
            {
                var caller = new Caller(binding ??= new CallerBinding());
                imports[i] = new HostFunction(definition.Type, (args, results) => definition.Callback(caller, args, results), $"{import.Module}.{import.Name}");
                continue;
            }
            imports[i] = Resolve(import.Module, import.Name) ?? throw new LinkException(LinkException.UnknownImport, $"{import.Module}.{import.Name}");
        }
        return Instantiator.Instantiate(store, validated, imports, binding is null ? null : instance => binding.Instance = instance);
    }

    /// <summary>Instantiates a compiled module in <paramref name="store"/> with this linker's definitions (wasmtime's <c>linker.Instantiate(store, module)</c>).</summary>
    public ModuleInstance Instantiate(Store store, CompiledModule module)
    {
        ArgumentNullException.ThrowIfNull(module);
        return module.Instantiate(store, this);
    }
}
