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
    /// would. A module wasmtime refuses is not kept. Deleted by the handle's finalizer once the artifact is gone.
    /// </summary>
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<ModuleArtifact, NativeModule> _compiled = new();

    /// <summary>The module that exports <c>spectest</c>'s shared memory and 64-bit table, compiled once.</summary>
    private NativeModule? _spectestExtrasModule;

    /// <summary>The module that turns host references into <c>anyref</c>s and back (see <see cref="ReferenceConversions"/>), compiled once.</summary>
    private NativeModule? _conversionsModule;

    private NativeModule SpectestExtrasModule => LazyInitializer.EnsureInitialized(ref _spectestExtrasModule, () =>
    {
        var module = new Syntax.Module();
        module.Memories.Add(new Syntax.MemoryType(SpecTestModule.SharedMemoryLimits));
        module.Exports.Add(new Syntax.Export("shared_memory", Syntax.ExternKind.Memory, 0));
        module.Tables.Add(new Syntax.Table(new Syntax.TableType(SpecTestModule.TableLimits with { AddressType = AddressType.I64 }, Syntax.ValType.FuncRef)));
        module.Exports.Add(new Syntax.Export("table64", Syntax.ExternKind.Table, 0));
        return Compile(Binary.ModuleEncoder.Encode(module));
    });

    private NativeModule ConversionsModule => LazyInitializer.EnsureInitialized(ref _conversionsModule,
        () => Compile(Binary.ModuleEncoder.Encode(Text.WatParser.ParseModule(ReferenceConversions.Wat))));

    private NativeModule Compile(ModuleArtifact module) => _compiled.GetValue(module, m => Compile(m.Binary));

    private unsafe NativeModule Compile(byte[] binary)
    {
        nint error, module;
        fixed (byte* bytes = binary)
        {
            error = WasmtimeCApi.wasmtime_module_new(WasmtimeNative.NativeHandle(_engine).DangerousGetHandle(), bytes, (nuint)binary.Length, out module);
        }
        GC.KeepAlive(_engine);
        if (error != 0)
        {
            var message = WasmtimeCApi.TakeErrorMessage(error);
            // A proposal this build of wasmtime cannot enable (the legacy exception instructions) is unsupported;
            // any other refusal is a disagreement with our validator.
            throw new EngineFailure(
                WasmtimeValidator.IsMissingFeatureError(message) ? FailureKind.Unsupported : FailureKind.Rejected,
                Summary(message));
        }
        return new NativeModule(module);
    }

    /// <summary>
    /// wasmtime's error in one line: its first line (where it failed) and, when it has a cause chain, the innermost
    /// cause (why: <c>legacy exceptions support is not enabled</c>).
    /// </summary>
    private static string Summary(string error)
    {
        var lines = error.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length < 2)
        {
            return error.Trim();
        }
        var cause = lines[^1];
        var colon = cause.IndexOf(": ", StringComparison.Ordinal);
        // Causes are numbered ("1: ..."); the number is not part of the message.
        if (colon > 0 && cause[..colon].All(char.IsDigit))
        {
            cause = cause[(colon + 2)..];
        }
        return $"{lines[0]}: {cause}";
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


    /// <summary>An instance in a session's store, with the exported functions looked up so far.</summary>
    private sealed class Instance(WasmtimeCApi.Instance handle, Module module) : IEngineInstance
    {
        public WasmtimeCApi.Instance Handle { get; } = handle;

        public Module Module { get; } = module;

        public Dictionary<string, (WasmtimeCApi.Func Function, FunctionType Type)> Functions { get; } = [];
    }

    /// <summary>
    /// One store and linker. Modules, instances, calls, globals, tables and memories go through wasmtime's C API
    /// (<see cref="WasmtimeCApi"/>), so any value type crosses the boundary; the store's configuration (fuel, limits),
    /// the linker's host functions and <c>spectest</c> use the package's wrappers, which handle numbers well.
    /// </summary>
    private sealed unsafe class Session : IEngineSession
    {
        private readonly Wt.Store _store;
        private readonly Wt.Linker _linker;
        private readonly nint _context;
        private readonly HashSet<IEngineInstance> _instances = new(ReferenceEqualityComparer.Instance); // made by this session's store
        private readonly WasmtimeEngine _owner;
        private ReferenceConversions? _conversions;

        /// <summary>
        /// Whether <c>spectest</c> is in the linker: defined when the first module that imports from it is instantiated,
        /// since most modules do not (a generated case never does) and its shared memory costs a reservation per store.
        /// </summary>
        private bool _spectestDefined;

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
            _context = WasmtimeNative.wasmtime_store_context(WasmtimeNative.NativeHandle(_store).DangerousGetHandle());
            _linker = new Wt.Linker(engine);
            // Valid while the session holds the package's linker (until Dispose); read once, not by reflection per call.
            LinkerHandle = WasmtimeNative.NativeHandle(_linker).DangerousGetHandle();
        }

        private nint LinkerHandle { get; }

        private ReferenceConversions Conversions => _conversions ??= new ReferenceConversions(_context, InstantiateNative(_owner.ConversionsModule));

        public IEngineInstance Instantiate(ModuleArtifact module)
        {
            if (!_spectestDefined && module.Module.Imports.Any(i => i.Module == SpecTestModule.Name))
            {
                DefineSpectest();
            }
            var instance = new Instance(InstantiateNative(_owner.Compile(module)), module.Module);
            _instances.Add(instance);
            return instance;
        }

        private WasmtimeCApi.Instance InstantiateNative(NativeModule module)
        {
            WasmtimeCApi.Instance instance;
            var error = WasmtimeCApi.wasmtime_linker_instantiate(LinkerHandle, _context, module.DangerousGetHandle(), &instance, out var trap);
            GC.KeepAlive(module);
            Check(error, trap);
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
            DefineInstance(name, value.Handle);
        }

        private void DefineInstance(string name, WasmtimeCApi.Instance instance)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(name);
            nint error;
            fixed (byte* pointer = bytes)
            {
                error = WasmtimeCApi.wasmtime_linker_define_instance(LinkerHandle, _context, pointer, (nuint)bytes.Length, &instance);
            }
            Check(error, 0);
        }

        public IReadOnlyList<EngineValue> Invoke(IEngineInstance instance, string export, IReadOnlyList<EngineValue> arguments)
        {
            var target = (Instance)instance;
            if (!target.Functions.TryGetValue(export, out var function))
            {
                var external = Export(target, export, WasmtimeCApi.ExternKind.Func);
                target.Functions[export] = function = (external.Func, ExportedFunctionType(target.Module, export));
            }
            var type = function.Type;
            var args = stackalloc WasmtimeCApi.Val[arguments.Count];
            var results = stackalloc WasmtimeCApi.Val[type.Results.Count];
            var passed = 0;
            try
            {
                for (; passed < arguments.Count; passed++)
                {
                    args[passed] = ToVal(arguments[passed], type.Parameters[passed], target.Module);
                }
                var error = WasmtimeCApi.wasmtime_func_call(_context, &function.Function, args, (nuint)arguments.Count, results, (nuint)type.Results.Count, out var trap);
                Check(error, trap);
            }
            finally
            {
                for (var i = 0; i < passed; i++)
                {
                    WasmtimeCApi.wasmtime_val_unroot(&args[i]);
                }
            }
            var values = new EngineValue[type.Results.Count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = FromVal(&results[i]);
            }
            return values;
        }

        public EngineValue GetGlobal(IEngineInstance instance, string export)
        {
            var external = Export((Instance)instance, export, WasmtimeCApi.ExternKind.Global);
            WasmtimeCApi.Val value;
            WasmtimeCApi.wasmtime_global_get(_context, WasmtimeCApi.Item(&external), &value);
            return FromVal(&value);
        }

        public byte[] ReadMemory(IEngineInstance instance, string export) => ReadMemory(instance, export, static bytes => bytes.ToArray());

        public T ReadMemory<T>(IEngineInstance instance, string export, MemoryReader<T> reader)
        {
            var found = TryExport((Instance)instance, export, out var external);
            if (!found || external.Kind is not (WasmtimeCApi.ExternKind.Memory or WasmtimeCApi.ExternKind.SharedMemory))
            {
                if (found)
                {
                    WasmtimeCApi.wasmtime_extern_delete(&external);
                }
                throw new EngineFailure(FailureKind.Unsupported, $"no memory export \"{export}\"");
            }
            try
            {
                // A shared memory (threads) is its own kind of export, held by an owned pointer.
                var isShared = external.Kind == WasmtimeCApi.ExternKind.SharedMemory;
                var data = isShared ? WasmtimeCApi.wasmtime_sharedmemory_data(external.SharedMemory) : WasmtimeCApi.wasmtime_memory_data(_context, WasmtimeCApi.Item(&external));
                var size = isShared ? WasmtimeCApi.wasmtime_sharedmemory_data_size(external.SharedMemory) : WasmtimeCApi.wasmtime_memory_data_size(_context, WasmtimeCApi.Item(&external));
                return size <= int.MaxValue
                    ? reader(new ReadOnlySpan<byte>(data, (int)size))
                    : throw new EngineFailure(FailureKind.Unsupported, "memory larger than a span");
            }
            finally
            {
                WasmtimeCApi.wasmtime_extern_delete(&external);
            }
        }

        public IReadOnlyList<EngineValue> ReadTable(IEngineInstance instance, string export)
        {
            var external = Export((Instance)instance, export, WasmtimeCApi.ExternKind.Table);
            var table = WasmtimeCApi.Item(&external);
            var size = WasmtimeCApi.wasmtime_table_size(_context, table);
            var elements = new EngineValue[size];
            for (var i = 0u; i < size; i++)
            {
                WasmtimeCApi.Val element;
                if (!WasmtimeCApi.wasmtime_table_get(_context, table, i, &element))
                {
                    throw new EngineFailure(FailureKind.Trap, "out of bounds table access");
                }
                elements[i] = FromVal(&element);
            }
            return elements;
        }

        /// <summary>The export <paramref name="name"/> of <paramref name="instance"/>, which must be of <paramref name="kind"/> (not a shared memory, whose handle would need deleting).</summary>
        private WasmtimeCApi.Extern Export(Instance instance, string name, WasmtimeCApi.ExternKind kind)
        {
            var found = TryExport(instance, name, out var external);
            if (found && external.Kind == kind)
            {
                return external;
            }
            if (found)
            {
                WasmtimeCApi.wasmtime_extern_delete(&external);
            }
            throw new EngineFailure(FailureKind.Unsupported, $"no {kind.ToString().ToLowerInvariant()} export \"{name}\"");
        }

        /// <summary>Looks up the export <paramref name="name"/> of <paramref name="instance"/>, of any kind (a shared memory's handle is the caller's to delete).</summary>
        private bool TryExport(Instance instance, string name, out WasmtimeCApi.Extern external)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(name);
            var handle = instance.Handle;
            fixed (byte* pointer = bytes)
            fixed (WasmtimeCApi.Extern* item = &external)
            {
                return WasmtimeCApi.wasmtime_instance_export_get(_context, &handle, pointer, (nuint)bytes.Length, item);
            }
        }

        /// <summary>
        /// <paramref name="value"/> as a <c>wasmtime_val_t</c> of the kind <paramref name="type"/>'s hierarchy takes (a
        /// null is typed by it: wasmtime tells a null <c>funcref</c> from a null <c>anyref</c> by the value's kind). A
        /// host reference becomes a new <c>externref</c> (its id in the data pointer), internalized for <c>any</c>
        /// parameters; the caller unroots the result.
        /// </summary>
        private WasmtimeCApi.Val ToVal(EngineValue value, Syntax.ValType type, Module module)
        {
            var val = default(WasmtimeCApi.Val);
            switch (value.Kind)
            {
                case ValueKind.I32:
                    (val.Kind, val.I32) = (WasmtimeCApi.ValKind.I32, (int)(uint)value.Low);
                    return val;
                case ValueKind.I64:
                    (val.Kind, val.Low) = (WasmtimeCApi.ValKind.I64, value.Low);
                    return val;
                case ValueKind.F32:
                    (val.Kind, val.Low) = (WasmtimeCApi.ValKind.F32, (uint)value.Low);
                    return val;
                case ValueKind.F64:
                    (val.Kind, val.Low) = (WasmtimeCApi.ValKind.F64, value.Low);
                    return val;
                case ValueKind.V128:
                    (val.Kind, val.Low, val.High) = (WasmtimeCApi.ValKind.V128, value.Low, value.High);
                    return val;
            }
            var top = TopOf(type.Heap, module);
            val.Kind = top == HeapType.Func ? WasmtimeCApi.ValKind.FuncRef
                : top == HeapType.Extern ? WasmtimeCApi.ValKind.ExternRef
                : top == HeapType.Exn ? WasmtimeCApi.ValKind.ExnRef
                : WasmtimeCApi.ValKind.AnyRef;
            switch (value.Reference)
            {
                case ReferenceClass.Null:
                    return val; // store id 0
                case ReferenceClass.Extern when val.Kind == WasmtimeCApi.ValKind.ExternRef:
                    val.Ref = NewExternRef(value.HostId);
                    return val;
                case ReferenceClass.Extern when val.Kind == WasmtimeCApi.ValKind.AnyRef:
                    var external = NewExternRef(value.HostId);
                    try
                    {
                        val.Ref = Conversions.Internalize(external);
                    }
                    finally
                    {
                        WasmtimeCApi.Val owned = default;
                        (owned.Kind, owned.Ref) = (WasmtimeCApi.ValKind.ExternRef, external);
                        WasmtimeCApi.wasmtime_val_unroot(&owned);
                    }
                    return val;
                default:
                    throw new EngineFailure(FailureKind.Unsupported, $"cannot pass {value} to wasmtime as {type}");
            }
        }

        private WasmtimeCApi.GcRef NewExternRef(uint hostId)
        {
            WasmtimeCApi.GcRef reference;
            // The id travels as the data pointer, plus one: an externref wasmtime made itself (extern.convert_any of an
            // internal reference) has no data, and reads back as a host reference of no particular id.
            if (!WasmtimeCApi.wasmtime_externref_new(_context, (nint)hostId + 1, 0, &reference))
            {
                throw new EngineFailure(FailureKind.Exhaustion, "wasmtime could not allocate an externref");
            }
            return reference;
        }

        /// <summary>
        /// A result as an engine-neutral value, classified as precisely as the C API allows (<c>i31</c>, struct,
        /// array; a host reference by its id, through <c>extern.convert_any</c> when it arrives as an <c>anyref</c>),
        /// then unrooted: results are the caller's to release.
        /// </summary>
        private EngineValue FromVal(WasmtimeCApi.Val* val)
        {
            try
            {
                return val->Kind switch
                {
                    WasmtimeCApi.ValKind.I32 => EngineValue.I32(val->I32),
                    WasmtimeCApi.ValKind.I64 => EngineValue.I64(val->I64),
                    WasmtimeCApi.ValKind.F32 => EngineValue.F32((uint)val->Low),
                    WasmtimeCApi.ValKind.F64 => EngineValue.F64(val->Low),
                    WasmtimeCApi.ValKind.V128 => EngineValue.V128(new V128(val->Low, val->High)),
                    WasmtimeCApi.ValKind.FuncRef => val->Func.StoreId == 0 ? EngineValue.Null : EngineValue.Ref(ReferenceClass.Func),
                    _ when val->Ref.StoreId == 0 => EngineValue.Null,
                    WasmtimeCApi.ValKind.ExternRef => FromExternRef(&val->Ref),
                    WasmtimeCApi.ValKind.ExnRef => EngineValue.Ref(ReferenceClass.Exn),
                    WasmtimeCApi.ValKind.AnyRef => FromAnyRef(&val->Ref),
                    _ => throw new EngineFailure(FailureKind.Unsupported, $"wasmtime returned a value of kind {val->Kind}"),
                };
            }
            finally
            {
                WasmtimeCApi.wasmtime_val_unroot(val);
            }
        }

        private EngineValue FromExternRef(WasmtimeCApi.GcRef* reference)
        {
            var data = WasmtimeCApi.wasmtime_externref_data(_context, reference);
            return data == 0 ? EngineValue.Ref(ReferenceClass.Extern) : EngineValue.Host((uint)(data - 1));
        }

        private EngineValue FromAnyRef(WasmtimeCApi.GcRef* reference)
        {
            if (WasmtimeCApi.wasmtime_anyref_is_struct(_context, reference))
            {
                return EngineValue.Ref(ReferenceClass.Struct);
            }
            if (WasmtimeCApi.wasmtime_anyref_is_array(_context, reference))
            {
                return EngineValue.Ref(ReferenceClass.Array);
            }
            // Not wasmtime_anyref_is_i31: in the shipped 50.0.1 it answers true for a struct too (seen with a struct.new
            // result: is_i31 and is_struct both true); reading the i31's value succeeds exactly for i31s.
            uint bits;
            if (WasmtimeCApi.wasmtime_anyref_i31_get_u(_context, reference, &bits))
            {
                return EngineValue.Ref(ReferenceClass.I31);
            }
            // Neither i31 nor struct nor array: an internalized host reference, whose id the externref it came from holds.
            var external = default(WasmtimeCApi.Val);
            (external.Kind, external.Ref) = (WasmtimeCApi.ValKind.ExternRef, Conversions.Externalize(*reference));
            try
            {
                return external.Ref.StoreId == 0 ? EngineValue.Ref(ReferenceClass.Any) : FromExternRef(&external.Ref);
            }
            finally
            {
                WasmtimeCApi.wasmtime_val_unroot(&external);
            }
        }

        /// <summary>The top of a heap type's hierarchy, concrete types looked up in the module that names them.</summary>
        private static HeapType TopOf(HeapType heap, Module module) => heap.IsConcrete
            ? module.TypeDefinitions.ElementAt((int)heap.TypeIndex).Body is FunctionType ? HeapType.Func : HeapType.Any
            : Validation.Subtyping.TopOf(heap);

        /// <summary>Throws the failure an error or a trap of the C API stands for (both deleted); nothing when both are null.</summary>
        private void Check(nint error, nint trap)
        {
            if (error == 0 && trap == 0)
            {
                return;
            }
            var (code, message) = trap != 0 ? WasmtimeCApi.TakeTrap(trap) : (null, WasmtimeCApi.TakeErrorMessage(error));
            // A thrown exception that no handler caught stays pending in the store until the host takes it: this
            // call's, or one a host function's callback left (the package's calls do not take it). Released here, so
            // that none outlives the failure it caused; the message says whether this failure is one.
            WasmtimeCApi.GcRef exception;
            if (WasmtimeCApi.wasmtime_context_take_exception(_context, &exception))
            {
                WasmtimeCApi.wasmtime_exnref_unroot(&exception);
            }
            throw trap != 0 || IsUncaughtException(message) ? TrapFailure(code is { } c ? (Wt.TrapCode)c : null, message) : LinkFailure(message);
        }

        private static bool IsUncaughtException(string message) => message.Contains("thrown Wasm exception", StringComparison.Ordinal);

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
                var returned = body(new HostCaller(exports), arguments);
                for (var i = 0; i < results.Length; i++)
                {
                    results[i] = ToBox(returned[i]);
                }
            }, [.. type.Parameters.Select(KindOf)], [.. type.Results.Select(KindOf)]);
        }

        public void Dispose()
        {
            _linker.Dispose();
            _store.Dispose();
        }

        /// <summary>
        /// The caller's callback exports, resolved while its handle was valid. Host functions and their callbacks
        /// take and return numbers only (<see cref="RequireNumbers"/>), which the package's wrappers pass well.
        /// </summary>
        private sealed class HostCaller(Dictionary<string, Wt.Function?> exports) : IHostCaller
        {
            public IReadOnlyList<EngineValue> Invoke(string export, IReadOnlyList<EngineValue> arguments)
            {
                var function = exports.GetValueOrDefault(export) ?? throw new EngineFailure(FailureKind.Link, $"no function export \"{export}\"");
                var types = function.Results.Select(TypeOf).ToList();
                object? result;
                try
                {
                    result = function.Invoke([.. arguments.Select(ToBox)]);
                }
                catch (Wt.TrapException e)
                {
                    throw TrapFailure(e.Type, e.Message);
                }
                catch (Wt.WasmtimeException e)
                {
                    throw LinkFailure(e.Message);
                }
                object?[] results = types.Count switch
                {
                    0 => [],
                    1 => [result],
                    _ => (object?[])result!,
                };
                return [.. results.Select((value, i) => FromNumber(value!, types[i]))];
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
            _ => throw new EngineFailure(FailureKind.Unsupported, $"a host function cannot call back with {kind} values"),
        };

        private static EngineValue FromBox(Wt.ValueBox box, Syntax.ValType type) => type.Kind switch
        {
            ValueKind.I32 => EngineValue.I32(box.AsInt32()),
            ValueKind.I64 => EngineValue.I64(box.AsInt64()),
            ValueKind.F32 => EngineValue.F32(BitConverter.SingleToUInt32Bits(box.AsSingle())),
            _ => EngineValue.F64(BitConverter.DoubleToUInt64Bits(box.AsDouble())),
        };

        // Each arm converted to ValueBox itself: left to the switch, int, long, float and double have a natural common
        // type (double), and every number would reach wasmtime as an f64.
        private static Wt.ValueBox ToBox(EngineValue value) => value.Kind switch
        {
            ValueKind.I32 => (Wt.ValueBox)(int)(uint)value.Low,
            ValueKind.I64 => (Wt.ValueBox)(long)value.Low,
            ValueKind.F32 => (Wt.ValueBox)BitConverter.UInt32BitsToSingle((uint)value.Low),
            ValueKind.F64 => (Wt.ValueBox)BitConverter.UInt64BitsToDouble(value.Low),
            _ => throw new EngineFailure(FailureKind.Unsupported, $"host functions take and return numbers only, not {value}"),
        };

        private static EngineValue FromNumber(object value, Syntax.ValType type) => type.Kind switch
        {
            ValueKind.I32 => EngineValue.I32((int)value),
            ValueKind.I64 => EngineValue.I64((long)value),
            ValueKind.F32 => EngineValue.F32(BitConverter.SingleToUInt32Bits((float)value)),
            _ => EngineValue.F64(BitConverter.DoubleToUInt64Bits((double)value)),
        };

        private void DefineSpectest()
        {
            _spectestDefined = true;
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
            // The package has no constructor for a shared memory or a 64-bit table: a module (compiled once per engine)
            // exports spectest's and the linker takes them from its instance.
            DefineInstance(SpecTestModule.Name, InstantiateNative(_owner.SpectestExtrasModule));
        }

        private static Wt.ValueKind KindOf(Syntax.ValType type) => type.Kind switch
        {
            ValueKind.I32 => Wt.ValueKind.Int32,
            ValueKind.I64 => Wt.ValueKind.Int64,
            ValueKind.F32 => Wt.ValueKind.Float32,
            ValueKind.F64 => Wt.ValueKind.Float64,
            ValueKind.V128 => Wt.ValueKind.V128,
            _ => throw new EngineFailure(FailureKind.Unsupported, $"spectest has no {type} parameter"),
        };

        private static FunctionType ExportedFunctionType(Module module, string export)
        {
            var index = module.Exports.FirstOrDefault(e => e.Name == export && e.Kind == ExternKind.Function)?.Index
                ?? throw new EngineFailure(FailureKind.Unsupported, $"no function export \"{export}\"");
            var imported = module.ImportsOf(ExternKind.Function).ToList();
            var typeIndex = index < imported.Count
                ? ((FunctionTypeUse)imported[(int)index].Type).TypeIndex
                : module.Functions[(int)index - imported.Count].TypeIndex;
            return (FunctionType)module.TypeDefinitions.ElementAt((int)typeIndex).Body;
        }

        private static EngineFailure TrapFailure(Wt.TrapCode? code, string message)
        {
            // An uncaught Wasm exception reaches the host as a trap or an error without a code of its own.
            if (IsUncaughtException(message))
            {
                return new EngineFailure(FailureKind.UncaughtException, "uncaught exception");
            }
            // Threads: the package's TrapCode has no member for a wait on an unshared memory (the spec's trap).
            if (message.Contains("atomic wait on non-shared memory", StringComparison.Ordinal))
            {
                return new EngineFailure(FailureKind.Trap, "expected shared memory");
            }
            (FailureKind Kind, string[] Messages) mapped = code switch
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
                _ => (FailureKind.Trap, [message]),
            };
            return new EngineFailure(mapped.Kind, mapped.Messages[0]) { Aliases = mapped.Messages };
        }

        private static EngineFailure LinkFailure(string error)
        {
            var message = error.Contains("unknown import", StringComparison.Ordinal) ? "unknown import"
                : error.Contains("incompatible import type", StringComparison.Ordinal) || error.Contains("types incompatible", StringComparison.Ordinal) ? "incompatible import type"
                : error;
            return new EngineFailure(FailureKind.Link, message);
        }
    }
}
