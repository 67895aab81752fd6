using WasmHarness.Oracle;
using FsCheck;
using FsCheck.Fluent;
using WasmHarness.Binary;
using WasmHarness.Generator;
using WasmHarness.Syntax;
using WasmHarness.Validation;

namespace WasmHarness.Differential.Tests;

public class GeneratorTests
{
    [Fact]
    public void Thousands_of_seeds_all_validate()
    {
        for (var seed = 0L; seed < 3000; seed++)
        {
            var module = Campaign.GenerateCase(Campaign.CaseSeed(7, seed), out _);
            foreach (var candidate in ProviderModules.Of(module).Select(p => p.Module).Append(module))
            {
                var exception = Record.Exception(() => ModuleValidator.Validate(candidate));
                Assert.True(exception is null, $"case {seed}: {exception?.Message}");
            }
        }
    }

    [Theory]
    [InlineData(GeneratorProfile.Wasm2)]
    [InlineData(GeneratorProfile.Wasm3)]
    public void Thousands_of_seeds_validate_in_each_profile(GeneratorProfile profile)
    {
        for (var seed = 0L; seed < 3000; seed++)
        {
            var module = Campaign.GenerateCase(Campaign.CaseSeed(13, seed), out _, profile);
            var exception = Record.Exception(() => ModuleValidator.Validate(module));
            Assert.True(exception is null, $"{profile} case {seed}: {exception?.Message}");
        }
    }

    [Fact]
    public void The_wasm3_profile_uses_every_3_0_feature_and_instruction()
    {
        var features = new HashSet<string>();
        var seen = new HashSet<Opcode>();
        var memory64 = 0;
        var twoMemories = 0;
        var tags = 0;
        for (var seed = 0L; seed < 1500; seed++)
        {
            var module = Campaign.GenerateCase(Campaign.CaseSeed(17, seed), out var config, GeneratorProfile.Wasm3);
            features.UnionWith(config.FeatureNames());
            seen.UnionWith(module.Functions.SelectMany(f => f.Body.Instructions).Select(i => i.Opcode));
            memory64 += module.Memories.Any(m => m.Limits.AddressType == AddressType.I64) ? 1 : 0;
            twoMemories += module.Memories.Count > 1 ? 1 : 0;
            tags += module.Tags.Count > 0 ? 1 : 0;
        }
        Assert.Superset(new HashSet<string> { "tail-calls", "function-references", "exceptions", "multi-memory", "memory64", "multi-value", "gc" }, features);
        Assert.Empty(new HashSet<Opcode>
        {
            Opcode.ReturnCall, Opcode.ReturnCallIndirect, Opcode.ReturnCallRef, Opcode.CallRef, Opcode.RefFunc, Opcode.BrOnNull,
            Opcode.RefAsNonNull, Opcode.Throw, Opcode.TryTable, Opcode.ThrowRef,
            Opcode.StructNew, Opcode.StructGet, Opcode.StructSet, Opcode.ArrayNew, Opcode.ArrayGet, Opcode.ArraySet, Opcode.ArrayLen,
            Opcode.RefI31, Opcode.I31GetS, Opcode.I31GetU, Opcode.RefTest, Opcode.RefTestNull, Opcode.RefCast, Opcode.RefCastNull,
            Opcode.BrOnCast, Opcode.RefEq,
        }.Except(seen));
        Assert.True(memory64 > 100 && twoMemories > 100 && tags > 100, $"memory64 {memory64}, two memories {twoMemories}, tags {tags}");
    }

