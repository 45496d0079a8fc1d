using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using ModelDsl.Analyzers;

namespace ModelDsl.Generators.Benchmarks;

/// <summary>
/// The cost of <see cref="ModelShapeAnalyzer"/> on ResNet-152 (50 bottlenecks inlined, 519 layers): parse the
/// declaration, expand the blocks and run the shape engine, as the IDE does on every edit of the file.
/// The compilation is bound once; each run is a fresh analyzer driver over ResNet-152's declaration only.
/// </summary>
[MemoryDiagnoser]
public class AnalyzerBenchmarks
{
    private Compilation _compilation = null!;
    private SemanticModel _model = null!;
    private Microsoft.CodeAnalysis.Text.TextSpan _resNet152;

    [GlobalSetup]
    public void Setup() => (_compilation, _model, _resNet152) = ResNet152();

    public static (Compilation Compilation, SemanticModel Model, Microsoft.CodeAnalysis.Text.TextSpan Span) ResNet152()
    {
        var compilation = GeneratorBenchmarks.Compilation();
        var tree = compilation.SyntaxTrees.First();
        var declaration = tree.GetRoot().DescendantNodes().OfType<ClassDeclarationSyntax>().Single(c => c.Identifier.ValueText == "ResNet152");
        compilation.GetDiagnostics(); // bind once: the benchmark measures the analyzer, not the compiler
        return (compilation, compilation.GetSemanticModel(tree), declaration.Span);
    }

    /// <summary>The analyzer's diagnostics for ResNet-152's declaration (none: the model is valid).</summary>
    public static ImmutableArray<Diagnostic> Analyze(Compilation compilation, SemanticModel model, Microsoft.CodeAnalysis.Text.TextSpan span) =>
        compilation.WithAnalyzers([new ModelShapeAnalyzer()], new CompilationWithAnalyzersOptions(new AnalyzerOptions([]), null, concurrentAnalysis: false, logAnalyzerExecutionTime: false))
            .GetAnalyzerSemanticDiagnosticsAsync(model, span, CancellationToken.None).GetAwaiter().GetResult();

    [Benchmark]
    public ImmutableArray<Diagnostic> AnalyzeResNet152() => Analyze(_compilation, _model, _resNet152);
}
