using ModelDsl.Zoo;

namespace ModelDsl.Tests.Zoo;

/// <summary>One VGG-16-BN instance (about 1.1 GB of parameters and gradients), shared by the tests of its class.</summary>
public sealed class Vgg16BnFixture
{
    /// <summary>The model, built once.</summary>
    public Vgg16Bn Model { get; } = new();
}

/// <summary>Batch-norm running statistics of VGG-16-BN are buffers, outside the parameter count.</summary>
public class Vgg16BnBufferTests(Vgg16BnFixture fixture) : IClassFixture<Vgg16BnFixture>
{
    private static readonly int[] ConvolutionWidths = [64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512];

    [Fact]
    public void RunningStatistics_AreTwoValuesPerChannel_NotParameters()
    {
        var net = fixture.Model;
        Assert.Equal(2 * ConvolutionWidths.Sum(), net.BufferList.Sum(b => b.Length));
        Assert.Equal(8_448, net.BufferList.Sum(b => b.Length));
        Assert.Equal(Vgg16Bn.ParameterCount, net.Parameters.Length);
        Assert.Equal(138_365_992, net.ParameterList.Sum(p => (long)p.Length));
        Assert.All(net.BufferList, b => Assert.True(b.IsBuffer));
    }

    [Fact]
    public void ParameterAndBufferNames_ReadLikePyTorch()
    {
        var net = fixture.Model;
        Assert.Equal("Conv1_1.weight", net.ParameterList[0].Name);
        Assert.Equal([64, 3, 3, 3], net.ParameterList[0].Dimensions);
        Assert.Equal([64], net.GetParameter("Bn1_1.weight").Dimensions);
        Assert.Equal([4096, 25_088], net.GetParameter("Fc6.weight").Dimensions);
        Assert.Equal(
            ["Bn1_1.running_mean", "Bn1_1.running_var"],
            net.BufferList.Take(2).Select(b => b.Name));
        Assert.Equal(2 * ConvolutionWidths.Length, net.BufferList.Count);
    }
}
