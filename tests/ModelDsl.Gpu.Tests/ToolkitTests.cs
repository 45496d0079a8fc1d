namespace ModelDsl.Gpu.Tests;

/// <summary>
/// The training toolkit's pieces on the device against the CPU <see cref="Trainer"/> (penalties, clipping) and the
/// CPU optimizers' state (export and import both ways).
/// </summary>
[Collection(nameof(DeviceCollection))]
public sealed class ToolkitTests
{
    [Theory]
    [InlineData(100f, false)] // far above the gradient's norm: nothing is scaled
    [InlineData(0.05f, true)]
    public void Penalties_and_clipping_match_the_trainers_step(float clipNorm, bool clips)
    {
        const int batch = 4, seed = 301;
        const float l1 = 2e-3f, l2 = 3e-2f;
        var cpu = new DenseStack(seed);
        var mirror = new DenseStack(seed);
        foreach (var m in new[] { cpu, mirror }) m.Freeze(nameof(DenseStack.D2)); // frozen: neither penalized, counted nor clipped
        using var gpu = mirror.ToAccelerator(Device.Accelerator);
        var rng = new Rng(seed);
        var x = Parity.Random(ref rng, batch * cpu.InputShape.Size, 1f);
        var y = new int[batch];
        for (var i = 0; i < batch; i++) y[i] = rng.NextInt(cpu.OutputShape.Size);

        // The CPU trainer's step, with a plain SGD step so that the parameters show the gradients it applied.
        var trainer = new Trainer(cpu, new Sgd(0.1f)) { L1 = l1, L2 = l2, ClipNorm = clipNorm };
        var expected = trainer.TrainBatch(new Dataset(x, y, cpu.InputShape), [0, 1, 2, 3]);

        gpu.ZeroGrad();
        gpu.Forward(x, batch, training: true);
        var actual = gpu.Loss(y, Loss.SoftmaxCrossEntropy, backward: true);
        gpu.AddPenalties(l1, l2);
        var norm = gpu.ClipGradients(clipNorm);
        gpu.Step(new Sgd(0.1f));

        // The reported loss is the data loss on both paths (the penalties are not in it).
        Parity.AssertClose([(float)expected.Loss], [(float)actual.Loss], "loss");
        Parity.AssertClose([(float)trainer.LastGradientNorm], [(float)norm], "gradient norm before clipping");
        Assert.Equal(clips, norm > clipNorm);
        gpu.CopyGradientsToHost();
        gpu.CopyToHost();
        foreach (var p in cpu.ParameterList)
        {
            Parity.AssertClose(p.Gradient, mirror.GetParameter(p.Name).Gradient, $"∂{p.Name} after penalties and clipping");
            Parity.AssertClose(p.Values, mirror.GetParameter(p.Name).Values, $"{p.Name} after the step");
        }

        // An independent check of what the trainer did: the trainable gradient's norm after the step is min(norm, clipNorm).
        double squares = 0;
        foreach (var (offset, length) in mirror.TrainableRanges)
            foreach (var g in mirror.Gradients.Slice(offset, length)) squares += (double)g * g;
        Assert.Equal(Math.Min(norm, clipNorm), Math.Sqrt(squares), clipNorm * 1e-4);
        var frozen = mirror.GetParameter(nameof(DenseStack.D2) + ".weight");
        var fresh = new DenseStack(seed);
        Assert.Equal(fresh.GetParameter(frozen.Name).Values.ToArray(), frozen.Values.ToArray());
    }

    [Fact]
    public void Penalties_add_l1_sign_and_l2_theta_to_the_gradients()
    {
        var model = new Dropouts(311);
        using var gpu = model.ToAccelerator(Device.Accelerator);
        var rng = new Rng(311);
        var start = Parity.Random(ref rng, model.Gradients.Length, 1f);
        start.CopyTo(model.Gradients);
        gpu.CopyGradientsFromHost();
        gpu.AddPenalties(0.25f, 0.5f);
        gpu.CopyGradientsToHost();
        var theta = model.Parameters;
        for (var i = 0; i < theta.Length; i++)
            Assert.Equal(start[i] + 0.25 * Math.Sign(theta[i]) + 0.5 * theta[i], model.Gradients[i], 1e-6);
    }

