using WasmHarness.Text;
using WasmHarness.Syntax;

namespace WasmHarness.Wast;

/// <summary>Parses <c>.wast</c> scripts (the spec interpreter's script format) into a <see cref="Script"/>.</summary>
public static class WastParser
{
    /// <summary>
    /// Parses a script. A text module that fails to parse does not fail the script: its
    /// <see cref="TextScriptModule.ParseError"/> says why. Errors in the script's own syntax throw.
    /// </summary>
    /// <exception cref="TextFormatException">The script itself is malformed.</exception>
    public static Script ParseScript(string text, string fileName)
    {
        var (tokens, annotations) = Lexer.Tokenize(text, fileName);
        var stream = new TokenStream(tokens, annotations, fileName);
        return new ScriptParser(stream, fileName).Parse();
    }

    /// <summary>Parses a script given as its file's bytes (UTF-8; bytes that are not are kept for the module parser to report).</summary>
    public static Script ParseScript(ReadOnlySpan<byte> utf8, string fileName) => ParseScript(Utf8Text.Decode(utf8), fileName);

    /// <summary>Reads and parses a script file.</summary>
    public static Script ParseFile(string path) => ParseScript(File.ReadAllBytes(path), Path.GetFileName(path));
}

internal sealed class ScriptParser(TokenStream stream, string fileName)
{
    private static readonly HashSet<string> s_moduleFields =
        ["type", "rec", "func", "table", "memory", "global", "tag", "import", "export", "start", "elem", "data"];

    private readonly TokenStream _s = stream;
    private readonly string _fileName = fileName;

    public Script Parse()
    {
        var commands = new List<ScriptCommand>();
        // A script may be just the fields of one module.
        if (_s.IsKind(TokenKind.LParen) && _s.PeekAt(1) is { Kind: TokenKind.Keyword } first && s_moduleFields.Contains(first.Text))
        {
            var location = _s.PeekAt(0).Location;
            var module = ParseTextModule(location, null, _s.Count - 1);
            commands.Add(new ModuleCommand(location, module));
            _s.Expect(TokenKind.Eof);
            return new Script(_fileName, commands);
        }
        while (!_s.IsKind(TokenKind.Eof))
        {
            commands.Add(ParseCommand());
        }
        return new Script(_fileName, commands);
    }

