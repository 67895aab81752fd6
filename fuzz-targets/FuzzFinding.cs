namespace WasmHarness.Fuzz;

/// <summary>
/// A finding that is not an escaping exception of its own: a round trip that changes the module, two engines that
/// disagree, a front end that accepts what another rejects. Targets throw it so that AFL++ records a crash.
/// </summary>
public sealed class FuzzFinding(string target, string message, Exception? inner = null) : Exception($"{target}: {message}", inner)
{
    /// <summary>The target that found it.</summary>
    public string Target { get; } = target;
}
