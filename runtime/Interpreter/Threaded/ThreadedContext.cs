using WasmHarness.Execution;

namespace WasmHarness.Interpreter.Threaded;

/// <summary>
/// What a handler needs besides its op and the stack: the machine (frames, limits), the running function's instance
/// and its memory 0. One per instance (a store has one machine), made on the first threaded call into the instance;
/// a call into another instance's function passes that instance's context.
/// </summary>
internal sealed class ThreadedContext(ThreadedMachine machine, ModuleInstance instance, int id)
{
    public readonly ThreadedMachine Machine = machine;

    /// <summary>This context's number in <see cref="ThreadedMachine.Contexts"/>, which frames record instead of a reference.</summary>
    public readonly int Id = id;
    public readonly ModuleInstance Instance = instance;
    public readonly Store Store = instance.Store;

    /// <summary>Memory 0, if any: the only memory threaded code accesses (<see cref="Threader"/> refuses others).</summary>
    public readonly MemoryInstance? Memory = instance.Memories.Length > 0 ? instance.Memories[0] : null;
}
