namespace WasmHarness;

/// <summary>
/// A file of compiled code (<c>harness compile</c>) that this runtime refuses to run: not such a file, written by
/// another build of the runtime or with other engine settings, or with module bytes that do not match their hash.
/// </summary>
public sealed class IncompatibleCodeException : Exception
{
    public IncompatibleCodeException(string message)
        : base(message)
    {
    }

    public IncompatibleCodeException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
