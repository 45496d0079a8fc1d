using ModelDsl.Generators.Model;
using ModelDsl.Generators.Shapes;

namespace ModelDsl.Generators
{
    /// <summary>Writes one layer: its shape struct, then its forward and backward side by side.</summary>
    internal static class LayerEmitter
    {
        private const string K = "global::ModelDsl.Kernels.";
        private const string SpanF = "global::System.Span<float>";

        public static void Emit(SourceWriter w, Step step, Plan plan)
        {
            var layer = step.Layer;
            var spec = layer.Spec;
            var name = spec.Name;
            w.Line("// " + Describe.Comment(layer));
            if (step.Passthrough)
            {
                return;
            }
            EmitShapeStruct(w, layer);

            var weight = step.Weight is null ? "default" : $"Weights({step.Weight.Const}, {step.Weight.Const}_Length)";
            var bias = step.Bias is null ? "default" : $"Weights({step.Bias.Const}, {step.Bias.Const}_Length)";
            var dWeight = step.Weight is null ? "default" : $"Grads({step.Weight.Const}, {step.Weight.Const}_Length)";
            var dBias = step.Bias is null ? "default" : $"Grads({step.Bias.Const}, {step.Bias.Const}_Length)";
            var shape = name + "Shape";

            // Forward.
            w.Open($"private void {name}_Forward(int n, bool training)");
            w.Line($"var x = Slot({Num.I(step.InSlot)}, n); // {layer.In}");
            w.Line($"var y = Slot({Num.I(step.OutSlot)}, n); // {layer.Out}");
            switch (spec.Kind)
            {
                case LayerKind.Conv2D:
                    w.Line($"{K}Conv2D.Forward<{shape}>(x, {weight}, {bias}, y, n);");
                    break;
                case LayerKind.Dense:
                    w.Line($"{K}Dense.Forward<{shape}>(x, {weight}, {bias}, y, n);");
                    break;
                case LayerKind.MaxPool2D:
                    w.Line($"{K}MaxPool2D.Forward<{shape}>(x, y, IntSlot({Num.I(step.ArgmaxSlot)}, n), n); // argmax saved for backward");
                    break;
                case LayerKind.AvgPool2D:
                    w.Line($"{K}AvgPool2D.Forward<{shape}>(x, y, n);");
                    break;
                case LayerKind.Dropout:
                    w.Line($"if (training) {K}Dropout.Forward(x, y, Slot({Num.I(step.MaskSlot)}, n), {Num.F(spec.Rate)}, ref DropoutRng); // mask saved for backward");
                    w.Line("else x.CopyTo(y);");
                    break;
                case LayerKind.Flatten:
                    w.Line("x.CopyTo(y);");
                    break;
                case LayerKind.Activation:
                    ActivationForward(w, spec.Activation, "x", layer.Out);
                    break;
            }
            if (spec.Kind != LayerKind.Activation && spec.Activation != ActivationKind.None)
            {
                ActivationForward(w, spec.Activation, "y", layer.Out);
            }
            w.Close();
            w.Line();

            // Backward: the fused activation first (in place on dy), then the layer.
            w.Open($"private void {name}_Backward(int n, {SpanF} dy, {SpanF} dx)");
            var dxNeeded = step.NeedsInputGradient;
            if (spec.Kind != LayerKind.Activation && spec.Activation != ActivationKind.None)
            {
                ActivationBackward(w, spec.Activation, $"Slot({Num.I(step.OutSlot)}, n)", "dy", layer.Out);
            }
            switch (spec.Kind)
            {
                case LayerKind.Conv2D:
                    w.Line($"{K}Conv2D.Backward<{shape}>(Slot({Num.I(step.InSlot)}, n), {weight}, dy, dx, {dWeight}, {dBias}, n);");
                    break;
                case LayerKind.Dense:
                    w.Line($"{K}Dense.Backward<{shape}>(Slot({Num.I(step.InSlot)}, n), {weight}, dy, dx, {dWeight}, {dBias}, n);");
                    break;
                case LayerKind.MaxPool2D:
                    if (dxNeeded) w.Line($"{K}MaxPool2D.Backward<{shape}>(dy, IntSlot({Num.I(step.ArgmaxSlot)}, n), dx, n);");
                    break;
                case LayerKind.AvgPool2D:
                    if (dxNeeded) w.Line($"{K}AvgPool2D.Backward<{shape}>(dy, dx, n);");
                    break;
                case LayerKind.Dropout:
                    if (dxNeeded) w.Line($"{K}Dropout.Backward(Slot({Num.I(step.MaskSlot)}, n), dy, dx);");
                    break;
                case LayerKind.Flatten:
                    if (dxNeeded) w.Line("dy.CopyTo(dx);");
                    break;
                case LayerKind.Activation:
                    if (dxNeeded) ActivationBackward(w, spec.Activation, $"Slot({Num.I(step.OutSlot)}, n)", "dx", layer.Out);
                    break;
            }
            if (!dxNeeded && spec.Kind is not (LayerKind.Conv2D or LayerKind.Dense))
            {
                w.Line("// The first computing layer: no input gradient is needed.");
            }
            w.Close();
        }

