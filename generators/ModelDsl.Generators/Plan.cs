using System;
using System.Collections.Generic;
using System.Linq;
using ModelDsl.Generators.Model;
using ModelDsl.Generators.Shapes;

namespace ModelDsl.Generators
{
    /// <summary>A parameter's (or buffer's) place in its flat array.</summary>
    internal sealed class ParameterPlan
    {
        public ParameterPlan(string layer, string role, int offset, int[] dims, string init, int fanIn, int fanOut)
        {
            Name = layer + "." + role;
            Const = ShapeEngine.Identifier(layer) + "_" + role;
            Offset = offset;
            Dims = dims;
            Init = init;
            FanIn = fanIn;
            FanOut = fanOut;
            var length = 1;
            foreach (var d in dims) length *= d;
            Length = length;
        }

        /// <summary>PyTorch-style name, <c>C1.weight</c>.</summary>
        public string Name { get; }
        /// <summary>The offset constant's identifier, <c>C1_weight</c>.</summary>
        public string Const { get; }
        public int Offset { get; }
        public int Length { get; }
        public int[] Dims { get; }
        /// <summary>A <c>ModelDsl.Initializer</c> member name.</summary>
        public string Init { get; }
        public int FanIn { get; }
        public int FanOut { get; }
    }

    /// <summary>Where one input's gradient goes in backward: straight into its producer's slot, or summed in through scratch.</summary>
    internal readonly struct GradientTarget
    {
        public GradientTarget(int producer, int slot, bool accumulate)
        {
            Producer = producer;
            Slot = slot;
            Accumulate = accumulate;
        }

        /// <summary>The producing layer, or −1 for the model input (then no gradient is computed).</summary>
        public int Producer { get; }
        /// <summary>The producer's gradient slot, or −1 when no gradient is needed.</summary>
        public int Slot { get; }
        /// <summary>Another reader already wrote this slot: compute into scratch, then add.</summary>
        public bool Accumulate { get; }
        public bool Needed => Slot >= 0;
    }

    /// <summary>One layer's place in forward and backward: which buffers it reads and writes.</summary>
    internal sealed class Step
    {
        public Step(ShapedLayer layer, int index)
        {
            Layer = layer;
            Index = index;
        }

        public ShapedLayer Layer { get; }
        public int Index { get; }
        /// <summary>The float slots holding the inputs, in the layer's input order.</summary>
        public int[] InSlots { get; set; } = Array.Empty<int>();
        /// <summary>The float slot holding y (its first input's slot for a pass-through layer).</summary>
        public int OutSlot { get; set; }
        /// <summary>The layer's own result before a fused SiLU/HardSwish (whose backward needs it), or −1.</summary>
        public int PreActivationSlot { get; set; } = -1;
        /// <summary>The int slot of a max-pool's argmax, or −1.</summary>
        public int ArgmaxSlot { get; set; } = -1;
        /// <summary>Dropout's mask, normalization's mean, LRN's scale: the first saved float slot, or −1.</summary>
        public int SavedSlot { get; set; } = -1;
        /// <summary>Normalization's rstd, or −1.</summary>
        public int SavedSlot2 { get; set; } = -1;
        /// <summary>A flatten without activation: y is x, viewed flat; nothing to compute.</summary>
        public bool Passthrough { get; set; }
        /// <summary>The gradient slot holding dy, or −1 when nothing upstream needs a gradient.</summary>
        public int GradSlot { get; set; } = -1;
        /// <summary>Where each input's gradient goes.</summary>
        public GradientTarget[] Targets { get; set; } = Array.Empty<GradientTarget>();
        public ParameterPlan? Weight { get; set; }
        public ParameterPlan? Bias { get; set; }
        public ParameterPlan? RunningMean { get; set; }
        public ParameterPlan? RunningVar { get; set; }

