using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ModelDsl.Generators.Model;

namespace ModelDsl.Generators.Parsing
{
    /// <summary>
    /// Roslyn symbols → <see cref="ModelSpec"/>. Shared by the generator and the analyzers (linked
    /// source), so both see the same model. Reads arguments as written and never judges them (that is
    /// the shape engine's job) and never throws on malformed input: what does not bind is marked.
    /// </summary>
    internal static class ModelParser
    {
        public const string Namespace = "ModelDsl";
        public const string ModelAttributeName = "ModelDsl.ModelAttribute";
        public const string ModelBaseName = "ModelDsl.Model";
        public const string LayerTypeName = "ModelDsl.Layer";

        // The defaults of the attribute classes in src/ModelDsl (AttributeData shows only what is
        // written). A test compares them with the attribute classes themselves.
        public const int DefaultConvKernel = 1;
        public const int DefaultConvStride = 1;
        public const int DefaultPoolStride = 0;

        public static ModelSpec? Parse(INamedTypeSymbol type, CancellationToken ct)
        {
            var modelAttribute = type.GetAttributes().FirstOrDefault(a => IsNamed(a.AttributeClass, ModelAttributeName));
            if (modelAttribute is null) return null;

            var (input, inputMalformed) = ReadInput(modelAttribute);
            var layers = new List<LayerSpec>();
            foreach (var property in PropertiesInOrder(type))
            {
                ct.ThrowIfCancellationRequested();
                var layer = ParseLayer(property, ct);
                if (layer is not null) layers.Add(layer);
            }

            var baseType = type.BaseType;
            var hasForeignBase = baseType is not null
                && baseType.SpecialType != SpecialType.System_Object
                && !IsNamed(baseType, ModelBaseName);

            return new ModelSpec(
                type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : "",
                TypeName(type),
                HintName(type),
                ContainingTypes(type).ToEquatableArray(),
                hasForeignBase,
                input.ToEquatableArray(),
                inputMalformed,
                layers.ToEquatableArray());
        }

        /// <summary>Properties in declaration order: by file, then by position (partial classes may span files).</summary>
        public static IEnumerable<IPropertySymbol> PropertiesInOrder(INamedTypeSymbol type) =>
            type.GetMembers()
                .OfType<IPropertySymbol>()
                .Where(p => !p.IsStatic && p.Locations.Length > 0 && p.Locations[0].IsInSource)
                .OrderBy(p => p.Locations[0].SourceTree?.FilePath ?? "", StringComparer.Ordinal)
                .ThenBy(p => p.Locations[0].SourceSpan.Start);

        /// <summary>Whether <paramref name="attribute"/> is one of ModelDsl's layer or activation attributes.</summary>
        public static bool IsLayerAttribute(AttributeData attribute) => LayerAttributeName(attribute.AttributeClass) is not null;

        private static string? LayerAttributeName(INamedTypeSymbol? attributeClass)
        {
            if (attributeClass is null || attributeClass.ContainingNamespace?.ToDisplayString() != Namespace) return null;
            for (var t = attributeClass.BaseType; t is not null; t = t.BaseType)
            {
                if (t.Name == "LayerAttribute" && t.ContainingNamespace?.ToDisplayString() == Namespace)
                {
                    var name = attributeClass.Name;
                    return name.EndsWith("Attribute", StringComparison.Ordinal) ? name.Substring(0, name.Length - "Attribute".Length) : name;
                }
            }
            return null;
        }

        private static LayerSpec? ParseLayer(IPropertySymbol property, CancellationToken ct)
        {
            string? primaryName = null;
            AttributeData? primary = null;
            var activation = ActivationKind.None;
            string? activationName = null;
            var extra = new List<string>();
            var malformed = false;

            foreach (var attribute in property.GetAttributes())
            {
                var name = LayerAttributeName(attribute.AttributeClass);
                if (name is null) continue;
                malformed |= attribute.AttributeConstructor is null
                    || attribute.ConstructorArguments.Any(a => a.Kind == TypedConstantKind.Error)
                    || attribute.NamedArguments.Any(a => a.Value.Kind == TypedConstantKind.Error);
                var act = ActivationOf(name);
                if (act != ActivationKind.None)
                {
                    if (activationName is null)
                    {
                        activation = act;
                        activationName = name;
                    }
                    else
                    {
                        extra.Add(name);
                    }
                }
                else if (primary is null)
                {
                    primary = attribute;
                    primaryName = name;
                }
                else
                {
                    extra.Add(name);
                }
            }
            if (primary is null && activationName is null) return null;

            var isPartial = property.IsPartialDefinition
                && !property.IsStatic
                && property.SetMethod is null
                && property.GetMethod is not null
                && IsNamed(property.Type as INamedTypeSymbol, LayerTypeName);
            var modifiers = isPartial ? Modifiers(property, ct) : "";

            if (primary is null)
            {
                return new LayerSpec(property.Name, modifiers, isPartial, LayerKind.Activation, activationName!,
                    0, 0, 0, 0, PadMode.Explicit, false, 0, activation, malformed, extra.ToEquatableArray());
            }

            var kind = primaryName switch
            {
                "Conv2D" => LayerKind.Conv2D,
                "MaxPool2D" => LayerKind.MaxPool2D,
                "AvgPool2D" => LayerKind.AvgPool2D,
                "Flatten" => LayerKind.Flatten,
                "Dense" => LayerKind.Dense,
                "Dropout" => LayerKind.Dropout,
                _ => (LayerKind?)null,
            };
            if (kind is null)
            {
                // A LayerAttribute this generator does not know (a newer runtime): do not guess.
                return new LayerSpec(property.Name, modifiers, isPartial, LayerKind.Flatten, primaryName!,
                    0, 0, 0, 0, PadMode.Explicit, false, 0, activation, true, extra.ToEquatableArray());
            }

            var positional = primary.ConstructorArguments;
            int First() => positional.Length > 0 ? IntOf(positional[0]) : 0;
            var isPool = kind is LayerKind.MaxPool2D or LayerKind.AvgPool2D;
            var units = kind is LayerKind.Conv2D or LayerKind.Dense ? First() : 0;
            var kernel = kind == LayerKind.Conv2D ? Named(primary, "Kernel", DefaultConvKernel) : isPool ? First() : 0;
            var stride = kind == LayerKind.Conv2D ? Named(primary, "Stride", DefaultConvStride) : isPool ? Named(primary, "Stride", DefaultPoolStride) : 0;
            var padding = Named(primary, "Padding", 0);
            var padMode = (PadMode)Named(primary, "PaddingMode", 0);
            var bias = NamedBool(primary, "Bias", true);
            var rate = kind == LayerKind.Dropout && positional.Length > 0 ? DoubleOf(positional[0]) : 0;

            return new LayerSpec(property.Name, modifiers, isPartial, kind.Value, primaryName!,
                units, kernel, stride, padding, padMode, bias, rate, activation, malformed, extra.ToEquatableArray());
        }

