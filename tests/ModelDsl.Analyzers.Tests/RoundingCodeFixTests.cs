using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;
using ModelDsl.Analyzers.Tests.Harness;
using ModelDsl.CodeFixes;

namespace ModelDsl.Analyzers.Tests;

/// <summary>The MDL0001 code fix that opts the failing layer in to floor rounding.</summary>
public class RoundingCodeFixTests
{
    private const string Pool = """
        using ModelDsl;

        [Model(Input = [1, 7, 7])]
        public partial class Net
        {
            // MaxPool2D 'P1' gives (7 − 2 + 0)/2 + 1 = 3.5 rows and (7 − 2 + 0)/2 + 1 = 3.5 columns; (W − F + 2P)/S + 1 must be an integer. No padding makes it exact, or PaddingMode = Same gives 4×4
            [MaxPool2D({|MDL0001:2|})] partial Layer P1 { get; }
        }
        """;

    private const string WrittenStrict = """
        using ModelDsl;

        [Model(Input = [1, 10, 10])]
        public partial class Net
        {
            // Conv2D 'C1' gives (10 − 3 + 0)/2 + 1 = 4.5 rows and (10 − 3 + 0)/2 + 1 = 4.5 columns; (W − F + 2P)/S + 1 must be an integer. No padding makes it exact, or PaddingMode = Same gives 5×5
            [Conv2D(4, Kernel = 3, {|MDL0001:Stride = 2|}, Rounding = Rounding.Strict)] partial Layer C1 { get; }
        }
        """;

    [Fact]
    public Task RoundDown_AppendsRoundingFloor() => VerifyAsync(Pool, "[MaxPool2D(2)]", "[MaxPool2D(2, Rounding = Rounding.Floor)]");

    [Fact]
    public Task RoundDown_ReplacesTheWrittenRounding() => VerifyAsync(WrittenStrict,
        "[Conv2D(4, Kernel = 3, Stride = 2, Rounding = Rounding.Strict)]",
        "[Conv2D(4, Kernel = 3, Stride = 2, Rounding = Rounding.Floor)]");

    /// <summary>Applies the fix to the one MDL0001 in <paramref name="markup"/>; the result must read as expected and have no errors.</summary>
    private static async Task VerifyAsync(string markup, string before, string after)
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
        await new RoundingCodeFixProvider().RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (a, _) => actions.Add(a), ct));
        var action = Assert.Single(actions);
        Assert.Equal(RoundingCodeFixProvider.Title, action.Title);

        var operations = await action.GetOperationsAsync(ct);
        var changed = Assert.Single(operations.OfType<ApplyChangesOperation>()).ChangedSolution;
        var text = (await changed.GetDocument(document.Id)!.GetTextAsync(ct)).ToString();
        Assert.Equal(code.Replace(before, after, StringComparison.Ordinal), text);
        var compilation = TestCompilation.Create(text);
        Assert.DoesNotContain(await TestCompilation.AnalyzeAsync(compilation), d => d.Severity == DiagnosticSeverity.Error);
    }
}
