namespace ModelDsl.Tests.Training;

/// <summary>Validation splits, early stopping with the best epoch restored, and L1/L2 penalties.</summary>
public class RegularizationTests
{
    private static Dataset Separable(int count, bool flipLabels, int seed)
    {
        var rng = new Rng((ulong)seed);
        var features = new float[count * 4];
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            var label = i % 2;
            labels[i] = flipLabels ? 1 - label : label;
            for (var j = 0; j < 4; j++) features[i * 4 + j] = rng.NextSymmetric(0.5f) + (label == 1 ? 1f : -1f);
        }
        return new Dataset(features, labels, Shape.Flat(4));
    }

    [Fact]
    public void Split_IsARandomPartition()
    {
        var data = Separable(50, false, 1);
        var (train, validation) = data.Split(0.2, seed: 3);
        Assert.Equal(40, train.Count);
        Assert.Equal(10, validation.Count);
        var all = train.Features.ToArray().Chunk(4).Concat(validation.Features.ToArray().Chunk(4)).Select(r => string.Join(",", r)).Order();
        Assert.Equal(data.Features.ToArray().Chunk(4).Select(r => string.Join(",", r)).Order(), all);
        Assert.NotEqual(data.Features[..40].ToArray(), train.Features.ToArray()); // shuffled, not the first 40
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Split(1.0));
    }

    [Fact]
    public void EarlyStopping_StopsAfterItsPatience_AndRestoresTheBestEpoch()
    {
        var model = new LinearModel(Shape.Flat(4), 2);
        var train = Separable(64, false, 1);
        var opposite = Separable(32, true, 2); // learning the training set makes this worse every epoch
        float[]? atBest = null;
        var fit = new Trainer(model, new Sgd(0.1f)).Fit(train, epochs: 20, batchSize: 8, validation: opposite,
            earlyStopping: new EarlyStopping(patience: 2),
            onEpoch: report => { if (report.Epoch == 1) atBest = model.Parameters.ToArray(); });

        Assert.True(fit.StoppedEarly);
        Assert.Equal(1, fit.BestEpoch);
        Assert.Equal(3, fit.Epochs.Count); // the best epoch, then two without improvement
        Assert.True(fit.Epochs[2].ValidationLoss > fit.Epochs[0].ValidationLoss);
        Assert.Equal(atBest, model.Parameters.ToArray());
        Assert.Throws<ArgumentException>(() => new Trainer(model, new Sgd(0.1f)).Fit(train, 1, 8, earlyStopping: new EarlyStopping()));
    }

    [Fact]
    public void ReduceOnPlateau_LowersTheRateAfterItsPatience_AgainAndAgain()
    {
        var model = new LinearModel(Shape.Flat(4), 2);
        var sgd = new Sgd(0.1f);
        var plateau = new ReduceOnPlateau(factor: 0.5, patience: 2);
        var rates = new List<float>();
        // The validation labels are the opposite of the training ones: after epoch 1 it only gets worse.
        new Trainer(model, sgd).Fit(Separable(64, false, 1), epochs: 5, batchSize: 8, validation: Separable(32, true, 2),
            plateau: plateau, onEpoch: _ => rates.Add(sgd.LearningRate));
        // The report of an epoch is made before its plateau check: epochs 2 and 3 stall → halved after 3; 4 and 5 → again.
        Assert.Equal([0.1f, 0.1f, 0.1f, 0.05f, 0.05f], rates);
        Assert.Equal(0.025f, sgd.LearningRate);
        Assert.Equal(2, plateau.Reductions);
    }

    [Fact]
    public void L2Penalty_IsTheSameUpdateAsSgdWeightDecay()
    {
        var data = Separable(32, false, 4);
        var a = new LinearModel(Shape.Flat(4), 2);
        var b = new LinearModel(Shape.Flat(4), 2);
        new Trainer(a, new Sgd(0.1f)) { L2 = 0.05f }.Fit(data, 2, 8);
        new Trainer(b, new Sgd(0.1f, weightDecay: 0.05f)).Fit(data, 2, 8);
        Assert.Equal(b.Parameters.ToArray(), a.Parameters.ToArray());
    }

    [Fact]
    public void L1Penalty_PullsEachWeightTowardZeroBySignTimesLambda()
    {
        var model = new LinearModel(Shape.Flat(4), 2);
        var zeros = new Dataset(new float[2 * 4], [0, 1], Shape.Flat(4)); // zero inputs: the loss gives the weights no gradient
        var weights = model.GetParameter("fc.weight").Values.ToArray();
        var trainer = new Trainer(model, new Sgd(0.1f)) { L1 = 0.01f };
        trainer.TrainBatch(zeros, [0, 1]);
        var after = model.GetParameter("fc.weight").Values.ToArray();
        for (var i = 0; i < weights.Length; i++) Assert.Equal(weights[i] - 0.1f * 0.01f * MathF.Sign(weights[i]), after[i], 6);
        Assert.Throws<ArgumentOutOfRangeException>(() => trainer.L1 = -1);
    }
}

public class MetricsCsvTests
{
    [Fact]
    public void FitResult_WritesOneCsvRowPerEpoch_InTheInvariantCulture()
    {
        var result = new FitResult([
            new EpochReport(1, 0.5, 0.8, 0.6, 0.75, 1234.5, TimeSpan.FromSeconds(2)),
            new EpochReport(2, 0.25, 0.9, null, null, 1500, TimeSpan.FromMilliseconds(1500)),
        ]);
        var path = Path.Combine(Path.GetTempPath(), $"modeldsl-metrics-{Guid.NewGuid():N}.csv");
        var previous = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("fi-FI");
            result.WriteCsv(path);
            Assert.Equal(
                [
                    "epoch,train_loss,train_accuracy,validation_loss,validation_accuracy,images_per_second,seconds",
                    "1,0.5,0.8,0.6,0.75,1234.5,2.000",
                    "2,0.25,0.9,,,1500.0,1.500",
                ],
                File.ReadAllLines(path));
            Assert.False(File.Exists(path + ".tmp"));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = previous;
            File.Delete(path);
        }
    }
}
