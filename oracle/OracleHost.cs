using WasmHarness.Engines;
using WasmHarness.Generator;

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
        var (mixI32, mixI64, reenter) = (HostModule.Functions[0], HostModule.Functions[1], HostModule.Functions[2]);
        session.DefineFunction(HostModule.Name, mixI32.Name, mixI32.Type, [],
            (_, args) => [EngineValue.I32(HostModule.MixI32(I32(args[0]), I32(args[1])))]);
        session.DefineFunction(HostModule.Name, mixI64.Name, mixI64.Type, [],
            (_, args) => [EngineValue.I64(HostModule.MixI64((long)args[0].Low, (long)args[1].Low))]);
        session.DefineFunction(HostModule.Name, reenter.Name, reenter.Type, [HostModule.CallbackExport],
            (caller, args) => [EngineValue.I32(host.Reenter(I32(args[0]), x =>
            {
                try
                {
                    return I32(caller.Invoke(HostModule.CallbackExport, [EngineValue.I32(x)])[0]);
                }
                catch (EngineFailure)
                {
                    return null;
                }
            }))]);
    }

    private static int I32(EngineValue value) => (int)(uint)value.Low;
}
