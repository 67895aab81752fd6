using System.Collections.Frozen;
using WasmHarness.Syntax;

namespace WasmHarness.Text;

/// <summary>A cursor over the tokens of one text, with the helpers every parser of the text format needs.</summary>
internal sealed class TokenStream
{
    private static readonly string[] s_syntaxKeywords =
    [
        "any", "anyref", "array", "arrayref", "assert_exception", "assert_exhaustion", "assert_invalid", "assert_invalid_custom",
        "assert_malformed", "assert_malformed_custom", "assert_return", "assert_trap", "assert_unlinkable", "binary", "catch_all_ref",
        "catch_ref", "data", "declare", "definition", "either", "elem", "eq", "eqref", "exn", "exnref", "export", "extern", "externref",
        "f32", "f32x4", "f64", "f64x2", "field", "final", "func", "funcref", "get", "global", "i16", "i16x8", "i31", "i31ref", "i32",
        "i32x4", "i64", "i64x2", "i8", "i8x16", "import", "input", "instance", "invoke", "item", "local", "memory", "module", "mut",
        "nan:arithmetic", "nan:canonical", "noexn", "noextern", "nofunc", "none", "null", "nullexnref", "nullexternref",
        "nullfuncref", "nullref", "offset", "output", "param", "quote", "rec", "ref", "ref.array", "ref.exn", "ref.extern",
        "ref.host", "ref.struct", "register", "result", "script", "start", "struct", "structref", "sub", "table", "tag", "then",
        "type", "v128", "do", "ref.any", "shared", "thread", "wait",
        "pagesize", // custom-page-sizes
    ];

    private static readonly FrozenSet<string> s_keywords =
        s_syntaxKeywords.Concat(OpcodeTable.All.Select(info => info.Name)).ToFrozenSet(StringComparer.Ordinal);

    private readonly List<Token> _tokens;
    private int[]? _matching;

    public TokenStream(List<Token> tokens, List<Annotation> annotations, string? fileName)
    {
        _tokens = tokens;
        Annotations = annotations;
        FileName = fileName;
    }

    public string? FileName { get; }

    public List<Annotation> Annotations { get; }

    public int Position { get; set; }

    public int Count => _tokens.Count;

    public Token this[int index] => _tokens[Math.Min(index, _tokens.Count - 1)];

    public static bool IsKnownKeyword(string text) =>
        s_keywords.Contains(text) || text.StartsWith("offset=", StringComparison.Ordinal) || text.StartsWith("align=", StringComparison.Ordinal);

    /// <summary>The next token, reported as an unknown operator if it is a reserved word or an unknown keyword.</summary>
    public Token Peek()
    {
        var token = this[Position];
        CheckKnown(token);
        return token;
    }

    /// <summary>Looks ahead without judging the token.</summary>
    public Token PeekAt(int offset) => this[Position + offset];

    public Token Next()
    {
        var token = Peek();
        if (token.Kind != TokenKind.Eof)
        {
            Position++;
        }
        return token;
    }

    private void CheckKnown(Token token)
    {
        if (token.Kind == TokenKind.Reserved || (token.Kind == TokenKind.Keyword && !IsKnownKeyword(token.Text)))
        {
            throw Error(token, "unknown operator " + token.Text);
        }
    }

    public TextFormatException Error(Token token, string reason) => new(reason, token.Location, FileName);

    /// <summary>
    /// The first error of the kind the reference interpreter finds only after the whole module is parsed
    /// (names, constants' ranges, type uses, ordering): kept so that syntax errors are reported first.
    /// </summary>
    public TextFormatException? Pending { get; set; }

    /// <summary>Records a post-syntax error and lets parsing go on (see <see cref="Pending"/>).</summary>
    public void Defer(Token token, string reason) => Pending ??= Error(token, reason);

    /// <summary>The error for a token the grammar does not allow here.</summary>
    public TextFormatException Unexpected(Token token)
    {
        if (token.Kind == TokenKind.Reserved || (token.Kind == TokenKind.Keyword && !IsKnownKeyword(token.Text)))
        {
            return Error(token, "unknown operator " + token.Text);
        }
        return Error(token, token.Kind == TokenKind.Eof ? "unexpected end of input" : "unexpected token");
    }

    public TextFormatException Unexpected() => Unexpected(this[Position]);

    public bool IsKeyword(string keyword) => this[Position] is { Kind: TokenKind.Keyword } t && t.Text == keyword;

    public bool IsKind(TokenKind kind) => this[Position].Kind == kind;

    /// <summary>True when the next tokens are <c>(</c> and the keyword.</summary>
    public bool IsParen(string keyword) =>
        this[Position].Kind == TokenKind.LParen && this[Position + 1] is { Kind: TokenKind.Keyword } t && t.Text == keyword;

    public Token Expect(TokenKind kind)
    {
        var token = Peek();
        if (token.Kind != kind)
        {
            throw Unexpected(token);
        }
        Position++;
        return token;
    }

    public void ExpectKeyword(string keyword)
    {
        var token = Peek();
        if (token.Kind != TokenKind.Keyword || token.Text != keyword)
        {
            throw Unexpected(token);
        }
        Position++;
    }

    public void ExpectParen(string keyword)
    {
        Expect(TokenKind.LParen);
        ExpectKeyword(keyword);
    }

    public void ExpectRParen() => Expect(TokenKind.RParen);

    public bool TryKeyword(string keyword)
    {
        if (IsKeyword(keyword))
        {
            Position++;
            return true;
        }
        return false;
    }

    public Token? TryId()
    {
        if (IsKind(TokenKind.Id))
        {
            return _tokens[Position++];
        }
        return null;
    }

    /// <summary>The index of the parenthesis that closes the one at <paramref name="open"/> (or of the end of input).</summary>
    public int MatchingParen(int open)
    {
        if (_matching is null)
        {
            _matching = new int[_tokens.Count];
            var stack = new Stack<int>();
            for (var i = 0; i < _tokens.Count; i++)
            {
                _matching[i] = -1;
                if (_tokens[i].Kind == TokenKind.LParen)
                {
                    stack.Push(i);
                }
                else if (_tokens[i].Kind == TokenKind.RParen && stack.Count > 0)
                {
                    _matching[stack.Pop()] = i;
                }
            }
            while (stack.Count > 0)
            {
                _matching[stack.Pop()] = _tokens.Count - 1;
            }
        }
        return _matching[open] < 0 ? _tokens.Count - 1 : _matching[open];
    }

    /// <summary>Reads one or more strings and concatenates their bytes.</summary>
    public byte[] Strings()
    {
        var bytes = new List<byte>();
        while (IsKind(TokenKind.String))
        {
            bytes.AddRange(Next().Bytes!);
        }
        return [.. bytes];
    }

    /// <summary>Reads a name: a string that must be well-formed UTF-8.</summary>
    public string Name()
    {
        var token = Expect(TokenKind.String);
        return Utf8Text.DecodeName(token.Bytes!) ?? throw Error(token, "malformed UTF-8 encoding");
    }

    public uint Nat32()
    {
        var token = Expect(TokenKind.Nat);
        if (!NumberLiterals.TryParseNat(token.Text, 32, out var value))
        {
            throw Error(token, "i32 constant out of range");
        }
        return (uint)value;
    }

    public ulong Nat64()
    {
        var token = Expect(TokenKind.Nat);
        if (!NumberLiterals.TryParseNat(token.Text, 64, out var value))
        {
            throw Error(token, "i64 constant out of range");
        }
        return value;
    }

    public static bool IsNumber(Token token) => token.Kind is TokenKind.Nat or TokenKind.Int or TokenKind.Float;
}
