using System.Text;

namespace WasmHarness.Text;

/// <summary>The kinds of token of the text format (spec: <c>token</c>).</summary>
internal enum TokenKind : byte
{
    LParen,
    RParen,
    /// <summary>A keyword: <c>[a-z](letter|digit|_|.|:)+</c>, also <c>offset=N</c> and <c>align=N</c>.</summary>
    Keyword,
    /// <summary>An unsigned integer literal (decimal or hex).</summary>
    Nat,
    /// <summary>A signed integer literal.</summary>
    Int,
    /// <summary>A float literal, <c>inf</c>, <c>nan</c> or <c>nan:0x...</c>.</summary>
    Float,
    String,
    /// <summary><c>$name</c> or <c>$"name"</c>; <see cref="Token.Name"/> holds the name without <c>$</c>.</summary>
    Id,
    /// <summary>Any other run of identifier characters and strings: an unknown operator wherever it appears.</summary>
    Reserved,
    Eof,
}

/// <summary>One token with its source text and position.</summary>
internal sealed class Token(TokenKind kind, string text, SourceLocation location)
{
    public TokenKind Kind { get; } = kind;

    /// <summary>The token's source text (for strings and ids, as written).</summary>
    public string Text { get; } = text;

    public SourceLocation Location { get; } = location;

    /// <summary>The bytes of a string literal.</summary>
    public byte[]? Bytes { get; init; }

    /// <summary>The name of an identifier (without <c>$</c>).</summary>
    public string? Name { get; init; }

    public override string ToString() => Text;
}

/// <summary>An annotation <c>(@id ...)</c>, kept aside so that the main token stream never sees it.</summary>
internal sealed class Annotation(string name, SourceLocation location, IReadOnlyList<Token> tokens, int tokenIndex)
{
    public string Name { get; } = name;

    public SourceLocation Location { get; } = location;

    /// <summary>The tokens between the annotation id and its closing parenthesis (nested annotations are skipped).</summary>
    public IReadOnlyList<Token> Tokens { get; } = tokens;

    /// <summary>Index of the main-stream token that follows the annotation.</summary>
    public int TokenIndex { get; } = tokenIndex;
}

/// <summary>
/// The lexer of the text format, after the reference interpreter's <c>lexer.mll</c>: tokens are the
/// longest run of identifier characters and strings, classified afterwards, so that e.g. <c>0x</c> or
/// <c>i32.const0</c> become reserved tokens (reported as unknown operators where parsed).
/// </summary>
/// <remarks>
/// Text given as a .NET string may carry bytes that are not UTF-8 as lone surrogates
/// U+DC80..U+DCFF (see <see cref="Utf8Text.Decode"/>); the lexer reports them as malformed UTF-8.
/// </remarks>
internal sealed class Lexer
{
    private readonly string _text;
    private readonly string? _fileName;
    private int _pos;
    private int _line = 1;
    private int _lineStart;
    private readonly List<Token> _tokens = [];
    private readonly List<Annotation> _annotations = [];

    private Lexer(string text, string? fileName)
    {
        _text = text;
        _fileName = fileName;
    }

    public static (List<Token> Tokens, List<Annotation> Annotations) Tokenize(string text, string? fileName)
    {
        var lexer = new Lexer(text, fileName);
        lexer.Run();
        return (lexer._tokens, lexer._annotations);
    }

    private SourceLocation Here => new(_line, _pos - _lineStart + 1);

    private SourceLocation At(int pos) => new(_line, pos - _lineStart + 1);

    private TextFormatException Error(string reason, SourceLocation? location = null) =>
        new(reason, location ?? Here, _fileName);

    private void Run()
    {
        while (true)
        {
            var token = Next(annotation: false);
            _tokens.Add(token);
            if (token.Kind == TokenKind.Eof)
            {
                return;
            }
        }
    }

    private static bool IsIdChar(char c) =>
        c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_' or '+' or '-' or '*' or '/' or '\\' or '^'
            or '~' or '=' or '<' or '>' or '!' or '?' or '@' or '#' or '$' or '%' or '&' or '|' or ':' or '`' or '.' or '\'';

    private void NewLine(int nextPos)
    {
        _line++;
        _lineStart = nextPos;
    }

