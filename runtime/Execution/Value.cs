using System.Runtime.InteropServices;
using WasmHarness.Syntax;

namespace WasmHarness.Execution;

/// <summary>
/// A WebAssembly value (spec: <c>val</c>): the bits of a number or vector, or a reference. Numbers live in
/// <see cref="Low"/> (and <see cref="High"/> for <c>v128</c>) so they are never boxed; a reference is an object
/// in <see cref="Reference"/>: <see langword="null"/> for a null reference of any heap type, a
/// <see cref="FunctionInstance"/> for a function reference, any other object for an external (host) reference,
/// and later GC structs, arrays and exception references. The value does not carry its type: the validated
/// program (or the function type of an export) says how to read it.
/// </summary>
[StructLayout(LayoutKind.Auto)]
public readonly struct Value : IEquatable<Value>
{
    /// <summary>Low 64 bits: an i32 (zero-extended), i64, f32 bits (zero-extended), f64 bits, or the low half of a v128.</summary>
    public readonly ulong Low;

    /// <summary>High 64 bits of a v128; zero otherwise.</summary>
    public readonly ulong High;

    /// <summary>The referenced object of a reference value, <see langword="null"/> for a null reference.</summary>
    public readonly object? Reference;

    /// <summary>Creates a value from raw parts; prefer the typed factories.</summary>
    public Value(ulong low, ulong high = 0, object? reference = null)
    {
        Low = low;
        High = high;
        Reference = reference;
    }

    /// <summary>A null reference (of any heap type).</summary>
    public static readonly Value Null;

    /// <summary>An <c>i32</c>.</summary>
    public static Value FromI32(int value) => new((uint)value);

    /// <summary>An <c>i64</c>.</summary>
    public static Value FromI64(long value) => new((ulong)value);

    /// <summary>An <c>f32</c> (its bits are kept exactly, NaN payloads included).</summary>
    public static Value FromF32(float value) => new(BitConverter.SingleToUInt32Bits(value));

    /// <summary>An <c>f32</c> given by its bit pattern.</summary>
    public static Value FromF32Bits(uint bits) => new(bits);

    /// <summary>An <c>f64</c> (its bits are kept exactly, NaN payloads included).</summary>
    public static Value FromF64(double value) => new(BitConverter.DoubleToUInt64Bits(value));

    /// <summary>An <c>f64</c> given by its bit pattern.</summary>
    public static Value FromF64Bits(ulong bits) => new(bits);

    /// <summary>A <c>v128</c>.</summary>
    public static Value FromV128(V128 value) => new(value.Low, value.High);

    /// <summary>A reference to <paramref name="target"/>, or a null reference.</summary>
    public static Value FromReference(object? target) => new(0, 0, target);

    /// <summary>The value read as an <c>i32</c>.</summary>
    public int I32 => (int)(uint)Low;

    /// <summary>The value read as an <c>i64</c>.</summary>
    public long I64 => (long)Low;

    /// <summary>The value read as an <c>f32</c>.</summary>
    public float F32 => BitConverter.UInt32BitsToSingle((uint)Low);

    /// <summary>The bits of an <c>f32</c>.</summary>
    public uint F32Bits => (uint)Low;

    /// <summary>The value read as an <c>f64</c>.</summary>
    public double F64 => BitConverter.UInt64BitsToDouble(Low);

    /// <summary>The bits of an <c>f64</c>.</summary>
    public ulong F64Bits => Low;

    /// <summary>The value read as a <c>v128</c>.</summary>
    public V128 V128 => new(Low, High);

    /// <summary>True when a reference value is null.</summary>
    public bool IsNull => Reference is null;

    /// <summary>The default value of a type (spec: <c>default_t</c>): zero bits, or a null reference.</summary>
    public static Value Default(ValType type) => default;

    /// <summary>
    /// The value with the bits that <paramref name="type"/> does not use cleared (an i32 or f32 keeps its low 32 bits,
    /// a number no reference). The tiers rely on this form; values from the host are normalized on the way in.
    /// </summary>
    public Value Normalize(ValType type) => type.Kind switch
    {
        ValueKind.I32 or ValueKind.F32 => new Value((uint)Low),
        ValueKind.I64 or ValueKind.F64 => new Value(Low),
        ValueKind.V128 => new Value(Low, High),
        ValueKind.Ref => new Value(0, 0, Reference),
        _ => this,
    };

    /// <summary>Bitwise equality, references compared by identity.</summary>
    public bool Equals(Value other) => Low == other.Low && High == other.High && ReferenceEquals(Reference, other.Reference);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Value other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Low, High, Reference is null ? 0 : System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(Reference));

    /// <summary>Compares bits and reference identity.</summary>
    public static bool operator ==(Value left, Value right) => left.Equals(right);

    /// <summary>Compares bits and reference identity.</summary>
    public static bool operator !=(Value left, Value right) => !left.Equals(right);

    /// <summary>Formats the value as it reads for <paramref name="type"/>.</summary>
    public string ToString(ValType type) => type.Kind switch
    {
        ValueKind.I32 => $"i32:{I32}",
        ValueKind.I64 => $"i64:{I64}",
        ValueKind.F32 => $"f32:{F32} (0x{F32Bits:x8})",
        ValueKind.F64 => $"f64:{F64} (0x{F64Bits:x16})",
        ValueKind.V128 => $"v128:{V128}",
        _ => Reference is null ? "ref.null" : $"ref:{Reference}",
    };

    /// <inheritdoc/>
    public override string ToString() => Reference is not null ? $"ref:{Reference}" : High != 0 ? $"v128:{V128}" : $"0x{Low:x}";
}
