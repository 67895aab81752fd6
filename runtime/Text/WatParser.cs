using WasmHarness.Syntax;

namespace WasmHarness.Text;

/// <summary>Parses the text format of modules (WAT) into the <see cref="Module"/> model.</summary>
public static class WatParser
{
    /// <summary>
    /// Parses <c>(module $id? field*)</c>, or a sequence of module fields (the form inside <c>(module quote ...)</c>).
    /// Names are resolved to indices; implicit type definitions are appended to the type section as the spec says.
    /// </summary>
    /// <exception cref="TextFormatException">The text is malformed; <see cref="WasmException.Reason"/> is the spec's message.</exception>
    public static Module ParseModule(string text, string? fileName = null)
    {
        var (tokens, annotations) = Lexer.Tokenize(text, fileName);
        var stream = new TokenStream(tokens, annotations, fileName);
        Module module;
        if (stream.IsParen("module"))
        {
            var end = stream.MatchingParen(stream.Position);
            stream.Position += 2;
            var id = stream.TryId();
            module = new ModuleParser(stream, end).Parse();
            module.Name ??= id?.Name;
            stream.ExpectRParen();
        }
        else
        {
            module = new ModuleParser(stream, stream.Count - 1).Parse();
        }
        stream.Expect(TokenKind.Eof);
        return module;
    }

    /// <summary>Parses module text given as bytes (UTF-8; bytes that are not are reported where they matter).</summary>
    public static Module ParseModule(ReadOnlySpan<byte> utf8, string? fileName = null) => ParseModule(Utf8Text.Decode(utf8), fileName);
}

/// <summary>A space of indices with symbolic names (spec: identifier context).</summary>
internal sealed class NameSpace(string category)
{
    private readonly Dictionary<string, uint> _names = new(StringComparer.Ordinal);

    public string Category { get; } = category;

    public uint Count { get; private set; }

    public uint Bind(Token? id, TokenStream stream)
    {
        var index = Count++;
        if (id is not null)
        {
            if (_names.ContainsKey(id.Name!))
            {
                stream.Defer(id, $"duplicate {Category} ${id.Name}");
            }
            else
            {
                _names[id.Name!] = index;
            }
        }
        return index;
    }

    public uint Anonymous(uint count = 1)
    {
        var index = Count;
        Count += count;
        return index;
    }

    public bool TryGet(string name, out uint index) => _names.TryGetValue(name, out index);

    public uint Resolve(Token token, TokenStream stream)
    {
        if (token.Kind == TokenKind.Nat)
        {
            if (!NumberLiterals.TryParseNat(token.Text, 32, out var value))
            {
                stream.Defer(token, "i32 constant out of range");
            }
            return (uint)value;
        }
        if (token.Kind == TokenKind.Id)
        {
            if (_names.TryGetValue(token.Name!, out var index))
            {
                return index;
            }
            stream.Defer(token, $"unknown {Category} ${token.Name}");
            return 0;
        }
        throw stream.Unexpected(token);
    }
}

/// <summary>Parses the fields of one module, in the three phases of the spec's identifier context.</summary>
internal sealed partial class ModuleParser
{
    private readonly TokenStream _s;
    private readonly int _end;
    private readonly Module _m = new();

    private readonly NameSpace _types = new("type");
    private readonly NameSpace _funcs = new("function");
    private readonly NameSpace _tables = new("table");
    private readonly NameSpace _memories = new("memory");
    private readonly NameSpace _globals = new("global");
    private readonly NameSpace _tags = new("tag");
    private readonly NameSpace _elems = new("elem segment");
    private readonly NameSpace _datas = new("data segment");

    /// <summary>Every type definition so far, flattened, with whether it is alone in its recursive group.</summary>
    private readonly List<(SubType Type, bool Singleton)> _typeList = [];

    /// <summary>Field names of each type, by type index.</summary>
    private readonly List<Dictionary<string, uint>> _fieldNames = [];

    private readonly List<Field> _fields = [];

    private sealed record Field(int Start, int End, string Keyword, uint Index, uint ExtraIndex);

    public ModuleParser(TokenStream stream, int end)
    {
        _s = stream;
        _end = end;
    }

