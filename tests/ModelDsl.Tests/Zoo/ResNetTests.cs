using ModelDsl.Zoo;

namespace ModelDsl.Tests.Zoo;

/// <summary>The ResNet family, declared with blocks: published parameter counts and stage shapes.</summary>
public class ResNetTests
{
    public static TheoryData<string, ModelSummary, long> Counts => new()
    {
        // torchvision's counts (trainable parameters; running statistics excluded).
        { "ResNet-18", ResNet18.Summary, 11_689_512 },
        { "ResNet-34", ResNet34.Summary, 21_797_672 },
        { "ResNet-50", ResNet50.Summary, 25_557_032 },
        { "ResNet-101", ResNet101.Summary, 44_549_160 },
        { "ResNet-152", ResNet152.Summary, 60_192_808 },
        { "ResNeXt-50 32x4d", ResNeXt50.Summary, 25_028_904 },
        { "Wide ResNet-50-2", WideResNet50.Summary, 68_883_240 },
        { "SE-ResNet-50", SEResNet50.Summary, 28_088_024 },
        { "CIFAR ResNet-18", CifarResNet18.Summary, 11_173_962 },
    };

    [Theory]
    [MemberData(nameof(Counts))]
    public void ParameterCount_IsThePublishedOne(string model, ModelSummary summary, long expected)
    {
        Assert.NotEmpty(model);
        Assert.Equal(expected, summary.TotalParameters);
    }

    [Fact]
    public void ResNet50_Stages_HaveTheirPublishedShapes_AndProjectOnlyWhereNeeded()
    {
        var layers = ResNet50.Summary.Layers.ToDictionary(l => l.Name);
        Assert.Equal(Shape.Map(64, 112, 112), layers["Conv1"].Output);
        Assert.Equal(Shape.Map(64, 56, 56), layers["MaxPool"].Output);
        Assert.Equal(Shape.Map(256, 56, 56), layers["Layer1.2.Sum"].Output);
        Assert.Equal(Shape.Map(512, 28, 28), layers["Layer2.3.Sum"].Output);
        Assert.Equal(Shape.Map(1024, 14, 14), layers["Layer3.5.Sum"].Output);
        Assert.Equal(Shape.Map(2048, 7, 7), layers["Layer4.2.Sum"].Output);
        Assert.Equal(Shape.Flat(2048), layers["AvgPool"].Output);
        // The first copy of each stage projects (64 → 256 channels in stage 1, stride 2 after); the others do not.
        Assert.Equal("Conv2D", layers["Layer1.0.Downsample"].Kind);
        Assert.Equal("Identity", layers["Layer1.1.Downsample"].Kind);
        Assert.Equal(2 * 256 * 1 * 1 * 512 / 2, layers["Layer2.0.Downsample"].Parameters);
        // [FirstRepeatOnly]: only Layer2.0 strides.
        Assert.Equal(Shape.Map(128, 28, 28), layers["Layer2.0.Conv2"].Output);
        Assert.Equal(Shape.Map(128, 28, 28), layers["Layer2.1.Conv2"].Output);
    }

    [Fact]
    public void BlockLayers_HavePyTorchStyleParameterNames()
    {
        var net = new CifarResNet18();
        Assert.Contains(net.ParameterList, p => p.Name == "Layer2.0.Downsample.weight" && p.Dimensions.SequenceEqual([128, 64, 1, 1]));
        Assert.Contains(net.BufferList, p => p.Name == "Layer4.1.Bn2.running_var");
        Assert.Equal(Shape.Map(512, 4, 4), net.Layer4.Output);
    }
}
