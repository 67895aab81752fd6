using WasmHarness.Text;

namespace WasmHarness.Wast;

/// <summary>
/// Each script module's trip through the front end, made once per script and shared by every engine that runs
/// the script (and by the module-level judge), so nothing is decoded or validated twice. <paramref name="features"/>:
/// what the decoder honours (see <see cref="ModuleLoader.Load"/>).
/// </summary>
public sealed class FrontEndCache(Action<ScriptModule, LoadOutcome>? observe = null, Validation.WasmFeatures features = Validation.WasmFeatures.All)
{
    private readonly Dictionary<ScriptModule, LoadOutcome> _outcomes = new(ReferenceEqualityComparer.Instance);

    public LoadOutcome Load(ScriptModule module)
    {
        lock (_outcomes)
        {
            if (!_outcomes.TryGetValue(module, out var outcome))
            {
                _outcomes[module] = outcome = ModuleLoader.Load(module, features);
                observe?.Invoke(module, outcome);
            }
            return outcome;
        }
    }
}
