using WasmHarness.Syntax;

namespace WasmHarness.Engines;

/// <summary>
/// An engine the harness can drive: our interpreter, our JIT, or wasmtime. The spec runner and the differential
/// oracle reach engines only through this interface, so every engine is judged by the same code.
/// </summary>
public interface IEngine
{
    /// <summary>The name used on the command line and in reports: <c>interp</c>, <c>jit</c>, <c>wasmtime</c>.</summary>
    string Name { get; }

    /// <summary>A fresh world (store, linker, the <c>spectest</c> host module) for one script or one test case.</summary>
    IEngineSession CreateSession();
}

/// <summary>
/// One world of an engine: module instances that can import from each other through registered names.
/// Every failure surfaces as an <see cref="EngineFailure"/> whose kind says what went wrong.
/// </summary>
public interface IEngineSession : IDisposable
{
    /// <summary>Instantiates a module, linking its imports against registered instances and <c>spectest</c>.</summary>
    IEngineInstance Instantiate(ModuleArtifact module);

    /// <summary>Makes an instance's exports importable under <paramref name="name"/>.</summary>
    void Register(string name, IEngineInstance instance);

    /// <summary>Calls an exported function.</summary>
    IReadOnlyList<EngineValue> Invoke(IEngineInstance instance, string export, IReadOnlyList<EngineValue> arguments);

    /// <summary>Reads an exported global.</summary>
    EngineValue GetGlobal(IEngineInstance instance, string export);

    /// <summary>A copy of an exported memory's bytes (its whole current length), for byte-for-byte comparison.</summary>
    byte[] ReadMemory(IEngineInstance instance, string export) =>
        throw new EngineFailure(FailureKind.Unsupported, $"{GetType().Name} cannot read memories");

    /// <summary>
    /// Reads an exported memory in place: <paramref name="reader"/> sees its bytes (whole current length) without a
    /// copy where the engine can lend them, and must not keep the span. The default copies through <see cref="ReadMemory(IEngineInstance, string)"/>.
    /// </summary>
    T ReadMemory<T>(IEngineInstance instance, string export, MemoryReader<T> reader) => reader(ReadMemory(instance, export));

    /// <summary>An exported table's elements, as engine-neutral references, for element-by-element comparison.</summary>
    IReadOnlyList<EngineValue> ReadTable(IEngineInstance instance, string export) =>
        throw new EngineFailure(FailureKind.Unsupported, $"{GetType().Name} cannot read tables");

    /// <summary>
    /// Defines <paramref name="module"/>.<paramref name="name"/> as a host function of <paramref name="type"/> (numbers
    /// only) that modules instantiated afterwards can import; it may call back the calling instance's exports named in
    /// <paramref name="callbacks"/> (named up front because wasmtime's caller handle cannot outlive the call). The body
    /// should not throw: how an exception leaves Wasm code differs between engines, so a deterministic host function
    /// turns a failed call back into a result.
    /// </summary>
    void DefineFunction(string module, string name, FunctionType type, IReadOnlyList<string> callbacks, HostFunction body) =>
        throw new EngineFailure(FailureKind.Unsupported, $"{GetType().Name} cannot define host functions");
}

/// <summary>What a caller of <see cref="IEngineSession.ReadMemory{T}"/> does with a memory's bytes while it may see them.</summary>
public delegate T MemoryReader<out T>(ReadOnlySpan<byte> bytes);

/// <summary>An engine-neutral host function body: what it returns for <paramref name="arguments"/>, calling back through <paramref name="caller"/> if it likes.</summary>
public delegate IReadOnlyList<EngineValue> HostFunction(IHostCaller caller, IReadOnlyList<EngineValue> arguments);

/// <summary>The instance that called a host function, as the host function sees it.</summary>
public interface IHostCaller
{
    /// <summary>
    /// Calls the calling instance's export <paramref name="export"/> (one of the callbacks named when the function was
    /// defined), re-entering Wasm; failures are <see cref="EngineFailure"/>s.
    /// </summary>
    IReadOnlyList<EngineValue> Invoke(string export, IReadOnlyList<EngineValue> arguments);
}

