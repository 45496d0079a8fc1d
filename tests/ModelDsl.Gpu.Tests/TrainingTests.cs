using ModelDsl.Zoo;

namespace ModelDsl.Gpu.Tests;

/// <summary>Training steps on the device (loss, backward and optimizer update all there) against the same steps on the CPU.</summary>
[Collection(nameof(DeviceCollection))]
public sealed class TrainingTests
{
    [Fact]
    public void Sgd_with_Nesterov_momentum_weight_decay_a_frozen_layer_and_a_rate_scale()
    {
        Steps(s =>
        {
            var m = new TinyResNet(s);
            m.Freeze(nameof(TinyResNet.Conv1));
            m.SetLearningRateScale(nameof(TinyResNet.Stem), 0.5f);
            return m;
        }, () => new Sgd(0.05f, momentum: 0.9f, nesterov: true, weightDecay: 1e-3f), batch: 4, seed: 201);
    }

    [Fact]
    public void Sgd_with_heavy_ball_momentum_and_plain_sgd() =>
        Steps(s => new Merges(s), () => new Sgd(0.1f, momentum: 0.5f), batch: 3, seed: 202, then: () => new Sgd(0.05f));

    // Adam divides by √v: with eps = 1e-8 a gradient of 1e-8 (rounding noise on either path) moves its weight by
    // up to the full learning rate in the noise's direction. eps = 1e-5 keeps the comparison about the update rule.
    [Fact]
    public void Adam() => Steps(s => new LeNet5(s), () => new Adam(1e-3f, eps: 1e-5f, weightDecay: 1e-4f), batch: 3, seed: 203);

    [Fact]
    public void AdamW() => Steps(s => new DenseStack(s), () => new AdamW(3e-3f, weightDecay: 0.05f), batch: 5, seed: 204);

    // RMSProp divides by √s as Adam by √v: eps = 1e-4 keeps rounding noise in tiny gradients from deciding the comparison.
    [Fact]
    public void RmsProp_with_momentum_and_weight_decay_then_without() =>
        Steps(s => new NewLayers(s), () => new RmsProp(2e-3f, alpha: 0.9f, eps: 1e-4f, momentum: 0.8f, weightDecay: 1e-3f), batch: 3, seed: 205,
            then: () => new RmsProp(1e-3f, eps: 1e-4f));

    /// <summary>
    /// Three steps of <paramref name="optimizer"/> (then two of <paramref name="then"/>, whose state starts from
    /// zero) on the CPU and on the device, same batches; compares every step's loss and hits and the parameters and
    /// buffers at the end.
    /// </summary>
    private static void Steps<T>(Func<int, T> create, Func<Optimizer> optimizer, int batch, int seed, Func<Optimizer>? then = null) where T : Model
    {
        var cpu = create(seed);
        var mirror = create(seed);
        using var gpu = mirror.ToAccelerator(Device.Accelerator);
        var rng = new Rng((ulong)seed);
        var loss = Loss.SoftmaxCrossEntropy;
        var (cpuOptimizer, gpuOptimizer) = (optimizer(), optimizer());
        var gradient = new float[batch * cpu.OutputShape.Size];
        for (var step = 0; step < 5; step++)
        {
            if (step == 3 && then is not null) (cpuOptimizer, gpuOptimizer) = (then(), then());
            var x = Parity.Random(ref rng, batch * cpu.InputShape.Size, 1f);
            var y = new int[batch];
            for (var i = 0; i < batch; i++) y[i] = rng.NextInt(cpu.OutputShape.Size);

            cpu.ZeroGrad();
            cpu.Forward(x, batch, training: true);
            var expected = loss.Compute(cpu.Output, y, gradient);
            cpu.Backward(gradient);
            cpuOptimizer.Step(cpu);

            gpu.ZeroGrad();
            gpu.Forward(x, batch, training: true);
            var actual = gpu.Loss(y, loss, backward: true);
            gpu.Step(gpuOptimizer);

            Parity.AssertClose([(float)expected.Loss], [(float)actual.Loss], $"step {step}: loss");
            Assert.Equal(expected.Correct, actual.Correct);
        }
        gpu.CopyToHost();
        foreach (var p in cpu.ParameterList) Parity.AssertClose(p.Values, mirror.GetParameter(p.Name).Values, $"{p.Name} after 5 steps");
        foreach (var p in cpu.BufferList) Parity.AssertClose(p.Values, mirror.GetParameter(p.Name).Values, $"{p.Name} after 5 steps");
        // The steps moved the parameters (a step that did nothing would pass the comparison above).
        var fresh = create(seed);
        Assert.NotEqual(fresh.Parameters.ToArray(), cpu.Parameters.ToArray());
    }
}
