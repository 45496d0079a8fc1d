using System.Collections.Generic;
using System.Linq;
using ModelDsl.Generators.Model;

namespace ModelDsl.Generators.Shapes
{
    internal static partial class ShapeEngine
    {
        /// <summary>
        /// Warnings and information about a model whose shapes are all known: declarations that are valid
        /// but lose input, waste parameters or work against the training loss. They leave the model valid.
        /// </summary>
        private static IEnumerable<ShapeProblem> Review(ModelSpec spec, Dims input, List<ShapedLayer> layers)
        {
            var readers = new List<int>[layers.Count];
            for (var i = 0; i < layers.Count; i++)
            {
                foreach (var source in layers[i].Inputs)
                {
                    if (source >= 0) (readers[source] ??= new List<int>()).Add(i);
                }
            }

            for (var i = 0; i < layers.Count; i++)
            {
                var layer = layers[i];
                var kind = layer.Spec.Kind;
                if (kind is LayerKind.Conv2D or LayerKind.Conv1D or LayerKind.MaxPool2D or LayerKind.AvgPool2D
                    or LayerKind.MaxPool1D or LayerKind.AvgPool1D)
                {
                    var dropped = DroppedByRounding(spec, i, layer);
                    if (dropped is not null) yield return dropped;
                }
                if (kind is LayerKind.Conv2D or LayerKind.Conv1D)
                {
                    var asymmetric = AsymmetricSame(i, layer);
                    if (asymmetric is not null) yield return asymmetric;
                }
                if (kind is LayerKind.Conv2D or LayerKind.Conv1D or LayerKind.ConvTranspose2D)
                {
                    var bias = BiasBeforeBatchNorm(i, layer, layers, readers);
                    if (bias is not null) yield return bias;
                }
            }

            var head = HeadReceptiveField(input, layers);
            if (head is not null) yield return head;
            var last = LastLayer(layers);
            if (last is not null) yield return last;
        }

        /// <summary>
        /// MDL0007. With Floor (or Ceil), the window after the last one is dropped; the real rows it would
        /// read past the last window's reach are read by no window. Rows of padding it skips lose nothing.
        /// </summary>
        private static ShapeProblem? DroppedByRounding(ModelSpec spec, int index, ShapedLayer layer)
        {
            var l = layer.Spec;
            var rounding = l.Rounding == RoundingMode.Inherit ? spec.Rounding : l.Rounding;
            if (rounding == RoundingMode.Strict || l.PadMode == PadMode.Same) return null;

            var oneD = layer.In.Rank == 2;
            var axes = new List<(string Count, string Side, long Size, string Arithmetic, double Exact, int Out)>();
            void Check(int size, int kernel, int stride, int pad, int dilation, int outSize, string unit, string side)
            {
                var dropped = Unread(size, kernel, stride, pad, dilation, outSize);
                if (dropped == 0) return;
                var extent = (long)dilation * (kernel - 1) + 1;
                axes.Add(($"{Num.I(dropped)} {unit}{(dropped == 1 ? "" : "s")}", side, size,
                    Axis.Text(size, kernel, dilation, pad, stride), (double)(size - extent + 2L * pad) / stride + 1, outSize));
            }
            if (!oneD) Check(layer.In.H, layer.KernelH, layer.StrideH, layer.PadTop, layer.DilationH, layer.Out.H, "row", "bottom");
            Check(layer.In.W, layer.KernelW, layer.StrideW, layer.PadLeft, layer.DilationW, layer.Out.W, oneD ? "position" : "column", oneD ? "end" : "right");
            if (axes.Count == 0) return null;

            var input = oneD ? $"{Num.I(layer.In.W)}-long" : $"{Num.I(layer.In.H)}×{Num.I(layer.In.W)}";
            var parts = axes.Select(a => $"{a.Count} at the {a.Side} ({a.Arithmetic} = {Num.D(a.Exact)} → {Num.I(a.Out)})");
            return Problem(ProblemKind.RoundingDropsInput, index, "Rounding",
                $"{l.Attribute} '{l.Name}': {rounding} drops {string.Join(" and ", parts)} of the {input} input; no window reads them, " +
                "so what they hold is lost. Choose a padding that makes the windows fit exactly, or PaddingMode = Same");
        }

        /// <summary>
        /// The real positions (0 ≤ x &lt; size) read by the dropped window after the last one and by no
        /// earlier window: its taps past the last window's last tap.
        /// </summary>
        private static long Unread(int size, int kernel, int stride, int pad, int dilation, int outSize)
        {
            var extent = (long)dilation * (kernel - 1) + 1;
            var lastTap = (long)(outSize - 1) * stride + extent - 1 - pad; // input coordinates
            var next = (long)outSize * stride - pad;                       // the dropped window's first tap
            if (next >= size) return 0;
            var first = lastTap < next ? 0 : (lastTap - next) / dilation + 1;
            var final = System.Math.Min(kernel - 1, (size - next - 1) / dilation);
            return System.Math.Max(0, final - first + 1);
        }

