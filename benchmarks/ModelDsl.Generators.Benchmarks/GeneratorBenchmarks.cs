using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ModelDsl.Generators.Benchmarks;

/// <summary>
/// The cost of generating the zoo's ResNet family (ResNet-152 inlines 50 bottlenecks, 519 layers): a cold
/// run of the generator over the compilation, and a warm run after an edit to an unrelated file.
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private static readonly CSharpParseOptions Options = new(LanguageVersion.Preview);
    private CSharpCompilation _compilation = null!;
    private GeneratorDriver _warm = null!;
    private SyntaxTree _unrelated = null!;

    [GlobalSetup]
    public void Setup()
    {
        _compilation = Compilation();
        _unrelated = _compilation.SyntaxTrees.Last();
        _warm = Driver().RunGenerators(_compilation);
    }

    public static CSharpCompilation Compilation()
    {
        using var stream = typeof(GeneratorBenchmarks).Assembly.GetManifestResourceStream("ResNet.cs")!;
        var zoo = new StreamReader(stream).ReadToEnd();
        ImmutableArray<MetadataReference> references =
            [.. Basic.Reference.Assemblies.Net100.References.All, MetadataReference.CreateFromFile(typeof(ModelAttribute).Assembly.Location)];
        return CSharpCompilation.Create("Zoo",
            [CSharpSyntaxTree.ParseText("using ModelDsl;\n" + zoo, Options), CSharpSyntaxTree.ParseText("class Unrelated { int X => 1; }", Options)],
            references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
    }

    public static GeneratorDriver Driver() =>
        CSharpGeneratorDriver.Create([new ModelGenerator().AsSourceGenerator()], parseOptions: Options);

    /// <summary>Generates all nine ResNets from scratch.</summary>
    [Benchmark]
    public GeneratorDriver GenerateResNetFamily() => Driver().RunGenerators(_compilation);

    /// <summary>Regenerates after an unrelated edit (everything cached).</summary>
    [Benchmark]
    public GeneratorDriver UnrelatedEdit() =>
        _warm.RunGenerators(_compilation.ReplaceSyntaxTree(_unrelated, CSharpSyntaxTree.ParseText("class Unrelated { int X => 2; }", Options)));
}
