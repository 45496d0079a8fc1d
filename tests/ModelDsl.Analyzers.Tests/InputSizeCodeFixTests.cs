using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;
using ModelDsl.Analyzers.Tests.Harness;
using ModelDsl.CodeFixes;

namespace ModelDsl.Analyzers.Tests;

/// <summary>The MDL0001 code fix that changes the model's input to the nearest sizes every layer divides.</summary>
public class InputSizeCodeFixTests
{
    private const string AlexNetStem = """
        using ModelDsl;

        [Model(Input = [3, 224, 224])]
        public partial class Alex
        {
            // Conv2D 'Conv1' gives (224 − 11 + 0)/4 + 1 = 54.25 rows and (224 − 11 + 0)/4 + 1 = 54.25 columns; (W − F + 2P)/S + 1 must be an integer. No padding makes it exact, or PaddingMode = Same gives 56×56
            [Conv2D(96, Kernel = 11, {|MDL0001:Stride = 4|}), ReLU] partial Layer Conv1 { get; }
            [MaxPool2D(3, Stride = 2)] partial Layer Pool1 { get; }
            [Flatten] partial Layer Flat { get; }
            [Dense(10)] partial Layer Out { get; }
        }
        """;

    [Fact]
    public async Task AlexNetAt224_IsOfferedTheNearestSizesEveryLayerDivides()
    {
        // Conv1 needs s ≡ 3 (mod 4); its output a = (s − 11)/4 + 1 must then be odd for Pool1 ((a − 3)/2 + 1):
        // 223 gives a = 54 (Pool1: 26.5), so the nearest are 219 (a = 53) and AlexNet's 227 (a = 55).
        var titles = await ApplyEachAsync(AlexNetStem, expectedActions: 2, (title, fixedCode) =>
        {
            var size = title == "Use input size 219×219" ? 219 : 227;
            Assert.Contains($"[Model(Input = [3, {size}, {size}])]", fixedCode);
        });
        Assert.Equal(["Use input size 219×219", "Use input size 227×227"], titles);
    }

    [Fact]
    public async Task ALaterLayerConstrainsTheSizeToo()
    {
        var source = AlexNetStem.Replace("[MaxPool2D(3, Stride = 2)]", "[MaxPool2D(3, Stride = 2)] partial Layer Pool1 { get; }\n    [MaxPool2D(3, Stride = 3)]").Replace("partial Layer Pool1 { get; }\n    [Flatten]", "partial Layer Pool2 { get; }\n    [Flatten]");
        var titles = await ApplyEachAsync(source, expectedActions: 2, (_, _) => { });
        // As above, and Pool2 needs b = (a − 3)/2 + 1 ≡ 0 (mod 3): 227 (b = 27) still fits; 219 (b = 26) and
        // 211 (b = 25) do not, so the nearest smaller is 203 (a = 49, b = 24).
        Assert.Equal(["Use input size 203×203", "Use input size 227×227"], titles);
    }

    /// <summary>Applies every input-size action to the one MDL0001 in <paramref name="markup"/>; each result must build without MDL errors.</summary>
    private static async Task<List<string>> ApplyEachAsync(string markup, int expectedActions, Action<string, string> check)
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
        await new InputSizeCodeFixProvider().RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (a, _) => actions.Add(a), ct));
        Assert.Equal(expectedActions, actions.Count);
        foreach (var action in actions)
        {
            var operation = Assert.Single((await action.GetOperationsAsync(ct)).OfType<ApplyChangesOperation>());
            var changed = operation.ChangedSolution.GetDocument(document.Id)!;
            var fixedCode = (await changed.GetTextAsync(ct)).ToString();
            check(action.Title, fixedCode);
            Assert.Empty((await TestCompilation.AnalyzeAsync((await changed.Project.GetCompilationAsync(ct))!)).Where(d => d.Severity == DiagnosticSeverity.Error));
        }
        return actions.Select(a => a.Title).ToList();
    }
}
