using ModelDsl.Zoo;

namespace ModelDsl.Tests.Zoo;

/// <summary>GoogLeNet, DenseNet, MobileNetV2 and EfficientNet-B0, declared with blocks: published parameter counts and stage shapes.</summary>
public class BlockZooTests
{
    public static TheoryData<string, ModelSummary, long> Counts => new()
    {
        // torchvision's counts (trainable parameters; running statistics excluded).
        { "GoogLeNet", GoogLeNet.Summary, 6_624_904 },
        { "DenseNet-121", DenseNet121.Summary, 7_978_856 },
        { "DenseNet-169", DenseNet169.Summary, 14_149_480 },
        { "DenseNet-201", DenseNet201.Summary, 20_013_928 },
        { "MobileNetV2", MobileNetV2.Summary, 3_504_872 },
        { "EfficientNet-B0", EfficientNetB0.Summary, 5_288_548 },
    };

    [Theory]
    [MemberData(nameof(Counts))]
    public void ParameterCount_IsThePublishedOne(string model, ModelSummary summary, long expected)
    {
        Assert.NotEmpty(model);
        Assert.Equal(expected, summary.TotalParameters);
    }

    [Fact]
    public void GoogLeNet_Inceptions_HaveTheCourseTableSizes()
    {
        var layers = GoogLeNet.Summary.Layers.ToDictionary(l => l.Name);
        Assert.Equal(Shape.Map(64, 112, 112), layers["Conv1Bn"].Output);
        // ceil_mode: (112 − 3)/2 + 1 = 55.5 rounds up to 56, (56 − 3)/2 + 1 = 27.5 to 28, (28 − 3)/2 + 1 = 13.5 to 14.
        Assert.Equal(Shape.Map(64, 56, 56), layers["MaxPool1"].Output);
        Assert.Equal(Shape.Map(192, 56, 56), layers["Conv3Bn"].Output);
        Assert.Equal(Shape.Map(192, 28, 28), layers["MaxPool2"].Output);
        Assert.Equal(Shape.Map(256, 28, 28), layers["Inception3a.Out"].Output);
        Assert.Equal(Shape.Map(480, 28, 28), layers["Inception3b.Out"].Output);
        Assert.Equal(Shape.Map(480, 14, 14), layers["MaxPool3"].Output);
        Assert.Equal(Shape.Map(512, 14, 14), layers["Inception4a.Out"].Output);
        Assert.Equal(Shape.Map(512, 14, 14), layers["Inception4b.Out"].Output);
        Assert.Equal(Shape.Map(512, 14, 14), layers["Inception4c.Out"].Output);
        Assert.Equal(Shape.Map(528, 14, 14), layers["Inception4d.Out"].Output);
        Assert.Equal(Shape.Map(832, 14, 14), layers["Inception4e.Out"].Output);
        Assert.Equal(Shape.Map(832, 7, 7), layers["MaxPool4"].Output);
        Assert.Equal(Shape.Map(832, 7, 7), layers["Inception5a.Out"].Output);
        Assert.Equal(Shape.Map(1024, 7, 7), layers["Inception5b.Out"].Output);
        Assert.Equal(Shape.Flat(1024), layers["AvgPool"].Output);
        Assert.Equal(1024 * 1000 + 1000, layers["Fc"].Parameters);
    }

    [Fact]
    public void GoogLeNet_Inception3a_ConvolutionWeights_UseTorchvisionsThreeByThreeFor5x5()
    {
        // The course's 159K for inception (3a) counts a real 5×5: 192·64 + 192·96 + 96·128·9 + 192·16 + 16·32·25 + 192·32
        // = 163,328 weights. torchvision's "5×5" branch is 3×3, so 16·32·9 = 4,608 instead of 12,800.
        var convs = GoogLeNet.Summary.Layers.Where(l => l.Name.StartsWith("Inception3a.", StringComparison.Ordinal) && l.Kind == "Conv2D");
        Assert.Equal(163_328 - 16 * 32 * 25 + 16 * 32 * 9, convs.Sum(l => l.Parameters));
        var layers = GoogLeNet.Summary.Layers.ToDictionary(l => l.Name);
        Assert.Equal(Shape.Map(32, 28, 28), layers["Inception3a.Branch3"].Output);
        Assert.Equal(Shape.Map(192, 28, 28), layers["Inception3a.Branch4Pool"].Output);
    }

