using ModelDsl.Zoo;

namespace ModelDsl.Gpu.Tests;

// Small models, one per family of device kernels. Each tested layer sits behind a layer with
// parameters, so the parameter gradients in front of it check its input gradient too; sizes are odd
// and small (ILGPU's CPU accelerator is slow).

/// <summary>A grouped, dilated, strided, padded convolution with a rectangular kernel, fused tanh; an even kernel with Same padding (split unevenly), no bias.</summary>
// The uneven Same split (MDL0009) is what the last layer is here to check.
#pragma warning disable MDL0009
[Model(Input = [3, 9, 7])]
public partial class ConvGeneral
{
    [Conv2D(4, Kernel = 1)]                                                                   public partial Layer Pre { get; }
    [Conv2D(6, KernelH = 3, KernelW = 2, StrideH = 2, Padding = 1, Dilation = 2, Groups = 2), Tanh] public partial Layer Grouped { get; }
    [Conv2D(5, Kernel = 2, PaddingMode = PaddingMode.Same, Bias = false)]                     public partial Layer NoBias { get; }
}
#pragma warning restore MDL0009

/// <summary>A depthwise strided convolution (G = C = K) and a 1×1 convolution, fused ReLU.</summary>
[Model(Input = [4, 7, 7])]
public partial class ConvDepthwise
{
    [Conv2D(4, Kernel = 3, Padding = 1), Sigmoid]                     public partial Layer Pre { get; }
    [Conv2D(4, Kernel = 3, Stride = 2, Padding = 1, Groups = 4), ReLU] public partial Layer Depthwise { get; }
    [Conv2D(3, Kernel = 1)]                                           public partial Layer Pointwise { get; }
}

/// <summary>Dense layers with every fused activation the device has, an explicit flatten (a view) and a standalone activation.</summary>
[Model(Input = [2, 3, 3])]
public partial class DenseStack
{
    [Conv2D(3, Kernel = 2)]                         public partial Layer Pre { get; }
    [Flatten]                                       public partial Layer Flat { get; }
    [Dense(7), Sigmoid]                             public partial Layer D1 { get; }
    [Dense(6), LeakyReLU(Slope = 0.2)]              public partial Layer D2 { get; }
    [Dense(5), ReLU6]                               public partial Layer D3 { get; }
    [Dense(5, Bias = false), Tanh]                  public partial Layer D4 { get; }
    [ReLU]                                          public partial Layer A { get; }
    [Dense(3)]                                      public partial Layer Logits { get; }
}

/// <summary>Padded overlapping max pooling, average pooling with stride 1 and with padding, max pooling whose last window is cut by ceil rounding, a flatten with a fused activation.</summary>
[Model(Input = [2, 11, 11])]
public partial class Pools
{
    [Conv2D(3, Kernel = 1)]                                   public partial Layer Pre { get; }
    [MaxPool2D(3, Stride = 2, Padding = 1)]                   public partial Layer Max { get; }
    [AvgPool2D(2, Stride = 1)]                                public partial Layer Avg { get; }
    [AvgPool2D(3, Stride = 2, Padding = 1)]                   public partial Layer AvgPadded { get; }
    [MaxPool2D(2, Stride = 2, Rounding = Rounding.Ceil)]      public partial Layer CeilMax { get; }
    [Flatten, Tanh]                                           public partial Layer Flat { get; }
    [Dense(4)]                                                public partial Layer Logits { get; }
}