        /// <summary>
        /// In inference, the residual sum that applies this batch norm in its own pass (the batch norm then
        /// computes nothing), or null.
        /// </summary>
        public Step? AppliedBy { get; set; }
        /// <summary>
        /// For a convolution: the batch norm after it that, in inference, it applies by folding the norm into its
        /// filters, writing that batch norm's output slot instead of its own; or null.
        /// </summary>
        public Step? FoldsNorm { get; set; }
        /// <summary>For a batch norm: the convolution that applies it in inference (see <see cref="FoldsNorm"/>), or null.</summary>
        public Step? FoldedInto { get; set; }
        /// <summary>For a residual sum: per input, the batch norm it applies in inference (reading that batch norm's input), or null.</summary>
        public Step?[] InferenceNorms { get; set; } = Array.Empty<Step?>();

        /// <summary>Whether backward has anything to do: parameters to train or an input that needs a gradient.</summary>
        public bool HasBackward => Weight is not null || Bias is not null || Targets.Any(t => t.Needed);
    }

    /// <summary>
    /// The memory plan of a model: parameters laid end to end in layer order (weight then bias),
    /// buffers likewise; one float slot per computed output (forward saves it for backward) and one per
    /// saved statistic; one gradient slot per output that something upstream needs, plus one scratch slot
    /// for tensors read by several layers, whose gradients are summed.
    /// </summary>
    internal sealed class Plan
    {
        /// <summary>The shape of one input sample.</summary>
        public Dims Input { get; private set; }
        public List<ParameterPlan> Parameters { get; } = new();
        public List<ParameterPlan> Buffers { get; } = new();
        public List<Step> Steps { get; } = new();
        public List<int> Slots { get; } = new();
        public List<int> IntSlots { get; } = new();
        public List<int> GradientSlots { get; } = new();
        public int OutputSlot { get; private set; }
        public int OutputGradientSlot { get; private set; }
        public int ScratchSlot { get; private set; }
        /// <summary>Gradient slots no layer writes (outputs nothing reads): cleared before backward.</summary>
        public List<int> UnreadGradientSlots { get; } = new();

        public static Plan Build(ShapedModel model)
        {
            var plan = new Plan { Input = model.Input };
            plan.Slots.Add((int)model.Input.Size); // slot 0: the input
            var offset = 0;
            var bufferOffset = 0;
            var steps = plan.Steps;
            for (var i = 0; i < model.Layers.Count; i++)
            {
                var layer = model.Layers[i];
                var spec = layer.Spec;
                var step = new Step(layer, i)
                {
                    InSlots = layer.Inputs.Select(j => j < 0 ? 0 : steps[j].OutSlot).ToArray(),
                };

                var weightDims = WeightDims(layer);
                if (layer.WeightCount > 0)
                {
                    var init = spec.Kind is LayerKind.BatchNorm or LayerKind.LayerNorm or LayerKind.InstanceNorm or LayerKind.GroupNorm
                        ? "Ones"
                        : layer.Init == WeightInit.HeUniform ? "HeUniform" : "GlorotUniform";
                    step.Weight = new ParameterPlan(spec.Name, "weight", offset, weightDims, init, layer.FanIn, layer.FanOut);
                    plan.Parameters.Add(step.Weight);
                    offset += step.Weight.Length;
                }
                if (layer.BiasCount > 0)
                {
                    var dims = spec.Kind == LayerKind.LayerNorm ? weightDims : new[] { (int)layer.BiasCount };
                    step.Bias = new ParameterPlan(spec.Name, "bias", offset, dims, "Zeros", layer.FanIn, layer.FanOut);
                    plan.Parameters.Add(step.Bias);
                    offset += step.Bias.Length;
                }
                if (layer.BufferCount > 0)
                {
                    var c = (int)(layer.BufferCount / 2);
                    step.RunningMean = new ParameterPlan(spec.Name, "running_mean", bufferOffset, new[] { c }, "Zeros", 0, 0);
                    step.RunningVar = new ParameterPlan(spec.Name, "running_var", bufferOffset + c, new[] { c }, "Ones", 0, 0);
                    plan.Buffers.Add(step.RunningMean);
                    plan.Buffers.Add(step.RunningVar);
                    bufferOffset += 2 * c;
                }

                step.Passthrough = spec.Kind == LayerKind.Identity || (spec.Kind == LayerKind.Flatten && spec.Activation == ActivationKind.None);
                if (step.Passthrough)
                {
                    step.OutSlot = step.InSlots[0];
                }
                else
                {
                    if (NeedsPreActivation(spec)) step.PreActivationSlot = plan.AddSlot(layer.Out.Size);
                    step.OutSlot = plan.AddSlot(layer.Out.Size);
                    AddSavedSlots(plan, step);
                }
                steps.Add(step);
            }
            plan.OutputSlot = steps.Count == 0 ? 0 : steps[steps.Count - 1].OutSlot;
            plan.AssignGradients(model);
            plan.FuseInferenceSums();
            plan.FoldInferenceNorms();
            return plan;
        }

