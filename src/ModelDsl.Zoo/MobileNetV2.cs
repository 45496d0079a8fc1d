namespace ModelDsl.Zoo;

/// <summary>
/// The inverted residual of MobileNetV2 (Sandler et al. 2018), torchvision's form: a 1×1 expansion to
/// <see cref="Expand"/> × the input channels with batch norm and ReLU6 (left out when the factor is 1), a 3×3
/// depthwise convolution with batch norm and ReLU6, a linear 1×1 projection to <see cref="Out"/> with batch
/// norm, and a residual sum only when the stride is 1 and the channels do not change. Convolutions without bias.
/// </summary>
public sealed partial class InvertedResidual : Block
{
    /// <summary>The output channels (c in the paper's table).</summary>
    public int Out { get; set; }

    /// <summary>t, the expansion factor of the hidden channels.</summary>
    public int Expand { get; set; } = 6;

    /// <summary>s, the stride of the depthwise convolution (the first copy of a stage only).</summary>
    [FirstRepeatOnly] public int Stride { get; set; } = 1;

    [Conv2D(0, FiltersOf = "In * Expand", Bias = false, When = "Expand != 1")]                                                      partial Layer ExpandConv { get; }
    [BatchNorm(When = "Expand != 1"), ReLU6]                                                                                         partial Layer ExpandBn { get; }
    [Conv2D(0, FiltersOf = "In * Expand", Kernel = 3, StrideOf = "Stride", Padding = 1, GroupsOf = "In * Expand", Bias = false)]    partial Layer Depthwise { get; }
    [BatchNorm, ReLU6]                                                                                                               partial Layer DepthwiseBn { get; }
    [Conv2D(0, FiltersOf = "Out", Bias = false)]                                                                                     partial Layer Project { get; }
    [BatchNorm]                                                                                                                      partial Layer ProjectBn { get; }
    [Add(nameof(ProjectBn), Input, When = "Stride == 1 && In == Out")]                                                               partial Layer Sum { get; }
}

/// <summary>
/// MobileNetV2 (Sandler et al. 2018, "MobileNetV2: Inverted residuals and linear bottlenecks"), torchvision's
/// form at width 1.0: 3,504,872 parameters. The stride-2 3×3 convolutions round down on even sizes, as PyTorch
/// does, so the model opts in to floor rounding.
/// </summary>
[Model(Input = [3, 224, 224], Rounding = Rounding.Floor)]
public partial class MobileNetV2
{
    [Conv2D(32, Kernel = 3, Stride = 2, Padding = 1, Bias = false)] public partial Layer Conv1 { get; }
    [BatchNorm, ReLU6]                                              public partial Layer Bn1 { get; }
    [InvertedResidual(Out = 16, Expand = 1)]                        public partial Layer Block1 { get; }
    [InvertedResidual(Out = 24, Stride = 2, Repeat = 2)]            public partial Layer Block2 { get; }
    [InvertedResidual(Out = 32, Stride = 2, Repeat = 3)]            public partial Layer Block3 { get; }
    [InvertedResidual(Out = 64, Stride = 2, Repeat = 4)]            public partial Layer Block4 { get; }
    [InvertedResidual(Out = 96, Repeat = 3)]                        public partial Layer Block5 { get; }
    [InvertedResidual(Out = 160, Stride = 2, Repeat = 3)]           public partial Layer Block6 { get; }
    [InvertedResidual(Out = 320)]                                   public partial Layer Block7 { get; }
    [Conv2D(1280, Bias = false)]                                    public partial Layer Conv2 { get; }
    [BatchNorm, ReLU6]                                              public partial Layer Bn2 { get; }
    [GlobalAvgPool]                                                 public partial Layer AvgPool { get; }
    [Dropout(0.2)]                                                  public partial Layer Dropout { get; }
    [Dense(1000)]                                                   public partial Layer Classifier { get; }
}
