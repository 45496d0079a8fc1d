using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ModelDsl.Generators.Model;

namespace ModelDsl.Generators.Parsing
{
    /// <summary>
    /// Inlines a block use (<c>[Bottleneck(Width = 64, Repeat = 3)] partial Layer Layer1 { get; }</c>) into the
    /// model's layer list: one copy per repeat, named <c>Layer1.0.Conv1</c> … (or <c>Layer1.Conv1</c> without
    /// repeat), with names inside the block rewritten to the copy's names and the block's parameters bound.
    /// Expressions (<c>FiltersOf</c>, <c>When</c>) stay text: the shape engine evaluates them once <c>In</c>, the
    /// copy's input channels, is known.
    /// </summary>
    internal sealed class BlockExpander
    {
        private const int MaxDepth = 8;
        private const int MaxRepeat = 1000;

        private readonly List<LayerSpec> _layers;
        private readonly int _origin;
        private readonly CancellationToken _ct;

        public BlockExpander(List<LayerSpec> layers, int origin, CancellationToken ct)
        {
            _layers = layers;
            _origin = origin;
            _ct = ct;
        }

        public void Expand(AttributeData use, string prefix, string blockInput, int depth)
        {
            var block = use.AttributeClass!;
            if (depth > MaxDepth)
            {
                Invalid(prefix, block.Name, $"Block '{block.Name}' is nested more than {MaxDepth} deep (does it use itself?)");
                return;
            }
            if (use.AttributeConstructor is null || use.NamedArguments.Any(a => a.Value.Kind == TypedConstantKind.Error))
            {
                _layers.Add(LayerSpec.Create(prefix, LayerKind.Identity, block.Name) with { Malformed = true, Origin = _origin, BlockInput = blockInput });
                return;
            }

            var parameters = Parameters(block);
            var values = parameters.ToDictionary(p => p.Name, p => p.Default, StringComparer.Ordinal);
            foreach (var named in use.NamedArguments)
            {
                if (values.ContainsKey(named.Key)) values[named.Key] = ModelParser.IntOf(named.Value);
            }
            var repeat = 1;
            foreach (var named in use.NamedArguments)
            {
                if (named.Key == "Repeat") repeat = ModelParser.IntOf(named.Value);
            }
            if (repeat < 1 || repeat > MaxRepeat)
            {
                Invalid(prefix, block.Name, $"{block.Name} '{prefix}' has Repeat = {repeat}; a block is repeated 1 to {MaxRepeat} times");
                return;
            }

            var inner = ModelParser.PropertiesInOrder(block).Where(p => p.GetAttributes().Any(ModelParser.IsLayerAttribute)).ToList();
            if (inner.Count == 0)
            {
                Invalid(prefix, block.Name, $"Block '{block.Name}' declares no layers");
                return;
            }

            var input = blockInput;
            for (var copy = 0; copy < repeat; copy++)
            {
                _ct.ThrowIfCancellationRequested();
                var copyPrefix = repeat > 1 ? $"{prefix}.{copy}" : prefix;
                var bindings = parameters
                    .Select(p => $"{p.Name}={(copy > 0 && p.FirstRepeatOnly ? p.Default : values[p.Name])}")
                    .ToEquatableArray();
                input = ExpandCopy(inner, copyPrefix, input, bindings, depth);
            }
        }

        /// <summary>One copy of the block; returns the name of its last layer (the next copy's input).</summary>
        private string ExpandCopy(List<IPropertySymbol> inner, string prefix, string input, EquatableArray<string> bindings, int depth)
        {
            var names = new Dictionary<string, string>(StringComparer.Ordinal);
            var previous = input;
            string Map(string name) =>
                name == ReservedNames.BlockInput ? input
                : names.TryGetValue(name, out var mapped) ? mapped
                : prefix + "." + name; // unknown inside the block: the engine reports the prefixed name

            foreach (var property in inner)
            {
                var name = prefix + "." + property.Name;
                var nested = property.GetAttributes().FirstOrDefault(a => ModelParser.IsBlock(a.AttributeClass));
                if (nested is not null)
                {
                    var from = ModelParser.ReadFrom(nested);
                    new BlockExpander(_layers, _origin, _ct).Expand(nested, name, from.Count > 0 ? Map(from[0]) : previous, depth + 1);
                    names[property.Name] = _layers[_layers.Count - 1].Name;
                    previous = names[property.Name];
                    continue;
                }

                var layer = ModelParser.ParseLayer(property, _ct);
                if (layer is null) continue;
                var inputs = layer.Inputs.Count > 0
                    ? layer.Inputs.Select(Map).ToEquatableArray()
                    : layer.Kind is LayerKind.Add or LayerKind.Concat or LayerKind.Multiply
                        ? layer.Inputs
                        : new EquatableArray<string>(new[] { previous });
                _layers.Add(layer with
                {
                    Name = name,
                    Inputs = inputs,
                    Reference = layer.Reference.Length > 0 ? Map(layer.Reference) : "",
                    Property = "",
                    IsPartial = true, // the block class implements its own properties; the model only inlines them
                    Modifiers = "",
                    Origin = _origin,
                    Bindings = bindings,
                    BlockInput = input,
                });
                names[property.Name] = name;
                previous = name;
            }
            return previous;
        }

        private void Invalid(string name, string attribute, string message) =>
            _layers.Add(LayerSpec.Create(name, LayerKind.Identity, attribute) with
            {
                Origin = _origin,
                BlockInput = ReservedNames.ModelInput,
                Expressions = new EquatableArray<string>(new[] { "Error=" + message }),
            });

        private sealed class Parameter
        {
            public Parameter(string name, int @default, bool firstRepeatOnly)
            {
                Name = name;
                Default = @default;
                FirstRepeatOnly = firstRepeatOnly;
            }

            public string Name { get; }
            public int Default { get; }
            public bool FirstRepeatOnly { get; }
        }

        /// <summary>A block's parameters: its public, settable, instance <c>int</c> properties, with the integer literal each is initialized to (0 otherwise).</summary>
        private List<Parameter> Parameters(INamedTypeSymbol block)
        {
            var result = new List<Parameter>();
            foreach (var property in block.GetMembers().OfType<IPropertySymbol>())
            {
                if (property.IsStatic || property.DeclaredAccessibility != Accessibility.Public || property.SetMethod is null) continue;
                if (property.Type.SpecialType != SpecialType.System_Int32) continue;
                var firstOnly = property.GetAttributes().Any(a => a.AttributeClass?.Name == "FirstRepeatOnlyAttribute");
                result.Add(new Parameter(property.Name, Initializer(property), firstOnly));
            }
            return result;
        }

        private int Initializer(IPropertySymbol property)
        {
            foreach (var reference in property.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(_ct) is PropertyDeclarationSyntax { Initializer.Value: var value } && Literal(value) is { } literal)
                {
                    return literal;
                }
            }
            return 0;
        }

        private static int? Literal(ExpressionSyntax expression) => expression switch
        {
            LiteralExpressionSyntax literal when literal.Token.Value is int i => i,
            PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryMinusExpression, Operand: LiteralExpressionSyntax { Token.Value: int j } } => -j,
            _ => null,
        };
    }
}
