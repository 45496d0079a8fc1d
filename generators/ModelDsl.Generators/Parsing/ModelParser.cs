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
            var origin = 0;
            foreach (var property in PropertiesInOrder(type))
            {
                ct.ThrowIfCancellationRequested();
                if (!property.GetAttributes().Any(IsLayerAttribute)) continue;
                var use = property.GetAttributes().FirstOrDefault(a => IsBlock(a.AttributeClass));
                if (use is not null && property.GetAttributes().Count(IsLayerAttribute) == 1)
                {
                    var from = ReadFrom(use);
                    var blockInput = from.Count > 0 ? from[0] : layers.Count == 0 ? ReservedNames.ModelInput : layers[layers.Count - 1].Name;
                    var first = layers.Count;
                    new BlockExpander(layers, origin, ct).Expand(use, property.Name, blockInput, depth: 0);
                    if (layers.Count > first)
                    {
                        // The using property stands for the block's output: later layers read it by that name.
                        var last = layers[layers.Count - 1];
                        var isPartial = IsImplementable(property);
                        layers[layers.Count - 1] = last with
                        {
                            Property = property.Name,
                            IsPartial = isPartial,
                            Modifiers = isPartial ? Modifiers(property, ct) : "",
                        };
                    }
                }
                else
                {
                    var layer = ParseLayer(property, ct);
                    if (layer is not null) layers.Add(layer with { Origin = origin, Property = property.Name });
                }
                origin++;
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
                layers.ToEquatableArray(),
                (RoundingMode)Named(modelAttribute, "Rounding", (int)RoundingMode.Strict));
        }

        /// <summary>A block class's spec: the partial layer properties its generated part implements.</summary>
        public static BlockSpec? ParseBlock(INamedTypeSymbol type, CancellationToken ct)
        {
            if (!IsBlock(type)) return null;
            var properties = PropertiesInOrder(type)
                .Where(p => p.GetAttributes().Any(IsLayerAttribute) && IsImplementable(p))
                .Select(p => Modifiers(p, ct) + "|" + p.Name)
                .ToEquatableArray();
            return new BlockSpec(
                type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : "",
                TypeName(type),
                HintName(type),
                ContainingTypes(type).ToEquatableArray(),
                properties);
        }

        /// <summary>Properties in declaration order: by file, then by position (partial classes may span files).</summary>
        public static IEnumerable<IPropertySymbol> PropertiesInOrder(INamedTypeSymbol type) =>
            type.GetMembers()
                .OfType<IPropertySymbol>()
                .Where(p => !p.IsStatic && p.Locations.Length > 0 && p.Locations[0].IsInSource)
                .OrderBy(p => p.Locations[0].SourceTree?.FilePath ?? "", StringComparer.Ordinal)
                .ThenBy(p => p.Locations[0].SourceSpan.Start);

        /// <summary>Whether <paramref name="attribute"/> is one of ModelDsl's layer or activation attributes, or a block.</summary>
        public static bool IsLayerAttribute(AttributeData attribute) =>
            LayerAttributeName(attribute.AttributeClass) is not null || IsBlock(attribute.AttributeClass);

        /// <summary>Whether a class derives from <c>ModelDsl.Block</c> (a user's block, usable as a layer attribute).</summary>
        public static bool IsBlock(INamedTypeSymbol? type)
        {
            for (var t = type?.BaseType; t is not null; t = t.BaseType)
            {
                if (t.Name == "Block" && t.ContainingNamespace?.ToDisplayString() == Namespace) return true;
            }
            return false;
        }

        private static bool IsImplementable(IPropertySymbol property) =>
            property.IsPartialDefinition
            && !property.IsStatic
            && property.SetMethod is null
            && property.GetMethod is not null
            && IsNamed(property.Type as INamedTypeSymbol, LayerTypeName);

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

        internal static LayerSpec? ParseLayer(IPropertySymbol property, CancellationToken ct)
        {
            string? primaryName = null;
            AttributeData? primary = null;
            var activation = ActivationKind.None;
            string? activationName = null;
            AttributeData? activationData = null;
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
                        activationData = attribute;
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

            var isPartial = IsImplementable(property);
            var modifiers = isPartial ? Modifiers(property, ct) : "";

            if (primary is null)
            {
                // A standalone activation: its own layer.
                var alone = LayerSpec.Create(property.Name, LayerKind.Activation, activationName!) with
                {
                    Modifiers = modifiers,
                    IsPartial = isPartial,
                    Activation = activation,
                    Slope = NamedDouble(activationData, "Slope", 0.01),
                    Inputs = ReadFrom(activationData),
                    Malformed = malformed,
                    ExtraLayerAttributes = extra.ToEquatableArray(),
                };
                return alone;
            }

            var kind = KindOf(primaryName!);
            var layer = LayerSpec.Create(property.Name, kind ?? LayerKind.Flatten, primaryName!) with
            {
                Modifiers = modifiers,
                IsPartial = isPartial,
                Activation = activation,
                Slope = activationData is null ? 0.01 : NamedDouble(activationData, "Slope", 0.01),
                // A LayerAttribute this generator does not know (a newer runtime): do not guess.
                Malformed = malformed || kind is null,
                ExtraLayerAttributes = extra.ToEquatableArray(),
            };
            return kind is null ? layer : ReadArguments(layer, primary);
        }

        private static LayerKind? KindOf(string attribute) => attribute switch
        {
            "Conv2D" => LayerKind.Conv2D,
            "Conv1D" => LayerKind.Conv1D,
            "ConvTranspose2D" => LayerKind.ConvTranspose2D,
            "MaxPool2D" => LayerKind.MaxPool2D,
            "AvgPool2D" => LayerKind.AvgPool2D,
            "MaxPool1D" => LayerKind.MaxPool1D,
            "AvgPool1D" => LayerKind.AvgPool1D,
            "GlobalAvgPool" => LayerKind.GlobalAvgPool,
            "GlobalMaxPool" => LayerKind.GlobalMaxPool,
            "MaxUnpool2D" => LayerKind.MaxUnpool2D,
            "Flatten" => LayerKind.Flatten,
            "Dense" => LayerKind.Dense,
            "Dropout" => LayerKind.Dropout,
            "BatchNorm" => LayerKind.BatchNorm,
            "LayerNorm" => LayerKind.LayerNorm,
            "InstanceNorm" => LayerKind.InstanceNorm,
            "GroupNorm" => LayerKind.GroupNorm,
            "LocalResponseNorm" => LayerKind.LocalResponseNorm,
            "Add" => LayerKind.Add,
            "Concat" => LayerKind.Concat,
            "Multiply" => LayerKind.Multiply,
            _ => null,
        };

        /// <summary>Reads the primary attribute's written arguments over the defaults of <see cref="LayerSpec.Create"/>.</summary>
        private static LayerSpec ReadArguments(LayerSpec layer, AttributeData a)
        {
            var positional = a.ConstructorArguments;
            int FirstInt() => positional.Length > 0 ? IntOf(positional[0]) : 0;
            layer = layer with
            {
                Inputs = ReadFrom(a),
                Rounding = (RoundingMode)Named(a, "Rounding", (int)RoundingMode.Inherit),
                Expressions = ReadExpressions(a),
            };
            switch (layer.Kind)
            {
                case LayerKind.Conv2D:
                case LayerKind.Conv1D:
                case LayerKind.ConvTranspose2D:
                {
                    var oneD = layer.Kind == LayerKind.Conv1D;
                    var kernel = Named(a, "Kernel", DefaultConvKernel);
                    var stride = Named(a, "Stride", DefaultConvStride);
                    var padding = Named(a, "Padding", 0);
                    return layer with
                    {
                        Units = FirstInt(),
                        KernelH = oneD ? 1 : Named(a, "KernelH", kernel),
                        KernelW = Named(a, "KernelW", kernel),
                        StrideH = oneD ? 1 : Named(a, "StrideH", stride),
                        StrideW = Named(a, "StrideW", stride),
                        PadH = oneD ? 0 : Named(a, "PaddingH", padding),
                        PadW = Named(a, "PaddingW", padding),
                        PadMode = (PadMode)Named(a, "PaddingMode", 0),
                        Dilation = Named(a, "Dilation", 1),
                        Groups = Named(a, "Groups", 1),
                        OutputPadding = Named(a, "OutputPadding", 0),
                        Bias = NamedBool(a, "Bias", true),
                    };
                }
                case LayerKind.MaxPool2D:
                case LayerKind.AvgPool2D:
                case LayerKind.MaxPool1D:
                case LayerKind.AvgPool1D:
                {
                    var oneD = layer.Kind is LayerKind.MaxPool1D or LayerKind.AvgPool1D;
                    var size = FirstInt();
                    var stride = Named(a, "Stride", DefaultPoolStride);
                    var padding = Named(a, "Padding", 0);
                    return layer with
                    {
                        KernelH = oneD ? 1 : size,
                        KernelW = size,
                        StrideH = oneD ? 1 : stride,
                        StrideW = stride,
                        PadH = oneD ? 0 : padding,
                        PadW = padding,
                        PadMode = (PadMode)Named(a, "PaddingMode", 0),
                        Bias = false,
                    };
                }
                case LayerKind.Dense:
                    return layer with { Units = FirstInt(), Bias = NamedBool(a, "Bias", true), DeclaredIn = Named(a, "In", 0) };
                case LayerKind.Dropout:
                    return layer with { Rate = positional.Length > 0 ? DoubleOf(positional[0]) : double.NaN, Bias = false };
                case LayerKind.BatchNorm:
                    return layer with { Eps = NamedDouble(a, "Eps", 1e-5), Momentum = NamedDouble(a, "Momentum", 0.1), Affine = NamedBool(a, "Affine", true), Bias = false };
                case LayerKind.LayerNorm:
                    return layer with { Eps = NamedDouble(a, "Eps", 1e-5), Affine = true, Bias = false };
                case LayerKind.InstanceNorm:
                    return layer with { Eps = NamedDouble(a, "Eps", 1e-5), Affine = NamedBool(a, "Affine", false), Bias = false };
                case LayerKind.GroupNorm:
                    return layer with { Groups = FirstInt(), Eps = NamedDouble(a, "Eps", 1e-5), Affine = true, Bias = false };
                case LayerKind.LocalResponseNorm:
                    return layer with
                    {
                        Units = FirstInt(),
                        Alpha = NamedDouble(a, "Alpha", 1e-4),
                        Beta = NamedDouble(a, "Beta", 0.75),
                        K = NamedDouble(a, "K", 1),
                        Bias = false,
                    };
                case LayerKind.Add:
                case LayerKind.Concat:
                    return layer with { Inputs = Strings(positional), Bias = false };
                case LayerKind.Multiply:
                    return layer with { Inputs = Strings(positional), Bias = false };
                case LayerKind.MaxUnpool2D:
                    return layer with { Reference = positional.Length > 0 && positional[0].Value is string pool ? pool : "", Bias = false };
                default:
                    return layer with { Bias = false };
            }
        }

        /// <summary>The written <c>…Of</c> and <c>When</c> arguments as <c>Filters=Width * 4</c> pairs (the suffix dropped).</summary>
        internal static EquatableArray<string> ReadExpressions(AttributeData? a)
        {
            if (a is null) return EquatableArray<string>.Empty;
            var result = new List<string>();
            foreach (var named in a.NamedArguments)
            {
                if (named.Value.Value is not string text) continue;
                if (named.Key == "When") result.Add("When=" + text);
                else if (named.Key.EndsWith("Of", StringComparison.Ordinal) && named.Key.Length > 2) result.Add(named.Key.Substring(0, named.Key.Length - 2) + "=" + text);
            }
            return result.ToEquatableArray();
        }

        /// <summary>The written <c>From</c>, as a one-element input list; empty means "the previous layer".</summary>
        internal static EquatableArray<string> ReadFrom(AttributeData? a)
        {
            if (a is null) return EquatableArray<string>.Empty;
            foreach (var named in a.NamedArguments)
            {
                if (named.Key == "From" && named.Value.Value is string from) return new EquatableArray<string>(new[] { from });
            }
            return EquatableArray<string>.Empty;
        }

        /// <summary>Strings of a params string[] constructor (or of its expanded arguments).</summary>
        private static EquatableArray<string> Strings(System.Collections.Immutable.ImmutableArray<TypedConstant> positional)
        {
            var result = new List<string>();
            foreach (var argument in positional)
            {
                if (argument.Kind == TypedConstantKind.Array)
                {
                    if (argument.IsNull) continue;
                    foreach (var item in argument.Values) result.Add(item.Value as string ?? "");
                }
                else
                {
                    result.Add(argument.Value as string ?? "");
                }
            }
            return result.ToEquatableArray();
        }

        private static double NamedDouble(AttributeData? attribute, string name, double fallback)
        {
            if (attribute is null) return fallback;
            foreach (var named in attribute.NamedArguments)
            {
                if (named.Key == name) return DoubleOf(named.Value);
            }
            return fallback;
        }

        private static ActivationKind ActivationOf(string name) => name switch
        {
            "ReLU" => ActivationKind.ReLU,
            "Tanh" => ActivationKind.Tanh,
            "Sigmoid" => ActivationKind.Sigmoid,
            "Softmax" => ActivationKind.Softmax,
            "LeakyReLU" => ActivationKind.LeakyReLU,
            "ReLU6" => ActivationKind.ReLU6,
            "SiLU" or "Swish" => ActivationKind.SiLU,
            "HardSwish" => ActivationKind.HardSwish,
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

        internal static int IntOf(TypedConstant constant) => constant.Value switch
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

        internal static bool IsNamed(INamedTypeSymbol? type, string fullName) =>
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
