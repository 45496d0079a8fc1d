using ModelDsl.Testing;
using ModelDsl.Tests.Generated;

namespace ModelDsl.Tests.Training;

/// <summary>
/// Fit writes training checkpoints and resumes from them: a run resumed from step k, with fresh objects
/// throughout (a model initialized from another seed, a new optimizer, trainer, schedule and rules), ends with
/// the parameters and buffers of the uninterrupted run, bit for bit, and the same epoch reports (timings aside).
/// </summary>
public sealed class ResumeTests : IDisposable
{
    private const int Epochs = 4;
    private const int BatchSize = 8;   // 46 samples: 6 batches per epoch, the last one of 6
    private const int Seed = 3;
    private readonly string _directory = Directory.CreateTempSubdirectory("modeldsl-resume-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    /// <summary>Three classes of 6×6 images: a bright band in the top, middle or bottom rows, with noise.</summary>
    private static Dataset Images(int count, ulong seed)
    {
        var rng = new Rng(seed);
        var features = new float[count * 36];
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            labels[i] = rng.NextInt(3);
            for (var p = 0; p < 36; p++) features[i * 36 + p] = (p / 12 == labels[i] ? 1f : 0f) + rng.NextSymmetric(0.4f);
        }
        return new Dataset(features, labels, Shape.Map(1, 6, 6), ["top", "middle", "bottom"]);
    }

    private static readonly Dataset Train = Images(46, 1);
    private static readonly Dataset Validation = Images(20, 2);