    public Module Parse()
    {
        _s.Pending = null;
        var fieldsStart = _s.Position;
        CollectFields();
        var afterFields = _s.Position;
        foreach (var field in _fields.Where(f => f.Keyword is "type" or "rec"))
        {
            _s.Position = field.Start;
            ParseTypeField();
        }
        foreach (var field in _fields)
        {
            _s.Position = field.Start;
            ParseField(field);
            if (_s.Position != field.End + 1)
            {
                throw _s.Unexpected();
            }
        }
        if (_s.Pending is { } pending)
        {
            _s.Pending = null;
            throw pending;
        }
        ApplyAnnotations(fieldsStart);
        // The text format has no data count section: the module has one where its code names a data segment
        // (memory.init, data.drop, array.new_data, array.init_data), as the spec's reference encoder does.
        if (_m.Functions.Any(f => f.Body.Instructions.Any(i => i.Info.Immediates.NamesDataSegment())))
        {
            _m.DataCount = (uint)_m.Data.Count;
        }
        AddCustomSections();
        _s.Position = afterFields;
        return _m;
    }

    // ---- Phase 1: bind the names of every field ------------------------------------------------------------

    private void CollectFields()
    {
        string? lastDefinition = null;
        var hasStart = false;
        while (_s.Position < _end && _s.PeekAt(0).Kind == TokenKind.LParen)
        {
            var start = _s.Position;
            var end = _s.MatchingParen(start);
            var keywordToken = _s.PeekAt(1);
            if (keywordToken.Kind != TokenKind.Keyword)
            {
                _s.Position++;
                throw _s.Unexpected(keywordToken);
            }
            var keyword = keywordToken.Text;
            var id = _s.PeekAt(2).Kind == TokenKind.Id ? _s.PeekAt(2) : null;
            uint index = 0, extra = uint.MaxValue;
            switch (keyword)
            {
                case "type":
                    index = _types.Bind(id, _s);
                    _fieldNames.Add([]);
                    break;
                case "rec":
                    for (var i = start + 2; i < end; i = _s.MatchingParen(i) + 1)
                    {
                        if (_s[i].Kind != TokenKind.LParen || _s[i + 1].Text != "type")
                        {
                            break;
                        }
                        _types.Bind(_s[i + 2].Kind == TokenKind.Id ? _s[i + 2] : null, _s);
                        _fieldNames.Add([]);
                    }
                    break;
                case "func" or "table" or "memory" or "global" or "tag":
                    {
                        var space = SpaceOf(keyword);
                        index = space.Bind(id, _s);
                        var isImport = HasInlineImport(start + (id is null ? 2 : 3), end);
                        if (isImport)
                        {
                            if (lastDefinition is not null)
                            {
                                _s.Defer(keywordToken, $"import after {lastDefinition} definition");
                            }
                        }
                        else
                        {
                            lastDefinition = space.Category;
                            if (keyword == "table" && HasInlineSegment(start, end, "elem"))
                            {
                                extra = _elems.Anonymous();
                            }
                            else if (keyword == "memory" && HasInlineSegment(start, end, "data"))
                            {
                                extra = _datas.Anonymous();
                            }
                        }
                        break;
                    }
                case "import":
                    {
                        if (lastDefinition is not null)
                        {
                            _s.Defer(keywordToken, $"import after {lastDefinition} definition");
                        }
                        var i = start + 2;
                        while (_s[i].Kind == TokenKind.String)
                        {
                            i++;
                        }
                        if (_s[i].Kind == TokenKind.LParen && _s[i + 1].Kind == TokenKind.Keyword &&
                            _s[i + 1].Text is "func" or "table" or "memory" or "global" or "tag")
                        {
                            index = SpaceOf(_s[i + 1].Text).Bind(_s[i + 2].Kind == TokenKind.Id ? _s[i + 2] : null, _s);
                        }
                        break;
                    }
                case "elem":
                    index = _elems.Bind(id, _s);
                    break;
                case "data":
                    index = _datas.Bind(id, _s);
                    break;
                case "start":
                    if (hasStart)
                    {
                        _s.Defer(keywordToken, "multiple start sections");
                    }
                    hasStart = true;
                    break;
                case "export":
                    break;
                default:
                    _s.Position++;
                    throw _s.Unexpected(keywordToken);
            }
            _fields.Add(new Field(start, end, keyword, index, extra));
            _s.Position = end + 1;
        }
        if (_s.Position < _end || _s.PeekAt(0).Kind != TokenKind.RParen && _s.PeekAt(0).Kind != TokenKind.Eof)
        {
            throw _s.Unexpected(_s.Peek());
        }
    }

    private bool HasInlineImport(int i, int end)
    {
        while (i < end && _s[i].Kind == TokenKind.LParen)
        {
            var keyword = _s[i + 1].Text;
            if (keyword == "import")
            {
                return true;
            }
            if (keyword != "export")
            {
                return false;
            }
            i = _s.MatchingParen(i) + 1;
        }
        return false;
    }

