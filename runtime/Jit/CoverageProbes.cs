using System.Reflection;
using System.Reflection.Emit;
using WasmHarness.Execution;

namespace WasmHarness.Jit;

/// <summary>
/// Emits the guest-coverage probes of one compiled function (<see cref="EngineOptions.GuestCoverage"/>). The
/// function compiler calls <see cref="Edge"/> at function entry and at every control-flow target; a probe is
/// <c>GuestCoverage.Hit(context.Coverage, location)</c>, with the location a constant of the function index and the
/// probe's ordinal (the probes of a function body come in the same order every time it is compiled, so the ordinal
/// stands for the instruction offset). With coverage off there is no instance of this class and nothing is emitted.
/// </summary>
internal sealed class CoverageProbes
{
    private static readonly FieldInfo ContextCoverage = typeof(JitContext).GetField(nameof(JitContext.Coverage))!;
    private static readonly MethodInfo Hit = typeof(GuestCoverage).GetMethod(nameof(GuestCoverage.Hit), BindingFlags.Static | BindingFlags.NonPublic)!;

    private readonly GuestCoverage _coverage;
    private readonly uint _function;
    private readonly IlWriter _il;
    private readonly Action _loadContext;
    private int _probes;

    private CoverageProbes(GuestCoverage coverage, uint function, IlWriter il, Action loadContext)
    {
        _coverage = coverage;
        _function = function;
        _il = il;
        _loadContext = loadContext;
    }

    /// <summary>The probes of <paramref name="function"/>, or null when its engine does not collect guest coverage.</summary>
    public static CoverageProbes? For(Engine engine, uint function, IlWriter il, Action loadContext) =>
        engine.Options.GuestCoverage is { } coverage
            ? new CoverageProbes(coverage, function, il, loadContext)
            : null;

    /// <summary>One probe here: the CIL stack is left as it was.</summary>
    public void Edge()
    {
        var location = _coverage.Location(_function, _probes++);
        _il.Comment($"coverage {location}");
        _loadContext();
        _il.Emit(OpCodes.Ldfld, ContextCoverage);
        _il.Emit(OpCodes.Ldc_I4, location);
        _il.Emit(OpCodes.Call, Hit);
    }
}