    private ScriptCommand ParseCommand()
    {
        var open = _s.Expect(TokenKind.LParen);
        var location = open.Location;
        var keyword = _s.Peek();
        if (keyword.Kind != TokenKind.Keyword)
        {
            throw _s.Unexpected(keyword);
        }
        switch (keyword.Text)
        {
            case "module":
                {
                    _s.Position--;
                    if (_s.PeekAt(2) is { Kind: TokenKind.Keyword, Text: "instance" })
                    {
                        _s.Position += 3;
                        var instance = _s.TryId()?.Name;
                        var definition = _s.TryId()?.Name;
                        if (definition is null && instance is not null)
                        {
                            (instance, definition) = (null, instance);
                        }
                        _s.ExpectRParen();
                        return new ModuleInstanceCommand(location, instance, definition);
                    }
                    var (module, isDefinition) = ParseScriptModule();
                    return new ModuleCommand(location, module, isDefinition);
                }
            case "register":
                {
                    _s.Next();
                    var name = _s.Name();
                    var id = _s.TryId()?.Name;
                    _s.ExpectRParen();
                    return new RegisterCommand(location, name, id);
                }
            case "thread":
                {
                    _s.Next();
                    var name = _s.TryId()?.Name ?? throw _s.Unexpected(_s.Peek());
                    var shared = new List<string>();
                    while (_s.IsParen("shared"))
                    {
                        _s.Position += 2;
                        while (_s.IsParen("module"))
                        {
                            _s.Position += 2;
                            shared.Add(_s.TryId()?.Name ?? throw _s.Unexpected(_s.Peek()));
                            _s.ExpectRParen();
                        }
                        _s.ExpectRParen();
                    }
                    var commands = new List<ScriptCommand>();
                    while (_s.IsKind(TokenKind.LParen))
                    {
                        commands.Add(ParseCommand());
                    }
                    _s.ExpectRParen();
                    return new ThreadCommand(location, name, shared, commands);
                }
            case "wait":
                {
                    _s.Next();
                    var name = _s.TryId()?.Name ?? throw _s.Unexpected(_s.Peek());
                    _s.ExpectRParen();
                    return new WaitCommand(location, name);
                }
            case "invoke" or "get":
                _s.Position--;
                return new ActionCommand(location, ParseAction());
            case "assert_return":
                {
                    _s.Next();
                    var action = ParseAction();
                    var results = new List<ResultPattern>();
                    while (_s.IsKind(TokenKind.LParen))
                    {
                        results.Add(ParseResult());
                    }
                    _s.ExpectRParen();
                    return new AssertReturnCommand(location, action, results);
                }
            case "assert_trap":
                {
                    _s.Next();
                    if (_s.IsParen("module"))
                    {
                        var (module, _) = ParseScriptModule();
                        var moduleMessage = Message();
                        _s.ExpectRParen();
                        return new AssertModuleTrapCommand(location, module, moduleMessage);
                    }
                    var action = ParseAction();
                    var message = Message();
                    _s.ExpectRParen();
                    return new AssertTrapCommand(location, action, message);
                }
            case "assert_exhaustion":
                {
                    _s.Next();
                    var action = ParseAction();
                    var message = Message();
                    _s.ExpectRParen();
                    return new AssertExhaustionCommand(location, action, message);
                }
            case "assert_exception":
                {
                    _s.Next();
                    var action = ParseAction();
                    _s.ExpectRParen();
                    return new AssertExceptionCommand(location, action);
                }
            case "assert_malformed" or "assert_invalid" or "assert_unlinkable" or "assert_malformed_custom" or "assert_invalid_custom":
                {
                    _s.Next();
                    var (module, _) = ParseScriptModule();
                    var message = Message();
                    _s.ExpectRParen();
                    return keyword.Text switch
                    {
                        "assert_malformed" => new AssertMalformedCommand(location, module, message),
                        "assert_invalid" => new AssertInvalidCommand(location, module, message),
                        "assert_unlinkable" => new AssertUnlinkableCommand(location, module, message),
                        "assert_malformed_custom" => new AssertMalformedCustomCommand(location, module, message),
                        _ => new AssertInvalidCustomCommand(location, module, message),
                    };
                }
            default:
                throw _s.Unexpected(keyword);
        }
    }

    private string Message()
    {
        var token = _s.Expect(TokenKind.String);
        return Utf8Text.DecodeName(token.Bytes!) ?? Utf8Text.Decode(token.Bytes!);
    }

    /// <summary><c>(module definition? $id? (binary ... | quote ... | field*))</c>.</summary>
    private (ScriptModule Module, bool IsDefinition) ParseScriptModule()
    {
        var open = _s.PeekAt(0);
        var end = _s.MatchingParen(_s.Position);
        _s.ExpectParen("module");
        var location = open.Location;
        var isDefinition = _s.TryKeyword("definition");
        var id = _s.TryId()?.Name;
        if (_s.TryKeyword("binary"))
        {
            var bytes = _s.Strings();
            _s.ExpectRParen();
            return (new BinaryScriptModule(location, id, bytes), isDefinition);
        }
        if (_s.TryKeyword("quote"))
        {
            var bytes = _s.Strings();
            _s.ExpectRParen();
            return (new QuoteScriptModule(location, id, Utf8Text.Decode(bytes)), isDefinition);
        }
        var module = ParseTextModule(location, id, end);
        _s.ExpectRParen();
        return (module, isDefinition);
    }

    /// <summary>Parses module fields up to the token at <paramref name="end"/>; a failure is recorded, not thrown.</summary>
    private TextScriptModule ParseTextModule(SourceLocation location, string? id, int end)
    {
        try
        {
            var module = new ModuleParser(_s, end).Parse();
            module.Name ??= id;
            return new TextScriptModule(location, id, module);
        }
        catch (TextFormatException error)
        {
            _s.Position = end;
            return new TextScriptModule(location, id, null, error.Reason) { Error = error };
        }
    }

