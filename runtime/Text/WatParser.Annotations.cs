using WasmHarness.Syntax;

namespace WasmHarness.Text;

internal sealed partial class ModuleParser
{
    // Standard sections in the order of the binary format, with their ids.
    private static readonly (string Name, byte Id)[] s_sectionOrder =
    [
        ("type", 1), ("import", 2), ("func", 3), ("table", 4), ("memory", 5), ("tag", 13), ("global", 6),
        ("export", 7), ("start", 8), ("elem", 9), ("datacount", 12), ("code", 10), ("data", 11),
    ];

    /// <summary>
    /// Applies the annotations the spec's appendix defines, among those written in this module:
    /// <c>@custom</c> becomes a custom section, <c>@name</c> names the module or a function. Others are ignored.
    /// </summary>
    private void ApplyAnnotations(int fieldsStart)
    {
        string? moduleName = null;
        var hinted = new HashSet<int>();
        foreach (var annotation in _s.Annotations)
        {
            if (annotation.TokenIndex < fieldsStart || annotation.TokenIndex > _end)
            {
                continue;
            }
            var enclosing = _fields.FirstOrDefault(f => f.Start < annotation.TokenIndex && annotation.TokenIndex <= f.End);
            switch (annotation.Name)
            {
                case "metadata.code.branch_hint":
                    CheckBranchHint(annotation, enclosing, hinted);
                    break;
                case "custom":
                    ApplyCustom(annotation, enclosing);
                    break;
                case "name":
                    {
                        var name = AnnotationName(annotation);
                        if (enclosing is null)
                        {
                            if (_fields.Count > 0 && annotation.TokenIndex > _fields[0].Start)
                            {
                                throw _s.Error(AnnotationToken(annotation), "misplaced @name annotation");
                            }
                            if (moduleName is not null)
                            {
                                throw _s.Error(AnnotationToken(annotation), "@name annotation: multiple module names");
                            }
                            moduleName = name;
                            _m.Name = name;
                        }
                        else if (enclosing.Keyword is "func" or "tag")
                        {
                            var head = enclosing.Start + 2 + (_s[enclosing.Start + 2].Kind == TokenKind.Id ? 1 : 0);
                            if (annotation.TokenIndex != head)
                            {
                                throw _s.Error(AnnotationToken(annotation), "@name annotation: misplaced annotation");
                            }
                            if (enclosing.Keyword == "func")
                            {
                                _m.FunctionNames[enclosing.Index] = name;
                            }
                        }
                        else if (enclosing.Keyword is "type" or "rec")
                        {
                            throw _s.Error(AnnotationToken(annotation), "@name annotation: type and field names not yet supported");
                        }
                        else
                        {
                            throw _s.Error(AnnotationToken(annotation), "misplaced @name annotation");
                        }
                        break;
                    }
            }
        }
    }

    /// <summary>
    /// Checks a branch hint annotation (spec appendix, custom sections). The hints themselves are not kept:
    /// the module model has no place for them (see docs/text-format.md).
    /// </summary>
    private void CheckBranchHint(Annotation annotation, Field? enclosing, HashSet<int> hinted)
    {
        const string prefix = "@metadata.code.branch_hint annotation: ";
        var at = AnnotationToken(annotation);
        var payload = new List<byte>();
        foreach (var item in annotation.Tokens)
        {
            if (item.Kind != TokenKind.String)
            {
                throw _s.Error(item, prefix + "unexpected token");
            }
            payload.AddRange(item.Bytes!);
        }
        if (enclosing is not { Keyword: "func" })
        {
            throw _s.Error(at, prefix + "not in a function");
        }
        if (payload.Count != 1 || payload[0] > 1)
        {
            throw _s.Error(at, prefix + "invalid hint value");
        }
        if (!hinted.Add(annotation.TokenIndex))
        {
            throw _s.Error(at, prefix + "duplicate annotation");
        }
        // A hint belongs to the branch instruction that follows it, plain or folded: if or br_if.
        var target = _s[annotation.TokenIndex].Kind == TokenKind.LParen ? _s[annotation.TokenIndex + 1] : _s[annotation.TokenIndex];
        if (target is not { Kind: TokenKind.Keyword, Text: "if" or "br_if" })
        {
            throw _s.Error(at, prefix + "invalid target");
        }
    }

    private static Token AnnotationToken(Annotation annotation) => new(TokenKind.Keyword, "@" + annotation.Name, annotation.Location);

