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
using Microsoft.CodeAnalysis.Simplification;
using ModelDsl.Analyzers;

namespace ModelDsl.CodeFixes
{
    /// <summary>
    /// Fixes MDL0001 (non-integer output size) by opting the failing window layer in to floor rounding:
    /// "Round down like PyTorch (Rounding = Floor)" sets <c>Rounding = Rounding.Floor</c> on its attribute.
    /// Not offered on a block use (the layer's attribute is in the block) or on an attribute without <c>Rounding</c>.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RoundingCodeFixProvider)), Shared]
    public sealed class RoundingCodeFixProvider : CodeFixProvider
    {
        public const string Title = "Round down like PyTorch (Rounding = Floor)";
        private const string Rounding = "Rounding";
        private const string WindowAttributeName = "ModelDsl.WindowAttribute";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } =
            ImmutableArray.Create(DiagnosticDescriptors.NonIntegerOutputId);

        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null || model is null) return;
            var window = model.Compilation.GetTypeByMetadataName(WindowAttributeName);
            if (window is null) return;

            foreach (var diagnostic in context.Diagnostics)
            {
                var attribute = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true)
                    .AncestorsAndSelf().OfType<AttributeSyntax>().FirstOrDefault();
                if (attribute is null || !DerivesFrom(model.GetTypeInfo(attribute, context.CancellationToken).Type, window)) continue;
                context.RegisterCodeFix(
                    CodeAction.Create(Title, ct => Replace(context.Document, attribute, WithFloor(attribute), ct), equivalenceKey: Title),
                    diagnostic);
            }
        }

        private static bool DerivesFrom(ITypeSymbol? type, INamedTypeSymbol baseType)
        {
            for (var t = type; t is not null; t = t.BaseType)
            {
                if (SymbolEqualityComparer.Default.Equals(t, baseType)) return true;
            }
            return false;
        }

        /// <summary>
        /// <c>Rounding = Rounding.Floor</c> in place of a written <c>Rounding = …</c>, or appended; written fully
        /// qualified and marked for the simplifier, which shortens it as far as the file's usings allow.
        /// </summary>
        private static AttributeSyntax WithFloor(AttributeSyntax attribute)
        {
            var value = SyntaxFactory.ParseExpression("global::ModelDsl.Rounding.Floor").WithAdditionalAnnotations(Simplifier.Annotation);
            var list = attribute.ArgumentList ?? SyntaxFactory.AttributeArgumentList();
            var written = list.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == Rounding);
            if (written is not null)
            {
                return attribute.ReplaceNode(written.Expression, value.WithTriviaFrom(written.Expression));
            }
            var argument = SyntaxFactory.AttributeArgument(
                SyntaxFactory.NameEquals(
                    SyntaxFactory.IdentifierName(Rounding).WithTrailingTrivia(SyntaxFactory.Space),
                    SyntaxFactory.Token(SyntaxKind.EqualsToken).WithTrailingTrivia(SyntaxFactory.Space)),
                nameColon: null,
                value);
            // Keep the written separators; the new one reads ", ".
            var separators = list.Arguments.GetSeparators()
                .Concat(list.Arguments.Count == 0 ? Enumerable.Empty<SyntaxToken>() : new[] { SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(SyntaxFactory.Space) });
            return attribute.WithArgumentList(list.WithArguments(SyntaxFactory.SeparatedList(list.Arguments.Add(argument), separators)));
        }

        private static async Task<Document> Replace(Document document, SyntaxNode oldNode, SyntaxNode newNode, CancellationToken ct)
        {
            var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
            return root is null ? document : document.WithSyntaxRoot(root.ReplaceNode(oldNode, newNode));
        }
    }
}