    /// <summary>Skips white space and comments; returns false at the end of the text.</summary>
    private void SkipTrivia(bool annotation, SourceLocation? annotationStart)
    {
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            switch (c)
            {
                case ' ' or '\t':
                    _pos++;
                    continue;
                case '\n':
                    _pos++;
                    NewLine(_pos);
                    continue;
                case '\r':
                    _pos++;
                    if (_pos < _text.Length && _text[_pos] == '\n')
                    {
                        _pos++;
                    }
                    NewLine(_pos);
                    continue;
                case ';' when _pos + 1 < _text.Length && _text[_pos + 1] == ';':
                    _pos += 2;
                    while (_pos < _text.Length && _text[_pos] is not ('\n' or '\r'))
                    {
                        CheckUtf8Char(_pos);
                        _pos++;
                    }
                    if (_pos >= _text.Length && annotation)
                    {
                        throw Error("unclosed annotation", annotationStart);
                    }
                    continue;
                case '(' when _pos + 1 < _text.Length && _text[_pos + 1] == ';':
                    BlockComment();
                    continue;
                default:
                    return;
            }
        }
    }

    private void CheckUtf8Char(int pos)
    {
        var c = _text[pos];
        if (char.IsHighSurrogate(c))
        {
            if (pos + 1 < _text.Length && char.IsLowSurrogate(_text[pos + 1]))
            {
                return;
            }
            throw Error("malformed UTF-8 encoding", At(pos));
        }
        if (char.IsLowSurrogate(c) && !(pos > 0 && char.IsHighSurrogate(_text[pos - 1])))
        {
            throw Error("malformed UTF-8 encoding", At(pos));
        }
    }

    private void BlockComment()
    {
        var start = Here;
        var depth = 0;
        while (true)
        {
            if (_pos >= _text.Length)
            {
                throw Error("unclosed comment", start);
            }
            var c = _text[_pos];
            if (c == '(' && _pos + 1 < _text.Length && _text[_pos + 1] == ';')
            {
                depth++;
                _pos += 2;
            }
            else if (c == ';' && _pos + 1 < _text.Length && _text[_pos + 1] == ')')
            {
                depth--;
                _pos += 2;
                if (depth == 0)
                {
                    return;
                }
            }
            else if (c == '\n')
            {
                _pos++;
                NewLine(_pos);
            }
            else if (c == '\r')
            {
                _pos++;
                if (_pos < _text.Length && _text[_pos] == '\n')
                {
                    _pos++;
                }
                NewLine(_pos);
            }
            else
            {
                CheckUtf8Char(_pos);
                _pos++;
            }
        }
    }

    private Token Next(bool annotation, SourceLocation? annotationStart = null)
    {
        while (true)
        {
            SkipTrivia(annotation, annotationStart);
            if (_pos >= _text.Length)
            {
                if (annotation)
                {
                    throw Error("unclosed annotation", annotationStart);
                }
                return new Token(TokenKind.Eof, "", Here);
            }
            var c = _text[_pos];
            var start = Here;
            if (c == '(')
            {
                if (_pos + 1 < _text.Length && _text[_pos + 1] == '@' &&
                    (!annotation || (_pos + 2 < _text.Length && (_text[_pos + 2] == '"' || IsIdChar(_text[_pos + 2])))))
                {
                    ReadAnnotation(record: !annotation);
                    continue;
                }
                _pos++;
                return new Token(TokenKind.LParen, "(", start);
            }
            if (c == ')')
            {
                _pos++;
                return new Token(TokenKind.RParen, ")", start);
            }
            if (c == '"' || IsIdChar(c))
            {
                return ReadRun();
            }
            if (c is ',' or ';' or '[' or ']' or '{' or '}')
            {
                _pos++;
                return new Token(TokenKind.Reserved, c.ToString(), start);
            }
            if (char.IsSurrogate(c))
            {
                if (char.IsHighSurrogate(c) && _pos + 1 < _text.Length && char.IsLowSurrogate(_text[_pos + 1]))
                {
                    throw Error(annotation ? "illegal character" : "misplaced unicode character");
                }
                throw Error("malformed UTF-8 encoding");
            }
            if (c < 0x20)
            {
                throw Error(annotation ? "illegal character" : "misplaced control character");
            }
            if (c == 0x7f)
            {
                throw Error(annotation ? "illegal character" : "malformed UTF-8 encoding");
            }
            throw Error(annotation ? "illegal character" : "misplaced unicode character");
        }
    }

    private void ReadAnnotation(bool record)
    {
        var start = Here;
        _pos += 2; // "(@"
        string name;
        if (_pos < _text.Length && _text[_pos] == '"')
        {
            byte[] bytes;
            try
            {
                bytes = ReadString();
            }
            catch (TextFormatException)
            {
                throw Error("empty annotation id", start);
            }
            if (_pos < _text.Length && IsIdChar(_text[_pos]))
            {
                throw Error("empty annotation id", start);
            }
            if (bytes.Length == 0)
            {
                throw Error("empty annotation id", start);
            }
            name = Utf8Text.DecodeName(bytes) ?? throw Error("malformed UTF-8 encoding", start);
        }
        else
        {
            var idStart = _pos;
            while (_pos < _text.Length && IsIdChar(_text[_pos]))
            {
                _pos++;
            }
            if (_pos == idStart || (_pos < _text.Length && _text[_pos] == '"'))
            {
                throw Error("empty annotation id", start);
            }
            name = _text[idStart.._pos];
        }
        var tokens = new List<Token>();
        var depth = 0;
        while (true)
        {
            var token = Next(annotation: true, start);
            if (token.Kind == TokenKind.LParen)
            {
                depth++;
            }
            else if (token.Kind == TokenKind.RParen)
            {
                if (depth == 0)
                {
                    break;
                }
                depth--;
            }
            tokens.Add(token);
        }
        if (record)
        {
            _annotations.Add(new Annotation(name, start, tokens, _tokens.Count));
        }
    }

    /// <summary>Reads the longest run of identifier characters and strings and classifies it.</summary>
    private Token ReadRun()
    {
        var start = Here;
        var startPos = _pos;
        var strings = 0;
        byte[]? lastString = null;
        var lastStringStart = -1;
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (c == '"')
            {
                lastStringStart = _pos;
                var onlyDollar = _pos - startPos == 1 && _text[startPos] == '$';
                try
                {
                    lastString = ReadString();
                }
                catch (TextFormatException) when (onlyDollar)
                {
                    throw Error("empty identifier", start);
                }
                strings++;
            }
            else if (IsIdChar(c))
            {
                _pos++;
            }
            else
            {
                break;
            }
        }
        var text = _text[startPos.._pos];
        if (strings == 1 && lastStringStart == startPos && _pos - startPos == text.Length && text[^1] == '"' && IsWholeString(text))
        {
            return new Token(TokenKind.String, text, start) { Bytes = lastString };
        }
        if (text[0] == '$')
        {
            if (text.Length == 1)
            {
                throw Error("empty identifier", start);
            }
            if (strings == 0)
            {
                return new Token(TokenKind.Id, text, start) { Name = text[1..] };
            }
            if (strings == 1 && lastStringStart == startPos + 1 && text[^1] == '"' && IsWholeString(text[1..]))
            {
                if (lastString!.Length == 0)
                {
                    throw Error("empty identifier", start);
                }
                var name = Utf8Text.DecodeName(lastString) ?? throw Error("malformed UTF-8 encoding", start);
                return new Token(TokenKind.Id, text, start) { Name = name };
            }
            return new Token(TokenKind.Reserved, text, start);
        }
        if (strings > 0)
        {
            return new Token(TokenKind.Reserved, text, start);
        }
        var kind = Classify(text);
        return new Token(kind, text, start);
    }

    /// <summary>True when <paramref name="text"/> (which starts with a quote) is one string literal and nothing more.</summary>
    private static bool IsWholeString(string text)
    {
        if (text.Length < 2 || text[0] != '"')
        {
            return false;
        }
        for (var i = 1; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == '"')
            {
                return i == text.Length - 1;
            }
        }
        return false;
    }

    internal static TokenKind Classify(string text)
    {
        if (NumberSyntax.IsNat(text))
        {
            return TokenKind.Nat;
        }
        if (NumberSyntax.IsInt(text))
        {
            return TokenKind.Int;
        }
        if (NumberSyntax.IsFloat(text))
        {
            return TokenKind.Float;
        }
        if (IsKeyword(text))
        {
            return TokenKind.Keyword;
        }
        if ((text.StartsWith("offset=", StringComparison.Ordinal) && NumberSyntax.IsNat(text[7..])) ||
            (text.StartsWith("align=", StringComparison.Ordinal) && NumberSyntax.IsNat(text[6..])))
        {
            return TokenKind.Keyword;
        }
        return TokenKind.Reserved;
    }

    private static bool IsKeyword(string text)
    {
        if (text.Length < 2 || text[0] is < 'a' or > 'z')
        {
            return false;
        }
        foreach (var c in text)
        {
            if (!(c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_' or '.' or ':'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Reads a string literal at the current position (a quote) and returns its bytes.</summary>
    private byte[] ReadString()
    {
        var start = Here;
        _pos++;
        var bytes = new List<byte>();
        Span<byte> buffer = stackalloc byte[4];
        while (true)
        {
            if (_pos >= _text.Length || _text[_pos] is '\n' or '\r')
            {
                throw Error("unclosed string literal", start);
            }
            var c = _text[_pos];
            if (c == '"')
            {
                _pos++;
                return [.. bytes];
            }
            if (c == '\\')
            {
                var escapeStart = _pos;
                _pos++;
                if (_pos >= _text.Length)
                {
                    throw Error("unclosed string literal", start);
                }
                var e = _text[_pos];
                switch (e)
                {
                    case 'n': bytes.Add(0x0a); _pos++; continue;
                    case 'r': bytes.Add(0x0d); _pos++; continue;
                    case 't': bytes.Add(0x09); _pos++; continue;
                    case '\\': bytes.Add((byte)'\\'); _pos++; continue;
                    case '\'': bytes.Add((byte)'\''); _pos++; continue;
                    case '"': bytes.Add((byte)'"'); _pos++; continue;
                    case 'u':
                        {
                            _pos++;
                            if (_pos >= _text.Length || _text[_pos] != '{')
                            {
                                throw Error("illegal escape", At(escapeStart));
                            }
                            _pos++;
                            var digitsStart = _pos;
                            while (_pos < _text.Length && (Uri.IsHexDigit(_text[_pos]) || _text[_pos] == '_'))
                            {
                                _pos++;
                            }
                            var digits = _text[digitsStart.._pos];
                            if (_pos >= _text.Length || _text[_pos] != '}' || !NumberSyntax.IsHexNum(digits))
                            {
                                throw Error("illegal escape", At(escapeStart));
                            }
                            _pos++;
                            var value = 0L;
                            foreach (var d in digits)
                            {
                                if (d == '_')
                                {
                                    continue;
                                }
                                value = value * 16 + Convert.ToInt32(d.ToString(), 16);
                                if (value > 0x10FFFF)
                                {
                                    throw Error("illegal escape", At(escapeStart));
                                }
                            }
                            if (value is >= 0xD800 and < 0xE000)
                            {
                                throw Error("illegal escape", At(escapeStart));
                            }
                            var n = new Rune((int)value).EncodeToUtf8(buffer);
                            for (var i = 0; i < n; i++)
                            {
                                bytes.Add(buffer[i]);
                            }
                            continue;
                        }
                    default:
                        if (Uri.IsHexDigit(e) && _pos + 1 < _text.Length && Uri.IsHexDigit(_text[_pos + 1]))
                        {
                            bytes.Add((byte)Convert.ToInt32(_text.Substring(_pos, 2), 16));
                            _pos += 2;
                            continue;
                        }
                        throw Error("illegal escape", At(escapeStart));
                }
            }
            if (c < 0x20 || c == 0x7f)
            {
                throw Error("illegal control character in string literal", At(_pos));
            }
            if (char.IsHighSurrogate(c) && _pos + 1 < _text.Length && char.IsLowSurrogate(_text[_pos + 1]))
            {
                var n = new Rune(c, _text[_pos + 1]).EncodeToUtf8(buffer);
                for (var i = 0; i < n; i++)
                {
                    bytes.Add(buffer[i]);
                }
                _pos += 2;
                continue;
            }
            if (char.IsSurrogate(c))
            {
                throw Error("malformed UTF-8 encoding", At(_pos));
            }
            if (c < 0x80)
            {
                bytes.Add((byte)c);
            }
            else
            {
                var n = new Rune(c).EncodeToUtf8(buffer);
                for (var i = 0; i < n; i++)
                {
                    bytes.Add(buffer[i]);
                }
            }
            _pos++;
        }
    }
}

/// <summary>UTF-8 helpers for names and for text that may hold bytes that are not UTF-8.</summary>
public static class Utf8Text
{
    private static readonly UTF8Encoding s_strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Decodes bytes as UTF-8, keeping every byte that is not part of a well-formed sequence as the lone
    /// surrogate U+DC00+byte (as Python's <c>surrogateescape</c>), so that the text parser can still report it.
    /// </summary>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        var builder = new StringBuilder(bytes.Length);
        var i = 0;
        while (i < bytes.Length)
        {
            var status = Rune.DecodeFromUtf8(bytes[i..], out var rune, out var consumed);
            if (status == System.Buffers.OperationStatus.Done)
            {
                builder.Append(rune.ToString());
                i += consumed;
            }
            else
            {
                builder.Append((char)(0xDC00 + bytes[i]));
                i++;
            }
        }
        return builder.ToString();
    }

    /// <summary>Decodes a name (spec: <c>name</c>): null where the bytes are not well-formed UTF-8.</summary>
    public static string? DecodeName(byte[] bytes)
    {
        try
        {
            return s_strict.GetString(bytes);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
