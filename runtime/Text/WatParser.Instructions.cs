using System.Numerics;
using WasmHarness.Syntax;

namespace WasmHarness.Text;

internal sealed partial class ModuleParser
{
    /// <summary>Parses instruction sequences (plain and folded) of one function body or constant expression.</summary>
    private sealed class FunctionBodyParser(ModuleParser module, TokenStream stream)
    {
        private readonly ModuleParser _m = module;
        private readonly TokenStream _s = stream;
        private readonly Dictionary<string, uint> _localNames = new(StringComparer.Ordinal);
        private uint _localCount;
        private Token? _unknownParameterType;

        /// <summary>Label names from outermost to innermost; the function body itself is an unnamed label.</summary>
        private readonly List<string?> _labels = [null];

        private readonly List<Instruction> _out = [];

        public void DeclareParameters(List<Token?> names, int count, Token typeUse)
        {
            if (names.Count > 0)
            {
                foreach (var name in names)
                {
                    DeclareLocal(name);
                }
            }
            else if (count >= 0)
            {
                _localCount = (uint)count;
            }
            else
            {
                _unknownParameterType = typeUse;
            }
        }

        public void DeclareLocal(Token? id)
        {
            if (id is not null)
            {
                if (_unknownParameterType is not null)
                {
                    _s.Defer(_unknownParameterType, "unknown type");
                }
                if (!_localNames.TryAdd(id.Name!, _localCount))
                {
                    _s.Defer(id, $"duplicate local ${id.Name}");
                }
            }
            _localCount++;
        }

        /// <summary>Instructions up to the closing parenthesis (not consumed), then <c>end</c>.</summary>
        public List<Instruction> ParseBody()
        {
            ParseInstructionList();
            if (!_s.IsKind(TokenKind.RParen))
            {
                throw _s.Unexpected(_s.Peek());
            }
            _out.Add(Instruction.Simple(Opcode.End));
            return _out;
        }

        /// <summary>One folded instruction, then <c>end</c>.</summary>
        public List<Instruction> ParseSingleFolded()
        {
            ParseFolded();
            _out.Add(Instruction.Simple(Opcode.End));
            return _out;
        }

        private void Emit(Instruction instruction) => _out.Add(instruction);

        private void ParseInstructionList()
        {
            while (true)
            {
                var token = _s.PeekAt(0);
                switch (token.Kind)
                {
                    case TokenKind.LParen:
                        ParseFolded();
                        continue;
                    case TokenKind.Keyword when token.Text is "end" or "else" or "catch" or "catch_all" or "delegate":
                        return;
                    case TokenKind.Keyword:
                        ParsePlain();
                        continue;
                    case TokenKind.RParen or TokenKind.Eof:
                        return;
                    default:
                        throw _s.Unexpected(_s.Peek());
                }
            }
        }

        private string? ParseLabel() => _s.TryId()?.Name;

        private void ParseEndLabel(string? label)
        {
            if (_s.IsKind(TokenKind.Id))
            {
                var id = _s.Next();
                if (label is null || id.Name != label)
                {
                    _s.Defer(id, "mismatching label");
                }
            }
        }

        private void PushLabel(string? label) => _labels.Add(label);

        private void PopLabel() => _labels.RemoveAt(_labels.Count - 1);

