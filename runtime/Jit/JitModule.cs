using System.Reflection.Emit;
using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Jit;

/// <summary>
/// The compiled code of one module instance. A function is compiled on its first call together with every
/// function it reaches through direct calls that is not compiled yet (a <see cref="DynamicMethod"/> can only call
/// methods whose IL is complete), or all at once with <see cref="EngineOptions.JitEager"/>. A function that uses
/// an instruction the JIT does not compile (see <see cref="FunctionCompiler.Supports"/>) falls back, as a whole,
/// to the interpreter; compiled and interpreted functions call each other through the store. Dynamic methods
/// are collected with the instance.
/// </summary>
internal sealed class JitModule
{
    private enum Status : byte
    {
        Unknown,
        Compiled,
        Fallback,
    }

    private readonly ModuleInstance _instance;
    private readonly Status[] _status;
    private readonly DynamicMethod?[] _methods;
    private readonly Action<Value[], Value[]>?[] _entries;
    private readonly nint[] _pointers;
    private readonly Lock _gate = new();

    private JitModule(ModuleInstance instance)
    {
        _instance = instance;
        var count = instance.Functions.Length;
        _status = new Status[count];
        _methods = new DynamicMethod?[count];
        _entries = new Action<Value[], Value[]>?[count];
        _pointers = new nint[count];
        Context = new JitContext(instance, instance.Store.Jit ?? new JitState(instance.Store), this);
        for (var i = 0; i < count; i++)
        {
            if (instance.Functions[i] is not WasmFunction wasm || wasm.Instance != instance)
            {
                _status[i] = Status.Fallback;
            }
        }
        if (instance.Store.Engine.Options.JitEager)
        {
            Compile(Enumerable.Range(0, count).Where(i => _status[i] == Status.Unknown).ToList());
        }
    }

    public JitContext Context { get; }

    /// <summary>The compiled code of <paramref name="instance"/>, made on first use.</summary>
    public static JitModule For(ModuleInstance instance)
    {
        if (instance.JitCode is { } module)
        {
            return module;
        }
        lock (instance)
        {
            return instance.JitCode ??= new JitModule(instance);
        }
    }

    /// <summary>True when function <paramref name="index"/> runs compiled (compiling it now if it was not yet).</summary>
    public bool Runs(int index)
    {
        var status = _status[index];
        if (status == Status.Unknown)
        {
            lock (_gate)
            {
                if (_status[index] == Status.Unknown)
                {
                    Compile(Reachable(index));
                }
            }
            status = _status[index];
        }
        return status == Status.Compiled;
    }

    /// <summary>The compiled method of function <paramref name="index"/> (which must run compiled).</summary>
    internal DynamicMethod Method(int index) => _methods[index]!;

    /// <summary>Calls function <paramref name="index"/> (which must run compiled) with packed arguments and results.</summary>
    public Action<Value[], Value[]> Entry(int index)
    {
        if (_entries[index] is { } entry)
        {
            return entry;
        }
        lock (_gate)
        {
            return _entries[index] ??= FunctionCompiler.CompileEntry(this, index, (WasmFunction)_instance.Functions[index]);
        }
    }

    /// <summary>The native code address of compiled function <paramref name="index"/> (for <c>calli</c> from <c>call_indirect</c>).</summary>
    public nint Pointer(int index)
    {
        var pointer = _pointers[index];
        if (pointer == 0)
        {
            lock (_gate)
            {
                pointer = _pointers[index];
                if (pointer == 0)
                {
                    // DynamicMethod has no public MethodHandle (and ldftn cannot name one): ask for its descriptor.
                    // Where that is not available the pointer stays zero-like (-1) and calls go through the store.
                    pointer = MethodDescriptor?.Invoke(_methods[index], null) is RuntimeMethodHandle handle ? handle.GetFunctionPointer() : -1;
                    _pointers[index] = pointer;
                }
            }
        }
        return pointer == -1 ? 0 : pointer;
    }

    private static readonly System.Reflection.MethodInfo? MethodDescriptor =
        typeof(DynamicMethod).GetMethod("GetMethodDescriptor", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic);

    /// <summary>The uncompiled functions reachable from <paramref name="root"/> through direct calls.</summary>
    private List<int> Reachable(int root)
    {
        var found = new List<int> { root };
        var seen = new HashSet<int> { root };
        for (var i = 0; i < found.Count; i++)
        {
            var function = (WasmFunction)_instance.Functions[found[i]];
            foreach (var instruction in function.Code.Body.Instructions)
            {
                if (instruction.Opcode is Opcode.Call or Opcode.ReturnCall && _status[instruction.Index] == Status.Unknown && seen.Add((int)instruction.Index))
                {
                    found.Add((int)instruction.Index);
                }
            }
        }
        return found;
    }

    private void Compile(List<int> functions)
    {
        var compiled = new List<int>();
        foreach (var index in functions)
        {
            var function = (WasmFunction)_instance.Functions[index];
            var reason = FunctionCompiler.Unsupported(_instance, function)
                ?? (_instance.Store.Engine.Options.JitFilter?.Invoke(function) == false ? "excluded by EngineOptions.JitFilter" : null);
            if (reason is null)
            {
                _methods[index] = FunctionCompiler.Declare(function);
                compiled.Add(index);
            }
            else
            {
                _status[index] = Status.Fallback;
                JitStatistics.RecordFallback(reason);
                _instance.Store.Engine.Options.JitFallback?.Invoke(function, reason);
            }
        }
        var willCompile = new HashSet<int>(compiled);
        try
        {
            foreach (var index in compiled)
            {
                FunctionCompiler.Emit(this, index, (WasmFunction)_instance.Functions[index],
                    callee => _status[callee] == Status.Compiled || willCompile.Contains(callee));
            }
        }
        catch (NotSupportedException e)
        {
            // A construct the support check missed: interpret the whole group rather than fail.
            foreach (var index in compiled)
            {
                _methods[index] = null;
                _status[index] = Status.Fallback;
                _instance.Store.Engine.Options.JitFallback?.Invoke((WasmFunction)_instance.Functions[index], e.Message);
            }
            foreach (var _ in compiled)
            {
                JitStatistics.RecordFallback("emitter: " + e.Message);
            }
            return;
        }
        foreach (var index in compiled)
        {
            _status[index] = Status.Compiled;
        }
        Interlocked.Add(ref JitStatistics.CompiledCount, compiled.Count);
    }
}

/// <summary>Process-wide counts of what the JIT did, for tests and reports.</summary>
public static class JitStatistics
{
    internal static long CompiledCount;
    private static long s_fallbackCount;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> s_reasons = new(StringComparer.Ordinal);

    /// <summary>Functions compiled to CIL so far.</summary>
    public static long Compiled => Interlocked.Read(ref CompiledCount);

    /// <summary>Functions left to the interpreter because they use something the JIT does not compile.</summary>
    public static long FallenBack => Interlocked.Read(ref s_fallbackCount);

    /// <summary>
    /// Fallen-back functions by reason: the name of the first instruction the JIT does not compile in each,
    /// <c>value type</c> for a signature or local it cannot represent, <c>emitter</c> for a group the emitter gave up on.
    /// </summary>
    public static IReadOnlyDictionary<string, long> FallbackReasons => new SortedDictionary<string, long>(s_reasons, StringComparer.Ordinal);

    internal static void RecordFallback(string reason)
    {
        Interlocked.Increment(ref s_fallbackCount);
        s_reasons.AddOrUpdate(reason, 1, (_, n) => n + 1);
    }
}
