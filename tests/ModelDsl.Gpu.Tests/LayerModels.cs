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

/// <summary>A layer the device has no kernels for yet.</summary>
[Model(Input = [2, 4, 4])]
public partial class WithLocalResponseNorm
{
    [Conv2D(3, Kernel = 3, Padding = 1)] public partial Layer C { get; }
    [LocalResponseNorm(3)]               public partial Layer Norm { get; }
    [GlobalAvgPool]                      public partial Layer Pool { get; }
    [Dense(2)]                           public partial Layer Logits { get; }
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
