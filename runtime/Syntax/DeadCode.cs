namespace WasmHarness.Syntax;

/// <summary>
/// The instructions after an unconditional branch up to the end of their block: validated, but never run, so the
/// tiers' compilers (interpreter and JIT) skip them. Counts the blocks nested inside the dead stretch so that only
/// the <c>end</c>, <c>else</c>, <c>catch</c>, <c>catch_all</c> or <c>delegate</c> of the enclosing block ends it.
/// </summary>
internal struct DeadCode
{
    private int _nested;

    /// <summary>
    /// Whether <paramref name="opcode"/>, met while the code is unreachable, is skipped; false for the instruction
    /// that closes (or moves to the next arm of) the enclosing block, which the compiler must translate.
    /// </summary>
    public bool Skips(Opcode opcode)
    {
        if (opcode.OpensBlock())
        {
            _nested++;
            return true;
        }
        if (_nested > 0)
        {
            if (opcode is Opcode.End or Opcode.Delegate)
            {
                _nested--;
            }
            return true;
        }
        return opcode is not (Opcode.End or Opcode.Else or Opcode.Catch or Opcode.CatchAll or Opcode.Delegate);
    }
}
