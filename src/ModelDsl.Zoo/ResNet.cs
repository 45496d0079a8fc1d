namespace ModelDsl.Zoo;

/// <summary>
/// The basic residual unit of ResNet-18/34 (He et al. 2016): two 3×3 convolutions with batch norm and a
/// shortcut, projected by a strided 1×1 convolution when the stride or the width changes.
/// </summary>
public sealed partial class BasicBlock : Block
{
    /// <summary>The channels of both convolutions and of the output.</summary>
    public int Width { get; set; }

    /// <summary>The stride of the first convolution and of the projection (the first copy of a stage only).</summary>
    [FirstRepeatOnly] public int Stride { get; set; } = 1;

    [Conv2D(0, FiltersOf = "Width", Kernel = 3, StrideOf = "Stride", Padding = 1, Bias = false)]                           partial Layer Conv1 { get; }
    [BatchNorm, ReLU]                                                                                                       partial Layer Bn1 { get; }
    [Conv2D(0, FiltersOf = "Width", Kernel = 3, Padding = 1, Bias = false)]                                                 partial Layer Conv2 { get; }
    [BatchNorm]                                                                                                             partial Layer Bn2 { get; }
    [Conv2D(0, FiltersOf = "Width", StrideOf = "Stride", Bias = false, From = Input, When = "Stride != 1 || In != Width")] partial Layer Downsample { get; }
    [BatchNorm(When = "Stride != 1 || In != Width")]                                                                        partial Layer DownsampleBn { get; }
    [Add(nameof(Bn2), nameof(DownsampleBn)), ReLU]                                                                          partial Layer Out { get; }
}

/// <summary>
/// The bottleneck unit of ResNet-50/101/152 in torchvision's form (stride on the 3×3): 1×1 to
/// <see cref="Width"/>, 3×3 in <see cref="Groups"/> groups, 1×1 to <see cref="Out"/>, shortcut projected when
/// needed. ResNeXt widens the 3×3 and groups it; Wide ResNet only widens it.
/// </summary>
public sealed partial class Bottleneck : Block
{
    /// <summary>The channels of the 1×1 reduction and the 3×3 convolution.</summary>
    public int Width { get; set; }

    /// <summary>The output channels (4 × the stage's base width in ResNet).</summary>
    public int Out { get; set; }

    /// <summary>The groups of the 3×3 convolution (32 in ResNeXt-50 32×4d).</summary>
    public int Groups { get; set; } = 1;

    /// <summary>The stride of the 3×3 convolution and of the projection (the first copy of a stage only).</summary>
    [FirstRepeatOnly] public int Stride { get; set; } = 1;

