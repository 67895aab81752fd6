namespace WasmHarness.Execution;

/// <summary>The kinds of trap. Each one's message (<see cref="TrapKinds.Message"/>) is the spec suite's wording.</summary>
public enum TrapKind : byte
{
    /// <summary><c>unreachable</c> was executed.</summary>
    Unreachable,
    /// <summary>Integer division or remainder by zero.</summary>
    IntegerDivideByZero,
    /// <summary>Signed division overflow, or a float-to-integer truncation out of range.</summary>
    IntegerOverflow,
    /// <summary>A NaN truncated to an integer.</summary>
    InvalidConversionToInteger,
    /// <summary>A memory access, fill, copy or init out of bounds.</summary>
    OutOfBoundsMemoryAccess,
    /// <summary>A table access, fill, copy or init out of bounds.</summary>
    OutOfBoundsTableAccess,
    /// <summary><c>call_indirect</c> index beyond the table.</summary>
    UndefinedElement,
    /// <summary><c>call_indirect</c> through a null table entry.</summary>
    UninitializedElement,
    /// <summary><c>call_indirect</c> to a function of another type.</summary>
    IndirectCallTypeMismatch,
    /// <summary>The call depth limit (or the operand stack) ran out.</summary>
    CallStackExhausted,
    /// <summary><c>call_ref</c> (or <c>return_call_ref</c>) on a null reference.</summary>
    NullFunctionReference,
    /// <summary><c>ref.as_non_null</c> on a null reference.</summary>
    NullReference,
    /// <summary>An array access out of bounds.</summary>
    OutOfBoundsArrayAccess,
    /// <summary>An array instruction on a null reference.</summary>
    NullArrayReference,
    /// <summary>A struct instruction on a null reference.</summary>
    NullStructureReference,
    /// <summary><c>i31.get</c> on a null reference.</summary>
    NullI31Reference,
    /// <summary><c>ref.cast</c> failed.</summary>
    CastFailure,
    /// <summary><c>throw_ref</c> on a null reference.</summary>
    NullExceptionReference,
    /// <summary>An unaligned atomic access (threads).</summary>
    UnalignedAtomic,
    /// <summary>The instruction budget (fuel) ran out. Not a spec trap: an engine limit, reported apart.</summary>
    OutOfFuel,
    /// <summary>A host resource limit was hit (e.g. an array too large to allocate). Not a spec trap.</summary>
    ResourceExhausted,
    /// <summary>The host interrupted execution (<see cref="Store.Interrupt"/>). Not a spec trap.</summary>
    Interrupted,
    /// <summary><c>memory.atomic.wait32/64</c> on a memory that is not shared (threads). Last so earlier values keep their numbers.</summary>
    ExpectedSharedMemory,
}

/// <summary>Messages of <see cref="TrapKind"/>.</summary>
public static class TrapKinds
{
    /// <summary>The spec's message for a trap kind, e.g. <c>integer divide by zero</c>.</summary>
    public static string Message(this TrapKind kind) => kind switch
    {
        TrapKind.Unreachable => "unreachable",
        TrapKind.IntegerDivideByZero => "integer divide by zero",
        TrapKind.IntegerOverflow => "integer overflow",
        TrapKind.InvalidConversionToInteger => "invalid conversion to integer",
        TrapKind.OutOfBoundsMemoryAccess => "out of bounds memory access",
        TrapKind.OutOfBoundsTableAccess => "out of bounds table access",
        TrapKind.UndefinedElement => "undefined element",
        TrapKind.UninitializedElement => "uninitialized element",
        TrapKind.IndirectCallTypeMismatch => "indirect call type mismatch",
        TrapKind.CallStackExhausted => "call stack exhausted",
        TrapKind.NullFunctionReference => "null function reference",
        TrapKind.NullReference => "null reference",
        TrapKind.OutOfBoundsArrayAccess => "out of bounds array access",
        TrapKind.NullArrayReference => "null array reference",
        TrapKind.NullStructureReference => "null structure reference",
        TrapKind.NullI31Reference => "null i31 reference",
        TrapKind.CastFailure => "cast failure",
        TrapKind.NullExceptionReference => "null exception reference",
        TrapKind.UnalignedAtomic => "unaligned atomic",
        TrapKind.OutOfFuel => "all fuel consumed",
        TrapKind.ResourceExhausted => "resource exhausted",
        TrapKind.Interrupted => "interrupted",
        TrapKind.ExpectedSharedMemory => "expected shared memory",
        _ => kind.ToString(),
    };

    /// <summary>True for the kinds that are engine limits rather than the program's own traps (exhaustion).</summary>
    public static bool IsExhaustion(this TrapKind kind) =>
        kind is TrapKind.CallStackExhausted or TrapKind.OutOfFuel or TrapKind.ResourceExhausted or TrapKind.Interrupted;
}

/// <summary>
/// A trap (spec: <c>trap</c>): execution stopped abruptly. The one exception type for every trap, from either
/// tier, a host function or instantiation; <see cref="Kind"/> says which, and <see cref="WasmException.Reason"/>
/// is the spec's message.
/// </summary>
public sealed class TrapException : WasmException
{
    /// <summary>A trap of <paramref name="kind"/>; <paramref name="detail"/> (for people) goes into the message only.</summary>
    public TrapException(TrapKind kind, string? detail = null)
        : this(kind, kind.Message(), detail)
    {
    }

    private TrapException(TrapKind kind, string reason, string? detail)
        : base(reason, detail is null ? reason : $"{reason}: {detail}") => Kind = kind;

    /// <summary>What trapped.</summary>
    public TrapKind Kind { get; }

    /// <summary>
    /// A trap about the element at <paramref name="index"/> of a table: its reason names the index as the
    /// reference interpreter's does (<c>uninitialized element 2</c>), which the suite's messages may include.
    /// </summary>
    public static TrapException AtElement(TrapKind kind, ulong index) => new(kind, $"{kind.Message()} {index}", null);

    /// <summary>
    /// The Wasm functions that were active when the trap happened, innermost first (empty when the trap did not
    /// come from running code, or the tier does not record frames). Their names come from the name section.
    /// </summary>
    public IReadOnlyList<WasmFunction> WasmBacktrace { get; internal set; } = [];

    /// <summary>Throws a trap of <paramref name="kind"/>; a helper that keeps throw sites small.</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void Throw(TrapKind kind) => throw new TrapException(kind);
}

/// <summary>
/// Linking or instantiation failed before any code ran (spec: <c>assert_unlinkable</c>): an import is missing
/// (<c>unknown import</c>) or does not match (<c>incompatible import type</c>), or it belongs to another store.
/// </summary>
public sealed class LinkException(string reason, string? detail = null)
    : WasmException(reason, detail is null ? reason : $"{reason}: {detail}")
{
    /// <summary>The spec's message for a missing import.</summary>
    public const string UnknownImport = "unknown import";

    /// <summary>The spec's message for an import of the wrong kind or type.</summary>
    public const string IncompatibleImportType = "incompatible import type";

    /// <summary>
    /// An import that belongs to another store (see <see cref="ExternalValue.Owner"/>); as in wasmtime, objects
    /// cannot be shared between stores, so each runs under its own store's limits.
    /// </summary>
    public const string CrossStoreImport = "cross-store import";
}