    [Fact]
    public void RmsProp_state_round_trips_with_the_cpu_optimizer() =>
        RoundTrip(() => new RmsProp(3e-3f, alpha: 0.9f, eps: 1e-4f, momentum: 0.7f, weightDecay: 1e-3f), 321);

    [Fact]
    public void Adam_and_sgd_state_round_trip_with_the_cpu_optimizer()
    {
        RoundTrip(() => new Adam(2e-3f, eps: 1e-5f), 322);
        RoundTrip(() => new Sgd(0.05f, momentum: 0.9f), 323);
    }

    /// <summary>
    /// Two CPU steps, the state exported to the device, two device steps, the state exported back to the CPU, two CPU
    /// steps; against six CPU steps with one optimizer. The learning rate travels with the state.
    /// </summary>
    private static void RoundTrip(Func<Optimizer> create, int seed)
    {
        const int batch = 3;
        var reference = new DenseStack(seed);
        var model = new DenseStack(seed);
        using var gpu = model.ToAccelerator(Device.Accelerator);
        var (referenceOptimizer, cpuOptimizer, gpuOptimizer) = (create(), create(), create());
        var rng = new Rng((ulong)seed);
        var gradient = new float[batch * model.OutputShape.Size];
        for (var step = 0; step < 6; step++)
        {
            var x = Parity.Random(ref rng, batch * model.InputShape.Size, 1f);
            var y = new int[batch];
            for (var i = 0; i < batch; i++) y[i] = rng.NextInt(model.OutputShape.Size);
            CpuStep(reference, referenceOptimizer, x, y, gradient);
            if (step == 2)
            {
                gpu.CopyFromHost();
                gpuOptimizer.LearningRate = 1f; // the state's learning rate replaces it
                gpu.ImportOptimizerState(gpuOptimizer, cpuOptimizer.ExportState(model));
                Assert.Equal(cpuOptimizer.LearningRate, gpuOptimizer.LearningRate);
            }
            if (step == 4)
            {
                gpu.CopyToHost();
                cpuOptimizer.ImportState(model, gpu.ExportOptimizerState(gpuOptimizer));
            }
            if (step is 2 or 3)
            {
                gpu.ZeroGrad();
                gpu.Forward(x, batch, training: true);
                gpu.Loss(y, Loss.SoftmaxCrossEntropy, backward: true);
                gpu.Step(gpuOptimizer);
            }
            else
            {
                CpuStep(model, cpuOptimizer, x, y, gradient);
            }
        }
        foreach (var p in reference.ParameterList)
            Parity.AssertClose(p.Values, model.GetParameter(p.Name).Values, $"{referenceOptimizer.GetType().Name}: {p.Name} after 6 steps");
        // The state exported after the device's steps is that of the reference after as many steps.
        var state = cpuOptimizer.ExportState(model);
        var expected = referenceOptimizer.ExportState(reference);
        Assert.Equal(expected.Tensors.Keys.Order(), state.Tensors.Keys.Order());
        foreach (var (name, values) in expected.Tensors) Parity.AssertClose(values, state.Tensors[name], $"{name} after 6 steps");
        foreach (var (name, value) in expected.Scalars) Assert.Equal(value, state.Scalars[name]);
    }

    private static void CpuStep(Model model, Optimizer optimizer, float[] x, int[] y, float[] gradient)
    {
        model.ZeroGrad();
        model.Forward(x, y.Length, training: true);
        Loss.SoftmaxCrossEntropy.Compute(model.Output, y, gradient);
        model.Backward(gradient);
        optimizer.Step(model);
    }
}