    private ScriptAction ParseAction()
    {
        var open = _s.Expect(TokenKind.LParen);
        var keyword = _s.Next();
        if (keyword is { Kind: TokenKind.Keyword, Text: "invoke" })
        {
            var id = _s.TryId()?.Name;
            var name = _s.Name();
            var arguments = new List<ScriptValue>();
            while (_s.IsKind(TokenKind.LParen))
            {
                arguments.Add(ParseValue());
            }
            _s.ExpectRParen();
            return new InvokeAction(open.Location, id, name, arguments);
        }
        if (keyword is { Kind: TokenKind.Keyword, Text: "get" })
        {
            var id = _s.TryId()?.Name;
            var name = _s.Name();
            _s.ExpectRParen();
            return new GetAction(open.Location, id, name);
        }
        throw _s.Unexpected(keyword);
    }

    private ScriptValue ParseValue()
    {
        _s.Expect(TokenKind.LParen);
        var keyword = _s.Next();
        ScriptValue value = (keyword.Kind == TokenKind.Keyword ? keyword.Text : "") switch
        {
            "i32.const" or "i64.const" or "f32.const" or "f64.const" => NumberConstant(keyword),
            "v128.const" => new VectorValue(ModuleParser.ParseV128(_s, keyword, defer: false)),
            "ref.null" => new NullRefValue(HeapTypeLiteral()),
            "ref.extern" => new ExternRefValue(_s.Nat32()),
            "ref.host" => new HostRefValue(_s.Nat32()),
            _ => throw _s.Unexpected(keyword),
        };
        _s.ExpectRParen();
        return value;
    }

    private HeapType HeapTypeLiteral()
    {
        var token = _s.Next();
        if (token.Kind == TokenKind.Keyword && ModuleParser.AbstractHeapType(token.Text) is { } heap)
        {
            return heap;
        }
        if (token.Kind == TokenKind.Nat && NumberLiterals.TryParseNat(token.Text, 31, out var index))
        {
            return HeapType.Concrete((uint)index);
        }
        throw _s.Unexpected(token);
    }

    private NumberValue NumberConstant(Token keyword)
    {
        var literal = _s.Next();
        if (!TokenStream.IsNumber(literal))
        {
            throw _s.Unexpected(literal);
        }
        var (kind, ok, bits) = keyword.Text switch
        {
            "i32.const" => (ValueKind.I32, NumberLiterals.TryParseInt(literal.Text, 32, out var b32), b32),
            "i64.const" => (ValueKind.I64, NumberLiterals.TryParseInt(literal.Text, 64, out var b64), b64),
            "f32.const" => (ValueKind.F32, NumberLiterals.TryParseF32(literal.Text, out var f32), (ulong)f32),
            _ => (ValueKind.F64, NumberLiterals.TryParseF64(literal.Text, out var f64), f64),
        };
        if (!ok)
        {
            throw _s.Error(literal, "constant out of range");
        }
        return new NumberValue(kind, bits);
    }

