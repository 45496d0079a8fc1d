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
                LayerKind.Conv2D or LayerKind.ConvTranspose2D =>
                    $"{spec.Attribute}({Num.I(layer.In.C)}→{Num.I(layer.Out.C)}, F={Window(layer.KernelH, layer.KernelW)}, S={Window(layer.StrideH, layer.StrideW)}, P={Padding(layer)}{Extras(layer)})",
                LayerKind.Conv1D => $"Conv1D({Num.I(layer.In.C)}→{Num.I(layer.Out.C)}, F={Num.I(layer.KernelW)}, S={Num.I(layer.StrideW)}, P={Padding(layer)}{Extras(layer)})",
                LayerKind.MaxPool2D or LayerKind.AvgPool2D => $"{spec.Attribute}(F={Window(layer.KernelH, layer.KernelW)}, S={Window(layer.StrideH, layer.StrideW)}{(Padded(layer) ? ", P=" + Padding(layer) : "")})",
                LayerKind.MaxPool1D or LayerKind.AvgPool1D => $"{spec.Attribute}(F={Num.I(layer.KernelW)}, S={Num.I(layer.StrideW)}{(Padded(layer) ? ", P=" + Padding(layer) : "")})",
                LayerKind.Dense => $"Dense({Num.I(layer.In.Size)}→{Num.I(layer.Out.C)}{(spec.Bias ? "" : ", no bias")})",
                LayerKind.Dropout => $"Dropout(p={Num.D(spec.Rate)})",
                LayerKind.Flatten => "Flatten",
                LayerKind.Identity => "Identity (When is false)",
                LayerKind.GlobalAvgPool or LayerKind.GlobalMaxPool => spec.Attribute,
                LayerKind.MaxUnpool2D => $"MaxUnpool2D({spec.Reference})",
                LayerKind.BatchNorm => $"BatchNorm({Num.I(layer.In.C)}{(spec.Affine ? "" : ", no affine")})",
                LayerKind.LayerNorm => $"LayerNorm({layer.In.Short})",
                LayerKind.InstanceNorm => $"InstanceNorm({Num.I(layer.In.C)}{(spec.Affine ? ", affine" : "")})",
                LayerKind.GroupNorm => $"GroupNorm(G={Num.I(spec.Groups)}, C={Num.I(layer.In.C)})",
                LayerKind.LocalResponseNorm => $"LocalResponseNorm(n={Num.I(spec.Units)})",
                LayerKind.Add or LayerKind.Concat or LayerKind.Multiply => $"{spec.Attribute}({string.Join(", ", spec.Inputs)})",
                _ => spec.Activation.ToString(),
            };
            return spec.Kind != LayerKind.Activation && spec.Activation != ActivationKind.None
                ? text + " + " + spec.Activation
                : text;
        }

        /// <summary>The shape comment above a layer: <c>C1: Conv2D(1→6, F=5, S=1, P=2)  x:(N, 1, 28, 28) → y:(N, 6, 28, 28)</c>.</summary>
        public static string Comment(ShapedLayer layer) =>
            $"{layer.Spec.Name}: {Layer(layer)}   x:{layer.In} → y:{layer.Out}";

        private static string Window(int h, int w) => h == w ? Num.I(h) : $"{Num.I(h)}×{Num.I(w)}";

        private static string Extras(ShapedLayer l) =>
            (l.DilationW != 1 ? $", D={Window(l.DilationH, l.DilationW)}" : "") +
            (l.Groups != 1 ? $", G={Num.I(l.Groups)}" : "") +
            (l.Spec.Bias ? "" : ", no bias");

        private static bool Padded(ShapedLayer l) => l.PadTop != 0 || l.PadLeft != 0 || l.PadBottom != 0 || l.PadRight != 0;

        private static string Padding(ShapedLayer l) =>
            l.PadTop == l.PadLeft && l.PadLeft == l.PadBottom && l.PadBottom == l.PadRight
                ? Num.I(l.PadTop)
                : $"(top {Num.I(l.PadTop)}, left {Num.I(l.PadLeft)}, bottom {Num.I(l.PadBottom)}, right {Num.I(l.PadRight)})";
    }
}
