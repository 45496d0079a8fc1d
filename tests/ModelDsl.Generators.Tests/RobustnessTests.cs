using Microsoft.CodeAnalysis;

namespace ModelDsl.Generators.Tests;

/// <summary>The generator never throws and never reports; its output never adds errors of its own.</summary>
public class RobustnessTests
{
    private static readonly string[] Inputs =
    [
        "Input = [1, 28, 28]", "Input = [28, 28]", "Input = []", "", "Input = null", "Input = [-1, 5, 5]",
        "Input = [int.MaxValue, int.MaxValue, int.MaxValue]", "Input = [0]", "Input = [\"a\"]", "Input = 3",
        "Input = [1, 10, 10]", "Input = [3, 7, 9]", "Input = [16]", "Inputs = [1]",
    ];

    private static readonly string[] Layers =
    [
        "[Conv2D(6, Kernel = 5, Padding = 2)]", "[Conv2D(6, Kernel = 3, Stride = 2)]", "[Conv2D(-1)]", "[Conv2D]",
        "[Conv2D(\"six\")]", "[Conv2D(6, Kernel = -3)]", "[Conv2D(6, Kernel = int.MaxValue)]", "[Conv2D(int.MaxValue)]",
        "[Conv2D(4, Stride = 0)]", "[Conv2D(4, Padding = -1)]", "[Conv2D(4, Padding = int.MaxValue)]",
        "[Conv2D(4, PaddingMode = (PaddingMode)7)]", "[Conv2D(4, Kernel = 2, PaddingMode = PaddingMode.Same), ReLU]",
        "[Conv2D(4, Bias = false), Tanh, Sigmoid]", "[MaxPool2D(2)]", "[MaxPool2D(0)]", "[MaxPool2D(3, Padding = 2)]",
        "[MaxPool2D(2, Stride = -1)]", "[AvgPool2D(2, PaddingMode = PaddingMode.Same)]", "[AvgPool2D(int.MinValue)]",
        "[Flatten]", "[Flatten, ReLU]", "[Dense(10)]", "[Dense(0)]", "[Dense(-5), Softmax]", "[Dense(int.MaxValue)]",
        "[Dense(10), Dense(5)]", "[Dropout(0.5)]", "[Dropout(1)]", "[Dropout(-0.5)]", "[Dropout(double.NaN)]",
        "[Dropout(0.1f)]", "[ReLU]", "[Softmax]", "[Tanh, ReLU]", "[Sigmoid(3)]", "[Dense(1.5)]", "[Conv2D(6, Kernel = 2.5)]",
        "[Conv2D(6, Nope = 1)]", "[MaxPool2D(2), Dropout(0.2)]",
    ];

    private static readonly string[] Members =
    [
        "partial Layer {0} {{ get; }}",
        "public partial Layer {0} {{ get; }}",
        "Layer {0} {{ get; }}",
        "partial Layer {0} {{ get; set; }}",
        "static partial Layer {0} {{ get; }}",
        "partial int {0} {{ get; }}",
        "public Layer {0} => null!;",
        "int {0};",
    ];

    public static IEnumerable<object[]> Declarations()
    {
        var rng = new Random(20261123);
        var cases = new List<string>();
        foreach (var input in Inputs) cases.Add(Wrap(input, "")); // empty models
        for (var i = 0; i < 300; i++)
        {
            var input = Inputs[rng.Next(Inputs.Length)];
            var body = string.Join("\n", Enumerable.Range(0, rng.Next(1, 6)).Select(j =>
                Layers[rng.Next(Layers.Length)] + " " + string.Format(Members[rng.Next(Members.Length)], "L" + j)));
            cases.Add(Wrap(input, body));
        }
        cases.Add("using ModelDsl; [Model(Input = [4])] public partial class G<T> { [Dense(2)] partial Layer D { get; } }");
        cases.Add("using ModelDsl; public partial class O<T> { [Model(Input = [4])] public partial class I { [Dense(2)] partial Layer D { get; } } }");
        cases.Add("using ModelDsl; [Model(Input = [4])] public partial struct S { [Dense(2)] partial Layer D { get; } }");
        cases.Add("using ModelDsl; [Model(Input = [4])] public class NotPartial { [Dense(2)] Layer D { get; } }");
        cases.Add("using ModelDsl; [Model(Input = [4])] public partial class Twice { [Dense(2)] partial Layer D { get; } } [Model(Input = [4])] public partial class Twice { }");
        cases.Add("using ModelDsl; [Model(Input = [4])] public partial class Dup { [Dense(2)] partial Layer D { get; } [Dense(3)] partial Layer D { get; } }");
        cases.Add("using ModelDsl; [Model(Input = [4])] public partial class Half { [Dense(2)] partial Layer D { get; }");
        cases.Add("using ModelDsl; [Model(Input = [4])] public partial class Kw { [Dense(2)] partial Layer @class { get; } }");
        // Blocks: recursion, bad expressions, odd repeats, names that do not exist, a block without layers.
        const string block = "public sealed partial class B : Block { public int W { get; set; } = 2; [Conv2D(0, FiltersOf = \"{0}\", Kernel = 1{1})] partial Layer C { get; } }";
        foreach (var (expression, extra) in new[]
        {
            ("W", ""), ("((", ""), ("W / 0", ""), ("Nope", ""), ("W *", ""), ("2147483647 * 2147483647", ""), ("-W", ""),
            ("W", ", When = \"W >\""), ("W", ", When = \"0\""), ("W", ", From = \"Missing\""), ("W", ", From = Input"), ("In % 0", ""),
        })
        {
            var declaration = block.Replace("{0}", expression).Replace("{1}", extra);
            foreach (var use in new[] { "[B] partial Layer U { get; }", "[B(W = 3, Repeat = 0)] partial Layer U { get; }", "[B(Repeat = 3)] partial Layer U { get; }", "[B(W = -1), ReLU] partial Layer U { get; }", "[B(From = \"X\")] partial Layer U { get; }" })
            {
                cases.Add($"using ModelDsl; {declaration} [Model(Input = [3, 4, 4])] public partial class M {{ {use} [Dense(2)] partial Layer D {{ get; }} }}");
            }
        }
        cases.Add("using ModelDsl; public sealed partial class R : Block { [R] partial Layer Self { get; } } [Model(Input = [3, 4, 4])] public partial class M { [R] partial Layer U { get; } }");
        cases.Add("using ModelDsl; public sealed partial class E : Block { public int W { get; set; } } [Model(Input = [3, 4, 4])] public partial class M { [E(W = 1)] partial Layer U { get; } }");
        return cases.Select((c, i) => new object[] { i, c });
    }

    private static string Wrap(string input, string body) => $$"""
        using ModelDsl;
        namespace Fuzz;
        [Model({{input}})]
        public partial class M
        {
        {{body}}
        }
        """;

    [Theory]
    [MemberData(nameof(Declarations))]
    public void MalformedDeclaration_NeverThrows_NeverReports_AndAddsNoErrorsOfItsOwn(int index, string source)
    {
        var (result, output) = GeneratorHarness.Run(source);
        var run = result.Results.Single();
        Assert.True(run.Exception is null, $"case {index}: {run.Exception}");
        Assert.Empty(run.Diagnostics);
        var generatedTrees = run.GeneratedSources.Select(s => s.SyntaxTree).ToHashSet();
        var ownErrors = output.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree is { } tree && generatedTrees.Contains(tree))
            .Select(d => d.ToString())
            .ToArray();
        Assert.True(ownErrors.Length == 0, $"case {index}:\n{source}\n{string.Join("\n", ownErrors)}");
    }
}