        /// <summary>Deeply nested text would overflow the stack (which ends the process): report it instead.</summary>
        private void EnsureStack(Token at)
        {
            if (!System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
            {
                throw _s.Error(at, "nesting too deep");
            }
        }

        private void ParsePlain()
        {
            var token = _s.Peek();
            EnsureStack(token);
            switch (token.Text)
            {
                case "block" or "loop":
                    {
                        _s.Next();
                        var label = ParseLabel();
                        var type = ParseBlockType();
                        Emit(Instruction.Block(token.Text == "block" ? Opcode.Block : Opcode.Loop, type));
                        PushLabel(label);
                        ParseInstructionList();
                        _s.ExpectKeyword("end");
                        ParseEndLabel(label);
                        PopLabel();
                        Emit(Instruction.Simple(Opcode.End));
                        return;
                    }
                case "if":
                    {
                        _s.Next();
                        var label = ParseLabel();
                        var type = ParseBlockType();
                        Emit(Instruction.Block(Opcode.If, type));
                        PushLabel(label);
                        ParseInstructionList();
                        if (_s.TryKeyword("else"))
                        {
                            ParseEndLabel(label);
                            Emit(Instruction.Simple(Opcode.Else));
                            ParseInstructionList();
                        }
                        _s.ExpectKeyword("end");
                        ParseEndLabel(label);
                        PopLabel();
                        Emit(Instruction.Simple(Opcode.End));
                        return;
                    }
                case "try_table":
                    {
                        _s.Next();
                        var label = ParseLabel();
                        var type = ParseBlockType();
                        var catches = ParseCatchClauses();
                        Emit(Instruction.TryTable(type, catches));
                        PushLabel(label);
                        ParseInstructionList();
                        _s.ExpectKeyword("end");
                        ParseEndLabel(label);
                        PopLabel();
                        Emit(Instruction.Simple(Opcode.End));
                        return;
                    }
                case "try":
                    {
                        _s.Next();
                        var label = ParseLabel();
                        var type = ParseBlockType();
                        Emit(Instruction.Block(Opcode.Try, type));
                        PushLabel(label);
                        ParseInstructionList();
                        var handlers = false;
                        while (_s.IsKeyword("catch"))
                        {
                            handlers = true;
                            _s.Next();
                            Emit(Instruction.WithIndex(Opcode.Catch, _m._tags.Resolve(_s.Next(), _s)));
                            ParseInstructionList();
                        }
                        if (_s.TryKeyword("catch_all"))
                        {
                            handlers = true;
                            Emit(Instruction.Simple(Opcode.CatchAll));
                            ParseInstructionList();
                        }
                        if (!handlers && _s.TryKeyword("delegate"))
                        {
                            PopLabel();
                            Emit(Instruction.WithIndex(Opcode.Delegate, ResolveLabel(_s.Next())));
                            return;
                        }
                        _s.ExpectKeyword("end");
                        ParseEndLabel(label);
                        PopLabel();
                        Emit(Instruction.Simple(Opcode.End));
                        return;
                    }
                default:
                    Emit(ParseOperator());
                    return;
            }
        }

        private void ParseFolded()
        {
            _s.Expect(TokenKind.LParen);
            var token = _s.Peek();
            EnsureStack(token);
            switch (token.Kind == TokenKind.Keyword ? token.Text : "")
            {
                case "block" or "loop":
                    {
                        _s.Next();
                        var label = ParseLabel();
                        var type = ParseBlockType();
                        Emit(Instruction.Block(token.Text == "block" ? Opcode.Block : Opcode.Loop, type));
                        PushLabel(label);
                        ParseInstructionList();
                        _s.ExpectRParen();
                        PopLabel();
                        Emit(Instruction.Simple(Opcode.End));
                        return;
                    }
                case "if":
                    {
                        _s.Next();
                        var label = ParseLabel();
                        var type = ParseBlockType();
                        while (_s.IsKind(TokenKind.LParen) && !_s.IsParen("then"))
                        {
                            ParseFolded();
                        }
                        Emit(Instruction.Block(Opcode.If, type));
                        PushLabel(label);
                        _s.ExpectParen("then");
                        ParseInstructionList();
                        _s.ExpectRParen();
                        if (_s.IsParen("else"))
                        {
                            _s.Position += 2;
                            Emit(Instruction.Simple(Opcode.Else));
                            ParseInstructionList();
                            _s.ExpectRParen();
                        }
                        _s.ExpectRParen();
                        PopLabel();
                        Emit(Instruction.Simple(Opcode.End));
                        return;
                    }
                case "try_table":
                    {
                        _s.Next();
                        var label = ParseLabel();
                        var type = ParseBlockType();
                        var catches = ParseCatchClauses();
                        Emit(Instruction.TryTable(type, catches));
                        PushLabel(label);
                        ParseInstructionList();
                        _s.ExpectRParen();
                        PopLabel();
                        Emit(Instruction.Simple(Opcode.End));
                        return;
                    }
                case "try":
                    {
                        _s.Next();
                        var label = ParseLabel();
                        var type = ParseBlockType();
                        Emit(Instruction.Block(Opcode.Try, type));
                        PushLabel(label);
                        _s.ExpectParen("do");
                        ParseInstructionList();
                        _s.ExpectRParen();
                        var handlers = false;
                        while (_s.IsParen("catch"))
                        {
                            handlers = true;
                            _s.Position += 2;
                            Emit(Instruction.WithIndex(Opcode.Catch, _m._tags.Resolve(_s.Next(), _s)));
                            ParseInstructionList();
                            _s.ExpectRParen();
                        }
                        if (_s.IsParen("catch_all"))
                        {
                            handlers = true;
                            _s.Position += 2;
                            Emit(Instruction.Simple(Opcode.CatchAll));
                            ParseInstructionList();
                            _s.ExpectRParen();
                        }
                        if (!handlers && _s.IsParen("delegate"))
                        {
                            _s.Position += 2;
                            PopLabel();
                            Emit(Instruction.WithIndex(Opcode.Delegate, ResolveLabel(_s.Next())));
                            _s.ExpectRParen();
                            _s.ExpectRParen();
                            return;
                        }
                        _s.ExpectRParen();
                        PopLabel();
                        Emit(Instruction.Simple(Opcode.End));
                        return;
                    }
                default:
                    {
                        var instruction = ParseOperator();
                        while (_s.IsKind(TokenKind.LParen))
                        {
                            ParseFolded();
                        }
                        _s.ExpectRParen();
                        Emit(instruction);
                        return;
                    }
            }
        }

        private List<CatchClause> ParseCatchClauses()
        {
            var catches = new List<CatchClause>();
            while (_s.IsKind(TokenKind.LParen) && _s.PeekAt(1) is { Kind: TokenKind.Keyword } keyword &&
                   keyword.Text is "catch" or "catch_ref" or "catch_all" or "catch_all_ref")
            {
                _s.Position += 2;
                switch (keyword.Text)
                {
                    case "catch":
                        catches.Add(new CatchClause(CatchKind.Catch, _m._tags.Resolve(_s.Next(), _s), ResolveLabel(_s.Next())));
                        break;
                    case "catch_ref":
                        catches.Add(new CatchClause(CatchKind.CatchRef, _m._tags.Resolve(_s.Next(), _s), ResolveLabel(_s.Next())));
                        break;
                    case "catch_all":
                        catches.Add(new CatchClause(CatchKind.CatchAll, 0, ResolveLabel(_s.Next())));
                        break;
                    default:
                        catches.Add(new CatchClause(CatchKind.CatchAllRef, 0, ResolveLabel(_s.Next())));
                        break;
                }
                _s.ExpectRParen();
            }
            return catches;
        }

        private BlockType ParseBlockType()
        {
            if (_s.IsParen("type"))
            {
                var (index, _, _) = _m.ParseTypeUse(allowNames: false);
                return index <= int.MaxValue ? BlockType.Indexed(index) : throw _s.Error(_s.PeekAt(-1), $"unknown type {index}");
            }
            var (parameters, _, results) = _m.ParseFunctionSignature(allowNames: false);
            if (parameters.Count == 0 && results.Count == 0)
            {
                return BlockType.Empty;
            }
            if (parameters.Count == 0 && results.Count == 1)
            {
                return BlockType.Value(results[0]);
            }
            return BlockType.Indexed(_m.InlineFunctionType(parameters, results));
        }

        private uint ResolveLabel(Token token)
        {
            if (token.Kind == TokenKind.Nat)
            {
                if (!NumberLiterals.TryParseNat(token.Text, 32, out var value))
                {
                    _s.Defer(token, "i32 constant out of range");
                }
                return (uint)value;
            }
            if (token.Kind == TokenKind.Id)
            {
                for (var i = _labels.Count - 1; i >= 0; i--)
                {
                    if (_labels[i] == token.Name)
                    {
                        return (uint)(_labels.Count - 1 - i);
                    }
                }
                _s.Defer(token, $"unknown label ${token.Name}");
                return 0;
            }
            throw _s.Unexpected(token);
        }

        private uint ResolveLocal(Token token)
        {
            if (token.Kind == TokenKind.Id)
            {
                if (_localNames.TryGetValue(token.Name!, out var index))
                {
                    return index;
                }
                _s.Defer(token, $"unknown local ${token.Name}");
                return 0;
            }
            if (token.Kind == TokenKind.Nat)
            {
                if (!NumberLiterals.TryParseNat(token.Text, 32, out var value))
                {
                    _s.Defer(token, "i32 constant out of range");
                }
                return (uint)value;
            }
            throw _s.Unexpected(token);
        }

        private bool AtIndex => _s.IsKind(TokenKind.Nat) || _s.IsKind(TokenKind.Id);

        private uint OptionalIndex(NameSpace space) => AtIndex ? space.Resolve(_s.Next(), _s) : 0;

        /// <summary>A plain (non-structured) instruction with its immediates.</summary>
        private Instruction ParseOperator()
        {
            var token = _s.Next();
            if (token.Kind != TokenKind.Keyword)
            {
                throw _s.Unexpected(token);
            }
            switch (token.Text)
            {
                case "select":
                    {
                        if (!_s.IsParen("result"))
                        {
                            return Instruction.Simple(Opcode.Select);
                        }
                        var types = new List<ValType>();
                        while (_s.IsParen("result"))
                        {
                            _s.Position += 2;
                            while (!_s.IsKind(TokenKind.RParen))
                            {
                                types.Add(_m.ParseValueType());
                            }
                            _s.ExpectRParen();
                        }
                        return Instruction.SelectTyped(types);
                    }
                case "ref.test" or "ref.cast":
                    {
                        var type = _m.ParseRefType();
                        var opcode = token.Text == "ref.test"
                            ? type.Nullable ? Opcode.RefTestNull : Opcode.RefTest
                            : type.Nullable ? Opcode.RefCastNull : Opcode.RefCast;
                        return Instruction.WithHeapType(opcode, type.Heap);
                    }
            }
            if (!OpcodeTable.TryGetByName(token.Text, out var info) || info.Opcode.OpensBlock() ||
                info.Opcode is Opcode.End or Opcode.Else or Opcode.Catch or Opcode.CatchAll or Opcode.Delegate)
            {
                throw _s.Unexpected(token);
            }
            var op = info.Opcode;
            switch (info.Immediates)
            {
                case ImmediateKind.None:
                    return Instruction.Simple(op);
                case ImmediateKind.Label:
                    return Instruction.WithIndex(op, ResolveLabel(_s.Next()));
                case ImmediateKind.BranchTable:
                    {
                        var labels = new List<uint> { ResolveLabel(_s.Next()) };
                        while (AtIndex)
                        {
                            labels.Add(ResolveLabel(_s.Next()));
                        }
                        var defaultLabel = labels[^1];
                        labels.RemoveAt(labels.Count - 1);
                        return Instruction.BrTable(labels, defaultLabel);
                    }
                case ImmediateKind.Function:
                    return Instruction.WithIndex(op, _m._funcs.Resolve(_s.Next(), _s));
                case ImmediateKind.CallIndirect:
                    {
                        var table = OptionalIndex(_m._tables);
                        var (type, _, _) = _m.ParseTypeUse(allowNames: false);
                        return Instruction.WithIndices(op, type, table);
                    }
                case ImmediateKind.Type:
                    return Instruction.WithIndex(op, _m._types.Resolve(_s.Next(), _s));
                case ImmediateKind.TypeAndField:
                    {
                        var type = _m._types.Resolve(_s.Next(), _s);
                        var fieldToken = _s.Next();
                        uint field = 0;
                        if (fieldToken.Kind == TokenKind.Id)
                        {
                            if (type >= _m._fieldNames.Count || !_m._fieldNames[(int)type].TryGetValue(fieldToken.Name!, out field))
                            {
                                _s.Defer(fieldToken, $"unknown field ${fieldToken.Name}");
                            }
                        }
                        else if (fieldToken.Kind == TokenKind.Nat)
                        {
                            field = NameSpaceNat(fieldToken);
                        }
                        else
                        {
                            throw _s.Unexpected(fieldToken);
                        }
                        return Instruction.WithIndices(op, type, field);
                    }
                case ImmediateKind.TypeAndType:
                    {
                        var first = _m._types.Resolve(_s.Next(), _s);
                        return Instruction.WithIndices(op, first, _m._types.Resolve(_s.Next(), _s));
                    }
                case ImmediateKind.TypeAndData:
                    {
                        var type = _m._types.Resolve(_s.Next(), _s);
                        return Instruction.WithIndices(op, type, _m._datas.Resolve(_s.Next(), _s));
                    }
                case ImmediateKind.TypeAndElem:
                    {
                        var type = _m._types.Resolve(_s.Next(), _s);
                        return Instruction.WithIndices(op, type, _m._elems.Resolve(_s.Next(), _s));
                    }
                case ImmediateKind.TypeAndCount:
                    {
                        var type = _m._types.Resolve(_s.Next(), _s);
                        return Instruction.ArrayNewFixed(type, _s.Nat32());
                    }
                case ImmediateKind.Local:
                    return Instruction.WithIndex(op, ResolveLocal(_s.Next()));
                case ImmediateKind.Global:
                    return Instruction.WithIndex(op, _m._globals.Resolve(_s.Next(), _s));
                case ImmediateKind.Table:
                    return Instruction.WithIndex(op, OptionalIndex(_m._tables));
                case ImmediateKind.Memory:
                    return Instruction.WithIndex(op, OptionalIndex(_m._memories));
                case ImmediateKind.TableAndTable:
                    {
                        if (!AtIndex)
                        {
                            return Instruction.WithIndices(op, 0, 0);
                        }
                        var destination = _m._tables.Resolve(_s.Next(), _s);
                        return Instruction.WithIndices(op, destination, _m._tables.Resolve(_s.Next(), _s));
                    }
                case ImmediateKind.MemoryAndMemory:
                    {
                        if (!AtIndex)
                        {
                            return Instruction.WithIndices(op, 0, 0);
                        }
                        var destination = _m._memories.Resolve(_s.Next(), _s);
                        return Instruction.WithIndices(op, destination, _m._memories.Resolve(_s.Next(), _s));
                    }
                case ImmediateKind.ElemAndTable:
                    {
                        // Text order: table? elem; binary order: elem, table.
                        var first = _s.Next();
                        if (AtIndex)
                        {
                            var table = _m._tables.Resolve(first, _s);
                            return Instruction.WithIndices(op, _m._elems.Resolve(_s.Next(), _s), table);
                        }
                        return Instruction.WithIndices(op, _m._elems.Resolve(first, _s), 0);
                    }
                case ImmediateKind.DataAndMemory:
                    {
                        var first = _s.Next();
                        if (AtIndex)
                        {
                            var memory = _m._memories.Resolve(first, _s);
                            return Instruction.WithIndices(op, _m._datas.Resolve(_s.Next(), _s), memory);
                        }
                        return Instruction.WithIndices(op, _m._datas.Resolve(first, _s), 0);
                    }
                case ImmediateKind.Data:
                    return Instruction.WithIndex(op, _m._datas.Resolve(_s.Next(), _s));
                case ImmediateKind.Element:
                    return Instruction.WithIndex(op, _m._elems.Resolve(_s.Next(), _s));
                case ImmediateKind.Tag:
                    return Instruction.WithIndex(op, _m._tags.Resolve(_s.Next(), _s));
                case ImmediateKind.MemArg:
                    {
                        var memory = OptionalIndex(_m._memories);
                        return Instruction.Memory(op, ParseOffsetAlign(info, memory));
                    }
                case ImmediateKind.MemArgAndLane:
                    {
                        uint memory = 0;
                        if (_s.IsKind(TokenKind.Id))
                        {
                            memory = _m._memories.Resolve(_s.Next(), _s);
                        }
                        else if (_s.IsKind(TokenKind.Nat))
                        {
                            // A memory index is present when a lane index (possibly after offset/align) follows.
                            var i = 1;
                            while (_s.PeekAt(i) is { Kind: TokenKind.Keyword } k &&
                                   (k.Text.StartsWith("offset=", StringComparison.Ordinal) || k.Text.StartsWith("align=", StringComparison.Ordinal)))
                            {
                                i++;
                            }
                            if (_s.PeekAt(i).Kind == TokenKind.Nat)
                            {
                                memory = _m._memories.Resolve(_s.Next(), _s);
                            }
                        }
                        var arg = ParseOffsetAlign(info, memory);
                        return Instruction.MemoryLane(op, arg, ParseLaneIndex());
                    }
                case ImmediateKind.Lane:
                    return Instruction.Lane(op, ParseLaneIndex());
                case ImmediateKind.Shuffle:
                    {
                        var lanes = new List<Token>();
                        while (TokenStream.IsNumber(_s.Peek()))
                        {
                            lanes.Add(_s.Next());
                        }
                        if (lanes.Count != 16)
                        {
                            _s.Defer(token, "invalid lane length");
                        }
                        var bytes = new byte[16];
                        for (var i = 0; i < Math.Min(16, lanes.Count); i++)
                        {
                            if (!NumberLiterals.TryParseNat(lanes[i].Text, 8, out var lane))
                            {
                                _s.Defer(lanes[i], "i8 constant out of range");
                            }
                            bytes[i] = (byte)lane;
                        }
                        return Instruction.Shuffle(V128.FromBytes(bytes));
                    }
                case ImmediateKind.I32:
                    {
                        var literal = ExpectNumber();
                        if (!NumberLiterals.TryParseInt(literal.Text, 32, out var value))
                        {
                            _s.Defer(literal, "constant out of range");
                        }
                        return Instruction.I32Const((int)(uint)value);
                    }
                case ImmediateKind.I64:
                    {
                        var literal = ExpectNumber();
                        if (!NumberLiterals.TryParseInt(literal.Text, 64, out var value))
                        {
                            _s.Defer(literal, "constant out of range");
                        }
                        return Instruction.I64Const((long)value);
                    }
                case ImmediateKind.F32:
                    {
                        var literal = ExpectNumber();
                        if (!NumberLiterals.TryParseF32(literal.Text, out var bits))
                        {
                            _s.Defer(literal, "constant out of range");
                        }
                        return Instruction.F32Const(bits);
                    }
                case ImmediateKind.F64:
                    {
                        var literal = ExpectNumber();
                        if (!NumberLiterals.TryParseF64(literal.Text, out var bits))
                        {
                            _s.Defer(literal, "constant out of range");
                        }
                        return Instruction.F64Const(bits);
                    }
                case ImmediateKind.V128:
                    return Instruction.V128Const(ParseV128(_s, token, defer: true));
                case ImmediateKind.HeapType:
                    return Instruction.WithHeapType(op, _m.ParseHeapType());
                case ImmediateKind.BrOnCast:
                    {
                        var label = ResolveLabel(_s.Next());
                        var from = _m.ParseRefType();
                        var to = _m.ParseRefType();
                        return Instruction.BrOnCast(op, label, from, to);
                    }
                default:
                    throw _s.Unexpected(token);
            }
        }

        private uint NameSpaceNat(Token token) =>
            NumberLiterals.TryParseNat(token.Text, 32, out var value) ? (uint)value : throw _s.Error(token, "i32 constant out of range");

        private Token ExpectNumber()
        {
            var token = _s.Next();
            return TokenStream.IsNumber(token) ? token : throw _s.Unexpected(token);
        }

        private byte ParseLaneIndex()
        {
            var token = _s.Expect(TokenKind.Nat);
            return NumberLiterals.TryParseNat(token.Text, 8, out var lane)
                ? (byte)lane
                : throw _s.Error(token, "i8 constant out of range");
        }

        private MemArg ParseOffsetAlign(OpcodeInfo info, uint memory)
        {
            ulong offset = 0;
            uint align = info.NaturalAlignment;
            if (_s.PeekAt(0) is { Kind: TokenKind.Keyword } o && o.Text.StartsWith("offset=", StringComparison.Ordinal))
            {
                _s.Next();
                if (!NumberLiterals.TryParseNat(o.Text[7..], 64, out offset))
                {
                    throw _s.Error(o, "i64 constant out of range");
                }
            }
            if (_s.PeekAt(0) is { Kind: TokenKind.Keyword } a && a.Text.StartsWith("align=", StringComparison.Ordinal))
            {
                _s.Next();
                if (!NumberLiterals.TryParseNat(a.Text[6..], 64, out var value))
                {
                    throw _s.Error(a, "i64 constant out of range");
                }
                if (value == 0 || !BitOperations.IsPow2(value))
                {
                    throw _s.Error(a, "alignment must be a power of two");
                }
                align = (uint)BitOperations.Log2(value);
            }
            return new MemArg(align, offset, memory);
        }
    }

