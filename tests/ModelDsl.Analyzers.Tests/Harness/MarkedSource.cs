using Microsoft.CodeAnalysis.Text;

namespace ModelDsl.Analyzers.Tests.Harness;

/// <summary>A diagnostic a test expects: its id, the exact text it spans, where, and its message.</summary>
public sealed record ExpectedDiagnostic(string Id, TextSpan Span, string Message);

/// <summary>
/// Test source with markup: <c>{|MDL0001:Stride = 2|}</c> marks the span of an expected diagnostic, and
/// the line just above it is a comment holding the expected message (<c>// Conv2D 'C1' gives …</c>).
/// </summary>
public sealed class MarkedSource
{
    private const string Open = "{|";
    private const string Close = "|}";

    private MarkedSource(string code, IReadOnlyList<ExpectedDiagnostic> expected)
    {
        Code = code;
        Expected = expected;
    }

    /// <summary>The source without markup (comments kept).</summary>
    public string Code { get; }

    public IReadOnlyList<ExpectedDiagnostic> Expected { get; }

    public static MarkedSource Parse(string markup)
    {
        var code = new System.Text.StringBuilder(markup.Length);
        var spans = new List<(string Id, int Start, int End)>();
        (string Id, int Start)? open = null;
        for (var i = 0; i < markup.Length;)
        {
            if (string.CompareOrdinal(markup, i, Open, 0, Open.Length) == 0)
            {
                Assert.Null(open); // markup does not nest
                var colon = markup.IndexOf(':', i);
                open = (markup[(i + Open.Length)..colon], code.Length);
                i = colon + 1;
            }
            else if (open is not null && string.CompareOrdinal(markup, i, Close, 0, Close.Length) == 0)
            {
                spans.Add((open.Value.Id, open.Value.Start, code.Length));
                open = null;
                i += Close.Length;
            }
            else
            {
                code.Append(markup[i++]);
            }
        }
        Assert.Null(open);

        var text = SourceText.From(code.ToString());
        var expected = spans.Select(s =>
        {
            var line = text.Lines.GetLineFromPosition(s.Start).LineNumber;
            var above = line > 0 ? text.Lines[line - 1].ToString().Trim() : "";
            Assert.True(above.StartsWith("// ", StringComparison.Ordinal),
                $"the line above the {s.Id} markup on line {line + 1} must be a comment with the expected message");
            return new ExpectedDiagnostic(s.Id, TextSpan.FromBounds(s.Start, s.End), above["// ".Length..]);
        }).ToList();
        return new MarkedSource(code.ToString(), expected);
    }
}
