using ModelDsl.Generators.Model;

namespace ModelDsl.Generators.Shapes
{
    /// <summary>The shape of one sample: (C, H, W) when Rank = 3, (C, L) = (C, 1, L) when Rank = 2, (C) when Rank = 1.</summary>
    internal readonly record struct Dims(int C, int H, int W, int Rank)
    {
        public static Dims Map(int c, int h, int w) => new(c, h, w, 3);

        public static Dims Sequence(int c, int length) => new(c, 1, length, 2);

        public static Dims Vector(int c) => new(c, 1, 1, 1);

        public bool Flat => Rank == 1;

        public long Size => (long)C * H * W;

        /// <summary>Positions per channel: H·W (L for a sequence, 1 when flat).</summary>
        public int Positions => H * W;

        /// <summary><c>(N, 6, 28, 28)</c>, <c>(N, 6, 100)</c> or <c>(N, 120)</c>.</summary>
        public override string ToString() => Rank switch
        {
            1 => $"(N, {Num.I(C)})",
            2 => $"(N, {Num.I(C)}, {Num.I(W)})",
            _ => $"(N, {Num.I(C)}, {Num.I(H)}, {Num.I(W)})",
        };

        /// <summary><c>64×56×56</c>, for messages.</summary>
        public string Short => Rank switch
        {
            1 => Num.I(C),
            2 => $"{Num.I(C)}×{Num.I(W)}",
            _ => $"{Num.I(C)}×{Num.I(H)}×{Num.I(W)}",
        };
    }

    /// <summary>How serious a problem is: only errors make a model invalid and stop shape inference.</summary>
    internal enum ProblemSeverity
    {
        Error,
        Warning,
        Info,
    }

    /// <summary>What went wrong, or what deserves a second look; each kind is one diagnostic id.</summary>
    internal enum ProblemKind
    {
        /// <summary>MDL0001: (W − F + 2P)/S + 1 is not an integer.</summary>
        NonIntegerOutput,
        /// <summary>MDL0002: the window is larger than the padded input.</summary>
        NonPositiveOutput,
        /// <summary>MDL0003: a hyperparameter outside its domain, or a layer that cannot take its input.</summary>
        InvalidHyperparameter,
        /// <summary>MDL0004: a layer reads a name that is not a layer of the model.</summary>
        UnknownReference,
        /// <summary>MDL0005: a layer reads itself or a layer declared after it (a cycle or a forward reference).</summary>
        LaterReference,
        /// <summary>MDL0006: the inputs of Add, Concat or Multiply (or MaxUnpool2D and its pool) do not fit together.</summary>
        MergeMismatch,
        /// <summary>An attribute that did not bind; the C# compiler already reports it, so no diagnostic.</summary>
        NotBound,
        /// <summary>MDL0007 (warning): Floor or Ceil rounding leaves real input rows or columns that no window reads.</summary>
        RoundingDropsInput,
        /// <summary>MDL0008 (warning): a convolution's bias feeds only a batch norm, whose mean subtraction removes it.</summary>
        BiasBeforeBatchNorm,
        /// <summary>MDL0009 (warning): an even kernel with <c>PaddingMode.Same</c> pads one side more than the other.</summary>
        AsymmetricSamePadding,
        /// <summary>MDL0010 (info): the features a global pool averages each see less than the whole input.</summary>
        ReceptiveFieldSmallerThanInput,
        /// <summary>MDL0011 (warning): the model ends in a softmax, which the loss applies itself.</summary>
        SoftmaxLastLayer,
        /// <summary>MDL0012 (warning): the model ends in dropout.</summary>
        DropoutLastLayer,
    }

    internal static class ProblemKindExtensions
    {
        public static ProblemSeverity Severity(this ProblemKind kind) => kind switch
        {
            ProblemKind.RoundingDropsInput or ProblemKind.BiasBeforeBatchNorm or ProblemKind.AsymmetricSamePadding
                or ProblemKind.SoftmaxLastLayer or ProblemKind.DropoutLastLayer => ProblemSeverity.Warning,
            ProblemKind.ReceptiveFieldSmallerThanInput => ProblemSeverity.Info,
            _ => ProblemSeverity.Error,
        };
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
    /// <param name="Value">For an argument holding several names (<c>Add(nameof(A), nameof(B))</c>), the name to point at.</param>
    /// <param name="Attribute">The attribute to point at when it is not the layer's own: <c>Softmax</c> fused beside <c>Dense</c>.</param>
    internal sealed record ShapeProblem(
        ProblemKind Kind,
        int LayerIndex,
        string Argument,
        string Message,
        EquatableArray<int> FixPaddings,
        bool FixSame,
        string Value = "",
        string Attribute = "")
    {
        public ProblemSeverity Severity => Kind.Severity();

        /// <summary>For a residual Add that does not fit: <c>input|filters|stride</c> of the 1×1 projection that fixes it, or empty.</summary>
        public string Projection { get; init; } = "";
    }

    /// <summary>How a weight is initialized (mirrors <c>ModelDsl.Initializer</c>).</summary>
    internal enum WeightInit
    {
        GlorotUniform,
        HeUniform,
    }

    /// <summary>
    /// One layer with everything inferred: its inputs (indices of earlier layers, −1 for the model's
    /// input), shapes, resolved window geometry, costs. <see cref="In"/> is the first input's shape.
    /// </summary>
    internal sealed record ShapedLayer(
        LayerSpec Spec,
        EquatableArray<int> Inputs,
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
        int ReceptiveField,
        int DilationH = 1,
        int DilationW = 1,
        int Groups = 1,
        long BufferCount = 0)
    {
        /// <summary>Trained values: weights and biases (batch-norm running statistics are buffers, not parameters).</summary>
        public long Parameters => WeightCount + BiasCount;

        public long ActivationBytes => Out.Size * sizeof(float);
    }

    /// <summary>
    /// A model after the shape engine: every layer's shapes and costs, and the problems found. When
    /// <see cref="Problems"/> holds an error, <see cref="Layers"/> holds only the layers before the first
    /// error, which stopped inference, and nothing is generated. Warnings and information come only from
    /// a model without errors and leave it valid.
    /// </summary>
    internal sealed record ShapedModel(ModelSpec Spec, Dims Input, EquatableArray<ShapedLayer> Layers, EquatableArray<ShapeProblem> Problems)
    {
        public bool IsValid
        {
            get
            {
                foreach (var problem in Problems)
                {
                    if (problem.Severity == ProblemSeverity.Error) return false;
                }
                return true;
            }
        }

        public long TotalParameters => Sum(l => l.Parameters);

        public long TotalBuffers => Sum(l => l.BufferCount);

        public long TotalFlops => Sum(l => l.Flops);

        public long TotalActivationBytes => Sum(l => l.ActivationBytes);

        private long Sum(System.Func<ShapedLayer, long> value)
        {
            long total = 0;
            foreach (var layer in Layers) total += value(layer);
            return total;
        }

        public Dims Output => Layers.Count == 0 ? Input : Layers[Layers.Count - 1].Out;
    }
}
