using System.Reflection.Emit;
using WasmHarness.Execution;
using WasmHarness.Syntax;

namespace WasmHarness.Jit;

/// <summary>
/// Memory and table instructions on any memory or table: 32- or 64-bit addresses (memory64, table64) and any
/// memory index (multi-memory).
/// </summary>
/// <remarks>
/// Memory 0 of 32-bit addresses keeps the fast path: base and length cached in locals (reloaded at entry, after
/// calls and after <c>memory.grow</c>), one comparison per access (<see cref="AccessOperands"/>), bulk operations through helpers with
/// 32-bit operands. Memory 0 with 64-bit addresses uses the same cached base and length with a check that cannot
/// overflow. Any other memory is read from the context at each access (nothing to invalidate). Bulk operations on
/// other memories, and every table instruction, call helpers with 64-bit operands: i32 addresses, indices and counts
/// are zero-extended first, 32-bit results (<c>memory.size</c>, <c>memory.grow</c>, <c>table.size</c>,
/// <c>table.grow</c>) narrowed after.
/// </remarks>
internal sealed partial class FunctionCompiler
{
    private LocalBuilder? _otherMemoryBase;
    private LocalBuilder? _otherMemoryLength;

    /// <summary>True for memory 0 with 32-bit addresses: cached base and length, the single-comparison bounds check.</summary>
    private bool IsFastMemory(uint memory) => memory == 0 && !MemoryIs64(0) && !MemoryIsShared(0);

    /// <summary>
    /// A shared memory may grow on another thread at any time, so its length is read at each access rather than
    /// cached (its base never moves).
    /// </summary>
    private bool MemoryIsShared(uint memory) => _validated.Memories[(int)memory].Limits.Shared;

    private bool MemoryIs64(uint memory) => _validated.Memories[(int)memory].Limits.AddressType == AddressType.I64;

    private bool TableIs64(uint table) => _validated.Tables[(int)table].Limits.AddressType == AddressType.I64;

    /// <summary>
    /// Whether this method spells out the bounds check of each memory-0 access (a compare and a branch to the
    /// method's one out-of-bounds trap) rather than calling <see cref="JitRuntime.Address"/>, decided per method by
    /// <see cref="RegionPlanner.RoomForInlineChecks"/>.
    /// </summary>
    /// <remarks>
    /// Both give the same machine code; what differs is RyuJIT's time and its limits. The helper, inlined at every
    /// access, brings a throw block of its own each time: on Lua 5.5 (23,231 sites) RyuJIT took 2,186 ms of CPU with
    /// the helper everywhere and 1,576 ms with every check branching to one shared trap instead. But branches count
    /// against RyuJIT's 2,000 basic blocks per optimized method, which an inlinee's blocks do not: a method near that
    /// limit keeps the helper, and one that outlines regions (too large already) does too.
    /// </remarks>
    private readonly bool _inlineBoundsChecks;

    /// <summary>
    /// Pops a memory access's operands, the address and then <paramref name="values"/> more (0 or 1: a value to store,
    /// a vector whose lane is replaced), and leaves on the CIL stack the pointer to the accessed bytes followed by the
    /// value; traps unless all <paramref name="width"/> bytes lie in bounds.
    /// </summary>
    private void AccessOperands(MemArg memArg, int width, int values)
    {
        if (IsFastMemory(memArg.Memory) && !_inlineBoundsChecks)
        {
            var kind = Top;
            Pop(1 + values);
            var value = values == 1 ? Temp(kind) : null;
            if (value is not null)
            {
                _il.Emit(OpCodes.Stloc, value);
            }
            CallAddress(memArg.Offset, width);
            if (value is not null)
            {
                _il.Emit(OpCodes.Ldloc, value);
            }
            return;
        }
        // Operands go to their slots: the trap branch needs an empty CIL stack (it may leave for the method's end).
        SpillAll();
        var first = _stack.Count - 1 - values;
        var address = Slot(first, _stack[first]);
        var operand = values == 1 ? Slot(first + 1, _stack[first + 1]) : null;
        _stack.RemoveRange(first, values + 1);
        _cilBase = _stack.Count;
        if (IsFastMemory(memArg.Memory))
        {
            CheckedPointer(address, memArg.Offset, width);
        }
        else
        {
            CheckedPointer64(address, memArg, width);
        }
        if (operand is not null)
        {
            _il.Emit(OpCodes.Ldloc, operand);
        }
    }

