using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Engines;

/// <summary>
/// Our own runtime behind <see cref="IEngine"/>: the interpreter tier, or whichever tier <paramref name="options"/>
/// names; <paramref name="compile"/> says how a module becomes a <see cref="CompiledModule"/> (by default validated
/// in memory; the aot engine saves and loads it).
/// </summary>
public sealed class InterpreterEngine(EngineOptions? options = null, string name = "interp", Func<Engine, Module, CompiledModule>? compile = null) : IEngine, Wasi.IWasiRunner
{
    private readonly Engine _engine = new(options ?? new EngineOptions());
    private readonly Func<Engine, Module, CompiledModule> _compileModule = compile ?? CompiledModule.Compile;

    /// <summary>
    /// What each module became, kept while its artifact lives: instantiating an artifact again (the oracle runs one
    /// generated module several times, a script instantiates a module twice) reuses its validation and its code,
    /// as an embedder reuses a <see cref="CompiledModule"/>. A module that fails to compile is not kept.
    /// </summary>
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<ModuleArtifact, CompiledModule> _compiled = new();

    public string Name => name;

    /// <summary>The runtime engine behind this one (its options; the key of test-only fault injection).</summary>
    public Engine RuntimeEngine => _engine;

    public IEngineSession CreateSession() => new Session(_engine, Compile);

    private CompiledModule Compile(ModuleArtifact artifact) =>
        _compiled.GetValue(artifact, a => _compileModule(_engine, a.Module));

    public Wasi.WasiOutcome RunWasi(Wasi.WasiProgram program) => Wasi.OurWasi.Run(_engine, _compileModule, program);


    private sealed record Instance(ModuleInstance Value) : IEngineInstance;

    private sealed class Session : IEngineSession
    {
        private readonly Engine _engine;
        private readonly Func<ModuleArtifact, CompiledModule> _compile;
        private readonly Store _store;
        private readonly Linker _linker = new();
        private readonly HostReferences _hostReferences = new();

        public Session(Engine engine, Func<ModuleArtifact, CompiledModule> compile)
        {
            _engine = engine;
            _compile = compile;
            _store = new Store(engine);
            SpecTestModule.Define(_linker);
        }

        public IEngineInstance Instantiate(ModuleArtifact module) =>
            new Instance(Run(() => _compile(module).Instantiate(_store, _linker)));

        public void Register(string name, IEngineInstance instance) => _linker.DefineInstance(name, ((Instance)instance).Value);

        public IReadOnlyList<EngineValue> Invoke(IEngineInstance instance, string export, IReadOnlyList<EngineValue> arguments)
        {
            var function = ((Instance)instance).Value.GetExport(export) as FunctionInstance
                ?? throw new EngineFailure(FailureKind.Unsupported, $"no function export \"{export}\""); // as wasmtime's session says
            var args = arguments.Select(ToValue).ToArray();
            var results = Run(() => function.Invoke(args));
            return [.. results.Select((value, i) => FromValue(value, function.Type.Results[i]))];
        }

        public EngineValue GetGlobal(IEngineInstance instance, string export)
        {
            var global = ((Instance)instance).Value.GetGlobal(export);
            return FromValue(global.Value, global.Type.Type);
        }

        public byte[] ReadMemory(IEngineInstance instance, string export) => ReadMemory(instance, export, static bytes => bytes.ToArray());

        public T ReadMemory<T>(IEngineInstance instance, string export, MemoryReader<T> reader) =>
            reader(((Instance)instance).Value.GetMemory(export).Span);

        public IReadOnlyList<EngineValue> ReadTable(IEngineInstance instance, string export)
        {
            var table = ((Instance)instance).Value.GetTable(export);
            var elements = new EngineValue[table.Length];
            for (var i = 0UL; i < table.Length; i++)
            {
                elements[i] = FromValue(Value.FromReference(table.Get(i)), table.Type.ElementType);
            }
            return elements;
        }

        public void DefineFunction(string module, string name, FunctionType type, IReadOnlyList<string> callbacks, HostFunction body) =>
            _linker.DefineFunction(module, name, type, (caller, args, results) =>
            {
                var arguments = new EngineValue[args.Length];
                for (var i = 0; i < args.Length; i++)
                {
                    arguments[i] = FromValue(args[i], type.Parameters[i]);
                }
                var returned = body(new HostCaller(this, caller), arguments);
                for (var i = 0; i < results.Length; i++)
                {
                    results[i] = ToValue(returned[i]);
                }
            });

        /// <summary>Frees the store's memories now: a session per test case would otherwise leave them to the finalizer thread (7% of a campaign's samples).</summary>
        public void Dispose() => _store.Dispose();

        private sealed class HostCaller(Session session, Caller caller) : IHostCaller
        {
            public IReadOnlyList<EngineValue> Invoke(string export, IReadOnlyList<EngineValue> arguments) =>
                session.Invoke(new Instance(caller.Instance), export, arguments);
        }

        /// <summary>Runs guest code, turning the runtime's traps and link errors into <see cref="EngineFailure"/>.</summary>
        private static T Run<T>(Func<T> action)
        {
            try
            {
                return action();
            }
            catch (TrapException e)
            {
                throw new EngineFailure(e.Kind.IsExhaustion() ? FailureKind.Exhaustion : FailureKind.Trap, e.Reason, e);
            }
            catch (LinkException e)
            {
                throw new EngineFailure(FailureKind.Link, e.Reason, e);
            }
            catch (UncaughtException e)
            {
                throw new EngineFailure(FailureKind.UncaughtException, e.Reason, e);
            }
        }

        private Value ToValue(EngineValue value) => value.Kind switch
        {
            ValueKind.V128 => Value.FromV128(new V128(value.Low, value.High)),
            ValueKind.Ref => value.Reference switch
            {
                ReferenceClass.Null => Value.Null,
                ReferenceClass.Extern => Value.FromReference(_hostReferences.For(value.HostId)),
                _ => throw new EngineFailure(FailureKind.Unsupported, $"cannot pass {value} into the interpreter"),
            },
            _ => new Value(value.Low),
        };


        private static EngineValue FromValue(Value value, ValType type) => type.Kind switch
        {
            ValueKind.I32 => EngineValue.I32(value.I32),
            ValueKind.I64 => EngineValue.I64(value.I64),
            ValueKind.F32 => EngineValue.F32(value.F32Bits),
            ValueKind.F64 => EngineValue.F64(value.F64Bits),
            ValueKind.V128 => EngineValue.V128(value.V128),
            _ => value.Reference switch
            {
                null => EngineValue.Null,
                FunctionInstance => EngineValue.Ref(ReferenceClass.Func),
                HostReference host => EngineValue.Host(host.Id),
                // extern.convert_any keeps the object itself: seen through an extern type it is an external reference.
                _ when type.Heap.IsAbstract && type.Heap.Kind is AbstractHeapType.Extern or AbstractHeapType.NoExtern => EngineValue.Ref(ReferenceClass.Extern),
                I31Reference => EngineValue.Ref(ReferenceClass.I31),
                StructObject => EngineValue.Ref(ReferenceClass.Struct),
                ArrayObject => EngineValue.Ref(ReferenceClass.Array),
                ExceptionInstance => EngineValue.Ref(ReferenceClass.Exn),
                _ => EngineValue.Ref(ReferenceClass.Any),
            },
        };
    }
}
