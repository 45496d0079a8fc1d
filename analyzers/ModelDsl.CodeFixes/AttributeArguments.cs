using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ModelDsl.CodeFixes
{
    /// <summary>Rewrites one named argument of an attribute, keeping the rest as written.</summary>
    internal static class AttributeArguments
    {
        /// <summary>The attribute a diagnostic is reported on (on one of its arguments, or as a whole), or null.</summary>
        public static AttributeSyntax? AttributeAt(SyntaxNode root, Diagnostic diagnostic) =>
            root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true)
                .AncestorsAndSelf().OfType<AttributeSyntax>().FirstOrDefault();

        /// <summary>
        /// <c>name = value</c> in place of the written one, or appended; the argument named <paramref name="remove"/>, if any, goes.
        /// </summary>
        public static AttributeSyntax WithNamed(AttributeSyntax attribute, string name, ExpressionSyntax value, string? remove = null)
        {
            var list = attribute.ArgumentList ?? SyntaxFactory.AttributeArgumentList();
            var arguments = new List<AttributeArgumentSyntax>();
            var replaced = false;
            foreach (var argument in list.Arguments)
            {
                var written = argument.NameEquals?.Name.Identifier.ValueText;
                if (remove is not null && written == remove) continue;
                if (written == name)
                {
                    arguments.Add(argument.WithExpression(value.WithTriviaFrom(argument.Expression)));
                    replaced = true;
                }
                else
                {
                    arguments.Add(argument);
                }
            }
            if (!replaced)
            {
                arguments.Add(SyntaxFactory.AttributeArgument(
                    SyntaxFactory.NameEquals(
                        SyntaxFactory.IdentifierName(name).WithTrailingTrivia(SyntaxFactory.Space),
                        SyntaxFactory.Token(SyntaxKind.EqualsToken).WithTrailingTrivia(SyntaxFactory.Space)),
                    nameColon: null,
                    value));
            }

            // Keep the separators as written where there are enough of them; new ones read ", ".
            var separators = Enumerable.Range(0, System.Math.Max(arguments.Count - 1, 0))
                .Select(i => i < list.Arguments.SeparatorCount
                    ? list.Arguments.GetSeparator(i)
                    : SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(SyntaxFactory.Space));
            return attribute.WithArgumentList(list.WithArguments(SyntaxFactory.SeparatedList(arguments, separators)));
        }

        public static async Task<Document> Replace(Document document, SyntaxNode oldNode, SyntaxNode newNode, CancellationToken ct)
        {
            var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
            return root is null ? document : document.WithSyntaxRoot(root.ReplaceNode(oldNode, newNode));
        }
    }
}