        /// <summary>
        /// MDL0009: a convolution with an even kernel and <c>Same</c> padding, split unevenly. Pooling is left
        /// alone: its even windows (2×2) are the norm and are off-centre whatever the padding.
        /// </summary>
        private static ShapeProblem? AsymmetricSame(int index, ShapedLayer layer)
        {
            var l = layer.Spec;
            if (l.PadMode != PadMode.Same) return null;
            var oneD = layer.In.Rank == 2;
            var parts = new List<string>();
            void Check(int kernel, int dilation, int before, int after, string unit, string first, string second)
            {
                if (((long)dilation * (kernel - 1) + 1) % 2 != 0 || before == after) return;
                var total = before + after;
                parts.Add(total == 1
                    ? $"its 1 padding {unit} goes {second}, none {first}"
                    : $"its {Num.I(total)} padding {unit}s split {Num.I(before)} {first} and {Num.I(after)} {second}");
            }
            if (!oneD) Check(layer.KernelH, layer.DilationH, layer.PadTop, layer.PadBottom, "row", "above", "below");
            Check(layer.KernelW, layer.DilationW, layer.PadLeft, layer.PadRight, oneD ? "position" : "column", oneD ? "at the start" : "on the left", oneD ? "at the end" : "on the right");
            if (parts.Count == 0) return null;

            var window = oneD ? Num.I(layer.KernelW) : $"{Num.I(layer.KernelH)}×{Num.I(layer.KernelW)}";
            var extra = oneD ? "end" : "bottom and right";
            return Problem(ProblemKind.AsymmetricSamePadding, index, "PaddingMode",
                $"{l.Attribute} '{l.Name}' has an even {window} kernel with PaddingMode = Same: {string.Join(", and ", parts)}, " +
                $"so the extra padding goes at the {extra} and each output is centred half a step off its input position. " +
                "Use an odd kernel, or explicit Padding if the shift is intended");
        }

        /// <summary>MDL0008: a convolution with a bias whose only reader (through disabled block layers) is a batch norm.</summary>
        private static ShapeProblem? BiasBeforeBatchNorm(int index, ShapedLayer layer, List<ShapedLayer> layers, List<int>[] readers)
        {
            var l = layer.Spec;
            if (!l.Bias || l.Activation != ActivationKind.None) return null;
            var at = index;
            while (true)
            {
                var next = readers[at];
                if (next is null || next.Count != 1) return null;
                at = next[0];
                if (layers[at].Spec.Kind != LayerKind.Identity) break;
            }
            var norm = layers[at].Spec;
            if (norm.Kind != LayerKind.BatchNorm) return null;
            return Problem(ProblemKind.BiasBeforeBatchNorm, index, "Bias",
                $"{l.Attribute} '{l.Name}' adds a bias of {Num.I(layer.BiasCount)} values, but BatchNorm '{norm.Name}' right after it " +
                "subtracts each channel's mean, which removes any bias: set Bias = false" +
                (norm.Affine ? " (the batch norm's own shift β takes its place)" : ""));
        }

        /// <summary>
        /// MDL0010: the head's global pool (the last one, with no spatial layer after it) averages or takes the
        /// maximum of features that each see only part of the input, so nothing relates parts farther apart.
        /// </summary>
        private static ShapeProblem? HeadReceptiveField(Dims input, List<ShapedLayer> layers)
        {
            for (var i = layers.Count - 1; i >= 0; i--)
            {
                var layer = layers[i];
                if (!layer.Out.Flat) return null; // the model ends spatially, or a spatial layer follows the pool
                if (layer.Spec.Kind is not (LayerKind.GlobalAvgPool or LayerKind.GlobalMaxPool)) continue;

                var source = layer.Inputs[0];
                var field = source < 0 ? 1 : layers[source].ReceptiveField;
                var oneD = input.Rank == 2;
                if (input.Rank < 2 || (field >= input.H && field >= input.W)) return null;
                var seen = oneD ? $"{Num.I(field)} of the {Num.I(input.W)} input positions" : $"{Num.I(field)}×{Num.I(field)} of the {Num.I(input.H)}×{Num.I(input.W)} input";
                var name = source < 0 ? "the input" : $"'{layers[source].Spec.Name}'";
                return Problem(ProblemKind.ReceptiveFieldSmallerThanInput, i, "",
                    $"{layer.Spec.Attribute} '{layer.Spec.Name}' pools {name}, whose receptive field is {seen}: each pooled feature sees " +
                    "only part of the input, so the model cannot relate parts farther apart than that. More or larger strided layers widen it");
            }
            return null;
        }

        /// <summary>MDL0011 and MDL0012: a softmax or a dropout as the model's last layer.</summary>
        private static ShapeProblem? LastLayer(List<ShapedLayer> layers)
        {
            if (layers.Count == 0) return null;
            var index = layers.Count - 1;
            var l = layers[index].Spec;
            if (l.Activation == ActivationKind.Softmax)
            {
                var alone = l.Kind == LayerKind.Activation;
                var what = alone ? $"Softmax '{l.Name}' is the model's last layer" : $"{l.Attribute} '{l.Name}' ends the model with a Softmax";
                return Problem(ProblemKind.SoftmaxLastLayer, index, "",
                    $"{what}, but the training loss Loss.SoftmaxCrossEntropy applies softmax to the outputs itself, so it would be applied twice; " +
                    "remove the Softmax and train on the logits (apply softmax only to read probabilities)") with { Attribute = alone ? "" : "Softmax" };
            }
            if (l.Kind == LayerKind.Dropout)
            {
                return Problem(ProblemKind.DropoutLastLayer, index, "",
                    $"Dropout '{l.Name}' is the model's last layer: while training it zeroes a fraction {Num.D(l.Rate)} of the outputs the loss sees, " +
                    "and at inference it does nothing; remove it, or move it before the last Dense layer");
            }
            return null;
        }
    }
}