    [Fact]
    public void Gc_references_cross_the_interface_and_live_in_a_table_of_their_own()
    {
        // Since stop 33: GC reference types in signatures and globals, and a table of one of them whose elements the
        // oracle compares; each seen in many cases, and its table.set / table.get / table.grow / table.fill run.
        int signatures = 0, globals = 0, tables = 0, tableSets = 0, tableGrows = 0;
        for (var seed = 0L; seed < 1500; seed++)
        {
            var module = Campaign.GenerateCase(Campaign.CaseSeed(41, seed), out var config, GeneratorProfile.Wasm3);
            if (!config.Gc)
            {
                continue;
            }
            static bool IsGc(ValType type) => type.IsReference && (type.Heap.IsConcrete || Validation.Subtyping.TopOf(type.Heap) == HeapType.Any);
            var definitions = module.TypeDefinitions.ToList();
            signatures += module.Functions.Select(f => definitions[(int)f.TypeIndex].Body).OfType<FunctionType>()
                .Any(t => t.Parameters.Concat(t.Results).Any(IsGc)) ? 1 : 0;
            globals += module.Globals.Any(g => IsGc(g.Type.Type)) ? 1 : 0;
            var gcTable = module.Exports.FirstOrDefault(e => e.Name == ModuleGenerator.GcTableExport);
            if (gcTable is null)
            {
                continue;
            }
            tables++;
            Assert.True(IsGc(module.Tables[(int)gcTable.Index - module.ImportedTableCount].Type.ElementType));
            var body = module.Functions.SelectMany(f => f.Body.Instructions).ToList();
            tableSets += body.Any(i => i.Opcode is Opcode.TableSet or Opcode.TableFill && i.Index == gcTable.Index) ? 1 : 0;
            tableGrows += body.Any(i => i.Opcode == Opcode.TableGrow && i.Index == gcTable.Index) ? 1 : 0;
        }
        Assert.True(signatures > 100 && globals > 50 && tables > 100 && tableSets > 20 && tableGrows > 20,
            $"signatures {signatures}, globals {globals}, tables {tables}, sets {tableSets}, grows {tableGrows}");
    }

    [Fact]
    public void Cases_import_the_providers_tags_and_throw_and_catch_them()
    {
        int importing = 0, throwing = 0, catching = 0;
        for (var seed = 0L; seed < 3000; seed++)
        {
            var module = Campaign.GenerateCase(Campaign.CaseSeed(37, seed), out _, GeneratorProfile.Wasm3);
            var imported = (uint)module.ImportedTagCount;
            if (imported == 0)
            {
                continue;
            }
            importing++;
            var body = module.Functions.SelectMany(f => f.Body.Instructions).ToList();
            throwing += body.Any(i => i.Opcode == Opcode.Throw && i.Index < imported) ? 1 : 0;
            catching += body.Any(i => i.Opcode == Opcode.TryTable && i.Catches.Any(c => c.HasTag && c.Tag < imported)) ? 1 : 0;
        }
        Assert.True(importing > 100 && throwing > 10 && catching > 5, $"importing {importing}, throwing {throwing}, catching {catching}");
    }

    [Fact]
    public void Exnref_stays_inside_functions_and_every_catch_kind_is_drawn()
    {
        var kinds = new HashSet<CatchKind>();
        for (var seed = 0L; seed < 1500; seed++)
        {
            var module = Campaign.GenerateCase(Campaign.CaseSeed(31, seed), out _, GeneratorProfile.Wasm3);
            kinds.UnionWith(module.Functions.SelectMany(f => f.Body.Instructions).Where(i => i.Opcode == Opcode.TryTable).SelectMany(i => i.Catches).Select(c => c.Kind));
            // Never at the interface: no function parameter or result, no global, holds an exnref (engines pass none).
            var definitions = module.TypeDefinitions.ToList();
            var interfaceTypes = module.Functions.Select(f => (FunctionType)definitions[(int)f.TypeIndex].Body).SelectMany(t => t.Parameters.Concat(t.Results))
                .Concat(module.Globals.Select(g => g.Type.Type));
            Assert.DoesNotContain(interfaceTypes, t => t.Kind == ValueKind.Ref && t.Heap == HeapType.Exn);
        }
        Assert.Equal([CatchKind.Catch, CatchKind.CatchRef, CatchKind.CatchAll, CatchKind.CatchAllRef], kinds.Order());
    }

