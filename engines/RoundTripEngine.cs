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

    public IEngineSession CreateSession() => new Session(inner.CreateSession());

    private sealed class Session(IEngineSession inner) : IEngineSession
    {
        public IEngineInstance Instantiate(ModuleArtifact module)
        {
            var bytes = module.Binary;
            return inner.Instantiate(new ModuleArtifact(ModuleDecoder.Decode(bytes), bytes));
        }

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