        private int AddSlot(long size)
        {
            Slots.Add((int)size);
            return Slots.Count - 1;
        }

        private static void AddSavedSlots(Plan plan, Step step)
        {
            var layer = step.Layer;
            var x = layer.In;
            switch (layer.Spec.Kind)
            {
                case LayerKind.MaxPool2D:
                case LayerKind.MaxPool1D:
                    plan.IntSlots.Add((int)layer.Out.Size);
                    step.ArgmaxSlot = plan.IntSlots.Count - 1;
                    break;
                case LayerKind.GlobalMaxPool:
                    plan.IntSlots.Add(x.C);
                    step.ArgmaxSlot = plan.IntSlots.Count - 1;
                    break;
                case LayerKind.Dropout:
                case LayerKind.LocalResponseNorm:
                    step.SavedSlot = plan.AddSlot(layer.Out.Size);
                    break;
                case LayerKind.BatchNorm:
                    // Per-channel statistics, (C); slots are sized per sample, so these use the first C values.
                    step.SavedSlot = plan.AddSlot(x.C);
                    step.SavedSlot2 = plan.AddSlot(x.C);
                    break;
                case LayerKind.LayerNorm:
                    step.SavedSlot = plan.AddSlot(1);
                    step.SavedSlot2 = plan.AddSlot(1);
                    break;
                case LayerKind.InstanceNorm:
                case LayerKind.GroupNorm:
                    var groups = layer.Spec.Kind == LayerKind.InstanceNorm ? x.C : layer.Spec.Groups;
                    step.SavedSlot = plan.AddSlot(groups);
                    step.SavedSlot2 = plan.AddSlot(groups);
                    break;
            }
        }

        /// <summary>SiLU and HardSwish are not invertible: a fused one keeps the layer's own result for backward.</summary>
        internal static bool NeedsPreActivation(LayerSpec spec) =>
            spec.Kind != LayerKind.Activation && spec.Activation is ActivationKind.SiLU or ActivationKind.HardSwish;

        /// <summary>PyTorch's weight layouts.</summary>
        private static int[] WeightDims(ShapedLayer layer)
        {
            var spec = layer.Spec;
            var x = layer.In;
            return spec.Kind switch
            {
                LayerKind.Conv2D => new[] { layer.Out.C, x.C / layer.Groups, layer.KernelH, layer.KernelW },
                LayerKind.Conv1D => new[] { layer.Out.C, x.C / layer.Groups, layer.KernelW },
                LayerKind.ConvTranspose2D => new[] { x.C, layer.Out.C / layer.Groups, layer.KernelH, layer.KernelW },
                LayerKind.Dense => new[] { layer.Out.C, (int)x.Size },
                LayerKind.LayerNorm => x.Rank switch
                {
                    1 => new[] { x.C },
                    2 => new[] { x.C, x.W },
                    _ => new[] { x.C, x.H, x.W },
                },
                _ => new[] { x.C },
            };
        }

