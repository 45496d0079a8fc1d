using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace ModelDsl.Analyzers.Tests.Harness;

/// <summary>Builds offline compilations of test models (net10.0 reference assemblies + the ModelDsl runtime) and runs the analyzer on them.</summary>
public static class TestCompilation
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    public static readonly CSharpCompilationOptions Options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)
        .WithNullableContextOptions(NullableContextOptions.Enable)
        .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
        {
            // Assembly version unification notes between reference sets; not about the code under test.
            ["CS1701"] = ReportDiagnostic.Suppress,
            ["CS1702"] = ReportDiagnostic.Suppress,
        });

    public static readonly ImmutableArray<MetadataReference> References =
    [
        .. Basic.Reference.Assemblies.Net100.References.All,
        MetadataReference.CreateFromFile(typeof(ModelAttribute).Assembly.Location),
    ];

    /// <summary>
    /// The compiler's own errors that test models may have: the partial layer properties have no
    /// implementation part, which the generator (not run here) would write.
    /// </summary>
    private const string MissingImplementationPart = "CS9248";

    public static CSharpCompilation Create(string code) => CSharpCompilation.Create(
        "TestModels",
        [CSharpSyntaxTree.ParseText(code, ParseOptions, path: "Test.cs")],
        References,
        Options);

    /// <summary>The compiler's errors other than the missing implementation parts.</summary>
    public static IEnumerable<Diagnostic> CompilerErrors(Compilation compilation) =>
        compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Id != MissingImplementationPart);

    /// <summary>
    /// Runs <see cref="ModelShapeAnalyzer"/>. Fails the test on any analyzer exception (AD0001 or the
    /// exception callback), so every test also checks that the analyzer never throws.
    /// </summary>
    public static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(Compilation compilation)
    {
        var exceptions = new List<string>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions([]),
            onAnalyzerException: (exception, _, _) => { lock (exceptions) exceptions.Add(exception.ToString()); },
            concurrentAnalysis: true,
            logAnalyzerExecutionTime: false);
        var diagnostics = await compilation
            .WithAnalyzers([new ModelShapeAnalyzer()], options)
            .GetAnalyzerDiagnosticsAsync(TestContext.Current.CancellationToken);
        Assert.Empty(exceptions);
        Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
        return [.. diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ThenBy(d => d.Id, StringComparer.Ordinal)];
    }
}
