using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace ModelDsl.Analyzers.Tests.Harness;

/// <summary>Checks that the analyzer reports exactly the diagnostics marked in a test source: id, span, position and message.</summary>
public static class AnalyzerVerifier
{
    /// <summary>Verifies <paramref name="markup"/> and returns its source without markup.</summary>
    public static async Task<string> VerifyAsync(string markup)
    {
        var source = MarkedSource.Parse(markup);
        var compilation = TestCompilation.Create(source.Code);
        Assert.Empty(TestCompilation.CompilerErrors(compilation).Select(d => d.ToString()));

        var text = SourceText.From(source.Code);
        var expected = source.Expected.Select(e => Describe(text, e.Id, e.Span, e.Message));
        var actual = (await TestCompilation.AnalyzeAsync(compilation))
            .Select(d => Describe(text, d.Id, d.Location.SourceSpan, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(expected, actual);
        return source.Code;
    }

    private static string Describe(SourceText text, string id, TextSpan span, string message)
    {
        var position = text.Lines.GetLinePosition(span.Start);
        return $"{id} at {position.Line + 1}:{position.Character + 1} on '{text.ToString(span)}': {message}";
    }
}
