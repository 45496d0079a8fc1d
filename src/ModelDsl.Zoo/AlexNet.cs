namespace ModelDsl.Zoo;

/// <summary>
/// AlexNet (Krizhevsky, Sutskever &amp; Hinton 2012, "ImageNet Classification with Deep Convolutional Neural
/// Networks") in torchvision's single-tower form: 64/192/384/256/256 filters, no local response normalization,
/// dropout before the first two dense layers; 61,100,840 parameters, as torchvision's <c>alexnet</c>.
/// </summary>
/// <remarks>
/// At 224×224 the first convolution gives (224 − 11 + 4)/4 + 1 = 55.25 rows; torchvision relies on PyTorch
/// rounding down to 55, so <c>Conv1</c> says <see cref="Rounding.Floor"/> (the last column and row of the
/// padded input are never read). Every other window fits exactly. torchvision's <c>AdaptiveAvgPool2d((6, 6))</c>
/// is the identity at 224 (the features are already 6×6), so it is left out.
/// </remarks>
[Model(Input = [3, 224, 224])]
public partial class AlexNet
{
    [Conv2D(64, Kernel = 11, Stride = 4, Padding = 2, Rounding = Rounding.Floor), ReLU] public partial Layer Conv1 { get; }   // 55×55×64
    [MaxPool2D(3, Stride = 2)]                                                          public partial Layer Pool1 { get; }   // 27×27×64
    [Conv2D(192, Kernel = 5, Padding = 2), ReLU]                                        public partial Layer Conv2 { get; }   // 27×27×192
    [MaxPool2D(3, Stride = 2)]                                                          public partial Layer Pool2 { get; }   // 13×13×192
    [Conv2D(384, Kernel = 3, Padding = 1), ReLU]                                        public partial Layer Conv3 { get; }   // 13×13×384
    [Conv2D(256, Kernel = 3, Padding = 1), ReLU]                                        public partial Layer Conv4 { get; }   // 13×13×256
    [Conv2D(256, Kernel = 3, Padding = 1), ReLU]                                        public partial Layer Conv5 { get; }   // 13×13×256
    [MaxPool2D(3, Stride = 2)]                                                          public partial Layer Pool5 { get; }   // 6×6×256
    [Dropout(0.5)]                                                                      public partial Layer Drop6 { get; }
    [Dense(4096), ReLU]                                                                 public partial Layer Fc6 { get; }     // 9,216 → 4,096
    [Dropout(0.5)]                                                                      public partial Layer Drop7 { get; }
    [Dense(4096), ReLU]                                                                 public partial Layer Fc7 { get; }
    [Dense(1000)]                                                                       public partial Layer Fc8 { get; }
}
