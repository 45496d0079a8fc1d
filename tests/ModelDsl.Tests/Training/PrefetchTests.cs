using System.Diagnostics;

namespace ModelDsl.Tests.Training;

/// <summary>A small convolutional network with real dropout, for pipeline tests on images.</summary>
[Model(Input = [1, 8, 8])]
public partial class AugmentedNet
{
    [Conv2D(4, Kernel = 3, Padding = 1), ReLU] public partial Layer Conv { get; }
    [MaxPool2D(2)]                             public partial Layer Pool { get; }
    [Dropout(0.3)]                             public partial Layer Drop { get; }
    [Dense(3)]                                 public partial Layer Out { get; }
}

/// <summary>Images whose first pixel is the sample's index, so an augmentation can tell which sample it was given.</summary>
internal static class PipelineData
{
    public static readonly Shape Image = Shape.Map(1, 8, 8);

    public static Dataset Images(int count, int seed = 3)
    {
        var rng = new Rng((ulong)seed);
        var features = new float[count * Image.Size];
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            labels[i] = i % 3;
            var sample = features.AsSpan(i * Image.Size, Image.Size);
            for (var j = 0; j < sample.Length; j++) sample[j] = rng.NextSymmetric(0.5f) + (j % 3 == labels[i] ? 1 : 0);
            sample[0] = i;
        }
        return new Dataset(features, labels, Image);
    }

    /// <summary>Flip, shift, rotation/scale and noise: every kind of draw.</summary>
    public static Augmentation Heavy() => Augment.Compose(
        Augment.HorizontalFlip(), Augment.Shift(2), Augment.RotateScale(15, 0.1f), Augment.GaussianNoise(0.05f));

    public static Trainer NewTrainer(bool prefetch, Augmentation? augmentation = null) =>
        new(new AugmentedNet(seed: 5), new Adam(0.01f)) { Prefetch = prefetch, Augmentation = augmentation };
}

/// <summary>
/// Leaves the sample as it is and records, per call, the sample's index (its first pixel), the first draw of
/// the stream it was given and the thread it ran on; <see cref="FailOn"/> makes it throw for one sample.
/// </summary>
internal sealed class RecordingAugmentation : Augmentation
{
    public List<(int Sample, uint Draw, int Thread)> Calls { get; } = new(4096);

    public int FailOn { get; init; } = -1;

    public override void Apply(Span<float> sample, Shape shape, ref Rng rng, Span<float> scratch)
    {
        var index = (int)sample[0];
        if (index == FailOn) throw new InvalidOperationException($"Sample {index} cannot be augmented.");
        Calls.Add((index, rng.NextUInt(), Environment.CurrentManagedThreadId));
    }
}

public class PrefetchTests
{
    private static float[] Weights(Trainer trainer) => trainer.Model.Parameters.ToArray();

    [Fact]
    public void Weights_AreBitIdentical_WithPrefetchOnAndOff_WithAugmentationAndDropout()
    {
        var data = PipelineData.Images(50); // batches of 8: the last of each epoch holds 2
        (float[] Weights, double[] Losses) Train(bool prefetch)
        {
            var trainer = PipelineData.NewTrainer(prefetch, PipelineData.Heavy());
            var fit = trainer.Fit(data, epochs: 3, batchSize: 8, seed: 9, schedule: Schedule.Cosine());
            return (Weights(trainer), fit.Epochs.Select(e => e.TrainLoss).ToArray());
        }
        var on = Train(prefetch: true);
        var off = Train(prefetch: false);
        Assert.Equal(off.Weights, on.Weights);
        Assert.Equal(off.Losses, on.Losses);
        Assert.NotEqual(Weights(PipelineData.NewTrainer(true)), on.Weights); // it did train
    }

