using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using System.Text;

namespace WasmHarness.Jit;

/// <summary>
/// An <see cref="ILGenerator"/> that can also write what it emits as text (one instruction a line, labels as
/// <c>L0:</c>), so the IL of a compiled function can be inspected (<see cref="EngineOptions.JitDumpIl"/>).
/// </summary>
internal sealed class IlWriter(ILGenerator il, bool listing)
{
    private readonly StringBuilder? _text = listing ? new StringBuilder() : null;
    private readonly Dictionary<Label, int> _labelNames = [];

    public ILGenerator Generator { get; } = il;

    /// <summary>The listing, ending with the size of the IL emitted (so equal listings mean equal IL, byte count included).</summary>
    public string Listing => _text is null ? "" : $"{_text}  // IL size {Generator.ILOffset}\n";

    private string Name(Label label)
    {
        if (!_labelNames.TryGetValue(label, out var n))
        {
            n = _labelNames.Count;
            _labelNames[label] = n;
        }
        return $"L{n}";
    }

    // The text of a line is built only while a listing is written (ListingText): otherwise formatting it for every
    // instruction of every function was most of the time spent emitting IL.
    private void Line([InterpolatedStringHandlerArgument("")] ListingText text)
    {
        Instructions++;
        _text?.Append("  ").AppendLine(text.ToStringAndClear());
    }

    /// <summary>IL instructions written so far (RyuJIT stops optimizing a method above 20,000).</summary>
    public int Instructions { get; private set; }

    /// <summary>Loads and stores of locals and arguments written so far (RyuJIT stops optimizing above 8,000).</summary>
    public int LocalReferences { get; private set; }

    /// <summary>
    /// An interpolated string that is formatted only when its writer keeps a listing: without one the compiler skips
    /// every hole, so no argument is even converted to text.
    /// </summary>
    [InterpolatedStringHandler]
    public ref struct ListingText
    {
        private DefaultInterpolatedStringHandler _text;

        public ListingText(int literalLength, int formattedCount, IlWriter writer, out bool enabled)
        {
            enabled = writer._text is not null;
            _text = enabled ? new DefaultInterpolatedStringHandler(literalLength, formattedCount) : default;
        }

        public void AppendLiteral(string value) => _text.AppendLiteral(value);

        public void AppendFormatted<T>(T value) => _text.AppendFormatted(value);

        public string ToStringAndClear() => _text.ToStringAndClear();
    }

    public Label DefineLabel() => Generator.DefineLabel();

    public void Mark(Label label)
    {
        _text?.Append(Name(label)).AppendLine(":");
        Generator.MarkLabel(label);
    }

    public LocalBuilder Local(Type type, string? comment = null)
    {
        var local = Generator.DeclareLocal(type);
        _text?.Append("  .local ").Append(local.LocalIndex).Append(' ').Append(type.Name).AppendLine(comment is null ? "" : $" // {comment}");
        return local;
    }

    public void Emit(OpCode op)
    {
        Line($"{op.Name}");
        Generator.Emit(op);
    }

    public void Emit(OpCode op, int value)
    {
        Line($"{op.Name} {value}");
        if (op == OpCodes.Ldc_I4)
        {
            // The short forms (as ilasm writes them): IL size is one of the measures by which RyuJIT gives up optimizing.
            EmitInt32(value);
            return;
        }
        Generator.Emit(op, value);
    }

    private void EmitInt32(int value)
    {
        switch (value)
        {
            case >= -1 and <= 8:
                Generator.Emit(s_smallConstants[value + 1]);
                break;
            case >= sbyte.MinValue and <= sbyte.MaxValue:
                Generator.Emit(OpCodes.Ldc_I4_S, (sbyte)value);
                break;
            default:
                Generator.Emit(OpCodes.Ldc_I4, value);
                break;
        }
    }

    private static readonly OpCode[] s_smallConstants =
    [
        OpCodes.Ldc_I4_M1, OpCodes.Ldc_I4_0, OpCodes.Ldc_I4_1, OpCodes.Ldc_I4_2, OpCodes.Ldc_I4_3,
        OpCodes.Ldc_I4_4, OpCodes.Ldc_I4_5, OpCodes.Ldc_I4_6, OpCodes.Ldc_I4_7, OpCodes.Ldc_I4_8,
    ];