/// <summary>
/// Batch norm on maps (with fused ReLU) and on features (HW = 1), affine and not. No bias right before a
/// batch norm: its gradient is zero in exact arithmetic, so both paths return rounding noise there. Batches
/// of 3 or more: with N = 2 a feature batch norm maps every input to ±1, and every gradient before it is noise too.
/// </summary>
[Model(Input = [3, 5, 5])]
public partial class Norms
{
    [Conv2D(4, Kernel = 3, Bias = false)] public partial Layer Pre { get; }
    [BatchNorm, ReLU]                     public partial Layer Bn { get; }
    [Conv2D(5, Kernel = 3, Bias = false)] public partial Layer C2 { get; }
    [BatchNorm(Affine = false, Eps = 0.001, Momentum = 0.3), Tanh] public partial Layer BnPlain { get; }
    [Dense(6, Bias = false)]              public partial Layer D { get; }
    [BatchNorm, Tanh]                     public partial Layer BnFlat { get; }
    [Dense(3)]                            public partial Layer Logits { get; }
}

/// <summary>Residual sum of three inputs, a tensor read by four layers, concatenation of three parts, a per-channel gate.</summary>
[Model(Input = [2, 5, 5])]
public partial class Merges
{
    [Conv2D(4, Kernel = 3, Padding = 1), Tanh]                      public partial Layer Stem { get; }
    [Conv2D(4, Kernel = 3, Padding = 1)]                            public partial Layer A { get; }
    [Conv2D(4, Kernel = 1, From = nameof(Stem)), Sigmoid]           public partial Layer B { get; }
    [Add(nameof(Stem), nameof(A), nameof(B)), ReLU]                 public partial Layer Sum { get; }
    [GlobalAvgPool]                                                 public partial Layer Squeeze { get; }
    [Dense(4), Sigmoid]                                             public partial Layer Gate { get; }
    [Multiply(nameof(Sum), nameof(Gate))]                           public partial Layer Excite { get; }
    [Conv2D(3, Kernel = 1, From = nameof(Stem))]                    public partial Layer Side { get; }
    [Concat(nameof(Excite), nameof(Side), nameof(Stem))]            public partial Layer Mixed { get; }
    [Conv2D(2, Kernel = 3)]                                         public partial Layer Head { get; }
}

/// <summary>Dropout between dense layers.</summary>
[Model(Input = [6])]
public partial class Dropouts
{
    [Dense(9), Tanh]  public partial Layer Hidden { get; }
    [Dropout(0)]      public partial Layer Keep { get; }
    [Dense(4)]        public partial Layer Out { get; }
}

/// <summary>Real dropout, for the device mask's own rules.</summary>
[Model(Input = [64])]
public partial class HalfDropout
{
    [Dense(64), Tanh] public partial Layer Hidden { get; }
    [Dropout(0.5)]    public partial Layer Drop { get; }
    [Dense(2)]        public partial Layer Out { get; }
}

/// <summary>A residual network with batch norm (the TinyResNet of the language docs).</summary>
[Model(Input = [3, 8, 8])]
public partial class TinyResNet
{
    [Conv2D(8, Kernel = 3, Padding = 1, Bias = false)]  public partial Layer Stem { get; }
    [BatchNorm, ReLU]                                    public partial Layer StemBn { get; }
    [Conv2D(8, Kernel = 3, Padding = 1, Bias = false)]  public partial Layer Conv1 { get; }
    [BatchNorm, ReLU]                                    public partial Layer Bn1 { get; }
    [Conv2D(8, Kernel = 3, Padding = 1, Bias = false)]  public partial Layer Conv2 { get; }
    [BatchNorm]                                          public partial Layer Bn2 { get; }
    [Add(nameof(StemBn), nameof(Bn2)), ReLU]             public partial Layer Block1 { get; }
    [Conv2D(12, Kernel = 2, Stride = 2, Bias = false)] public partial Layer Down { get; }
    [BatchNorm, ReLU]                                    public partial Layer DownBn { get; }
    [GlobalAvgPool]                                      public partial Layer Pool { get; }
    [Dense(3)]                                           public partial Layer Logits { get; }
}

/// <summary>The zoo's Inception module (four branches, batch norm, ceil-rounded max-pool, concatenation), small.</summary>
[Model(Input = [4, 6, 6])]
public partial class SmallInception
{
    [Inception(Ch1x1 = 3, Ch3x3Red = 2, Ch3x3 = 4, Ch5x5Red = 2, Ch5x5 = 3, PoolProj = 2)] public partial Layer Mixed { get; }
    [GlobalAvgPool] public partial Layer Pool { get; }
    [Dense(3)]      public partial Layer Logits { get; }
}

