using ModelDsl.Zoo;

namespace ModelDsl.Tests.Zoo;

/// <summary>Per-layer output sizes of AlexNet, ZFNet and the 1-D example, from their compile-time summaries.</summary>
public class ClassicShapeTests
{
    private static Shape Output(ModelSummary summary, string layer) => summary.Layers.Single(l => l.Name == layer).Output;

    [Fact]
    public void AlexNet_HasTorchvisionsSizes()
    {
        var s = AlexNet.Summary;
        Assert.Equal(Shape.Map(64, 55, 55), Output(s, "Conv1"));     // (224 − 11 + 4)/4 + 1 = 55.25, rounded down
        Assert.Equal(Shape.Map(64, 27, 27), Output(s, "Pool1"));
        Assert.Equal(Shape.Map(192, 27, 27), Output(s, "Conv2"));
        Assert.Equal(Shape.Map(192, 13, 13), Output(s, "Pool2"));
        Assert.Equal(Shape.Map(384, 13, 13), Output(s, "Conv3"));
        Assert.Equal(Shape.Map(256, 13, 13), Output(s, "Conv4"));
        Assert.Equal(Shape.Map(256, 13, 13), Output(s, "Conv5"));
        Assert.Equal(Shape.Map(256, 6, 6), Output(s, "Pool5"));
        Assert.Equal(9_216, s.Layers.Single(l => l.Name == "Fc6").Input.Size);
        Assert.Equal(Shape.Flat(4096), Output(s, "Fc6"));
        Assert.Equal(Shape.Flat(1000), Output(s, "Fc8"));
    }

    [Fact]
    public void AlexNet_FirstLayer_IsTheCoursesFilterBank()
    {
        // "AlexNet: 64 filters, each 3x11x11", with a bias each.
        Assert.Equal(64 * 3 * 11 * 11 + 64, AlexNet.Summary.Layers[0].Parameters);
    }

    [Fact]
    public void ZFNet_HasThePapersSizes()
    {
        // Zeiler & Fergus 2013, figure 3: 224 → 110 → 55 → 26 → 13 → 13 → 13 → 13 → 6.
        var s = ZFNet.Summary;
        Assert.Equal(Shape.Map(96, 110, 110), Output(s, "Conv1"));
        Assert.Equal(Shape.Map(96, 55, 55), Output(s, "Pool1"));
        Assert.Equal(Shape.Map(96, 55, 55), Output(s, "Norm1"));
        Assert.Equal(Shape.Map(256, 26, 26), Output(s, "Conv2"));
        Assert.Equal(Shape.Map(256, 13, 13), Output(s, "Pool2"));
        Assert.Equal(Shape.Map(512, 13, 13), Output(s, "Conv3"));
        Assert.Equal(Shape.Map(1024, 13, 13), Output(s, "Conv4"));
        Assert.Equal(Shape.Map(512, 13, 13), Output(s, "Conv5"));
        Assert.Equal(Shape.Map(512, 6, 6), Output(s, "Pool5"));
        Assert.Equal(Shape.Flat(4096), Output(s, "Fc6"));
        Assert.Equal(Shape.Flat(1000), Output(s, "Fc8"));
    }

    [Fact]
    public void TimeSeriesCnn_HalvesTheLengthTwiceThenAveragesOverTime()
    {
        var s = TimeSeriesCnn.Summary;
        Assert.Equal(Shape.Sequence(1, 128), s.Input);
        Assert.Equal(Shape.Sequence(16, 128), Output(s, "Conv1"));
        Assert.Equal(Shape.Sequence(16, 128), Output(s, "Bn1"));
        Assert.Equal(Shape.Sequence(16, 64), Output(s, "Pool1"));
        Assert.Equal(Shape.Sequence(32, 64), Output(s, "Conv2"));
        Assert.Equal(Shape.Sequence(32, 32), Output(s, "Pool2"));
        Assert.Equal(Shape.Sequence(64, 32), Output(s, "Conv3"));
        Assert.Equal(Shape.Flat(64), Output(s, "Gap"));
        Assert.Equal(Shape.Flat(5), Output(s, "Logits"));
        // Conv 16·1·7 + 16, BN 2·16, conv 32·16·5 + 32, BN 2·32, conv 64·32·3 + 64, BN 2·64, dense 5·64 + 5.
        Assert.Equal(9_477, TimeSeriesCnn.ParameterCount);
        Assert.Equal(9_477, s.TotalParameters);
    }
}