    [Conv2D(0, FiltersOf = "Width", Bias = false)]                                                                       partial Layer Conv1 { get; }
    [BatchNorm, ReLU]                                                                                                     partial Layer Bn1 { get; }
    [Conv2D(0, FiltersOf = "Width", Kernel = 3, StrideOf = "Stride", Padding = 1, GroupsOf = "Groups", Bias = false)]    partial Layer Conv2 { get; }
    [BatchNorm, ReLU]                                                                                                     partial Layer Bn2 { get; }
    [Conv2D(0, FiltersOf = "Out", Bias = false)]                                                                         partial Layer Conv3 { get; }
    [BatchNorm]                                                                                                           partial Layer Bn3 { get; }
    [Conv2D(0, FiltersOf = "Out", StrideOf = "Stride", Bias = false, From = Input, When = "Stride != 1 || In != Out")]  partial Layer Downsample { get; }
    [BatchNorm(When = "Stride != 1 || In != Out")]                                                                        partial Layer DownsampleBn { get; }
    [Add(nameof(Bn3), nameof(DownsampleBn)), ReLU]                                                                        partial Layer Sum { get; }
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

/// <summary>ResNet-18 (He et al. 2016), torchvision's form: 11,689,512 parameters. torchvision's stride-2 layers round down on 224×224, so the model opts in to floor rounding.</summary>
[Model(Input = [3, 224, 224], Rounding = Rounding.Floor)]
public partial class ResNet18
{
    [Conv2D(64, Kernel = 7, Stride = 2, Padding = 3, Bias = false)] public partial Layer Conv1 { get; }
    [BatchNorm, ReLU]                                               public partial Layer Bn1 { get; }
    [MaxPool2D(3, Stride = 2, Padding = 1)]                         public partial Layer MaxPool { get; }
    [BasicBlock(Width = 64, Repeat = 2)]                            public partial Layer Layer1 { get; }
    [BasicBlock(Width = 128, Stride = 2, Repeat = 2)]               public partial Layer Layer2 { get; }
    [BasicBlock(Width = 256, Stride = 2, Repeat = 2)]               public partial Layer Layer3 { get; }
    [BasicBlock(Width = 512, Stride = 2, Repeat = 2)]               public partial Layer Layer4 { get; }
    [GlobalAvgPool]                                                 public partial Layer AvgPool { get; }
    [Dense(1000)]                                                   public partial Layer Fc { get; }
}

/// <summary>ResNet-34: 21,797,672 parameters.</summary>
[Model(Input = [3, 224, 224], Rounding = Rounding.Floor)]
public partial class ResNet34
{
    [Conv2D(64, Kernel = 7, Stride = 2, Padding = 3, Bias = false)] public partial Layer Conv1 { get; }
    [BatchNorm, ReLU]                                               public partial Layer Bn1 { get; }
    [MaxPool2D(3, Stride = 2, Padding = 1)]                         public partial Layer MaxPool { get; }
    [BasicBlock(Width = 64, Repeat = 3)]                            public partial Layer Layer1 { get; }
    [BasicBlock(Width = 128, Stride = 2, Repeat = 4)]               public partial Layer Layer2 { get; }
    [BasicBlock(Width = 256, Stride = 2, Repeat = 6)]               public partial Layer Layer3 { get; }
    [BasicBlock(Width = 512, Stride = 2, Repeat = 3)]               public partial Layer Layer4 { get; }
    [GlobalAvgPool]                                                 public partial Layer AvgPool { get; }
    [Dense(1000)]                                                   public partial Layer Fc { get; }
}

/// <summary>ResNet-50: 25,557,032 parameters.</summary>
[Model(Input = [3, 224, 224], Rounding = Rounding.Floor)]
public partial class ResNet50
{
    [Conv2D(64, Kernel = 7, Stride = 2, Padding = 3, Bias = false)] public partial Layer Conv1 { get; }
    [BatchNorm, ReLU]                                               public partial Layer Bn1 { get; }
    [MaxPool2D(3, Stride = 2, Padding = 1)]                         public partial Layer MaxPool { get; }
    [Bottleneck(Width = 64, Out = 256, Repeat = 3)]                 public partial Layer Layer1 { get; }
    [Bottleneck(Width = 128, Out = 512, Stride = 2, Repeat = 4)]    public partial Layer Layer2 { get; }
    [Bottleneck(Width = 256, Out = 1024, Stride = 2, Repeat = 6)]   public partial Layer Layer3 { get; }
    [Bottleneck(Width = 512, Out = 2048, Stride = 2, Repeat = 3)]   public partial Layer Layer4 { get; }
    [GlobalAvgPool]                                                 public partial Layer AvgPool { get; }
    [Dense(1000)]                                                   public partial Layer Fc { get; }
}

/// <summary>ResNet-101: 44,549,160 parameters.</summary>
[Model(Input = [3, 224, 224], Rounding = Rounding.Floor)]
public partial class ResNet101
{
    [Conv2D(64, Kernel = 7, Stride = 2, Padding = 3, Bias = false)] public partial Layer Conv1 { get; }
    [BatchNorm, ReLU]                                               public partial Layer Bn1 { get; }
    [MaxPool2D(3, Stride = 2, Padding = 1)]                         public partial Layer MaxPool { get; }
    [Bottleneck(Width = 64, Out = 256, Repeat = 3)]                 public partial Layer Layer1 { get; }
    [Bottleneck(Width = 128, Out = 512, Stride = 2, Repeat = 4)]    public partial Layer Layer2 { get; }
    [Bottleneck(Width = 256, Out = 1024, Stride = 2, Repeat = 23)]  public partial Layer Layer3 { get; }
    [Bottleneck(Width = 512, Out = 2048, Stride = 2, Repeat = 3)]   public partial Layer Layer4 { get; }
    [GlobalAvgPool]                                                 public partial Layer AvgPool { get; }
    [Dense(1000)]                                                   public partial Layer Fc { get; }
}

/// <summary>ResNet-152: 60,192,808 parameters.</summary>
[Model(Input = [3, 224, 224], Rounding = Rounding.Floor)]
public partial class ResNet152
{
    [Conv2D(64, Kernel = 7, Stride = 2, Padding = 3, Bias = false)] public partial Layer Conv1 { get; }
    [BatchNorm, ReLU]                                               public partial Layer Bn1 { get; }
    [MaxPool2D(3, Stride = 2, Padding = 1)]                         public partial Layer MaxPool { get; }
    [Bottleneck(Width = 64, Out = 256, Repeat = 3)]                 public partial Layer Layer1 { get; }
    [Bottleneck(Width = 128, Out = 512, Stride = 2, Repeat = 8)]    public partial Layer Layer2 { get; }
    [Bottleneck(Width = 256, Out = 1024, Stride = 2, Repeat = 36)]  public partial Layer Layer3 { get; }
    [Bottleneck(Width = 512, Out = 2048, Stride = 2, Repeat = 3)]   public partial Layer Layer4 { get; }
    [GlobalAvgPool]                                                 public partial Layer AvgPool { get; }
    [Dense(1000)]                                                   public partial Layer Fc { get; }
}

/// <summary>ResNeXt-50 32×4d (Xie et al. 2017): the 3×3 of each bottleneck in 32 groups, twice as wide; 25,028,904 parameters.</summary>
[Model(Input = [3, 224, 224], Rounding = Rounding.Floor)]
public partial class ResNeXt50
{
    [Conv2D(64, Kernel = 7, Stride = 2, Padding = 3, Bias = false)]           public partial Layer Conv1 { get; }
    [BatchNorm, ReLU]                                                         public partial Layer Bn1 { get; }
    [MaxPool2D(3, Stride = 2, Padding = 1)]                                   public partial Layer MaxPool { get; }
    [Bottleneck(Width = 128, Out = 256, Groups = 32, Repeat = 3)]             public partial Layer Layer1 { get; }
    [Bottleneck(Width = 256, Out = 512, Groups = 32, Stride = 2, Repeat = 4)] public partial Layer Layer2 { get; }
    [Bottleneck(Width = 512, Out = 1024, Groups = 32, Stride = 2, Repeat = 6)] public partial Layer Layer3 { get; }
    [Bottleneck(Width = 1024, Out = 2048, Groups = 32, Stride = 2, Repeat = 3)] public partial Layer Layer4 { get; }
    [GlobalAvgPool]                                                           public partial Layer AvgPool { get; }
    [Dense(1000)]                                                             public partial Layer Fc { get; }
}

/// <summary>Wide ResNet-50-2 (Zagoruyko &amp; Komodakis 2016, torchvision's form): bottlenecks twice as wide; 68,883,240 parameters.</summary>
[Model(Input = [3, 224, 224], Rounding = Rounding.Floor)]
public partial class WideResNet50
{
    [Conv2D(64, Kernel = 7, Stride = 2, Padding = 3, Bias = false)] public partial Layer Conv1 { get; }
    [BatchNorm, ReLU]                                               public partial Layer Bn1 { get; }
    [MaxPool2D(3, Stride = 2, Padding = 1)]                         public partial Layer MaxPool { get; }
    [Bottleneck(Width = 128, Out = 256, Repeat = 3)]                public partial Layer Layer1 { get; }
    [Bottleneck(Width = 256, Out = 512, Stride = 2, Repeat = 4)]    public partial Layer Layer2 { get; }
    [Bottleneck(Width = 512, Out = 1024, Stride = 2, Repeat = 6)]   public partial Layer Layer3 { get; }
    [Bottleneck(Width = 1024, Out = 2048, Stride = 2, Repeat = 3)]  public partial Layer Layer4 { get; }
    [GlobalAvgPool]                                                 public partial Layer AvgPool { get; }
    [Dense(1000)]                                                   public partial Layer Fc { get; }
}

/// <summary>SE-ResNet-50 (Hu et al. 2018), SE layers with biases, reduction 16: 28,088,024 parameters.</summary>
[Model(Input = [3, 224, 224], Rounding = Rounding.Floor)]
public partial class SEResNet50
{
    [Conv2D(64, Kernel = 7, Stride = 2, Padding = 3, Bias = false)] public partial Layer Conv1 { get; }
    [BatchNorm, ReLU]                                               public partial Layer Bn1 { get; }
    [MaxPool2D(3, Stride = 2, Padding = 1)]                         public partial Layer MaxPool { get; }
    [SEBottleneck(Width = 64, Out = 256, Repeat = 3)]               public partial Layer Layer1 { get; }
    [SEBottleneck(Width = 128, Out = 512, Stride = 2, Repeat = 4)]  public partial Layer Layer2 { get; }
    [SEBottleneck(Width = 256, Out = 1024, Stride = 2, Repeat = 6)] public partial Layer Layer3 { get; }
    [SEBottleneck(Width = 512, Out = 2048, Stride = 2, Repeat = 3)] public partial Layer Layer4 { get; }
    [GlobalAvgPool]                                                 public partial Layer AvgPool { get; }
    [Dense(1000)]                                                   public partial Layer Fc { get; }
}

/// <summary>
/// ResNet-18 for CIFAR-10's 32×32 images: a 3×3 stride-1 stem and no max-pool; 11,173,962 parameters.
/// Its stride-2 3×3 convolutions give (32 − 3 + 2)/2 + 1 = 16.5 and round down, as the PyTorch versions do.
/// </summary>
[Model(Input = [3, 32, 32], Rounding = Rounding.Floor)]
public partial class CifarResNet18
{
    [Conv2D(64, Kernel = 3, Padding = 1, Bias = false)] public partial Layer Conv1 { get; }
    [BatchNorm, ReLU]                                   public partial Layer Bn1 { get; }
    [BasicBlock(Width = 64, Repeat = 2)]                public partial Layer Layer1 { get; }
    [BasicBlock(Width = 128, Stride = 2, Repeat = 2)]   public partial Layer Layer2 { get; }
    [BasicBlock(Width = 256, Stride = 2, Repeat = 2)]   public partial Layer Layer3 { get; }
    [BasicBlock(Width = 512, Stride = 2, Repeat = 2)]   public partial Layer Layer4 { get; }
    [GlobalAvgPool]                                     public partial Layer AvgPool { get; }
    [Dense(10)]                                         public partial Layer Fc { get; }
}
