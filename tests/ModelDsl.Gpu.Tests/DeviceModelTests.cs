using ILGPU;
using ILGPU.Runtime.CPU;
using ModelDsl.Zoo;

namespace ModelDsl.Gpu.Tests;

/// <summary>The device model's contract: kernel cache, batch growth, dropout's rules, clear errors.</summary>
[Collection(nameof(DeviceCollection))]
public sealed class DeviceModelTests
{
    [Fact]
    public void Kernels_load_once_per_accelerator()
    {
        using var first = new LeNet5(1).ToAccelerator(Device.Accelerator);
        var loads = KernelSet.Loads;
        using var second = new TinyResNet(2).ToAccelerator(Device.Accelerator);
        Assert.Equal(loads, KernelSet.Loads);
        Assert.Same(KernelSet.For(Device.Accelerator), KernelSet.For(Device.Accelerator));

        using var context = Context.Create(builder => builder.CPU());
        using var other = context.CreateCPUAccelerator(0);
        Assert.NotSame(KernelSet.For(Device.Accelerator), KernelSet.For(other));
        Assert.Equal(loads + 1, KernelSet.Loads);
    }

    [Fact]
    public void Batches_of_several_sizes_on_one_device_model()
    {
        var cpu = new Merges(7);
        using var gpu = new Merges(7).ToAccelerator(Device.Accelerator);
        var rng = new Rng(7);
        foreach (var batch in new[] { 2, 5, 1, 3 })
        {
            var x = Parity.Random(ref rng, batch * cpu.InputShape.Size, 1f);
            gpu.PoisonActivations();
            gpu.Forward(x, batch);
            var output = new float[batch * cpu.OutputShape.Size];
            gpu.CopyOutput(output);
            Parity.AssertClose(cpu.Forward(x, batch), output, $"N = {batch}");
        }
        Assert.Equal(5, gpu.BatchCapacity);
    }

    [Fact]
    public void Dropout_masks_follow_the_inverted_dropout_rule()
    {
        const int batch = 8;
        var model = new HalfDropout(3);
        using var gpu = model.ToAccelerator(Device.Accelerator, dropoutSeed: 11);
        var step = model.Layout.Steps.Single(s => s.Op == LayerOp.Dropout);
        var hiddenStep = model.Layout.Steps.Single(s => s.Name == nameof(HalfDropout.Hidden));
        var rng = new Rng(5);
        var x = Parity.Random(ref rng, batch * 64, 1f);

        gpu.Forward(x, batch, training: true);
        var hidden = gpu.ReadSlot(step.InSlots[0]);
        var dropped = gpu.ReadSlot(step.OutSlot);
        var mask = gpu.ReadSlot(step.SavedSlot);
        Assert.All(mask, m => Assert.True(m == 0f || m == 2f, $"mask value {m}"));
        for (var i = 0; i < mask.Length; i++) Assert.Equal(hidden[i] * mask[i], dropped[i]);
        var zeros = mask.Count(m => m == 0f);
        Assert.InRange(zeros, 200, 312); // p = 0.5 of 512 values: 256 ± 5 standard deviations

        // Backward passes dy through the same mask: Hidden's gradient is dy ⊙ mask ⊙ tanh′.
        var dy = Parity.Random(ref rng, batch * 2, 1f);
        gpu.Backward(dy);
        var dropGradient = gpu.ReadSlot(step.GradientSlot, gradient: true);
        var hiddenGradient = gpu.ReadSlot(hiddenStep.GradientSlot, gradient: true);
        for (var i = 0; i < mask.Length; i++)
            Assert.Equal(dropGradient[i] * mask[i] * (1 - hidden[i] * hidden[i]), hiddenGradient[i], 1e-6f);

        // A new forward draws a new mask; the same seed draws the same masks.
        gpu.Forward(x, batch, training: true);
        var second = gpu.ReadSlot(step.SavedSlot);
        Assert.NotEqual(mask, second);
        using var twin = new HalfDropout(3).ToAccelerator(Device.Accelerator, dropoutSeed: 11);
        twin.Forward(x, batch, training: true);
        Assert.Equal(mask, twin.ReadSlot(step.SavedSlot));
    }

