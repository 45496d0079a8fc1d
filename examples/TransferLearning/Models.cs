using ModelDsl;

namespace TransferLearning;

/// <summary>The course LeNet (conv 20@5×5, max-pool, conv 50@5×5, max-pool, dense 500) with a 5-way head.</summary>
[Model(Input = [1, 28, 28])]
public partial class LeNet5Way
{
    [Conv2D(20, Kernel = 5), ReLU] public partial Layer Conv1 { get; }
    [MaxPool2D(2)]                 public partial Layer Pool1 { get; }
    [Conv2D(50, Kernel = 5), ReLU] public partial Layer Conv2 { get; }
    [MaxPool2D(2)]                 public partial Layer Pool2 { get; }
    [Dense(500), ReLU]             public partial Layer Fc1 { get; }
    [Dense(5)]                     public partial Layer Head { get; }
}

/// <summary>The zoo's FashionNet (VGG-style with batch norm) with a 5-way head.</summary>
[Model(Input = [1, 28, 28])]
public partial class FashionNet5Way
{
    [Conv2D(32, Kernel = 3, Padding = 1, Bias = false)] public partial Layer Conv1 { get; }
    [BatchNorm, ReLU]                                   public partial Layer Bn1 { get; }
    [Conv2D(32, Kernel = 3, Padding = 1, Bias = false)] public partial Layer Conv2 { get; }
    [BatchNorm, ReLU]                                   public partial Layer Bn2 { get; }
    [MaxPool2D(2)]                                      public partial Layer Pool1 { get; }
    [Conv2D(64, Kernel = 3, Padding = 1, Bias = false)] public partial Layer Conv3 { get; }
    [BatchNorm, ReLU]                                   public partial Layer Bn3 { get; }
    [Conv2D(64, Kernel = 3, Padding = 1, Bias = false)] public partial Layer Conv4 { get; }
    [BatchNorm, ReLU]                                   public partial Layer Bn4 { get; }
    [MaxPool2D(2)]                                      public partial Layer Pool2 { get; }
    [Dense(256), ReLU]                                  public partial Layer Fc1 { get; }
    [Dropout(0.5)]                                      public partial Layer Drop1 { get; }
    [Dense(5)]                                          public partial Layer Head { get; }
}
