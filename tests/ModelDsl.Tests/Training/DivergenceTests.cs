using ModelDsl.Zoo;

namespace ModelDsl.Tests.Training;

public class DivergenceTests
{
    [Fact]
    public void NonFiniteLoss_NamesTheFirstLayerWhoseOutputWentNonFinite_AndTheBatch()
    {
        var net = new LeNet5(seed: 1);
        net.F5.Weight!.Values[3] = float.NaN; // F5 is the first layer to produce a NaN; C1…S4 stay finite
        var data = new Dataset(new float[4 * 784], [0, 1, 2, 3], net.InputShape);
        var before = net.Parameters.ToArray();
        var e = Assert.Throws<TrainingDivergedException>(() => new Trainer(net, new Sgd(0.1f)).Fit(data, epochs: 1, batchSize: 2));
        Assert.Contains("the first layer whose output is not finite: 'F5'", e.Message);
        Assert.Contains("epoch 1, batch 1", e.Message);
        Assert.Equal(1, e.Epoch);
        Assert.Equal(before.Select(BitConverter.SingleToInt32Bits), net.Parameters.ToArray().Select(BitConverter.SingleToInt32Bits)); // nothing updated
        Assert.Equal("F5", net.FirstNonFiniteLayer());
    }

    [Fact]
    public void FiniteForward_HasNoNonFiniteLayer()
    {
        var net = new LeNet5(seed: 1);
        Assert.Null(net.FirstNonFiniteLayer());
        net.Forward(new float[784], 1);
        Assert.Null(net.FirstNonFiniteLayer());
    }
}
