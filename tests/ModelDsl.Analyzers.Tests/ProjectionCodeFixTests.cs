using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;
using ModelDsl.Analyzers.Tests.Harness;
using ModelDsl.CodeFixes;

namespace ModelDsl.Analyzers.Tests;

/// <summary>The MDL0006 code fix that inserts the 1×1 projection of a residual shortcut.</summary>
public class ProjectionCodeFixTests
{
    [Fact]
    public Task StridedWiderBranch_GetsAStridedProjectionOfTheShortcut() => VerifyAsync("""
        using ModelDsl;

        [Model(Input = [3, 32, 32])]
        public partial class Net
        {
            [Conv2D(16, Kernel = 3, Padding = 1)] partial Layer A { get; }
            [Conv2D(32, Kernel = 4, Stride = 2, Padding = 1)] partial Layer B { get; }
            // Add 'Sum' needs one shape, but 'A' gives (N, 16, 32, 32) and 'B' gives (N, 32, 16, 16): channels 16 vs 32, H×W 32×32 vs 16×16 differ; project 'A' with [Conv2D(32, Kernel = 1, Stride = 2, PaddingMode = PaddingMode.Same)] first
            [Add(nameof(A), {|MDL0006:nameof(B)|})] public partial Layer Sum { get; }
        }
        """,
        "Insert a 1×1 projection of 'A'",
        """
            [Conv2D(32, Kernel = 1, Stride = 2, PaddingMode = PaddingMode.Same, From = nameof(A))] public partial Layer AProjection { get; }
            [Add(nameof(AProjection), nameof(B))] public partial Layer Sum { get; }
        """);

    [Fact]
    public Task ChannelsOnly_GetsAnUnstridedProjection_WithAFreeName() => VerifyAsync("""
        using ModelDsl;

        [Model(Input = [3, 8, 8])]
        public partial class Net
        {
            [Conv2D(16, Kernel = 3, Padding = 1)] partial Layer Shortcut { get; }
            [Conv2D(4, Kernel = 1, From = nameof(Shortcut))] partial Layer ShortcutProjection { get; }
            [Conv2D(32, Kernel = 3, Padding = 1, From = nameof(Shortcut))] partial Layer Main { get; }
            // Add 'Sum' needs one shape, but 'Main' gives (N, 32, 8, 8) and 'Shortcut' gives (N, 16, 8, 8): channels 32 vs 16 differ; project 'Shortcut' with [Conv2D(32, Kernel = 1)] first
            [Add(nameof(Main), {|MDL0006:nameof(Shortcut)|})] partial Layer Sum { get; }
        }
        """,
        "Insert a 1×1 projection of 'Shortcut'",
        """
            [Conv2D(32, Kernel = 1, From = nameof(Shortcut))] partial Layer ShortcutProjection2 { get; }
            [Add(nameof(Main), nameof(ShortcutProjection2))] partial Layer Sum { get; }
        """);

    /// <summary>Applies the one fix offered; the result must contain <paramref name="expectedLines"/> (consecutive) and have no MDL error left.</summary>
    private static async Task VerifyAsync(string markup, string title, string expectedLines)
    {
        var ct = TestContext.Current.CancellationToken;
        var code = await AnalyzerVerifier.VerifyAsync(markup);
        using var workspace = new AdhocWorkspace();
        var project = workspace.AddProject(ProjectInfo.Create(
            ProjectId.CreateNewId(), VersionStamp.Default, "TestModels", "TestModels", LanguageNames.CSharp,
            compilationOptions: TestCompilation.Options, parseOptions: TestCompilation.ParseOptions, metadataReferences: TestCompilation.References));
        var document = workspace.AddDocument(project.Id, "Test.cs", SourceText.From(code));
        var diagnostic = Assert.Single(await TestCompilation.AnalyzeAsync((await document.Project.GetCompilationAsync(ct))!));

        var actions = new List<CodeAction>();
        await new ProjectionCodeFixProvider().RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (a, _) => actions.Add(a), ct));
        var action = Assert.Single(actions);
        Assert.Equal(title, action.Title);
        var operation = Assert.Single((await action.GetOperationsAsync(ct)).OfType<ApplyChangesOperation>());
        var changed = operation.ChangedSolution.GetDocument(document.Id)!;
        var fixedCode = (await changed.GetTextAsync(ct)).ToString().ReplaceLineEndings("\n");
        Assert.Contains(expectedLines.ReplaceLineEndings("\n").TrimEnd('\n'), fixedCode);
        Assert.Empty((await TestCompilation.AnalyzeAsync((await changed.Project.GetCompilationAsync(ct))!)).Where(d => d.Severity == DiagnosticSeverity.Error));
    }
}