    private bool HasInlineSegment(int start, int end, string keyword)
    {
        for (var i = start + 2; i < end; i++)
        {
            if (_s[i].Kind == TokenKind.LParen)
            {
                if (_s[i + 1].Text == keyword)
                {
                    return true;
                }
                i = _s.MatchingParen(i);
            }
        }
        return false;
    }

    private NameSpace SpaceOf(string keyword) => keyword switch
    {
        "func" => _funcs,
        "table" => _tables,
        "memory" => _memories,
        "global" => _globals,
        _ => _tags,
    };

    // ---- Phase 2: type definitions -----------------------------------------------------------------------------

    private void ParseTypeField()
    {
        if (_s.IsParen("rec"))
        {
            _s.Position += 2;
            var members = new List<SubType>();
            var first = (uint)_typeList.Count;
            while (_s.IsParen("type"))
            {
                members.Add(ParseTypeDefinition(first + (uint)members.Count));
            }
            _s.ExpectRParen();
            _m.Types.Add(new RecursiveType(members));
            foreach (var member in members)
            {
                _typeList.Add((member, members.Count == 1));
            }
        }
        else
        {
            var type = ParseTypeDefinition((uint)_typeList.Count);
            _m.Types.Add(new RecursiveType([type]));
            _typeList.Add((type, true));
        }
    }

    private SubType ParseTypeDefinition(uint index)
    {
        _s.ExpectParen("type");
        _s.TryId();
        SubType result;
        if (_s.IsParen("sub"))
        {
            _s.Position += 2;
            var final = _s.TryKeyword("final");
            var supers = new List<uint>();
            while (_s.IsKind(TokenKind.Nat) || _s.IsKind(TokenKind.Id))
            {
                supers.Add(_types.Resolve(_s.Next(), _s));
            }
            var body = ParseCompositeType(index);
            _s.ExpectRParen();
            result = new SubType(body, supers, final);
        }
        else
        {
            result = new SubType(ParseCompositeType(index));
        }
        _s.ExpectRParen();
        return result;
    }

    private CompositeType ParseCompositeType(uint index)
    {
        _s.Expect(TokenKind.LParen);
        var keyword = _s.Next();
        CompositeType result;
        switch (keyword.Kind == TokenKind.Keyword ? keyword.Text : "")
        {
            case "func":
                {
                    var (parameters, _, results) = ParseFunctionSignature(allowNames: true);
                    result = new FunctionType(parameters, results);
                    break;
                }
            case "struct":
                {
                    var fields = new List<FieldType>();
                    var names = index < _fieldNames.Count ? _fieldNames[(int)index] : [];
                    while (_s.IsParen("field"))
                    {
                        _s.Position += 2;
                        if (_s.TryId() is { } id)
                        {
                            if (!names.TryAdd(id.Name!, (uint)fields.Count))
                            {
                                _s.Defer(id, $"duplicate field ${id.Name}");
                            }
                            fields.Add(ParseFieldType());
                        }
                        else
                        {
                            while (!_s.IsKind(TokenKind.RParen))
                            {
                                fields.Add(ParseFieldType());
                            }
                        }
                        _s.ExpectRParen();
                    }
                    result = new StructType(fields);
                    break;
                }
            case "array":
                result = new ArrayType(ParseFieldType());
                break;
            default:
                throw _s.Unexpected(keyword);
        }
        _s.ExpectRParen();
        return result;
    }

    private FieldType ParseFieldType()
    {
        if (_s.IsParen("mut"))
        {
            _s.Position += 2;
            var storage = ParseStorageType();
            _s.ExpectRParen();
            return new FieldType(storage, true);
        }
        return new FieldType(ParseStorageType(), false);
    }

    private StorageType ParseStorageType()
    {
        if (_s.TryKeyword("i8"))
        {
            return StorageType.I8;
        }
        if (_s.TryKeyword("i16"))
        {
            return StorageType.I16;
        }
        return new StorageType(ParseValueType());
    }

    // ---- Types ---------------------------------------------------------------------------------------------

    public ValType ParseValueType()
    {
        var token = _s.Peek();
        if (token.Kind == TokenKind.Keyword)
        {
            ValType? type = token.Text switch
            {
                "i32" => ValType.I32,
                "i64" => ValType.I64,
                "f32" => ValType.F32,
                "f64" => ValType.F64,
                "v128" => ValType.V128,
                _ => AbbreviatedRefType(token.Text),
            };
            if (type is { } value)
            {
                _s.Position++;
                return value;
            }
        }
        if (_s.IsParen("ref"))
        {
            return ParseRefType();
        }
        throw _s.Unexpected(token);
    }

