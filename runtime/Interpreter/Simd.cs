using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using WasmHarness.Execution;
using WasmHarness.Syntax;
using WasmHarness.Validation;

namespace WasmHarness.Interpreter;

/// <summary>SIMD (<c>v128</c>) instructions: stack effects for the compiler.</summary>
internal static class Simd
{
    public static (int Pops, int Pushes) StackEffect(Opcode opcode)
    {
        if (InstructionSignatures.TryGetFixed(opcode, out var signature))
        {
            return (signature.Parameters.Length, signature.Results.Length);
        }
        var info = OpcodeTable.Get(opcode);
        var isStore = info.Name.Contains("store", StringComparison.Ordinal);
        return info.Immediates switch
        {
            ImmediateKind.MemArg => isStore ? (2, 0) : (1, 1),
            ImmediateKind.MemArgAndLane => isStore ? (2, 0) : (2, 1),
            ImmediateKind.Lane => info.Name.Contains("replace", StringComparison.Ordinal) ? (2, 1) : (1, 1),
            _ => throw new NotSupportedException($"the interpreter does not support {opcode.Name()} yet"),
        };
    }
}

/// <summary>
/// The vector instructions, one case per instruction. Integer lane arithmetic, bitwise operations, compares,
/// widening and float add/sub/mul/div/sqrt use <see cref="Vector128"/> (exact); min/max, rounding, saturating
/// and narrowing operations and conversions go lane by lane through the scalar operators of <see cref="Numerics"/>.
/// Relaxed SIMD instructions take their deterministic meaning here, the host's with <see cref="RelaxedSimdMode.Native"/>
/// (<see cref="ExecuteRelaxedNative"/>).
/// </summary>
internal sealed unsafe partial class Machine
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<T> V<T>(in Slot slot) => Vector128.Create(slot.Low, slot.High).As<ulong, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Set<T>(ref Slot slot, Vector128<T> value)
    {
        var bits = value.AsUInt64();
        slot.Low = bits.GetElement(0);
        slot.High = bits.GetElement(1);
        slot.Reference = null;
    }

    /// <summary>Writes a binary operator's result over its first operand and pops the second.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Binary<T>(Slot[] s, ref int sp, Vector128<T> result)
    {
        sp--;
        Set(ref s[sp - 1], result);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PushI32(Slot[] s, int sp, bool value) => s[sp - 1] = new Slot { Low = value ? 1u : 0u };

    private static Vector128<T> Map<T>(Vector128<T> a, Func<T, T> f)
    {
        var result = Vector128<T>.Zero;
        for (var i = 0; i < Vector128<T>.Count; i++)
        {
            result = result.WithElement(i, f(a.GetElement(i)));
        }
        return result;
    }

    private static Vector128<T> Map<T>(Vector128<T> a, Vector128<T> b, Func<T, T, T> f)
    {
        var result = Vector128<T>.Zero;
        for (var i = 0; i < Vector128<T>.Count; i++)
        {
            result = result.WithElement(i, f(a.GetElement(i), b.GetElement(i)));
        }
        return result;
    }

    private static Vector128<TResult> Convert<T, TResult>(Vector128<T> a, Func<T, TResult> f, int count)
    {
        var result = Vector128<TResult>.Zero;
        for (var i = 0; i < count; i++)
        {
            result = result.WithElement(i, f(a.GetElement(i)));
        }
        return result;
    }

    private static Vector128<TNarrow> Narrow<T, TNarrow>(Vector128<T> a, Vector128<T> b, Func<T, TNarrow> saturate)
    {
        var result = Vector128<TNarrow>.Zero;
        var half = Vector128<T>.Count;
        for (var i = 0; i < half; i++)
        {
            result = result.WithElement(i, saturate(a.GetElement(i)));
            result = result.WithElement(half + i, saturate(b.GetElement(i)));
        }
        return result;
    }

    private static Vector128<TWide> PairwiseAdd<T, TWide>(Vector128<T> a, Func<T, T, TWide> add)
    {
        var result = Vector128<TWide>.Zero;
        for (var i = 0; i < Vector128<TWide>.Count; i++)
        {
            result = result.WithElement(i, add(a.GetElement(2 * i), a.GetElement(2 * i + 1)));
        }
        return result;
    }

    private static Vector128<byte> Shuffle(Vector128<byte> a, Vector128<byte> b, V128 lanes)
    {
        var indices = Vector128.Create(lanes.Low, lanes.High).AsByte();
        var result = Vector128<byte>.Zero;
        for (var i = 0; i < 16; i++)
        {
            var index = indices.GetElement(i);
            result = result.WithElement(i, index < 16 ? a.GetElement(index) : b.GetElement(index - 16));
        }
        return result;
    }

    private static Vector128<byte> Swizzle(Vector128<byte> a, Vector128<byte> indices)
    {
        var result = Vector128<byte>.Zero;
        for (var i = 0; i < 16; i++)
        {
            var index = indices.GetElement(i);
            result = result.WithElement(i, index < 16 ? a.GetElement(index) : (byte)0);
        }
        return result;
    }

    private static Vector128<int> Dot(Vector128<short> a, Vector128<short> b)
    {
        var result = Vector128<int>.Zero;
        for (var i = 0; i < 4; i++)
        {
            result = result.WithElement(i, (a.GetElement(2 * i) * b.GetElement(2 * i)) + (a.GetElement(2 * i + 1) * b.GetElement(2 * i + 1)));
        }
        return result;
    }

    private static Vector128<short> DotI8(Vector128<sbyte> a, Vector128<sbyte> b)
    {
        var result = Vector128<short>.Zero;
        for (var i = 0; i < 8; i++)
        {
            result = result.WithElement(i, (short)((a.GetElement(2 * i) * b.GetElement(2 * i)) + (a.GetElement(2 * i + 1) * b.GetElement(2 * i + 1))));
        }
        return result;
    }

    private static Vector128<int> DotI8Add(Vector128<sbyte> a, Vector128<sbyte> b, Vector128<int> c)
    {
        var result = Vector128<int>.Zero;
        for (var i = 0; i < 4; i++)
        {
            var sum = 0;
            for (var j = 0; j < 4; j++)
            {
                sum += a.GetElement(4 * i + j) * b.GetElement(4 * i + j);
            }
            result = result.WithElement(i, sum + c.GetElement(i));
        }
        return result;
    }

    private static short Q15MulrSat(short a, short b) => SaturateI16(((a * b) + 0x4000) >> 15);

    private static sbyte SaturateI8(int x) => (sbyte)Math.Clamp(x, sbyte.MinValue, sbyte.MaxValue);

    private static byte SaturateU8(int x) => (byte)Math.Clamp(x, byte.MinValue, byte.MaxValue);

    private static short SaturateI16(int x) => (short)Math.Clamp(x, short.MinValue, short.MaxValue);

    private static ushort SaturateU16(int x) => (ushort)Math.Clamp(x, ushort.MinValue, ushort.MaxValue);

    private static float PMin(float a, float b) => b < a ? b : a;

    private static float PMax(float a, float b) => a < b ? b : a;

    private static double PMin(double a, double b) => b < a ? b : a;

    private static double PMax(double a, double b) => a < b ? b : a;

    private static Vector128<float> Abs(Vector128<float> a) => (a.AsUInt32() & Vector128.Create(0x7FFF_FFFFu)).AsSingle();

    private static Vector128<float> Neg(Vector128<float> a) => (a.AsUInt32() ^ Vector128.Create(0x8000_0000u)).AsSingle();

    private static Vector128<double> Abs(Vector128<double> a) => (a.AsUInt64() & Vector128.Create(0x7FFF_FFFF_FFFF_FFFFul)).AsDouble();

    private static Vector128<double> Neg(Vector128<double> a) => (a.AsUInt64() ^ Vector128.Create(0x8000_0000_0000_0000ul)).AsDouble();

    private static Vector128<float> MulAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c, bool negate) =>
        Map(negate ? Neg(a) * b : a * b, c, static (x, y) => x + y);

    private static Vector128<double> MulAdd(Vector128<double> a, Vector128<double> b, Vector128<double> c, bool negate) =>
        Map(negate ? Neg(a) * b : a * b, c, static (x, y) => x + y);

    internal static bool ExecuteSimd(in Op op, Slot[] s, ref int sp, ModuleInstance inst)
    {
        if (op.Code is >= Opcode.I8x16RelaxedSwizzle and <= Opcode.I32x4RelaxedDotI8x16I7x16AddS
            && inst.Store.Engine.Options.RelaxedSimd == RelaxedSimdMode.Native && ExecuteRelaxedNative(op.Code, s, ref sp))
        {
            return true;
        }
        switch (op.Code)
        {
            // ---- Memory -------------------------------------------------------------------------------
            case Opcode.V128Load:
            {
                ref var r = ref s[sp - 1];
                Set(ref r, Unsafe.ReadUnaligned<Vector128<byte>>(inst.Memories[op.A].Address(r.Low, op.C, 16)));
                return true;
            }
            case Opcode.V128Load8x8S:
            case Opcode.V128Load8x8U:
            case Opcode.V128Load16x4S:
            case Opcode.V128Load16x4U:
            case Opcode.V128Load32x2S:
            case Opcode.V128Load32x2U:
            {
                ref var r = ref s[sp - 1];
                var half = Vector128.Create(Unsafe.ReadUnaligned<ulong>(inst.Memories[op.A].Address(r.Low, op.C, 8)), 0UL);
                switch (op.Code)
                {
                    case Opcode.V128Load8x8S: Set(ref r, Vector128.WidenLower(half.AsSByte())); break;
                    case Opcode.V128Load8x8U: Set(ref r, Vector128.WidenLower(half.AsByte())); break;
                    case Opcode.V128Load16x4S: Set(ref r, Vector128.WidenLower(half.AsInt16())); break;
                    case Opcode.V128Load16x4U: Set(ref r, Vector128.WidenLower(half.AsUInt16())); break;
                    case Opcode.V128Load32x2S: Set(ref r, Vector128.WidenLower(half.AsInt32())); break;
                    default: Set(ref r, Vector128.WidenLower(half.AsUInt32())); break;
                }
                return true;
            }
            case Opcode.V128Load8Splat:
            {
                ref var r = ref s[sp - 1];
                Set(ref r, Vector128.Create(*inst.Memories[op.A].Address(r.Low, op.C, 1)));
                return true;
            }
            case Opcode.V128Load16Splat:
            {
                ref var r = ref s[sp - 1];
                Set(ref r, Vector128.Create(Unsafe.ReadUnaligned<ushort>(inst.Memories[op.A].Address(r.Low, op.C, 2))));
                return true;
            }
            case Opcode.V128Load32Splat:
            {
                ref var r = ref s[sp - 1];
                Set(ref r, Vector128.Create(Unsafe.ReadUnaligned<uint>(inst.Memories[op.A].Address(r.Low, op.C, 4))));
                return true;
            }
            case Opcode.V128Load64Splat:
            {
                ref var r = ref s[sp - 1];
                Set(ref r, Vector128.Create(Unsafe.ReadUnaligned<ulong>(inst.Memories[op.A].Address(r.Low, op.C, 8))));
                return true;
            }
            case Opcode.V128Load32Zero:
            {
                ref var r = ref s[sp - 1];
                Set(ref r, Vector128.Create(Unsafe.ReadUnaligned<uint>(inst.Memories[op.A].Address(r.Low, op.C, 4)), 0u, 0u, 0u));
                return true;
            }
            case Opcode.V128Load64Zero:
            {
                ref var r = ref s[sp - 1];
                Set(ref r, Vector128.Create(Unsafe.ReadUnaligned<ulong>(inst.Memories[op.A].Address(r.Low, op.C, 8)), 0UL));
                return true;
            }
            case Opcode.V128Store:
            {
                sp -= 2;
                Unsafe.WriteUnaligned(inst.Memories[op.A].Address(s[sp].Low, op.C, 16), V<byte>(s[sp + 1]));
                return true;
            }
            case Opcode.V128Load8Lane:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var value = *inst.Memories[op.A].Address(r.Low, op.C, 1);
                Set(ref r, V<byte>(s[sp]).WithElement(op.B, value));
                return true;
            }
            case Opcode.V128Load16Lane:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var value = Unsafe.ReadUnaligned<ushort>(inst.Memories[op.A].Address(r.Low, op.C, 2));
                Set(ref r, V<ushort>(s[sp]).WithElement(op.B, value));
                return true;
            }
            case Opcode.V128Load32Lane:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var value = Unsafe.ReadUnaligned<uint>(inst.Memories[op.A].Address(r.Low, op.C, 4));
                Set(ref r, V<uint>(s[sp]).WithElement(op.B, value));
                return true;
            }
            case Opcode.V128Load64Lane:
            {
                sp--;
                ref var r = ref s[sp - 1];
                var value = Unsafe.ReadUnaligned<ulong>(inst.Memories[op.A].Address(r.Low, op.C, 8));
                Set(ref r, V<ulong>(s[sp]).WithElement(op.B, value));
                return true;
            }
            case Opcode.V128Store8Lane:
                sp -= 2;
                *inst.Memories[op.A].Address(s[sp].Low, op.C, 1) = V<byte>(s[sp + 1]).GetElement(op.B);
                return true;
            case Opcode.V128Store16Lane:
                sp -= 2;
                Unsafe.WriteUnaligned(inst.Memories[op.A].Address(s[sp].Low, op.C, 2), V<ushort>(s[sp + 1]).GetElement(op.B));
                return true;
            case Opcode.V128Store32Lane:
                sp -= 2;
                Unsafe.WriteUnaligned(inst.Memories[op.A].Address(s[sp].Low, op.C, 4), V<uint>(s[sp + 1]).GetElement(op.B));
                return true;
            case Opcode.V128Store64Lane:
                sp -= 2;
                Unsafe.WriteUnaligned(inst.Memories[op.A].Address(s[sp].Low, op.C, 8), V<ulong>(s[sp + 1]).GetElement(op.B));
                return true;

            // ---- Shuffles, splats, lanes --------------------------------------------------------------
            case Opcode.I8x16Shuffle:
                return false; // needs the function's constants: handled in Run
            case Opcode.I8x16Swizzle:
            case Opcode.I8x16RelaxedSwizzle:
                Binary(s, ref sp, Swizzle(V<byte>(s[sp - 2]), V<byte>(s[sp - 1])));
                return true;
            case Opcode.I8x16Splat: Set(ref s[sp - 1], Vector128.Create((byte)s[sp - 1].Low)); return true;
            case Opcode.I16x8Splat: Set(ref s[sp - 1], Vector128.Create((ushort)s[sp - 1].Low)); return true;
            case Opcode.I32x4Splat: Set(ref s[sp - 1], Vector128.Create((uint)s[sp - 1].Low)); return true;
            case Opcode.I64x2Splat: Set(ref s[sp - 1], Vector128.Create(s[sp - 1].Low)); return true;
            case Opcode.F32x4Splat: Set(ref s[sp - 1], Vector128.Create((uint)s[sp - 1].Low)); return true;
            case Opcode.F64x2Splat: Set(ref s[sp - 1], Vector128.Create(s[sp - 1].Low)); return true;
            case Opcode.I8x16ExtractLaneS: s[sp - 1] = new Slot { Low = (uint)(int)V<sbyte>(s[sp - 1]).GetElement(op.A) }; return true;
            case Opcode.I8x16ExtractLaneU: s[sp - 1] = new Slot { Low = V<byte>(s[sp - 1]).GetElement(op.A) }; return true;
            case Opcode.I16x8ExtractLaneS: s[sp - 1] = new Slot { Low = (uint)(int)V<short>(s[sp - 1]).GetElement(op.A) }; return true;
            case Opcode.I16x8ExtractLaneU: s[sp - 1] = new Slot { Low = V<ushort>(s[sp - 1]).GetElement(op.A) }; return true;
            case Opcode.I32x4ExtractLane:
            case Opcode.F32x4ExtractLane:
                s[sp - 1] = new Slot { Low = V<uint>(s[sp - 1]).GetElement(op.A) };
                return true;
            case Opcode.I64x2ExtractLane:
            case Opcode.F64x2ExtractLane:
                s[sp - 1] = new Slot { Low = V<ulong>(s[sp - 1]).GetElement(op.A) };
                return true;
            case Opcode.I8x16ReplaceLane: Binary(s, ref sp, V<byte>(s[sp - 2]).WithElement(op.A, (byte)s[sp - 1].Low)); return true;
            case Opcode.I16x8ReplaceLane: Binary(s, ref sp, V<ushort>(s[sp - 2]).WithElement(op.A, (ushort)s[sp - 1].Low)); return true;
            case Opcode.I32x4ReplaceLane:
            case Opcode.F32x4ReplaceLane:
                Binary(s, ref sp, V<uint>(s[sp - 2]).WithElement(op.A, (uint)s[sp - 1].Low));
                return true;
            case Opcode.I64x2ReplaceLane:
            case Opcode.F64x2ReplaceLane:
                Binary(s, ref sp, V<ulong>(s[sp - 2]).WithElement(op.A, s[sp - 1].Low));
                return true;

            // ---- Bitwise ------------------------------------------------------------------------------
            case Opcode.V128Not: Set(ref s[sp - 1], ~V<ulong>(s[sp - 1])); return true;
            case Opcode.V128And: Binary(s, ref sp, V<ulong>(s[sp - 2]) & V<ulong>(s[sp - 1])); return true;
            case Opcode.V128Andnot: Binary(s, ref sp, Vector128.AndNot(V<ulong>(s[sp - 2]), V<ulong>(s[sp - 1]))); return true;
            case Opcode.V128Or: Binary(s, ref sp, V<ulong>(s[sp - 2]) | V<ulong>(s[sp - 1])); return true;
            case Opcode.V128Xor: Binary(s, ref sp, V<ulong>(s[sp - 2]) ^ V<ulong>(s[sp - 1])); return true;
            case Opcode.V128Bitselect:
            case Opcode.I8x16RelaxedLaneselect:
            case Opcode.I16x8RelaxedLaneselect:
            case Opcode.I32x4RelaxedLaneselect:
            case Opcode.I64x2RelaxedLaneselect:
                sp -= 2;
                Set(ref s[sp - 1], Vector128.ConditionalSelect(V<ulong>(s[sp + 1]), V<ulong>(s[sp - 1]), V<ulong>(s[sp])));
                return true;
            case Opcode.V128AnyTrue: PushI32(s, sp, V<ulong>(s[sp - 1]) != Vector128<ulong>.Zero); return true;

            // ---- Compares -----------------------------------------------------------------------------
            case Opcode.I8x16Eq: Binary(s, ref sp, Vector128.Equals(V<byte>(s[sp - 2]), V<byte>(s[sp - 1]))); return true;
            case Opcode.I8x16Ne: Binary(s, ref sp, ~Vector128.Equals(V<byte>(s[sp - 2]), V<byte>(s[sp - 1]))); return true;
            case Opcode.I8x16LtS: Binary(s, ref sp, Vector128.LessThan(V<sbyte>(s[sp - 2]), V<sbyte>(s[sp - 1]))); return true;
            case Opcode.I8x16LtU: Binary(s, ref sp, Vector128.LessThan(V<byte>(s[sp - 2]), V<byte>(s[sp - 1]))); return true;
            case Opcode.I8x16GtS: Binary(s, ref sp, Vector128.GreaterThan(V<sbyte>(s[sp - 2]), V<sbyte>(s[sp - 1]))); return true;
            case Opcode.I8x16GtU: Binary(s, ref sp, Vector128.GreaterThan(V<byte>(s[sp - 2]), V<byte>(s[sp - 1]))); return true;
            case Opcode.I8x16LeS: Binary(s, ref sp, Vector128.LessThanOrEqual(V<sbyte>(s[sp - 2]), V<sbyte>(s[sp - 1]))); return true;
            case Opcode.I8x16LeU: Binary(s, ref sp, Vector128.LessThanOrEqual(V<byte>(s[sp - 2]), V<byte>(s[sp - 1]))); return true;
            case Opcode.I8x16GeS: Binary(s, ref sp, Vector128.GreaterThanOrEqual(V<sbyte>(s[sp - 2]), V<sbyte>(s[sp - 1]))); return true;
            case Opcode.I8x16GeU: Binary(s, ref sp, Vector128.GreaterThanOrEqual(V<byte>(s[sp - 2]), V<byte>(s[sp - 1]))); return true;
            case Opcode.I16x8Eq: Binary(s, ref sp, Vector128.Equals(V<ushort>(s[sp - 2]), V<ushort>(s[sp - 1]))); return true;
            case Opcode.I16x8Ne: Binary(s, ref sp, ~Vector128.Equals(V<ushort>(s[sp - 2]), V<ushort>(s[sp - 1]))); return true;
            case Opcode.I16x8LtS: Binary(s, ref sp, Vector128.LessThan(V<short>(s[sp - 2]), V<short>(s[sp - 1]))); return true;
            case Opcode.I16x8LtU: Binary(s, ref sp, Vector128.LessThan(V<ushort>(s[sp - 2]), V<ushort>(s[sp - 1]))); return true;
            case Opcode.I16x8GtS: Binary(s, ref sp, Vector128.GreaterThan(V<short>(s[sp - 2]), V<short>(s[sp - 1]))); return true;
            case Opcode.I16x8GtU: Binary(s, ref sp, Vector128.GreaterThan(V<ushort>(s[sp - 2]), V<ushort>(s[sp - 1]))); return true;
            case Opcode.I16x8LeS: Binary(s, ref sp, Vector128.LessThanOrEqual(V<short>(s[sp - 2]), V<short>(s[sp - 1]))); return true;
            case Opcode.I16x8LeU: Binary(s, ref sp, Vector128.LessThanOrEqual(V<ushort>(s[sp - 2]), V<ushort>(s[sp - 1]))); return true;
            case Opcode.I16x8GeS: Binary(s, ref sp, Vector128.GreaterThanOrEqual(V<short>(s[sp - 2]), V<short>(s[sp - 1]))); return true;
            case Opcode.I16x8GeU: Binary(s, ref sp, Vector128.GreaterThanOrEqual(V<ushort>(s[sp - 2]), V<ushort>(s[sp - 1]))); return true;
            case Opcode.I32x4Eq: Binary(s, ref sp, Vector128.Equals(V<uint>(s[sp - 2]), V<uint>(s[sp - 1]))); return true;
            case Opcode.I32x4Ne: Binary(s, ref sp, ~Vector128.Equals(V<uint>(s[sp - 2]), V<uint>(s[sp - 1]))); return true;
            case Opcode.I32x4LtS: Binary(s, ref sp, Vector128.LessThan(V<int>(s[sp - 2]), V<int>(s[sp - 1]))); return true;
            case Opcode.I32x4LtU: Binary(s, ref sp, Vector128.LessThan(V<uint>(s[sp - 2]), V<uint>(s[sp - 1]))); return true;
            case Opcode.I32x4GtS: Binary(s, ref sp, Vector128.GreaterThan(V<int>(s[sp - 2]), V<int>(s[sp - 1]))); return true;
            case Opcode.I32x4GtU: Binary(s, ref sp, Vector128.GreaterThan(V<uint>(s[sp - 2]), V<uint>(s[sp - 1]))); return true;
            case Opcode.I32x4LeS: Binary(s, ref sp, Vector128.LessThanOrEqual(V<int>(s[sp - 2]), V<int>(s[sp - 1]))); return true;
            case Opcode.I32x4LeU: Binary(s, ref sp, Vector128.LessThanOrEqual(V<uint>(s[sp - 2]), V<uint>(s[sp - 1]))); return true;
            case Opcode.I32x4GeS: Binary(s, ref sp, Vector128.GreaterThanOrEqual(V<int>(s[sp - 2]), V<int>(s[sp - 1]))); return true;
            case Opcode.I32x4GeU: Binary(s, ref sp, Vector128.GreaterThanOrEqual(V<uint>(s[sp - 2]), V<uint>(s[sp - 1]))); return true;
            case Opcode.I64x2Eq: Binary(s, ref sp, Vector128.Equals(V<long>(s[sp - 2]), V<long>(s[sp - 1]))); return true;
            case Opcode.I64x2Ne: Binary(s, ref sp, ~Vector128.Equals(V<long>(s[sp - 2]), V<long>(s[sp - 1]))); return true;
            case Opcode.I64x2LtS: Binary(s, ref sp, Vector128.LessThan(V<long>(s[sp - 2]), V<long>(s[sp - 1]))); return true;
            case Opcode.I64x2GtS: Binary(s, ref sp, Vector128.GreaterThan(V<long>(s[sp - 2]), V<long>(s[sp - 1]))); return true;
            case Opcode.I64x2LeS: Binary(s, ref sp, Vector128.LessThanOrEqual(V<long>(s[sp - 2]), V<long>(s[sp - 1]))); return true;
            case Opcode.I64x2GeS: Binary(s, ref sp, Vector128.GreaterThanOrEqual(V<long>(s[sp - 2]), V<long>(s[sp - 1]))); return true;
            case Opcode.F32x4Eq: Binary(s, ref sp, Vector128.Equals(V<float>(s[sp - 2]), V<float>(s[sp - 1]))); return true;
            case Opcode.F32x4Ne: Binary(s, ref sp, ~Vector128.Equals(V<float>(s[sp - 2]), V<float>(s[sp - 1])).AsUInt32()); return true;
            case Opcode.F32x4Lt: Binary(s, ref sp, Vector128.LessThan(V<float>(s[sp - 2]), V<float>(s[sp - 1]))); return true;
            case Opcode.F32x4Gt: Binary(s, ref sp, Vector128.GreaterThan(V<float>(s[sp - 2]), V<float>(s[sp - 1]))); return true;
            case Opcode.F32x4Le: Binary(s, ref sp, Vector128.LessThanOrEqual(V<float>(s[sp - 2]), V<float>(s[sp - 1]))); return true;
            case Opcode.F32x4Ge: Binary(s, ref sp, Vector128.GreaterThanOrEqual(V<float>(s[sp - 2]), V<float>(s[sp - 1]))); return true;
            case Opcode.F64x2Eq: Binary(s, ref sp, Vector128.Equals(V<double>(s[sp - 2]), V<double>(s[sp - 1]))); return true;
            case Opcode.F64x2Ne: Binary(s, ref sp, ~Vector128.Equals(V<double>(s[sp - 2]), V<double>(s[sp - 1])).AsUInt64()); return true;
            case Opcode.F64x2Lt: Binary(s, ref sp, Vector128.LessThan(V<double>(s[sp - 2]), V<double>(s[sp - 1]))); return true;
            case Opcode.F64x2Gt: Binary(s, ref sp, Vector128.GreaterThan(V<double>(s[sp - 2]), V<double>(s[sp - 1]))); return true;
            case Opcode.F64x2Le: Binary(s, ref sp, Vector128.LessThanOrEqual(V<double>(s[sp - 2]), V<double>(s[sp - 1]))); return true;
            case Opcode.F64x2Ge: Binary(s, ref sp, Vector128.GreaterThanOrEqual(V<double>(s[sp - 2]), V<double>(s[sp - 1]))); return true;

            // ---- Integer lanes ------------------------------------------------------------------------
            case Opcode.I8x16Abs: Set(ref s[sp - 1], Map(V<sbyte>(s[sp - 1]), static x => (sbyte)(x < 0 ? -x : x))); return true;
            case Opcode.I8x16Neg: Set(ref s[sp - 1], Vector128<byte>.Zero - V<byte>(s[sp - 1])); return true;
            case Opcode.I8x16Popcnt: Set(ref s[sp - 1], Map(V<byte>(s[sp - 1]), static x => (byte)BitOperations.PopCount(x))); return true;
            case Opcode.I8x16AllTrue: PushI32(s, sp, !Vector128.EqualsAny(V<byte>(s[sp - 1]), Vector128<byte>.Zero)); return true;
            case Opcode.I8x16Bitmask: s[sp - 1] = new Slot { Low = Vector128.ExtractMostSignificantBits(V<byte>(s[sp - 1])) }; return true;
            case Opcode.I8x16NarrowI16x8S: Binary(s, ref sp, Narrow(V<short>(s[sp - 2]), V<short>(s[sp - 1]), static x => SaturateI8(x))); return true;
            case Opcode.I8x16NarrowI16x8U: Binary(s, ref sp, Narrow(V<short>(s[sp - 2]), V<short>(s[sp - 1]), static x => SaturateU8(x))); return true;
            case Opcode.I8x16Shl: Binary(s, ref sp, Vector128.ShiftLeft(V<byte>(s[sp - 2]), (int)(s[sp - 1].Low & 7))); return true;
            case Opcode.I8x16ShrS: Binary(s, ref sp, Vector128.ShiftRightArithmetic(V<sbyte>(s[sp - 2]), (int)(s[sp - 1].Low & 7))); return true;
            case Opcode.I8x16ShrU: Binary(s, ref sp, Vector128.ShiftRightLogical(V<byte>(s[sp - 2]), (int)(s[sp - 1].Low & 7))); return true;
            case Opcode.I8x16Add: Binary(s, ref sp, V<byte>(s[sp - 2]) + V<byte>(s[sp - 1])); return true;
            case Opcode.I8x16AddSatS: Binary(s, ref sp, Map(V<sbyte>(s[sp - 2]), V<sbyte>(s[sp - 1]), static (a, b) => SaturateI8(a + b))); return true;
            case Opcode.I8x16AddSatU: Binary(s, ref sp, Map(V<byte>(s[sp - 2]), V<byte>(s[sp - 1]), static (a, b) => SaturateU8(a + b))); return true;
            case Opcode.I8x16Sub: Binary(s, ref sp, V<byte>(s[sp - 2]) - V<byte>(s[sp - 1])); return true;
            case Opcode.I8x16SubSatS: Binary(s, ref sp, Map(V<sbyte>(s[sp - 2]), V<sbyte>(s[sp - 1]), static (a, b) => SaturateI8(a - b))); return true;
            case Opcode.I8x16SubSatU: Binary(s, ref sp, Map(V<byte>(s[sp - 2]), V<byte>(s[sp - 1]), static (a, b) => SaturateU8(a - b))); return true;
            case Opcode.I8x16MinS: Binary(s, ref sp, Vector128.Min(V<sbyte>(s[sp - 2]), V<sbyte>(s[sp - 1]))); return true;
            case Opcode.I8x16MinU: Binary(s, ref sp, Vector128.Min(V<byte>(s[sp - 2]), V<byte>(s[sp - 1]))); return true;
            case Opcode.I8x16MaxS: Binary(s, ref sp, Vector128.Max(V<sbyte>(s[sp - 2]), V<sbyte>(s[sp - 1]))); return true;
            case Opcode.I8x16MaxU: Binary(s, ref sp, Vector128.Max(V<byte>(s[sp - 2]), V<byte>(s[sp - 1]))); return true;
            case Opcode.I8x16AvgrU: Binary(s, ref sp, Map(V<byte>(s[sp - 2]), V<byte>(s[sp - 1]), static (a, b) => (byte)((a + b + 1) >> 1))); return true;
            case Opcode.I16x8ExtAddPairwiseI8x16S: Set(ref s[sp - 1], PairwiseAdd(V<sbyte>(s[sp - 1]), static (a, b) => (short)(a + b))); return true;
            case Opcode.I16x8ExtAddPairwiseI8x16U: Set(ref s[sp - 1], PairwiseAdd(V<byte>(s[sp - 1]), static (a, b) => (ushort)(a + b))); return true;
            case Opcode.I32x4ExtAddPairwiseI16x8S: Set(ref s[sp - 1], PairwiseAdd(V<short>(s[sp - 1]), static (a, b) => a + b)); return true;
            case Opcode.I32x4ExtAddPairwiseI16x8U: Set(ref s[sp - 1], PairwiseAdd(V<ushort>(s[sp - 1]), static (a, b) => (uint)(a + b))); return true;

            case Opcode.I16x8Abs: Set(ref s[sp - 1], Map(V<short>(s[sp - 1]), static x => (short)(x < 0 ? -x : x))); return true;
            case Opcode.I16x8Neg: Set(ref s[sp - 1], Vector128<ushort>.Zero - V<ushort>(s[sp - 1])); return true;
            case Opcode.I16x8Q15MulrSatS:
            case Opcode.I16x8RelaxedQ15mulrS:
                Binary(s, ref sp, Map(V<short>(s[sp - 2]), V<short>(s[sp - 1]), static (a, b) => Q15MulrSat(a, b)));
                return true;
            case Opcode.I16x8AllTrue: PushI32(s, sp, !Vector128.EqualsAny(V<ushort>(s[sp - 1]), Vector128<ushort>.Zero)); return true;
            case Opcode.I16x8Bitmask: s[sp - 1] = new Slot { Low = Vector128.ExtractMostSignificantBits(V<ushort>(s[sp - 1])) }; return true;
            case Opcode.I16x8NarrowI32x4S: Binary(s, ref sp, Narrow(V<int>(s[sp - 2]), V<int>(s[sp - 1]), static x => SaturateI16(x))); return true;
            case Opcode.I16x8NarrowI32x4U: Binary(s, ref sp, Narrow(V<int>(s[sp - 2]), V<int>(s[sp - 1]), static x => SaturateU16(x))); return true;
            case Opcode.I16x8ExtendLowI8x16S: Set(ref s[sp - 1], Vector128.WidenLower(V<sbyte>(s[sp - 1]))); return true;
            case Opcode.I16x8ExtendHighI8x16S: Set(ref s[sp - 1], Vector128.WidenUpper(V<sbyte>(s[sp - 1]))); return true;
            case Opcode.I16x8ExtendLowI8x16U: Set(ref s[sp - 1], Vector128.WidenLower(V<byte>(s[sp - 1]))); return true;
            case Opcode.I16x8ExtendHighI8x16u: Set(ref s[sp - 1], Vector128.WidenUpper(V<byte>(s[sp - 1]))); return true;
            case Opcode.I16x8Shl: Binary(s, ref sp, Vector128.ShiftLeft(V<ushort>(s[sp - 2]), (int)(s[sp - 1].Low & 15))); return true;
            case Opcode.I16x8ShrS: Binary(s, ref sp, Vector128.ShiftRightArithmetic(V<short>(s[sp - 2]), (int)(s[sp - 1].Low & 15))); return true;
            case Opcode.I16x8ShrU: Binary(s, ref sp, Vector128.ShiftRightLogical(V<ushort>(s[sp - 2]), (int)(s[sp - 1].Low & 15))); return true;
            case Opcode.I16x8Add: Binary(s, ref sp, V<ushort>(s[sp - 2]) + V<ushort>(s[sp - 1])); return true;
            case Opcode.I16x8AddSatS: Binary(s, ref sp, Map(V<short>(s[sp - 2]), V<short>(s[sp - 1]), static (a, b) => SaturateI16(a + b))); return true;
            case Opcode.I16x8AddSatU: Binary(s, ref sp, Map(V<ushort>(s[sp - 2]), V<ushort>(s[sp - 1]), static (a, b) => SaturateU16(a + b))); return true;
            case Opcode.I16x8Sub: Binary(s, ref sp, V<ushort>(s[sp - 2]) - V<ushort>(s[sp - 1])); return true;
            case Opcode.I16x8SubSatS: Binary(s, ref sp, Map(V<short>(s[sp - 2]), V<short>(s[sp - 1]), static (a, b) => SaturateI16(a - b))); return true;
            case Opcode.I16x8SubSatU: Binary(s, ref sp, Map(V<ushort>(s[sp - 2]), V<ushort>(s[sp - 1]), static (a, b) => SaturateU16(a - b))); return true;
            case Opcode.I16x8Mul: Binary(s, ref sp, V<ushort>(s[sp - 2]) * V<ushort>(s[sp - 1])); return true;
            case Opcode.I16x8MinS: Binary(s, ref sp, Vector128.Min(V<short>(s[sp - 2]), V<short>(s[sp - 1]))); return true;
            case Opcode.I16x8MinU: Binary(s, ref sp, Vector128.Min(V<ushort>(s[sp - 2]), V<ushort>(s[sp - 1]))); return true;
            case Opcode.I16x8MaxS: Binary(s, ref sp, Vector128.Max(V<short>(s[sp - 2]), V<short>(s[sp - 1]))); return true;
            case Opcode.I16x8MaxU: Binary(s, ref sp, Vector128.Max(V<ushort>(s[sp - 2]), V<ushort>(s[sp - 1]))); return true;
            case Opcode.I16x8AvgrU: Binary(s, ref sp, Map(V<ushort>(s[sp - 2]), V<ushort>(s[sp - 1]), static (a, b) => (ushort)((a + b + 1) >> 1))); return true;
            case Opcode.I16x8ExtMulLowI8x16S: Binary(s, ref sp, Vector128.WidenLower(V<sbyte>(s[sp - 2])) * Vector128.WidenLower(V<sbyte>(s[sp - 1]))); return true;
            case Opcode.I16x8ExtMulHighI8x16S: Binary(s, ref sp, Vector128.WidenUpper(V<sbyte>(s[sp - 2])) * Vector128.WidenUpper(V<sbyte>(s[sp - 1]))); return true;
            case Opcode.I16x8ExtMulLowI8x16U: Binary(s, ref sp, Vector128.WidenLower(V<byte>(s[sp - 2])) * Vector128.WidenLower(V<byte>(s[sp - 1]))); return true;
            case Opcode.I16x8ExtMulHighI8x16U: Binary(s, ref sp, Vector128.WidenUpper(V<byte>(s[sp - 2])) * Vector128.WidenUpper(V<byte>(s[sp - 1]))); return true;
            case Opcode.I16x8RelaxedDotI8x16I7x16S: Binary(s, ref sp, DotI8(V<sbyte>(s[sp - 2]), V<sbyte>(s[sp - 1]))); return true;

            case Opcode.I32x4Abs: Set(ref s[sp - 1], Map(V<int>(s[sp - 1]), static x => x < 0 ? -x : x)); return true;
            case Opcode.I32x4Neg: Set(ref s[sp - 1], Vector128<uint>.Zero - V<uint>(s[sp - 1])); return true;
            case Opcode.I32x4AllTrue: PushI32(s, sp, !Vector128.EqualsAny(V<uint>(s[sp - 1]), Vector128<uint>.Zero)); return true;
            case Opcode.I32x4Bitmask: s[sp - 1] = new Slot { Low = Vector128.ExtractMostSignificantBits(V<uint>(s[sp - 1])) }; return true;
            case Opcode.I32x4ExtendLowI16x8S: Set(ref s[sp - 1], Vector128.WidenLower(V<short>(s[sp - 1]))); return true;
            case Opcode.I32x4ExtendHighI16x8S: Set(ref s[sp - 1], Vector128.WidenUpper(V<short>(s[sp - 1]))); return true;
            case Opcode.I32x4ExtendLowI16x8U: Set(ref s[sp - 1], Vector128.WidenLower(V<ushort>(s[sp - 1]))); return true;
            case Opcode.I32x4ExtendHighI16x8U: Set(ref s[sp - 1], Vector128.WidenUpper(V<ushort>(s[sp - 1]))); return true;
            case Opcode.I32x4Shl: Binary(s, ref sp, Vector128.ShiftLeft(V<uint>(s[sp - 2]), (int)(s[sp - 1].Low & 31))); return true;
            case Opcode.I32x4ShrS: Binary(s, ref sp, Vector128.ShiftRightArithmetic(V<int>(s[sp - 2]), (int)(s[sp - 1].Low & 31))); return true;
            case Opcode.I32x4ShrU: Binary(s, ref sp, Vector128.ShiftRightLogical(V<uint>(s[sp - 2]), (int)(s[sp - 1].Low & 31))); return true;
            case Opcode.I32x4Add: Binary(s, ref sp, V<uint>(s[sp - 2]) + V<uint>(s[sp - 1])); return true;
            case Opcode.I32x4Sub: Binary(s, ref sp, V<uint>(s[sp - 2]) - V<uint>(s[sp - 1])); return true;
            case Opcode.I32x4Mul: Binary(s, ref sp, V<uint>(s[sp - 2]) * V<uint>(s[sp - 1])); return true;
            case Opcode.I32x4MinS: Binary(s, ref sp, Vector128.Min(V<int>(s[sp - 2]), V<int>(s[sp - 1]))); return true;
            case Opcode.I32x4MinU: Binary(s, ref sp, Vector128.Min(V<uint>(s[sp - 2]), V<uint>(s[sp - 1]))); return true;
            case Opcode.I32x4MaxS: Binary(s, ref sp, Vector128.Max(V<int>(s[sp - 2]), V<int>(s[sp - 1]))); return true;
            case Opcode.I32x4MaxU: Binary(s, ref sp, Vector128.Max(V<uint>(s[sp - 2]), V<uint>(s[sp - 1]))); return true;
            case Opcode.I32x4DotI16x8S: Binary(s, ref sp, Dot(V<short>(s[sp - 2]), V<short>(s[sp - 1]))); return true;
            case Opcode.I32x4ExtMulLowI16x8S: Binary(s, ref sp, Vector128.WidenLower(V<short>(s[sp - 2])) * Vector128.WidenLower(V<short>(s[sp - 1]))); return true;
            case Opcode.I32x4ExtMulHighI16x8S: Binary(s, ref sp, Vector128.WidenUpper(V<short>(s[sp - 2])) * Vector128.WidenUpper(V<short>(s[sp - 1]))); return true;
            case Opcode.I32x4ExtMulLowI16x8U: Binary(s, ref sp, Vector128.WidenLower(V<ushort>(s[sp - 2])) * Vector128.WidenLower(V<ushort>(s[sp - 1]))); return true;
            case Opcode.I32x4ExtMulHighI16x8U: Binary(s, ref sp, Vector128.WidenUpper(V<ushort>(s[sp - 2])) * Vector128.WidenUpper(V<ushort>(s[sp - 1]))); return true;
            case Opcode.I32x4RelaxedDotI8x16I7x16AddS:
                sp -= 2;
                Set(ref s[sp - 1], DotI8Add(V<sbyte>(s[sp - 1]), V<sbyte>(s[sp]), V<int>(s[sp + 1])));
                return true;

            case Opcode.I64x2Abs: Set(ref s[sp - 1], Map(V<long>(s[sp - 1]), static x => x < 0 ? -x : x)); return true;
            case Opcode.I64x2Neg: Set(ref s[sp - 1], Vector128<ulong>.Zero - V<ulong>(s[sp - 1])); return true;
            case Opcode.I64x2AllTrue: PushI32(s, sp, !Vector128.EqualsAny(V<ulong>(s[sp - 1]), Vector128<ulong>.Zero)); return true;
            case Opcode.I64x2Bitmask: s[sp - 1] = new Slot { Low = Vector128.ExtractMostSignificantBits(V<ulong>(s[sp - 1])) }; return true;
            case Opcode.I64x2ExtendLowI32x4S: Set(ref s[sp - 1], Vector128.WidenLower(V<int>(s[sp - 1]))); return true;
            case Opcode.I64x2ExtendHighI32x4S: Set(ref s[sp - 1], Vector128.WidenUpper(V<int>(s[sp - 1]))); return true;
            case Opcode.I64x2ExtendLowI32x4U: Set(ref s[sp - 1], Vector128.WidenLower(V<uint>(s[sp - 1]))); return true;
            case Opcode.I64x2ExtendHighI32x4U: Set(ref s[sp - 1], Vector128.WidenUpper(V<uint>(s[sp - 1]))); return true;
            case Opcode.I64x2Shl: Binary(s, ref sp, Vector128.ShiftLeft(V<ulong>(s[sp - 2]), (int)(s[sp - 1].Low & 63))); return true;
            case Opcode.I64x2ShrS: Binary(s, ref sp, Vector128.ShiftRightArithmetic(V<long>(s[sp - 2]), (int)(s[sp - 1].Low & 63))); return true;
            case Opcode.I64x2ShrU: Binary(s, ref sp, Vector128.ShiftRightLogical(V<ulong>(s[sp - 2]), (int)(s[sp - 1].Low & 63))); return true;
            case Opcode.I64x2Add: Binary(s, ref sp, V<ulong>(s[sp - 2]) + V<ulong>(s[sp - 1])); return true;
            case Opcode.I64x2Sub: Binary(s, ref sp, V<ulong>(s[sp - 2]) - V<ulong>(s[sp - 1])); return true;
            case Opcode.I64x2Mul: Binary(s, ref sp, V<ulong>(s[sp - 2]) * V<ulong>(s[sp - 1])); return true;
            case Opcode.I64x2ExtMulLowI32x4S: Binary(s, ref sp, Vector128.WidenLower(V<int>(s[sp - 2])) * Vector128.WidenLower(V<int>(s[sp - 1]))); return true;
            case Opcode.I64x2ExtMulHighI32x4S: Binary(s, ref sp, Vector128.WidenUpper(V<int>(s[sp - 2])) * Vector128.WidenUpper(V<int>(s[sp - 1]))); return true;
            case Opcode.I64x2ExtMulLowI32x4U: Binary(s, ref sp, Vector128.WidenLower(V<uint>(s[sp - 2])) * Vector128.WidenLower(V<uint>(s[sp - 1]))); return true;
            case Opcode.I64x2ExtMulHighI32x4U: Binary(s, ref sp, Vector128.WidenUpper(V<uint>(s[sp - 2])) * Vector128.WidenUpper(V<uint>(s[sp - 1]))); return true;

            // ---- Float lanes --------------------------------------------------------------------------
            case Opcode.F32x4Abs: Set(ref s[sp - 1], Abs(V<float>(s[sp - 1]))); return true;
            case Opcode.F32x4Neg: Set(ref s[sp - 1], Neg(V<float>(s[sp - 1]))); return true;
            case Opcode.F32x4Sqrt: Set(ref s[sp - 1], Map(V<float>(s[sp - 1]), Numerics.F32Sqrt)); return true;
            case Opcode.F32x4Ceil: Set(ref s[sp - 1], Map(V<float>(s[sp - 1]), Numerics.F32Ceil)); return true;
            case Opcode.F32x4Floor: Set(ref s[sp - 1], Map(V<float>(s[sp - 1]), Numerics.F32Floor)); return true;
            case Opcode.F32x4Trunc: Set(ref s[sp - 1], Map(V<float>(s[sp - 1]), Numerics.F32Trunc)); return true;
            case Opcode.F32x4Nearest: Set(ref s[sp - 1], Map(V<float>(s[sp - 1]), Numerics.F32Nearest)); return true;
            case Opcode.F32x4Add: Binary(s, ref sp, V<float>(s[sp - 2]) + V<float>(s[sp - 1])); return true;
            case Opcode.F32x4Sub: Binary(s, ref sp, V<float>(s[sp - 2]) - V<float>(s[sp - 1])); return true;
            case Opcode.F32x4Mul: Binary(s, ref sp, V<float>(s[sp - 2]) * V<float>(s[sp - 1])); return true;
            case Opcode.F32x4Div: Binary(s, ref sp, V<float>(s[sp - 2]) / V<float>(s[sp - 1])); return true;
            case Opcode.F32x4Min:
            case Opcode.F32x4RelaxedMin:
                Binary(s, ref sp, Map(V<float>(s[sp - 2]), V<float>(s[sp - 1]), Numerics.F32Min));
                return true;
            case Opcode.F32x4Max:
            case Opcode.F32x4RelaxedMax:
                Binary(s, ref sp, Map(V<float>(s[sp - 2]), V<float>(s[sp - 1]), Numerics.F32Max));
                return true;
            case Opcode.F32x4PMin: Binary(s, ref sp, Map(V<float>(s[sp - 2]), V<float>(s[sp - 1]), PMin)); return true;
            case Opcode.F32x4PMax: Binary(s, ref sp, Map(V<float>(s[sp - 2]), V<float>(s[sp - 1]), PMax)); return true;
            case Opcode.F64x2Abs: Set(ref s[sp - 1], Abs(V<double>(s[sp - 1]))); return true;
            case Opcode.F64x2Neg: Set(ref s[sp - 1], Neg(V<double>(s[sp - 1]))); return true;
            case Opcode.F64x2Sqrt: Set(ref s[sp - 1], Map(V<double>(s[sp - 1]), Numerics.F64Sqrt)); return true;
            case Opcode.F64x2Ceil: Set(ref s[sp - 1], Map(V<double>(s[sp - 1]), Numerics.F64Ceil)); return true;
            case Opcode.F64x2Floor: Set(ref s[sp - 1], Map(V<double>(s[sp - 1]), Numerics.F64Floor)); return true;
            case Opcode.F64x2Trunc: Set(ref s[sp - 1], Map(V<double>(s[sp - 1]), Numerics.F64Trunc)); return true;
            case Opcode.F64x2Nearest: Set(ref s[sp - 1], Map(V<double>(s[sp - 1]), Numerics.F64Nearest)); return true;
            case Opcode.F64x2Add: Binary(s, ref sp, V<double>(s[sp - 2]) + V<double>(s[sp - 1])); return true;
            case Opcode.F64x2Sub: Binary(s, ref sp, V<double>(s[sp - 2]) - V<double>(s[sp - 1])); return true;
            case Opcode.F64x2Mul: Binary(s, ref sp, V<double>(s[sp - 2]) * V<double>(s[sp - 1])); return true;
            case Opcode.F64x2Div: Binary(s, ref sp, V<double>(s[sp - 2]) / V<double>(s[sp - 1])); return true;
            case Opcode.F64x2Min:
            case Opcode.F64x2RelaxedMin:
                Binary(s, ref sp, Map(V<double>(s[sp - 2]), V<double>(s[sp - 1]), Numerics.F64Min));
                return true;
            case Opcode.F64x2Max:
            case Opcode.F64x2RelaxedMax:
                Binary(s, ref sp, Map(V<double>(s[sp - 2]), V<double>(s[sp - 1]), Numerics.F64Max));
                return true;
            case Opcode.F64x2PMin: Binary(s, ref sp, Map(V<double>(s[sp - 2]), V<double>(s[sp - 1]), PMin)); return true;
            case Opcode.F64x2PMax: Binary(s, ref sp, Map(V<double>(s[sp - 2]), V<double>(s[sp - 1]), PMax)); return true;
            case Opcode.F32x4RelaxedMadd:
            case Opcode.F32x4RelaxedNmadd:
                sp -= 2;
                Set(ref s[sp - 1], MulAdd(V<float>(s[sp - 1]), V<float>(s[sp]), V<float>(s[sp + 1]), op.Code == Opcode.F32x4RelaxedNmadd));
                return true;
            case Opcode.F64x2RelaxedMadd:
            case Opcode.F64x2RelaxedNmadd:
                sp -= 2;
                Set(ref s[sp - 1], MulAdd(V<double>(s[sp - 1]), V<double>(s[sp]), V<double>(s[sp + 1]), op.Code == Opcode.F64x2RelaxedNmadd));
                return true;

            // ---- Conversions --------------------------------------------------------------------------
            case Opcode.F32x4DemoteF64x2Zero: Set(ref s[sp - 1], Convert(V<double>(s[sp - 1]), Numerics.F32Demote, 2)); return true;
            case Opcode.F64x2PromoteLowF32x4: Set(ref s[sp - 1], Convert(V<float>(s[sp - 1]), Numerics.F64Promote, 2)); return true;
            case Opcode.I32x4TruncSatF32x4S:
            case Opcode.I32x4RelaxedTruncF32x4S:
                Set(ref s[sp - 1], Convert(V<float>(s[sp - 1]), static x => Numerics.I32TruncSatS(x), 4));
                return true;
            case Opcode.I32x4TruncSatF32x4U:
            case Opcode.I32x4RelaxedTruncF32x4U:
                Set(ref s[sp - 1], Convert(V<float>(s[sp - 1]), static x => Numerics.I32TruncSatU(x), 4));
                return true;
            case Opcode.I32x4TruncSatF64x2SZero:
            case Opcode.I32x4RelaxedTruncF64x2SZero:
                Set(ref s[sp - 1], Convert(V<double>(s[sp - 1]), Numerics.I32TruncSatS, 2));
                return true;
            case Opcode.I32x4TruncSatF64x2UZero:
            case Opcode.I32x4RelaxedTruncF64x2UZero:
                Set(ref s[sp - 1], Convert(V<double>(s[sp - 1]), Numerics.I32TruncSatU, 2));
                return true;
            case Opcode.F32x4ConvertI32x4S: Set(ref s[sp - 1], Convert(V<int>(s[sp - 1]), static x => Numerics.F32ConvertS64(x), 4)); return true;
            case Opcode.F32x4ConvertI32x4U: Set(ref s[sp - 1], Convert(V<uint>(s[sp - 1]), static x => Numerics.F32ConvertU64(x), 4)); return true;
            case Opcode.F64x2ConvertLowI32x4S: Set(ref s[sp - 1], Convert(V<int>(s[sp - 1]), static x => (double)x, 2)); return true;
            case Opcode.F64x2ConvertLowI32x4U: Set(ref s[sp - 1], Convert(V<uint>(s[sp - 1]), static x => (double)x, 2)); return true;
            default:
                return false;
        }
    }
}