    private string AnnotationName(Annotation annotation)
    {
        var items = annotation.Tokens;
        if (items.Count == 0 || items[0].Kind != TokenKind.String)
        {
            throw _s.Error(AnnotationToken(annotation), "@name annotation: string expected");
        }
        var name = Utf8Text.DecodeName(items[0].Bytes!) ?? throw _s.Error(items[0], "malformed UTF-8 encoding");
        if (items.Count > 1)
        {
            throw _s.Error(items[1], "@name annotation: unexpected token");
        }
        return name;
    }

    private void ApplyCustom(Annotation annotation, Field? enclosing)
    {
        var items = annotation.Tokens;
        var at = AnnotationToken(annotation);
        if (items.Count == 0 || items[0].Kind != TokenKind.String)
        {
            throw _s.Error(at, "@custom annotation: missing section name");
        }
        var name = Utf8Text.DecodeName(items[0].Bytes!) ?? throw _s.Error(items[0], "@custom annotation: malformed UTF-8 encoding");
        var i = 1;
        byte after = 11; // default: after the last section (data)
        var order = 100.0; // the placement's position in the binary, for sorting
        if (i < items.Count && items[i].Kind == TokenKind.LParen)
        {
            var open = items[i];
            i++;
            var direction = i < items.Count ? items[i].Text : "";
            if (direction is not ("before" or "after") || items[i].Kind is TokenKind.LParen or TokenKind.RParen or TokenKind.String)
            {
                throw _s.Error(open, "@custom annotation: malformed placement");
            }
            i++;
            var section = i < items.Count && items[i].Kind is not (TokenKind.LParen or TokenKind.RParen or TokenKind.String) ? items[i].Text : "";
            var position = section switch
            {
                "first" => -1,
                "last" => s_sectionOrder.Length,
                _ => Array.FindIndex(s_sectionOrder, s => s.Name == section),
            };
            if (position < -1 || (position == -1 && section != "first"))
            {
                throw _s.Error(open, "@custom annotation: malformed section kind");
            }
            i++;
            if (i >= items.Count || items[i].Kind != TokenKind.RParen)
            {
                throw _s.Error(i < items.Count ? items[i] : open, "@custom annotation: unexpected token");
            }
            i++;
            if (section == "first")
            {
                after = 0;
                order = -1;
            }
            else if (section == "last")
            {
                after = 11;
            }
            else
            {
                var index = direction == "after" ? position : position - 1;
                after = index < 0 ? (byte)0 : s_sectionOrder[index].Id;
                order = direction == "after" ? position : position - 0.5;
            }
        }
        var content = new List<byte>();
        while (i < items.Count && items[i].Kind == TokenKind.String)
        {
            content.AddRange(items[i].Bytes!);
            i++;
        }
        if (i < items.Count)
        {
            throw _s.Error(items[i], "@custom annotation: unexpected token");
        }
        if (enclosing is not null)
        {
            throw _s.Error(at, "misplaced @custom annotation");
        }
        _customs.Add((name, content.ToArray(), after, order));
    }

    private readonly List<(string Name, byte[] Content, byte After, double Order)> _customs = [];

    /// <summary>
    /// Adds the custom sections in the order a binary would hold them, each placed after the last standard
    /// section that this module actually has at or before its placement (0 where none), as a decoder sees it.
    /// </summary>
    private void AddCustomSections()
    {
        var present = new Dictionary<byte, bool>
        {
            [1] = _m.Types.Count > 0,
            [2] = _m.Imports.Count > 0,
            [3] = _m.Functions.Count > 0,
            [4] = _m.Tables.Count > 0,
            [5] = _m.Memories.Count > 0,
            [13] = _m.Tags.Count > 0,
            [6] = _m.Globals.Count > 0,
            [7] = _m.Exports.Count > 0,
            [8] = _m.Start is not null,
            [9] = _m.Elements.Count > 0,
            [12] = _m.DataCount is not null,
            [10] = _m.Functions.Count > 0,
            [11] = _m.Data.Count > 0,
        };
        var placed = _customs.Select(custom =>
        {
            var position = custom.After == 0 ? -1 : Array.FindIndex(s_sectionOrder, s => s.Id == custom.After);
            while (position >= 0 && !present[s_sectionOrder[position].Id])
            {
                position--;
            }
            return (custom.Name, custom.Content, Position: position, custom.Order);
        });
        foreach (var custom in placed.OrderBy(c => c.Order))
        {
            _m.CustomSections.Add(new CustomSection(custom.Name, custom.Content, custom.Position < 0 ? (byte)0 : s_sectionOrder[custom.Position].Id));
        }
    }
}