    private static ValType? AbbreviatedRefType(string keyword) => keyword switch
    {
        "funcref" => ValType.FuncRef,
        "externref" => ValType.ExternRef,
        "anyref" => ValType.AnyRef,
        "eqref" => ValType.EqRef,
        "i31ref" => ValType.I31Ref,
        "structref" => ValType.StructRef,
        "arrayref" => ValType.ArrayRef,
        "exnref" => ValType.ExnRef,
        "nullref" => ValType.NullRef,
        "nullfuncref" => ValType.NullFuncRef,
        "nullexternref" => ValType.NullExternRef,
        "nullexnref" => ValType.NullExnRef,
        _ => null,
    };

    /// <summary>A reference type: an abbreviation such as <c>funcref</c> or <c>(ref null? heaptype)</c>.</summary>
    public ValType ParseRefType()
    {
        var token = _s.Peek();
        if (token.Kind == TokenKind.Keyword && AbbreviatedRefType(token.Text) is { } abbreviated)
        {
            _s.Position++;
            return abbreviated;
        }
        _s.ExpectParen("ref");
        var nullable = _s.TryKeyword("null");
        var heap = ParseHeapType();
        _s.ExpectRParen();
        return ValType.Ref(heap, nullable);
    }

    public HeapType ParseHeapType()
    {
        var token = _s.Next();
        if (token.Kind == TokenKind.Keyword)
        {
            var heap = AbstractHeapType(token.Text);
            if (heap is { } value)
            {
                return value;
            }
        }
        if (token.Kind is TokenKind.Nat or TokenKind.Id)
        {
            return ConcreteHeapType(_types.Resolve(token, _s), token);
        }
        throw _s.Unexpected(token);
    }

    internal static HeapType? AbstractHeapType(string keyword) => keyword switch
    {
        "func" => HeapType.Func,
        "extern" => HeapType.Extern,
        "any" => HeapType.Any,
        "eq" => HeapType.Eq,
        "i31" => HeapType.I31,
        "struct" => HeapType.Struct,
        "array" => HeapType.Array,
        "exn" => HeapType.Exn,
        "none" => HeapType.None,
        "nofunc" => HeapType.NoFunc,
        "noextern" => HeapType.NoExtern,
        "noexn" => HeapType.NoExn,
        _ => null,
    };

    private HeapType ConcreteHeapType(uint index, Token token) =>
        index <= int.MaxValue ? HeapType.Concrete(index) : throw _s.Error(token, $"unknown type {index}");

    /// <summary><c>(param ...)* (result ...)*</c>; named parameters only where <paramref name="allowNames"/>.</summary>
    private (List<ValType> Params, List<Token?> Names, List<ValType> Results) ParseFunctionSignature(bool allowNames)
    {
        var parameters = new List<ValType>();
        var names = new List<Token?>();
        var results = new List<ValType>();
        while (_s.IsParen("param"))
        {
            _s.Position += 2;
            if (allowNames && _s.IsKind(TokenKind.Id))
            {
                names.Add(_s.Next());
                parameters.Add(ParseValueType());
            }
            else
            {
                while (!_s.IsKind(TokenKind.RParen))
                {
                    parameters.Add(ParseValueType());
                    names.Add(null);
                }
            }
            _s.ExpectRParen();
        }
        while (_s.IsParen("result"))
        {
            _s.Position += 2;
            while (!_s.IsKind(TokenKind.RParen))
            {
                results.Add(ParseValueType());
            }
            _s.ExpectRParen();
        }
        if (_s.IsParen("param") || _s.IsParen("type"))
        {
            throw _s.Unexpected(_s.PeekAt(1));
        }
        return (parameters, names, results);
    }

    /// <summary>A type use: <c>(type x)? (param ...)* (result ...)*</c>, resolved to a type index.</summary>
    private (uint TypeIndex, List<Token?> ParamNames, int ParamCount) ParseTypeUse(bool allowNames)
    {
        uint? explicitIndex = null;
        Token? typeToken = null;
        if (_s.IsParen("type"))
        {
            _s.Position += 2;
            typeToken = _s.Next();
            explicitIndex = _types.Resolve(typeToken, _s);
            _s.ExpectRParen();
        }
        var (parameters, names, results) = ParseFunctionSignature(allowNames);
        if (explicitIndex is { } index)
        {
            if (parameters.Count > 0 || results.Count > 0)
            {
                if (index >= _typeList.Count)
                {
                    _s.Defer(typeToken!, $"unknown type {index}");
                }
                else if (FunctionTypeAt(index) is not { } type)
                {
                    _s.Defer(typeToken!, $"non-function type {index}");
                }
                else if (!type.Equals(new FunctionType(parameters, results)))
                {
                    _s.Defer(typeToken!, "inline function type does not match explicit type");
                }
                return (index, names, parameters.Count);
            }
            return (index, names, FunctionTypeAt(index)?.Parameters.Count ?? -1);
        }
        return (InlineFunctionType(parameters, results), names, parameters.Count);
    }

