using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ModelDsl.Analyzers.Tests.Harness;

namespace ModelDsl.Analyzers.Tests;

/// <summary>The zoo's models, analyzed from their sources: no error, warning or information (suppressed ones aside).</summary>
public class ZooDiagnosticTests
{
    [Fact]
    public async Task ZooModels_GetNoDiagnostics()
    {
        var zoo = Path.Combine(RepositoryRoot(), "src", "ModelDsl.Zoo");
        var trees = Directory.GetFiles(zoo, "*.cs").Order(StringComparer.Ordinal)
            .Select(path => CSharpSyntaxTree.ParseText(File.ReadAllText(path), TestCompilation.ParseOptions, path: path))
            .ToList();
        Assert.NotEmpty(trees);
        var compilation = CSharpCompilation.Create("Zoo", trees, TestCompilation.References, TestCompilation.Options);
        Assert.Empty(TestCompilation.CompilerErrors(compilation).Select(d => d.ToString()));

        var reported = (await TestCompilation.AnalyzeAsync(compilation)).Select(d => d.ToString()).ToList();
        Assert.True(reported.Count == 0, string.Join(Environment.NewLine, reported));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ModelDsl.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("ModelDsl.sln not found above " + AppContext.BaseDirectory);
    }
}