    [Fact]
    public void The_wasm3_profile_draws_threads_wide_arithmetic_and_custom_page_sizes()
    {
        var features = new HashSet<string>();
        var seen = new HashSet<Opcode>();
        var bytePages = 0;
        var shared = 0;
        var waits = 0;
        for (var seed = 0L; seed < 1500; seed++)
        {
            var module = Campaign.GenerateCase(Campaign.CaseSeed(29, seed), out var config, GeneratorProfile.Wasm3);
            features.UnionWith(config.FeatureNames());
            foreach (var body in module.Functions.Select(f => f.Body.Instructions))
            {
                seen.UnionWith(body.Select(i => i.Opcode));
                for (var i = 0; i < body.Count; i++)
                {
                    if (body[i].Opcode is Opcode.MemoryAtomicWait32 or Opcode.MemoryAtomicWait64)
                    {
                        // One thread: a wait with a timeout other than 0 would block (or time out after a delay).
                        Assert.Equal(Instruction.I64Const(0), body[i - 1]);
                        waits++;
                    }
                }
            }
            var opcodes = module.Functions.SelectMany(f => f.Body.Instructions).Select(i => (int)i.Opcode).ToList();
            Assert.True(config.WideArithmetic || !opcodes.Any(o => o is >= 0xFC_0013 and <= 0xFC_0016), $"case {seed}: wide arithmetic without the flag");
            Assert.True(config.Threads || !opcodes.Any(o => o >> 16 == 0xFE), $"case {seed}: an atomic without the flag");
            var memories = module.Memories.Concat(module.ImportsOf(ExternKind.Memory).Select(i => (MemoryType)i.Type)).ToList();
            bytePages += memories.Count(m => m.PageSizeLog2 == 0);
            shared += memories.Count(m => m.Limits.Shared);
            Assert.All(memories, m => Assert.True(!m.Limits.Shared || m.Limits.Max is not null));
            Assert.True(config.CustomPageSizes || memories.All(m => !m.HasCustomPageSize), $"case {seed}: a 1-byte page without the flag");
            Assert.True(config.Threads || memories.All(m => !m.Limits.Shared), $"case {seed}: a shared memory without the flag");
        }
        Assert.Superset(new HashSet<string> { "wide-arithmetic", "custom-page-sizes", "threads" }, features);
        Assert.Empty(new HashSet<Opcode>
        {
            Opcode.I64Add128, Opcode.I64Sub128, Opcode.I64MulWideS, Opcode.I64MulWideU,
            Opcode.AtomicFence, Opcode.MemoryAtomicNotify, Opcode.MemoryAtomicWait32, Opcode.MemoryAtomicWait64,
            Opcode.I32AtomicLoad, Opcode.I64AtomicLoad8u, Opcode.I32AtomicStore, Opcode.I64AtomicStore32,
            Opcode.I32AtomicRmwAdd, Opcode.I64AtomicRmw16XorU, Opcode.I32AtomicRmwCmpxchg, Opcode.I64AtomicRmw32CmpxchgU,
        }.Except(seen));
        Assert.True(bytePages > 50 && shared > 50 && waits > 5, $"1-byte pages {bytePages}, shared {shared}, waits {waits}");
    }

    [Fact]
    public void The_wasm2_profile_draws_no_3_0_feature()
    {
        for (var seed = 0L; seed < 300; seed++)
        {
            var module = Campaign.GenerateCase(Campaign.CaseSeed(19, seed), out var config, GeneratorProfile.Wasm2);
            Assert.False(config.TailCalls || config.FunctionReferences || config.Exceptions || config.MultiMemory || config.Memory64 || config.Gc
                || config.WideArithmetic || config.CustomPageSizes || config.Threads);
            Assert.True(module.Memories.Count <= 1 && module.Tags.Count == 0 && module.Memories.All(m => m.Limits.AddressType == AddressType.I32));
        }
    }