    [Fact]
    public void SameSeed_GivesTheSameWeights_AnotherSeedOthers()
    {
        var data = PipelineData.Images(40);
        float[] Train(int seed)
        {
            var trainer = PipelineData.NewTrainer(true, PipelineData.Heavy());
            trainer.Fit(data, epochs: 2, batchSize: 8, seed: seed);
            return Weights(trainer);
        }
        Assert.Equal(Train(1), Train(1));
        Assert.NotEqual(Train(1), Train(2));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EachSample_DrawsFromItsSeedEpochAndPosition_WhateverTheBatchSize(bool prefetch)
    {
        var data = PipelineData.Images(23);
        List<(int Sample, uint Draw, int Thread)> Run(int batchSize)
        {
            var recorder = new RecordingAugmentation();
            PipelineData.NewTrainer(prefetch, recorder).Fit(data, epochs: 2, batchSize: batchSize, seed: 4);
            return recorder.Calls;
        }
        var fours = Run(4);
        var sevens = Run(7);
        Assert.Equal(2 * data.Count, fours.Count);
        Assert.Equal(fours.Select(c => (c.Sample, c.Draw)), sevens.Select(c => (c.Sample, c.Draw)));

        // The rule: the sample at position p of epoch e's order (epochs from 1) draws from SampleRandom(seed, e, p).
        for (var k = 0; k < fours.Count; k++)
        {
            var rng = Augmentation.SampleRandom(4, 1 + k / data.Count, k % data.Count);
            Assert.Equal(rng.NextUInt(), fours[k].Draw);
        }
        // Each epoch visits every sample once, in a new order, with new draws.
        var first = fours.Take(data.Count).ToArray();
        var second = fours.Skip(data.Count).ToArray();
        Assert.Equal(Enumerable.Range(0, data.Count), first.Select(c => c.Sample).Order());
        Assert.NotEqual(first.Select(c => c.Sample), second.Select(c => c.Sample));
        var drawBySample = first.ToDictionary(c => c.Sample, c => c.Draw);
        Assert.All(second, c => Assert.NotEqual(drawBySample[c.Sample], c.Draw));

        // With prefetch the batches are made on another thread; without it, on the training thread.
        var training = Environment.CurrentManagedThreadId;
        Assert.All(fours, c => Assert.Equal(prefetch, c.Thread != training));
    }

    [Fact]
    public void Augmentation_ChangesTraining_ButNeverEvaluationOrPrediction()
    {
        var data = PipelineData.Images(30);
        var validation = PipelineData.Images(12, seed: 8);
        var plain = PipelineData.NewTrainer(true);
        plain.Fit(data, epochs: 2, batchSize: 8, seed: 1);
        var augmented = PipelineData.NewTrainer(true, PipelineData.Heavy());
        augmented.Fit(data, epochs: 2, batchSize: 8, seed: 1);
        Assert.NotEqual(Weights(plain), Weights(augmented));

        // Every training sample of every epoch is augmented once; the validation set never is.
        var recorder = new RecordingAugmentation();
        var counted = PipelineData.NewTrainer(true, recorder);
        counted.Fit(data, epochs: 3, batchSize: 8, validation: validation, seed: 1);
        Assert.Equal(3 * data.Count, recorder.Calls.Count);
        Assert.All(recorder.Calls, c => Assert.InRange(c.Sample, 0, data.Count - 1));
        var before = recorder.Calls.Count;
        var withAugmentation = (augmented.Evaluate(validation), augmented.Predict(validation));
        augmented.Augmentation = null;
        var without = (augmented.Evaluate(validation), augmented.Predict(validation));
        Assert.Equal(without.Item1, withAugmentation.Item1);
        Assert.Equal(without.Item2, withAugmentation.Item2);
        counted.Evaluate(validation);
        counted.Predict(validation);
        Assert.Equal(before, recorder.Calls.Count);
    }

    [Fact]
    public void TrainBatch_CountsSamplesAcrossCalls_AndSeedAugmentationRestartsTheCount()
    {
        var data = PipelineData.Images(6);
        var split = new RecordingAugmentation();
        var trainer = PipelineData.NewTrainer(true, split);
        trainer.TrainBatch(data, [4, 1]);
        trainer.TrainBatch(data, [0]);
        var whole = new RecordingAugmentation();
        PipelineData.NewTrainer(true, whole).TrainBatch(data, [4, 1, 0]);
        // Batching does not matter: one batch of three draws what a batch of two and one of one drew.
        Assert.Equal(whole.Calls.Select(c => (c.Sample, c.Draw)), split.Calls.Select(c => (c.Sample, c.Draw)));
        for (var i = 0; i < 3; i++) Assert.Equal(Augmentation.SampleRandom(0, 0, i).NextUInt(), split.Calls[i].Draw);

        trainer.SeedAugmentation(12);
        trainer.TrainBatch(data, [2, 3]);
        Assert.Equal(Augmentation.SampleRandom(12, 0, 0).NextUInt(), split.Calls[3].Draw);
        Assert.Equal(Augmentation.SampleRandom(12, 0, 1).NextUInt(), split.Calls[4].Draw);
        Assert.NotEqual(split.Calls[0].Draw, split.Calls[3].Draw);
    }

    [Fact]
    public void SampleRandom_GivesUnrelatedStreams_ForNeighbouringSeedsEpochsAndPositions()
    {
        var keys = new HashSet<ulong>();
        var firsts = new List<double>();
        for (var seed = 0; seed < 3; seed++)
        for (var epoch = 0; epoch < 3; epoch++)
        for (var position = 0L; position < 2000; position++)
        {
            var rng = Augmentation.SampleRandom(seed, epoch, position);
            var a = rng.NextUInt();
            Assert.True(keys.Add(((ulong)a << 32) | rng.NextUInt()), $"stream ({seed}, {epoch}, {position}) repeats another");
            firsts.Add(a / 4294967296.0);
        }
        // First draws of neighbouring positions: uniform (mean 1/2) and uncorrelated (lag-1 correlation near 0).
        var mean = firsts.Average();
        Assert.InRange(mean, 0.49, 0.51);
        var variance = firsts.Sum(x => (x - mean) * (x - mean));
        var lag = firsts.Zip(firsts.Skip(1), (x, y) => (x - mean) * (y - mean)).Sum();
        Assert.InRange(lag / variance, -0.03, 0.03);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ProducerFailure_SurfacesOnTheTrainingThread_WithItsMessage_AfterTheSameSteps(bool prefetch)
    {
        var data = PipelineData.Images(40);
        var trainer = PipelineData.NewTrainer(prefetch, new RecordingAugmentation { FailOn = 13 });
        var steps = 0;
        trainer.Callbacks.Add(new OnBatch(_ => steps++));
        var e = Assert.Throws<InvalidOperationException>(() => trainer.Fit(data, epochs: 2, batchSize: 8, seed: 6));
        Assert.Equal("Sample 13 cannot be augmented.", e.Message);
        Assert.Contains(nameof(RecordingAugmentation), e.StackTrace); // the original stack, not a wrapper's

        // Without prefetch the failing batch is made just before its step: the steps before it all ran.
        var reference = PipelineData.NewTrainer(false, new RecordingAugmentation { FailOn = 13 });
        var referenceSteps = 0;
        reference.Callbacks.Add(new OnBatch(_ => referenceSteps++));
        Assert.Throws<InvalidOperationException>(() => reference.Fit(data, epochs: 2, batchSize: 8, seed: 6));
        Assert.Equal(referenceSteps, steps);
        Assert.Equal(Weights(reference), Weights(trainer));

        // The trainer still works afterwards.
        trainer.Augmentation = null;
        Assert.Single(trainer.Fit(data, epochs: 1, batchSize: 8).Epochs);
    }

    [Fact]
    public void Divergence_StopsTheProducer_AndNothingHangs()
    {
        var data = PipelineData.Images(64);
        var features = data.Features.ToArray();
        features[37 * PipelineData.Image.Size + 4 * 8 + 4] = float.NaN; // a middle pixel: flips and noise keep it
        var poisoned = new Dataset(features, data.Labels.ToArray(), PipelineData.Image);
        TrainingDivergedException Run(bool prefetch)
        {
            var trainer = PipelineData.NewTrainer(prefetch, Augment.Compose(Augment.HorizontalFlip(), Augment.GaussianNoise(0.05f)));
            var run = Task.Run(() => trainer.Fit(poisoned, epochs: 3, batchSize: 4, seed: 2));
            Assert.True(((IAsyncResult)run).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(60)), "Fit did not return");
            return Assert.Throws<TrainingDivergedException>(() => run.GetAwaiter().GetResult());
        }
        var on = Run(true);
        var off = Run(false);
        Assert.Equal(off.Message, on.Message);
        Assert.Equal(1, on.Epoch);
    }

    [Theory]
    [InlineData(1)]   // after the epoch's first step: the second batch is already being made
    [InlineData(8)]   // after its last step: nothing is in flight
    public void RequestStop_WithPrefetch_EndsAfterThatStep_AsWithout(int stopAt)
    {
        var data = PipelineData.Images(64);
        (float[], int) Run(bool prefetch)
        {
            var trainer = PipelineData.NewTrainer(prefetch, PipelineData.Heavy());
            var steps = 0;
            trainer.Callbacks.Add(new OnBatch(p =>
            {
                steps++;
                if (p.Step == stopAt) trainer.RequestStop();
            }));
            var fit = trainer.Fit(data, epochs: 3, batchSize: 8, seed: 2);
            Assert.True(fit.StoppedEarly);
            return (Weights(trainer), steps);
        }
        var (weights, steps) = Run(true);
        Assert.Equal(stopAt, steps);
        var (reference, referenceSteps) = Run(false);
        Assert.Equal(referenceSteps, steps);
        Assert.Equal(reference, weights);
    }

    [Fact]
    public void AnEvaluationInACallback_DoesNotDisturbTheBatchBeingMade()
    {
        var data = PipelineData.Images(48);
        var validation = PipelineData.Images(20, seed: 4);
        float[] Run(bool evaluateEachStep)
        {
            var trainer = PipelineData.NewTrainer(true, PipelineData.Heavy());
            if (evaluateEachStep) trainer.Callbacks.Add(new OnBatch(_ => trainer.Evaluate(validation, batchSize: 16)));
            trainer.Fit(data, epochs: 2, batchSize: 8, seed: 3);
            return Weights(trainer);
        }
        Assert.Equal(Run(false), Run(true));
    }

    [Fact]
    public void Fit_CalledFromItsOwnCallback_IsRefused_AndTheTrainerStillWorks()
    {
        var data = PipelineData.Images(24);
        var trainer = PipelineData.NewTrainer(true, PipelineData.Heavy());
        trainer.Callbacks.Add(new OnBatch(_ => trainer.Fit(data, epochs: 1, batchSize: 8)));
        var e = Assert.Throws<InvalidOperationException>(() => trainer.Fit(data, epochs: 1, batchSize: 8));
        Assert.Contains("already running Fit", e.Message);
        trainer.Callbacks.Clear();
        Assert.Single(trainer.Fit(data, epochs: 1, batchSize: 8).Epochs);
    }

    private sealed class OnBatch(Action<BatchProgress> action) : ITrainingCallback
    {
        public void OnBatchEnd(Trainer trainer, in BatchProgress progress) => action(progress);
    }
}

/// <summary>Process-wide counts (allocations, threads) run alone.</summary>
[Collection(nameof(AllocationCollection))]
public class PrefetchResourceTests
{
    /// <summary>Records the process's allocated bytes after every step into a preallocated array.</summary>
    private sealed class AllocationProbe(int steps) : ITrainingCallback
    {
        public long[] After { get; } = new long[steps + 1];

