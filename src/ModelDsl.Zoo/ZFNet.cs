namespace ModelDsl.Zoo;

/// <summary>
/// ZFNet (Zeiler &amp; Fergus 2013, "Visualizing and Understanding Convolutional Networks") as the course notes
/// give it: AlexNet with a 7×7 stride-2 first convolution and 512, 1,024 and 512 filters in layers 3–5
/// (the paper's wider variant); 224×224 input; 107,627,624 parameters. The paper states no total.
/// </summary>
/// <remarks>
/// The sizes follow the paper's figure 3: 110×110×96 → 55×55×96 → 26×26×256 → 13×13×256 → 13×13 (layers
/// 3–5) → 6×6. The paper does not give the paddings; these choices reproduce its sizes:
/// <list type="bullet">
/// <item><c>Conv1</c>: P = 1 rounded down, (224 − 7 + 2)/2 + 1 = 110.5 → 110.</item>
/// <item><c>Pool1</c>, <c>Pool2</c>: 3×3 stride 2 rounded up (cuda-convnet's and Caffe's pooling rule),
/// (110 − 3)/2 + 1 = 54.5 → 55 and (26 − 3)/2 + 1 = 12.5 → 13.</item>
/// <item><c>Conv2</c>: 5×5 stride 2 without padding, (55 − 5)/2 + 1 = 26 exactly.</item>
/// </list>
/// The paper's contrast normalization after layers 1 and 2 is written as local response normalization over
/// 5 channels with AlexNet's constants (k = 2); it has no parameters.
/// </remarks>
[Model(Input = [3, 224, 224])]
public partial class ZFNet
{
    [Conv2D(96, Kernel = 7, Stride = 2, Padding = 1, Rounding = Rounding.Floor), ReLU] public partial Layer Conv1 { get; }   // 110×110×96
    [MaxPool2D(3, Stride = 2, Rounding = Rounding.Ceil)]                               public partial Layer Pool1 { get; }   // 55×55×96
    [LocalResponseNorm(5, K = 2)]                                                      public partial Layer Norm1 { get; }
    [Conv2D(256, Kernel = 5, Stride = 2), ReLU]                                        public partial Layer Conv2 { get; }   // 26×26×256
    [MaxPool2D(3, Stride = 2, Rounding = Rounding.Ceil)]                               public partial Layer Pool2 { get; }   // 13×13×256
    [LocalResponseNorm(5, K = 2)]                                                      public partial Layer Norm2 { get; }
    [Conv2D(512, Kernel = 3, Padding = 1), ReLU]                                       public partial Layer Conv3 { get; }   // 13×13×512
    [Conv2D(1024, Kernel = 3, Padding = 1), ReLU]                                      public partial Layer Conv4 { get; }   // 13×13×1024
    [Conv2D(512, Kernel = 3, Padding = 1), ReLU]                                       public partial Layer Conv5 { get; }   // 13×13×512
    [MaxPool2D(3, Stride = 2)]                                                         public partial Layer Pool5 { get; }   // 6×6×512
    [Dense(4096), ReLU]                                                                public partial Layer Fc6 { get; }     // 18,432 → 4,096
    [Dropout(0.5)]                                                                     public partial Layer Drop6 { get; }
    [Dense(4096), ReLU]                                                                public partial Layer Fc7 { get; }
    [Dropout(0.5)]                                                                     public partial Layer Drop7 { get; }
    [Dense(1000)]                                                                      public partial Layer Fc8 { get; }
}
