using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ModelDsl.Generators.Parsing;
using ModelDsl.Generators.Shapes;

namespace ModelDsl.Generators
{
    /// <summary>
    /// Compiles each <c>[Model]</c> partial class into statically shaped C#:
    /// attributes → <see cref="ModelParser"/> (ModelSpec) → <see cref="ShapeEngine"/> (ShapedModel) → <see cref="ModelEmitter"/> (text).
    /// Reports nothing: the analyzers report shape problems, and an invalid model gets a stub that keeps
    /// the rest of the project compiling.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class ModelGenerator : IIncrementalGenerator
    {
        /// <inheritdoc/>
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var specs = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    ModelParser.ModelAttributeName,
                    predicate: static (node, _) => node is ClassDeclarationSyntax,
                    transform: static (ctx, ct) =>
                        ctx.TargetSymbol is INamedTypeSymbol type && IsFirstModelDeclaration(type, ctx.TargetNode)
                            ? ModelParser.Parse(type, ct)
                            : null)
                .Where(static spec => spec is not null)
                .Select(static (spec, _) => spec!)
                .WithTrackingName(TrackingNames.ModelSpec);

            var shaped = specs
                .Select(static (spec, _) => ShapeEngine.Run(spec))
                .WithTrackingName(TrackingNames.ShapedModel);

            context.RegisterSourceOutput(shaped, static (output, model) =>
                output.AddSource(model.Spec.HintName, ModelEmitter.Emit(model)));

            // Block classes: their layers live inlined in the models that use them; their own partial
            // properties still need an implementation to compile.
            var blocks = context.SyntaxProvider
                .CreateSyntaxProvider(
                    predicate: static (node, _) => node is ClassDeclarationSyntax { BaseList: not null } c && c.Modifiers.Any(m => m.ValueText == "partial"),
                    transform: static (ctx, ct) =>
                        ctx.SemanticModel.GetDeclaredSymbol(ctx.Node, ct) is INamedTypeSymbol type
                        && type.DeclaringSyntaxReferences.Length > 0
                        && type.DeclaringSyntaxReferences[0].GetSyntax(ct) == ctx.Node
                            ? ModelParser.ParseBlock(type, ct)
                            : null)
                .Where(static spec => spec is not null)
                .Select(static (spec, _) => spec!)
                .WithTrackingName(TrackingNames.BlockSpec);

            context.RegisterSourceOutput(blocks, static (output, block) =>
                output.AddSource(block.HintName, ModelEmitter.EmitBlock(block)));
        }

        /// <summary>
        /// A class whose partial declarations repeat <c>[Model]</c> (a compile error of its own) is
        /// generated once, from the first, so hint names never collide.
        /// </summary>
        private static bool IsFirstModelDeclaration(INamedTypeSymbol type, SyntaxNode node)
        {
            var first = type.GetAttributes()
                .FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == ModelParser.ModelAttributeName)
                ?.ApplicationSyntaxReference;
            return first is null || (first.SyntaxTree == node.SyntaxTree && node.Span.Contains(first.Span));
        }
    }
}
