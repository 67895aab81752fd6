using WasmHarness.Engines;
using WasmHarness.Engines.Wasi;
using WasmHarness.Execution;
using WasmHarness.Syntax;
using Wt = global::Wasmtime;

namespace WasmHarness.Engines.Wasmtime;

/// <summary>
/// Real wasmtime (the <c>Wasmtime</c> NuGet package) behind <see cref="IEngine"/>: the oracle our tiers are
/// compared with. It receives modules as bytes; our model of the module tells it the exports' types.
/// </summary>
/// <remarks>
/// wasmtime's trap codes are coarser than the spec's trap messages (one code for a table index out of bounds,
/// whether the spec says <c>undefined element</c> or <c>out of bounds table access</c>); each code maps to
/// the set of spec messages it stands for, and a trap matches when any of them does.
/// </remarks>
public sealed class WasmtimeEngine : IEngine, IWasiRunner, IDisposable
{
    private readonly Wt.Engine _engine;
    private readonly EngineOptions? _limits;

    /// <summary>wasmtime with its own defaults: no fuel, no limits beyond its own.</summary>
    public WasmtimeEngine()
        : this(null)
    {
    }

    /// <summary>
    /// wasmtime under the same budget as our tiers: <see cref="EngineOptions.Fuel"/> per session (wasmtime's fuel
    /// is not counted as ours is, so running out is exhaustion on either side, never a result to compare), and
    /// <see cref="EngineOptions.MaxMemoryBytes"/> / <see cref="EngineOptions.MaxTableElements"/> as store limits, so
    /// that <c>memory.grow</c> and <c>table.grow</c> fail at the same sizes. Null keeps wasmtime's defaults.
    /// <paramref name="optimize"/> false compiles with Cranelift's optimizations off and on one thread: the same
    /// semantics, compiled faster, for checking correctness (the registry's <c>wasmtime</c>, used by spec runs and differential
    /// campaigns, whose cases each compile a new module: 3.17 to 2.60 ms of a case's 15 ms). Benchmarks keep them on.
    /// </summary>
    public WasmtimeEngine(EngineOptions? limits, bool optimize = true)
    {
        using var config = WasmtimeValidator.Wasm3Config();
        // Beyond Wasm 3.0, the proposals our tiers run too: threads (shared memories, atomics, wait/notify).
        config.WithWasmThreads(true);
        WasmtimeNative.EnableSharedMemory(config);
        if (!optimize)
        {
            config.WithOptimizationLevel(global::Wasmtime.OptimizationLevel.None);
            // And on the calling thread: a case's module is small, and a campaign already runs a worker per core
            // (wasmtime's instantiate phase 4.0-4.5 -> 3.3-3.6 ms a case with --jobs 2).
            config.WithParallelCompilation(false);
        }
        if (limits?.Fuel is not null)
        {
            config.WithFuelConsumption(true);
        }
        _engine = new Wt.Engine(config);
        _limits = limits;
    }

    public string Name => "wasmtime";

    public IEngineSession CreateSession() => new Session(this);

    /// <summary>
    /// Each module as Cranelift compiled it, kept while its artifact lives: instantiating an artifact again (the
    /// oracle runs one generated module several times) instantiates the same compiled module, as a wasmtime embedder
    /// would. A module wasmtime refuses is not kept. Released by the module's finalizer once the artifact is gone.
    /// </summary>
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<ModuleArtifact, Wt.Module> _compiled = new();

    /// <summary>The module that exports <c>spectest.shared_memory</c> (see <see cref="Session.DefineSharedMemory"/>), compiled once.</summary>
    private Wt.Module? _sharedMemoryModule;

    private Wt.Module SharedMemoryModule => LazyInitializer.EnsureInitialized(ref _sharedMemoryModule, () =>
    {
        var module = new Syntax.Module();
        module.Memories.Add(new Syntax.MemoryType(SpecTestModule.SharedMemoryLimits));
        module.Exports.Add(new Syntax.Export("shared_memory", Syntax.ExternKind.Memory, 0));
        return Wt.Module.FromBytes(_engine, "spectest", Binary.ModuleEncoder.Encode(module));
    });

    private Wt.Module Compile(ModuleArtifact module) => _compiled.GetValue(module, m => Compile(m.Binary));

