using WasmHarness.Binary;
using WasmHarness.Syntax;

namespace WasmHarness.Engines;

/// <summary>
/// A metamorphic variant of an engine: it runs each module after an encode → decode round trip. A module and its
/// round trip must behave identically, so the oracle comparing this with the plain engine checks the encoder and
/// decoder on every generated case. Named after the inner engine (<c>interp+rt</c>), so it counts as that tier.
/// </summary>
public sealed class RoundTripEngine(IEngine inner) : IEngine
{
    public string Name => inner.Name + "+rt";

    /// <summary>
    /// Each artifact's round trip, kept while the artifact lives, so that instantiating it again reaches the inner
    /// engine as the same artifact (whose compiled form the inner engine keeps).
    /// </summary>
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<ModuleArtifact, ModuleArtifact> _decoded = new();

    public IEngineSession CreateSession() => new Session(inner.CreateSession(), RoundTrip);

    private ModuleArtifact RoundTrip(ModuleArtifact module) =>
        _decoded.GetValue(module, static m => new ModuleArtifact(ModuleDecoder.Decode(m.Binary), m.Binary));

    private sealed class Session(IEngineSession inner, Func<ModuleArtifact, ModuleArtifact> roundTrip) : IEngineSession
    {
        public IEngineInstance Instantiate(ModuleArtifact module) => inner.Instantiate(roundTrip(module));

        public void Register(string name, IEngineInstance instance) => inner.Register(name, instance);

        public IReadOnlyList<EngineValue> Invoke(IEngineInstance instance, string export, IReadOnlyList<EngineValue> arguments) =>
            inner.Invoke(instance, export, arguments);

        public EngineValue GetGlobal(IEngineInstance instance, string export) => inner.GetGlobal(instance, export);

        public byte[] ReadMemory(IEngineInstance instance, string export) => inner.ReadMemory(instance, export);

        public T ReadMemory<T>(IEngineInstance instance, string export, MemoryReader<T> reader) => inner.ReadMemory(instance, export, reader);

        public IReadOnlyList<EngineValue> ReadTable(IEngineInstance instance, string export) => inner.ReadTable(instance, export);

        public void DefineFunction(string module, string name, FunctionType type, IReadOnlyList<string> callbacks, HostFunction body) =>
            inner.DefineFunction(module, name, type, callbacks, body);

        public void Dispose() => inner.Dispose();
    }
}
