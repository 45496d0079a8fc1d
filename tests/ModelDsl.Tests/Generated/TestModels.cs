using ModelDsl.Zoo;
namespace ModelDsl.Tests.Generated;

/// <summary>
/// Every layer of the foundation in one small network, for whole-model gradient checks: Same padding
/// with an asymmetric split, no-bias conv, padded and overlapping max-pool, standalone and fused
/// activations, an explicit flatten, dropout (p = 0 so finite differences see a fixed function), softmax.
/// </summary>
// The asymmetric Same split (MDL0009) and the closing softmax (MDL0011) are what this network is here to check.
#pragma warning disable MDL0009, MDL0011
[Model(Input = [2, 9, 7])]
public partial class Everything
{
    [Conv2D(3, Kernel = 2, PaddingMode = PaddingMode.Same, Bias = false), Tanh] public partial Layer C1 { get; }
    [MaxPool2D(3, Stride = 2, Padding = 1)]                                     public partial Layer P1 { get; }
    [Conv2D(4, Kernel = 3, Padding = 1)]                                        public partial Layer C2 { get; }
    [Sigmoid]                                                                   public partial Layer A2 { get; }
    [AvgPool2D(2, Stride = 1)]                                                  public partial Layer P2 { get; }
    [Flatten]                                                                   public partial Layer Flat { get; }
    [Dropout(0)]                                                                public partial Layer Drop { get; }
    [Dense(7), ReLU]                                                            public partial Layer D1 { get; }
    [Dense(5, Bias = false)]                                                    public partial Layer D2 { get; }
    [Softmax]                                                                   public partial Layer Probabilities { get; }
}
#pragma warning restore MDL0009, MDL0011

/// <summary>A dense network with real dropout, for training/inference behaviour.</summary>
[Model(Input = [16])]
public partial class DropoutNet
{
    [Dense(32), ReLU] public partial Layer Hidden { get; }
    [Dropout(0.5)]    public partial Layer Drop { get; }
    [Dense(3)]        public partial Layer Out { get; }
}

/// <summary>
/// The course LeNet's sizes with smooth activations (tanh, average pooling), so finite differences
/// can check its large convolutions exactly: with ReLU and max-pooling a step h across the 1,152
/// pre-activations a first-layer weight feeds would cross kinks.
/// </summary>
[Model(Input = [1, 28, 28])]
public partial class SmoothCourseLeNet
{
    [Conv2D(20, Kernel = 5), Tanh] public partial Layer Conv1 { get; }
    [AvgPool2D(2)]                 public partial Layer Pool1 { get; }
    [Conv2D(50, Kernel = 5), Tanh] public partial Layer Conv2 { get; }
    [AvgPool2D(2)]                 public partial Layer Pool2 { get; }
    [Dense(500), Tanh]             public partial Layer Fc1 { get; }
    [Dense(10)]                    public partial Layer Fc2 { get; }
}

/// <summary>The convolution family in one network: dilated grouped, depthwise strided, h×w kernels, transposed convolution, max unpooling, global pooling.</summary>
[Model(Input = [4, 9, 9])]
public partial class ConvFamily
{
    [Conv2D(6, Kernel = 3, Padding = 2, Dilation = 2, Groups = 2), Tanh]          public partial Layer Dilated { get; }
    [Conv2D(6, Kernel = 3, Stride = 2, Padding = 1, Groups = 6), Tanh]            public partial Layer Depthwise { get; }
    [Conv2D(4, KernelH = 1, KernelW = 3, PaddingW = 1), Tanh]                      public partial Layer Wide { get; }
    [ConvTranspose2D(3, Kernel = 3, Stride = 2, Padding = 1, OutputPadding = 1), Tanh] public partial Layer Up { get; }
    [MaxPool2D(2)]                                                                 public partial Layer Pool { get; }
    [MaxUnpool2D(nameof(Pool))]                                                    public partial Layer Unpool { get; }
    [Conv2D(2, Kernel = 3, Padding = 1)]                                           public partial Layer Mix { get; }
    [GlobalAvgPool]                                                                public partial Layer Gap { get; }
    [Dense(4)]                                                                     public partial Layer Logits { get; }
}

