namespace ModelDsl.Zoo;

/// <summary>
/// A small 1-D convolutional classifier for univariate time series of 128 steps: three convolutions
/// (16@7, 32@5, 64@3, each padded to keep the length) with batch normalization and ReLU, max-pooling by 2
/// after the first two, global average pooling over time, and a dense layer to 5 classes; 9,365 parameters.
/// ModelDsl's own example of the 1-D layers, not a published model.
/// </summary>
/// <remarks>
/// The length goes 128 → 64 → 32 through the two pools; the 64 channels are then averaged over time. The three normalizations hold
/// 2 × (16 + 32 + 64) = 224 running statistics as buffers, outside the parameter count.
/// </remarks>
// The convolutions see 26 of the 128 steps (MDL0010): the classifier averages local motifs over time by design.
#pragma warning disable MDL0010
[Model(Input = [1, 128])]
public partial class TimeSeriesCnn
{
    [Conv1D(16, Kernel = 7, Padding = 3, Bias = false)]  public partial Layer Conv1 { get; }    // 16 × 128
    [BatchNorm, ReLU]                                    public partial Layer Bn1 { get; }
    [MaxPool1D(2)]                                       public partial Layer Pool1 { get; }    // 16 × 64
    [Conv1D(32, Kernel = 5, Padding = 2, Bias = false)]  public partial Layer Conv2 { get; }    // 32 × 64
    [BatchNorm, ReLU]                                    public partial Layer Bn2 { get; }
    [MaxPool1D(2)]                                       public partial Layer Pool2 { get; }    // 32 × 32
    [Conv1D(64, Kernel = 3, Padding = 1, Bias = false)]  public partial Layer Conv3 { get; }    // 64 × 32
    [BatchNorm, ReLU]                                    public partial Layer Bn3 { get; }
    [GlobalAvgPool]                                      public partial Layer Gap { get; }      // 64
    [Dense(5)]                                           public partial Layer Logits { get; }
}
#pragma warning restore MDL0010