    [Fact]
    public void DenseNet121_Stages_GrowBy32PerLayer_AndTransitionsHalve()
    {
        var layers = DenseNet121.Summary.Layers.ToDictionary(l => l.Name);
        Assert.Equal(Shape.Map(64, 112, 112), layers["Conv0"].Output);
        Assert.Equal(Shape.Map(64, 56, 56), layers["Pool0"].Output);
        Assert.Equal(Shape.Map(128, 56, 56), layers["DenseBlock1.0.Conv1"].Output);
        Assert.Equal(Shape.Map(96, 56, 56), layers["DenseBlock1.0.Out"].Output);
        Assert.Equal(Shape.Map(64 + 6 * 32, 56, 56), layers["DenseBlock1.5.Out"].Output);
        Assert.Equal(Shape.Map(128, 28, 28), layers["Transition1.Pool"].Output);
        Assert.Equal(Shape.Map(128 + 12 * 32, 28, 28), layers["DenseBlock2.11.Out"].Output);
        Assert.Equal(Shape.Map(256, 14, 14), layers["Transition2.Pool"].Output);
        Assert.Equal(Shape.Map(256 + 24 * 32, 14, 14), layers["DenseBlock3.23.Out"].Output);
        Assert.Equal(Shape.Map(512, 7, 7), layers["Transition3.Pool"].Output);
        Assert.Equal(Shape.Map(512 + 16 * 32, 7, 7), layers["DenseBlock4.15.Out"].Output);
        Assert.Equal(Shape.Flat(1024), layers["AvgPool"].Output);
        // The last layer of block 3 reads 256 + 23·32 = 992 channels: its bottleneck has 992·128 weights.
        Assert.Equal(992 * 128, layers["DenseBlock3.23.Conv1"].Parameters);
    }

    [Fact]
    public void MobileNetV2_Stages_HaveThePaperTableShapes_AndAddOnlyWhereShapesAgree()
    {
        var layers = MobileNetV2.Summary.Layers.ToDictionary(l => l.Name);
        Assert.Equal(Shape.Map(32, 112, 112), layers["Bn1"].Output);
        Assert.Equal(Shape.Map(16, 112, 112), layers["Block1.Sum"].Output);
        Assert.Equal(Shape.Map(24, 56, 56), layers["Block2.1.Sum"].Output);
        Assert.Equal(Shape.Map(32, 28, 28), layers["Block3.2.Sum"].Output);
        Assert.Equal(Shape.Map(64, 14, 14), layers["Block4.3.Sum"].Output);
        Assert.Equal(Shape.Map(96, 14, 14), layers["Block5.2.Sum"].Output);
        Assert.Equal(Shape.Map(160, 7, 7), layers["Block6.2.Sum"].Output);
        Assert.Equal(Shape.Map(320, 7, 7), layers["Block7.Sum"].Output);
        Assert.Equal(Shape.Map(1280, 7, 7), layers["Bn2"].Output);
        // t = 1: no expansion; t = 6: 16 → 96 hidden channels, depthwise 96 × 3 × 3 weights.
        Assert.Equal("Identity", layers["Block1.ExpandConv"].Kind);
        Assert.Equal(Shape.Map(96, 112, 112), layers["Block2.0.ExpandConv"].Output);
        Assert.Equal(Shape.Map(96, 56, 56), layers["Block2.0.Depthwise"].Output);
        Assert.Equal(96 * 3 * 3, layers["Block2.0.Depthwise"].Parameters);
        // The residual sum: not where the stride or the channels change, in every later copy.
        Assert.Equal("Identity", layers["Block1.Sum"].Kind);
        Assert.Equal("Identity", layers["Block2.0.Sum"].Kind);
        Assert.Equal("Identity", layers["Block5.0.Sum"].Kind);
        Assert.Equal("Add", layers["Block2.1.Sum"].Kind);
        Assert.Equal("Add", layers["Block5.2.Sum"].Kind);
    }

    [Fact]
    public void EfficientNetB0_Stages_AndSqueezeToAQuarterOfTheBlockInput()
    {
        var layers = EfficientNetB0.Summary.Layers.ToDictionary(l => l.Name);
        Assert.Equal(Shape.Map(16, 112, 112), layers["Stage1.Sum"].Output);
        Assert.Equal(Shape.Map(24, 56, 56), layers["Stage2.1.Sum"].Output);
        Assert.Equal(Shape.Map(40, 28, 28), layers["Stage3.1.Sum"].Output);
        Assert.Equal(Shape.Map(80, 14, 14), layers["Stage4.2.Sum"].Output);
        Assert.Equal(Shape.Map(112, 14, 14), layers["Stage5.2.Sum"].Output);
        Assert.Equal(Shape.Map(192, 7, 7), layers["Stage6.3.Sum"].Output);
        Assert.Equal(Shape.Map(320, 7, 7), layers["Stage7.Sum"].Output);
        Assert.Equal(Shape.Map(1280, 7, 7), layers["HeadBn"].Output);
        // Squeeze to In / 4 of the block's input, not of the expanded channels: 16 → 96 hidden, 4 squeezed.
        Assert.Equal(Shape.Flat(4), layers["Stage2.0.Reduce"].Output);
        Assert.Equal(96 * 4 + 4, layers["Stage2.0.Reduce"].Parameters);
        Assert.Equal(4 * 96 + 96, layers["Stage2.0.Gate"].Parameters);
        Assert.Equal(672 * 5 * 5, layers["Stage5.1.Depthwise"].Parameters);
        Assert.Equal(Shape.Map(480, 14, 14), layers["Stage5.0.Excite"].Output);
        Assert.Equal("Identity", layers["Stage5.0.Sum"].Kind);
        Assert.Equal("Add", layers["Stage5.1.Sum"].Kind);
    }
}
