using System.Diagnostics;
using ModelDsl.Zoo;

namespace ModelDsl.Gpu.Tests;

/// <summary><see cref="Trainer.Fit"/> on a device model against the same run on the CPU path, on real Fashion-MNIST images.</summary>
[Collection(nameof(DeviceCollection))]
public sealed class DeviceFitTests(ITestOutputHelper output)
{
    /// <summary>
    /// LeNet-5 trained on 256 Fashion-MNIST images for 2 epochs (batch 32, SGD with momentum, a cosine schedule),
    /// tested on 200 others, once by the generated C# and once on ILGPU's CPU accelerator from the same initial
    /// weights. LeNet-5 has no dropout, so the two runs differ only by float rounding: their epoch losses must agree
    /// to 1e-3 and their test accuracies to 1 percentage point (2 of 200 images), well above chance (10 %).
    /// </summary>
    [Fact]
    public void LeNet5_on_a_Fashion_MNIST_subset_reaches_the_accuracy_of_the_CPU_path()
    {
        if (!Directory.Exists(FashionMnist.DefaultDirectory))
            Assert.Skip($"{FashionMnist.DefaultDirectory} is missing: scripts/ensure-fashion-mnist.sh installs it");
        var (allTrain, allTest) = FashionMnist.Load(normalization: FashionMnist.Standardize);
        var (train, test) = (allTrain.Take(256), allTest.Take(200));

        var clock = Stopwatch.StartNew();
        var cpuNet = new LeNet5(seed: 7);
        var cpu = new Trainer(cpuNet, new Sgd(0.05f, momentum: 0.9f));
        var cpuFit = cpu.Fit(train, epochs: 2, batchSize: 32, validation: test, seed: 3, schedule: Schedule.Cosine());
        var cpuTime = clock.Elapsed;

        clock.Restart();
        var deviceNet = new LeNet5(seed: 7);
        var device = Accelerators.IlgpuCpu.CreateTrainer(deviceNet, new Sgd(0.05f, momentum: 0.9f));
        var deviceFit = device.Fit(train, epochs: 2, batchSize: 32, validation: test, seed: 3, schedule: Schedule.Cosine());
        output.WriteLine($"CPU path {cpuTime.TotalSeconds:F1} s, {device.Device} {clock.Elapsed.TotalSeconds:F1} s");

        for (var e = 0; e < 2; e++)
        {
            var (c, d) = (cpuFit.Epochs[e], deviceFit.Epochs[e]);
            output.WriteLine($"epoch {e + 1}: CPU {c.TrainLoss:F5} / {c.ValidationAccuracy:P2}, device {d.TrainLoss:F5} / {d.ValidationAccuracy:P2}");
            Assert.True(Math.Abs(c.TrainLoss - d.TrainLoss) <= 1e-3 * c.TrainLoss, $"epoch {e + 1}: train loss {c.TrainLoss} on the CPU, {d.TrainLoss} on the device");
            Assert.True(Math.Abs(c.ValidationLoss!.Value - d.ValidationLoss!.Value) <= 1e-3 * c.ValidationLoss.Value,
                $"epoch {e + 1}: test loss {c.ValidationLoss} on the CPU, {d.ValidationLoss} on the device");
        }
        var (cpuAccuracy, deviceAccuracy) = (cpuFit.Last.ValidationAccuracy!.Value, deviceFit.Last.ValidationAccuracy!.Value);
        Assert.True(Math.Abs(cpuAccuracy - deviceAccuracy) <= 0.01, $"test accuracy {cpuAccuracy:P2} on the CPU, {deviceAccuracy:P2} on the device");
        Assert.True(deviceAccuracy > 0.5, $"test accuracy {deviceAccuracy:P2} after 2 epochs (chance: 10 %)");

        // Fit left the trained weights in the CPU model: evaluated there by the generated C#, they score as on the device.
        var host = new Trainer(deviceNet, new Sgd(0.05f)).Evaluate(test);
        Assert.True(Math.Abs(deviceAccuracy - host.Accuracy) <= 0.01, $"{deviceAccuracy:P2} on the device, {host.Accuracy:P2} on the CPU with the weights Fit brought back");
        foreach (var p in cpuNet.ParameterList)
            Parity.AssertClose(p.Values, deviceNet.GetParameter(p.Name).Values, $"{p.Name} after Fit", 1e-2);
    }
}
