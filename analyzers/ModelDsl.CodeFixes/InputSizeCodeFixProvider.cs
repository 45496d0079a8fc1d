using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ModelDsl.Analyzers;
using ModelDsl.Generators.Model;
using ModelDsl.Generators.Parsing;
using ModelDsl.Generators.Shapes;

namespace ModelDsl.CodeFixes
{
    /// <summary>
    /// Fixes MDL0001 by changing the model's declared input instead of a layer: "Use input size 227×227"
    /// offers the nearest smaller and the nearest larger H×W (or L) for which <em>every</em> layer of the model
    /// divides exactly, found by running the shape engine on candidate inputs (AlexNet declared with 224×224:
    /// (224 − 11 + 0)/4 + 1 = 54.25 → 223 or 227).
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(InputSizeCodeFixProvider)), Shared]
    public sealed class InputSizeCodeFixProvider : CodeFixProvider
    {
        /// <summary>How far from the declared size candidates are searched (per axis).</summary>
        private const int Reach = 32;

        public override ImmutableArray<string> FixableDiagnosticIds { get; } =
            ImmutableArray.Create(DiagnosticDescriptors.NonIntegerOutputId);

        public override FixAllProvider? GetFixAllProvider() => null; // one model, one input: nothing to batch

        public static string Title(IReadOnlyList<int> spatial) => $"Use input size {string.Join("×", spatial)}";

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            var semantic = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null || semantic is null) return;
            foreach (var diagnostic in context.Diagnostics)
            {
                var declaration = root.FindNode(diagnostic.Location.SourceSpan).AncestorsAndSelf().OfType<ClassDeclarationSyntax>()
                    .FirstOrDefault(c => semantic.GetDeclaredSymbol(c, context.CancellationToken) is INamedTypeSymbol t && ModelParser.Parse(t, context.CancellationToken) is not null);
                if (declaration is null || semantic.GetDeclaredSymbol(declaration, context.CancellationToken) is not INamedTypeSymbol type) continue;
                var spec = ModelParser.Parse(type, context.CancellationToken);
                var input = InputArgument(type, context.CancellationToken);
                if (spec is null || input is null || spec.Input.Count < 2) continue;
                foreach (var candidate in NearestValidInputs(spec, context.CancellationToken))
                {
                    var dims = candidate;
                    var spatial = dims.Skip(1).ToArray();
                    context.RegisterCodeFix(
                        CodeAction.Create(Title(spatial), ct => WithInput(context.Document, input, dims, ct), equivalenceKey: Title(spatial)),
                        diagnostic);
                }
            }
        }

        /// <summary>The nearest smaller and nearest larger inputs (same channels) for which the whole model is free of errors.</summary>
        internal static IEnumerable<int[]> NearestValidInputs(ModelSpec spec, CancellationToken ct)
        {
            var declared = spec.Input.ToArray();
            var spatial = declared.Skip(1).ToArray();
            bool Valid(int[] dims) =>
                !ShapeEngine.Run(spec with { Input = dims.ToEquatableArray() }).Problems.Any(p => p.Severity == ProblemSeverity.Error);

            // A square input stays square; otherwise each axis moves on its own, nearest combined distance first.
            var candidates = spatial.Length == 2 && spatial[0] == spatial[1]
                ? Enumerable.Range(-Reach, 2 * Reach + 1).Select(d => new[] { spatial[0] + d, spatial[1] + d })
                : spatial.Length == 2
                    ? from dh in Enumerable.Range(-Reach / 2, Reach + 1)
                      from dw in Enumerable.Range(-Reach / 2, Reach + 1)
                      select new[] { spatial[0] + dh, spatial[1] + dw }
                    : Enumerable.Range(-Reach, 2 * Reach + 1).Select(d => new[] { spatial[0] + d });
            int[]? smaller = null, larger = null;
            foreach (var size in candidates.Where(s => s.All(v => v > 0)).OrderBy(s => s.Zip(spatial, (a, b) => Math.Abs(a - b)).Sum()))
            {
                ct.ThrowIfCancellationRequested();
                var total = size.Sum() - spatial.Sum();
                if (total == 0 || (total < 0 && smaller is not null) || (total > 0 && larger is not null)) continue;
                var dims = new[] { declared[0] }.Concat(size).ToArray();
                if (!Valid(dims)) continue;
                if (total < 0) smaller = dims;
                else larger = dims;
                if (smaller is not null && larger is not null) break;
            }
            return new[] { smaller, larger }.Where(d => d is not null).Select(d => d!);
        }

        private static ExpressionSyntax? InputArgument(INamedTypeSymbol type, CancellationToken ct)
        {
            var model = type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == ModelParser.ModelAttributeName);
            if (model?.ApplicationSyntaxReference?.GetSyntax(ct) is not AttributeSyntax attribute || attribute.ArgumentList is null) return null;
            return attribute.ArgumentList.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == "Input")?.Expression;
        }

        private static async Task<Document> WithInput(Document document, ExpressionSyntax input, int[] dims, CancellationToken ct)
        {
            var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
            if (root is null) return document;
            var text = "[" + string.Join(", ", dims.Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]";
            return document.WithSyntaxRoot(root.ReplaceNode(input, SyntaxFactory.ParseExpression(text).WithTriviaFrom(input)));
        }
    }
}