        /// <summary>The per-layer struct whose static members carry the shape to the generic kernels as constants.</summary>
        private static void EmitShapeStruct(SourceWriter w, ShapedLayer layer)
        {
            var spec = layer.Spec;
            string? iface = spec.Kind switch
            {
                LayerKind.Conv2D => "IConv2DShape",
                LayerKind.MaxPool2D or LayerKind.AvgPool2D => "IPool2DShape",
                LayerKind.Dense => "IDenseShape",
                _ => null,
            };
            if (iface is null) return;
            w.Open($"private struct {spec.Name}Shape : {K}{iface}");
            if (spec.Kind == LayerKind.Dense)
            {
                w.Line($"public static int In => {Num.I(layer.In.Size)};");
                w.Line($"public static int Out => {Num.I(layer.Out.C)};");
            }
            else
            {
                w.Line($"public static int C => {Num.I(layer.In.C)};");
                w.Line($"public static int H => {Num.I(layer.In.H)};");
                w.Line($"public static int W => {Num.I(layer.In.W)};");
                if (spec.Kind == LayerKind.Conv2D) w.Line($"public static int K => {Num.I(layer.Out.C)};");
                w.Line($"public static int KH => {Num.I(layer.KernelH)};");
                w.Line($"public static int KW => {Num.I(layer.KernelW)};");
                w.Line($"public static int SH => {Num.I(layer.StrideH)};");
                w.Line($"public static int SW => {Num.I(layer.StrideW)};");
                w.Line($"public static int PadTop => {Num.I(layer.PadTop)};");
                w.Line($"public static int PadLeft => {Num.I(layer.PadLeft)};");
                w.Line($"public static int OH => {Num.I(layer.Out.H)};");
                w.Line($"public static int OW => {Num.I(layer.Out.W)};");
            }
            w.Close();
            w.Line();
        }

        private static void ActivationForward(SourceWriter w, ActivationKind activation, string source, Dims shape)
        {
            if (activation == ActivationKind.Softmax)
            {
                w.Line($"{K}Softmax.Forward({source}, y, n, {Num.I(shape.C)}, {Num.I((long)shape.H * shape.W)}); // over C");
            }
            else
            {
                w.Line($"{K}Activations.{activation}({source}, y);");
            }
        }

        private static void ActivationBackward(SourceWriter w, ActivationKind activation, string y, string target, Dims shape)
        {
            if (activation == ActivationKind.Softmax)
            {
                w.Line($"{K}Softmax.Backward({y}, dy, {target}, n, {Num.I(shape.C)}, {Num.I((long)shape.H * shape.W)}); // {target} ← y ⊙ (dy − Σ_c dy ⊙ y)");
            }
            else
            {
                w.Line($"{K}Activations.{activation}Backward({y}, dy, {target}); // {target} ← dy · f′(y)");
            }
        }
    }
}