    /// <summary>The access through <see cref="JitRuntime.Address"/>, the address on the CIL stack: memory 0, 32-bit addresses.</summary>
    private void CallAddress(ulong offset, int width)
    {
        var address32 = Temp(ValueKind.I32, 9);
        _il.Emit(OpCodes.Stloc, address32);
        _il.Emit(OpCodes.Ldloc, address32);
        _il.Emit(OpCodes.Ldc_I4, unchecked((int)(uint)offset));
        _il.Emit(OpCodes.Ldc_I4, width);
        _il.Emit(OpCodes.Ldloc, _memoryBase!);
        _il.Emit(OpCodes.Ldloc, _memoryLength!);
        _il.Emit(OpCodes.Call, Helper(nameof(JitRuntime.Address)));
    }

    /// <summary>
    /// <see cref="JitRuntime.Address"/>'s check and pointer written out (memory 0, 32-bit addresses): the same test,
    /// <c>address &gt; length - (offset + width)</c> in signed 64-bit arithmetic, whose right side RyuJIT hoists
    /// out of a loop without calls.
    /// </summary>
    private void CheckedPointer(LocalBuilder address, ulong offset, int width)
    {
        _il.Emit(OpCodes.Ldloc, address);
        _il.Emit(OpCodes.Conv_U8);
        _il.Emit(OpCodes.Ldloc, _memoryLength!);
        _il.Emit(OpCodes.Ldc_I8, (long)offset + width);
        _il.Emit(OpCodes.Sub);
        TrapIf(OpCodes.Bgt, OpCodes.Ble, TrapKind.OutOfBoundsMemoryAccess);
        _il.Emit(OpCodes.Ldloc, _memoryBase!);
        _il.Emit(OpCodes.Ldloc, address);
        _il.Emit(OpCodes.Conv_U);
        _il.Emit(OpCodes.Add);
        if (offset != 0)
        {
            _il.Emit(OpCodes.Ldc_I8, (long)offset);
            _il.Emit(OpCodes.Conv_U);
            _il.Emit(OpCodes.Add);
        }
    }

    /// <summary>
    /// The check and pointer of any other access: 64-bit addresses, a shared memory 0 (its length read now), or
    /// another memory (read from the context). In bounds when address &lt;= length and offset + width &lt;= length -
    /// address; offset + width is a constant, saturated at 2^64 - 1 (which no memory reaches), so neither side can overflow.
    /// </summary>
    private void CheckedPointer64(LocalBuilder address, MemArg memArg, int width)
    {
        var offset = memArg.Offset;
        var (memoryBase, length) = memArg.Memory == 0 && !MemoryIsShared(0) ? (_memoryBase!, _memoryLength!) : LoadOtherMemory((int)memArg.Memory);
        var widen = !MemoryIs64(memArg.Memory);
        void LoadAddress()
        {
            _il.Emit(OpCodes.Ldloc, address);
            if (widen)
            {
                _il.Emit(OpCodes.Conv_U8);
            }
        }
        var end = offset > ulong.MaxValue - (ulong)width ? ulong.MaxValue : offset + (ulong)width;
        LoadAddress();
        _il.Emit(OpCodes.Ldloc, length);
        TrapIf(OpCodes.Bgt_Un, OpCodes.Ble_Un, TrapKind.OutOfBoundsMemoryAccess);
        _il.Emit(OpCodes.Ldloc, length);
        LoadAddress();
        _il.Emit(OpCodes.Sub);
        _il.Emit(OpCodes.Ldc_I8, (long)end);
        TrapIf(OpCodes.Blt_Un, OpCodes.Bge_Un, TrapKind.OutOfBoundsMemoryAccess);
        _il.Emit(OpCodes.Ldloc, memoryBase);
        LoadAddress();
        if (offset != 0)
        {
            _il.Emit(OpCodes.Ldc_I8, (long)offset);
            _il.Emit(OpCodes.Add);
        }
        _il.Emit(OpCodes.Conv_U);
        _il.Emit(OpCodes.Add);
    }

