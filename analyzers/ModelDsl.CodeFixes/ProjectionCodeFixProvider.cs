using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ModelDsl.Analyzers;

namespace ModelDsl.CodeFixes
{
    /// <summary>
    /// Fixes MDL0006 on a residual <c>Add</c> whose shortcut differs in channels or stride: inserts, just before
    /// the Add, <c>[Conv2D(K, Kernel = 1, Stride = s, From = nameof(Shortcut))] partial Layer ShortcutProjection { get; }</c>
    /// with the K and s the shape engine worked out (and <c>PaddingMode.Same</c> when s does not divide H − 1), and
    /// makes the Add read the projection instead.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ProjectionCodeFixProvider)), Shared]
    public sealed class ProjectionCodeFixProvider : CodeFixProvider
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } =
            ImmutableArray.Create(DiagnosticDescriptors.MergeMismatchId);

        public override FixAllProvider? GetFixAllProvider() => null;

        public static string Title(string input) => $"Insert a 1×1 projection of '{input}'";

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null) return;
            foreach (var diagnostic in context.Diagnostics)
            {
                if (!diagnostic.Properties.TryGetValue(DiagnosticDescriptors.ProjectionProperty, out var projection) || string.IsNullOrEmpty(projection)) continue;
                var parts = projection!.Split('|');
                if (parts.Length != 4 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var filters)
                    || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var stride)) continue;
                var input = parts[0];
                var same = parts[3] == "same";
                var attribute = root.FindNode(diagnostic.Location.SourceSpan).AncestorsAndSelf().OfType<AttributeSyntax>().FirstOrDefault();
                var property = attribute?.Ancestors().OfType<PropertyDeclarationSyntax>().FirstOrDefault();
                var argument = attribute?.ArgumentList?.Arguments.FirstOrDefault(a => ModelShapeAnalyzer.WrittenName(a.Expression) == input);
                if (attribute is null || property is null || argument is null || property.Parent is not TypeDeclarationSyntax type) continue;
                context.RegisterCodeFix(
                    CodeAction.Create(Title(input), ct => Insert(context.Document, type, property, argument, input, filters, stride, same, ct), equivalenceKey: Title(input)),
                    diagnostic);
            }
        }

        private static async Task<Document> Insert(Document document, TypeDeclarationSyntax type, PropertyDeclarationSyntax sum,
            AttributeArgumentSyntax argument, string input, int filters, int stride, bool same, CancellationToken ct)
        {
            var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
            if (root is null) return document;
            var taken = type.Members.OfType<PropertyDeclarationSyntax>().Select(p => p.Identifier.ValueText).ToImmutableHashSet();
            var name = input + "Projection";
            for (var i = 2; taken.Contains(name); i++) name = input + "Projection" + i.ToString(CultureInfo.InvariantCulture);

            var modifiers = string.Join(" ", sum.Modifiers.Select(m => m.Text));
            var strideText = (stride > 1 ? $", Stride = {stride.ToString(CultureInfo.InvariantCulture)}" : "") + (same ? ", PaddingMode = PaddingMode.Same" : "");
            var text = $"[Conv2D({filters.ToString(CultureInfo.InvariantCulture)}, Kernel = 1{strideText}, From = nameof({input}))] {modifiers} Layer {name} {{ get; }}";
            var indentation = sum.GetLeadingTrivia().Where(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).LastOrDefault();
            var projection = ((PropertyDeclarationSyntax)SyntaxFactory.ParseMemberDeclaration(text)!)
                .WithLeadingTrivia(sum.GetLeadingTrivia())
                .WithTrailingTrivia(SyntaxFactory.EndOfLine("\n"));

            var newArgument = argument.WithExpression(SyntaxFactory.ParseExpression($"nameof({name})").WithTriviaFrom(argument.Expression));
            var newSum = sum.ReplaceNode(argument, newArgument).WithLeadingTrivia(indentation == default ? SyntaxTriviaList.Empty : SyntaxFactory.TriviaList(indentation));
            var newType = type.ReplaceNode(sum, new SyntaxNode[] { projection, newSum });
            return document.WithSyntaxRoot(root.ReplaceNode(type, newType));
        }
    }
}
