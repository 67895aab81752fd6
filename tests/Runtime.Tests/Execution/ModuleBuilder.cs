using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Tests.Execution;

/// <summary>Builds small test modules through the model's constructors (until the text parser lands).</summary>
internal sealed class ModuleBuilder
{
    public Module Module { get; } = new();

    public static Instruction I(Opcode opcode) => Instruction.Simple(opcode);

    public static Instruction I(Opcode opcode, uint index) => Instruction.WithIndex(opcode, index);

    public static Instruction I32(int value) => Instruction.I32Const(value);

    public static Instruction I64(long value) => Instruction.I64Const(value);

    public static Instruction F32(float value) => Instruction.F32Const(BitConverter.SingleToUInt32Bits(value));

    public static Instruction F64(double value) => Instruction.F64Const(BitConverter.DoubleToUInt64Bits(value));

    public static Instruction Mem(Opcode opcode, ulong offset = 0, uint memory = 0) => Instruction.Memory(opcode, new MemArg(0, offset, memory));

    public static Instruction Block(Opcode opcode, BlockType? type = null) => Instruction.Block(opcode, type ?? BlockType.Empty);

    public uint Type(ValType[] parameters, ValType[] results)
    {
        var type = new FunctionType(parameters, results);
        var index = (uint)Module.TypeDefinitions.Count();
        Module.Types.Add(new RecursiveType([new SubType(type)]));
        return index;
    }

    /// <summary>Adds a function (and exports it when <paramref name="export"/> is given); returns its index.</summary>
    public uint Func(ValType[] parameters, ValType[] results, Instruction[] body, string? export = null, ValType[]? locals = null)
    {
        var type = Type(parameters, results);
        var index = (uint)(Module.ImportedFunctionCount + Module.Functions.Count);
        Module.Functions.Add(new Function(type, [.. (locals ?? []).Select(l => new LocalGroup(1, l))], new Expression([.. body, I(Opcode.End)])));
        if (export is not null)
        {
            Module.Exports.Add(new Export(export, ExternKind.Function, index));
        }
        return index;
    }

    public uint Memory(ulong min, ulong? max = null, bool is64 = false, string? export = null)
    {
        var index = (uint)(Module.ImportedMemoryCount + Module.Memories.Count);
        Module.Memories.Add(new MemoryType(new Limits(min, max, is64 ? AddressType.I64 : AddressType.I32)));
        if (export is not null)
        {
            Module.Exports.Add(new Export(export, ExternKind.Memory, index));
        }
        return index;
    }

    public ModuleInstance Instantiate(EngineOptions? options = null, Linker? linker = null)
    {
        var engine = new Engine(options);
        return CompiledModule.Compile(engine, Module).Instantiate(new Store(engine), linker);
    }

    /// <summary>One function <c>f</c> of the given type and body, instantiated.</summary>
    public static FunctionInstance Single(ValType[] parameters, ValType[] results, params Instruction[] body)
    {
        var builder = new ModuleBuilder();
        builder.Func(parameters, results, body, "f");
        return builder.Instantiate().GetFunction("f");
    }
}