    public void Emit(OpCode op, long value)
    {
        Line($"{op.Name} {value}");
        if (op == OpCodes.Ldc_I8 && value is >= int.MinValue and <= int.MaxValue)
        {
            // ldc.i4 (short forms) and conv.i8: 2-6 bytes instead of 9, folded back into one constant by RyuJIT.
            EmitInt32((int)value);
            Generator.Emit(OpCodes.Conv_I8);
            return;
        }
        Generator.Emit(op, value);
    }

    public void Emit(OpCode op, float value)
    {
        Line($"{op.Name} {value}");
        Generator.Emit(op, value);
    }

    public void Emit(OpCode op, double value)
    {
        Line($"{op.Name} {value}");
        Generator.Emit(op, value);
    }

    public void Emit(OpCode op, byte value)
    {
        Line($"{op.Name} {value}");
        Generator.Emit(op, value);
    }

    public void Emit(OpCode op, Label label)
    {
        Line($"{op.Name} {Name(label)}");
        Generator.Emit(op, label);
    }

    public void Emit(OpCode op, Label[] labels)
    {
        Line($"{op.Name} ({string.Join(", ", labels.Select(Name))})");
        Generator.Emit(op, labels);
    }

    public void Emit(OpCode op, LocalBuilder local)
    {
        LocalReferences++;
        Line($"{op.Name} {local.LocalIndex}");
        Generator.Emit(op, local);
    }

    public void Emit(OpCode op, Type type)
    {
        Line($"{op.Name} {type.Name}");
        Generator.Emit(op, type);
    }

    public void Emit(OpCode op, FieldInfo field)
    {
        Line($"{op.Name} {field.DeclaringType?.Name}::{field.Name}");
        Generator.Emit(op, field);
    }

    public void Emit(OpCode op, MethodInfo method)
    {
        Line($"{op.Name} {method.DeclaringType?.Name}::{method.Name}");
        Generator.Emit(op, method);
    }

    /// <summary><c>ldarg</c> or <c>starg</c> of argument <paramref name="index"/>, in the short form when it fits.</summary>
    public void Argument(OpCode op, int index)
    {
        LocalReferences++;
        Line($"{op.Name} {index}");
        if (index < 256)
        {
            Generator.Emit(op == OpCodes.Ldarg ? OpCodes.Ldarg_S : op == OpCodes.Starg ? OpCodes.Starg_S : OpCodes.Ldarga_S, (byte)index);
        }
        else
        {
            Generator.Emit(op, (short)index);
        }
    }

    /// <summary><c>calli</c> with the managed calling convention.</summary>
    public void EmitCalli(Type returnType, Type[] parameters)
    {
        Line($"calli {returnType.Name}({string.Join(", ", parameters.Select(p => p.Name))})");
        Generator.EmitCalli(OpCodes.Calli, System.Reflection.CallingConventions.Standard, returnType, parameters, null);
    }

    public void Comment([InterpolatedStringHandlerArgument("")] ListingText text) => _text?.Append("  // ").AppendLine(text.ToStringAndClear());

    /// <summary>Exception blocks open at this point (a branch may not leave one: see <see cref="BeginTry"/>).</summary>
    public int OpenRegions { get; private set; }

    /// <summary>Opens a protected region (<c>.try</c>); the CIL stack must be empty.</summary>
    public void BeginTry()
    {
        OpenRegions++;
        _text?.AppendLine(".try {");
        Generator.BeginExceptionBlock();
    }

    /// <summary>Ends the protected region and opens its filter; the exception object is on the stack, an int32 must be left.</summary>
    public void BeginFilter()
    {
        _text?.AppendLine("} filter {");
        Generator.BeginExceptFilterBlock();
    }

    /// <summary>Opens the handler: after a filter (<paramref name="type"/> null) or a typed catch; the exception object is on the stack.</summary>
    public void BeginHandler(Type? type)
    {
        _text?.AppendLine(type is null ? "} handler {" : $"}} catch {type.Name} {{");
        Generator.BeginCatchBlock(type);
    }

    /// <summary>Closes the exception block (the handler ends with a <c>leave</c> of its own).</summary>
    public void EndTry()
    {
        _text?.AppendLine("}");
        Generator.EndExceptionBlock();
        OpenRegions--;
    }
}
