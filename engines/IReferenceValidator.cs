namespace WasmHarness.Engines;

/// <summary>
/// An outside validator that the spec runner's cross-check asks about every module: wasmtime's, given
/// by the program that runs it (this library does not reference wasmtime, so programs that never run it do not ship it).
/// </summary>
public interface IReferenceValidator : IDisposable
{
    /// <summary>Null when the outside engine accepts the binary module, else its error message.</summary>
    string? Validate(ReadOnlySpan<byte> module);

    /// <summary>True when <paramref name="error"/> says the module needs a feature the outside engine lacks (so it cannot judge it).</summary>
    bool IsMissingFeature(string error);
}
