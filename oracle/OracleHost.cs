using WasmHarness.Engines;
using WasmHarness.Generator;
using WasmHarness.Syntax;

namespace WasmHarness.Oracle;

/// <summary>
/// Puts <see cref="HostModule"/>'s functions into any engine's session (our tiers and wasmtime alike, through
/// <see cref="IEngineSession.DefineFunction"/>), so a generated case that imports them runs everywhere with the
/// same host. The semantics are <see cref="HostModule"/>'s; this only converts values.
/// </summary>
public static class OracleHost
{
    /// <summary>Defines a fresh host world in <paramref name="session"/>.</summary>
    public static void Define(IEngineSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var host = new HostModule();
        foreach (var function in HostModule.Functions)
        {
            var (parameters, result) = (function.Type.Parameters, function.Type.Results[0]);
            session.DefineFunction(HostModule.Name, function.Name, function.Type, function.CallsBack ? [HostModule.CallbackExport] : [], (caller, args) =>
            {
                var numbers = args.Select((a, i) => parameters[i].Kind == ValueKind.I32 ? (int)(uint)a.Low : (long)a.Low).ToArray();
                var value = function.Body(host, numbers, x =>
                {
                    try
                    {
                        return (int)(uint)caller.Invoke(HostModule.CallbackExport, [EngineValue.I32(x)])[0].Low;
                    }
                    catch (EngineFailure)
                    {
                        return null;
                    }
                });
                return [result.Kind == ValueKind.I32 ? EngineValue.I32((int)value) : EngineValue.I64(value)];
            });
        }
    }
}