    private ResultPattern ParseResult()
    {
        _s.Expect(TokenKind.LParen);
        var keyword = _s.Next();
        if (keyword.Kind != TokenKind.Keyword)
        {
            throw _s.Unexpected(keyword);
        }
        if (!System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw _s.Error(keyword, "nesting too deep");
        }
        ResultPattern result;
        switch (keyword.Text)
        {
            case "i32.const" or "i64.const" or "f32.const" or "f64.const":
                if (_s.PeekAt(0) is { Kind: TokenKind.Keyword, Text: "nan:canonical" or "nan:arithmetic" } nan)
                {
                    _s.Next();
                    if (keyword.Text[0] == 'i')
                    {
                        throw _s.Error(nan, "NaN pattern with non-float type");
                    }
                    result = new NanPattern(keyword.Text[1] == '3' ? ValueKind.F32 : ValueKind.F64,
                        nan.Text == "nan:canonical" ? NanKind.Canonical : NanKind.Arithmetic);
                }
                else
                {
                    result = new ExactPattern(NumberConstant(keyword));
                }
                break;
            case "v128.const":
                result = VectorResult(keyword);
                break;
            case "ref.null":
                result = _s.IsKind(TokenKind.RParen) ? new RefPattern(RefPatternKind.Null) : new ExactPattern(new NullRefValue(HeapTypeLiteral()));
                break;
            case "ref.extern":
                result = _s.IsKind(TokenKind.RParen) ? new RefPattern(RefPatternKind.Extern) : new ExactPattern(new ExternRefValue(_s.Nat32()));
                break;
            case "ref.host":
                result = _s.IsKind(TokenKind.RParen) ? new RefPattern(RefPatternKind.Host) : new ExactPattern(new HostRefValue(_s.Nat32()));
                break;
            case "ref.func":
                result = new RefPattern(RefPatternKind.Func);
                break;
            case "ref" or "ref.any":
                result = new RefPattern(RefPatternKind.Any);
                break;
            case "ref.eq":
                result = new RefPattern(RefPatternKind.Eq);
                break;
            case "ref.i31":
                result = new RefPattern(RefPatternKind.I31);
                break;
            case "ref.struct":
                result = new RefPattern(RefPatternKind.Struct);
                break;
            case "ref.array":
                result = new RefPattern(RefPatternKind.Array);
                break;
            case "ref.exn":
                result = new RefPattern(RefPatternKind.Exn);
                break;
            case "either":
                {
                    var alternatives = new List<ResultPattern>();
                    do
                    {
                        alternatives.Add(ParseResult());
                    }
                    while (_s.IsKind(TokenKind.LParen));
                    result = new EitherPattern(alternatives);
                    break;
                }
            default:
                throw _s.Unexpected(keyword);
        }
        _s.ExpectRParen();
        return result;
    }

    private VectorPattern VectorResult(Token keyword)
    {
        var shapeToken = _s.Next();
        if (shapeToken.Kind != TokenKind.Keyword || ModuleParser.LaneCount(shapeToken.Text) is not { } count)
        {
            throw _s.Unexpected(shapeToken);
        }
        var shape = shapeToken.Text switch
        {
            "i8x16" => LaneShape.I8x16,
            "i16x8" => LaneShape.I16x8,
            "i32x4" => LaneShape.I32x4,
            "i64x2" => LaneShape.I64x2,
            "f32x4" => LaneShape.F32x4,
            _ => LaneShape.F64x2,
        };
        var laneKind = shape switch
        {
            LaneShape.I64x2 => ValueKind.I64,
            LaneShape.F32x4 => ValueKind.F32,
            LaneShape.F64x2 => ValueKind.F64,
            _ => ValueKind.I32,
        };
        var lanes = new List<ResultPattern>();
        while (true)
        {
            var token = _s.PeekAt(0);
            if (token is { Kind: TokenKind.Keyword, Text: "nan:canonical" or "nan:arithmetic" })
            {
                _s.Next();
                if (laneKind is not (ValueKind.F32 or ValueKind.F64))
                {
                    throw _s.Error(token, "invalid vector constant");
                }
                lanes.Add(new NanPattern(laneKind, token.Text == "nan:canonical" ? NanKind.Canonical : NanKind.Arithmetic));
            }
            else if (TokenStream.IsNumber(token))
            {
                _s.Next();
                if (!ModuleParser.TryParseLane(shapeToken.Text, token.Text, out var bits))
                {
                    throw _s.Error(token, "constant out of range");
                }
                lanes.Add(new ExactPattern(new NumberValue(laneKind, bits)));
            }
            else
            {
                break;
            }
        }
        if (lanes.Count != count)
        {
            throw _s.Error(keyword, "wrong number of lane literals");
        }
        return new VectorPattern(shape, lanes);
    }
}
