using ModelDsl.Generators.Model;

namespace ModelDsl.Generators.Shapes
{
    /// <summary>The shape of one sample: (C, H, W), or (C) when flat.</summary>
    internal readonly record struct Dims(int C, int H, int W, bool Flat)
    {
        public static Dims Map(int c, int h, int w) => new(c, h, w, false);

        public static Dims Vector(int c) => new(c, 1, 1, true);

        public long Size => (long)C * H * W;

        /// <summary><c>(N, 6, 28, 28)</c> or <c>(N, 120)</c>.</summary>
        public override string ToString() => Flat ? $"(N, {Num.I(C)})" : $"(N, {Num.I(C)}, {Num.I(H)}, {Num.I(W)})";
    }

    /// <summary>What went wrong; each kind is one diagnostic id.</summary>
    internal enum ProblemKind
    {
        /// <summary>MDL0001: (W − F + 2P)/S + 1 is not an integer.</summary>
        NonIntegerOutput,
        /// <summary>MDL0002: the window is larger than the padded input.</summary>
        NonPositiveOutput,
        /// <summary>MDL0003: a hyperparameter outside its domain, or a layer that cannot take its input.</summary>
        InvalidHyperparameter,
        /// <summary>An attribute that did not bind; the C# compiler already reports it, so no diagnostic.</summary>
        NotBound,
    }

    /// <summary>
    /// A shape problem as data: which layer, which attribute argument to change, the message with its
    /// numbers, and what would fix it. No Roslyn types: the analyzer turns it into a located diagnostic.
    /// </summary>
    /// <param name="Kind">The problem's kind (its diagnostic id).</param>
    /// <param name="LayerIndex">The layer's index, or −1 for the model's own declaration.</param>
    /// <param name="Argument">The attribute argument to point at (<c>Stride</c>, <c>Kernel</c>, …; <c>Input</c> on the model), or empty for the whole attribute.</param>
    /// <param name="Message">The message, with the arithmetic.</param>
    /// <param name="FixPaddings">Padding values that make every axis exact (closest first).</param>
    /// <param name="FixSame">Whether <c>PaddingMode.Same</c> is a fix.</param>
    internal sealed record ShapeProblem(
        ProblemKind Kind,
        int LayerIndex,
        string Argument,
        string Message,
        EquatableArray<int> FixPaddings,
        bool FixSame);

    /// <summary>How a weight is initialized (mirrors <c>ModelDsl.Initializer</c>).</summary>
    internal enum WeightInit
    {
        GlorotUniform,
        HeUniform,
    }

    /// <summary>One layer with everything inferred: shapes, resolved window geometry, costs.</summary>
    internal sealed record ShapedLayer(
        LayerSpec Spec,
        Dims In,
        Dims Out,
        int KernelH,
        int KernelW,
        int StrideH,
        int StrideW,
        int PadTop,
        int PadLeft,
        int PadBottom,
        int PadRight,
        long WeightCount,
        long BiasCount,
        int FanIn,
        int FanOut,
        WeightInit Init,
        long Flops,
        int ReceptiveField)
    {
        public long Parameters => WeightCount + BiasCount;

        public long ActivationBytes => Out.Size * sizeof(float);
    }

    /// <summary>
    /// A model after the shape engine: every layer's shapes and costs, and the problems found. When
    /// <see cref="Problems"/> is not empty, <see cref="Layers"/> holds only the layers before the first
    /// problem that stopped inference, and nothing is generated.
    /// </summary>
    internal sealed record ShapedModel(ModelSpec Spec, Dims Input, EquatableArray<ShapedLayer> Layers, EquatableArray<ShapeProblem> Problems)
    {
        public bool IsValid => Problems.Count == 0;

        public long TotalParameters
        {
            get
            {
                long total = 0;
                foreach (var layer in Layers) total += layer.Parameters;
                return total;
            }
        }

        public long TotalFlops
        {
            get
            {
                long total = 0;
                foreach (var layer in Layers) total += layer.Flops;
                return total;
            }
        }

        public long TotalActivationBytes
        {
            get
            {
                long total = 0;
                foreach (var layer in Layers) total += layer.ActivationBytes;
                return total;
            }
        }

        public Dims Output => Layers.Count == 0 ? Input : Layers[Layers.Count - 1].Out;
    }
}
