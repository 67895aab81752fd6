using System.Runtime.InteropServices;
using System.Text;

namespace WasmHarness.Engines.Wasmtime;

/// <summary>
/// The part of wasmtime's C API (the <c>libwasmtime</c> the Wasmtime package ships) that the engine calls directly:
/// modules, instances, calls, globals, tables and memories with every value kind, GC references and exceptions
/// included. The package's own wrappers (50.0.1) abort the process when a module's imports or exports carry a
/// reference type other than nullable <c>funcref</c>/<c>externref</c>; these calls take <c>wasmtime_val_t</c> as
/// the C headers (<c>wasmtime/val.h</c>, <c>extern.h</c>) lay it out, so every value reaches wasmtime.
/// </summary>
/// <remarks>
/// Layouts are those of <c>crates/c-api/include/wasmtime</c> at the release the package ships; the package's own
/// internal <c>Value</c> (32 bytes, payload at 8) and <c>AnyRef</c> (24 bytes) agree, and
/// <c>WasmtimeCApiTests</c> checks the sizes against the package's by reflection so a new package cannot drift silently.
/// </remarks>
internal static unsafe partial class WasmtimeCApi
{
    /// <summary><c>wasmtime_valkind_t</c>.</summary>
    public enum ValKind : byte
    {
        I32 = 0,
        I64 = 1,
        F32 = 2,
        F64 = 3,
        V128 = 4,
        FuncRef = 5,
        ExternRef = 6,
        AnyRef = 7,
        ExnRef = 8,
    }

    /// <summary><c>wasmtime_extern_kind_t</c>.</summary>
    public enum ExternKind : byte
    {
        Func = 0,
        Global = 1,
        Table = 2,
        Memory = 3,
        SharedMemory = 4,
        Tag = 5,
    }

    /// <summary>
    /// A rooted GC reference (<c>wasmtime_anyref_t</c>, <c>wasmtime_externref_t</c>, <c>wasmtime_exnref_t</c>: the
    /// same shape): store id 0 is null. Owned by whoever received it, released with <see cref="wasmtime_val_unroot"/>.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct GcRef
    {
        public ulong StoreId;
        private readonly uint _private1;
        private readonly uint _private2;
        private readonly nint _private3;
    }

    /// <summary><c>wasmtime_func_t</c>: store id 0 is the null <c>funcref</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Func
    {
        public ulong StoreId;
        private readonly nint _private;
    }

    /// <summary><c>wasmtime_val_t</c>: a kind byte and a 24-byte union at offset 8.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 32)]
    public struct Val
    {
        [FieldOffset(0)] public ValKind Kind;
        [FieldOffset(8)] public int I32;
        [FieldOffset(8)] public long I64;
        /// <summary>The low 8 bytes of a <c>v128</c> (little-endian), or an <c>f32</c>/<c>f64</c>'s bits.</summary>
        [FieldOffset(8)] public ulong Low;
        [FieldOffset(16)] public ulong High;
        [FieldOffset(8)] public GcRef Ref;
        [FieldOffset(8)] public Func Func;
    }

    /// <summary><c>wasmtime_instance_t</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Instance
    {
        public ulong StoreId;
        private readonly nuint _private;
    }

    /// <summary><c>wasmtime_extern_t</c>: a kind byte and a 24-byte union at offset 8 (func, global, table, memory by value; a shared memory by owned pointer).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 32)]
    public struct Extern
    {
        [FieldOffset(0)] public ExternKind Kind;
        [FieldOffset(8)] public Func Func;
        [FieldOffset(8)] public nint SharedMemory;
        [FieldOffset(8)] private readonly ulong _item0;
        [FieldOffset(16)] private readonly ulong _item1;
        [FieldOffset(24)] private readonly ulong _item2;
    }

    /// <summary>A pointer to the item in an <see cref="Extern"/>'s union (global, table, memory), as the C calls take it.</summary>
    public static byte* Item(Extern* external) => (byte*)external + 8;

    /// <summary><c>wasm_byte_vec_t</c> (and <c>wasm_name_t</c>).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct ByteVec
    {
        public nuint Size;
        public byte* Data;
    }

    /// <summary>The message of <paramref name="error"/>, which it deletes.</summary>
    public static string TakeErrorMessage(nint error)
    {
        ByteVec message;
        wasmtime_error_message(error, &message);
        try
        {
            return Encoding.UTF8.GetString(message.Data, (int)message.Size);
        }
        finally
        {
            wasm_byte_vec_delete(&message);
            wasmtime_error_delete(error);
        }
    }

