namespace ModelDsl.Zoo;

/// <summary>
/// The MBConv block of EfficientNet (Tan &amp; Le 2019), torchvision's form: a 1×1 expansion to
/// <see cref="Expand"/> × the input channels (left out when the factor is 1), a depthwise
/// <see cref="Kernel"/>×<see cref="Kernel"/> convolution, squeeze-and-excitation (global average pooling, a dense
/// reduction to a quarter of the block's input channels with SiLU, a dense expansion with a sigmoid gate, both
/// with biases, as torchvision's 1×1 convolutions on the pooled vector), a linear 1×1 projection, and a residual
/// sum when the stride is 1 and the channels do not change. Batch norm with eps 0.001, SiLU activations.
/// torchvision's stochastic depth drops the residual branch in training only and has no parameters; it is not
/// declared here.
/// </summary>
public sealed partial class MBConv : Block
{
    /// <summary>The output channels.</summary>
    public int Out { get; set; }

    /// <summary>The expansion factor of the hidden channels.</summary>
    public int Expand { get; set; } = 6;

    /// <summary>The depthwise kernel's size (3 or 5), padded to keep the size at stride 1.</summary>
    public int Kernel { get; set; } = 3;

    /// <summary>The stride of the depthwise convolution (the first copy of a stage only).</summary>
    [FirstRepeatOnly] public int Stride { get; set; } = 1;

    [Conv2D(0, FiltersOf = "In * Expand", Bias = false, When = "Expand != 1")]                                                                                 partial Layer ExpandConv { get; }
    [BatchNorm(Eps = 0.001, When = "Expand != 1"), SiLU]                                                                                                        partial Layer ExpandBn { get; }
    [Conv2D(0, FiltersOf = "In * Expand", KernelOf = "Kernel", StrideOf = "Stride", PaddingOf = "Kernel / 2", GroupsOf = "In * Expand", Bias = false)]         partial Layer Depthwise { get; }
    [BatchNorm(Eps = 0.001), SiLU]                                                                                                                              partial Layer DepthwiseBn { get; }
    [GlobalAvgPool]                                                                                                                                             partial Layer Squeeze { get; }
    [Dense(0, UnitsOf = "In / 4"), SiLU]                                                                                                                        partial Layer Reduce { get; }
    [Dense(0, UnitsOf = "In * Expand"), Sigmoid]                                                                                                                partial Layer Gate { get; }
    [Multiply(nameof(DepthwiseBn), nameof(Gate))]                                                                                                               partial Layer Excite { get; }
    [Conv2D(0, FiltersOf = "Out", Bias = false)]                                                                                                                partial Layer Project { get; }
    [BatchNorm(Eps = 0.001)]                                                                                                                                    partial Layer ProjectBn { get; }
    [Add(nameof(ProjectBn), Input, When = "Stride == 1 && In == Out")]                                                                                          partial Layer Sum { get; }
}

/// <summary>
/// EfficientNet-B0 (Tan &amp; Le 2019, "EfficientNet: Rethinking model scaling for convolutional neural
/// networks"), torchvision's form: 5,288,548 parameters. Its stride-2 convolutions round down on even sizes,
/// as PyTorch does, so the model opts in to floor rounding.
/// </summary>
[Model(Input = [3, 224, 224], Rounding = Rounding.Floor)]
public partial class EfficientNetB0
{
    [Conv2D(32, Kernel = 3, Stride = 2, Padding = 1, Bias = false)] public partial Layer Stem { get; }
    [BatchNorm(Eps = 0.001), SiLU]                                  public partial Layer StemBn { get; }
    [MBConv(Out = 16, Expand = 1)]                                  public partial Layer Stage1 { get; }
    [MBConv(Out = 24, Stride = 2, Repeat = 2)]                      public partial Layer Stage2 { get; }
    [MBConv(Out = 40, Kernel = 5, Stride = 2, Repeat = 2)]          public partial Layer Stage3 { get; }
    [MBConv(Out = 80, Stride = 2, Repeat = 3)]                      public partial Layer Stage4 { get; }
    [MBConv(Out = 112, Kernel = 5, Repeat = 3)]                     public partial Layer Stage5 { get; }
    [MBConv(Out = 192, Kernel = 5, Stride = 2, Repeat = 4)]         public partial Layer Stage6 { get; }
    [MBConv(Out = 320)]                                             public partial Layer Stage7 { get; }
    [Conv2D(1280, Bias = false)]                                    public partial Layer Head { get; }
    [BatchNorm(Eps = 0.001), SiLU]                                  public partial Layer HeadBn { get; }
    [GlobalAvgPool]                                                 public partial Layer AvgPool { get; }
    [Dropout(0.2)]                                                  public partial Layer Dropout { get; }
    [Dense(1000)]                                                   public partial Layer Classifier { get; }
}
