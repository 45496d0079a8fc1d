using ModelDsl.Testing;

namespace ModelDsl.Gpu.Tests;

/// <summary>Batch norm (running statistics) and dropout (the device's mask stream): both carry state from step to step, for exact-resume tests on a device.</summary>
[Model(Input = [2, 4, 4])]
public partial class NormDropoutStack
{
    [Conv2D(4, Kernel = 3, Padding = 1, Bias = false)] public partial Layer Conv { get; }
    [BatchNorm, ReLU]                                  public partial Layer Bn { get; }
    [MaxPool2D(2)]                                     public partial Layer Pool { get; }
    [Dropout(0.3)]                                     public partial Layer Drop { get; }
    [Dense(3)]                                         public partial Layer Out { get; }
}

/// <summary>
/// Training checkpoints of a device trainer: a device run resumed from step k, with fresh objects throughout (a model
/// initialized from another seed, a new device model, optimizer and trainer), ends with the parameters and buffers of
/// the uninterrupted device run, bit for bit; runs whose dropout masks would not continue are refused.
/// </summary>
[Collection(nameof(DeviceCollection))]
public sealed class DeviceResumeTests : IDisposable
{
    private const int Epochs = 3;
    private const int BatchSize = 8; // 30 samples: 4 batches per epoch, the last one of 6
    private const int Seed = 5;
    private static readonly Shape Sample = Shape.Map(2, 4, 4);
    private static readonly Dataset Train = Images(30, 1);
    private readonly string _directory = Directory.CreateTempSubdirectory("modeldsl-device-resume-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    /// <summary>Three classes: which quarter-plane of channel 0 is bright, with noise.</summary>
    private static Dataset Images(int count, ulong seed)
    {
        var rng = new Rng(seed);
        var features = new float[count * Sample.Size];
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            labels[i] = rng.NextInt(3);
            for (var p = 0; p < Sample.Size; p++) features[i * Sample.Size + p] = (p < 16 && p / 4 == labels[i] ? 1f : 0f) + rng.NextSymmetric(0.4f);
        }
        return new Dataset(features, labels, Sample);
    }