/// <summary>An instance made by an engine session; opaque to everyone but that session.</summary>
public interface IEngineInstance
{
}

/// <summary>
/// A module as engines receive it: our model (for our tiers) and its binary form (for engines that take
/// bytes): the original bytes of a binary module, or our encoder's output for a text module, made on first use.
/// </summary>
public sealed class ModuleArtifact(Module module, byte[]? originalBinary = null)
{
    private byte[]? _binary = originalBinary;

    public Module Module { get; } = module;

    public byte[] Binary => _binary ??= WasmHarness.Binary.ModuleEncoder.Encode(Module);
}

/// <summary>How an engine's operation failed.</summary>
public enum FailureKind
{
    /// <summary>A trap; the message is the spec's text for its kind.</summary>
    Trap,
    /// <summary>Resource exhaustion: call stack, fuel.</summary>
    Exhaustion,
    /// <summary>Linking failed (<c>unknown import</c>, <c>incompatible import type</c>).</summary>
    Link,
    /// <summary>An uncaught Wasm exception reached the host.</summary>
    UncaughtException,
    /// <summary>The engine does not support what was asked (a feature, a value it cannot pass).</summary>
    Unsupported,
    /// <summary>The engine refused to compile a module that our front end accepts.</summary>
    Rejected,
}

/// <summary>The one exception type engines throw for an expected failure of the guest or of linking.</summary>
public sealed class EngineFailure(FailureKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public FailureKind Kind { get; } = kind;

    /// <summary>
    /// Every spec message this failure stands for (the message first). An engine whose error codes are coarser
    /// than the spec's messages lists each message its code covers.
    /// </summary>
    public IReadOnlyList<string> Aliases { get; init; } = [message];
}

/// <summary>The classes of reference an engine can hand back, as precisely as the engine can tell.</summary>
public enum ReferenceClass : byte
{
    /// <summary>Not a reference: a number or a vector.</summary>
    None,
    Null,
    Func,
    /// <summary>A host reference, identified by <see cref="EngineValue.HostId"/>.</summary>
    Extern,
    I31,
    Struct,
    Array,
    Exn,
    /// <summary>A non-null internal reference the engine cannot classify further.</summary>
    Any,
}

/// <summary>
/// A value crossing the engine boundary: the bits of a number or vector (<see cref="Low"/>, <see cref="High"/>),
/// or a reference described by its class (and host id for host references). Engine-neutral on purpose: two
/// engines' results are compared as these.
/// </summary>
public readonly record struct EngineValue(ValueKind Kind, ulong Low = 0, ulong High = 0, ReferenceClass Reference = ReferenceClass.None, uint HostId = 0)
{
    public static EngineValue I32(int value) => new(ValueKind.I32, (uint)value);

    public static EngineValue I64(long value) => new(ValueKind.I64, (ulong)value);

    public static EngineValue F32(uint bits) => new(ValueKind.F32, bits);

    public static EngineValue F64(ulong bits) => new(ValueKind.F64, bits);

    public static EngineValue V128(V128 value) => new(ValueKind.V128, value.Low, value.High);

    public static EngineValue Null => new(ValueKind.Ref, Reference: ReferenceClass.Null);

    public static EngineValue Host(uint id) => new(ValueKind.Ref, Reference: ReferenceClass.Extern, HostId: id);

    public static EngineValue Ref(ReferenceClass reference) => new(ValueKind.Ref, Reference: reference);

    public override string ToString() => Kind switch
    {
        ValueKind.I32 => $"i32:{(int)(uint)Low}",
        ValueKind.I64 => $"i64:{(long)Low}",
        ValueKind.F32 => $"f32:{BitConverter.UInt32BitsToSingle((uint)Low)} (0x{(uint)Low:x8})",
        ValueKind.F64 => $"f64:{BitConverter.UInt64BitsToDouble(Low)} (0x{Low:x16})",
        ValueKind.V128 => $"v128:0x{High:x16}{Low:x16}",
        _ => Reference switch
        {
            ReferenceClass.Null => "ref.null",
            ReferenceClass.Extern => $"ref.extern {HostId}",
            _ => $"ref.{Reference.ToString().ToLowerInvariant()}",
        },
    };
}