/// <summary>1-D convolutions and pooling on a (C, L) input, ending in global max pooling.</summary>
[Model(Input = [2, 20])]
public partial class Sequence1D
{
    [Conv1D(4, Kernel = 3, Padding = 1), Tanh]                                public partial Layer C1 { get; }
    [MaxPool1D(2)]                                                            public partial Layer P1 { get; }
    [Conv1D(4, Kernel = 3, Dilation = 2, PaddingMode = PaddingMode.Same), Tanh] public partial Layer C2 { get; }
    [AvgPool1D(2)]                                                            public partial Layer P2 { get; }
    [GlobalMaxPool]                                                           public partial Layer Gmp { get; }
    [Dense(3)]                                                                public partial Layer Logits { get; }
}

/// <summary>
/// Every normalization and merge in one graph, with smooth activations so finite differences check it
/// strictly: tensors read three times, residual sum, excitation, concatenation.
/// </summary>
[Model(Input = [3, 6, 6])]
public partial class NormsAndMerges
{
    [Conv2D(8, Kernel = 3, Padding = 1), Tanh]                          public partial Layer Stem { get; }
    [BatchNorm, Tanh]                                                   public partial Layer Bn { get; }
    [LayerNorm(From = nameof(Stem))]                                    public partial Layer Ln { get; }
    [Add(nameof(Bn), nameof(Ln)), SiLU]                                 public partial Layer Sum { get; }
    [GroupNorm(2)]                                                      public partial Layer Gn { get; }
    [InstanceNorm(Affine = true), HardSwish]                            public partial Layer Inorm { get; }
    [LocalResponseNorm(3, Alpha = 0.5), Tanh]                           public partial Layer Lrn { get; }
    [GlobalAvgPool]                                                     public partial Layer Squeeze { get; }
    [Dense(8), Sigmoid]                                                 public partial Layer Gate { get; }
    [Multiply(nameof(Lrn), nameof(Gate))]                               public partial Layer Excite { get; }
    [Conv2D(4, Kernel = 1, From = nameof(Excite)), Tanh]                public partial Layer BranchA { get; }
    [Conv2D(4, Kernel = 3, Padding = 1, From = nameof(Excite)), Sigmoid] public partial Layer BranchB { get; }
    [Concat(nameof(BranchA), nameof(BranchB), nameof(Stem))]            public partial Layer Mixed { get; }
    [GlobalAvgPool]                                                     public partial Layer Pool { get; }
    [Dense(3)]                                                          public partial Layer Logits { get; }
}

/// <summary>A small residual network with batch norm (docs/dsl.md's example).</summary>
[Model(Input = [3, 8, 8])]
public partial class TinyResNet
{
    [Conv2D(16, Kernel = 3, Padding = 1, Bias = false)]  public partial Layer Stem { get; }
    [BatchNorm, ReLU]                                    public partial Layer StemBn { get; }
    [Conv2D(16, Kernel = 3, Padding = 1, Bias = false)]  public partial Layer Conv1 { get; }
    [BatchNorm, ReLU]                                    public partial Layer Bn1 { get; }
    [Conv2D(16, Kernel = 3, Padding = 1, Bias = false)]  public partial Layer Conv2 { get; }
    [BatchNorm]                                          public partial Layer Bn2 { get; }
    [Add(nameof(StemBn), nameof(Bn2)), ReLU]             public partial Layer Block1 { get; }
    [GlobalAvgPool]                                      public partial Layer Pool { get; }
    [Dense(3)]                                           public partial Layer Logits { get; }
}

/// <summary>The newer activations, fused and standalone; LeakyReLU and ReLU6 have kinks.</summary>
[Model(Input = [3, 6, 6])]
public partial class NewerActivations
{
    [Conv2D(8, Kernel = 3, Padding = 1), SiLU]                     public partial Layer A { get; }
    [Conv2D(8, Kernel = 3, Padding = 1), HardSwish]                public partial Layer B { get; }
    [Conv2D(8, Kernel = 3, Padding = 1), LeakyReLU(Slope = 0.1)]   public partial Layer C { get; }
    [Conv2D(8, Kernel = 1)]                                        public partial Layer D { get; }
    [ReLU6]                                                        public partial Layer E { get; }
    [Swish]                                                        public partial Layer F { get; }
    [GlobalAvgPool]                                                public partial Layer Pool { get; }
    [Dense(3)]                                                     public partial Layer Logits { get; }
}