    private static Optimizer NewOptimizer(string kind) => kind switch
    {
        "sgd" => new Sgd(0.05f, momentum: 0.9f, nesterov: true, weightDecay: 1e-3f),
        "adam" => new Adam(0.01f, weightDecay: 1e-3f),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static object Timeless(EpochReport r) => (r.Epoch, r.TrainLoss, r.TrainAccuracy);

    /// <summary>A fresh model on the device and its trainer; the caller disposes the device model.</summary>
    private static (NormDropoutStack Net, GpuModel Gpu, Trainer Trainer) OnDevice(string optimizer, int modelSeed, uint dropoutSeed = 0)
    {
        var net = new NormDropoutStack(modelSeed);
        var gpu = net.ToAccelerator(Accelerators.IlgpuCpu.Accelerator!, dropoutSeed);
        return (net, gpu, gpu.CreateTrainer(NewOptimizer(optimizer)));
    }

    private static FitResult Fit(Trainer trainer, Checkpointing? checkpointing, int batchSize = BatchSize) =>
        trainer.Fit(Train, Epochs, batchSize, seed: Seed, schedule: Schedule.Cosine(floor: 0.1), checkpointing: checkpointing);

    /// <summary>Ends a run as a crash would: an exception out of Fit after step <paramref name="step"/>.</summary>
    private sealed class CrashAfter(long step) : ITrainingCallback
    {
        public void OnBatchEnd(Trainer trainer, in BatchProgress progress)
        {
            if (progress.Step == step) throw new SimulatedCrash();
        }
    }

    private sealed class SimulatedCrash : Exception;

    /// <summary>
    /// The interrupted run writes a checkpoint after step 6 (epoch 2, batch 2) or at the end of epoch 1 and crashes a
    /// step later; the resumed run must redo exactly what the uninterrupted one did from there: the same batches, the
    /// same dropout masks (the device's call count), the same optimizer state (momentum; Adam's moments and step count).
    /// </summary>
    [Theory]
    [InlineData("sgd", "mid-epoch")]
    [InlineData("adam", "mid-epoch")]
    [InlineData("sgd", "epoch-end")]
    [InlineData("adam", "epoch-end")]
    public void A_device_run_resumed_from_step_k_ends_bit_identical_to_the_uninterrupted_one(string optimizer, string interruption)
    {
        var (referenceNet, referenceGpu, referenceTrainer) = OnDevice(optimizer, modelSeed: 1);
        using (referenceGpu)
        {
            var expected = Fit(referenceTrainer, checkpointing: null);
            Assert.Equal((uint)(Epochs * 4), referenceGpu.DropoutStream.Calls); // one mask per step: the masks are part of what is resumed

            var path = PathOf("run.safetensors");
            var (everySteps, crashAfter) = interruption == "mid-epoch" ? (6, 7L) : (0, 5L);
            var (_, interruptedGpu, interrupted) = OnDevice(optimizer, modelSeed: 1);
            using (interruptedGpu)
            {
                interrupted.Callbacks.Add(new CrashAfter(crashAfter));
                Assert.Throws<SimulatedCrash>(() => Fit(interrupted, new Checkpointing(path) { EverySteps = everySteps }));
            }
            var checkpoint = TrainingCheckpoint.Read(path);
            Assert.Equal(crashAfter - 1, checkpoint.Step);
            Assert.Equal(new DeviceDropoutStream(0, (uint)checkpoint.Step), checkpoint.DeviceDropout);
            Assert.Equal(interruption == "epoch-end", checkpoint.EpochFinished);
            Assert.True(checkpoint.Optimizer.Tensors.Values.All(t => t.Any(v => v != 0)), "the optimizer state written must be the device's, not zeros");

            var (resumedNet, resumedGpu, resumed) = OnDevice(optimizer, modelSeed: 2);
            using (resumedGpu)
            {
                Assert.NotEqual(referenceNet.Parameters.ToArray(), resumedNet.Parameters.ToArray());
                var result = Fit(resumed, new Checkpointing(null) { ResumeFrom = path });

                Assert.Equal(referenceNet.Parameters.ToArray(), resumedNet.Parameters.ToArray());
                Assert.Equal(referenceNet.Buffers.ToArray(), resumedNet.Buffers.ToArray());
                Assert.Equal(expected.Epochs.Select(Timeless), result.Epochs.Select(Timeless));
                Assert.Equal(referenceGpu.DropoutStream, resumedGpu.DropoutStream);
                Assert.Equal(referenceTrainer.Optimizer.ExportState(referenceNet).Scalars, resumed.Optimizer.ExportState(resumedNet).Scalars);
                var (a, b) = (referenceGpu.ExportOptimizerState(referenceTrainer.Optimizer), resumedGpu.ExportOptimizerState(resumed.Optimizer));
                Assert.Equal(a.Scalars, b.Scalars);
                foreach (var (name, values) in a.Tensors) Assert.Equal(values, b.Tensors[name]);
            }
        }
    }

    /// <summary>Resuming with the dropout call count moved ends elsewhere: the count is what keeps the masks in step.</summary>
    [Fact]
    public void The_dropout_call_count_decides_the_masks_after_a_resume()
    {
        var path = PathOf("run.safetensors");
        var (_, firstGpu, first) = OnDevice("sgd", modelSeed: 1);
        using (firstGpu) first.Fit(Train, 2, BatchSize, seed: Seed, checkpointing: new Checkpointing(path));
        Assert.Equal(new DeviceDropoutStream(0, 8), TrainingCheckpoint.Read(path).DeviceDropout);

        float[] ContinueFrom(uint? calls)
        {
            var (net, gpu, trainer) = OnDevice("sgd", modelSeed: 3);
            using (gpu)
            {
                if (calls is { } moved) trainer.Callbacks.Add(new MoveDropoutStream(gpu, moved));
                trainer.Fit(Train, 3, BatchSize, seed: Seed, checkpointing: new Checkpointing(null) { ResumeFrom = path });
                Assert.Equal(new DeviceDropoutStream(0, (calls ?? 8) + 4), gpu.DropoutStream);
            }
            return net.Parameters.ToArray();
        }

        var resumed = ContinueFrom(null);
        Assert.Equal(resumed, ContinueFrom(null));
        Assert.NotEqual(resumed, ContinueFrom(3));
    }

    /// <summary>Sets the device's dropout stream once Fit has resumed, before its first step.</summary>
    private sealed class MoveDropoutStream(GpuModel gpu, uint calls) : ITrainingCallback
    {
        public void OnFitStart(Trainer trainer, FitPlan plan)
        {
            Assert.Equal(new DeviceDropoutStream(0, 8), gpu.DropoutStream); // as the checkpoint left it
            gpu.DropoutStream = new DeviceDropoutStream(0, calls);
        }
    }

    /// <summary>
    /// With dropout, a checkpoint resumes only where its masks go on: a CPU run's on the CPU, a device run's on a device
    /// model of the same dropout seed; the other mismatch checks still hold. Each refusal names the file and what differs,
    /// and comes before any change to the model or the device.
    /// </summary>
    [Fact]
    public void Resuming_where_the_dropout_masks_or_the_run_differ_is_refused_before_any_change()
    {
        var cpuPath = PathOf("cpu.safetensors");
        new Trainer(new NormDropoutStack(1), NewOptimizer("sgd")).Fit(Train, 1, BatchSize, seed: Seed, checkpointing: new Checkpointing(cpuPath));
        Assert.Null(TrainingCheckpoint.Read(cpuPath).DeviceDropout);
        var devicePath = PathOf("device.safetensors");
        var (_, deviceGpu, device) = OnDevice("sgd", modelSeed: 1);
        using (deviceGpu) device.Fit(Train, 1, BatchSize, seed: Seed, checkpointing: new Checkpointing(devicePath));

        void Refused((NormDropoutStack Net, GpuModel? Gpu, Trainer Trainer) run, string path, string expected, int batchSize = BatchSize)
        {
            using (run.Gpu)
            {
                var before = run.Net.Parameters.ToArray();
                var e = Assert.Throws<ArgumentException>(() =>
                    run.Trainer.Fit(Train, 2, batchSize, seed: Seed, checkpointing: new Checkpointing(null) { ResumeFrom = path }));
                Assert.Contains(path, e.Message, StringComparison.Ordinal);
                Assert.Contains(expected, e.Message, StringComparison.Ordinal);
                Assert.Equal(before, run.Net.Parameters.ToArray());
                run.Gpu?.CopyToHost(); // and the device's
                Assert.Equal(before, run.Net.Parameters.ToArray());
                Assert.Equal(0u, run.Gpu?.DropoutStream.Calls ?? 0);
            }
        }

        Refused(OnDevice("sgd", modelSeed: 2), cpuPath, "written by a run on the CPU, whose dropout masks ('Drop')");
        var cpuNet = new NormDropoutStack(2);
        Refused((cpuNet, null, new Trainer(cpuNet, NewOptimizer("sgd"))), devicePath, "written by a run on a device, whose dropout masks ('Drop')");
        Refused(OnDevice("sgd", modelSeed: 2, dropoutSeed: 7), devicePath, "device seed 0 but this device model's seed is 7; move the model with ToAccelerator(accelerator, dropoutSeed: 0)");
        Refused(OnDevice("sgd", modelSeed: 2), devicePath, "batch size 8 but this one 6", batchSize: 6);
        Refused(OnDevice("adam", modelSeed: 2), devicePath, "for Sgd but this optimizer is Adam");
    }

    /// <summary>
    /// Without dropout nothing but the weights and the optimizer state carries over, and both are in the same format on
    /// either side: a CPU run's checkpoint continues on a device and a device run's on the CPU, each ending where the
    /// uninterrupted CPU run does (within the device's rounding).
    /// </summary>
    [Fact]
    public void Without_dropout_a_checkpoint_moves_between_the_CPU_and_a_device()
    {
        var rng = new Rng(9);
        var sample = Shape.Map(2, 3, 3); // DenseStack's input
        var features = Parity.Random(ref rng, 32 * sample.Size, 1f);
        var labels = Enumerable.Range(0, 32).Select(i => (features[i * sample.Size] > 0 ? 1 : 0) + (features[i * sample.Size + 9] > 0.5f ? 1 : 0)).ToArray();
        var data = new Dataset(features, labels, sample);
        FitResult Run(Trainer trainer, int epochs, Checkpointing? checkpointing) => trainer.Fit(data, epochs, 8, seed: 2, checkpointing: checkpointing);

        var reference = new DenseStack(4);
        Run(new Trainer(reference, new Adam(0.02f)), 3, null);
        foreach (var writtenOnDevice in new[] { false, true })
        {
            var path = PathOf($"dense-{writtenOnDevice}.safetensors");
            var first = new DenseStack(4);
            using (var gpu = writtenOnDevice ? first.ToAccelerator(Accelerators.IlgpuCpu.Accelerator!) : null)
                Run(gpu?.CreateTrainer(new Adam(0.02f)) ?? new Trainer(first, new Adam(0.02f)), 2, new Checkpointing(path));
            var checkpoint = TrainingCheckpoint.Read(path);
            Assert.Equal(8.0, checkpoint.Optimizer.Scalars["step"]); // Adam's step count, the device's too
            Assert.Equal(writtenOnDevice, checkpoint.DeviceDropout is not null);

            var resumed = new DenseStack(5);
            using (var gpu = writtenOnDevice ? null : resumed.ToAccelerator(Accelerators.IlgpuCpu.Accelerator!))
                Run(gpu?.CreateTrainer(new Adam(0.02f)) ?? new Trainer(resumed, new Adam(0.02f)), 3, new Checkpointing(null) { ResumeFrom = path });
            Parity.AssertClose(reference.Parameters, resumed.Parameters, $"written {(writtenOnDevice ? "on the device" : "on the CPU")}, resumed on the other side", 1e-3);
        }
        Assert.NotEqual(new DenseStack(4).Parameters.ToArray(), reference.Parameters.ToArray());
    }

    /// <summary>The steps between checkpoint writes allocate no more than the steps of a run that writes none.</summary>
    [Fact]
    public void Steps_between_checkpoints_allocate_no_more_than_without_checkpoints()
    {
        const int every = 4;
        var data = Images(96, 3);
        List<(long Step, long Bytes)> Steps(Checkpointing? checkpointing)
        {
            var (_, gpu, trainer) = OnDevice("adam", modelSeed: 1);
            using (gpu)
            {
                var probe = new StepAllocations();
                trainer.Callbacks.Add(probe);
                trainer.Prefetch = false; // the producer thread's allocations would land in the process-wide windows
                trainer.Fit(data, epochs: 3, batchSize: 8, seed: Seed, checkpointing: checkpointing);
                return probe.Windows;
            }
        }

        var without = Steps(null);
        var with = Steps(new Checkpointing(PathOf("alloc.safetensors")) { EverySteps = every, EveryEpoch = false });
        // A window ending at step s began after step s − 1's callbacks, and so holds s − 1's write when (s − 1) % every == 0.
        var writes = with.Where(w => (w.Step - 1) % every == 0).ToList();
        var between = with.Where(w => (w.Step - 1) % every != 0).Select(w => w.Bytes).Order().ToList();
        var plain = without.Select(w => w.Bytes).Order().ToList();
        Assert.All(writes, w => Assert.True(w.Bytes > 0, $"the window after step {w.Step - 1}'s write allocated nothing: was it written?"));
        // The counts are process-wide: compare the typical step (the median) and all but the top fifth, never one stray window.
        Assert.True(between[between.Count / 2] <= plain[plain.Count / 2], $"median step: {between[between.Count / 2]} B between checkpoints, {plain[plain.Count / 2]} B without");
        Assert.True(between[between.Count * 4 / 5] <= plain[plain.Count * 4 / 5],
            $"steps between checkpoints: {string.Join(", ", between)} B; without checkpoints: {string.Join(", ", plain)} B");
    }
}
