using System;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using ModelDsl.Generators.Parsing;
using ModelDsl.Generators.Shapes;

namespace ModelDsl.Analyzers
{
    /// <summary>
    /// Runs the shared parser and shape engine on every <c>[Model]</c> class and reports each problem on
    /// the attribute argument that caused it (<c>Stride = 2</c>, the positional filters count, …), with the
    /// severity its kind has (errors, warnings, information).
    /// </summary>
    [DiagnosticAnalyzer(Microsoft.CodeAnalysis.LanguageNames.CSharp)]
    public sealed class ModelShapeAnalyzer : DiagnosticAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
            DiagnosticDescriptors.NonIntegerOutput,
            DiagnosticDescriptors.NonPositiveOutput,
            DiagnosticDescriptors.InvalidHyperparameter,
            DiagnosticDescriptors.UnknownReference,
            DiagnosticDescriptors.LaterReference,
            DiagnosticDescriptors.MergeMismatch,
            DiagnosticDescriptors.RoundingDropsInput,
            DiagnosticDescriptors.BiasBeforeBatchNorm,
            DiagnosticDescriptors.AsymmetricSamePadding,
            DiagnosticDescriptors.ReceptiveFieldSmallerThanInput,
            DiagnosticDescriptors.SoftmaxLastLayer,
            DiagnosticDescriptors.DropoutLastLayer);

        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterCompilationStartAction(start =>
            {
                var modelAttribute = start.Compilation.GetTypeByMetadataName(ModelParser.ModelAttributeName);
                if (modelAttribute is null) return; // the runtime is not referenced: nothing to analyze
                start.RegisterSymbolAction(c => AnalyzeType(c, modelAttribute), SymbolKind.NamedType);
            });
        }

        private static void AnalyzeType(SymbolAnalysisContext context, INamedTypeSymbol modelAttribute)
        {
            var type = (INamedTypeSymbol)context.Symbol;
            var model = type.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, modelAttribute));
            if (model is null) return;

            var spec = ModelParser.Parse(type, context.CancellationToken);
            if (spec is null) return;

            foreach (var problem in ShapeEngine.Run(spec).Problems)
            {
                var descriptor = DescriptorFor(problem.Kind);
                if (descriptor is null) continue;

                // A layer inlined from a block is reported on the block's use (the attribute as a whole): the
                // message names the block's layer, the location says which use causes it.
                var layer = problem.LayerIndex < 0 ? null : spec.Layers[problem.LayerIndex];
                var inlined = layer?.FromBlock == true;
                var attribute = layer is null
                    ? model
                    : LayerAttribute(type, layer.Origin, inlined ? null : problem.Attribute.Length > 0 ? problem.Attribute : layer.Attribute);
                var location = (inlined ? null : ValueLocation(attribute, problem.Value, context))
                    ?? ArgumentLocation(attribute, inlined ? "" : problem.Argument, context.CancellationToken)
                    ?? type.Locations.FirstOrDefault()
                    ?? Location.None;

                var properties = ImmutableDictionary<string, string?>.Empty
                    .Add(DiagnosticDescriptors.FixPaddingsProperty, string.Join(",", problem.FixPaddings.Select(p => Num.I(p))))
                    .Add(DiagnosticDescriptors.FixSameProperty, problem.FixSame ? "true" : "false")
                    .Add(DiagnosticDescriptors.ProjectionProperty, inlined ? "" : problem.Projection)
                    .Add(DiagnosticDescriptors.FixBiasProperty, problem.Kind == ProblemKind.BiasBeforeBatchNorm && !inlined ? "true" : "false");
                context.ReportDiagnostic(Diagnostic.Create(descriptor, location, properties, problem.Message));
            }
        }

        private static DiagnosticDescriptor? DescriptorFor(ProblemKind kind) => kind switch
        {
            ProblemKind.NonIntegerOutput => DiagnosticDescriptors.NonIntegerOutput,
            ProblemKind.NonPositiveOutput => DiagnosticDescriptors.NonPositiveOutput,
            ProblemKind.InvalidHyperparameter => DiagnosticDescriptors.InvalidHyperparameter,
            ProblemKind.UnknownReference => DiagnosticDescriptors.UnknownReference,
            ProblemKind.LaterReference => DiagnosticDescriptors.LaterReference,
            ProblemKind.MergeMismatch => DiagnosticDescriptors.MergeMismatch,
            ProblemKind.RoundingDropsInput => DiagnosticDescriptors.RoundingDropsInput,
            ProblemKind.BiasBeforeBatchNorm => DiagnosticDescriptors.BiasBeforeBatchNorm,
            ProblemKind.AsymmetricSamePadding => DiagnosticDescriptors.AsymmetricSamePadding,
            ProblemKind.ReceptiveFieldSmallerThanInput => DiagnosticDescriptors.ReceptiveFieldSmallerThanInput,
            ProblemKind.SoftmaxLastLayer => DiagnosticDescriptors.SoftmaxLastLayer,
            ProblemKind.DropoutLastLayer => DiagnosticDescriptors.DropoutLastLayer,
            _ => null, // NotBound: the compiler already reports why the attribute does not bind
        };

        /// <summary>
        /// The attribute of the <paramref name="origin"/>-th layer property (the properties that carry a layer
        /// attribute, in the parser's order); <paramref name="attributeName"/> is the short name (<c>Conv2D</c>)
        /// the parser recorded for the layer, or null for a block use.
        /// </summary>
        private static AttributeData? LayerAttribute(INamedTypeSymbol type, int origin, string? attributeName)
        {
            var property = ModelParser.PropertiesInOrder(type)
                .Where(p => p.GetAttributes().Any(ModelParser.IsLayerAttribute))
                .ElementAtOrDefault(origin);
            return property?.GetAttributes().FirstOrDefault(a =>
                ModelParser.IsLayerAttribute(a) && (attributeName is null || ShortName(a.AttributeClass!) == attributeName));
        }

        private static string ShortName(INamedTypeSymbol attributeClass)
        {
            const string suffix = "Attribute";
            var name = attributeClass.Name;
            return name.EndsWith(suffix, StringComparison.Ordinal) ? name.Substring(0, name.Length - suffix.Length) : name;
        }

        /// <summary>
        /// The written argument whose constant value is <paramref name="value"/> (one name among several in
        /// <c>Add(nameof(A), nameof(B))</c>), or null when there is none to find.
        /// </summary>
        private static Location? ValueLocation(AttributeData? attribute, string value, SymbolAnalysisContext context)
        {
            if (value.Length == 0) return null;
            if (attribute?.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken) is not AttributeSyntax syntax || syntax.ArgumentList is null) return null;
            foreach (var written in syntax.ArgumentList.Arguments)
            {
                if (WrittenName(written.Expression) == value) return written.GetLocation();
            }
            return null;
        }

        /// <summary>The name an argument spells: <c>nameof(A)</c> or <c>nameof(Outer.A)</c> gives A, <c>"A"</c> gives A.</summary>
        internal static string? WrittenName(ExpressionSyntax expression) => expression switch
        {
            LiteralExpressionSyntax literal => literal.Token.ValueText,
            InvocationExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "nameof" } } call
                when call.ArgumentList.Arguments.Count == 1 => call.ArgumentList.Arguments[0].Expression switch
                {
                    IdentifierNameSyntax id => id.Identifier.ValueText,
                    MemberAccessExpressionSyntax member => member.Name.Identifier.ValueText,
                    _ => null,
                },
            _ => null,
        };

        /// <summary>
        /// The written argument named <paramref name="argument"/>: a named argument (<c>Stride = 2</c>) or
        /// the positional constructor argument whose parameter has that name (<c>filters</c> ↔ <c>Filters</c>).
        /// The whole attribute when the argument is not written (its default applies) or none is named.
        /// </summary>
        private static Location? ArgumentLocation(AttributeData? attribute, string argument, CancellationToken ct)
        {
            if (attribute?.ApplicationSyntaxReference?.GetSyntax(ct) is not AttributeSyntax syntax) return null;
            if (argument.Length == 0 || syntax.ArgumentList is null) return syntax.GetLocation();

            var parameters = attribute.AttributeConstructor?.Parameters ?? ImmutableArray<IParameterSymbol>.Empty;
            var position = 0;
            foreach (var written in syntax.ArgumentList.Arguments)
            {
                string? name;
                if (written.NameEquals is not null)
                {
                    name = written.NameEquals.Name.Identifier.ValueText;
                }
                else
                {
                    name = written.NameColon?.Name.Identifier.ValueText
                        ?? (position < parameters.Length ? parameters[position].Name : null);
                    position++;
                }
                if (string.Equals(name, argument, StringComparison.OrdinalIgnoreCase)) return written.GetLocation();
            }
            return syntax.GetLocation();
        }
    }
}