/// <summary>The zoo's squeeze-and-excitation bottleneck, small: with its projection, then with the projection switched off (an identity shortcut).</summary>
[Model(Input = [8, 5, 5])]
public partial class SmallSe
{
    [SEBottleneck(Width = 4, Out = 16, Stride = 2)] public partial Layer Block { get; }
    [SEBottleneck(Width = 4, Out = 16)]             public partial Layer Same { get; }
    [GlobalAvgPool] public partial Layer Pool { get; }
    [Dense(3)]      public partial Layer Logits { get; }
}

/// <summary>SiLU and HardSwish fused (the layer's own result kept for backward) and standalone, global max pooling.</summary>
[Model(Input = [3, 6, 5])]
public partial class SmoothGates
{
    [Conv2D(4, Kernel = 3, Padding = 1), SiLU]      public partial Layer A { get; }
    [Conv2D(5, Kernel = 3, Padding = 1), HardSwish] public partial Layer B { get; }
    [Conv2D(4, Kernel = 1)]                         public partial Layer C { get; }
    [Swish]                                         public partial Layer D { get; }
    [HardSwish]                                     public partial Layer E { get; }
    [GlobalMaxPool]                                 public partial Layer Gmp { get; }
    [Dense(3)]                                      public partial Layer Logits { get; }
}

/// <summary>Layer norm on maps and on features, group norm, instance norm with and without scale and shift.</summary>
[Model(Input = [4, 5, 5])]
public partial class SetNorms
{
    [Conv2D(6, Kernel = 3, Padding = 1), Tanh]   public partial Layer Stem { get; }
    [LayerNorm, Tanh]                            public partial Layer Ln { get; }
    [GroupNorm(3), Tanh]                         public partial Layer Gn { get; }
    [InstanceNorm(Affine = true), Tanh]          public partial Layer Inorm { get; }
    [InstanceNorm]                               public partial Layer Plain { get; }
    [Conv2D(4, Kernel = 3)]                      public partial Layer Head { get; }
    [Dense(5), Tanh]                             public partial Layer D { get; }
    [LayerNorm]                                  public partial Layer LnFlat { get; }
    [Dense(3)]                                   public partial Layer Logits { get; }
}

/// <summary>
/// Transposed convolutions: strided with padding and output padding (fused tanh), grouped and dilated with a rectangular
/// kernel and no bias (fused SiLU, its own result kept), and a shape-keeping one whose input gradient adds to another reader's.
/// </summary>
[Model(Input = [3, 4, 5])]
public partial class ConvTransposes
{
    [Conv2D(4, Kernel = 1)]                                                                         public partial Layer Pre { get; }
    [ConvTranspose2D(4, Kernel = 3, Padding = 1), Sigmoid]                                          public partial Layer Same { get; }
    [Add(nameof(Pre), nameof(Same))]                                                                public partial Layer Sum { get; }
    [ConvTranspose2D(5, Kernel = 3, Stride = 2, Padding = 1, OutputPadding = 1), Tanh]              public partial Layer Up { get; }
    [ConvTranspose2D(6, KernelH = 3, KernelW = 2, Stride = 2, Dilation = 2, Groups = 1, Bias = false), SiLU] public partial Layer Wide { get; }
    [Conv2D(3, Kernel = 3, Stride = 2)]                                                             public partial Layer Head { get; }
}

/// <summary>Grouped transposed convolution (w (C, K/G, KH, KW)).</summary>
[Model(Input = [4, 3, 3])]
public partial class GroupedConvTranspose
{
    [Conv2D(4, Kernel = 1)]                                       public partial Layer Pre { get; }
    [ConvTranspose2D(6, Kernel = 2, Stride = 2, Groups = 2), ReLU] public partial Layer Up { get; }
    [Conv2D(2, Kernel = 3)]                                       public partial Layer Head { get; }
}

