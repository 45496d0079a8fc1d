namespace ModelDsl.Tests.Training;

public class LossSmoothingAndClippingTests
{
    [Fact]
    public void LabelSmoothing_MatchesTheSmoothedTargetCrossEntropy_AndItsGradient()
    {
        float[] logits = [2f, -1f, 0.5f, 0.1f, 0.3f, 3f];
        int[] labels = [0, 2];
        const double eps = 0.1;
        var loss = Loss.SmoothedSoftmaxCrossEntropy(0.1f);
        var gradient = new float[6];
        var result = loss.Compute(logits, labels, gradient);

        // Independent: −Σ_j t_j log softmax(z)_j with t = 0.9·onehot + 0.1/3, averaged over the two rows.
        double expected = 0;
        for (var i = 0; i < 2; i++)
        {
            var z = logits.Skip(3 * i).Take(3).Select(v => (double)v).ToArray();
            var logSum = Math.Log(z.Sum(Math.Exp));
            for (var j = 0; j < 3; j++)
            {
                var t = (j == labels[i] ? 1 - eps : 0) + eps / 3;
                expected -= t * (z[j] - logSum);
            }
        }
        Assert.Equal(expected / 2, result.Loss, 7);

        for (var k = 0; k < 6; k++)
        {
            const float h = 1e-3f;
            var saved = logits[k];
            logits[k] = saved + h;
            var plus = loss.Compute(logits, labels, default).Loss;
            logits[k] = saved - h;
            var minus = loss.Compute(logits, labels, default).Loss;
            logits[k] = saved;
            Assert.Equal((plus - minus) / (2 * h), gradient[k], 3);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => Loss.SmoothedSoftmaxCrossEntropy(1f));
    }

    [Fact]
    public void ClipNorm_ScalesTheWholeGradientToTheNorm()
    {
        var model = new LinearModel(Shape.Flat(4), 2);
        var data = new Dataset([10, 20, 30, 40, -50, 60, -70, 80], [0, 1], Shape.Flat(4));
        var reference = new LinearModel(Shape.Flat(4), 2);
        var trainer = new Trainer(model, new Sgd(1f)) { ClipNorm = 0.5f };
        var before = model.Parameters.ToArray();
        trainer.TrainBatch(data, [0, 1]);
        Assert.True(trainer.LastGradientNorm > 0.5, $"the test needs a gradient larger than the clip, got {trainer.LastGradientNorm}");
        // With lr 1 the step is the clipped gradient: its norm is the clip.
        var step = Math.Sqrt(before.Zip(model.Parameters.ToArray(), (a, b) => (double)(a - b) * (a - b)).Sum());
        Assert.Equal(0.5, step, 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => trainer.ClipNorm = -1);
    }

    [Fact]
    public void SameSeed_GivesBitIdenticalWeights_AfterTraining()
    {
        static float[] Train()
        {
            var net = new ModelDsl.Tests.Generated.TinyResNet(seed: 7);
            var data = new Dataset(ModelDsl.Tests.Generated.GeneratedModelTests.Random(24 * 192, 9), Enumerable.Range(0, 24).Select(i => i % 3).ToArray(), net.InputShape);
            var trainer = new Trainer(net, new AdamW(0.01f)) { Augmentation = Augment.Compose(Augment.HorizontalFlip(), Augment.GaussianNoise(0.05f)) };
            trainer.Fit(data, epochs: 2, batchSize: 8, seed: 11);
            return net.Parameters.ToArray().Concat(net.Buffers.ToArray()).ToArray();
        }
        Assert.Equal(Train(), Train());
    }
}
