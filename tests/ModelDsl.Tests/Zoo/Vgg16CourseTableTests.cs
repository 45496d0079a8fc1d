using ModelDsl.Zoo;

namespace ModelDsl.Tests.Zoo;

/// <summary>
/// VGG-16 against the course's layer-by-layer table ("CNN Architectures: VGGNet"): output size, activations
/// per image ("memory") and weights without biases ("params").
/// </summary>
public class Vgg16CourseTableTests
{
    /// <summary>The course table, one row per layer after the input: [H×W×C], memory, params (weights without biases).</summary>
    private static readonly (Shape Output, long Memory, long Weights)[] CourseTable =
    [
        (Shape.Map(64, 224, 224), 224 * 224 * 64, 1_728),       // CONV3-64
        (Shape.Map(64, 224, 224), 224 * 224 * 64, 36_864),      // CONV3-64
        (Shape.Map(64, 112, 112), 112 * 112 * 64, 0),           // POOL2
        (Shape.Map(128, 112, 112), 112 * 112 * 128, 73_728),    // CONV3-128
        (Shape.Map(128, 112, 112), 112 * 112 * 128, 147_456),   // CONV3-128
        (Shape.Map(128, 56, 56), 56 * 56 * 128, 0),             // POOL2
        (Shape.Map(256, 56, 56), 56 * 56 * 256, 294_912),       // CONV3-256
        (Shape.Map(256, 56, 56), 56 * 56 * 256, 589_824),       // CONV3-256
        (Shape.Map(256, 56, 56), 56 * 56 * 256, 589_824),       // CONV3-256
        (Shape.Map(256, 28, 28), 28 * 28 * 256, 0),             // POOL2
        (Shape.Map(512, 28, 28), 28 * 28 * 512, 1_179_648),     // CONV3-512
        (Shape.Map(512, 28, 28), 28 * 28 * 512, 2_359_296),     // CONV3-512
        (Shape.Map(512, 28, 28), 28 * 28 * 512, 2_359_296),     // CONV3-512
        (Shape.Map(512, 14, 14), 14 * 14 * 512, 0),             // POOL2
        (Shape.Map(512, 14, 14), 14 * 14 * 512, 2_359_296),     // CONV3-512
        (Shape.Map(512, 14, 14), 14 * 14 * 512, 2_359_296),     // CONV3-512
        (Shape.Map(512, 14, 14), 14 * 14 * 512, 2_359_296),     // CONV3-512
        (Shape.Map(512, 7, 7), 7 * 7 * 512, 0),                 // POOL2
        (Shape.Flat(4096), 4096, 102_760_448),                  // FC
        (Shape.Flat(4096), 4096, 16_777_216),                   // FC
        (Shape.Flat(1000), 1000, 4_096_000),                    // FC
    ];

    /// <summary>The layers the table lists: the dropouts are not in it.</summary>
    private static readonly LayerInfo[] Layers = [.. Vgg16.Summary.Layers.Where(l => l.Kind != "Dropout")];

    [Fact]
    public void Layers_AreTheTablesRows()
    {
        Assert.Equal(CourseTable.Length, Layers.Length);
        Assert.Equal(Shape.Map(3, 224, 224), Vgg16.Summary.Input);
    }

    [Fact]
    public void OutputSizes_MatchTheTable()
    {
        for (var i = 0; i < CourseTable.Length; i++)
        {
            Assert.True(CourseTable[i].Output == Layers[i].Output, $"{Layers[i].Name}: {Layers[i].Output}, the course says {CourseTable[i].Output}");
        }
    }

    [Fact]
    public void Activations_MatchTheTablesMemoryColumn()
    {
        for (var i = 0; i < CourseTable.Length; i++)
        {
            Assert.True(CourseTable[i].Memory == Layers[i].ActivationBytes / 4,
                $"{Layers[i].Name}: {Layers[i].ActivationBytes / 4} activations, the course says {CourseTable[i].Memory}");
        }
        // "224 × 224 × 64 = 3.2M" and "7 × 7 × 512 = 25K" in the table's rounding.
        Assert.Equal(3.2, Layers[0].ActivationBytes / 4 / 1e6, 1);
        Assert.Equal(25, Layers[17].ActivationBytes / 4 / 1e3, 0);
    }

    [Fact]
    public void WeightsWithoutBiases_MatchTheTablesParamsColumn()
    {
        for (var i = 0; i < CourseTable.Length; i++)
        {
            var biases = Layers[i].Parameters == 0 ? 0 : Layers[i].Output.C;
            Assert.True(CourseTable[i].Weights == Layers[i].Parameters - biases,
                $"{Layers[i].Name}: {Layers[i].Parameters - biases} weights, the course says {CourseTable[i].Weights}");
        }
    }

    [Fact]
    public void TheTablesTotal_Is138MillionWithBiases()
    {
        var weights = CourseTable.Sum(r => r.Weights);
        var biases = Layers.Where(l => l.Parameters > 0).Sum(l => (long)l.Output.C);
        Assert.Equal(138_344_128, weights);
        Assert.Equal(Vgg16.Summary.TotalParameters, weights + biases);
    }
}
