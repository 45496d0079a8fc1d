namespace ModelDsl.Gpu.Tests;

/// <summary>Each family of device kernels against the generated CPU code: outputs, every gradient, running statistics.</summary>
[Collection(nameof(DeviceCollection))]
public sealed class LayerParityTests
{
    [Theory]
    [InlineData(1, 11)]
    [InlineData(3, 12)]
    public void Convolution_general_form(int batch, int seed) => Parity.Check(s => new ConvGeneral(s), batch, seed);

    [Theory]
    [InlineData(1, 21)]
    [InlineData(2, 22)]
    public void Convolution_depthwise_and_pointwise(int batch, int seed) => Parity.Check(s => new ConvDepthwise(s), batch, seed);

    [Theory]
    [InlineData(1, 31)]
    [InlineData(4, 32)]
    public void Dense_and_activations(int batch, int seed) => Parity.Check(s => new DenseStack(s), batch, seed);

    [Theory]
    [InlineData(1, 35)]
    [InlineData(3, 36)]
    public void SiLU_HardSwish_and_global_max_pooling(int batch, int seed)
    {
        // Both fused ones keep the layer's own result for backward.
        Assert.Equal(2, new SmoothGates(0).Layout.Steps.Count(s => s.PreActivationSlot >= 0));
        Parity.Check(s => new SmoothGates(s), batch, seed);
    }

    [Theory]
    [InlineData(1, 41)]
    [InlineData(3, 42)]
    public void Pooling(int batch, int seed)
    {
        // Ceil rounding: 3×3 in 2×2 windows of stride 2 gives 2×2, the last window one cell wide.
        var ceil = new Pools(0).Layout.Steps.Single(s => s.Name == nameof(Pools.CeilMax));
        Assert.Equal((3, 3, 2, 2), (ceil.Input.H, ceil.Input.W, ceil.Output.H, ceil.Output.W));
        Parity.Check(s => new Pools(s), batch, seed);
    }

    [Theory]
    [InlineData(3, 51)]
    [InlineData(5, 52)]
    public void Batch_norm(int batch, int seed) => Parity.Check(s => new Norms(s), batch, seed);

    [Theory]
    [InlineData(1, 55)]
    [InlineData(3, 56)]
    public void Layer_group_and_instance_norm(int batch, int seed) => Parity.Check(s => new SetNorms(s), batch, seed);

    [Theory]
    [InlineData(1, 61)]
    [InlineData(3, 62)]
    public void Merges_residual_concat_and_gate(int batch, int seed) => Parity.Check(s => new Merges(s), batch, seed);

    [Theory]
    [InlineData(1, 71)]
    [InlineData(3, 72)]
    public void Dropout_with_p_zero(int batch, int seed) => Parity.Check(s => new Dropouts(s), batch, seed);

    [Fact]
    public void Softmax_cross_entropy_on_the_device() => Parity.Check(s => new DenseStack(s), 6, 81, Loss.SoftmaxCrossEntropy);

    [Fact]
    public void Softmax_cross_entropy_with_label_smoothing_on_the_device() => Parity.Check(s => new DenseStack(s), 5, 82, Loss.SmoothedSoftmaxCrossEntropy(0.1f));

    [Theory]
    [InlineData(1, 91)]
    [InlineData(3, 92)]
    public void Transposed_convolution(int batch, int seed) => Parity.Check(s => new ConvTransposes(s), batch, seed);

    [Fact]
    public void Grouped_transposed_convolution() => Parity.Check(s => new GroupedConvTranspose(s), 2, 93);

    [Theory]
    [InlineData(1, 101)]
    [InlineData(3, 102)]
    public void Max_unpooling(int batch, int seed) => Parity.Check(s => new Unpools(s), batch, seed);

    [Theory]
    [InlineData(1, 111)]
    [InlineData(3, 112)]
    public void Local_response_norm(int batch, int seed) => Parity.Check(s => new Lrns(s), batch, seed);

    [Theory]
    [InlineData(1, 121)]
    [InlineData(3, 122)]
    public void Softmax_over_channels(int batch, int seed) => Parity.Check(s => new Softmaxes(s), batch, seed);

    [Fact]
    public void Mean_squared_error_on_the_device() => Parity.Check(s => new DenseStack(s), 5, 131, Loss.MeanSquaredError);

    [Fact]
    public void Multiclass_hinge_on_the_device() => Parity.Check(s => new DenseStack(s), 6, 132, Loss.MulticlassHinge(0.7f));
}
