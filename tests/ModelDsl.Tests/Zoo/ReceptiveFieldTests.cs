using ModelDsl.Zoo;

namespace ModelDsl.Tests.Zoo;

/// <summary>Four stacked 3×3 stride-1 convolutions, to check the course's receptive-field rule.</summary>
[Model(Input = [1, 16, 16])]
public partial class StackedThrees
{
    [Conv2D(4, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv1 { get; }
    [Conv2D(4, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv2 { get; }
    [Conv2D(4, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv3 { get; }
    [Conv2D(4, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv4 { get; }
}

/// <summary>
/// The course's rule: each K×K stride-1 convolution adds K − 1, so L stacked 3×3 convolutions see
/// 1 + 2L pixels per axis, and three of them see as much as one 7×7.
/// </summary>
public class ReceptiveFieldTests
{
    [Fact]
    public void StackedThreeByThrees_See1Plus2LPixels()
    {
        Assert.Equal([3, 5, 7, 9], StackedThrees.Summary.Layers.Select(l => l.ReceptiveField));
    }

    [Fact]
    public void Vgg16_TwoThreeByThrees_SeeFivePixels_AndPoolingDoublesTheStep()
    {
        var layers = Vgg16.Summary.Layers;
        int Field(string name) => layers.Single(l => l.Name == name).ReceptiveField;
        Assert.Equal(3, Field("Conv1_1"));
        Assert.Equal(5, Field("Conv1_2"));
        Assert.Equal(6, Field("Pool1"));        // a 2×2 window adds 1 at step 1
        Assert.Equal(10, Field("Conv2_1"));     // then each 3×3 adds 2 at step 2
        Assert.Equal(14, Field("Conv2_2"));
    }
}
