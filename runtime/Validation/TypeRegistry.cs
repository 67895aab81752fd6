using WasmHarness.Syntax;

namespace WasmHarness.Validation;

/// <summary>The three kinds of composite type.</summary>
public enum CompositeKind : byte
{
    Function,
    Struct,
    Array,
}

/// <summary>
/// A defined type in canonical form (spec: <c>deftype</c>, a projection of a closed recursive type). Two types
/// are equivalent (iso-recursive equivalence) exactly when they are the same <see cref="DefinedType"/> object,
/// that is when they have the same <see cref="Id"/>, within a module and across modules.
/// </summary>
/// <remarks>
/// Canonical types use the same <see cref="ValType"/>/<see cref="HeapType"/> structs as the module model, but
/// a concrete heap type inside <see cref="Body"/> is a canonical id (see <see cref="TypeRegistry.Get(int)"/>),
/// never a module's type index. <see cref="ValidatedModule.ToCanonical(ValType)"/> converts from the module's form.
/// </remarks>
public sealed class DefinedType
{
    internal DefinedType(int id, RecGroup group, int indexInGroup, CompositeType body, DefinedType? supertype, bool final)
    {
        Id = id;
        Group = group;
        IndexInGroup = indexInGroup;
        Body = body;
        Supertype = supertype;
        Final = final;
        Depth = supertype is null ? 0 : supertype.Depth + 1;
        // The display: this type's ancestors indexed by depth, so a subtype check is one array read. Chains longer
        // than the display limit keep no display of their own (memory would grow with the square of the depth);
        // their checks walk up to the nearest type that has one.
        if (Depth < DisplayLimit)
        {
            _display = new DefinedType[Depth + 1];
            supertype?._display!.CopyTo(_display, 0);
            _display[Depth] = this;
        }
        Kind = body switch
        {
            FunctionType => CompositeKind.Function,
            StructType => CompositeKind.Struct,
            _ => CompositeKind.Array,
        };
    }

    /// <summary>The canonical id: a process-wide index into <see cref="TypeRegistry"/>.</summary>
    public int Id { get; }

    /// <summary>The canonical recursive group this type is a member of.</summary>
    public RecGroup Group { get; }

    public int IndexInGroup { get; }

    /// <summary>The composite type, with canonical ids in its concrete heap types.</summary>
    public CompositeType Body { get; }

    /// <summary>The declared supertype, if any (Wasm 3.0 allows at most one).</summary>
    public DefinedType? Supertype { get; }

    public bool Final { get; }

    /// <summary>Length of the supertype chain above this type.</summary>
    public int Depth { get; }

    public CompositeKind Kind { get; }

    /// <summary>This type as a concrete heap type in canonical form.</summary>
    public HeapType HeapType => HeapType.Concrete((uint)Id);

    public FunctionType? AsFunction => Body as FunctionType;

    public StructType? AsStruct => Body as StructType;

    public ArrayType? AsArray => Body as ArrayType;

    /// <summary>Types at most this deep keep a supertype display (wasmparser and the JS API limit depth to 63).</summary>
    public const int DisplayLimit = 64;

    private readonly DefinedType[]? _display;

    /// <summary>
    /// Declared subtyping (reflexive): this type is <paramref name="other"/> or has it on its supertype chain.
    /// O(1) through the supertype display (ancestors indexed by depth); only chains deeper than
    /// <see cref="DisplayLimit"/> walk, and only up to the first ancestor that has a display.
    /// </summary>
    public bool IsSubtypeOf(DefinedType other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }
        var depth = other.Depth;
        if (depth > Depth)
        {
            return false;
        }
        var t = this;
        while (t._display is null && t.Depth > depth)
        {
            t = t.Supertype!;
        }
        return t._display is { } display ? ReferenceEquals(display[depth], other) : ReferenceEquals(t, other);
    }

    public override string ToString() => $"type#{Id} {Body}";
}

/// <summary>A canonical recursive group: its members occupy consecutive canonical ids from <see cref="FirstId"/>.</summary>
public sealed class RecGroup
{
    private readonly List<DefinedType> _types = [];

    internal RecGroup(int firstId) => FirstId = firstId;

    public int FirstId { get; }

    public IReadOnlyList<DefinedType> Types => _types;

    internal void Add(DefinedType type) => _types.Add(type);
}

/// <summary>
/// The process-wide table of canonical types. Each recursive group is interned by its structure, where
/// references to types outside the group are replaced by their canonical ids and references inside the group by
/// relative indices; so two structurally identical groups (spec: equivalent closed recursive types) get the same
/// <see cref="DefinedType"/> objects, in one module or in different modules. Thread-safe; canonical types are
/// never removed.
/// </summary>
public static class TypeRegistry
{
    private static readonly object s_lock = new();
    private static readonly Dictionary<GroupKey, RecGroup> s_groups = [];
    private static DefinedType[] s_types = new DefinedType[256];
    private static int s_count;

    /// <summary>Number of canonical types interned so far.</summary>
    public static int Count => Volatile.Read(ref s_count);

    /// <summary>The canonical type with id <paramref name="id"/>.</summary>
    public static DefinedType Get(int id)
    {
        var types = Volatile.Read(ref s_types);
        return (uint)id < (uint)types.Length && types[id] is { } type
            ? type
            : throw new ArgumentOutOfRangeException(nameof(id), $"no canonical type {id}");
    }

    /// <summary>The canonical type of a concrete heap type in canonical form.</summary>
    public static DefinedType Get(HeapType heap) => Get((int)heap.TypeIndex);