/// <summary>
/// Max unpooling through an overlapping padded max-pool (windows that share a winner: the last one's value stays) with a
/// fused sigmoid, and through a non-overlapping pool on an odd size (the uncovered row and column get zeros).
/// </summary>
// The rows and columns Pool2's floor rounding drops (MDL0007) are what the unpooling must leave at zero.
#pragma warning disable MDL0007
[Model(Input = [2, 7, 7])]
public partial class Unpools
{
    [Conv2D(3, Kernel = 1)]                        public partial Layer Pre { get; }
    [MaxPool2D(3, Stride = 2, Padding = 1)]        public partial Layer Pool { get; }
    [Conv2D(3, Kernel = 1), Tanh]                  public partial Layer Mid { get; }
    [MaxUnpool2D(nameof(Pool)), Sigmoid]           public partial Layer Unpool { get; }
    [MaxPool2D(2, Rounding = Rounding.Floor)]      public partial Layer Pool2 { get; }
    [MaxUnpool2D(nameof(Pool2))]                   public partial Layer Unpool2 { get; }
    [Conv2D(2, Kernel = 3, Stride = 2)]            public partial Layer Head { get; }
}
#pragma warning restore MDL0007

/// <summary>Local response normalization: β = 3/4 with an odd window (whose input gradient adds to another reader's), any β with an even window and a fused activation.</summary>
[Model(Input = [5, 3, 4])]
public partial class Lrns
{
    [Conv2D(6, Kernel = 1), Tanh]                                        public partial Layer Pre { get; }
    [LocalResponseNorm(3, Alpha = 0.5)]                                  public partial Layer Lrn { get; }
    [Add(nameof(Pre), nameof(Lrn))]                                      public partial Layer Sum { get; }
    [Conv2D(5, Kernel = 1)]                                              public partial Layer Mid { get; }
    [LocalResponseNorm(4, Alpha = 0.8, Beta = 0.6, K = 1.5), Tanh]       public partial Layer Lrn2 { get; }
    [Dense(3)]                                                           public partial Layer Logits { get; }
}

/// <summary>Softmax over channels: standalone on a map, fused on a map, fused on features, standalone on features.</summary>
[Model(Input = [4, 3, 5])]
public partial class Softmaxes
{
    [Conv2D(5, Kernel = 1)]               public partial Layer Pre { get; }
    [Softmax]                             public partial Layer Probs { get; }
    [Conv2D(4, Kernel = 3), Softmax]      public partial Layer Fused { get; }
    [Flatten]                             public partial Layer Flat { get; }
    [Dense(6), Softmax]                   public partial Layer D { get; }
    [Dense(5)]                            public partial Layer D2 { get; }
    [Softmax]                             public partial Layer P2 { get; }
    [Dense(3)]                            public partial Layer Logits { get; }
}

/// <summary>Every layer the device gained, in one small encoder–decoder classifier (trained on the device in the tests).</summary>
[Model(Input = [2, 6, 6])]
public partial class NewLayers
{
    [Conv2D(4, Kernel = 3, Padding = 1), ReLU]                        public partial Layer Stem { get; }
    [LocalResponseNorm(3, Alpha = 0.2)]                               public partial Layer Lrn { get; }
    [MaxPool2D(2)]                                                    public partial Layer Pool { get; }
    [Conv2D(4, Kernel = 1), Tanh]                                     public partial Layer Mid { get; }
    [MaxUnpool2D(nameof(Pool))]                                       public partial Layer Unpool { get; }
    [ConvTranspose2D(3, Kernel = 2, Stride = 2), Softmax]             public partial Layer Up { get; }
    [GlobalAvgPool]                                                   public partial Layer Gap { get; }
    [Dense(4)]                                                        public partial Layer Logits { get; }
}
