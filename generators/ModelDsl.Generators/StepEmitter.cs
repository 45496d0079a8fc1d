using System.Collections.Generic;
using System.Linq;
using ModelDsl.Generators.Model;
using ModelDsl.Generators.Shapes;

namespace ModelDsl.Generators
{
    /// <summary>
    /// Writes the plan as data for the layout: one <c>ModelDsl.LayerStep</c> per layer (its slots, the
    /// offsets of its parameters, its static shape), which the ILGPU backend launches its kernels from.
    /// Only values that differ from <c>LayerStep</c>'s defaults are written.
    /// </summary>
    internal static class StepEmitter
    {
        private const string Ns = "global::ModelDsl.";

        public static void Emit(SourceWriter w, Plan plan)
        {
            w.Line($"    Steps = new {Ns}LayerStep[]");
            w.Line("    {");
            foreach (var step in plan.Steps) w.Line("        " + Step(step, plan) + ",");
            w.Line("    },");
            if (plan.UnreadGradientSlots.Count > 0) w.Line($"    UnreadGradientSlots = {Ints(plan.UnreadGradientSlots)},");
        }

        private static string Step(Step step, Plan plan)
        {
            var layer = step.Layer;
            var spec = layer.Spec;
            var inputs = layer.Inputs.Select(j => j < 0 ? plan.Input : plan.Steps[j].Layer.Out).ToList();
            var parts = new List<string>
            {
                $"Name = {ModelEmitter.Literal(spec.Name)}",
                $"Op = {Ns}LayerOp.{spec.Kind}",
                $"Input = {ModelEmitter.ShapeLiteral(layer.In)}",
                $"Output = {ModelEmitter.ShapeLiteral(layer.Out)}",
                $"InSlots = {Ints(step.InSlots)}",
                $"InSizes = {Ints(inputs.Select(d => (int)d.Size))}",
                $"OutSlot = {Num.I(step.OutSlot)}",
                $"TargetSlots = {Ints(step.Targets.Select(t => t.Slot))}",
                $"Accumulate = new bool[] {{ {string.Join(", ", step.Targets.Select(t => t.Accumulate ? "true" : "false"))} }}",
            };
            void Add(bool when, string text)
            {
                if (when) parts.Add(text);
            }
            Add(spec.Activation != ActivationKind.None, $"Activation = {Ns}LayerActivation.{spec.Activation}");
            Add(step.PreActivationSlot >= 0, $"PreActivationSlot = {Num.I(step.PreActivationSlot)}");
            // Max unpooling reads the switches its pool saved: the step names the pool's argmax slot.
            var argmax = spec.Kind == LayerKind.MaxUnpool2D ? plan.Steps.First(s => s.Layer.Spec.Name == spec.Reference).ArgmaxSlot : step.ArgmaxSlot;
            Add(argmax >= 0, $"ArgmaxSlot = {Num.I(argmax)}");
            Add(step.SavedSlot >= 0, $"SavedSlot = {Num.I(step.SavedSlot)}");
            Add(step.SavedSlot2 >= 0, $"SavedSlot2 = {Num.I(step.SavedSlot2)}");
            Add(step.Passthrough, "Passthrough = true");
            Add(step.GradSlot >= 0, $"GradientSlot = {Num.I(step.GradSlot)}");
            Add(step.HasBackward, "HasBackward = true");
            Add(step.Weight is not null, $"WeightOffset = {step.Weight?.Const}");
            Add(step.Bias is not null, $"BiasOffset = {step.Bias?.Const}");
            Add(step.RunningMean is not null, $"RunningMeanOffset = {step.RunningMean?.Const}");
            Add(step.RunningVar is not null, $"RunningVarOffset = {step.RunningVar?.Const}");
            // Window hyperparameters only where there is a window (the shape engine leaves them 0 elsewhere).
            var window = spec.Kind is LayerKind.Conv2D or LayerKind.Conv1D or LayerKind.ConvTranspose2D or LayerKind.MaxPool2D
                or LayerKind.AvgPool2D or LayerKind.MaxPool1D or LayerKind.AvgPool1D;
            Add(window && layer.KernelH != 1, $"KernelH = {Num.I(layer.KernelH)}");
            Add(window && layer.KernelW != 1, $"KernelW = {Num.I(layer.KernelW)}");
            Add(window && layer.StrideH != 1, $"StrideH = {Num.I(layer.StrideH)}");
            Add(window && layer.StrideW != 1, $"StrideW = {Num.I(layer.StrideW)}");
            Add(window && layer.PadTop != 0, $"PadTop = {Num.I(layer.PadTop)}");
            Add(window && layer.PadLeft != 0, $"PadLeft = {Num.I(layer.PadLeft)}");
            Add(window && layer.DilationH != 1, $"DilationH = {Num.I(layer.DilationH)}");
            Add(window && layer.DilationW != 1, $"DilationW = {Num.I(layer.DilationW)}");
            // Groups: a convolution's, a group norm's (an instance norm normalizes each channel: G = C).
            var groups = spec.Kind == LayerKind.InstanceNorm ? layer.In.C : spec.Kind == LayerKind.GroupNorm ? spec.Groups : layer.Groups;
            Add((window || spec.Kind is LayerKind.GroupNorm or LayerKind.InstanceNorm) && groups != 1, $"Groups = {Num.I(groups)}");
            Add(spec.Kind == LayerKind.Dropout, $"Rate = {Num.F(spec.Rate)}");
            Add(spec.Activation == ActivationKind.LeakyReLU, $"Slope = {Num.F(spec.Slope)}");
            var normalizes = spec.Kind is LayerKind.BatchNorm or LayerKind.LayerNorm or LayerKind.InstanceNorm or LayerKind.GroupNorm;
            Add(normalizes, $"Eps = {Num.F(spec.Eps)}");
            Add(spec.Kind == LayerKind.BatchNorm, $"Momentum = {Num.F(spec.Momentum)}");
            var lrn = spec.Kind == LayerKind.LocalResponseNorm;
            Add(lrn, $"Size = {Num.I(spec.Units)}");
            Add(lrn, $"Alpha = {Num.F(spec.Alpha)}");
            Add(lrn, $"Beta = {Num.F(spec.Beta)}");
            Add(lrn, $"K = {Num.F(spec.K)}");
            return $"new() {{ {string.Join(", ", parts)} }}";
        }

        private static string Ints(IEnumerable<int> values) => $"new int[] {{ {string.Join(", ", values.Select(v => Num.I(v)))} }}";
    }
}