    [Fact]
    public void Max_unpooling_steps_name_their_pools_switches()
    {
        var steps = new Unpools(0).Layout.Steps;
        foreach (var (unpool, pool) in new[] { (nameof(Unpools.Unpool), nameof(Unpools.Pool)), (nameof(Unpools.Unpool2), nameof(Unpools.Pool2)) })
        {
            var slot = steps.Single(s => s.Name == unpool).ArgmaxSlot;
            Assert.True(slot >= 0);
            Assert.Equal(steps.Single(s => s.Name == pool).ArgmaxSlot, slot);
        }
        var lrn = new Lrns(0).Layout.Steps.Single(s => s.Name == nameof(Lrns.Lrn2));
        Assert.Equal((4, 0.8f, 0.6f, 1.5f), (lrn.Size, lrn.Alpha, lrn.Beta, lrn.K));
    }

    [Fact]
    public void Bad_calls_give_clear_errors()
    {
        using var gpu = new LeNet5(1).ToAccelerator(Device.Accelerator);
        var input = Assert.Throws<ArgumentException>(() => gpu.Forward(new float[784 * 2 + 1], 2));
        Assert.Contains("784", input.Message);
        Assert.Throws<InvalidOperationException>(() => gpu.Backward(new float[10]));
        gpu.Forward(new float[784 * 2], 2);
        Assert.Throws<InvalidOperationException>(() => gpu.Loss([1, 2], Loss.SoftmaxCrossEntropy, backward: true));
        var label = Assert.Throws<ArgumentException>(() => gpu.Loss([1, 10], Loss.SoftmaxCrossEntropy));
        Assert.Contains("index 1 is 10", label.Message);
        Assert.Throws<ArgumentException>(() => gpu.CopyOutput(new float[10]));
        Assert.Contains("NoUpdate", Assert.Throws<NotSupportedException>(() => gpu.Step(new NoUpdate())).Message);
        Assert.Contains("constant", Assert.Throws<NotSupportedException>(() => gpu.Loss([1, 2], new ConstantLoss())).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => gpu.ClipGradients(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => gpu.ClipGradients(float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => gpu.AddPenalties(-1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => gpu.AddPenalties(0, float.PositiveInfinity));
        var state = Assert.Throws<ArgumentException>(() => gpu.ImportOptimizerState(new RmsProp(alpha: 0.9f), new RmsProp().ExportState(gpu.Model)));
        Assert.Contains("alpha", state.Message);

        var huge = Assert.Throws<ArgumentOutOfRangeException>(() => gpu.EnsureCapacity(1_000_000));
        Assert.Contains("at most 456522", huge.Message); // 2³¹ − 1 over C1's 6 × 28 × 28 = 4,704 values per sample

        // As on the CPU: a batch norm over features cannot normalize one sample in training.
        using var norms = new Norms(1).ToAccelerator(Device.Accelerator);
        var one = Assert.Throws<ArgumentException>(() => norms.Forward(new float[75], 1, training: true));
        Assert.Contains("N·H·W ≥ 2", one.Message);
        norms.Forward(new float[75], 1, training: false);
    }
}

/// <summary>An optimizer the device has no update for.</summary>
internal sealed class NoUpdate() : Optimizer(0.1f)
{
    protected override IEnumerable<(string Name, double Value)> Hyperparameters() => [];

    protected override void ResetState(int length)
    {
    }

    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, int offset)
    {
    }
}

/// <summary>A loss the device has no kernel for.</summary>
internal sealed class ConstantLoss : ILoss
{
    public string Name => "constant";

    public LossResult Compute(ReadOnlySpan<float> output, ReadOnlySpan<int> labels, Span<float> gradient)
    {
        gradient.Clear();
        return new LossResult(1, 0);
    }
}
