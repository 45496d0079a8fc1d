using ModelDsl.Zoo;
namespace ModelDsl.Tests.Generated;

/// <summary>A short run on real Fashion-MNIST images (the full run is the example's job).</summary>
public class FashionMnistSmokeTests
{
    [Fact]
    public void CourseLeNet_OnASmallSubset_LossFalls_AndBeatsChance()
    {
        if (!Directory.Exists(FashionMnist.DefaultDirectory))
        {
            Assert.Skip($"{FashionMnist.DefaultDirectory} is missing: apt-get install -y dataset-fashion-mnist");
        }
        var (train, test) = FashionMnist.Load(normalization: FashionMnist.Standardize);
        var net = new CourseLeNet(seed: 42);
        var trainer = new Trainer(net, new Sgd(0.01f, momentum: 0.9f), Loss.SoftmaxCrossEntropy);
        var before = trainer.Evaluate(test.Take(1000));
        var fit = trainer.Fit(train.Take(3000), epochs: 2, batchSize: 32, seed: 1);
        var after = trainer.Evaluate(test.Take(1000));

        Assert.True(fit.Epochs[1].TrainLoss < fit.Epochs[0].TrainLoss, $"{fit.Epochs[0]} then {fit.Epochs[1]}");
        Assert.True(after.Loss < before.Loss * 0.6, $"before {before}, after {after}");
        Assert.True(after.Accuracy > 0.65, $"after {after}"); // chance is 10 %
    }
}
