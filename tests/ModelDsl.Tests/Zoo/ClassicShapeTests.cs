using ModelDsl.Zoo;

namespace ModelDsl.Tests.Zoo;

/// <summary>Per-layer output sizes of AlexNet, ZFNet and the 1-D example, from their compile-time summaries.</summary>
public class ClassicShapeTests
{
    private static Shape Output(ModelSummary summary, string layer) => summary.Layers.Single(l => l.Name == layer).Output;

    /// <summary>Compares the named layers' outputs as one list, so a failure shows every size at once.</summary>
    private static void AssertOutputs(ModelSummary summary, params (string Layer, Shape Output)[] expected) =>
        Assert.Equal(expected, expected.Select(e => (e.Layer, Output(summary, e.Layer))));

    [Fact]
    public void AlexNet_HasTorchvisionsSizes()
    {
        var s = AlexNet.Summary;
        AssertOutputs(s,
            ("Conv1", Shape.Map(64, 55, 55)),      // (224 − 11 + 4)/4 + 1 = 55.25, rounded down
            ("Pool1", Shape.Map(64, 27, 27)),
            ("Conv2", Shape.Map(192, 27, 27)),
            ("Pool2", Shape.Map(192, 13, 13)),
            ("Conv3", Shape.Map(384, 13, 13)),
            ("Conv4", Shape.Map(256, 13, 13)),
            ("Conv5", Shape.Map(256, 13, 13)),
            ("Pool5", Shape.Map(256, 6, 6)),
            ("Fc6", Shape.Flat(4096)),
            ("Fc8", Shape.Flat(1000)));
        Assert.Equal(9_216, s.Layers.Single(l => l.Name == "Fc6").Input.Size);
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
        AssertOutputs(s,
            ("Conv1", Shape.Map(96, 110, 110)),
            ("Pool1", Shape.Map(96, 55, 55)),
            ("Norm1", Shape.Map(96, 55, 55)),
            ("Conv2", Shape.Map(256, 26, 26)),
            ("Pool2", Shape.Map(256, 13, 13)),
            ("Conv3", Shape.Map(512, 13, 13)),
            ("Conv4", Shape.Map(1024, 13, 13)),
            ("Conv5", Shape.Map(512, 13, 13)),
            ("Pool5", Shape.Map(512, 6, 6)),
            ("Fc6", Shape.Flat(4096)),
            ("Fc8", Shape.Flat(1000)));
    }

    [Fact]
    public void TimeSeriesCnn_HalvesTheLengthTwiceThenAveragesOverTime()
    {
        var s = TimeSeriesCnn.Summary;
        Assert.Equal(Shape.Sequence(1, 128), s.Input);
        AssertOutputs(s,
            ("Conv1", Shape.Sequence(16, 128)),
            ("Bn1", Shape.Sequence(16, 128)),
            ("Pool1", Shape.Sequence(16, 64)),
            ("Conv2", Shape.Sequence(32, 64)),
            ("Pool2", Shape.Sequence(32, 32)),
            ("Conv3", Shape.Sequence(64, 32)),
            ("Gap", Shape.Flat(64)),
            ("Logits", Shape.Flat(5)));
        // Conv 16·1·7, BN 2·16, conv 32·16·5, BN 2·32, conv 64·32·3, BN 2·64, dense 5·64 + 5 (the convolutions have no bias).
        Assert.Equal(9_365, TimeSeriesCnn.ParameterCount);
        Assert.Equal(9_365, s.TotalParameters);
    }

    [Fact]
    public void FashionNet_HalvesTwice_AndCountsItsParametersByHand()
    {
        var s = FashionNet.Summary;
        AssertOutputs(s,
            ("Conv2", Shape.Map(32, 28, 28)),
            ("Pool1", Shape.Map(32, 14, 14)),
            ("Conv4", Shape.Map(64, 14, 14)),
            ("Pool2", Shape.Map(64, 7, 7)),
            ("Fc1", Shape.Flat(256)),
            ("Logits", Shape.Flat(10)));
        // Convolutions without bias 32·1·9 + 32·32·9 + 64·32·9 + 64·64·9, batch norms 2·(32 + 32 + 64 + 64),
        // dense 3,136·256 + 256 and 256·10 + 10.
        const int expected = 288 + 9_216 + 18_432 + 36_864 + 384 + 3_136 * 256 + 256 + 2_570;
        Assert.Equal(870_826, expected);
        Assert.Equal(expected, FashionNet.ParameterCount);
    }
}
