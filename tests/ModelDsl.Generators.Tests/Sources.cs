namespace ModelDsl.Generators.Tests;

/// <summary>Model declarations used by several tests.</summary>
internal static class Sources
{
    public const string LeNet5 = """
        using ModelDsl;

        namespace Demo;

        [Model(Input = [1, 28, 28])]
        public partial class LeNet5
        {
            [Conv2D(6, Kernel = 5, Padding = 2)]  partial Layer C1 { get; }
            [Tanh]                                partial Layer A1 { get; }
            [AvgPool2D(2)]                        partial Layer S2 { get; }
            [Conv2D(16, Kernel = 5)]              partial Layer C3 { get; }
            [Tanh]                                partial Layer A3 { get; }
            [AvgPool2D(2)]                        partial Layer S4 { get; }
            [Dense(120), Tanh]                    partial Layer F5 { get; }
            [Dense(84), Tanh]                     partial Layer F6 { get; }
            [Dense(10)]                           partial Layer Logits { get; }
        }
        """;

    /// <summary>Every layer kind of the foundation, fused and standalone activations, Same padding, dropout, no-bias.</summary>
    public const string EveryLayer = """
        using ModelDsl;

        namespace Demo.Nested
        {
            public static partial class Outer
            {
                [Model(Input = [2, 8, 7])]
                internal partial class Everything
                {
                    [Conv2D(3, Kernel = 3, Stride = 2, PaddingMode = PaddingMode.Same, Bias = false), ReLU] public partial Layer C1 { get; }
                    [MaxPool2D(3, Stride = 1, Padding = 1)]                                                internal partial Layer P1 { get; }
                    [Sigmoid]                                                                               private partial Layer A1 { get; }
                    [AvgPool2D(2, PaddingMode = PaddingMode.Valid)]                                         partial Layer P2 { get; }
                    [Flatten]                                                                               partial Layer Flat { get; }
                    [Dropout(0.25)]                                                                         partial Layer Drop { get; }
                    [Dense(7, Bias = false), Tanh]                                                          partial Layer D1 { get; }
                    [Dense(4)]                                                                              partial Layer D2 { get; }
                    [Softmax]                                                                               partial Layer Probabilities { get; }
                }
            }
        }
        """;

    /// <summary>The layer catalogue in one graph: named inputs, residual Add, Concat, squeeze-and-excitation Multiply, every norm and activation.</summary>
    public const string Catalogue = """
        using ModelDsl;

        namespace Demo;

        [Model(Input = [3, 16, 16])]
        public partial class Catalogue
        {
            [Conv2D(8, Kernel = 3, Padding = 1, Bias = false)]                           public partial Layer Stem { get; }
            [BatchNorm, ReLU]                                                            public partial Layer StemBn { get; }
            [MaxPool2D(2)]                                                               public partial Layer Pool { get; }
            [Conv2D(8, Kernel = 3, Padding = 2, Dilation = 2, Groups = 8), ReLU6]        public partial Layer Depthwise { get; }
            [Conv2D(8, KernelH = 1, KernelW = 3, PaddingW = 1), SiLU]                    public partial Layer Wide { get; }
            [Add(nameof(Pool), nameof(Wide))]                                            public partial Layer Residual { get; }
            [GlobalAvgPool(From = nameof(Residual))]                                     public partial Layer Squeeze { get; }
            [Dense(2), ReLU]                                                             public partial Layer Reduce { get; }
            [Dense(8), Sigmoid]                                                          public partial Layer Expand { get; }
            [Multiply(nameof(Residual), nameof(Expand))]                                 public partial Layer Excite { get; }
            [Conv2D(4, Kernel = 1, From = nameof(Excite)), LeakyReLU(Slope = 0.2)]       public partial Layer BranchA { get; }
            [Conv2D(4, Kernel = 3, Padding = 1, From = nameof(Excite)), HardSwish]       public partial Layer BranchB { get; }
            [Concat(nameof(BranchA), nameof(BranchB), nameof(Excite))]                   public partial Layer Mixed { get; }
            [GroupNorm(4)]                                                               public partial Layer Gn { get; }
            [InstanceNorm(Affine = true)]                                                public partial Layer In { get; }
            [LocalResponseNorm(3)]                                                       public partial Layer Lrn { get; }
            [MaxPool2D(2)]                                                               public partial Layer Pool2 { get; }
            [MaxUnpool2D(nameof(Pool2))]                                                 public partial Layer Unpool { get; }
            [ConvTranspose2D(4, Kernel = 3, Stride = 2, Padding = 1, OutputPadding = 1)] public partial Layer Up { get; }
            [LayerNorm]                                                                  public partial Layer Ln { get; }
            [GlobalMaxPool]                                                              public partial Layer Gmp { get; }
            [Dense(3)]                                                                   public partial Layer Logits { get; }
        }

        [Model(Input = [2, 50])]
        public partial class Sequence
        {
            [Conv1D(8, Kernel = 5, Padding = 2), ReLU] public partial Layer C1 { get; }
            [MaxPool1D(2)]                             public partial Layer P1 { get; }
            [Conv1D(8, Kernel = 3, Dilation = 2, PaddingMode = PaddingMode.Same)] public partial Layer C2 { get; }
            [BatchNorm, ReLU]                          public partial Layer Bn { get; }
            [AvgPool1D(5)]                             public partial Layer P2 { get; }
            [Flatten]                                  public partial Layer Flat { get; }
            [Dense(4)]                                 public partial Layer Out { get; }
        }
        """;
}
