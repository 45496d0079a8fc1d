namespace ModelDsl.Tests.Training;

public class CallbackTests
{
    private static readonly Shape Input = Shape.Map(1, 2, 2);

    private static Dataset Data(int count)
    {
        var rng = new Rng(9);
        var features = new float[count * 4];
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            labels[i] = i % 3;
            for (var j = 0; j < 4; j++) features[i * 4 + j] = (j == labels[i] ? 1 : 0) + rng.NextSymmetric(0.2f);
        }
        return new Dataset(features, labels, Input, ["a", "b", "c"]);
    }

    private static Trainer NewTrainer() => new(new LinearModel(Input, 3, seed: 2), new Sgd(0.1f));

    /// <summary>Writes every event as a line, so the order and the arguments can be compared at once.</summary>
    private sealed class Recorder(Func<BatchProgress, bool>? stopAfter = null) : ITrainingCallback
    {
        public List<string> Events { get; } = [];

        public void OnFitStart(Trainer trainer, FitPlan plan) =>
            Events.Add($"start {plan.Epochs}x{plan.BatchesPerEpoch} n={plan.TrainCount} b={plan.BatchSize} from {plan.FirstEpoch}");

        public void OnEpochStart(Trainer trainer, int epoch) => Events.Add($"epoch {epoch}");

        public void OnBatchEnd(Trainer trainer, in BatchProgress p)
        {
            Events.Add($"batch {p.Epoch}.{p.Batch}/{p.BatchesPerEpoch} step {p.Step} count {p.Count}");
            if (stopAfter?.Invoke(p) == true) trainer.RequestStop();
        }

        public void OnEpochEnd(Trainer trainer, EpochReport report) => Events.Add($"end {report.Epoch}");

        public void OnFitEnd(Trainer trainer, FitResult result) => Events.Add($"done {result.Epochs.Count} stopped={result.StoppedEarly}");
    }

    [Fact]
    public void Fit_CallsEveryCallbackAtEachPoint_InOrder()
    {
        var trainer = NewTrainer();
        var recorder = new Recorder();
        trainer.Callbacks.Add(recorder);
        trainer.Fit(Data(10), epochs: 2, batchSize: 4);

        Assert.Equal(
        [
            "start 2x3 n=10 b=4 from 1",
            "epoch 1", "batch 1.1/3 step 1 count 4", "batch 1.2/3 step 2 count 4", "batch 1.3/3 step 3 count 2", "end 1",
            "epoch 2", "batch 2.1/3 step 4 count 4", "batch 2.2/3 step 5 count 4", "batch 2.3/3 step 6 count 2", "end 2",
            "done 2 stopped=False",
        ], recorder.Events);
    }

    [Fact]
    public void BatchProgress_CarriesTheStepsLossAndLearningRate()
    {
        var trainer = NewTrainer();
        var losses = new List<double>();
        var rates = new List<float>();
        trainer.Callbacks.Add(new Probe(p => { losses.Add(p.Loss); rates.Add(p.LearningRate); }));
        var fit = trainer.Fit(Data(12), epochs: 1, batchSize: 4, schedule: Schedule.Cosine());

        Assert.Equal(3, losses.Count);
        // The epoch's mean training loss is the sample-weighted mean of the batch losses.
        Assert.Equal(fit.Last.TrainLoss, losses.Average(), 1e-9);
        // A cosine schedule over 3 steps: factors (1 + cos(πt/2))/2 = 1, 0.5, 0 of the starting rate 0.1.
        Assert.Equal([0.1f, 0.05f, 0f], rates.Select(r => MathF.Round(r, 6)));
    }

    private sealed class Probe(Action<BatchProgress> action) : ITrainingCallback
    {
        public void OnBatchEnd(Trainer trainer, in BatchProgress progress) => action(progress);
    }

    [Fact]
    public void RequestStop_EndsTheRunAfterTheCurrentStep_ReportingThePartialEpoch()
    {
        var trainer = NewTrainer();
        var recorder = new Recorder(p => p.Step == 5);
        trainer.Callbacks.Add(recorder);
        var fit = trainer.Fit(Data(10), epochs: 4, batchSize: 4, validation: Data(6));

        Assert.Equal(2, fit.Epochs.Count);
        Assert.True(fit.StoppedEarly);
        Assert.NotNull(fit.Last.ValidationLoss); // the partial epoch is still evaluated
        Assert.Equal(["epoch 2", "batch 2.1/3 step 4 count 4", "batch 2.2/3 step 5 count 4", "end 2", "done 2 stopped=True"],
            recorder.Events.Skip(6));

        // The request is consumed: the next run goes to its end.
        recorder.Events.Clear();
        trainer.Callbacks.Clear();
        Assert.False(trainer.Fit(Data(10), epochs: 2, batchSize: 4).StoppedEarly);
    }

    [Fact]
    public void RequestStop_BeforeTheFirstStep_TrainsNothing()
    {
        var trainer = NewTrainer();
        var before = trainer.Model.Parameters.ToArray();
        trainer.Callbacks.Add(new Stopper());
        var fit = trainer.Fit(Data(10), epochs: 3, batchSize: 4);
        Assert.Empty(fit.Epochs);
        Assert.True(fit.StoppedEarly);
        Assert.Equal(before, trainer.Model.Parameters.ToArray());
    }

    private sealed class Stopper : ITrainingCallback
    {
        public void OnFitStart(Trainer trainer, FitPlan plan) => trainer.RequestStop();
    }
}
