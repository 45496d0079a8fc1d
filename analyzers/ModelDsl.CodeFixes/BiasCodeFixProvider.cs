using System.Collections.Immutable;
using System.Composition;
using System.Linq;
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
    /// Fixes MDL0008 (a convolution bias right before batch norm) on the convolution's own attribute:
    /// "Remove the redundant bias" writes <c>Bias = false</c> in place of the written <c>Bias</c>, or appends it.
    /// A convolution inside a block is reported at the block's use, where there is no <c>Bias</c> to write: no fix.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(BiasCodeFixProvider)), Shared]
    public sealed class BiasCodeFixProvider : CodeFixProvider
    {
        public const string Title = "Remove the redundant bias";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } =
            ImmutableArray.Create(DiagnosticDescriptors.BiasBeforeBatchNormId);

        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null) return;

            foreach (var diagnostic in context.Diagnostics)
            {
                if (!diagnostic.Properties.TryGetValue(DiagnosticDescriptors.FixBiasProperty, out var fixable) || fixable != "true") continue;
                var attribute = AttributeArguments.AttributeAt(root, diagnostic);
                if (attribute is null) continue;

                var fixedAttribute = AttributeArguments.WithNamed(attribute, "Bias", SyntaxFactory.LiteralExpression(SyntaxKind.FalseLiteralExpression));
                context.RegisterCodeFix(
                    CodeAction.Create(Title, ct => AttributeArguments.Replace(context.Document, attribute, fixedAttribute, ct), equivalenceKey: Title),
                    diagnostic);
            }
        }
    }
}
