namespace ModelDsl.Zoo;

/// <summary>
/// VGG-11 (Simonyan &amp; Zisserman 2015, "Very Deep Convolutional Networks for Large-Scale Image Recognition",
/// configuration A) in torchvision's form: eight 3×3 convolutions with padding 1, 2×2 max-pooling, dense
/// 25,088 → 4,096 → 4,096 → 1,000 with dropout 0.5; 132,863,336 parameters, as torchvision's <c>vgg11</c>.
/// </summary>
/// <remarks>torchvision's <c>AdaptiveAvgPool2d((7, 7))</c> is the identity at 224×224 (the features are already 7×7) and is left out.</remarks>
[Model(Input = [3, 224, 224])]
public partial class Vgg11
{
    [Conv2D(64, Kernel = 3, Padding = 1), ReLU]  public partial Layer Conv1_1 { get; }   // 224×224×64
    [MaxPool2D(2)]                               public partial Layer Pool1 { get; }     // 112×112×64
    [Conv2D(128, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv2_1 { get; }   // 112×112×128
    [MaxPool2D(2)]                               public partial Layer Pool2 { get; }     // 56×56×128
    [Conv2D(256, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv3_1 { get; }   // 56×56×256
    [Conv2D(256, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv3_2 { get; }   // 56×56×256
    [MaxPool2D(2)]                               public partial Layer Pool3 { get; }     // 28×28×256
    [Conv2D(512, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv4_1 { get; }   // 28×28×512
    [Conv2D(512, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv4_2 { get; }   // 28×28×512
    [MaxPool2D(2)]                               public partial Layer Pool4 { get; }     // 14×14×512
    [Conv2D(512, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv5_1 { get; }   // 14×14×512
    [Conv2D(512, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv5_2 { get; }   // 14×14×512
    [MaxPool2D(2)]                               public partial Layer Pool5 { get; }     // 7×7×512
    [Dense(4096), ReLU]                          public partial Layer Fc6 { get; }       // 25,088 → 4,096
    [Dropout(0.5)]                               public partial Layer Drop6 { get; }
    [Dense(4096), ReLU]                          public partial Layer Fc7 { get; }
    [Dropout(0.5)]                               public partial Layer Drop7 { get; }
    [Dense(1000)]                                public partial Layer Fc8 { get; }
}

/// <summary>
/// VGG-13 (Simonyan &amp; Zisserman 2015, "Very Deep Convolutional Networks for Large-Scale Image Recognition",
/// configuration B) in torchvision's form: ten 3×3 convolutions with padding 1, 2×2 max-pooling, dense
/// 25,088 → 4,096 → 4,096 → 1,000 with dropout 0.5; 133,047,848 parameters, as torchvision's <c>vgg13</c>.
/// </summary>
/// <remarks>torchvision's <c>AdaptiveAvgPool2d((7, 7))</c> is the identity at 224×224 (the features are already 7×7) and is left out.</remarks>
[Model(Input = [3, 224, 224])]
public partial class Vgg13
{
    [Conv2D(64, Kernel = 3, Padding = 1), ReLU]  public partial Layer Conv1_1 { get; }   // 224×224×64
    [Conv2D(64, Kernel = 3, Padding = 1), ReLU]  public partial Layer Conv1_2 { get; }   // 224×224×64
    [MaxPool2D(2)]                               public partial Layer Pool1 { get; }     // 112×112×64
    [Conv2D(128, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv2_1 { get; }   // 112×112×128
    [Conv2D(128, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv2_2 { get; }   // 112×112×128
    [MaxPool2D(2)]                               public partial Layer Pool2 { get; }     // 56×56×128
    [Conv2D(256, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv3_1 { get; }   // 56×56×256
    [Conv2D(256, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv3_2 { get; }   // 56×56×256
    [MaxPool2D(2)]                               public partial Layer Pool3 { get; }     // 28×28×256
    [Conv2D(512, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv4_1 { get; }   // 28×28×512
    [Conv2D(512, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv4_2 { get; }   // 28×28×512
    [MaxPool2D(2)]                               public partial Layer Pool4 { get; }     // 14×14×512
    [Conv2D(512, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv5_1 { get; }   // 14×14×512
    [Conv2D(512, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv5_2 { get; }   // 14×14×512
    [MaxPool2D(2)]                               public partial Layer Pool5 { get; }     // 7×7×512
    [Dense(4096), ReLU]                          public partial Layer Fc6 { get; }       // 25,088 → 4,096
    [Dropout(0.5)]                               public partial Layer Drop6 { get; }
    [Dense(4096), ReLU]                          public partial Layer Fc7 { get; }
    [Dropout(0.5)]                               public partial Layer Drop7 { get; }
    [Dense(1000)]                                public partial Layer Fc8 { get; }
}

/// <summary>
/// VGG-16 (Simonyan &amp; Zisserman 2015, "Very Deep Convolutional Networks for Large-Scale Image Recognition",
/// configuration D) in torchvision's form: thirteen 3×3 convolutions with padding 1, 2×2 max-pooling, dense
/// 25,088 → 4,096 → 4,096 → 1,000 with dropout 0.5; 138,357,544 parameters, as torchvision's <c>vgg16</c>.
/// </summary>
/// <remarks>torchvision's <c>AdaptiveAvgPool2d((7, 7))</c> is the identity at 224×224 (the features are already 7×7) and is left out.</remarks>
[Model(Input = [3, 224, 224])]
public partial class Vgg16
{
    [Conv2D(64, Kernel = 3, Padding = 1), ReLU]  public partial Layer Conv1_1 { get; }   // 224×224×64
    [Conv2D(64, Kernel = 3, Padding = 1), ReLU]  public partial Layer Conv1_2 { get; }   // 224×224×64
    [MaxPool2D(2)]                               public partial Layer Pool1 { get; }     // 112×112×64
    [Conv2D(128, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv2_1 { get; }   // 112×112×128
    [Conv2D(128, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv2_2 { get; }   // 112×112×128
    [MaxPool2D(2)]                               public partial Layer Pool2 { get; }     // 56×56×128
    [Conv2D(256, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv3_1 { get; }   // 56×56×256
    [Conv2D(256, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv3_2 { get; }   // 56×56×256
    [Conv2D(256, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv3_3 { get; }   // 56×56×256
    [MaxPool2D(2)]                               public partial Layer Pool3 { get; }     // 28×28×256
    [Conv2D(512, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv4_1 { get; }   // 28×28×512
    [Conv2D(512, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv4_2 { get; }   // 28×28×512
    [Conv2D(512, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv4_3 { get; }   // 28×28×512
    [MaxPool2D(2)]                               public partial Layer Pool4 { get; }     // 14×14×512
    [Conv2D(512, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv5_1 { get; }   // 14×14×512
    [Conv2D(512, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv5_2 { get; }   // 14×14×512
    [Conv2D(512, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv5_3 { get; }   // 14×14×512
    [MaxPool2D(2)]                               public partial Layer Pool5 { get; }     // 7×7×512
    [Dense(4096), ReLU]                          public partial Layer Fc6 { get; }       // 25,088 → 4,096
    [Dropout(0.5)]                               public partial Layer Drop6 { get; }
    [Dense(4096), ReLU]                          public partial Layer Fc7 { get; }
    [Dropout(0.5)]                               public partial Layer Drop7 { get; }
    [Dense(1000)]                                public partial Layer Fc8 { get; }
}

/// <summary>
/// VGG-19 (Simonyan &amp; Zisserman 2015, "Very Deep Convolutional Networks for Large-Scale Image Recognition",
/// configuration E) in torchvision's form: sixteen 3×3 convolutions with padding 1, 2×2 max-pooling, dense
/// 25,088 → 4,096 → 4,096 → 1,000 with dropout 0.5; 143,667,240 parameters, as torchvision's <c>vgg19</c>.
/// </summary>
/// <remarks>torchvision's <c>AdaptiveAvgPool2d((7, 7))</c> is the identity at 224×224 (the features are already 7×7) and is left out.</remarks>
[Model(Input = [3, 224, 224])]
public partial class Vgg19
{
    [Conv2D(64, Kernel = 3, Padding = 1), ReLU]  public partial Layer Conv1_1 { get; }   // 224×224×64
    [Conv2D(64, Kernel = 3, Padding = 1), ReLU]  public partial Layer Conv1_2 { get; }   // 224×224×64
    [MaxPool2D(2)]                               public partial Layer Pool1 { get; }     // 112×112×64
    [Conv2D(128, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv2_1 { get; }   // 112×112×128
    [Conv2D(128, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv2_2 { get; }   // 112×112×128
    [MaxPool2D(2)]                               public partial Layer Pool2 { get; }     // 56×56×128
    [Conv2D(256, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv3_1 { get; }   // 56×56×256
    [Conv2D(256, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv3_2 { get; }   // 56×56×256
    [Conv2D(256, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv3_3 { get; }   // 56×56×256
    [Conv2D(256, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv3_4 { get; }   // 56×56×256
    [MaxPool2D(2)]                               public partial Layer Pool3 { get; }     // 28×28×256
    [Conv2D(512, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv4_1 { get; }   // 28×28×512
    [Conv2D(512, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv4_2 { get; }   // 28×28×512
    [Conv2D(512, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv4_3 { get; }   // 28×28×512
    [Conv2D(512, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv4_4 { get; }   // 28×28×512
    [MaxPool2D(2)]                               public partial Layer Pool4 { get; }     // 14×14×512
    [Conv2D(512, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv5_1 { get; }   // 14×14×512
    [Conv2D(512, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv5_2 { get; }   // 14×14×512
    [Conv2D(512, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv5_3 { get; }   // 14×14×512
    [Conv2D(512, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv5_4 { get; }   // 14×14×512
    [MaxPool2D(2)]                               public partial Layer Pool5 { get; }     // 7×7×512
    [Dense(4096), ReLU]                          public partial Layer Fc6 { get; }       // 25,088 → 4,096
    [Dropout(0.5)]                               public partial Layer Drop6 { get; }
    [Dense(4096), ReLU]                          public partial Layer Fc7 { get; }
    [Dropout(0.5)]                               public partial Layer Drop7 { get; }
    [Dense(1000)]                                public partial Layer Fc8 { get; }
}

// torchvision's vgg*_bn keep the convolution biases before each batch norm (redundant: the normalization
// subtracts them again); they are kept here too so that the parameter counts match torchvision's.
#pragma warning disable MDL0008

/// <summary>
/// VGG-11 with batch normalization (torchvision's <c>vgg11_bn</c>): <see cref="Vgg11"/> with a
/// batch normalization after each of its 8 convolutions, the ReLU applied after the normalization;
/// 132,868,840 parameters. The running mean and variance (2 × C values per normalization) are buffers, not parameters.
/// </summary>
/// <remarks>torchvision's <c>AdaptiveAvgPool2d((7, 7))</c> is the identity at 224×224 (the features are already 7×7) and is left out.</remarks>
[Model(Input = [3, 224, 224])]
public partial class Vgg11Bn
{
    [Conv2D(64, Kernel = 3, Padding = 1)]  public partial Layer Conv1_1 { get; }   // 224×224×64
    [BatchNorm, ReLU]                      public partial Layer Bn1_1 { get; }
    [MaxPool2D(2)]                         public partial Layer Pool1 { get; }     // 112×112×64
    [Conv2D(128, Kernel = 3, Padding = 1)] public partial Layer Conv2_1 { get; }   // 112×112×128
    [BatchNorm, ReLU]                      public partial Layer Bn2_1 { get; }
    [MaxPool2D(2)]                         public partial Layer Pool2 { get; }     // 56×56×128
    [Conv2D(256, Kernel = 3, Padding = 1)] public partial Layer Conv3_1 { get; }   // 56×56×256
    [BatchNorm, ReLU]                      public partial Layer Bn3_1 { get; }
    [Conv2D(256, Kernel = 3, Padding = 1)] public partial Layer Conv3_2 { get; }   // 56×56×256
    [BatchNorm, ReLU]                      public partial Layer Bn3_2 { get; }
    [MaxPool2D(2)]                         public partial Layer Pool3 { get; }     // 28×28×256
    [Conv2D(512, Kernel = 3, Padding = 1)] public partial Layer Conv4_1 { get; }   // 28×28×512
    [BatchNorm, ReLU]                      public partial Layer Bn4_1 { get; }
    [Conv2D(512, Kernel = 3, Padding = 1)] public partial Layer Conv4_2 { get; }   // 28×28×512
    [BatchNorm, ReLU]                      public partial Layer Bn4_2 { get; }
    [MaxPool2D(2)]                         public partial Layer Pool4 { get; }     // 14×14×512
    [Conv2D(512, Kernel = 3, Padding = 1)] public partial Layer Conv5_1 { get; }   // 14×14×512
    [BatchNorm, ReLU]                      public partial Layer Bn5_1 { get; }
    [Conv2D(512, Kernel = 3, Padding = 1)] public partial Layer Conv5_2 { get; }   // 14×14×512
    [BatchNorm, ReLU]                      public partial Layer Bn5_2 { get; }
    [MaxPool2D(2)]                         public partial Layer Pool5 { get; }     // 7×7×512
    [Dense(4096), ReLU]                    public partial Layer Fc6 { get; }       // 25,088 → 4,096
    [Dropout(0.5)]                         public partial Layer Drop6 { get; }
    [Dense(4096), ReLU]                    public partial Layer Fc7 { get; }
    [Dropout(0.5)]                         public partial Layer Drop7 { get; }
    [Dense(1000)]                          public partial Layer Fc8 { get; }
}

/// <summary>
/// VGG-13 with batch normalization (torchvision's <c>vgg13_bn</c>): <see cref="Vgg13"/> with a
/// batch normalization after each of its 10 convolutions, the ReLU applied after the normalization;
/// 133,053,736 parameters. The running mean and variance (2 × C values per normalization) are buffers, not parameters.
/// </summary>
/// <remarks>torchvision's <c>AdaptiveAvgPool2d((7, 7))</c> is the identity at 224×224 (the features are already 7×7) and is left out.</remarks>
[Model(Input = [3, 224, 224])]
public partial class Vgg13Bn
{
    [Conv2D(64, Kernel = 3, Padding = 1)]  public partial Layer Conv1_1 { get; }   // 224×224×64
    [BatchNorm, ReLU]                      public partial Layer Bn1_1 { get; }
    [Conv2D(64, Kernel = 3, Padding = 1)]  public partial Layer Conv1_2 { get; }   // 224×224×64
    [BatchNorm, ReLU]                      public partial Layer Bn1_2 { get; }
    [MaxPool2D(2)]                         public partial Layer Pool1 { get; }     // 112×112×64
    [Conv2D(128, Kernel = 3, Padding = 1)] public partial Layer Conv2_1 { get; }   // 112×112×128
    [BatchNorm, ReLU]                      public partial Layer Bn2_1 { get; }
    [Conv2D(128, Kernel = 3, Padding = 1)] public partial Layer Conv2_2 { get; }   // 112×112×128
    [BatchNorm, ReLU]                      public partial Layer Bn2_2 { get; }
    [MaxPool2D(2)]                         public partial Layer Pool2 { get; }     // 56×56×128
    [Conv2D(256, Kernel = 3, Padding = 1)] public partial Layer Conv3_1 { get; }   // 56×56×256
    [BatchNorm, ReLU]                      public partial Layer Bn3_1 { get; }
    [Conv2D(256, Kernel = 3, Padding = 1)] public partial Layer Conv3_2 { get; }   // 56×56×256
    [BatchNorm, ReLU]                      public partial Layer Bn3_2 { get; }
    [MaxPool2D(2)]                         public partial Layer Pool3 { get; }     // 28×28×256
    [Conv2D(512, Kernel = 3, Padding = 1)] public partial Layer Conv4_1 { get; }   // 28×28×512
    [BatchNorm, ReLU]                      public partial Layer Bn4_1 { get; }
    [Conv2D(512, Kernel = 3, Padding = 1)] public partial Layer Conv4_2 { get; }   // 28×28×512
    [BatchNorm, ReLU]                      public partial Layer Bn4_2 { get; }
    [MaxPool2D(2)]                         public partial Layer Pool4 { get; }     // 14×14×512
    [Conv2D(512, Kernel = 3, Padding = 1)] public partial Layer Conv5_1 { get; }   // 14×14×512
    [BatchNorm, ReLU]                      public partial Layer Bn5_1 { get; }
    [Conv2D(512, Kernel = 3, Padding = 1)] public partial Layer Conv5_2 { get; }   // 14×14×512
    [BatchNorm, ReLU]                      public partial Layer Bn5_2 { get; }
    [MaxPool2D(2)]                         public partial Layer Pool5 { get; }     // 7×7×512
    [Dense(4096), ReLU]                    public partial Layer Fc6 { get; }       // 25,088 → 4,096
    [Dropout(0.5)]                         public partial Layer Drop6 { get; }
    [Dense(4096), ReLU]                    public partial Layer Fc7 { get; }
    [Dropout(0.5)]                         public partial Layer Drop7 { get; }
    [Dense(1000)]                          public partial Layer Fc8 { get; }
}

/// <summary>
/// VGG-16 with batch normalization (torchvision's <c>vgg16_bn</c>): <see cref="Vgg16"/> with a
/// batch normalization after each of its 13 convolutions, the ReLU applied after the normalization;
/// 138,365,992 parameters. The running mean and variance (2 × C values per normalization) are buffers, not parameters.
/// </summary>
/// <remarks>torchvision's <c>AdaptiveAvgPool2d((7, 7))</c> is the identity at 224×224 (the features are already 7×7) and is left out.</remarks>
[Model(Input = [3, 224, 224])]
public partial class Vgg16Bn
{
    [Conv2D(64, Kernel = 3, Padding = 1)]  public partial Layer Conv1_1 { get; }   // 224×224×64
    [BatchNorm, ReLU]                      public partial Layer Bn1_1 { get; }
    [Conv2D(64, Kernel = 3, Padding = 1)]  public partial Layer Conv1_2 { get; }   // 224×224×64
    [BatchNorm, ReLU]                      public partial Layer Bn1_2 { get; }
    [MaxPool2D(2)]                         public partial Layer Pool1 { get; }     // 112×112×64
    [Conv2D(128, Kernel = 3, Padding = 1)] public partial Layer Conv2_1 { get; }   // 112×112×128
    [BatchNorm, ReLU]                      public partial Layer Bn2_1 { get; }
    [Conv2D(128, Kernel = 3, Padding = 1)] public partial Layer Conv2_2 { get; }   // 112×112×128
    [BatchNorm, ReLU]                      public partial Layer Bn2_2 { get; }
    [MaxPool2D(2)]                         public partial Layer Pool2 { get; }     // 56×56×128
    [Conv2D(256, Kernel = 3, Padding = 1)] public partial Layer Conv3_1 { get; }   // 56×56×256
    [BatchNorm, ReLU]                      public partial Layer Bn3_1 { get; }
    [Conv2D(256, Kernel = 3, Padding = 1)] public partial Layer Conv3_2 { get; }   // 56×56×256
    [BatchNorm, ReLU]                      public partial Layer Bn3_2 { get; }
    [Conv2D(256, Kernel = 3, Padding = 1)] public partial Layer Conv3_3 { get; }   // 56×56×256
    [BatchNorm, ReLU]                      public partial Layer Bn3_3 { get; }
    [MaxPool2D(2)]                         public partial Layer Pool3 { get; }     // 28×28×256
    [Conv2D(512, Kernel = 3, Padding = 1)] public partial Layer Conv4_1 { get; }   // 28×28×512
    [BatchNorm, ReLU]                      public partial Layer Bn4_1 { get; }
    [Conv2D(512, Kernel = 3, Padding = 1)] public partial Layer Conv4_2 { get; }   // 28×28×512
    [BatchNorm, ReLU]                      public partial Layer Bn4_2 { get; }
    [Conv2D(512, Kernel = 3, Padding = 1)] public partial Layer Conv4_3 { get; }   // 28×28×512
    [BatchNorm, ReLU]                      public partial Layer Bn4_3 { get; }
    [MaxPool2D(2)]                         public partial Layer Pool4 { get; }     // 14×14×512
    [Conv2D(512, Kernel = 3, Padding = 1)] public partial Layer Conv5_1 { get; }   // 14×14×512
    [BatchNorm, ReLU]                      public partial Layer Bn5_1 { get; }
    [Conv2D(512, Kernel = 3, Padding = 1)] public partial Layer Conv5_2 { get; }   // 14×14×512
    [BatchNorm, ReLU]                      public partial Layer Bn5_2 { get; }
    [Conv2D(512, Kernel = 3, Padding = 1)] public partial Layer Conv5_3 { get; }   // 14×14×512
    [BatchNorm, ReLU]                      public partial Layer Bn5_3 { get; }
    [MaxPool2D(2)]                         public partial Layer Pool5 { get; }     // 7×7×512
    [Dense(4096), ReLU]                    public partial Layer Fc6 { get; }       // 25,088 → 4,096
    [Dropout(0.5)]                         public partial Layer Drop6 { get; }
    [Dense(4096), ReLU]                    public partial Layer Fc7 { get; }
    [Dropout(0.5)]                         public partial Layer Drop7 { get; }
    [Dense(1000)]                          public partial Layer Fc8 { get; }
}

/// <summary>
/// VGG-19 with batch normalization (torchvision's <c>vgg19_bn</c>): <see cref="Vgg19"/> with a
/// batch normalization after each of its 16 convolutions, the ReLU applied after the normalization;
/// 143,678,248 parameters. The running mean and variance (2 × C values per normalization) are buffers, not parameters.
/// </summary>
/// <remarks>torchvision's <c>AdaptiveAvgPool2d((7, 7))</c> is the identity at 224×224 (the features are already 7×7) and is left out.</remarks>
[Model(Input = [3, 224, 224])]
public partial class Vgg19Bn
{
    [Conv2D(64, Kernel = 3, Padding = 1)]  public partial Layer Conv1_1 { get; }   // 224×224×64
    [BatchNorm, ReLU]                      public partial Layer Bn1_1 { get; }
    [Conv2D(64, Kernel = 3, Padding = 1)]  public partial Layer Conv1_2 { get; }   // 224×224×64
    [BatchNorm, ReLU]                      public partial Layer Bn1_2 { get; }
    [MaxPool2D(2)]                         public partial Layer Pool1 { get; }     // 112×112×64
    [Conv2D(128, Kernel = 3, Padding = 1)] public partial Layer Conv2_1 { get; }   // 112×112×128
    [BatchNorm, ReLU]                      public partial Layer Bn2_1 { get; }
    [Conv2D(128, Kernel = 3, Padding = 1)] public partial Layer Conv2_2 { get; }   // 112×112×128
    [BatchNorm, ReLU]                      public partial Layer Bn2_2 { get; }
    [MaxPool2D(2)]                         public partial Layer Pool2 { get; }     // 56×56×128
    [Conv2D(256, Kernel = 3, Padding = 1)] public partial Layer Conv3_1 { get; }   // 56×56×256
    [BatchNorm, ReLU]                      public partial Layer Bn3_1 { get; }
    [Conv2D(256, Kernel = 3, Padding = 1)] public partial Layer Conv3_2 { get; }   // 56×56×256
    [BatchNorm, ReLU]                      public partial Layer Bn3_2 { get; }
    [Conv2D(256, Kernel = 3, Padding = 1)] public partial Layer Conv3_3 { get; }   // 56×56×256
    [BatchNorm, ReLU]                      public partial Layer Bn3_3 { get; }
    [Conv2D(256, Kernel = 3, Padding = 1)] public partial Layer Conv3_4 { get; }   // 56×56×256
    [BatchNorm, ReLU]                      public partial Layer Bn3_4 { get; }
    [MaxPool2D(2)]                         public partial Layer Pool3 { get; }     // 28×28×256
    [Conv2D(512, Kernel = 3, Padding = 1)] public partial Layer Conv4_1 { get; }   // 28×28×512
    [BatchNorm, ReLU]                      public partial Layer Bn4_1 { get; }
    [Conv2D(512, Kernel = 3, Padding = 1)] public partial Layer Conv4_2 { get; }   // 28×28×512
    [BatchNorm, ReLU]                      public partial Layer Bn4_2 { get; }
    [Conv2D(512, Kernel = 3, Padding = 1)] public partial Layer Conv4_3 { get; }   // 28×28×512
    [BatchNorm, ReLU]                      public partial Layer Bn4_3 { get; }
    [Conv2D(512, Kernel = 3, Padding = 1)] public partial Layer Conv4_4 { get; }   // 28×28×512
    [BatchNorm, ReLU]                      public partial Layer Bn4_4 { get; }
    [MaxPool2D(2)]                         public partial Layer Pool4 { get; }     // 14×14×512
    [Conv2D(512, Kernel = 3, Padding = 1)] public partial Layer Conv5_1 { get; }   // 14×14×512
    [BatchNorm, ReLU]                      public partial Layer Bn5_1 { get; }
    [Conv2D(512, Kernel = 3, Padding = 1)] public partial Layer Conv5_2 { get; }   // 14×14×512
    [BatchNorm, ReLU]                      public partial Layer Bn5_2 { get; }
    [Conv2D(512, Kernel = 3, Padding = 1)] public partial Layer Conv5_3 { get; }   // 14×14×512
    [BatchNorm, ReLU]                      public partial Layer Bn5_3 { get; }
    [Conv2D(512, Kernel = 3, Padding = 1)] public partial Layer Conv5_4 { get; }   // 14×14×512
    [BatchNorm, ReLU]                      public partial Layer Bn5_4 { get; }
    [MaxPool2D(2)]                         public partial Layer Pool5 { get; }     // 7×7×512
    [Dense(4096), ReLU]                    public partial Layer Fc6 { get; }       // 25,088 → 4,096
    [Dropout(0.5)]                         public partial Layer Drop6 { get; }
    [Dense(4096), ReLU]                    public partial Layer Fc7 { get; }
    [Dropout(0.5)]                         public partial Layer Drop7 { get; }
    [Dense(1000)]                          public partial Layer Fc8 { get; }
}

#pragma warning restore MDL0008