    /// <summary>Loads base and length of memory <paramref name="index"/> (not 0) from the context into scratch locals.</summary>
    private (LocalBuilder Base, LocalBuilder Length) LoadOtherMemory(int index)
    {
        var memoryBase = _otherMemoryBase ??= _il.Local(PointerType, "other memory base");
        var length = _otherMemoryLength ??= _il.Local(typeof(ulong), "other memory length");
        LoadMemoryInstance(index);
        _il.Emit(OpCodes.Dup);
        _il.Emit(OpCodes.Ldfld, MemoryData);
        _il.Emit(OpCodes.Stloc, memoryBase);
        _il.Emit(OpCodes.Ldfld, MemoryLength);
        _il.Emit(OpCodes.Stloc, length);
        return (memoryBase, length);
    }

    private void LoadMemoryInstance(int index)
    {
        LoadContext();
        _il.Emit(OpCodes.Ldfld, ContextMemories);
        _il.Emit(OpCodes.Ldc_I4, index);
        _il.Emit(OpCodes.Ldelem_Ref);
    }

    private void EmitLoad(Opcode opcode, MemArg memArg)
    {
        var (width, load, extend, kind) = opcode switch
        {
            Opcode.I32Load => (4, OpCodes.Ldind_I4, (OpCode?)null, ValueKind.I32),
            Opcode.I64Load => (8, OpCodes.Ldind_I8, null, ValueKind.I64),
            Opcode.F32Load => (4, OpCodes.Ldind_R4, null, ValueKind.F32),
            Opcode.F64Load => (8, OpCodes.Ldind_R8, null, ValueKind.F64),
            Opcode.I32Load8s => (1, OpCodes.Ldind_I1, null, ValueKind.I32),
            Opcode.I32Load8u => (1, OpCodes.Ldind_U1, null, ValueKind.I32),
            Opcode.I32Load16s => (2, OpCodes.Ldind_I2, null, ValueKind.I32),
            Opcode.I32Load16u => (2, OpCodes.Ldind_U2, null, ValueKind.I32),
            Opcode.I64Load8s => (1, OpCodes.Ldind_I1, OpCodes.Conv_I8, ValueKind.I64),
            Opcode.I64Load8u => (1, OpCodes.Ldind_U1, OpCodes.Conv_U8, ValueKind.I64),
            Opcode.I64Load16s => (2, OpCodes.Ldind_I2, OpCodes.Conv_I8, ValueKind.I64),
            Opcode.I64Load16u => (2, OpCodes.Ldind_U2, OpCodes.Conv_U8, ValueKind.I64),
            Opcode.I64Load32s => (4, OpCodes.Ldind_I4, OpCodes.Conv_I8, ValueKind.I64),
            Opcode.I64Load32u => (4, OpCodes.Ldind_U4, OpCodes.Conv_U8, ValueKind.I64),
            _ => throw new NotSupportedException(opcode.ToString()),
        };
        AccessOperands(memArg, width, 0);
        if (width > 1)
        {
            _il.Emit(OpCodes.Unaligned, (byte)1);
        }
        _il.Emit(load);
        if (extend is { } conversion)
        {
            _il.Emit(conversion);
        }
        Push(kind);
    }

