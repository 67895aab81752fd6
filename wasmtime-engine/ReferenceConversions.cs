namespace WasmHarness.Engines.Wasmtime;

/// <summary>
/// Host references as <c>anyref</c>s and back, in one store. The C API can make an <c>externref</c> from host data
/// but has no call for <c>any.convert_extern</c> and <c>extern.convert_any</c>, which a script needs to pass
/// <c>(ref.host n)</c> to an <c>anyref</c> parameter and to read a host reference that comes back as one; so a
/// two-function module does it in Wasm, the way the spec defines it.
/// </summary>
internal sealed unsafe class ReferenceConversions
{
    /// <summary>The conversion module's text.</summary>
    public const string Wat = """
        (module
          (func (export "internalize") (param externref) (result anyref) (any.convert_extern (local.get 0)))
          (func (export "externalize") (param anyref) (result externref) (extern.convert_any (local.get 0))))
        """;

    private readonly nint _context;
    private WasmtimeCApi.Func _internalize;
    private WasmtimeCApi.Func _externalize;

    /// <param name="context">The store's context.</param>
    /// <param name="instance">An instance of <see cref="Wat"/> in that store.</param>
    public ReferenceConversions(nint context, WasmtimeCApi.Instance instance)
    {
        _context = context;
        _internalize = Function(instance, "internalize"u8);
        _externalize = Function(instance, "externalize"u8);
    }

    /// <summary><c>any.convert_extern</c>: a new rooted <c>anyref</c> the caller unroots.</summary>
    public WasmtimeCApi.GcRef Internalize(WasmtimeCApi.GcRef external)
    {
        fixed (WasmtimeCApi.Func* function = &_internalize)
        {
            return Call(function, WasmtimeCApi.ValKind.ExternRef, external);
        }
    }

    /// <summary><c>extern.convert_any</c>: a new rooted <c>externref</c> the caller unroots.</summary>
    public WasmtimeCApi.GcRef Externalize(WasmtimeCApi.GcRef any)
    {
        fixed (WasmtimeCApi.Func* function = &_externalize)
        {
            return Call(function, WasmtimeCApi.ValKind.AnyRef, any);
        }
    }

    private WasmtimeCApi.GcRef Call(WasmtimeCApi.Func* function, WasmtimeCApi.ValKind kind, WasmtimeCApi.GcRef argument)
    {
        WasmtimeCApi.Val input = default, output = default;
        (input.Kind, input.Ref) = (kind, argument);
        var error = WasmtimeCApi.wasmtime_func_call(_context, function, &input, 1, &output, 1, out var trap);
        if (error != 0 || trap != 0)
        {
            // Only running out of the session's fuel can stop a one-instruction function.
            var message = error != 0 ? WasmtimeCApi.TakeErrorMessage(error) : WasmtimeCApi.TakeTrap(trap).Message;
            throw new EngineFailure(FailureKind.Exhaustion, $"wasmtime could not convert a host reference: {message}");
        }
        return output.Ref;
    }

    private WasmtimeCApi.Func Function(WasmtimeCApi.Instance instance, ReadOnlySpan<byte> name)
    {
        WasmtimeCApi.Extern external;
        fixed (byte* pointer = name)
        {
            if (!WasmtimeCApi.wasmtime_instance_export_get(_context, &instance, pointer, (nuint)name.Length, &external) || external.Kind != WasmtimeCApi.ExternKind.Func)
            {
                throw new InvalidOperationException("the conversion module has no such function");
            }
        }
        return external.Func;
    }
}
