using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ModelDsl.Analyzers.Tests.Harness;
using ModelDsl.Generators.Parsing;
using ModelDsl.Generators.Shapes;

namespace ModelDsl.Analyzers.Tests;

/// <summary>
/// The analyzer on random model declarations: it never throws (the harness fails on AD0001), and a model
/// gets an MDL error exactly when the shape engine, run on the parser's spec, finds a problem it reports.
/// </summary>
public class AnalyzerFuzzTests
{
    private const int ModelsPerCompilation = 100;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task RandomModels_GetAnErrorExactlyWhenTheEngineFindsAProblem(int seed)
    {
        var rng = new Random(seed);
        var code = new StringBuilder("using ModelDsl;\n\n");
        for (var m = 0; m < ModelsPerCompilation; m++) code.Append(RandomModel(rng, "M" + m)).Append('\n');
        var compilation = TestCompilation.Create(code.ToString());
        var errors = TestCompilation.CompilerErrors(compilation).Select(d => d.ToString()).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));

        var diagnostics = await TestCompilation.AnalyzeAsync(compilation);

        var tree = compilation.SyntaxTrees.Single();
        var classes = (await tree.GetRootAsync()).DescendantNodes().OfType<ClassDeclarationSyntax>().ToList();
        var reported = diagnostics
            .Where(d => d.Id.StartsWith("MDL", StringComparison.Ordinal) && d.Severity == DiagnosticSeverity.Error)
            .Select(d => classes.Single(c => c.Span.Contains(d.Location.SourceSpan)).Identifier.ValueText)
            .ToHashSet();
        var invalid = 0;
        for (var m = 0; m < ModelsPerCompilation; m++)
        {
            var name = "M" + m;
            var spec = ModelParser.Parse(compilation.GetTypeByMetadataName(name)!, default)!;
            var problems = ShapeEngine.Run(spec).Problems.Where(p => p.Kind != ProblemKind.NotBound && p.Severity == ProblemSeverity.Error).ToList();
            if (problems.Count > 0) invalid++;
            Assert.True(problems.Count > 0 == reported.Contains(name),
                $"{name}: the engine finds {(problems.Count == 0 ? "nothing" : problems[0].Message)}, the analyzer reports {(reported.Contains(name) ? "an error" : "nothing")}");
        }
        // Both outcomes must be common for the comparison to mean something.
        Assert.InRange(invalid, ModelsPerCompilation / 5, ModelsPerCompilation * 4 / 5);
    }

    private static readonly string[] Roundings = ["", ", Rounding = Rounding.Floor", ", Rounding = Rounding.Ceil", ", Rounding = Rounding.Strict"];
    private static readonly string[] Modes = ["", "", ", PaddingMode = PaddingMode.Same", ", PaddingMode = PaddingMode.Valid"]; // 1-D pooling has no PaddingMode

    private static string RandomModel(Random rng, string name)
    {
        int Value() => rng.Next(12) switch
        {
            0 => -1,
            1 => 0,
            2 => int.MaxValue,
            _ => rng.Next(1, 6),
        };
        var oneD = rng.Next(4) == 0;
        var input = oneD ? $"[{rng.Next(1, 4)}, {rng.Next(1, 41)}]" : $"[{rng.Next(1, 4)}, {rng.Next(1, 41)}, {rng.Next(1, 41)}]";
        var modelRounding = rng.Next(5) == 0 ? ", Rounding = Rounding.Floor" : "";
        var layers = new List<string>();
        var count = rng.Next(1, 4);
        for (var i = 0; i < count; i++)
        {
            var rounding = Roundings[rng.Next(Roundings.Length)];
            var common = Modes[rng.Next(Modes.Length)] + rounding;
            var padding = rng.Next(3) == 0 ? $", Padding = {rng.Next(0, 5)}" : "";
            var attribute = (oneD ? rng.Next(3) : rng.Next(6)) switch
            {
                0 => $"{(oneD ? "Conv1D" : "Conv2D")}({rng.Next(1, 9)}, Kernel = {rng.Next(1, 10)}, Stride = {Value()}{padding}, Dilation = {rng.Next(1, 4)}{common})",
                1 => $"{(oneD ? "MaxPool1D" : "MaxPool2D")}({Value()}{(rng.Next(2) == 0 ? $", Stride = {rng.Next(1, 5)}" : "")}{padding}{(oneD ? rounding : common)})",
                2 => $"{(oneD ? "AvgPool1D" : "AvgPool2D")}({rng.Next(1, 10)}, Stride = {rng.Next(0, 5)}{padding}{(oneD ? rounding : common)})",
                3 => $"ConvTranspose2D({rng.Next(1, 9)}, Kernel = {Value()}, Stride = {rng.Next(1, 4)}{padding}, OutputPadding = {rng.Next(0, 2)})",
                4 => $"Conv2D({rng.Next(1, 9)}, KernelH = {rng.Next(1, 8)}, KernelW = {rng.Next(1, 8)}, StrideH = {rng.Next(1, 4)}, StrideW = {rng.Next(1, 4)}{padding}{common})",
                _ => i > 0 ? $"Add(nameof(L{rng.Next(0, i)}), nameof(L{i - 1}))" : $"Conv2D({Value()}, Kernel = 3, Padding = 1)",
            };
            layers.Add($"    [{attribute}] partial Layer L{i} {{ get; }}");
        }
        if (rng.Next(3) == 0) layers.Add($"    [Flatten] partial Layer L{count} {{ get; }}\n    [Dense({Value()})] partial Layer L{count + 1} {{ get; }}");
        return $"[Model(Input = {input}{modelRounding})]\npublic partial class {name}\n{{\n{string.Join("\n", layers)}\n}}\n";
    }
}
