using ModelDsl.Generators.Model;
using ModelDsl.Generators.Shapes;

namespace ModelDsl.Generators
{
    /// <summary>One-line descriptions of layers, shared by the shape comments and the summary.</summary>
    internal static class Describe
    {
        /// <summary><c>Conv2D(1→6, F=5, S=1, P=2) + Tanh</c>.</summary>
        public static string Layer(ShapedLayer layer)
        {
            var spec = layer.Spec;
            var text = spec.Kind switch
            {
                LayerKind.Conv2D => $"Conv2D({Num.I(layer.In.C)}→{Num.I(layer.Out.C)}, F={Num.I(layer.KernelH)}, S={Num.I(layer.StrideH)}, P={Padding(layer)}{(spec.Bias ? "" : ", no bias")})",
                LayerKind.MaxPool2D or LayerKind.AvgPool2D => $"{spec.Attribute}(F={Num.I(layer.KernelH)}, S={Num.I(layer.StrideH)}{(Padded(layer) ? ", P=" + Padding(layer) : "")})",
                LayerKind.Dense => $"Dense({Num.I(layer.In.Size)}→{Num.I(layer.Out.C)}{(spec.Bias ? "" : ", no bias")})",
                LayerKind.Dropout => $"Dropout(p={Num.D(spec.Rate)})",
                LayerKind.Flatten => "Flatten",
                _ => spec.Activation.ToString(),
            };
            return spec.Kind != LayerKind.Activation && spec.Activation != ActivationKind.None
                ? text + " + " + spec.Activation
                : text;
        }

        /// <summary>The shape comment above a layer: <c>C1: Conv2D(1→6, F=5, S=1, P=2)  x:(N, 1, 28, 28) → y:(N, 6, 28, 28)</c>.</summary>
        public static string Comment(ShapedLayer layer) =>
            $"{layer.Spec.Name}: {Layer(layer)}   x:{layer.In} → y:{layer.Out}";

        private static bool Padded(ShapedLayer l) => l.PadTop != 0 || l.PadLeft != 0 || l.PadBottom != 0 || l.PadRight != 0;

        private static string Padding(ShapedLayer l) =>
            l.PadTop == l.PadLeft && l.PadLeft == l.PadBottom && l.PadBottom == l.PadRight
                ? Num.I(l.PadTop)
                : $"(top {Num.I(l.PadTop)}, left {Num.I(l.PadLeft)}, bottom {Num.I(l.PadBottom)}, right {Num.I(l.PadRight)})";
    }
}