    private FunctionType? FunctionTypeAt(uint index) =>
        index < _typeList.Count ? _typeList[(int)index].Type.Body as FunctionType : null;

    /// <summary>The index of the first singleton, final function type equal to [params] -> [results], appending one if there is none.</summary>
    private uint InlineFunctionType(List<ValType> parameters, List<ValType> results)
    {
        var type = new FunctionType(parameters, results);
        for (var i = 0; i < _typeList.Count; i++)
        {
            var (sub, singleton) = _typeList[i];
            if (singleton && sub.Final && sub.Supertypes.Count == 0 && sub.Body is FunctionType f && f.Equals(type))
            {
                return (uint)i;
            }
        }
        var definition = new SubType(type);
        _m.Types.Add(new RecursiveType([definition]));
        _typeList.Add((definition, true));
        _fieldNames.Add([]);
        _types.Anonymous();
        return (uint)(_typeList.Count - 1);
    }

    private Limits ParseLimits(AddressType addressType)
    {
        var min = _s.Nat64();
        ulong? max = null;
        if (_s.IsKind(TokenKind.Nat))
        {
            max = _s.Nat64();
        }
        return new Limits(min, max, addressType);
    }

    private AddressType ParseAddressType()
    {
        if (_s.TryKeyword("i64"))
        {
            return AddressType.I64;
        }
        _s.TryKeyword("i32");
        return AddressType.I32;
    }

    private TableType ParseTableType()
    {
        var addressType = ParseAddressType();
        var limits = ParseLimits(addressType);
        return new TableType(limits, ParseRefType());
    }

    private MemoryType ParseMemoryType()
    {
        var addressType = ParseAddressType();
        return new MemoryType(ParseMemoryLimits(addressType), ParsePageSize());
    }

    /// <summary>A memory's limits and the threads proposal's <c>shared</c> keyword after them.</summary>
    private Limits ParseMemoryLimits(AddressType addressType)
    {
        var limits = ParseLimits(addressType);
        return _s.TryKeyword("shared") ? limits with { Shared = true } : limits;
    }

    /// <summary>
    /// An optional <c>(pagesize N)</c> (custom-page-sizes), as the log2 of N: N must be a power of two (malformed
    /// otherwise); whether it is an allowed one (1 or 65536) is the validator's rule.
    /// </summary>
    private int ParsePageSize()
    {
        if (!_s.IsParen("pagesize"))
        {
            return MemoryType.DefaultPageSizeLog2;
        }
        _s.Position += 2;
        var token = _s.Peek();
        var size = _s.Nat64();
        if (!System.Numerics.BitOperations.IsPow2(size))
        {
            throw _s.Error(token, "invalid custom page size");
        }
        _s.ExpectRParen();
        return System.Numerics.BitOperations.Log2(size);
    }

    private GlobalType ParseGlobalType()
    {
        if (_s.IsParen("mut"))
        {
            _s.Position += 2;
            var type = ParseValueType();
            _s.ExpectRParen();
            return new GlobalType(type, true);
        }
        return new GlobalType(ParseValueType(), false);
    }

    // ---- Phase 3: everything else --------------------------------------------------------------------------

    private void ParseField(Field field)
    {
        switch (field.Keyword)
        {
            case "type" or "rec":
                _s.Position = field.End + 1;
                return;
            case "func":
                ParseFunction(field);
                return;
            case "table":
                ParseTable(field);
                return;
            case "memory":
                ParseMemory(field);
                return;
            case "global":
                ParseGlobal(field);
                return;
            case "tag":
                ParseTag(field);
                return;
            case "import":
                ParseImport();
                return;
            case "export":
                ParseExport();
                return;
            case "start":
                _s.ExpectParen("start");
                _m.Start = _funcs.Resolve(_s.Next(), _s);
                _s.ExpectRParen();
                return;
            case "elem":
                ParseElem();
                return;
            case "data":
                ParseData();
                return;
        }
    }

