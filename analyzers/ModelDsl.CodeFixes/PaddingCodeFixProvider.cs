using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Linq;
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
    /// Fixes MDL0001 (non-integer output size) with what the shape engine found: one action per padding
    /// that makes every axis exact ("Use Padding = 1"), and "Use PaddingMode.Same".
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(PaddingCodeFixProvider)), Shared]
    public sealed class PaddingCodeFixProvider : CodeFixProvider
    {
        private const string Padding = "Padding";
        private const string PaddingMode = "PaddingMode";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } =
            ImmutableArray.Create(DiagnosticDescriptors.NonIntegerOutputId);

        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null) return;

            foreach (var diagnostic in context.Diagnostics)
            {
                var attribute = AttributeArguments.AttributeAt(root, diagnostic);
                if (attribute is null) continue;

                foreach (var padding in Paddings(diagnostic))
                {
                    var title = "Use Padding = " + padding.ToString(CultureInfo.InvariantCulture);
                    context.RegisterCodeFix(
                        CodeAction.Create(
                            title,
                            ct => AttributeArguments.Replace(context.Document, attribute, WithPadding(attribute, padding), ct),
                            equivalenceKey: title),
                        diagnostic);
                }

                if (diagnostic.Properties.TryGetValue(DiagnosticDescriptors.FixSameProperty, out var same) && same == "true")
                {
                    const string title = "Use PaddingMode.Same";
                    context.RegisterCodeFix(
                        CodeAction.Create(
                            title,
                            ct => AttributeArguments.Replace(context.Document, attribute, WithSame(attribute), ct),
                            equivalenceKey: title),
                        diagnostic);
                }
            }
        }

        private static IEnumerable<int> Paddings(Diagnostic diagnostic)
        {
            if (!diagnostic.Properties.TryGetValue(DiagnosticDescriptors.FixPaddingsProperty, out var text) || string.IsNullOrEmpty(text))
            {
                yield break;
            }
            foreach (var part in text!.Split(','))
            {
                if (int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)) yield return value;
            }
        }

        /// <summary><c>Padding = p</c> in place of the written one (or appended); a <c>PaddingMode</c> argument would override it, so it goes.</summary>
        private static AttributeSyntax WithPadding(AttributeSyntax attribute, int padding) =>
            AttributeArguments.WithNamed(attribute, Padding,
                SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(padding)),
                remove: PaddingMode);

        /// <summary>
        /// <c>PaddingMode = PaddingMode.Same</c>, written fully qualified and marked for the simplifier, which
        /// shortens it as far as the file's usings allow. A <c>Padding</c> argument no longer applies, so it goes.
        /// </summary>
        private static AttributeSyntax WithSame(AttributeSyntax attribute) =>
            AttributeArguments.WithNamed(attribute, PaddingMode,
                SyntaxFactory.ParseExpression("global::ModelDsl.PaddingMode.Same").WithAdditionalAnnotations(Simplifier.Annotation),
                remove: Padding);
    }
}