    private void EmitStore(Opcode opcode, MemArg memArg)
    {
        var (width, store, narrow) = opcode switch
        {
            Opcode.I32Store => (4, OpCodes.Stind_I4, (OpCode?)null),
            Opcode.I64Store => (8, OpCodes.Stind_I8, null),
            Opcode.F32Store => (4, OpCodes.Stind_R4, null),
            Opcode.F64Store => (8, OpCodes.Stind_R8, null),
            Opcode.I32Store8 => (1, OpCodes.Stind_I1, null),
            Opcode.I32Store16 => (2, OpCodes.Stind_I2, null),
            Opcode.I64Store8 => (1, OpCodes.Stind_I1, OpCodes.Conv_I4),
            Opcode.I64Store16 => (2, OpCodes.Stind_I2, OpCodes.Conv_I4),
            Opcode.I64Store32 => (4, OpCodes.Stind_I4, OpCodes.Conv_I4),
            _ => throw new NotSupportedException(opcode.ToString()),
        };
        AccessOperands(memArg, width, 1);
        if (narrow is { } conversion)
        {
            _il.Emit(conversion);
        }
        if (width > 1)
        {
            _il.Emit(OpCodes.Unaligned, (byte)1);
        }
        _il.Emit(store);
    }

    /// <summary>
    /// Pops <paramref name="count"/> operands onto the CIL stack, zero-extending each i32 to i64 except the one at
    /// position <paramref name="keep"/> (a fill value).
    /// </summary>
    private void PopWidened(int count, int keep = -1)
    {
        SpillAll();
        var first = _stack.Count - count;
        for (var i = 0; i < count; i++)
        {
            var kind = _stack[first + i];
            _il.Emit(OpCodes.Ldloc, Slot(first + i, kind));
            if (kind == ValueKind.I32 && i != keep)
            {
                _il.Emit(OpCodes.Conv_U8);
            }
        }
        _stack.RemoveRange(first, count);
        _cilBase = _stack.Count;
    }

    /// <summary>Calls a helper with the context and constant indices after the (widened) operands; pushes its address-typed result.</summary>
    private void CallWide(string helper, bool? result64, params int[] immediates)
    {
        LoadContext();
        foreach (var immediate in immediates)
        {
            _il.Emit(OpCodes.Ldc_I4, immediate);
        }
        _il.Emit(OpCodes.Call, Helper(helper));
        if (result64 is { } is64)
        {
            if (!is64)
            {
                _il.Emit(OpCodes.Conv_I4);
            }
            Push(is64 ? ValueKind.I64 : ValueKind.I32);
        }
    }

    private void EmitMemoryInstruction(Instruction instruction)
    {
        var opcode = instruction.Opcode;
        // memory.init names its data segment first and its memory second; the others name their memory first.
        var memory = opcode == Opcode.MemoryInit ? (int)instruction.SecondIndex : (int)instruction.Index;
        var is64 = MemoryIs64((uint)memory);
        var fast = IsFastMemory((uint)memory) && (opcode != Opcode.MemoryCopy || IsFastMemory(instruction.SecondIndex));
        switch (opcode)
        {
            case Opcode.MemorySize when fast:
                CallHelper(nameof(JitRuntime.MemorySize), 0, ValueKind.I32);
                return;
            case Opcode.MemorySize:
                CallWide(nameof(JitRuntime.MemorySizeAt), is64, memory);
                return;
            case Opcode.MemoryGrow when fast:
                CallHelper(nameof(JitRuntime.MemoryGrow), 1, ValueKind.I32);
                ReloadMemory();
                return;
            case Opcode.MemoryGrow:
                PopWidened(1);
                CallWide(nameof(JitRuntime.MemoryGrowAt), is64, memory);
                if (memory == 0)
                {
                    ReloadMemory();
                }
                return;
            case Opcode.MemoryFill when fast:
                CallHelper(nameof(JitRuntime.MemoryFill), 3, null);
                return;
            case Opcode.MemoryFill:
                PopWidened(3, keep: 1);
                CallWide(nameof(JitRuntime.MemoryFillAt), null, memory);
                return;
            case Opcode.MemoryCopy when fast:
                CallHelper(nameof(JitRuntime.MemoryCopy), 3, null);
                return;
            case Opcode.MemoryCopy:
                PopWidened(3);
                CallWide(nameof(JitRuntime.MemoryCopyAt), null, memory, (int)instruction.SecondIndex);
                return;
            case Opcode.MemoryInit when fast:
                CallHelper(nameof(JitRuntime.MemoryInit), 3, null, (int)instruction.Index);
                return;
            case Opcode.MemoryInit:
                PopWidened(3);
                CallWide(nameof(JitRuntime.MemoryInitAt), null, (int)instruction.Index, memory);
                return;
            default:
                throw new NotSupportedException($"the JIT does not compile {opcode.Name()}");
        }
    }