    /// <summary>Reads <c>(keyword $id?</c> and the inline exports and import that may follow; returns the import's names, if any.</summary>
    private (string Module, string Name)? ParseDefinitionHead(string keyword, ExternKind kind, uint index)
    {
        _s.ExpectParen(keyword);
        if (_s.TryId() is { } id && kind == ExternKind.Function)
        {
            _m.FunctionNames[index] = id.Name!;
        }
        while (_s.IsParen("export"))
        {
            _s.Position += 2;
            _m.Exports.Add(new Export(_s.Name(), kind, index));
            _s.ExpectRParen();
        }
        if (_s.IsParen("import"))
        {
            _s.Position += 2;
            var module = _s.Name();
            var name = _s.Name();
            _s.ExpectRParen();
            return (module, name);
        }
        return null;
    }

    private void ParseFunction(Field field)
    {
        var import = ParseDefinitionHead("func", ExternKind.Function, field.Index);
        if (import is { } names)
        {
            var (typeIndex, _, _) = ParseTypeUse(allowNames: true);
            _m.Imports.Add(new Import(names.Module, names.Name, new FunctionTypeUse(typeIndex)));
            _s.ExpectRParen();
            return;
        }
        var typeUseToken = _s.Peek();
        var (index, paramNames, paramCount) = ParseTypeUse(allowNames: true);
        var body = new FunctionBodyParser(this, _s);
        body.DeclareParameters(paramNames, paramCount, typeUseToken);
        var locals = new List<LocalGroup>();
        while (_s.IsParen("local"))
        {
            _s.Position += 2;
            if (_s.IsKind(TokenKind.Id))
            {
                var id = _s.Next();
                locals.Add(new LocalGroup(1, ParseValueType()));
                body.DeclareLocal(id);
            }
            else
            {
                while (!_s.IsKind(TokenKind.RParen))
                {
                    locals.Add(new LocalGroup(1, ParseValueType()));
                    body.DeclareLocal(null);
                }
            }
            _s.ExpectRParen();
        }
        var instructions = body.ParseBody();
        _s.ExpectRParen();
        _m.Functions.Add(new Function(index, MergeLocals(locals), new Expression(instructions)));
    }

    private static List<LocalGroup> MergeLocals(List<LocalGroup> locals)
    {
        var merged = new List<LocalGroup>();
        foreach (var group in locals)
        {
            if (merged.Count > 0 && merged[^1].Type == group.Type)
            {
                merged[^1] = merged[^1] with { Count = merged[^1].Count + group.Count };
            }
            else
            {
                merged.Add(group);
            }
        }
        return merged;
    }

    private void ParseTable(Field field)
    {
        var import = ParseDefinitionHead("table", ExternKind.Table, field.Index);
        if (import is { } names)
        {
            _m.Imports.Add(new Import(names.Module, names.Name, ParseTableType()));
            _s.ExpectRParen();
            return;
        }
        var addressType = ParseAddressType();
        if (!_s.IsKind(TokenKind.Nat))
        {
            // Inline element segment: (table at? reftype (elem ...)).
            var tableType = ParseRefType();
            var elementType = tableType;
            _s.ExpectParen("elem");
            var items = new List<Expression>();
            if (_s.IsKind(TokenKind.Nat) || _s.IsKind(TokenKind.Id) || _s.IsKeyword("func"))
            {
                // Function indices. With "func", the segment's type is (ref func) as the spec's element list
                // abbreviation says; bare indices keep the table's type, as the reference interpreter does
                // (so that they also fit a table of a concrete function type).
                if (_s.TryKeyword("func"))
                {
                    elementType = ValType.Ref(HeapType.Func, nullable: false);
                }
                while (_s.IsKind(TokenKind.Nat) || _s.IsKind(TokenKind.Id))
                {
                    items.Add(Expression.Of(Instruction.WithIndex(Opcode.RefFunc, _funcs.Resolve(_s.Next(), _s))));
                }
            }
            else
            {
                while (_s.IsKind(TokenKind.LParen))
                {
                    items.Add(ParseElemExpr());
                }
            }
            _s.ExpectRParen();
            _s.ExpectRParen();
            var size = (ulong)items.Count;
            _m.Tables.Add(new Table(new TableType(new Limits(size, size, addressType), tableType)));
            var offset = addressType == AddressType.I64
                ? Expression.Of(Instruction.I64Const(0))
                : Expression.Of(Instruction.I32Const(0));
            _m.Elements.Add(new ElementSegment(SegmentMode.Active, elementType, items, field.Index, offset));
            return;
        }
        var limits = ParseLimits(addressType);
        var type = new TableType(limits, ParseRefType());
        Expression? init = null;
        if (!_s.IsKind(TokenKind.RParen))
        {
            init = ParseConstExpr();
        }
        _s.ExpectRParen();
        _m.Tables.Add(new Table(type, init));
    }

