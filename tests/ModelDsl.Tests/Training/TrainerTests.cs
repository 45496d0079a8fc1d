namespace ModelDsl.Tests.Training;

public class TrainerTests
{
    private static readonly Shape Input = Shape.Map(1, 2, 2);

    /// <summary>Three classes of 2×2 images around distinct centers, with uniform noise: linearly separable.</summary>
    private static Dataset Clusters(int count, ulong seed)
    {
        float[][] centers = [[1, 0, 0, 0], [0, 0, 1, 1], [0, 1, 0, -1]];
        var rng = new Rng(seed);
        var features = new float[count * 4];
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            var label = rng.NextInt(3);
            labels[i] = label;
            for (var j = 0; j < 4; j++) features[i * 4 + j] = centers[label][j] + rng.NextSymmetric(0.3f);
        }
        return new Dataset(features, labels, Input, ["a", "b", "c"]);
    }

    private static Trainer NewTrainer(float lr = 0.1f, ILoss? loss = null) =>
        new(new LinearModel(Input, 3, seed: 4), new Sgd(lr, momentum: 0.9f), loss);

    [Fact]
    public void Fit_OnSeparableData_LowersTheLossAndRaisesTheAccuracy()
    {
        var trainer = NewTrainer();
        var seen = new List<EpochReport>();
        var result = trainer.Fit(Clusters(300, 1), epochs: 8, batchSize: 16, validation: Clusters(100, 2), onEpoch: seen.Add);

        Assert.Equal(8, result.Epochs.Count);
        Assert.Equal(result.Epochs, seen);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], result.Epochs.Select(e => e.Epoch));
        var first = result.Epochs[0];
        Assert.True(result.Last.TrainLoss < first.TrainLoss / 3, $"loss {first.TrainLoss} → {result.Last.TrainLoss}");
        Assert.True(result.Last.TrainAccuracy > 0.97, $"train accuracy {result.Last.TrainAccuracy}");
        Assert.True(result.Last.ValidationAccuracy > 0.97, $"validation accuracy {result.Last.ValidationAccuracy}");
        Assert.True(result.Last.ValidationLoss < 0.2);
        Assert.All(result.Epochs, e => Assert.True(e.ImagesPerSecond > 0 && e.Elapsed > TimeSpan.Zero));
    }

    [Fact]
    public void Fit_WithoutValidation_ReportsNull_AndIsDeterministicForASeed()
    {
        var data = Clusters(50, 3);
        var a = NewTrainer().Fit(data, 2, 8, seed: 5);
        var b = NewTrainer().Fit(data, 2, 8, seed: 5);
        var c = NewTrainer().Fit(data, 2, 8, seed: 6);
        Assert.Null(a.Last.ValidationLoss);
        Assert.Null(a.Last.ValidationAccuracy);
        Assert.Equal(a.Epochs.Select(e => e.TrainLoss), b.Epochs.Select(e => e.TrainLoss));
        Assert.NotEqual(a.Epochs.Select(e => e.TrainLoss), c.Epochs.Select(e => e.TrainLoss));
    }

    [Fact]
    public void Fit_ShufflesAndIncludesTheLastPartialBatch()
    {
        var recorder = new RecordingLoss();
        NewTrainer(loss: recorder).Fit(Clusters(10, 4), epochs: 2, batchSize: 4);
        Assert.Equal([4, 4, 2, 4, 4, 2], recorder.BatchSizes);
    }

    [Fact]
    public void Evaluate_AndPredict_MatchTheLossOnTheWholeSet()
    {
        var data = Clusters(40, 5);
        var trainer = NewTrainer();
        trainer.Fit(data, 1, 8);
        var before = trainer.Model.Parameters.ToArray();

        var evaluation = trainer.Evaluate(data, batchSize: 7);
        var output = trainer.Model.Forward(data.Features, data.Count).ToArray();
        var expected = Loss.SoftmaxCrossEntropy.Compute(output, data.Labels, default);
        Assert.Equal(expected.Loss, evaluation.Loss, 1e-5);
        Assert.Equal((double)expected.Correct / data.Count, evaluation.Accuracy);
        Assert.Equal(40, evaluation.Count);

        var predictions = trainer.Predict(data, batchSize: 7);
        for (var i = 0; i < data.Count; i++)
        {
            var row = output.AsSpan(i * 3, 3);
            Assert.Equal(row.IndexOf(Max(row)), predictions[i]);
        }
        Assert.Equal(before, trainer.Model.Parameters.ToArray());

        static float Max(ReadOnlySpan<float> row) => Math.Max(row[0], Math.Max(row[1], row[2]));
    }

    [Fact]
    public void WrongSampleShape_IsRejectedNamingBothShapes()
    {
        var data = new Dataset(new float[12], [0, 1], Shape.Map(1, 2, 3));
        var e = Assert.Throws<ArgumentException>(() => NewTrainer().Fit(data, 1, 2));
        Assert.Contains("(N, 1, 2, 3)", e.Message);
        Assert.Contains("(N, 1, 2, 2)", e.Message);
        Assert.Equal("train", e.ParamName);
        Assert.Equal("validation", Assert.Throws<ArgumentException>(() => NewTrainer().Fit(Clusters(4, 1), 1, 2, data)).ParamName);
    }

    [Fact]
    public void MoreClassesThanOutputs_IsRejected()
    {
        var data = new Dataset(new float[8], [0, 4], Input);
        var e = Assert.Throws<ArgumentException>(() => NewTrainer().Evaluate(data));
        Assert.Contains("5 classes", e.Message);
        Assert.Contains("(N, 3)", e.Message);
    }

    [Fact]
    public void NaNInTheData_StopsTraining_NamingEpochAndBatch_WithoutUpdating()
    {
        var data = Clusters(12, 6);
        var features = data.Features.ToArray();
        features[7 * 4 + 2] = float.NaN;
        var poisoned = new Dataset(features, data.Labels.ToArray(), Input);

        var trainer = NewTrainer();
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(poisoned, 3, 4));
        Assert.Equal(1, e.Epoch);
        Assert.InRange(e.Batch, 1, 3);
        Assert.Contains($"At epoch 1, batch {e.Batch}", e.Message);
        Assert.Contains("NaN", e.Message);

        var before = trainer.Model.Parameters.ToArray();
        Assert.Throws<TrainingDivergedException>(() => trainer.TrainBatch(poisoned, [0, 7]));
        Assert.Equal(before, trainer.Model.Parameters.ToArray());
        Assert.All(before, p => Assert.True(float.IsFinite(p)));
    }

    [Fact]
    public void HugeLearningRate_Diverges_WithAClearError()
    {
        var trainer = new Trainer(new LinearModel(Input, 3), new Sgd(1e38f, momentum: 0.9f));
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(Clusters(64, 7), 5, 8));
        Assert.Contains("lower the learning rate", e.Message);
        Assert.Contains("epoch 1", e.Message);
    }

    [Fact]
    public void TrainBatch_AllocatesNothingAfterWarmUp()
    {
        var data = Clusters(64, 8);
        var trainer = NewTrainer();
        var indices = new int[16];
        for (var i = 0; i < indices.Length; i++) indices[i] = (i * 5) % data.Count;
        for (var i = 0; i < 3; i++) trainer.TrainBatch(data, indices);

        // Per thread, so that tests running in parallel do not count. The fewest over several rounds: the runtime
        // may allocate on this thread once while it recompiles a hot method; a per-batch allocation shows in every round.
        var fewest = long.MaxValue;
        var loss = 0.0;
        for (var round = 0; round < 4; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 25; i++) loss += trainer.TrainBatch(data, indices).Loss;
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, fewest);
        Assert.True(double.IsFinite(loss));
    }

    [Fact]
    public void TrainBatch_RejectsIndicesOutsideTheDataset()
    {
        var e = Assert.Throws<ArgumentException>(() => NewTrainer().TrainBatch(Clusters(8, 9), [1, 8]));
        Assert.Contains("Sample index 8 at position 1", e.Message);
    }

    private sealed class RecordingLoss : ILoss
    {
        public List<int> BatchSizes { get; } = [];

        public string Name => "recording";

        public LossResult Compute(ReadOnlySpan<float> output, ReadOnlySpan<int> labels, Span<float> gradient)
        {
            if (!gradient.IsEmpty) BatchSizes.Add(labels.Length);
            return Loss.SoftmaxCrossEntropy.Compute(output, labels, gradient);
        }
    }
}