    private static Optimizer NewOptimizer(string kind, float lr) => kind switch
    {
        "sgd" => new Sgd(lr, momentum: 0.9f, nesterov: true, weightDecay: 1e-3f),
        "adam" => new Adam(lr / 10, weightDecay: 1e-3f),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Everything a run is made of, new each time.</summary>
    private sealed class Run
    {
        public Run(string optimizer, int modelSeed, float lr = 0.05f)
        {
            Model = new NormDropoutNet(seed: modelSeed);
            Trainer = new Trainer(Model, NewOptimizer(optimizer, lr))
            {
                Augmentation = Augment.Compose(Augment.HorizontalFlip(), Augment.Shift(1), Augment.GaussianNoise(0.05f)),
            };
        }

        public NormDropoutNet Model { get; }

        public Trainer Trainer { get; }

        public FitResult Fit(Checkpointing? checkpointing) =>
            Trainer.Fit(Train, Epochs, BatchSize, Validation, Seed,
                schedule: Schedule.Cosine(floor: 0.1).WithWarmup(4),
                earlyStopping: new EarlyStopping(patience: 10),
                plateau: new ReduceOnPlateau(factor: 0.5, patience: 1, minDelta: 0.02),
                checkpointing: checkpointing);
    }

    /// <summary>Ends a run as a crash would: an exception out of Fit after step <paramref name="step"/>.</summary>
    private sealed class CrashAfter(long step) : ITrainingCallback
    {
        public void OnBatchEnd(Trainer trainer, in BatchProgress progress)
        {
            if (progress.Step == step) throw new SimulatedCrash();
        }
    }

    private sealed class SimulatedCrash : Exception;

    private sealed class StopAfter(long step) : ITrainingCallback
    {
        public void OnBatchEnd(Trainer trainer, in BatchProgress progress)
        {
            if (progress.Step == step) trainer.RequestStop();
        }
    }

    private static object Timeless(EpochReport r) => (r.Epoch, r.TrainLoss, r.TrainAccuracy, r.ValidationLoss, r.ValidationAccuracy);

    [Theory]
    [InlineData("sgd", "mid-epoch")]
    [InlineData("adam", "mid-epoch")]
    [InlineData("sgd", "epoch-end")]
    [InlineData("adam", "epoch-end")]
    [InlineData("adam", "stop")]
    [InlineData("sgd", "mid-epoch", false)]
    public void ResumedRun_EndsBitIdenticalToTheUninterruptedOne(string optimizer, string interruption, bool prefetch = true)
    {
        var reference = new Run(optimizer, modelSeed: 1);
        var expected = reference.Fit(null);

        // The interrupted run: checkpoints every 5 steps (mid-epoch: 5 = epoch 1, batch 5; 10 = epoch 2, batch 4)
        // or after every epoch (6 batches each), ended by a crash or a stop request.
        var path = PathOf($"{optimizer}-{interruption}.safetensors");
        var interrupted = new Run(optimizer, modelSeed: 1);
        var (checkpointing, expectedStep, expectedEpoch, expectedBatch, finished) = interruption switch
        {
            "mid-epoch" => (new Checkpointing(path) { EverySteps = 5, EveryEpoch = false }, 10L, 2, 4, false),
            "epoch-end" => (new Checkpointing(path), 12L, 2, 6, true),
            _ => (new Checkpointing(path) { EveryEpoch = false }, 15L, 3, 3, false),
        };
        if (interruption == "stop")
        {
            interrupted.Trainer.Callbacks.Add(new StopAfter(15));
            Assert.True(interrupted.Fit(checkpointing).StoppedEarly);
        }
        else
        {
            interrupted.Trainer.Callbacks.Add(new CrashAfter(14));
            Assert.Throws<SimulatedCrash>(() => interrupted.Fit(checkpointing));
        }
        var checkpoint = TrainingCheckpoint.Read(path);
        Assert.Equal((expectedStep, expectedEpoch, expectedBatch, finished), (checkpoint.Step, checkpoint.Epoch, checkpoint.BatchesDone, checkpoint.EpochFinished));
        Assert.Equal(expectedEpoch - (finished ? 0 : 1), checkpoint.Reports.Count);

        // Fresh objects: another initialization, another starting rate (the checkpoint's is used), new rules.
        var resumed = new Run(optimizer, modelSeed: 77, lr: 0.5f);
        resumed.Trainer.Prefetch = prefetch;
        Assert.NotEqual(reference.Model.Parameters.ToArray(), resumed.Model.Parameters.ToArray());
        var plans = new List<FitPlan>();
        resumed.Trainer.Callbacks.Add(new PlanProbe(plans));
        var result = resumed.Fit(new Checkpointing(path) { ResumeFrom = path, EverySteps = 5 });

        Assert.Equal(reference.Model.Parameters.ToArray(), resumed.Model.Parameters.ToArray());
        Assert.Equal(reference.Model.Buffers.ToArray(), resumed.Model.Buffers.ToArray());
        Assert.Equal(expected.Epochs.Select(Timeless), result.Epochs.Select(Timeless));
        Assert.Equal(expected.BestEpoch, result.BestEpoch);
        Assert.Equal(reference.Trainer.Optimizer.LearningRate, resumed.Trainer.Optimizer.LearningRate);
        Assert.Equal(finished ? expectedEpoch + 1 : expectedEpoch, Assert.Single(plans).FirstEpoch);
        Assert.Contains(expected.Epochs, e => e.ValidationLoss is not null); // the rules had something to watch
    }

    private sealed class PlanProbe(List<FitPlan> plans) : ITrainingCallback
    {
        public void OnFitStart(Trainer trainer, FitPlan plan) => plans.Add(plan);
    }

    [Fact]
    public void CheckpointsOfARun_FollowItsSteps_AndEveryOneResumesToTheSameEnd()
    {
        var reference = new Run("sgd", modelSeed: 1);
        reference.Fit(null);
        // Checkpoints of epoch 1 batch 1, epoch 1's end, epoch 2 batch 3, epoch 3 batch 3, epoch 4 batch 1, and
        // (written every 6 steps, not at epoch ends) epoch 2's last batch before its evaluation.
        foreach (var (crashAt, every, everyEpoch, finished) in new[] { (2L, 1, true, false), (7, 1, true, true), (10, 1, true, false),
                     (16, 1, true, false), (20, 1, true, false), (14, 6, false, false) })
        {
            var path = PathOf($"crash-{crashAt}.safetensors");
            var interrupted = new Run("sgd", modelSeed: 1);
            interrupted.Trainer.Callbacks.Add(new CrashAfter(crashAt));
            Assert.Throws<SimulatedCrash>(() => interrupted.Fit(new Checkpointing(path) { EverySteps = every, EveryEpoch = everyEpoch }));
            var checkpoint = TrainingCheckpoint.Read(path);
            var expectedStep = (crashAt - 1) / every * every; // step crashAt crashed in its callbacks, before its write
            Assert.Equal((expectedStep, finished), (checkpoint.Step, checkpoint.EpochFinished));

            var resumed = new Run("sgd", modelSeed: 5);
            resumed.Fit(new Checkpointing(null) { ResumeFrom = path });
            Assert.Equal(reference.Model.Parameters.ToArray(), resumed.Model.Parameters.ToArray());
            Assert.Equal(reference.Model.Buffers.ToArray(), resumed.Model.Buffers.ToArray());
        }
    }

    private string WrittenCheckpoint(string optimizer = "sgd")
    {
        var path = PathOf($"written-{optimizer}.safetensors");
        var run = new Run(optimizer, modelSeed: 1);
        run.Trainer.Callbacks.Add(new CrashAfter(9));
        Assert.Throws<SimulatedCrash>(() => run.Fit(new Checkpointing(path) { EverySteps = 4 }));
        return path;
    }

    [Fact]
    public void ResumingAnotherRun_IsRejectedNamingWhatDiffers_AndTheModelIsUntouched()
    {
        var path = WrittenCheckpoint();
        var resume = new Checkpointing(null) { ResumeFrom = path };

        void Rejected(Trainer trainer, Func<Trainer, FitResult> fit, string expected)
        {
            var before = trainer.Model.Parameters.ToArray();
            var e = Assert.ThrowsAny<ArgumentException>(() => fit(trainer));
            Assert.Contains(path, e.Message);
            Assert.Contains(expected, e.Message);
            Assert.Equal(before, trainer.Model.Parameters.ToArray());
        }

        FitResult Same(Trainer t) => t.Fit(Train, Epochs, BatchSize, Validation, Seed, schedule: Schedule.Cosine(floor: 0.1).WithWarmup(4),
            earlyStopping: new EarlyStopping(patience: 10), plateau: new ReduceOnPlateau(factor: 0.5, patience: 1, minDelta: 0.02), checkpointing: resume);

        Rejected(new Trainer(new PlainHead(seed: 1), new Sgd(0.05f, momentum: 0.9f, nesterov: true, weightDecay: 1e-3f)), Same,
            "written from a NormDropoutNet, but the model is a PlainHead");
        Rejected(new Run("adam", 1).Trainer, Same, "The optimizer state is for Sgd but this optimizer is Adam");
        Rejected(new Trainer(new NormDropoutNet(seed: 1), new Sgd(0.05f, momentum: 0.5f, nesterov: true, weightDecay: 1e-3f)), Same,
            "Sgd momentum is 0.9 in the state but 0.5 in this optimizer");
        var penalized = new Run("sgd", 1).Trainer;
        penalized.L2 = 1e-4f;
        Rejected(penalized, Same, "trainer l2 0 but this one 0.0001");
        var plain = new Run("sgd", 1).Trainer;
        plain.Augmentation = null;
        Rejected(plain, Same, "trainer augmentation on but this one off");
        Rejected(new Run("sgd", 1).Trainer, t => t.Fit(Train.Take(40), Epochs, BatchSize, Validation, Seed, checkpointing: resume),
            "training samples 46 but this one 40");
        Rejected(new Run("sgd", 1).Trainer, t => t.Fit(Train, Epochs, 4, Validation, Seed, checkpointing: resume),
            "batch size 8 but this one 4");
        Rejected(new Run("sgd", 1).Trainer, t => t.Fit(Train, Epochs, BatchSize, Validation, seed: 4, checkpointing: resume),
            "seed 3 but this one 4");
        Rejected(new Run("sgd", 1).Trainer, t => t.Fit(Train, Epochs, BatchSize, Validation, Seed,
                earlyStopping: new EarlyStopping(patience: 10), plateau: new ReduceOnPlateau(factor: 0.5, patience: 1, minDelta: 0.02), checkpointing: resume),
            "the checkpoint's run used a schedule but this one does not");
        Rejected(new Run("sgd", 1).Trainer, t => t.Fit(Train, Epochs + 2, BatchSize, Validation, Seed, schedule: Schedule.Cosine(floor: 0.1).WithWarmup(4),
                earlyStopping: new EarlyStopping(patience: 10), plateau: new ReduceOnPlateau(factor: 0.5, patience: 1, minDelta: 0.02), checkpointing: resume),
            "epochs (the schedule spans them) 4 but this one 6");
    }

    [Fact]
    public void ALayerNamedLikeAStatePrefix_IsRejectedBeforeTraining()
    {
        var model = new ClashingNames(seed: 1);
        var before = model.Parameters.ToArray();
        var e = Assert.Throws<ArgumentException>(() =>
            new Trainer(model, new Sgd(0.1f)).Fit(Train, 1, BatchSize, checkpointing: new Checkpointing(PathOf("clash.safetensors"))));
        Assert.Contains("tensor 'optimizer.weight' starts with 'optimizer.'", e.Message);
        Assert.Equal(before, model.Parameters.ToArray());
        Assert.False(File.Exists(PathOf("clash.safetensors")));
    }

    [Fact]
    public void TruncatedOrCorruptCheckpoints_AreRejectedNamingTheFile_AndTheModelIsUntouched()
    {
        var good = File.ReadAllBytes(WrittenCheckpoint());
        var bad = PathOf("bad.safetensors");
        var run = new Run("sgd", modelSeed: 1);
        var before = run.Model.Parameters.ToArray();

        void Rejected(byte[] content, string expected)
        {
            File.WriteAllBytes(bad, content);
            var e = Assert.Throws<InvalidDataException>(() => run.Fit(new Checkpointing(null) { ResumeFrom = bad }));
            Assert.Contains(bad, e.Message);
            Assert.Contains(expected, e.Message);
            Assert.Equal(before, run.Model.Parameters.ToArray());
        }

        Rejected(good[..^8], "outside the");
        Rejected(good[..200], "the header claims");
        Rejected(good[..7], "too short");
        var garbled = (byte[])good.Clone();
        garbled[8] = (byte)'#'; // the header's opening brace
        Rejected(garbled, "not valid JSON");
        Assert.Throws<FileNotFoundException>(() => run.Fit(new Checkpointing(null) { ResumeFrom = PathOf("none.safetensors") }));
    }

    [Fact]
    public void ResumingAFinishedRun_SaysNothingIsLeft_UnlessMoreEpochsAreAsked()
    {
        var path = PathOf("finished.safetensors");
        var data = Images(16, 4);
        var first = new Trainer(new NormDropoutNet(seed: 1), new Sgd(0.05f, momentum: 0.9f));
        first.Fit(data, epochs: 2, batchSize: 8, checkpointing: new Checkpointing(path));
        var e = Assert.Throws<ArgumentException>(() =>
            new Trainer(new NormDropoutNet(seed: 1), new Sgd(0.05f, momentum: 0.9f)).Fit(data, epochs: 2, batchSize: 8,
                checkpointing: new Checkpointing(null) { ResumeFrom = path }));
        Assert.Contains("at epoch 2 (finished); this one asks for 2 epochs", e.Message);

        // Without a schedule a finished run can go on: two more epochs equal a four-epoch run.
        var longer = new Trainer(new NormDropoutNet(seed: 1), new Sgd(0.05f, momentum: 0.9f));
        var expected = longer.Fit(data, epochs: 4, batchSize: 8);
        var extended = new Trainer(new NormDropoutNet(seed: 2), new Sgd(0.05f, momentum: 0.9f));
        var result = extended.Fit(data, epochs: 4, batchSize: 8, checkpointing: new Checkpointing(null) { ResumeFrom = path });
        Assert.Equal(longer.Model.Parameters.ToArray(), extended.Model.Parameters.ToArray());
        Assert.Equal(expected.Epochs.Select(Timeless), result.Epochs.Select(Timeless));
    }
}

/// <summary>Steps between checkpoints allocate nothing; only the writes do.</summary>
[Collection(nameof(AllocationCollection))]
public sealed class ResumeAllocationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("modeldsl-resume-alloc-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void StepsBetweenCheckpoints_AllocateNothing()
    {
        var rng = new Rng(3);
        var features = new float[96 * 36];
        var labels = new int[96];
        for (var i = 0; i < features.Length; i++) features[i] = rng.NextSymmetric(1);
        for (var i = 0; i < labels.Length; i++) labels[i] = i % 3;
        var data = new Dataset(features, labels, Shape.Map(1, 6, 6));
        var trainer = new Trainer(new NormDropoutNet(seed: 1), new Adam())
        {
            Augmentation = Augment.Compose(Augment.HorizontalFlip(), Augment.Shift(1)),
        };
        var probe = new StepAllocations();
        trainer.Callbacks.Add(probe);
        const int every = 4;
        trainer.Fit(data, epochs: 3, batchSize: 8, schedule: Schedule.Cosine(),
            checkpointing: new Checkpointing(Path.Combine(_directory, "run.safetensors")) { EverySteps = every });

        // A window ending at step s began after step s − 1's callbacks, and so holds s − 1's checkpoint write when (s − 1) % every == 0.
        var (writes, steps) = (probe.Windows.Where(w => (w.Step - 1) % every == 0).ToList(), probe.Windows.Where(w => (w.Step - 1) % every != 0).ToList());
        Assert.All(writes, w => Assert.True(w.Bytes > 0, $"the window after step {w.Step - 1}'s write allocated nothing: was it written?"));
        var allocating = steps.Where(w => w.Bytes != 0).ToList();
        // The counts are process-wide: a stray allocation of the test framework may land in a window, never in most of them.
        Assert.True(allocating.Count <= steps.Count / 5,
            $"{allocating.Count} of {steps.Count} steps allocated: {string.Join(", ", allocating.Select(w => $"step {w.Step}: {w.Bytes} B"))}");
    }
}
