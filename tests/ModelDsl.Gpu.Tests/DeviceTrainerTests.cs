using System.Globalization;
using ILGPU.Runtime;

namespace ModelDsl.Gpu.Tests;

/// <summary>ILGPU's CPU accelerator as <see cref="Devices.Open"/> gives it, opened once for the test process.</summary>
internal static class Accelerators
{
    private static readonly Lazy<ComputeDevice> s_ilgpuCpu = new(() => Devices.Open("ilgpu-cpu", required: true));

    public static ComputeDevice IlgpuCpu => s_ilgpuCpu.Value;
}

/// <summary><see cref="Trainer"/> on a device model: the same reports, callbacks and early stopping as on the CPU path, and what it refuses.</summary>
[Collection(nameof(DeviceCollection))]
public sealed class DeviceTrainerTests
{
    private static readonly Shape Sample = Shape.Map(2, 3, 3); // DenseStack's input

    [Fact]
    public void Trainer_names_its_device()
    {
        Assert.Equal("CPU (generated C#)", new Trainer(new DenseStack(1), new Sgd(0.1f)).Device);
        var device = Accelerators.IlgpuCpu.CreateTrainer(new DenseStack(1), new Sgd(0.1f)).Device;
        Assert.Equal(Accelerators.IlgpuCpu.Name, device);
        Assert.EndsWith("(CPU)", device, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_and_Predict_on_the_device_match_the_CPU_path()
    {
        var data = Random(37, seed: 11, learnable: false); // batches of 16, 16 and 5
        var cpu = new Trainer(new DenseStack(5), new Sgd(0.1f));
        var device = Accelerators.IlgpuCpu.CreateTrainer(new DenseStack(5), new Sgd(0.1f));

        var (expected, actual) = (cpu.Evaluate(data, batchSize: 16), device.Evaluate(data, batchSize: 16));
        Parity.AssertClose([(float)expected.Loss], [(float)actual.Loss], "evaluation loss");
        Assert.Equal(expected.Accuracy, actual.Accuracy);
        Assert.Equal(37, actual.Count);
        var predictions = device.Predict(data, batchSize: 16);
        Assert.Equal(cpu.Predict(data, batchSize: 16), predictions);
        Assert.True(predictions.Distinct().Count() > 1, "every sample predicted the same class: the comparison would not see a wrong sample order");
    }

    /// <summary>
    /// Fit with a schedule, a recording callback and early stopping that restores the best epoch, on both paths: the
    /// same events in the same order, the same learning rates and reports, the CPU model holding the epoch's weights
    /// at each epoch's end, and after Fit the best epoch's weights on the CPU model and on the device.
    /// </summary>
    [Fact]
    public void Fit_runs_callbacks_early_stopping_and_reports_as_on_the_CPU_path()
    {
        var train = Random(48, seed: 21, learnable: true);
        var validation = Random(24, seed: 22, learnable: false); // random labels: the validation loss rises as the model learns the training rule
        var cpuNet = new DenseStack(9);
        var deviceNet = new DenseStack(9);
        var cpu = new Trainer(cpuNet, new Adam(0.05f, eps: 1e-5f));
        var device = Accelerators.IlgpuCpu.CreateTrainer(deviceNet, new Adam(0.05f, eps: 1e-5f));
        var (cpuLog, deviceLog) = (new Recorder(), new Recorder());
        cpu.Callbacks.Add(cpuLog);
        device.Callbacks.Add(deviceLog);

        var cpuFit = cpu.Fit(train, epochs: 12, batchSize: 10, validation: validation, seed: 4, schedule: Schedule.Cosine(),
            earlyStopping: new EarlyStopping(patience: 2));
        var deviceFit = device.Fit(train, epochs: 12, batchSize: 10, validation: validation, seed: 4, schedule: Schedule.Cosine(),
            earlyStopping: new EarlyStopping(patience: 2));

        Assert.True(cpuFit.StoppedEarly && cpuFit.BestEpoch < cpuFit.Epochs.Count, $"the CPU run must stop early after a best epoch ({cpuFit.BestEpoch} of {cpuFit.Epochs.Count})");
        Assert.Equal(cpuLog.Events, deviceLog.Events);
        Assert.Equal(cpuFit.BestEpoch, deviceFit.BestEpoch);
        Assert.Equal(cpuFit.StoppedEarly, deviceFit.StoppedEarly);
        Assert.Equal(cpuFit.Epochs.Count, deviceFit.Epochs.Count);
        for (var e = 0; e < cpuFit.Epochs.Count; e++)
        {
            var (c, d) = (cpuFit.Epochs[e], deviceFit.Epochs[e]);
            Parity.AssertClose([(float)c.TrainLoss, (float)c.ValidationLoss!.Value], [(float)d.TrainLoss, (float)d.ValidationLoss!.Value], $"epoch {e + 1}: losses", 1e-3);
            Assert.Equal(c.TrainAccuracy, d.TrainAccuracy);
            Parity.AssertClose(cpuLog.Weights[e], deviceLog.Weights[e], $"the CPU model's parameters at the end of epoch {e + 1}", 1e-3);
        }
        Parity.AssertClose(cpuLog.BatchLosses.ToArray(), deviceLog.BatchLosses.ToArray(), "every batch's loss", 1e-3);

        // The best epoch's weights: on the CPU model, and back on the device (its evaluation matches the CPU's).
        Parity.AssertClose(cpuNet.Parameters, deviceNet.Parameters, "the CPU model's parameters after Fit", 1e-3);
        Parity.AssertClose(cpuLog.Weights[cpuFit.BestEpoch!.Value - 1], deviceNet.Parameters, "the best epoch's parameters", 1e-3);
        var (expected, actual) = (cpu.Evaluate(validation), device.Evaluate(validation));
        Parity.AssertClose([(float)expected.Loss], [(float)actual.Loss], "the validation loss after Fit", 1e-3);
        Parity.AssertClose([(float)cpuFit.Epochs[cpuFit.BestEpoch.Value - 1].ValidationLoss!.Value], [(float)actual.Loss], "the best epoch's validation loss, on the device after Fit", 1e-3);
    }

    [Fact]
    public void A_stop_requested_mid_epoch_leaves_the_weights_of_the_last_step_on_the_CPU_model()
    {
        var train = Random(40, seed: 31, learnable: true);
        var cpuNet = new DenseStack(3);
        var deviceNet = new DenseStack(3);
        var cpu = new Trainer(cpuNet, new Sgd(0.2f, momentum: 0.9f));
        var device = Accelerators.IlgpuCpu.CreateTrainer(deviceNet, new Sgd(0.2f, momentum: 0.9f));
        cpu.Callbacks.Add(new StopAt(step: 6));
        device.Callbacks.Add(new StopAt(step: 6));

        var (cpuFit, deviceFit) = (cpu.Fit(train, epochs: 5, batchSize: 8, seed: 2), device.Fit(train, epochs: 5, batchSize: 8, seed: 2));

        Assert.True(deviceFit.StoppedEarly);
        Assert.Equal(2, deviceFit.Epochs.Count); // 5 steps an epoch: the stop came at the first of epoch 2
        Assert.Equal(cpuFit.Epochs.Count, deviceFit.Epochs.Count);
        Parity.AssertClose(cpuNet.Parameters, deviceNet.Parameters, "the CPU model's parameters after a stop", 1e-3);
        Assert.NotEqual(new DenseStack(3).Parameters.ToArray(), deviceNet.Parameters.ToArray());
    }

    /// <summary>
    /// Penalties, clipping (tight enough to apply), RMSProp and the MSE and hinge losses through Fit, on both paths: the
    /// same epoch losses, the same norm before clipping at the last step, the same weights at the end.
    /// </summary>
    [Theory]
    [InlineData("mse")]
    [InlineData("hinge")]
    public void Penalties_clipping_and_every_optimizer_and_loss_train_as_on_the_CPU_path(string lossName)
    {
        var train = Random(40, seed: 61, learnable: true);
        var loss = lossName == "mse" ? Loss.MeanSquaredError : Loss.MulticlassHinge(0.5f);
        Optimizer Optimizer() => lossName == "mse" ? new RmsProp(0.01f, eps: 1e-4f, momentum: 0.5f, weightDecay: 1e-3f) : new Sgd(0.1f, momentum: 0.9f);
        var (cpuNet, deviceNet) = (new DenseStack(12), new DenseStack(12));
        var cpu = new Trainer(cpuNet, Optimizer(), loss) { L1 = 1e-3f, L2 = 2e-3f, ClipNorm = 0.05f };
        var device = Accelerators.IlgpuCpu.CreateTrainer(deviceNet, Optimizer(), loss);
        (device.L1, device.L2, device.ClipNorm) = (1e-3f, 2e-3f, 0.05f);

        var (cpuFit, deviceFit) = (cpu.Fit(train, epochs: 3, batchSize: 8, seed: 5), device.Fit(train, epochs: 3, batchSize: 8, seed: 5));

        for (var e = 0; e < 3; e++)
            Parity.AssertClose([(float)cpuFit.Epochs[e].TrainLoss], [(float)deviceFit.Epochs[e].TrainLoss], $"epoch {e + 1}: {loss.Name} loss", 1e-3);
        Assert.True(cpu.LastGradientNorm > cpu.ClipNorm, $"the gradient norm {cpu.LastGradientNorm} must exceed the clipping norm for clipping to be tested");
        Parity.AssertClose([(float)cpu.LastGradientNorm], [(float)device.LastGradientNorm], "the norm before clipping at the last step", 1e-3);
        Parity.AssertClose(cpuNet.Parameters, deviceNet.Parameters, "the parameters after Fit", 1e-3);
        Assert.NotEqual(new DenseStack(12).Parameters.ToArray(), deviceNet.Parameters.ToArray());
    }

    [Fact]
    public void Optimizers_and_losses_without_device_kernels_are_refused_when_the_trainer_is_made()
    {
        var e = Assert.Throws<NotSupportedException>(() => Accelerators.IlgpuCpu.CreateTrainer(new DenseStack(1), new SignDescent()));
        Assert.Contains("the SignDescent optimizer", e.Message, StringComparison.Ordinal);
        Assert.Contains("Sgd, Adam, AdamW and RmsProp", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<NotSupportedException>(() => Accelerators.IlgpuCpu.CreateTrainer(new DenseStack(1), new Sgd(0.1f), new AbsoluteError()));
        Assert.Contains("the absolute error loss", e.Message, StringComparison.Ordinal);
        Assert.Contains(Accelerators.IlgpuCpu.Name, e.Message, StringComparison.Ordinal);
        // Both train on the CPU path.
        var data = Random(16, seed: 41, learnable: true);
        Assert.Single(new Trainer(new DenseStack(1), new SignDescent(), new AbsoluteError()).Fit(data, epochs: 1, batchSize: 8).Epochs);
    }

    [Fact]
    public void Checkpointing_is_refused_before_any_step()
    {
        var net = new DenseStack(2);
        var before = net.Parameters.ToArray();
        var trainer = Accelerators.IlgpuCpu.CreateTrainer(net, new Sgd(0.1f));
        var recorder = new Recorder();
        trainer.Callbacks.Add(recorder);
        var data = Random(16, seed: 41, learnable: true);
        var path = Path.Combine(Path.GetTempPath(), $"device-refusal-{Guid.NewGuid():N}.ckpt");

        var e = Assert.Throws<NotSupportedException>(() => trainer.Fit(data, epochs: 1, batchSize: 8, checkpointing: new Checkpointing(path)));
        Assert.Contains("training checkpoints", e.Message, StringComparison.Ordinal);
        Assert.Contains(trainer.Device, e.Message, StringComparison.Ordinal);
        Assert.Empty(recorder.Events);
        Assert.False(File.Exists(path));
        Assert.Equal(before, net.Parameters.ToArray());
        Assert.Single(trainer.Fit(data, epochs: 1, batchSize: 8).Epochs); // the same trainer without checkpointing
    }

    /// <summary>
    /// A NaN in one input: the step is refused (the device's clamping activations may turn the NaN into a finite loss,
    /// but then its gradient is not finite) and nothing is updated; the device names the first layer whose output is not finite.
    /// </summary>
    [Fact]
    public void A_NaN_in_a_batch_stops_training_on_the_device_before_the_update()
    {
        var data = Random(8, seed: 51, learnable: true);
        var features = data.Features.ToArray();
        features[Sample.Size * 2 + 4] = float.NaN; // sample 2
        var poisoned = new Dataset(features, data.Labels.ToArray(), Sample);
        var net = new DenseStack(4);
        using var gpu = net.ToAccelerator(Accelerators.IlgpuCpu.Accelerator!);
        var trainer = gpu.CreateTrainer(new Sgd(0.1f));
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.TrainBatch(poisoned, [0, 1, 2, 3]));
        Assert.Contains("did not update the parameters", e.Message, StringComparison.Ordinal);
        gpu.CopyToHost();
        Assert.Equal(new DenseStack(4).Parameters.ToArray(), net.Parameters.ToArray());

        var device = new GpuTrainingDevice(gpu);
        device.ForwardBackward(features.AsSpan(0, 4 * Sample.Size), [0, 1, 2, 0], 4, Loss.SoftmaxCrossEntropy);
        Assert.Equal("Pre", device.FirstNonFiniteLayer());
        Assert.False(device.GradientsFinite());
        device.ForwardBackward(features.AsSpan(4 * Sample.Size, 4 * Sample.Size), [0, 1, 2, 0], 4, Loss.SoftmaxCrossEntropy);
        Assert.Null(device.FirstNonFiniteLayer());
        Assert.True(device.GradientsFinite());
    }

    [Fact]
    public void The_finite_check_finds_a_NaN_or_an_infinity_anywhere()
    {
        var accelerator = Accelerators.IlgpuCpu.Accelerator!;
        var check = FiniteCheck.For(accelerator);
        foreach (var (values, finite) in new (float[], bool)[]
                 {
                     ([1, -2, 3e38f, 0], true), ([1, 2, 3, float.NaN], false), ([float.PositiveInfinity, 1, 2], false),
                     ([0, 0, 0, 0, 0, float.NegativeInfinity, 0], false), ([float.NaN], false),
                 })
        {
            using var buffer = accelerator.Allocate1D(values);
            Assert.Equal(finite, check.AllFinite(buffer.View));
        }
    }

    /// <summary>Samples of DenseStack's shape; with <paramref name="learnable"/> the label follows from the input, else it is random.</summary>
    private static Dataset Random(int count, int seed, bool learnable)
    {
        var rng = new Rng((ulong)seed);
        var features = Parity.Random(ref rng, count * Sample.Size, 1f);
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            var x = features.AsSpan(i * Sample.Size, Sample.Size);
            labels[i] = learnable ? (x[0] > 0 ? 1 : 0) + (x[9] > 0.5f ? 1 : 0) : rng.NextInt(3);
        }
        return new Dataset(features, labels, Sample);
    }

    /// <summary>Writes down every callback in order, each batch's loss apart (compared with a tolerance), and the CPU model's parameters at each epoch's end.</summary>
    private sealed class Recorder : ITrainingCallback
    {
        public List<string> Events { get; } = [];
        public List<float> BatchLosses { get; } = [];
        public List<float[]> Weights { get; } = [];

        public void OnFitStart(Trainer trainer, FitPlan plan) => Events.Add($"start {plan}");

        public void OnEpochStart(Trainer trainer, int epoch) => Events.Add($"epoch {epoch}");

        public void OnBatchEnd(Trainer trainer, in BatchProgress progress)
        {
            Events.Add(string.Create(CultureInfo.InvariantCulture,
                $"batch {progress.Epoch}/{progress.Batch} of {progress.BatchesPerEpoch}, step {progress.Step}, {progress.Correct}/{progress.Count}, lr {progress.LearningRate:R}"));
            BatchLosses.Add((float)progress.Loss);
        }

        public void OnEpochEnd(Trainer trainer, EpochReport report)
        {
            Events.Add($"end of epoch {report.Epoch}");
            Weights.Add(trainer.Model.Parameters.ToArray());
        }

        public void OnFitEnd(Trainer trainer, FitResult result) => Events.Add($"fit end: best {result.BestEpoch}, stopped early {result.StoppedEarly}");
    }

    /// <summary>An optimizer of the user's own: θ −= lr·sign(g).</summary>
    private sealed class SignDescent() : Optimizer(0.01f)
    {
        protected override void ResetState(int length)
        {
        }

        protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, int offset)
        {
            for (var i = 0; i < parameters.Length; i++) parameters[i] -= LearningRate * MathF.Sign(gradients[i]);
        }

        protected override IEnumerable<(string Name, double Value)> Hyperparameters() => [("lr", LearningRate)];
    }

    /// <summary>A loss of the user's own: the mean over samples of Σ|output − one-hot label|.</summary>
    private sealed class AbsoluteError : ILoss
    {
        public string Name => "absolute error";

        public LossResult Compute(ReadOnlySpan<float> output, ReadOnlySpan<int> labels, Span<float> gradient)
        {
            var classes = output.Length / labels.Length;
            double total = 0;
            var correct = 0;
            for (var i = 0; i < labels.Length; i++)
            {
                var row = output.Slice(i * classes, classes);
                var best = 0;
                for (var c = 0; c < classes; c++)
                {
                    var d = row[c] - (c == labels[i] ? 1f : 0f);
                    total += Math.Abs(d);
                    if (!gradient.IsEmpty) gradient[i * classes + c] = MathF.Sign(d) / labels.Length;
                    if (row[c] > row[best]) best = c;
                }
                if (best == labels[i]) correct++;
            }
            return new LossResult(total / labels.Length, correct);
        }
    }

    private sealed class StopAt(long step) : ITrainingCallback
    {
        public void OnBatchEnd(Trainer trainer, in BatchProgress progress)
        {
            if (progress.Step == step) trainer.RequestStop();
        }
    }
}