    private void ParseMemory(Field field)
    {
        var import = ParseDefinitionHead("memory", ExternKind.Memory, field.Index);
        if (import is { } names)
        {
            _m.Imports.Add(new Import(names.Module, names.Name, ParseMemoryType()));
            _s.ExpectRParen();
            return;
        }
        var addressType = ParseAddressType();
        if (_s.IsParen("data") || (_s.IsParen("pagesize") && _s.PeekAt(4) is { Kind: TokenKind.LParen } && _s.PeekAt(5).Text == "data"))
        {
            // (memory (pagesize N)? (data ...)): as many pages of that size as the bytes need.
            var pageSizeLog2 = ParsePageSize();
            _s.Position += 2;
            var bytes = _s.Strings();
            _s.ExpectRParen();
            _s.ExpectRParen();
            var pageSize = 1UL << pageSizeLog2;
            var pages = ((ulong)bytes.Length + pageSize - 1) / pageSize;
            _m.Memories.Add(new MemoryType(new Limits(pages, pages, addressType), pageSizeLog2));
            var offset = addressType == AddressType.I64
                ? Expression.Of(Instruction.I64Const(0))
                : Expression.Of(Instruction.I32Const(0));
            _m.Data.Add(new DataSegment(SegmentMode.Active, bytes, field.Index, offset));
            return;
        }
        _m.Memories.Add(new MemoryType(ParseMemoryLimits(addressType), ParsePageSize()));
        _s.ExpectRParen();
    }

    private void ParseGlobal(Field field)
    {
        var import = ParseDefinitionHead("global", ExternKind.Global, field.Index);
        var type = ParseGlobalType();
        if (import is { } names)
        {
            _m.Imports.Add(new Import(names.Module, names.Name, type));
            _s.ExpectRParen();
            return;
        }
        var init = ParseConstExpr();
        _s.ExpectRParen();
        _m.Globals.Add(new Global(type, init));
    }

    private void ParseTag(Field field)
    {
        var import = ParseDefinitionHead("tag", ExternKind.Tag, field.Index);
        var (typeIndex, _, _) = ParseTypeUse(allowNames: true);
        _s.ExpectRParen();
        if (import is { } names)
        {
            _m.Imports.Add(new Import(names.Module, names.Name, new TagType(typeIndex)));
        }
        else
        {
            _m.Tags.Add(new TagType(typeIndex));
        }
    }

    private void ParseImport()
    {
        _s.ExpectParen("import");
        var module = _s.Name();
        var name = _s.Name();
        _s.Expect(TokenKind.LParen);
        var kind = _s.Next();
        var id = _s.TryId();
        ExternType type;
        switch (kind.Kind == TokenKind.Keyword ? kind.Text : "")
        {
            case "func":
                {
                    var (typeIndex, _, _) = ParseTypeUse(allowNames: true);
                    type = new FunctionTypeUse(typeIndex);
                    if (id is not null && _funcs.TryGet(id.Name!, out var funcIndex))
                    {
                        _m.FunctionNames[funcIndex] = id.Name!;
                    }
                    break;
                }
            case "tag":
                type = new TagType(ParseTypeUse(allowNames: true).TypeIndex);
                break;
            case "global":
                type = ParseGlobalType();
                break;
            case "memory":
                type = ParseMemoryType();
                break;
            case "table":
                type = ParseTableType();
                break;
            default:
                throw _s.Unexpected(kind);
        }
        _s.ExpectRParen();
        _s.ExpectRParen();
        _m.Imports.Add(new Import(module, name, type));
    }

    private void ParseExport()
    {
        _s.ExpectParen("export");
        var name = _s.Name();
        _s.Expect(TokenKind.LParen);
        var kind = _s.Next();
        var (externKind, space) = (kind.Kind == TokenKind.Keyword ? kind.Text : "") switch
        {
            "func" => (ExternKind.Function, _funcs),
            "table" => (ExternKind.Table, _tables),
            "memory" => (ExternKind.Memory, _memories),
            "global" => (ExternKind.Global, _globals),
            "tag" => (ExternKind.Tag, _tags),
            _ => throw _s.Unexpected(kind),
        };
        var index = space.Resolve(_s.Next(), _s);
        _s.ExpectRParen();
        _s.ExpectRParen();
        _m.Exports.Add(new Export(name, externKind, index));
    }