        /// <summary>
        /// Finds the residual sums of two inputs (followed by nothing or a ReLU) that, in inference, apply
        /// the batch norms feeding them in the same pass as the sum: a batch norm with no activation of its
        /// own, read by that sum alone. Training is unchanged.
        /// </summary>
        private void FuseInferenceSums()
        {
            var readers = ReaderCounts();
            foreach (var sum in Steps)
            {
                var inputs = sum.Layer.Inputs;
                if (sum.Layer.Spec.Kind != LayerKind.Add || inputs.Count != 2 || inputs[0] == inputs[1]
                    || sum.Layer.Spec.Activation is not (ActivationKind.None or ActivationKind.ReLU)) continue;
                var norms = inputs.Select(j => j >= 0 && readers[j] == 1 && Steps[j].Layer.Spec.Kind == LayerKind.BatchNorm
                    && Steps[j].Layer.Spec.Activation == ActivationKind.None ? Steps[j] : null).ToArray();
                if (norms.All(b => b is null)) continue;
                sum.InferenceNorms = norms;
                foreach (var b in norms.Where(b => b is not null)) b!.AppliedBy = sum;
            }
        }

        /// <summary>How many layers read each step's output.</summary>
        private int[] ReaderCounts()
        {
            var readers = new int[Steps.Count];
            foreach (var s in Steps)
            {
                foreach (var j in s.Layer.Inputs.Where(j => j >= 0)) readers[j]++;
            }
            return readers;
        }

        /// <summary>
        /// Finds the batch norms (with no activation or a ReLU, not applied by a residual sum) whose input is a
        /// 2-D convolution without an activation that nothing else reads: in inference the convolution folds
        /// the norm into its filters and writes the norm's output. Training is unchanged.
        /// </summary>
        private void FoldInferenceNorms()
        {
            var readers = ReaderCounts();
            foreach (var bn in Steps)
            {
                var spec = bn.Layer.Spec;
                if (spec.Kind != LayerKind.BatchNorm || bn.AppliedBy is not null || bn.Layer.Inputs.Count != 1
                    || spec.Activation is not (ActivationKind.None or ActivationKind.ReLU)) continue;
                var j = bn.Layer.Inputs[0];
                if (j < 0 || readers[j] != 1) continue;
                var conv = Steps[j];
                if (conv.Layer.Spec.Kind != LayerKind.Conv2D || conv.Layer.Spec.Activation != ActivationKind.None || conv.PreActivationSlot >= 0) continue;
                conv.FoldsNorm = bn;
                bn.FoldedInto = conv;
            }
        }

        /// <summary>
        /// Decides which outputs need a gradient (those with trained parameters at or before them) and,
        /// walking backward, whether each reader writes its producer's gradient or adds to it.
        /// </summary>
        private void AssignGradients(ShapedModel model)
        {
            var steps = Steps;
            var needs = new bool[steps.Count];
            for (var i = 0; i < steps.Count; i++)
            {
                var s = steps[i];
                needs[i] = s.Weight is not null || s.Bias is not null || s.Layer.Inputs.Any(j => j >= 0 && needs[j]);
            }

            var readers = ReaderCounts();

            var largest = 1L;
            for (var i = 0; i < steps.Count; i++)
            {
                var s = steps[i];
                var isOutput = i == steps.Count - 1;
                if (!needs[i] && !isOutput) continue;
                s.GradSlot = GradientSlots.Count;
                GradientSlots.Add((int)s.Layer.Out.Size);
                largest = Math.Max(largest, s.Layer.Out.Size);
                if (readers[i] == 0 && !isOutput) UnreadGradientSlots.Add(s.GradSlot);
            }
            if (steps.Count == 0)
            {
                GradientSlots.Add((int)model.Input.Size);
            }
            OutputGradientSlot = steps.Count == 0 ? 0 : steps[steps.Count - 1].GradSlot;
            ScratchSlot = GradientSlots.Count;
            GradientSlots.Add((int)largest);

            var written = new HashSet<int>();
            for (var i = steps.Count - 1; i >= 0; i--)
            {
                var s = steps[i];
                s.Targets = s.Layer.Inputs.Select(j =>
                {
                    if (j < 0 || !needs[j]) return new GradientTarget(j, -1, false);
                    var accumulate = !written.Add(j);
                    return new GradientTarget(j, steps[j].GradSlot, accumulate);
                }).ToArray();
            }
        }
    }
}
