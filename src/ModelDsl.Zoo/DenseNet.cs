namespace ModelDsl.Zoo;

/// <summary>
/// One layer of a DenseNet dense block (Huang et al. 2017, DenseNet-BC), torchvision's form: batch norm and
/// ReLU, a 1×1 bottleneck to <see cref="BnSize"/> × <see cref="Growth"/> channels, batch norm and ReLU, a 3×3
/// convolution to <see cref="Growth"/> new channels, concatenated after the layer's input (convolutions without
/// bias). A dense block of n layers is this block with <c>Repeat = n</c>.
/// </summary>
public sealed partial class DenseLayer : Block
{
    /// <summary>k, the channels each layer adds (32 in DenseNet-121/169/201).</summary>
    public int Growth { get; set; } = 32;

    /// <summary>The bottleneck's width as a multiple of the growth rate.</summary>
    public int BnSize { get; set; } = 4;

    [BatchNorm, ReLU]                                                        partial Layer Norm1 { get; }
    [Conv2D(0, FiltersOf = "BnSize * Growth", Bias = false)]                 partial Layer Conv1 { get; }
    [BatchNorm, ReLU]                                                        partial Layer Norm2 { get; }
    [Conv2D(0, FiltersOf = "Growth", Kernel = 3, Padding = 1, Bias = false)] partial Layer Conv2 { get; }
    [Concat(Input, nameof(Conv2))]                                           partial Layer Out { get; }
}

/// <summary>
/// The transition between DenseNet's dense blocks (Huang et al. 2017, compression 0.5): batch norm and ReLU,
/// a 1×1 convolution without bias halving the channels, 2×2 average pooling halving the size.
/// </summary>
public sealed partial class Transition : Block
{
    [BatchNorm, ReLU]                                  partial Layer Norm { get; }
    [Conv2D(0, FiltersOf = "In / 2", Bias = false)]    partial Layer Conv { get; }
    [AvgPool2D(2)]                                     partial Layer Pool { get; }
}

/// <summary>
/// DenseNet-121 (Huang et al. 2017, "Densely connected convolutional networks"), torchvision's form:
/// growth rate 32, dense blocks of 6, 12, 24 and 16 layers; 7,978,856 parameters. The stem's stride-2
/// layers round down on 224×224, so the model opts in to floor rounding.
/// </summary>
[Model(Input = [3, 224, 224], Rounding = Rounding.Floor)]
public partial class DenseNet121
{
    [Conv2D(64, Kernel = 7, Stride = 2, Padding = 3, Bias = false)] public partial Layer Conv0 { get; }
    [BatchNorm, ReLU]                                               public partial Layer Norm0 { get; }
    [MaxPool2D(3, Stride = 2, Padding = 1)]                         public partial Layer Pool0 { get; }
    [DenseLayer(Repeat = 6)]                                        public partial Layer DenseBlock1 { get; }
    [Transition]                                                    public partial Layer Transition1 { get; }
    [DenseLayer(Repeat = 12)]                                       public partial Layer DenseBlock2 { get; }
    [Transition]                                                    public partial Layer Transition2 { get; }
    [DenseLayer(Repeat = 24)]                                       public partial Layer DenseBlock3 { get; }
    [Transition]                                                    public partial Layer Transition3 { get; }
    [DenseLayer(Repeat = 16)]                                       public partial Layer DenseBlock4 { get; }
    [BatchNorm, ReLU]                                               public partial Layer Norm5 { get; }
    [GlobalAvgPool]                                                 public partial Layer AvgPool { get; }
    [Dense(1000)]                                                   public partial Layer Classifier { get; }
}

/// <summary>DenseNet-169 (Huang et al. 2017), torchvision's form: dense blocks of 6, 12, 32 and 32 layers; 14,149,480 parameters.</summary>
[Model(Input = [3, 224, 224], Rounding = Rounding.Floor)]
public partial class DenseNet169
{
    [Conv2D(64, Kernel = 7, Stride = 2, Padding = 3, Bias = false)] public partial Layer Conv0 { get; }
    [BatchNorm, ReLU]                                               public partial Layer Norm0 { get; }
    [MaxPool2D(3, Stride = 2, Padding = 1)]                         public partial Layer Pool0 { get; }
    [DenseLayer(Repeat = 6)]                                        public partial Layer DenseBlock1 { get; }
    [Transition]                                                    public partial Layer Transition1 { get; }
    [DenseLayer(Repeat = 12)]                                       public partial Layer DenseBlock2 { get; }
    [Transition]                                                    public partial Layer Transition2 { get; }
    [DenseLayer(Repeat = 32)]                                       public partial Layer DenseBlock3 { get; }
    [Transition]                                                    public partial Layer Transition3 { get; }
    [DenseLayer(Repeat = 32)]                                       public partial Layer DenseBlock4 { get; }
    [BatchNorm, ReLU]                                               public partial Layer Norm5 { get; }
    [GlobalAvgPool]                                                 public partial Layer AvgPool { get; }
    [Dense(1000)]                                                   public partial Layer Classifier { get; }
}

/// <summary>DenseNet-201 (Huang et al. 2017), torchvision's form: dense blocks of 6, 12, 48 and 32 layers; 20,013,928 parameters.</summary>
[Model(Input = [3, 224, 224], Rounding = Rounding.Floor)]
public partial class DenseNet201
{
    [Conv2D(64, Kernel = 7, Stride = 2, Padding = 3, Bias = false)] public partial Layer Conv0 { get; }
    [BatchNorm, ReLU]                                               public partial Layer Norm0 { get; }
    [MaxPool2D(3, Stride = 2, Padding = 1)]                         public partial Layer Pool0 { get; }
    [DenseLayer(Repeat = 6)]                                        public partial Layer DenseBlock1 { get; }
    [Transition]                                                    public partial Layer Transition1 { get; }
    [DenseLayer(Repeat = 12)]                                       public partial Layer DenseBlock2 { get; }
    [Transition]                                                    public partial Layer Transition2 { get; }
    [DenseLayer(Repeat = 48)]                                       public partial Layer DenseBlock3 { get; }
    [Transition]                                                    public partial Layer Transition3 { get; }
    [DenseLayer(Repeat = 32)]                                       public partial Layer DenseBlock4 { get; }
    [BatchNorm, ReLU]                                               public partial Layer Norm5 { get; }
    [GlobalAvgPool]                                                 public partial Layer AvgPool { get; }
    [Dense(1000)]                                                   public partial Layer Classifier { get; }
}