    private void ParseElem()
    {
        _s.ExpectParen("elem");
        _s.TryId();
        SegmentMode mode;
        uint table = 0;
        Expression? offset = null;
        var tableUse = false;
        if (_s.TryKeyword("declare"))
        {
            mode = SegmentMode.Declarative;
        }
        else if (_s.IsParen("table"))
        {
            _s.Position += 2;
            table = _tables.Resolve(_s.Next(), _s);
            _s.ExpectRParen();
            tableUse = true;
            mode = SegmentMode.Active;
            offset = ParseOffset();
        }
        else if (_s.IsKind(TokenKind.LParen) && !IsRefTypeStart())
        {
            mode = SegmentMode.Active;
            offset = ParseOffset();
        }
        else if (_s.IsKind(TokenKind.Nat) && _s.PeekAt(1).Kind == TokenKind.LParen)
        {
            // Wasm 1.0's form with a bare table index, (elem 0 (i32.const 1) $f), as older scripts (the threads
            // proposal's) and wasm-tools still write it.
            table = _tables.Resolve(_s.Next(), _s);
            mode = SegmentMode.Active;
            offset = ParseOffset();
        }
        else
        {
            mode = SegmentMode.Passive;
        }
        ValType type;
        var items = new List<Expression>();
        // Without a table use, "func" may be left out before the function indices (backwards compatibility).
        if (_s.TryKeyword("func") || (mode == SegmentMode.Active && !tableUse && (_s.IsKind(TokenKind.Nat) || _s.IsKind(TokenKind.Id) || _s.IsKind(TokenKind.RParen))))
        {
            type = ValType.Ref(HeapType.Func, nullable: false);
            while (_s.IsKind(TokenKind.Nat) || _s.IsKind(TokenKind.Id))
            {
                items.Add(Expression.Of(Instruction.WithIndex(Opcode.RefFunc, _funcs.Resolve(_s.Next(), _s))));
            }
        }
        else
        {
            type = ParseRefType();
            while (_s.IsKind(TokenKind.LParen))
            {
                items.Add(ParseElemExpr());
            }
        }
        _s.ExpectRParen();
        _m.Elements.Add(new ElementSegment(mode, type, items, table, offset));
    }

    private bool IsRefTypeStart() => _s.IsParen("ref");

    private Expression ParseOffset()
    {
        if (_s.IsParen("offset"))
        {
            _s.Position += 2;
            var expression = ParseConstExpr();
            _s.ExpectRParen();
            return expression;
        }
        return ParseFoldedConstExpr();
    }

    private Expression ParseElemExpr()
    {
        if (_s.IsParen("item"))
        {
            _s.Position += 2;
            var expression = ParseConstExpr();
            _s.ExpectRParen();
            return expression;
        }
        return ParseFoldedConstExpr();
    }

    private void ParseData()
    {
        _s.ExpectParen("data");
        _s.TryId();
        if (_s.IsKind(TokenKind.String) || _s.IsKind(TokenKind.RParen))
        {
            var passive = _s.Strings();
            _s.ExpectRParen();
            _m.Data.Add(new DataSegment(SegmentMode.Passive, passive));
            return;
        }
        uint memory = 0;
        if (_s.IsParen("memory"))
        {
            _s.Position += 2;
            memory = _memories.Resolve(_s.Next(), _s);
            _s.ExpectRParen();
        }
        else if (_s.IsKind(TokenKind.Nat))
        {
            memory = _memories.Resolve(_s.Next(), _s); // Wasm 1.0's bare memory index, (data 0 (i32.const 0) "..."), as wasm-tools accepts it
        }
        var offset = ParseOffset();
        var bytes = _s.Strings();
        _s.ExpectRParen();
        _m.Data.Add(new DataSegment(SegmentMode.Active, bytes, memory, offset));
    }

    /// <summary>A constant expression: instructions up to the closing parenthesis, then <c>end</c>.</summary>
    private Expression ParseConstExpr()
    {
        var parser = new FunctionBodyParser(this, _s);
        return new Expression(parser.ParseBody());
    }

    /// <summary>One folded instruction as an expression (the abbreviation of offsets and element items).</summary>
    private Expression ParseFoldedConstExpr()
    {
        if (!_s.IsKind(TokenKind.LParen))
        {
            throw _s.Unexpected(_s.Peek());
        }
        var parser = new FunctionBodyParser(this, _s);
        return new Expression(parser.ParseSingleFolded());
    }
}
