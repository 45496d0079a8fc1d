namespace ModelDsl.Benchmarks;

/// <summary>W4: one 3×3 convolution, 64 → 64 channels, on 56×56 maps, padding 1 (ResNet's second stage).</summary>
[Model(Input = [64, 56, 56])]
public partial class Conv3x3
{
    [Conv2D(64, Kernel = 3, Padding = 1)] public partial Layer Conv { get; }
}
