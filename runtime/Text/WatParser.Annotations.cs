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
        foreach (var annotation in _s.Annotations)
        {
            if (annotation.TokenIndex < fieldsStart || annotation.TokenIndex > _end)
            {
                continue;
            }
            var enclosing = _fields.FirstOrDefault(f => f.Start < annotation.TokenIndex && annotation.TokenIndex <= f.End);
            switch (annotation.Name)
            {
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
        SortCustomSectionsByPlacement();
    }

    /// <summary>
    /// Puts custom sections in the order the binary format will have them (by placement; those with the same
    /// placement keep their order in the text), so that a text module and its binary form are the same model.
    /// </summary>
    private void SortCustomSectionsByPlacement()
    {
        var sorted = _m.CustomSections
            .OrderBy(custom => custom.After == 0 ? -1 : Array.FindIndex(s_sectionOrder, section => section.Id == custom.After))
            .ToList();
        _m.CustomSections.Clear();
        _m.CustomSections.AddRange(sorted);
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
            }
            else if (section == "last")
            {
                after = 11;
            }
            else
            {
                var index = direction == "after" ? position : position - 1;
                after = index < 0 ? (byte)0 : s_sectionOrder[index].Id;
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
        _m.CustomSections.Add(new CustomSection(name, content.ToArray(), after));
    }
}