    /// <summary>
    /// Interns a recursive group whose members have the module type indices <paramref name="firstIndex"/> onwards.
    /// <paramref name="resolve"/> gives the canonical type of a module type index below <paramref name="firstIndex"/>.
    /// The caller has checked that every type index in the group is below <paramref name="firstIndex"/> plus the
    /// group's size and that each supertype index is below the index of its subtype.
    /// </summary>
    public static RecGroup Intern(RecursiveType group, uint firstIndex, Func<uint, DefinedType> resolve)
    {
        var key = GroupKey.Create(group, firstIndex, resolve);
        lock (s_lock)
        {
            if (s_groups.TryGetValue(key, out var existing))
            {
                return existing;
            }
            var count = group.Types.Count;
            var firstId = s_count;
            EnsureCapacity(firstId + count);
            var canonical = new RecGroup(firstId);
            HeapType Map(HeapType heap)
            {
                if (heap.IsAbstract)
                {
                    return heap;
                }
                var index = heap.TypeIndex;
                return index >= firstIndex
                    ? HeapType.Concrete((uint)(firstId + (int)(index - firstIndex)))
                    : resolve(index).HeapType;
            }
            for (var i = 0; i < count; i++)
            {
                var sub = group.Types[i];
                DefinedType? super = null;
                if (sub.Supertypes.Count > 0)
                {
                    var superIndex = sub.Supertypes[0];
                    super = superIndex >= firstIndex ? canonical.Types[(int)(superIndex - firstIndex)] : resolve(superIndex);
                }
                var type = new DefinedType(firstId + i, canonical, i, MapComposite(sub.Body, Map), super, sub.Final);
                canonical.Add(type);
                s_types[firstId + i] = type;
            }
            Volatile.Write(ref s_count, firstId + count);
            s_groups.Add(key, canonical);
            return canonical;
        }
    }

    /// <summary>Rewrites the concrete heap types of a value type with <paramref name="map"/>.</summary>
    internal static ValType MapValue(ValType type, Func<HeapType, HeapType> map) =>
        type.Kind == ValueKind.Ref && type.Heap.IsConcrete ? ValType.Ref(map(type.Heap), type.Nullable) : type;

    internal static CompositeType MapComposite(CompositeType body, Func<HeapType, HeapType> map)
    {
        FieldType Field(FieldType f) => new(new StorageType(MapValue(f.Storage.Type, map), f.Storage.Packed), f.Mutable);
        return body switch
        {
            FunctionType f => new FunctionType(f.Parameters.Select(t => MapValue(t, map)).ToArray(), f.Results.Select(t => MapValue(t, map)).ToArray()),
            StructType s => new StructType(s.Fields.Select(Field).ToArray()),
            ArrayType a => new ArrayType(Field(a.Element)),
            _ => throw new ArgumentException($"unknown composite type {body.GetType().Name}", nameof(body)),
        };
    }

    private static void EnsureCapacity(int needed)
    {
        if (needed <= s_types.Length)
        {
            return;
        }
        var bigger = new DefinedType[Math.Max(needed, s_types.Length * 2)];
        Array.Copy(s_types, bigger, s_count);
        Volatile.Write(ref s_types, bigger);
    }

    /// <summary>The structure of a recursive group with external references as canonical ids and internal ones relative.</summary>
    private sealed class GroupKey : IEquatable<GroupKey>
    {
        private readonly long[] _data;
        private readonly int _hash;

        private GroupKey(long[] data)
        {
            _data = data;
            var hash = new HashCode();
            foreach (var item in data)
            {
                hash.Add(item);
            }
            _hash = hash.ToHashCode();
        }

        public static GroupKey Create(RecursiveType group, uint firstIndex, Func<uint, DefinedType> resolve)
        {
            var data = new List<long>(16) { group.Types.Count };
            void Ref(uint index)
            {
                if (index >= firstIndex)
                {
                    data.Add(1);
                    data.Add(index - firstIndex);
                }
                else
                {
                    data.Add(2);
                    data.Add(resolve(index).Id);
                }
            }
            void Value(ValType t)
            {
                data.Add((long)t.Kind);
                if (t.Kind == ValueKind.Ref)
                {
                    data.Add(t.Nullable ? 1 : 0);
                    if (t.Heap.IsAbstract)
                    {
                        data.Add(0);
                        data.Add((long)t.Heap.Kind);
                    }
                    else
                    {
                        Ref(t.Heap.TypeIndex);
                    }
                }
            }
            void Field(FieldType f)
            {
                data.Add((f.Mutable ? 2L : 0L) + ((long)f.Storage.Packed << 2));
                Value(f.Storage.Type);
            }
            foreach (var sub in group.Types)
            {
                data.Add(sub.Final ? 1 : 0);
                data.Add(sub.Supertypes.Count);
                foreach (var super in sub.Supertypes)
                {
                    Ref(super);
                }
                switch (sub.Body)
                {
                    case FunctionType f:
                        data.Add(10);
                        data.Add(f.Parameters.Count);
                        data.Add(f.Results.Count);
                        foreach (var t in f.Parameters)
                        {
                            Value(t);
                        }
                        foreach (var t in f.Results)
                        {
                            Value(t);
                        }
                        break;
                    case StructType s:
                        data.Add(11);
                        data.Add(s.Fields.Count);
                        foreach (var f in s.Fields)
                        {
                            Field(f);
                        }
                        break;
                    case ArrayType a:
                        data.Add(12);
                        Field(a.Element);
                        break;
                    default:
                        throw new ArgumentException($"unknown composite type {sub.Body.GetType().Name}", nameof(group));
                }
            }
            return new GroupKey([.. data]);
        }

        public bool Equals(GroupKey? other) => other is not null && _hash == other._hash && _data.AsSpan().SequenceEqual(other._data);

        public override bool Equals(object? obj) => Equals(obj as GroupKey);

        public override int GetHashCode() => _hash;
    }
}
