using ModelDsl.Zoo;

namespace ModelDsl.Gpu.Tests;

/// <summary>Whole models on the device against the generated CPU code, with the loss computed on the device.</summary>
[Collection(nameof(DeviceCollection))]
public sealed class ModelParityTests
{
    [Fact]
    public void LeNet5() => Parity.Check(s => new LeNet5(s), 2, 101, Loss.SoftmaxCrossEntropy);

    [Fact]
    public void CourseLeNet() => Parity.Check(s => new CourseLeNet(s), 2, 102, Loss.SoftmaxCrossEntropy);

    [Fact]
    public void Residual_network_with_batch_norm() => Parity.Check(s => new TinyResNet(s), 3, 103, Loss.SoftmaxCrossEntropy);

    [Fact]
    public void Inception_module() => Parity.Check(s => new SmallInception(s), 2, 104, Loss.SoftmaxCrossEntropy);

    [Fact]
    public void Squeeze_and_excitation_bottleneck()
    {
        // The second block's projection is switched off: its shortcut is an identity step.
        Assert.Contains(new SmallSe(0).Layout.Steps, s => s.Op == LayerOp.Identity && s.Passthrough);
        Parity.Check(s => new SmallSe(s), 2, 105, Loss.SoftmaxCrossEntropy);
    }

    [Fact]
    public void Encoder_decoder_with_every_new_layer() => Parity.Check(s => new NewLayers(s), 3, 106, Loss.MulticlassHinge());
}
