namespace ModelDsl.Zoo;

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
/// GoogLeNet (Szegedy et al. 2015, "Going deeper with convolutions"), torchvision's form without the
/// auxiliary classifiers: 6,624,904 parameters. The stem's 7×7 stride-2 convolution rounds down on
/// 224×224 (the model's rounding); the max-pools between stages round up, as torchvision's ceil_mode.
/// </summary>
[Model(Input = [3, 224, 224], Rounding = Rounding.Floor)]
public partial class GoogLeNet
{
    [Conv2D(64, Kernel = 7, Stride = 2, Padding = 3, Bias = false)]                                          public partial Layer Conv1 { get; }
    [BatchNorm(Eps = 0.001), ReLU]                                                                           public partial Layer Conv1Bn { get; }
    [MaxPool2D(3, Stride = 2, Rounding = Rounding.Ceil)]                                                     public partial Layer MaxPool1 { get; }
    [Conv2D(64, Bias = false)]                                                                               public partial Layer Conv2 { get; }
    [BatchNorm(Eps = 0.001), ReLU]                                                                           public partial Layer Conv2Bn { get; }
    [Conv2D(192, Kernel = 3, Padding = 1, Bias = false)]                                                     public partial Layer Conv3 { get; }
    [BatchNorm(Eps = 0.001), ReLU]                                                                           public partial Layer Conv3Bn { get; }
    [MaxPool2D(3, Stride = 2, Rounding = Rounding.Ceil)]                                                     public partial Layer MaxPool2 { get; }
    [Inception(Ch1x1 = 64, Ch3x3Red = 96, Ch3x3 = 128, Ch5x5Red = 16, Ch5x5 = 32, PoolProj = 32)]            public partial Layer Inception3a { get; }
    [Inception(Ch1x1 = 128, Ch3x3Red = 128, Ch3x3 = 192, Ch5x5Red = 32, Ch5x5 = 96, PoolProj = 64)]          public partial Layer Inception3b { get; }
    [MaxPool2D(3, Stride = 2, Rounding = Rounding.Ceil)]                                                     public partial Layer MaxPool3 { get; }
    [Inception(Ch1x1 = 192, Ch3x3Red = 96, Ch3x3 = 208, Ch5x5Red = 16, Ch5x5 = 48, PoolProj = 64)]           public partial Layer Inception4a { get; }
    [Inception(Ch1x1 = 160, Ch3x3Red = 112, Ch3x3 = 224, Ch5x5Red = 24, Ch5x5 = 64, PoolProj = 64)]          public partial Layer Inception4b { get; }
    [Inception(Ch1x1 = 128, Ch3x3Red = 128, Ch3x3 = 256, Ch5x5Red = 24, Ch5x5 = 64, PoolProj = 64)]          public partial Layer Inception4c { get; }
    [Inception(Ch1x1 = 112, Ch3x3Red = 144, Ch3x3 = 288, Ch5x5Red = 32, Ch5x5 = 64, PoolProj = 64)]          public partial Layer Inception4d { get; }
    [Inception(Ch1x1 = 256, Ch3x3Red = 160, Ch3x3 = 320, Ch5x5Red = 32, Ch5x5 = 128, PoolProj = 128)]        public partial Layer Inception4e { get; }
    [MaxPool2D(2, Stride = 2, Rounding = Rounding.Ceil)]                                                     public partial Layer MaxPool4 { get; }
    [Inception(Ch1x1 = 256, Ch3x3Red = 160, Ch3x3 = 320, Ch5x5Red = 32, Ch5x5 = 128, PoolProj = 128)]        public partial Layer Inception5a { get; }
    [Inception(Ch1x1 = 384, Ch3x3Red = 192, Ch3x3 = 384, Ch5x5Red = 48, Ch5x5 = 128, PoolProj = 128)]        public partial Layer Inception5b { get; }
    [GlobalAvgPool]                                                                                          public partial Layer AvgPool { get; }
    [Dropout(0.2)]                                                                                           public partial Layer Dropout { get; }
    [Dense(1000)]                                                                                            public partial Layer Fc { get; }
}
