using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;
using ModelDsl.CodeFixes;

namespace ModelDsl.Analyzers.Tests.Harness;

/// <summary>Applies the code fix providers' actions in an <see cref="AdhocWorkspace"/> and checks the result.</summary>
public static class CodeFixVerifier
{
    private static readonly CodeFixProvider[] Providers = [new PaddingCodeFixProvider(), new BiasCodeFixProvider()];

    /// <summary>The titles of the actions offered for the diagnostics marked in <paramref name="markup"/>, in order.</summary>
    public static async Task<IReadOnlyList<string>> TitlesAsync(string markup)
    {
        var (workspace, _, actions) = await ActionsAsync(markup);
        using (workspace)
        {
            return actions.Select(a => a.Title).ToList();
        }
    }

    /// <summary>
    /// Applies the action titled <paramref name="title"/>; asserts the document then reads exactly
    /// <paramref name="fixedCode"/> and that the analyzer then reports nothing on it but the diagnostics
    /// <paramref name="remaining"/> (ids, in source order).
    /// </summary>
    public static async Task VerifyFixAsync(string markup, string title, string fixedCode, params string[] remaining)
    {
        var ct = TestContext.Current.CancellationToken;
        var (workspace, document, actions) = await ActionsAsync(markup);
        using var scope = workspace;
        var action = Assert.Single(actions, a => a.Title == title);

        var operations = await action.GetOperationsAsync(ct);
        var changed = Assert.Single(operations.OfType<ApplyChangesOperation>()).ChangedSolution;
        var text = (await changed.GetDocument(document.Id)!.GetTextAsync(ct)).ToString();
        Assert.Equal(fixedCode, text);

        var compilation = TestCompilation.Create(text);
        Assert.Empty(TestCompilation.CompilerErrors(compilation).Select(d => d.ToString()));
        Assert.Equal(remaining, (await TestCompilation.AnalyzeAsync(compilation)).Select(d => d.Id));
    }

    /// <summary>The marked source in a fresh workspace (the caller disposes it) and the actions offered for its diagnostics.</summary>
    private static async Task<(AdhocWorkspace Workspace, Document Document, List<CodeAction> Actions)> ActionsAsync(string markup)
    {
        var ct = TestContext.Current.CancellationToken;
        var code = await AnalyzerVerifier.VerifyAsync(markup);

        var workspace = new AdhocWorkspace();
        var project = workspace.AddProject(ProjectInfo.Create(
            ProjectId.CreateNewId(), VersionStamp.Default, "TestModels", "TestModels", LanguageNames.CSharp,
            compilationOptions: TestCompilation.Options,
            parseOptions: TestCompilation.ParseOptions,
            metadataReferences: TestCompilation.References));
        var document = workspace.AddDocument(project.Id, "Test.cs", SourceText.From(code));

        var compilation = await document.Project.GetCompilationAsync(ct);
        var actions = new List<CodeAction>();
        foreach (var diagnostic in await TestCompilation.AnalyzeAsync(compilation!))
        {
            foreach (var provider in Providers.Where(p => p.FixableDiagnosticIds.Contains(diagnostic.Id)))
            {
                await provider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (a, _) => actions.Add(a), ct));
            }
        }
        return (workspace, document, actions);
    }

    /// <summary>
    /// The whole source expected after a fix: <paramref name="markup"/> without its markup, with the
    /// attribute <paramref name="before"/> (as it reads without markup) rewritten to <paramref name="after"/>.
    /// </summary>
    public static string Fixed(string markup, string before, string after)
    {
        var code = MarkedSource.Parse(markup).Code;
        Assert.Contains(before, code);
        return code.Replace(before, after, StringComparison.Ordinal);
    }
}