    [Fact]
    public void Wasmtime_accepts_wasm3_modules()
    {
        using var wasmtime = new WasmHarness.Engines.Wasmtime.WasmtimeValidator();
        for (var seed = 0L; seed < 400; seed++)
        {
            var module = Campaign.GenerateCase(Campaign.CaseSeed(23, seed), out _, GeneratorProfile.Wasm3);
            Assert.Null(wasmtime.Validate(ModuleEncoder.Encode(module)));
        }
    }

    [Fact]
    public void Every_input_length_gives_a_valid_module_including_empty()
    {
        for (var length = 0; length < 600; length += 7)
        {
            var module = ModuleGenerator.Generate(Unstructured.FromSeed((ulong)length, length));
            ModuleValidator.Validate(module);
        }
    }

    [Fact]
    public void Arbitrary_bytes_give_a_valid_module() =>
        Prop.ForAll<byte[]>(bytes =>
        {
            ModuleValidator.Validate(ModuleGenerator.Generate(bytes));
            return true;
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void Same_bytes_give_the_same_module()
    {
        for (var seed = 0UL; seed < 200; seed++)
        {
            var a = ModuleEncoder.Encode(ModuleGenerator.Generate(Unstructured.FromSeed(seed, 2048)));
            var b = ModuleEncoder.Encode(ModuleGenerator.Generate(Unstructured.FromSeed(seed, 2048)));
            Assert.Equal(a, b);
        }
    }

    [Fact]
    public void Generated_modules_survive_an_encode_decode_round_trip()
    {
        for (var seed = 0L; seed < 300; seed++)
        {
            var module = Campaign.GenerateCase(Campaign.CaseSeed(3, seed), out _);
            var decoded = ModuleDecoder.Decode(ModuleEncoder.Encode(module));
            Assert.Null(ModuleEquality.FirstDifference(module, decoded));
        }
    }

    [Fact]
    public void Swarm_configurations_vary_and_the_generator_uses_most_instructions()
    {
        var seen = new HashSet<Opcode>();
        var simd = 0;
        for (var seed = 0L; seed < 1500; seed++)
        {
            var module = Campaign.GenerateCase(Campaign.CaseSeed(11, seed), out var config);
            simd += config.Simd ? 1 : 0;
            foreach (var function in module.Functions)
            {
                seen.UnionWith(function.Body.Instructions.Select(i => i.Opcode));
            }
        }
        Assert.InRange(simd, 300, 1400);
        var fixedSeen = OpcodeCatalog.FixedOpcodes.Count(seen.Contains);
        Assert.True(fixedSeen > OpcodeCatalog.FixedOpcodes.Count * 0.9, $"only {fixedSeen} of {OpcodeCatalog.FixedOpcodes.Count} fixed opcodes generated");
        foreach (var opcode in new[] { Opcode.Loop, Opcode.BrTable, Opcode.CallIndirect, Opcode.MemoryFill, Opcode.TableGrow, Opcode.I8x16Shuffle, Opcode.SelectTyped, Opcode.MemoryInit })
        {
            Assert.Contains(opcode, seen);
        }
    }

    [Fact]
    public void Disallow_traps_mode_generates_no_trapping_instruction()
    {
        for (var seed = 0UL; seed < 300; seed++)
        {
            var u = Unstructured.FromSeed(seed, 3000);
            var config = GeneratorConfig.Swarm(u) with { DisallowTraps = true };
            var module = ModuleGenerator.Generate(u, config);
            ModuleValidator.Validate(module);
            var trapping = module.Functions.SelectMany(f => f.Body.Instructions)
                .Where(i => i.Opcode is Opcode.CallIndirect or Opcode.TableGet or Opcode.TableSet or Opcode.MemoryFill or Opcode.MemoryCopy
                    || OpcodeCatalog.Fixed.Any(e => e.Opcode == i.Opcode && e.CanTrap));
            Assert.Empty(trapping);
        }
    }
}
