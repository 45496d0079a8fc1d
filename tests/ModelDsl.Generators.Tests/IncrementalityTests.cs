using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ModelDsl.Generators.Tests;

public class IncrementalityTests
{
    private static readonly string[] Stages = [TrackingNames.ModelSpec, TrackingNames.ShapedModel];

    [Fact]
    public void UnrelatedEdit_LeavesEveryStageCached()
    {
        var compilation = GeneratorHarness.Compile(Sources.LeNet5, "class Unrelated { int X => 1; }");
        var driver = GeneratorHarness.Driver(trackSteps: true).RunGenerators(compilation);

        var edited = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.Last(),
            CSharpSyntaxTree.ParseText("class Unrelated { int X => 2; int Y => 3; }", (CSharpParseOptions)compilation.SyntaxTrees.First().Options));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        foreach (var stage in Stages)
        {
            var steps = result.TrackedSteps[stage];
            Assert.NotEmpty(steps);
            Assert.All(steps.SelectMany(s => s.Outputs), o =>
                Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{stage}: {o.Reason}"));
        }
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void EditingOneModel_RegeneratesOnlyThatModel()
    {
        var other = Sources.LeNet5.Replace("LeNet5", "Other");
        var compilation = GeneratorHarness.Compile(Sources.LeNet5, other);
        var driver = GeneratorHarness.Driver(trackSteps: true).RunGenerators(compilation);
        var edited = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.Last(),
            CSharpSyntaxTree.ParseText(other.Replace("Dense(84)", "Dense(80)"), (CSharpParseOptions)compilation.SyntaxTrees.First().Options, path: "Source1.cs"));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();
        var reasons = result.TrackedSteps[TrackingNames.ShapedModel].SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();
        Assert.Contains(IncrementalStepRunReason.Modified, reasons);
        Assert.Contains(IncrementalStepRunReason.Cached, reasons);
    }

    [Fact]
    public void NoStageOutput_HoldsASymbolSyntaxOrCompilation()
    {
        var compilation = GeneratorHarness.Compile(Sources.LeNet5, Sources.EveryLayer);
        var result = GeneratorHarness.Driver(trackSteps: true).RunGenerators(compilation).GetRunResult().Results.Single();
        foreach (var stage in Stages)
        {
            foreach (var output in result.TrackedSteps[stage].SelectMany(s => s.Outputs))
            {
                AssertNoRoslynObjects(output.Value, stage, new HashSet<object>(ReferenceEqualityComparer.Instance));
            }
        }
    }

    private static void AssertNoRoslynObjects(object? value, string path, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum) return;
        Assert.False(value is ISymbol or SyntaxNode or Compilation or SemanticModel or SyntaxTree or Location,
            $"{path} holds a {value.GetType().Name}");
        if (!value.GetType().IsValueType && !seen.Add(value)) return;
        if (value is IEnumerable items)
        {
            var i = 0;
            foreach (var item in items) AssertNoRoslynObjects(item, $"{path}[{i++}]", seen);
            return;
        }
        foreach (var field in value.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            AssertNoRoslynObjects(field.GetValue(value), $"{path}.{field.Name}", seen);
        }
    }
}