        public void OnBatchEnd(Trainer trainer, in BatchProgress progress)
        {
            if (progress.Step < After.Length) After[progress.Step] = GC.GetTotalAllocatedBytes(precise: true);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FitSteps_AfterWarmUp_AllocateNothing_OnAnyThread(bool prefetch)
    {
        var data = PipelineData.Images(8 * 40);
        var trainer = PipelineData.NewTrainer(prefetch, PipelineData.Heavy());
        var probe = new AllocationProbe(40);
        trainer.Callbacks.Add(probe);
        trainer.Fit(data, epochs: 1, batchSize: 8, seed: 1);

        // Windows of five steps after three of warm-up; the least of them, as Allocations.LeastOverWindows does,
        // because the test framework's threads may allocate during one. A step that allocates shows in every window.
        var least = long.MaxValue;
        for (var from = 5; from + 5 <= 40; from += 5) least = Math.Min(least, probe.After[from + 5] - probe.After[from]);
        Assert.Equal(0, least);
    }

    [Fact]
    public void ManyFitCalls_LeaveNoProducerThreadBehind()
    {
        var data = PipelineData.Images(16);
        var trainer = PipelineData.NewTrainer(true, PipelineData.Heavy());
        trainer.Fit(data, epochs: 1, batchSize: 4);
        var before = Process.GetCurrentProcess().Threads.Count;
        for (var i = 0; i < 200; i++) trainer.Fit(data, epochs: 1, batchSize: 4, seed: i);
        // Stopped runs and failed runs too.
        trainer.Callbacks.Add(new Stopper());
        for (var i = 0; i < 50; i++) trainer.Fit(data, epochs: 2, batchSize: 4);
        trainer.Callbacks.Clear();
        trainer.Augmentation = new RecordingAugmentation { FailOn = 7 };
        for (var i = 0; i < 50; i++) Assert.Throws<InvalidOperationException>(() => trainer.Fit(data, epochs: 1, batchSize: 4));
        var after = Process.GetCurrentProcess().Threads.Count;
        Assert.InRange(after, 0, before + 10); // a producer per call left running would add 300
    }

    private sealed class Stopper : ITrainingCallback
    {
        public void OnBatchEnd(Trainer trainer, in BatchProgress progress) => trainer.RequestStop();
    }
}
