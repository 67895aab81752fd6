using WasmHarness.Syntax;
using WasmHarness.Validation;

namespace WasmHarness.Tests.Validation;

/// <summary>Small helpers to build modules by hand for validator tests.</summary>
internal static class ValidationTestKit
{
    public static readonly ValType I32 = ValType.I32;
    public static readonly ValType I64 = ValType.I64;
    public static readonly ValType F32 = ValType.F32;
    public static readonly ValType F64 = ValType.F64;
    public static readonly ValType Vec = ValType.V128;

    public static FunctionType Sig(ValType[] parameters, ValType[] results) => new(parameters, results);

    public static ValType Ref(uint typeIndex, bool nullable = false) => ValType.Ref(HeapType.Concrete(typeIndex), nullable);

    public static Instruction Op(Opcode opcode) => Instruction.Simple(opcode);

    public static Instruction Op(Opcode opcode, uint index) => Instruction.WithIndex(opcode, index);

    public static Instruction Op(Opcode opcode, uint first, uint second) => Instruction.WithIndices(opcode, first, second);

    public static Instruction I32Const(int value = 0) => Instruction.I32Const(value);

    public static Instruction I64Const(long value = 0) => Instruction.I64Const(value);

    public static Instruction Block(Opcode opcode, BlockType type) => Instruction.Block(opcode, type);

    public static Instruction Block(Opcode opcode) => Instruction.Block(opcode, BlockType.Empty);

    public static Instruction Block(Opcode opcode, ValType result) => Instruction.Block(opcode, BlockType.Value(result));

    public static Instruction End => Instruction.Simple(Opcode.End);

    public static Instruction Mem(Opcode opcode, uint align, ulong offset = 0, uint memory = 0) =>
        Instruction.Memory(opcode, new MemArg(align, offset, memory));

    /// <summary>Adds a type (a recursive group of one) and returns its index.</summary>
    public static uint AddType(this Module module, CompositeType body, uint[]? supertypes = null, bool final = true)
    {
        var index = (uint)module.TypeDefinitions.Count();
        module.Types.Add(new RecursiveType([new SubType(body, supertypes, final)]));
        return index;
    }

    /// <summary>Adds a recursive group and returns the index of its first type.</summary>
    public static uint AddRecGroup(this Module module, params SubType[] types)
    {
        var index = (uint)module.TypeDefinitions.Count();
        module.Types.Add(new RecursiveType(types));
        return index;
    }

    /// <summary>Adds a function whose body is <paramref name="body"/> followed by <c>end</c>; returns its function index.</summary>
    public static uint AddFunc(this Module module, uint typeIndex, ValType[] locals, params Instruction[] body)
    {
        var index = (uint)(module.ImportedFunctionCount + module.Functions.Count);
        module.Functions.Add(new Function(typeIndex, locals.Select(t => new LocalGroup(1, t)).ToArray(), new Expression([.. body, End])));
        return index;
    }

    /// <summary>A module with one function of type <paramref name="type"/> and the given body.</summary>
    public static Module Func(FunctionType type, params Instruction[] body) => Func(type, [], body);

    public static Module Func(FunctionType type, ValType[] locals, params Instruction[] body)
    {
        var module = new Module();
        var typeIndex = module.AddType(type);
        module.AddFunc(typeIndex, locals, body);
        return module;
    }

    /// <summary>A module with a memory and one function <c>[] -> results</c>.</summary>
    public static Module WithMemory(Module module, AddressType addressType = AddressType.I32)
    {
        module.Memories.Add(new MemoryType(new Limits(1, null, addressType)));
        return module;
    }

    public static ValidatedModule Valid(Module module) => ModuleValidator.Validate(module);

    /// <summary>Asserts the module is invalid with exactly <paramref name="reason"/>.</summary>
    public static InvalidModuleException Invalid(Module module, string reason)
    {
        var e = Assert.Throws<InvalidModuleException>(() => ModuleValidator.Validate(module));
        Assert.Equal(reason, e.Reason);
        return e;
    }

    /// <summary>Asserts the module is invalid with a reason that starts with <paramref name="prefix"/> (as the suite compares).</summary>
    public static InvalidModuleException InvalidPrefix(Module module, string prefix)
    {
        var e = Assert.Throws<InvalidModuleException>(() => ModuleValidator.Validate(module));
        Assert.StartsWith(prefix, e.Reason, StringComparison.Ordinal);
        return e;
    }
}