    /// <summary>Parses the shape and lanes of <c>v128.const</c> (after the keyword).</summary>
    internal static V128 ParseV128(TokenStream s, Token at, bool defer)
    {
        var shapeToken = s.Next();
        if (shapeToken.Kind != TokenKind.Keyword || LaneCount(shapeToken.Text) is not { } count)
        {
            throw s.Unexpected(shapeToken);
        }
        var lanes = new List<Token>();
        while (TokenStream.IsNumber(s.Peek()))
        {
            lanes.Add(s.Next());
        }
        void Fail(Token token, string reason)
        {
            if (!defer)
            {
                throw s.Error(token, reason);
            }
            s.Defer(token, reason);
        }
        if (lanes.Count != count)
        {
            Fail(at, "wrong number of lane literals");
        }
        var bytes = new byte[16];
        var width = 16 / count;
        for (var i = 0; i < Math.Min(count, lanes.Count); i++)
        {
            if (!TryParseLane(shapeToken.Text, lanes[i].Text, out var bits))
            {
                Fail(lanes[i], "constant out of range");
            }
            for (var b = 0; b < width; b++)
            {
                bytes[i * width + b] = (byte)(bits >> (8 * b));
            }
        }
        return V128.FromBytes(bytes);
    }

    internal static int? LaneCount(string shape) => shape switch
    {
        "i8x16" => 16,
        "i16x8" => 8,
        "i32x4" or "f32x4" => 4,
        "i64x2" or "f64x2" => 2,
        _ => null,
    };

    internal static bool TryParseLane(string shape, string text, out ulong bits)
    {
        bits = 0;
        switch (shape)
        {
            case "i8x16":
                return NumberLiterals.TryParseInt(text, 8, out bits);
            case "i16x8":
                return NumberLiterals.TryParseInt(text, 16, out bits);
            case "i32x4":
                return NumberLiterals.TryParseInt(text, 32, out bits);
            case "i64x2":
                return NumberLiterals.TryParseInt(text, 64, out bits);
            case "f32x4":
                {
                    var ok = NumberLiterals.TryParseF32(text, out var f);
                    bits = f;
                    return ok;
                }
            default:
                return NumberLiterals.TryParseF64(text, out bits);
        }
    }
}