    private Wt.Module Compile(byte[] binary)
    {
        try
        {
            return Wt.Module.FromBytes(_engine, "module", binary);
        }
        catch (Wt.WasmtimeException e)
        {
            // A proposal this build of wasmtime cannot enable (the legacy exception instructions) is unsupported;
            // any other refusal is a disagreement with our validator.
            throw new EngineFailure(
                WasmtimeValidator.IsMissingFeatureError(e.Message) ? FailureKind.Unsupported : FailureKind.Rejected,
                e.Message.Split('\n')[0],
                e);
        }
    }

    /// <summary>Runs a WASI command with the package's own WASI (<c>Wasmtime.WasiConfiguration</c>): the WASI suite's reference column.</summary>
    public WasiOutcome RunWasi(WasiProgram program)
    {
        var scratch = Directory.CreateTempSubdirectory("wasi-wasmtime-");
        try
        {
            // The package takes standard streams as file paths.
            var output = Path.Combine(scratch.FullName, "stdout");
            var input = Path.Combine(scratch.FullName, "stdin");
            File.WriteAllText(input, "");
            using var module = Wt.Module.FromFile(_engine, program.Wasm);
            using var linker = new Wt.Linker(_engine);
            linker.DefineWasi();
            using var store = new Wt.Store(_engine);
            var configuration = new Wt.WasiConfiguration()
                .WithArgs([Path.GetFileName(program.Wasm), .. program.Args])
                .WithStandardInput(input)
                .WithStandardOutput(output);
            foreach (var (key, value) in program.Env)
            {
                configuration.WithEnvironmentVariable(key, value);
            }
            if (program.Root is not null)
            {
                configuration.WithPreopenedDirectory(program.Root, "/", true);
            }
            store.SetWasiConfiguration(configuration);
            int code;
            string? error = null;
            try
            {
                var instance = linker.Instantiate(store, module);
                instance.GetAction("_start")!();
                code = 0;
            }
            catch (Wt.WasmtimeException e) when (e.ExitCode is { } exit)
            {
                code = exit;
            }
            catch (Wt.WasmtimeException e)
            {
                (code, error) = (134, e.Message);
            }
            return new WasiOutcome(code, File.ReadAllText(output), error);
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    public void Dispose() => _engine.Dispose();


    private sealed record Instance(Wt.Instance Value, Module Module) : IEngineInstance;

    private sealed class Session : IEngineSession
    {
        private readonly Wt.Store _store;
        private readonly Wt.Linker _linker;
        private readonly HostReferences _hostReferences = new();
        private readonly HashSet<IEngineInstance> _instances = new(ReferenceEqualityComparer.Instance); // made by this session's store

        private readonly WasmtimeEngine _owner;

        public Session(WasmtimeEngine owner)
        {
            _owner = owner;
            var (engine, limits) = (owner._engine, owner._limits);
            _store = new Wt.Store(engine);
            if (limits is not null)
            {
                if (limits.Fuel is { } fuel)
                {
                    _store.Fuel = (ulong)Math.Max(0, fuel);
                }
                _store.SetLimits(
                    memorySize: (long)Math.Min(limits.MaxMemoryBytes, long.MaxValue),
                    tableElements: (uint)Math.Min(limits.MaxTableElements, uint.MaxValue));
            }
            _linker = new Wt.Linker(engine);
            DefineSpectest();
        }

        public IEngineInstance Instantiate(ModuleArtifact module)
        {
            RequirePassable(InterfaceTypes(module.Module));
            if (module.Module.Imports.Any(i => i is { Module: SpecTestModule.Name, Name: "table64" }))
            {
                throw new EngineFailure(FailureKind.Unsupported, "the wasmtime .NET API cannot create a 64-bit table (spectest.table64)");
            }
            var compiled = _owner.Compile(module);
            var instance = new Instance(Run(() => _linker.Instantiate(_store, compiled)), module.Module);
            _instances.Add(instance);
            return instance;
        }

        public void Register(string name, IEngineInstance instance)
        {
            var value = (Instance)instance;
            if (!_instances.Contains(value))
            {
                // A script thread (threads proposal) runs in a session, so a store, of its own; wasmtime cannot link one
                // store's instance into another, and the package cannot hand a shared memory from store to store.
                throw new EngineFailure(FailureKind.Unsupported, "wasmtime: an instance of another store (a script thread's shared module) cannot be linked: the Wasmtime package does not share memories between stores");
            }
            _linker.DefineInstance(_store, name, value.Value);
        }

        public IReadOnlyList<EngineValue> Invoke(IEngineInstance instance, string export, IReadOnlyList<EngineValue> arguments)
        {
            var (wasmInstance, module) = (Instance)instance;
            var type = ExportedFunctionType(module, export);
            RequirePassable(type.Parameters.Concat(type.Results));
            var function = wasmInstance.GetFunction(export) ?? throw new EngineFailure(FailureKind.Unsupported, $"no function export \"{export}\"");
            var args = arguments.Select((argument, i) => ToBox(argument, type.Parameters[i])).ToArray();
            var result = Run(() => function.Invoke(args));
            object?[] results = type.Results.Count switch
            {
                0 => [],
                1 => [result],
                _ => (object?[])result!,
            };
            return [.. results.Select((value, i) => FromObject(value, type.Results[i]))];
        }

        public EngineValue GetGlobal(IEngineInstance instance, string export)
        {
            var (wasmInstance, module) = (Instance)instance;
            var type = ExportedGlobalType(module, export);
            RequirePassable([type]);
            var global = wasmInstance.GetGlobal(export) ?? throw new EngineFailure(FailureKind.Unsupported, $"no global export \"{export}\"");
            return FromObject(global.GetValue(), type);
        }

        public byte[] ReadMemory(IEngineInstance instance, string export) => ReadMemory(instance, export, static bytes => bytes.ToArray());

        public T ReadMemory<T>(IEngineInstance instance, string export, MemoryReader<T> reader)
        {
            var wasmInstance = ((Instance)instance).Value;
            var memory = wasmInstance.GetMemory(export);
            if (memory is null)
            {
                // A shared memory (threads) is no Memory to the package: read it (a copy) through the C API.
                return reader(WasmtimeNative.ReadSharedMemory(wasmInstance, export) ?? throw new EngineFailure(FailureKind.Unsupported, $"no memory export \"{export}\""));
            }
            var length = memory.GetLength();
            return length <= int.MaxValue ? reader(memory.GetSpan(0, (int)length)) : throw new EngineFailure(FailureKind.Unsupported, "memory larger than a span");
        }

        public IReadOnlyList<EngineValue> ReadTable(IEngineInstance instance, string export)
        {
            var table = ((Instance)instance).Value.GetTable(export) ?? throw new EngineFailure(FailureKind.Unsupported, $"no table export \"{export}\"");
            var type = table.Kind == Wt.TableKind.FuncRef ? Syntax.ValType.FuncRef : Syntax.ValType.ExternRef;
            var size = table.GetSize();
            var elements = new EngineValue[size];
            for (var i = 0u; i < size; i++)
            {
                elements[i] = FromObject(table.GetElement(i), type);
            }
            return elements;
        }

        public void DefineFunction(string module, string name, FunctionType type, IReadOnlyList<string> callbacks, HostFunction body)
        {
            RequireNumbers(type.Parameters.Concat(type.Results));
            _linker.DefineFunction(module, name, (caller, args, results) =>
            {
                var arguments = new EngineValue[args.Length];
                for (var i = 0; i < args.Length; i++)
                {
                    arguments[i] = FromBox(args[i], type.Parameters[i]);
                }
                var exports = new Dictionary<string, Wt.Function?>();
                foreach (var callback in callbacks)
                {
                    exports[callback] = caller.GetFunction(callback);
                }
                var returned = body(new HostCaller(this, exports), arguments);
                for (var i = 0; i < results.Length; i++)
                {
                    results[i] = ToBox(returned[i], type.Results[i]);
                }
            }, [.. type.Parameters.Select(KindOf)], [.. type.Results.Select(KindOf)]);
        }

        public void Dispose()
        {
            _linker.Dispose();
            _store.Dispose();
        }

        /// <summary>The caller's callback exports, resolved while its handle was valid.</summary>
        private sealed class HostCaller(Session session, Dictionary<string, Wt.Function?> exports) : IHostCaller
        {
            public IReadOnlyList<EngineValue> Invoke(string export, IReadOnlyList<EngineValue> arguments)
            {
                var function = exports.GetValueOrDefault(export) ?? throw new EngineFailure(FailureKind.Link, $"no function export \"{export}\"");
                var parameters = function.Parameters.Select(TypeOf).ToList();
                var types = function.Results.Select(TypeOf).ToList();
                var result = Run(() => function.Invoke([.. arguments.Select((argument, i) => session.ToBox(argument, parameters[i]))]));
                object?[] results = types.Count switch
                {
                    0 => [],
                    1 => [result],
                    _ => (object?[])result!,
                };
                return [.. results.Select((value, i) => FromObject(value, types[i]))];
            }
        }

        private static void RequireNumbers(IEnumerable<Syntax.ValType> types)
        {
            foreach (var type in types)
            {
                if (type.Kind is not (ValueKind.I32 or ValueKind.I64 or ValueKind.F32 or ValueKind.F64))
                {
                    throw new EngineFailure(FailureKind.Unsupported, $"host functions take and return numbers only, not {type}");
                }
            }
        }

        private static Syntax.ValType TypeOf(Wt.ValueKind kind) => kind switch
        {
            Wt.ValueKind.Int32 => Syntax.ValType.I32,
            Wt.ValueKind.Int64 => Syntax.ValType.I64,
            Wt.ValueKind.Float32 => Syntax.ValType.F32,
            Wt.ValueKind.Float64 => Syntax.ValType.F64,
            Wt.ValueKind.V128 => Syntax.ValType.V128,
            _ => throw new EngineFailure(FailureKind.Unsupported, $"a host function cannot call back with {kind} values"),
        };

        private static EngineValue FromBox(Wt.ValueBox box, Syntax.ValType type) => type.Kind switch
        {
            ValueKind.I32 => EngineValue.I32(box.AsInt32()),
            ValueKind.I64 => EngineValue.I64(box.AsInt64()),
            ValueKind.F32 => EngineValue.F32(BitConverter.SingleToUInt32Bits(box.AsSingle())),
            _ => EngineValue.F64(BitConverter.DoubleToUInt64Bits(box.AsDouble())),
        };

        private void DefineSpectest()
        {
            foreach (var (name, parameters) in SpecTestModule.PrintFunctions)
            {
                _linker.DefineFunction(SpecTestModule.Name, name, (_, _, _) => { }, [.. parameters.Select(KindOf)], []);
            }
            _linker.Define(SpecTestModule.Name, "global_i32", new Wt.Global(_store, Wt.ValueKind.Int32, SpecTestModule.GlobalI32, Wt.Mutability.Immutable));
            _linker.Define(SpecTestModule.Name, "global_i64", new Wt.Global(_store, Wt.ValueKind.Int64, SpecTestModule.GlobalI64, Wt.Mutability.Immutable));
            _linker.Define(SpecTestModule.Name, "global_f32", new Wt.Global(_store, Wt.ValueKind.Float32, SpecTestModule.GlobalF32, Wt.Mutability.Immutable));
            _linker.Define(SpecTestModule.Name, "global_f64", new Wt.Global(_store, Wt.ValueKind.Float64, SpecTestModule.GlobalF64, Wt.Mutability.Immutable));
            _linker.Define(SpecTestModule.Name, "table", new Wt.Table(_store, Wt.TableKind.FuncRef, null, (uint)SpecTestModule.TableLimits.Min, (uint)SpecTestModule.TableLimits.Max!.Value));
            _linker.Define(SpecTestModule.Name, "memory", new Wt.Memory(_store, (long)SpecTestModule.MemoryLimits.Min, (long)SpecTestModule.MemoryLimits.Max!.Value, is64Bit: false));
            DefineSharedMemory();
        }

        /// <summary>
        /// <c>spectest.shared_memory</c>: the package has no constructor for a shared memory, so a one-line module
        /// (compiled once per engine) exports one and the linker takes it from that instance.
        /// </summary>
        private void DefineSharedMemory() =>
            _linker.DefineInstance(_store, SpecTestModule.Name, _linker.Instantiate(_store, _owner.SharedMemoryModule));

        private static Wt.ValueKind KindOf(Syntax.ValType type) => type.Kind switch
        {
            ValueKind.I32 => Wt.ValueKind.Int32,
            ValueKind.I64 => Wt.ValueKind.Int64,
            ValueKind.F32 => Wt.ValueKind.Float32,
            ValueKind.F64 => Wt.ValueKind.Float64,
            ValueKind.V128 => Wt.ValueKind.V128,
            _ => throw new EngineFailure(FailureKind.Unsupported, $"spectest has no {type} parameter"),
        };

        private Wt.ValueBox ToBox(EngineValue value, Syntax.ValType type) => value.Kind switch
        {
            ValueKind.I32 => (int)(uint)value.Low,
            ValueKind.I64 => (long)value.Low,
            ValueKind.F32 => BitConverter.UInt32BitsToSingle((uint)value.Low),
            ValueKind.F64 => BitConverter.UInt64BitsToDouble(value.Low),
            ValueKind.V128 => new Wt.V128(new V128(value.Low, value.High).ToBytes()),
            _ => value.Reference switch
            {
                // A null must be boxed as the parameter's type: wasmtime tells funcref from externref by the box.
                ReferenceClass.Null when type.Heap == HeapType.Func => Wt.Function.Null,
                ReferenceClass.Null => Wt.ValueBox.AsBox<object>(null),
                ReferenceClass.Extern => Wt.ValueBox.AsBox<object>(_hostReferences.For(value.HostId)),
                _ => throw new EngineFailure(FailureKind.Unsupported, $"cannot pass {value} to wasmtime"),
            },
        };


        private static EngineValue FromObject(object? value, Syntax.ValType type) => type.Kind switch
        {
            ValueKind.I32 => EngineValue.I32((int)value!),
            ValueKind.I64 => EngineValue.I64((long)value!),
            ValueKind.F32 => EngineValue.F32(BitConverter.SingleToUInt32Bits((float)value!)),
            ValueKind.F64 => EngineValue.F64(BitConverter.DoubleToUInt64Bits((double)value!)),
            ValueKind.V128 => EngineValue.V128(V128.FromBytes(((Wt.V128)value!).AsSpan())),
            _ => value switch
            {
                null => EngineValue.Null,
                Wt.Function { IsNull: true } => EngineValue.Null,
                Wt.Function => EngineValue.Ref(ReferenceClass.Func),
                HostReference host => EngineValue.Host(host.Id),
                _ => EngineValue.Ref(ReferenceClass.Any),
            },
        };

        /// <summary>
        /// The wasmtime .NET API (50.0.1) passes only numbers, vectors and nullable <c>funcref</c>/<c>externref</c>
        /// across the host boundary: for any other reference type it aborts the whole process. Such calls are refused
        /// up front as unsupported, never attempted.
        /// </summary>
        private static void RequirePassable(IEnumerable<Syntax.ValType> types)
        {
            foreach (var type in types)
            {
                if (type.IsReference && !(type.Nullable && type.Heap.IsAbstract && type.Heap.Kind is AbstractHeapType.Func or AbstractHeapType.Extern))
                {
                    throw new EngineFailure(FailureKind.Unsupported, $"the wasmtime .NET API cannot pass {type} values");
                }
            }
        }

        /// <summary>
        /// Every value type in the module's imports and exports: the .NET binding reads them all when it loads a
        /// module, so one it cannot represent must keep the module away from it.
        /// </summary>
        private static IEnumerable<Syntax.ValType> InterfaceTypes(Module module)
        {
            var types = module.TypeDefinitions.ToList();
            IEnumerable<Syntax.ValType> OfFunctionType(uint typeIndex) =>
                types[(int)typeIndex].Body is FunctionType f ? f.Parameters.Concat(f.Results) : [];
            var functionTypes = module.ImportsOf(ExternKind.Function).Select(i => ((FunctionTypeUse)i.Type).TypeIndex)
                .Concat(module.Functions.Select(f => f.TypeIndex)).ToList();
            var tables = module.ImportsOf(ExternKind.Table).Select(i => (TableType)i.Type).Concat(module.Tables.Select(t => t.Type)).ToList();
            var globals = module.ImportsOf(ExternKind.Global).Select(i => ((GlobalType)i.Type).Type).Concat(module.Globals.Select(g => g.Type.Type)).ToList();
            var tags = module.ImportsOf(ExternKind.Tag).Select(i => ((TagType)i.Type).TypeIndex).Concat(module.Tags.Select(t => t.TypeIndex)).ToList();

            foreach (var import in module.Imports)
            {
                foreach (var type in import.Type switch
                {
                    FunctionTypeUse f => OfFunctionType(f.TypeIndex),
                    TableType t => [t.ElementType],
                    GlobalType g => [g.Type],
                    TagType t => OfFunctionType(t.TypeIndex),
                    _ => [],
                })
                {
                    yield return type;
                }
            }
            foreach (var export in module.Exports)
            {
                foreach (var type in export.Kind switch
                {
                    ExternKind.Function => OfFunctionType(functionTypes[(int)export.Index]),
                    ExternKind.Table => [tables[(int)export.Index].ElementType],
                    ExternKind.Global => [globals[(int)export.Index]],
                    ExternKind.Tag => OfFunctionType(tags[(int)export.Index]),
                    _ => [],
                })
                {
                    yield return type;
                }
            }
        }

        private static FunctionType ExportedFunctionType(Module module, string export)
        {
            var index = ExportIndex(module, export, ExternKind.Function);
            var imported = module.ImportsOf(ExternKind.Function).ToList();
            var typeIndex = index < imported.Count
                ? ((FunctionTypeUse)imported[(int)index].Type).TypeIndex
                : module.Functions[(int)index - imported.Count].TypeIndex;
            return (FunctionType)module.TypeDefinitions.ElementAt((int)typeIndex).Body;
        }

        private static Syntax.ValType ExportedGlobalType(Module module, string export)
        {
            var index = ExportIndex(module, export, ExternKind.Global);
            var imported = module.ImportsOf(ExternKind.Global).ToList();
            return index < imported.Count
                ? ((GlobalType)imported[(int)index].Type).Type
                : module.Globals[(int)index - imported.Count].Type.Type;
        }

        private static uint ExportIndex(Module module, string export, ExternKind kind) =>
            module.Exports.FirstOrDefault(e => e.Name == export && e.Kind == kind)?.Index
            ?? throw new EngineFailure(FailureKind.Unsupported, $"no {kind} export \"{export}\"");

        /// <summary>Runs a call into wasmtime, turning its traps and errors into <see cref="EngineFailure"/>.</summary>
        private static T Run<T>(Func<T> action)
        {
            try
            {
                return action();
            }
            catch (Wt.TrapException e)
            {
                throw TrapFailure(e);
            }
            catch (Wt.WasmtimeException e)
            {
                throw LinkFailure(e);
            }
        }

        private static EngineFailure TrapFailure(Wt.TrapException e)
        {
            // An uncaught Wasm exception reaches the host as a trap without a code of its own.
            if (e.Message.Contains("thrown Wasm exception", StringComparison.Ordinal))
            {
                return new EngineFailure(FailureKind.UncaughtException, "uncaught exception", e);
            }
            // Threads: the package's TrapCode has no member for a wait on an unshared memory (the spec's trap).
            if (e.Message.Contains("atomic wait on non-shared memory", StringComparison.Ordinal))
            {
                return new EngineFailure(FailureKind.Trap, "expected shared memory", e);
            }
            (FailureKind Kind, string[] Messages) mapped = e.Type switch
            {
                Wt.TrapCode.StackOverflow => (FailureKind.Exhaustion, ["call stack exhausted"]),
                Wt.TrapCode.OutOfFuel => (FailureKind.Exhaustion, ["all fuel consumed"]),
                Wt.TrapCode.MemoryOutOfBounds => (FailureKind.Trap, ["out of bounds memory access"]),
                Wt.TrapCode.HeapMisaligned => (FailureKind.Trap, ["unaligned atomic"]),
                Wt.TrapCode.TableOutOfBounds => (FailureKind.Trap, ["out of bounds table access", "undefined element"]),
                Wt.TrapCode.IndirectCallToNull => (FailureKind.Trap, ["uninitialized element", "null function reference"]),
                Wt.TrapCode.BadSignature => (FailureKind.Trap, ["indirect call type mismatch"]),
                Wt.TrapCode.IntegerOverflow => (FailureKind.Trap, ["integer overflow"]),
                Wt.TrapCode.IntegerDivisionByZero => (FailureKind.Trap, ["integer divide by zero"]),
                Wt.TrapCode.BadConversionToInteger => (FailureKind.Trap, ["invalid conversion to integer"]),
                Wt.TrapCode.Unreachable => (FailureKind.Trap, ["unreachable"]),
                Wt.TrapCode.NullReference => (FailureKind.Trap, ["null reference", "null function reference", "null structure reference", "null array reference", "null i31 reference", "null exception reference"]),
                Wt.TrapCode.ArrayOutOfBounds => (FailureKind.Trap, ["out of bounds array access"]),
                Wt.TrapCode.AllocationTooLarge => (FailureKind.Exhaustion, ["allocation too large"]),
                Wt.TrapCode.CastFailure => (FailureKind.Trap, ["cast failure"]),
                Wt.TrapCode.UncaughtException => (FailureKind.UncaughtException, ["uncaught exception"]),
                _ => (FailureKind.Trap, [e.Message]),
            };
            return new EngineFailure(mapped.Kind, mapped.Messages[0], e) { Aliases = mapped.Messages };
        }

        private static EngineFailure LinkFailure(Wt.WasmtimeException e)
        {
            var message = e.Message.Contains("unknown import", StringComparison.Ordinal) ? "unknown import"
                : e.Message.Contains("incompatible import type", StringComparison.Ordinal) || e.Message.Contains("types incompatible", StringComparison.Ordinal) ? "incompatible import type"
                : e.Message;
            return new EngineFailure(FailureKind.Link, message, e);
        }
    }
}
