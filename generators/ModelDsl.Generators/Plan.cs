using System;
using System.Collections.Generic;
using ModelDsl.Generators.Model;
using ModelDsl.Generators.Shapes;

namespace ModelDsl.Generators
{
    /// <summary>A parameter's place in the flat buffer.</summary>
    internal sealed class ParameterPlan
    {
        public ParameterPlan(string layer, string role, int offset, int[] dims, string init, int fanIn, int fanOut)
        {
            Name = layer + "." + role;
            Const = layer + "_" + role;
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

    /// <summary>One layer's place in forward and backward: which buffers it reads and writes.</summary>
    internal sealed class Step
    {
        public Step(ShapedLayer layer) => Layer = layer;

        public ShapedLayer Layer { get; }
        /// <summary>The float slot holding x.</summary>
        public int InSlot { get; set; }
        /// <summary>The float slot holding y (equal to <see cref="InSlot"/> for a pass-through layer).</summary>
        public int OutSlot { get; set; }
        /// <summary>The int slot of max-pool's argmax, or −1.</summary>
        public int ArgmaxSlot { get; set; } = -1;
        /// <summary>The float slot of dropout's mask, or −1.</summary>
        public int MaskSlot { get; set; } = -1;
        /// <summary>A flatten without activation: y is x, viewed flat; nothing to compute either way.</summary>
        public bool Passthrough { get; set; }
        /// <summary>Which gradient buffer (0 or 1) holds dy in backward; dx goes to the other.</summary>
        public int GradIn { get; set; }
        /// <summary>False for the first computing layer: nothing before it needs dx.</summary>
        public bool NeedsInputGradient { get; set; }
        public ParameterPlan? Weight { get; set; }
        public ParameterPlan? Bias { get; set; }
    }

    /// <summary>
    /// The memory plan of a model: parameters laid end to end in layer order (weight then bias), one
    /// float slot per computed output (forward saves it for backward), max-pool argmax and dropout
    /// masks in slots of their own, and two gradient buffers as large as the largest activation.
    /// </summary>
    internal sealed class Plan
    {
        public List<ParameterPlan> Parameters { get; } = new();
        public List<Step> Steps { get; } = new();
        public List<int> Slots { get; } = new();
        public List<int> IntSlots { get; } = new();
        public int OutputSlot { get; private set; }
        public int GradientSize { get; private set; }

        public static Plan Build(ShapedModel model)
        {
            var plan = new Plan();
            plan.Slots.Add((int)model.Input.Size); // slot 0: the input
            var current = 0;
            var offset = 0;
            long gradientSize = 0;
            foreach (var layer in model.Layers)
            {
                var spec = layer.Spec;
                var step = new Step(layer) { InSlot = current };
                if (layer.WeightCount > 0)
                {
                    var dims = spec.Kind == LayerKind.Conv2D
                        ? new[] { layer.Out.C, layer.In.C, layer.KernelH, layer.KernelW }
                        : new[] { layer.Out.C, (int)layer.In.Size };
                    var init = layer.Init == WeightInit.HeUniform ? "HeUniform" : "GlorotUniform";
                    step.Weight = new ParameterPlan(spec.Name, "weight", offset, dims, init, layer.FanIn, layer.FanOut);
                    plan.Parameters.Add(step.Weight);
                    offset += step.Weight.Length;
                }
                if (layer.BiasCount > 0)
                {
                    step.Bias = new ParameterPlan(spec.Name, "bias", offset, new[] { (int)layer.BiasCount }, "Zeros", layer.FanIn, layer.FanOut);
                    plan.Parameters.Add(step.Bias);
                    offset += step.Bias.Length;
                }

                step.Passthrough = spec.Kind == LayerKind.Flatten && spec.Activation == ActivationKind.None;
                if (step.Passthrough)
                {
                    step.OutSlot = current;
                }
                else
                {
                    step.OutSlot = plan.Slots.Count;
                    plan.Slots.Add((int)layer.Out.Size);
                    if (spec.Kind == LayerKind.Dropout)
                    {
                        step.MaskSlot = plan.Slots.Count;
                        plan.Slots.Add((int)layer.Out.Size);
                    }
                    if (spec.Kind == LayerKind.MaxPool2D)
                    {
                        step.ArgmaxSlot = plan.IntSlots.Count;
                        plan.IntSlots.Add((int)layer.Out.Size);
                    }
                }
                current = step.OutSlot;
                gradientSize = Math.Max(gradientSize, Math.Max(layer.In.Size, layer.Out.Size));
                plan.Steps.Add(step);
            }
            plan.OutputSlot = current;
            plan.GradientSize = (int)Math.Max(gradientSize, model.Output.Size);

            var which = 0;
            var computedBefore = false;
            foreach (var step in plan.Steps)
            {
                step.NeedsInputGradient = computedBefore;
                computedBefore |= !step.Passthrough;
            }
            for (var i = plan.Steps.Count - 1; i >= 0; i--)
            {
                var step = plan.Steps[i];
                step.GradIn = which;
                if (!step.Passthrough) which = 1 - which;
            }
            return plan;
        }
    }
}
