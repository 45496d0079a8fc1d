using ModelDsl.Zoo;

namespace ModelDsl.Tests.Zoo;

/// <summary>
/// Trainable parameter counts of the zoo against the published ones (torchvision's for AlexNet and VGG, the
/// usual counts of the two LeNets), read from the compile-time summary and from the generated
/// <c>ParameterCount</c>, without building any model.
/// </summary>
public class PublishedParameterCountTests
{
    private static readonly Dictionary<string, (ModelSummary Summary, int Count)> Models = new()
    {
        [nameof(LeNet5)] = (LeNet5.Summary, LeNet5.ParameterCount),
        [nameof(CourseLeNet)] = (CourseLeNet.Summary, CourseLeNet.ParameterCount),
        [nameof(AlexNet)] = (AlexNet.Summary, AlexNet.ParameterCount),
        [nameof(Vgg11)] = (Vgg11.Summary, Vgg11.ParameterCount),
        [nameof(Vgg13)] = (Vgg13.Summary, Vgg13.ParameterCount),
        [nameof(Vgg16)] = (Vgg16.Summary, Vgg16.ParameterCount),
        [nameof(Vgg19)] = (Vgg19.Summary, Vgg19.ParameterCount),
        [nameof(Vgg11Bn)] = (Vgg11Bn.Summary, Vgg11Bn.ParameterCount),
        [nameof(Vgg13Bn)] = (Vgg13Bn.Summary, Vgg13Bn.ParameterCount),
        [nameof(Vgg16Bn)] = (Vgg16Bn.Summary, Vgg16Bn.ParameterCount),
        [nameof(Vgg19Bn)] = (Vgg19Bn.Summary, Vgg19Bn.ParameterCount),
    };

    public static TheoryData<string, long> Published => new()
    {
        { nameof(LeNet5), 61_706 },
        { nameof(CourseLeNet), 431_080 },
        { nameof(AlexNet), 61_100_840 },
        { nameof(Vgg11), 132_863_336 },
        { nameof(Vgg13), 133_047_848 },
        { nameof(Vgg16), 138_357_544 },
        { nameof(Vgg19), 143_667_240 },
        { nameof(Vgg11Bn), 132_868_840 },
        { nameof(Vgg13Bn), 133_053_736 },
        { nameof(Vgg16Bn), 138_365_992 },
        { nameof(Vgg19Bn), 143_678_248 },
    };

    [Theory]
    [MemberData(nameof(Published))]
    public void TrainableParameters_EqualThePublishedCount(string model, long published)
    {
        var (summary, count) = Models[model];
        Assert.Equal(model, summary.ModelName);
        Assert.Equal(published, summary.TotalParameters);
        Assert.Equal(published, count);
    }

    [Fact]
    public void BatchNormVariants_AddOnlyAScaleAndShiftPerConvolutionChannel()
    {
        // Each VGG-16 convolution's K channels gain a weight and a bias: 2 × (2·64 + 2·128 + 3·256 + 6·512).
        Assert.Equal(2 * 4_224, Vgg16Bn.ParameterCount - Vgg16.ParameterCount);
        Assert.All(Vgg16Bn.Summary.Layers.Where(l => l.Kind == "BatchNorm"), l => Assert.Equal(2 * l.Output.C, l.Parameters));
    }

    [Fact]
    public void ZFNet_CountsTheCourseWidths()
    {
        // No published total: conv1 96·3·7·7 + 96, conv2 256·96·5·5 + 256, conv3–5 with 512, 1,024 and 512
        // filters of 3×3, then 6·6·512 = 18,432 → 4,096 → 4,096 → 1,000, each with its bias.
        long expected = (96 * 3 * 49 + 96) + (256 * 96 * 25 + 256)
            + (512 * 256 * 9 + 512) + (1024 * 512 * 9 + 1024) + (512 * 1024 * 9 + 512)
            + (18_432L * 4096 + 4096) + (4096 * 4096 + 4096) + (4096 * 1000 + 1000);
        Assert.Equal(107_627_624, expected);
        Assert.Equal(expected, ZFNet.Summary.TotalParameters);
        Assert.Equal(107_627_624, ZFNet.ParameterCount);
    }
}