/// <summary>A residual block with smooth activations, a projection only where the width or stride changes, and an expression.</summary>
public sealed partial class SmoothResidual : Block
{
    /// <summary>Output channels.</summary>
    public int Width { get; set; }

    /// <summary>Stride of the first copy.</summary>
    [FirstRepeatOnly] public int Stride { get; set; } = 1;

    [Conv2D(0, FiltersOf = "Width * 2", Kernel = 3, StrideOf = "Stride", Padding = 1), Tanh]                    partial Layer Conv1 { get; }
    [Conv2D(0, FiltersOf = "Width", Kernel = 3, Padding = 1)]                                                   partial Layer Conv2 { get; }
    [BatchNorm]                                                                                                 partial Layer Bn { get; }
    [Conv2D(0, FiltersOf = "Width", StrideOf = "Stride", From = Input, When = "Stride != 1 || In != Width")]    partial Layer Project { get; }
    [Add(nameof(Bn), nameof(Project)), Tanh]                                                                    partial Layer Out { get; }
}

/// <summary>Two stages of <see cref="SmoothResidual"/>, repeated, for whole-model gradient checks of inlined blocks.</summary>
// Conv2's bias before Bn (MDL0008) is kept so that the gradient check covers a bias whose gradient the batch norm cancels.
#pragma warning disable MDL0008
[Model(Input = [3, 9, 9])]
public partial class BlockNet
{
    [SmoothResidual(Width = 4, Repeat = 2)]            public partial Layer Stage1 { get; }
    [SmoothResidual(Width = 6, Stride = 2, Repeat = 2)] public partial Layer Stage2 { get; }
    [GlobalAvgPool]                                    public partial Layer Pool { get; }
    [Dense(3)]                                         public partial Layer Logits { get; }
}
#pragma warning restore MDL0008

/// <summary>Batch norm (running statistics) and dropout (a random generator): both carry state from step to step, for exact-resume tests.</summary>
[Model(Input = [1, 6, 6])]
public partial class NormDropoutNet
{
    [Conv2D(4, Kernel = 3, Padding = 1, Bias = false)] public partial Layer Conv { get; }
    [BatchNorm, ReLU]                                  public partial Layer Bn { get; }
    [MaxPool2D(2)]                                     public partial Layer Pool { get; }
    [Dropout(0.25)]                                    public partial Layer Drop { get; }
    [Dense(3)]                                         public partial Layer Out { get; }
}

/// <summary>Another network on the same input, for resume-mismatch tests.</summary>
[Model(Input = [1, 6, 6])]
public partial class PlainHead
{
    [Dense(3)] public partial Layer Out { get; }
}

/// <summary>A layer named like a training checkpoint's optimizer prefix: its tensors would be taken for optimizer state.</summary>
[Model(Input = [1, 6, 6])]
public partial class ClashingNames
{
    [Dense(3)] public partial Layer optimizer { get; }
}

/// <summary>ResNet's basic block with its projection: both branches end in a batch norm that the sum applies in inference.</summary>
public sealed partial class ProjectedBlock : Block
{
    [Conv2D(8, Kernel = 3, Stride = 2, Padding = 1, Bias = false)]     partial Layer Conv1 { get; }
    [BatchNorm, ReLU]                                                  partial Layer Bn1 { get; }
    [Conv2D(8, Kernel = 3, Padding = 1, Bias = false)]                 partial Layer Conv2 { get; }
    [BatchNorm]                                                        partial Layer Bn2 { get; }
    [Conv2D(8, Stride = 2, Bias = false, From = Input)]                partial Layer Downsample { get; }
    [BatchNorm]                                                        partial Layer DownsampleBn { get; }
    [Add(nameof(Bn2), nameof(DownsampleBn)), ReLU]                     partial Layer Out { get; }
}

/// <summary>One <see cref="ProjectedBlock"/>.</summary>
[Model(Input = [4, 6, 6], Rounding = Rounding.Floor)]
public partial class ProjectedBlockNet
{
    [ProjectedBlock] public partial Layer Block { get; }
}

/// <summary>A flatten straight on the input, then a dense layer: the flatten's output is a view of the input slot.</summary>
[Model(Input = [2, 3, 3])]
public partial class FlattenFirst
{
    [Flatten]  public partial Layer Flat { get; }
    [Dense(4)] public partial Layer Out { get; }
}