    private void EmitTableInstruction(Instruction instruction)
    {
        var opcode = instruction.Opcode;
        // table.init names its element segment first and its table second; the others name their table first.
        var table = opcode == Opcode.TableInit ? (int)instruction.SecondIndex : (int)instruction.Index;
        var is64 = TableIs64((uint)table);
        switch (opcode)
        {
            case Opcode.TableGet:
                PopWidened(1);
                CallWide(nameof(JitRuntime.TableGet), null, table);
                Push(ValueKind.Ref);
                return;
            case Opcode.TableSet:
                PopWidened(2);
                CallWide(nameof(JitRuntime.TableSet), null, table);
                return;
            case Opcode.TableSize:
                CallWide(nameof(JitRuntime.TableSize), is64, table);
                return;
            case Opcode.TableGrow:
                PopWidened(2);
                CallWide(nameof(JitRuntime.TableGrow), is64, table);
                return;
            case Opcode.TableFill:
                PopWidened(3);
                CallWide(nameof(JitRuntime.TableFill), null, table);
                return;
            case Opcode.TableCopy:
                PopWidened(3);
                CallWide(nameof(JitRuntime.TableCopy), null, table, (int)instruction.SecondIndex);
                return;
            case Opcode.TableInit:
                PopWidened(3);
                CallWide(nameof(JitRuntime.TableInit), null, (int)instruction.Index, table);
                return;
            default:
                throw new NotSupportedException($"the JIT does not compile {opcode.Name()}");
        }
    }

    /// <summary>
    /// An atomic instruction (threads): the widened address and operands (zeros for the missing ones), then the
    /// context, memory, offset and opcode, for <see cref="JitRuntime.AtomicAt"/>, which runs <see cref="Atomics.Execute"/>:
    /// the same semantics method as the interpreter's.
    /// </summary>
    private void EmitAtomic(Instruction instruction)
    {
        if (instruction.Opcode == Opcode.AtomicFence)
        {
            _il.Emit(OpCodes.Call, Helper(nameof(JitRuntime.AtomicFence)));
            return;
        }
        var info = instruction.Info;
        var result = info.Results is [var kind] ? kind : (ValueKind?)null;
        PopWidened(info.Pops);
        for (var i = info.Pops; i < 3; i++)
        {
            _il.Emit(OpCodes.Ldc_I8, 0L);
        }
        LoadContext();
        _il.Emit(OpCodes.Ldc_I4, (int)instruction.MemArg.Memory);
        _il.Emit(OpCodes.Ldc_I8, (long)instruction.MemArg.Offset);
        _il.Emit(OpCodes.Ldc_I4, (int)instruction.Opcode);
        _il.Emit(OpCodes.Call, Helper(nameof(JitRuntime.AtomicAt)));
        switch (result)
        {
            case null:
                _il.Emit(OpCodes.Pop);
                break;
            case ValueKind.I32:
                _il.Emit(OpCodes.Conv_I4);
                Push(ValueKind.I32);
                break;
            default:
                Push(ValueKind.I64);
                break;
        }
    }
}
