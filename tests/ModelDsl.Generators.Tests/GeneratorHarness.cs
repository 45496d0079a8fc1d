using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ModelDsl.Generators.Tests;

/// <summary>Builds compilations against the ModelDsl runtime and runs the generator on them, offline.</summary>
internal static class GeneratorHarness
{
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Preview);

    private static readonly ImmutableArray<MetadataReference> References =
        [.. Basic.Reference.Assemblies.Net100.References.All, MetadataReference.CreateFromFile(typeof(ModelAttribute).Assembly.Location)];

    public static CSharpCompilation Compile(params string[] sources) =>
        CSharpCompilation.Create(
            "TestModels",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i}.cs")),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable)
                .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
                {
                    // The runtime is built against a newer System.Runtime than the reference set names.
                    ["CS1701"] = ReportDiagnostic.Suppress,
                    ["CS1702"] = ReportDiagnostic.Suppress,
                }));

    public static GeneratorDriver Driver(bool trackSteps = false) =>
        CSharpGeneratorDriver.Create(
            [new ModelGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Runs the generator; returns the generated texts by hint name, the result, and the compilation with them.</summary>
    public static (GeneratorDriverRunResult Result, Compilation Output) Run(params string[] sources)
    {
        var compilation = Compile(sources);
        var driver = Driver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        return (driver.GetRunResult(), output);
    }

    public static string Generated(GeneratorDriverRunResult result, string hintSuffix) =>
        result.Results.Single().GeneratedSources.Single(s => s.HintName.EndsWith(hintSuffix, StringComparison.Ordinal)).SourceText.ToString();

    /// <summary>Errors and warnings of a compilation, as text, for assertion messages.</summary>
    public static string[] Problems(Compilation compilation) =>
        compilation.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Select(d => d.ToString())
            .ToArray();
}
