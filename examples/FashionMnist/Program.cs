// Trains a LeNet on Fashion-MNIST with ModelDsl and reports the test accuracy.
//
//   dotnet run -c Release --project examples/FashionMnist -- [--model course|lenet5] [--epochs 5]
//       [--batch 64] [--lr 0.02] [--decay 0.5] [--momentum 0.9] [--seed 42] [--data DIR] [--limit N]
//
// The learning rate starts at --lr and is multiplied by --decay after each epoch (step decay):
// large steps early, small ones to settle at the end.
//
// The data comes from the Debian package dataset-fashion-mnist (/usr/share/datasets/fashion-mnist)
// unless --data names a folder with the four IDX files.
using System.Globalization;
using ModelDsl.Zoo;
using ModelDsl;

var options = Options.Parse(args);
if (options is null) return 2;

Model net = options.Model == "lenet5" ? new LeNet5(options.Seed) : new CourseLeNet(options.Seed);
Console.WriteLine(options.Model == "lenet5" ? LeNet5.Summary : CourseLeNet.Summary);
Console.WriteLine();

Dataset train, test;
try
{
    (train, test) = ModelDsl.FashionMnist.Load(options.Data, ModelDsl.FashionMnist.Standardize);
}
catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
if (options.Limit is { } limit)
{
    train = train.Take(Math.Min(limit, train.Count));
    test = test.Take(Math.Min(limit, test.Count));
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Training {options.Model} on {train.Count:N0} images, testing on {test.Count:N0}: {options.Epochs} epochs, batch {options.Batch}, SGD lr {options.LearningRate} (× {options.Decay} per epoch) momentum {options.Momentum}, {Environment.ProcessorCount} cores"));
var sgd = new Sgd(options.LearningRate, momentum: options.Momentum);
var trainer = new Trainer(net, sgd, Loss.SoftmaxCrossEntropy);
var fit = trainer.Fit(train, options.Epochs, options.Batch, validation: test, seed: options.Seed,
    onEpoch: report =>
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{report} (lr {sgd.LearningRate:G3})"));
        sgd.LearningRate *= options.Decay;
    });

var final = fit.Last;
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Test accuracy: {final.ValidationAccuracy:P2} (loss {final.ValidationLoss:F4}) after {fit.Epochs.Count} epochs, {fit.Elapsed.TotalSeconds:F1} s in all, {fit.Epochs.Average(e => e.ImagesPerSecond):N0} training images/s on average"));
return 0;

/// <summary>The command line, checked.</summary>
internal sealed record Options(string Model, int Epochs, int Batch, float LearningRate, float Decay, float Momentum, int Seed, string? Data, int? Limit)
{
    public static Options? Parse(string[] args)
    {
        var o = new Options("course", 5, 64, 0.02f, 0.5f, 0.9f, 42, null, null);
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
            {
                Console.WriteLine("usage: FashionMnist [--model course|lenet5] [--epochs N] [--batch N] [--lr X] [--decay X] [--momentum X] [--seed N] [--data DIR] [--limit N]");
                return null;
            }
            if (i + 1 >= args.Length) return Fail($"{name} needs a value");
            var value = args[++i];
            var ok = true;
            switch (name)
            {
                case "--model" when value is "course" or "lenet5": o = o with { Model = value }; break;
                case "--model": return Fail($"--model is 'course' (conv 20, conv 50, dense 500, ReLU, max-pool) or 'lenet5' (tanh, average pooling), not '{value}'");
                case "--epochs": ok = int.TryParse(value, CultureInfo.InvariantCulture, out var epochs) && epochs > 0; o = o with { Epochs = epochs }; break;
                case "--batch": ok = int.TryParse(value, CultureInfo.InvariantCulture, out var batch) && batch > 0; o = o with { Batch = batch }; break;
                case "--lr": ok = float.TryParse(value, CultureInfo.InvariantCulture, out var lr) && lr > 0; o = o with { LearningRate = lr }; break;
                case "--decay": ok = float.TryParse(value, CultureInfo.InvariantCulture, out var decay) && decay is > 0 and <= 1; o = o with { Decay = decay }; break;
                case "--momentum": ok = float.TryParse(value, CultureInfo.InvariantCulture, out var m) && m is >= 0 and < 1; o = o with { Momentum = m }; break;
                case "--seed": ok = int.TryParse(value, CultureInfo.InvariantCulture, out var seed); o = o with { Seed = seed }; break;
                case "--data": o = o with { Data = value }; break;
                case "--limit": ok = int.TryParse(value, CultureInfo.InvariantCulture, out var limit) && limit > 0; o = o with { Limit = limit }; break;
                default: return Fail($"unknown option {name}");
            }
            if (!ok) return Fail($"{name} {value} is not valid");
        }
        return o;
    }

    private static Options? Fail(string message)
    {
        Console.Error.WriteLine("FashionMnist: " + message + " (--help lists the options)");
        return null;
    }
}
