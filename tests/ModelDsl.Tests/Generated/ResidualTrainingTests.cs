namespace ModelDsl.Tests.Generated;

/// <summary>A residual network with batch norm learns a synthetic task, and its running statistics serve inference.</summary>
public class ResidualTrainingTests
{
    /// <summary>Class k has a bright 3×3 square in channel k at a random place, on noise.</summary>
    private static Dataset Squares(int count, int seed)
    {
        var rng = new Rng((ulong)seed);
        var shape = Shape.Map(3, 8, 8);
        var features = new float[count * shape.Size];
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            var label = i % 3;
            labels[i] = label;
            var sample = features.AsSpan(i * shape.Size, shape.Size);
            for (var j = 0; j < sample.Length; j++) sample[j] = rng.NextSymmetric(0.5f);
            var (top, left) = (rng.NextInt(6), rng.NextInt(6));
            for (var y = 0; y < 3; y++)
            for (var x = 0; x < 3; x++)
                sample[label * 64 + (top + y) * 8 + left + x] += 2f;
        }
        return new Dataset(features, labels, shape);
    }

    [Fact]
    public void TinyResNet_WithBatchNorm_LearnsTheTask_AndInferenceUsesRunningStatistics()
    {
        var net = new TinyResNet(seed: 1);
        var train = Squares(384, 2);
        var test = Squares(192, 3);
        var trainer = new Trainer(net, new Sgd(0.05f, momentum: 0.9f), Loss.SoftmaxCrossEntropy);
        var before = trainer.Evaluate(test);
        var fit = trainer.Fit(train, epochs: 6, batchSize: 32, seed: 4);
        var after = trainer.Evaluate(test);

        Assert.True(fit.Last.TrainLoss < fit.Epochs[0].TrainLoss * 0.5, $"{fit.Epochs[0]} … {fit.Last}");
        Assert.True(after.Loss < before.Loss * 0.5, $"before {before}, after {after}");
        Assert.True(after.Accuracy > 0.9, $"after {after}");
        // Training moved the running statistics away from their initial 0 and 1.
        Assert.Contains(net.GetParameter("StemBn.running_mean").Values.ToArray(), v => MathF.Abs(v) > 1e-3f);
        Assert.Contains(net.GetParameter("Bn2.running_var").Values.ToArray(), v => MathF.Abs(v - 1f) > 1e-3f);
        Assert.Equal(3 * 16 * 9 + 2 * 16 * 16 * 9 + 3 * 2 * 16 + 16 * 3 + 3, TinyResNet.ParameterCount);
        Assert.Equal(3 * 2 * 16, net.BufferList.Sum(b => b.Length));
    }
}
