namespace WasmHarness.Engines;

/// <summary>A host reference a script or test case names by number (<c>ref.extern N</c>): the object an engine holds as an externref.</summary>
public sealed record HostReference(uint Id);

/// <summary>
/// The host references of one engine session: the same number always gives the same object, so a reference that
/// goes into the guest and comes back keeps its identity.
/// </summary>
public sealed class HostReferences
{
    private readonly Dictionary<uint, HostReference> _byId = [];

    public HostReference For(uint id)
    {
        if (!_byId.TryGetValue(id, out var reference))
        {
            _byId[id] = reference = new HostReference(id);
        }
        return reference;
    }
}