    /// <summary>The code and message of <paramref name="trap"/>, which it deletes; the code is null where the trap has none (an uncaught exception, a host error).</summary>
    public static (byte? Code, string Message) TakeTrap(nint trap)
    {
        ByteVec message;
        wasm_trap_message(trap, &message);
        try
        {
            byte code;
            // wasm_trap_message's bytes end with a NUL the message does not include.
            var length = message.Size > 0 && message.Data[message.Size - 1] == 0 ? message.Size - 1 : message.Size;
            return (wasmtime_trap_code(trap, &code) ? code : null, Encoding.UTF8.GetString(message.Data, (int)length));
        }
        finally
        {
            wasm_byte_vec_delete(&message);
            wasm_trap_delete(trap);
        }
    }

    [LibraryImport("wasmtime")]
    public static partial nint wasmtime_module_new(nint engine, byte* wasm, nuint length, out nint module);

    [LibraryImport("wasmtime")]
    public static partial void wasmtime_module_delete(nint module);

    [LibraryImport("wasmtime")]
    public static partial nint wasmtime_linker_instantiate(nint linker, nint context, nint module, Instance* instance, out nint trap);

    [LibraryImport("wasmtime")]
    public static partial nint wasmtime_linker_define(nint linker, nint context, byte* module, nuint moduleLength, byte* name, nuint nameLength, Extern* item);

    [LibraryImport("wasmtime")]
    public static partial nint wasmtime_linker_define_instance(nint linker, nint context, byte* name, nuint length, Instance* instance);

    [LibraryImport("wasmtime")]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool wasmtime_instance_export_get(nint context, Instance* instance, byte* name, nuint length, Extern* item);

    [LibraryImport("wasmtime")]
    public static partial void wasmtime_extern_delete(Extern* item);

    [LibraryImport("wasmtime")]
    public static partial nint wasmtime_func_call(nint context, Func* function, Val* arguments, nuint argumentCount, Val* results, nuint resultCount, out nint trap);

    [LibraryImport("wasmtime")]
    public static partial void wasmtime_global_get(nint context, byte* global, Val* value);

    [LibraryImport("wasmtime")]
    public static partial ulong wasmtime_table_size(nint context, byte* table);

    [LibraryImport("wasmtime")]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool wasmtime_table_get(nint context, byte* table, ulong index, Val* value);

    [LibraryImport("wasmtime")]
    public static partial byte* wasmtime_memory_data(nint context, byte* memory);

    [LibraryImport("wasmtime")]
    public static partial nuint wasmtime_memory_data_size(nint context, byte* memory);

    [LibraryImport("wasmtime")]
    public static partial byte* wasmtime_sharedmemory_data(nint memory);

    [LibraryImport("wasmtime")]
    public static partial nuint wasmtime_sharedmemory_data_size(nint memory);

    [LibraryImport("wasmtime")]
    public static partial void wasmtime_val_unroot(Val* value);

    [LibraryImport("wasmtime")]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool wasmtime_externref_new(nint context, nint data, nint finalizer, GcRef* reference);

    [LibraryImport("wasmtime")]
    public static partial nint wasmtime_externref_data(nint context, GcRef* reference);

    [LibraryImport("wasmtime")]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool wasmtime_anyref_i31_get_u(nint context, GcRef* reference, uint* value);

    [LibraryImport("wasmtime")]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool wasmtime_anyref_is_struct(nint context, GcRef* reference);

    [LibraryImport("wasmtime")]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool wasmtime_anyref_is_array(nint context, GcRef* reference);

    [LibraryImport("wasmtime")]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool wasmtime_context_take_exception(nint context, GcRef* exception);

    [LibraryImport("wasmtime")]
    public static partial void wasmtime_exnref_unroot(GcRef* exception);

    [LibraryImport("wasmtime")]
    private static partial void wasmtime_error_message(nint error, ByteVec* message);

    [LibraryImport("wasmtime")]
    private static partial void wasmtime_error_delete(nint error);

    [LibraryImport("wasmtime")]
    private static partial void wasm_trap_message(nint trap, ByteVec* message);

    [LibraryImport("wasmtime")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static partial bool wasmtime_trap_code(nint trap, byte* code);

    [LibraryImport("wasmtime")]
    private static partial void wasm_trap_delete(nint trap);

    [LibraryImport("wasmtime")]
    private static partial void wasm_byte_vec_delete(ByteVec* bytes);
}

/// <summary>A compiled module (<c>wasmtime_module_t</c>), deleted when the handle is released or finalized.</summary>
internal sealed class NativeModule : SafeHandle
{
    public NativeModule(nint handle)
        : base(0, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        WasmtimeCApi.wasmtime_module_delete(handle);
        return true;
    }
}
