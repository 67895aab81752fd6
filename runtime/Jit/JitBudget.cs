namespace WasmHarness.Jit;

/// <summary>
/// How large a function the JIT compiles; beyond any of these the function runs in the interpreter. Chosen by
/// measuring RyuJIT's compile time on the shapes that grow it fastest (docs/jit.md, "Budgets"): each bounds one
/// function's compilation to well under a second on the development machine, far above what compilers emit.
/// </summary>
internal static class JitBudget
{
    /// <summary>Wasm locals plus operand stack slots (each a CIL local; CIL allows 65,535, RyuJIT slows well before).</summary>
    public const int CilLocals = 8_192;

    /// <summary>Instructions of one function body.</summary>
    public const int Instructions = 250_000;

    /// <summary>Try blocks (<c>try_table</c> and legacy <c>try</c>) in one function: each is a CIL exception region.</summary>
    public const int ExceptionRegions = 2_000;

    /// <summary>
    /// Wasm instructions compiled together on a function's first call: the callee and, nearest first, the uncompiled
    /// functions it reaches by direct calls, while their bodies add up to at most this many (the callee always).
    /// Functions of a group call each other directly; a call to one outside goes through the module's code table
    /// (<see cref="JitContext.Code"/>: a load and a <c>calli</c>) and compiles its target on the first call. Small,
    /// so that a large program starts after compiling what it runs first, not everything its entry point could
    /// reach (Lua 5.5: some 800 functions, 0.5 s of RyuJIT, before its first instruction).
    /// </summary>
    public const int GroupInstructions = 4_000;

    /// <summary>Functions in one group at most (a group of many small functions is as slow to compile as a large one).</summary>
    public const int GroupFunctions = 200;

    /// <summary>
    /// Functions of one module the JIT compiles in all; the rest run in the interpreter. Each compiled function costs
    /// RyuJIT about a millisecond and a few kilobytes whether it runs once or a billion times, so a module of 10⁶
    /// functions all called once would take minutes and gigabytes to compile (the interpreter runs it in seconds).
    /// Functions are compiled on first call, so the ones a program uses first are the ones compiled.
    /// </summary>
    public const int ModuleFunctions = 20_000;

    /// <summary>Try blocks nested in one another (RyuJIT's time grows with the square of the nesting).</summary>
    public const int ExceptionNesting = 64;
}
