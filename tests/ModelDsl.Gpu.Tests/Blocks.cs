namespace ModelDsl.Gpu.Tests;

// Copies of the zoo's blocks: a model inlines blocks declared in its own project.

/// <summary>
/// The Inception module of GoogLeNet (Szegedy et al. 2015) in torchvision's form: four branches read the
/// block's input (1×1; 1×1 then 3×3; 1×1 then "5×5"; 3×3 stride-1 max-pool then 1×1) and are concatenated.
/// Every convolution is torchvision's BasicConv2d: no bias, batch norm (eps 0.001), ReLU. The "5×5" branch
/// uses a 3×3 kernel, as torchvision's does; the published 6,624,904 parameters of <see cref="GoogLeNet"/>
/// depend on it.
/// </summary>
public sealed partial class Inception : Block
{
    /// <summary>The channels of the 1×1 branch.</summary>
    public int Ch1x1 { get; set; }

    /// <summary>The channels of the 1×1 reduction before the 3×3 branch.</summary>
    public int Ch3x3Red { get; set; }

    /// <summary>The channels of the 3×3 branch.</summary>
    public int Ch3x3 { get; set; }

    /// <summary>The channels of the 1×1 reduction before the "5×5" branch.</summary>
    public int Ch5x5Red { get; set; }

    /// <summary>The channels of the "5×5" branch (a 3×3 kernel in torchvision).</summary>
    public int Ch5x5 { get; set; }

    /// <summary>The channels of the 1×1 projection after the pool branch's max-pool.</summary>
    public int PoolProj { get; set; }

    [Conv2D(0, FiltersOf = "Ch1x1", Bias = false, From = Input)]                      partial Layer Branch1 { get; }
    [BatchNorm(Eps = 0.001), ReLU]                                                    partial Layer Branch1Bn { get; }
    [Conv2D(0, FiltersOf = "Ch3x3Red", Bias = false, From = Input)]                   partial Layer Branch2Reduce { get; }
    [BatchNorm(Eps = 0.001), ReLU]                                                    partial Layer Branch2ReduceBn { get; }
    [Conv2D(0, FiltersOf = "Ch3x3", Kernel = 3, Padding = 1, Bias = false)]           partial Layer Branch2 { get; }
    [BatchNorm(Eps = 0.001), ReLU]                                                    partial Layer Branch2Bn { get; }
    [Conv2D(0, FiltersOf = "Ch5x5Red", Bias = false, From = Input)]                   partial Layer Branch3Reduce { get; }
    [BatchNorm(Eps = 0.001), ReLU]                                                    partial Layer Branch3ReduceBn { get; }
    [Conv2D(0, FiltersOf = "Ch5x5", Kernel = 3, Padding = 1, Bias = false)]           partial Layer Branch3 { get; }
    [BatchNorm(Eps = 0.001), ReLU]                                                    partial Layer Branch3Bn { get; }
    [MaxPool2D(3, Stride = 1, Padding = 1, Rounding = Rounding.Ceil, From = Input)]   partial Layer Branch4Pool { get; }
    [Conv2D(0, FiltersOf = "PoolProj", Bias = false)]                                 partial Layer Branch4 { get; }
    [BatchNorm(Eps = 0.001), ReLU]                                                    partial Layer Branch4Bn { get; }
    [Concat(nameof(Branch1Bn), nameof(Branch2Bn), nameof(Branch3Bn), nameof(Branch4Bn))] partial Layer Out { get; }
}

/// <summary>
/// A bottleneck with squeeze-and-excitation (Hu et al. 2018) before the sum: global average pooling,
/// a dense reduction by 16 and expansion (with biases), a sigmoid gate scaling each channel.
/// </summary>
public sealed partial class SEBottleneck : Block
{
    /// <summary>The channels of the 1×1 reduction and the 3×3 convolution.</summary>
    public int Width { get; set; }

    /// <summary>The output channels.</summary>
    public int Out { get; set; }

    /// <summary>The stride of the 3×3 convolution and of the projection (the first copy of a stage only).</summary>
    [FirstRepeatOnly] public int Stride { get; set; } = 1;

    [Conv2D(0, FiltersOf = "Width", Bias = false)]                                                                       partial Layer Conv1 { get; }
    [BatchNorm, ReLU]                                                                                                     partial Layer Bn1 { get; }
    [Conv2D(0, FiltersOf = "Width", Kernel = 3, StrideOf = "Stride", Padding = 1, Bias = false)]                         partial Layer Conv2 { get; }
    [BatchNorm, ReLU]                                                                                                     partial Layer Bn2 { get; }
    [Conv2D(0, FiltersOf = "Out", Bias = false)]                                                                         partial Layer Conv3 { get; }
    [BatchNorm]                                                                                                           partial Layer Bn3 { get; }
    [GlobalAvgPool]                                                                                                       partial Layer Squeeze { get; }
    [Dense(0, UnitsOf = "Out / 16"), ReLU]                                                                                partial Layer Reduce { get; }
    [Dense(0, UnitsOf = "Out"), Sigmoid]                                                                                  partial Layer Expand { get; }
    [Multiply(nameof(Bn3), nameof(Expand))]                                                                               partial Layer Excite { get; }
    [Conv2D(0, FiltersOf = "Out", StrideOf = "Stride", Bias = false, From = Input, When = "Stride != 1 || In != Out")]  partial Layer Downsample { get; }
    [BatchNorm(When = "Stride != 1 || In != Out")]                                                                        partial Layer DownsampleBn { get; }
    [Add(nameof(Excite), nameof(DownsampleBn)), ReLU]                                                                     partial Layer Sum { get; }
}
