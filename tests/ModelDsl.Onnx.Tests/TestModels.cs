namespace ModelDsl.Onnx.Tests;

/// <summary>VGG-16's pattern at CIFAR scale (the full model's 138 M parameters make too big a test): 3×3 convolutions with padding, max-pooling, dense + ReLU, dropout.</summary>
[Model(Input = [3, 32, 32])]
public partial class SmallVgg
{
    [Conv2D(16, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv1_1 { get; }
    [Conv2D(16, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv1_2 { get; }
    [MaxPool2D(2)]                              public partial Layer Pool1 { get; }
    [Conv2D(32, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv2_1 { get; }
    [MaxPool2D(2)]                              public partial Layer Pool2 { get; }
    [Dense(64), ReLU]                           public partial Layer Fc1 { get; }
    [Dropout(0.5)]                              public partial Layer Drop1 { get; }
    [Dense(10)]                                 public partial Layer Fc2 { get; }
}

/// <summary>A layer the exporter does not write (LeakyReLU), after one it does.</summary>
[Model(Input = [1, 8, 8])]
public partial class WithLeakyReLU
{
    [Conv2D(2, Kernel = 3)] public partial Layer Conv { get; }
    [LeakyReLU]             public partial Layer Leaky { get; }
}

/// <summary>Stride, dilation, groups and asymmetric padding in one place, with a sigmoid and a standalone Tanh.</summary>
[Model(Input = [4, 11, 11])]
public partial class ConvVariants
{
    [Conv2D(6, Kernel = 3, Stride = 2, Padding = 1, Groups = 2), Sigmoid] public partial Layer Strided { get; }
    [Conv2D(4, Kernel = 3, Dilation = 2, Padding = 2)]                    public partial Layer Dilated { get; }
    [Tanh]                                                                public partial Layer Act { get; }
    [GlobalAvgPool]                                                       public partial Layer Gap { get; }
    [Dense(3)]                                                            public partial Layer Out { get; }
}