        private static ActivationKind ActivationOf(string name) => name switch
        {
            "ReLU" => ActivationKind.ReLU,
            "Tanh" => ActivationKind.Tanh,
            "Sigmoid" => ActivationKind.Sigmoid,
            "Softmax" => ActivationKind.Softmax,
            _ => ActivationKind.None,
        };

        private static (int[] Input, bool Malformed) ReadInput(AttributeData attribute)
        {
            foreach (var named in attribute.NamedArguments)
            {
                if (named.Key != "Input") continue;
                var value = named.Value;
                if (value.Kind == TypedConstantKind.Error) return (Array.Empty<int>(), true);
                if (value.Kind != TypedConstantKind.Array || value.IsNull) return (Array.Empty<int>(), false);
                return (value.Values.Select(IntOf).ToArray(), false);
            }
            return (Array.Empty<int>(), attribute.AttributeConstructor is null);
        }

        private static int Named(AttributeData attribute, string name, int fallback)
        {
            foreach (var named in attribute.NamedArguments)
            {
                if (named.Key == name) return IntOf(named.Value);
            }
            return fallback;
        }

        private static bool NamedBool(AttributeData attribute, string name, bool fallback)
        {
            foreach (var named in attribute.NamedArguments)
            {
                if (named.Key == name) return named.Value.Value is bool b ? b : fallback;
            }
            return fallback;
        }

        private static int IntOf(TypedConstant constant) => constant.Value switch
        {
            int i => i,
            short s => s,
            byte b => b,
            sbyte sb => sb,
            ushort us => us,
            _ => 0,
        };

        private static double DoubleOf(TypedConstant constant) => constant.Value switch
        {
            double d => d,
            float f => f,
            int i => i,
            _ => double.NaN,
        };

        private static bool IsNamed(INamedTypeSymbol? type, string fullName) =>
            type is not null && type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat) == fullName;

        /// <summary>The modifiers written on the partial definition (its implementation must repeat them), with <c>partial</c> last.</summary>
        private static string Modifiers(IPropertySymbol property, CancellationToken ct)
        {
            foreach (var reference in property.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(ct) is PropertyDeclarationSyntax declaration)
                {
                    var words = declaration.Modifiers
                        .Where(m => !m.IsKind(SyntaxKind.PartialKeyword))
                        .Select(m => m.Text)
                        .ToList();
                    words.Add("partial");
                    return string.Join(" ", words);
                }
            }
            return "partial";
        }

        private static string TypeName(INamedTypeSymbol type) =>
            type.TypeParameters.Length == 0
                ? type.Name
                : type.Name + "<" + string.Join(", ", type.TypeParameters.Select(t => t.Name)) + ">";

        private static IEnumerable<string> ContainingTypes(INamedTypeSymbol type)
        {
            var chain = new List<string>();
            for (var t = type.ContainingType; t is not null; t = t.ContainingType)
            {
                var keyword = t.IsRecord
                    ? (t.TypeKind == TypeKind.Struct ? "record struct" : "record")
                    : t.TypeKind switch
                    {
                        TypeKind.Struct => "struct",
                        TypeKind.Interface => "interface",
                        _ => "class",
                    };
                chain.Add($"partial {keyword} {TypeName(t)}");
            }
            chain.Reverse();
            return chain;
        }

        private static string HintName(INamedTypeSymbol type)
        {
            var name = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted));
            var builder = new StringBuilder(name.Length + 5);
            foreach (var c in name)
            {
                builder.Append(char.IsLetterOrDigit(c) || c == '.' || c == '_' ? c : '_');
            }
            if (type.Arity > 0) builder.Append("_").Append(type.Arity);
            return builder.Append(".g.cs").ToString();
        }
    }
}
