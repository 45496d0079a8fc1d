// Trains a CNN on Fashion-MNIST with ModelDsl and reports the test accuracy.
//
//   dotnet run -c Release --project examples/FashionMnist -- [--model course|lenet5|fashionnet] [--epochs N]
//       [--batch N] [--lr X] [--momentum X] [--seed N] [--data DIR] [--limit N] [--report DIR]
//       [--device cpu|cuda|opencl|auto|ilgpu-cpu] [--require-device]
//
// course (default): the course notes' LeNet (conv 20, conv 50, dense 500), 5 epochs, batch 64, SGD with
//   momentum 0.9, the learning rate 0.02 halved after each epoch (--decay) — about 90 % in half a minute.
// lenet5: LeNet-5 (tanh, average pooling), the same recipe.
// fashionnet: the zoo's FashionNet (two VGG-style stages with batch norm, dense 256 with dropout), trained
//   with random shifts of up to 2 pixels and horizontal flips, Nesterov SGD with weight decay 5e-4 and a
//   cosine schedule after one epoch of warm-up, batch 128, 15 epochs — 93.48 % (docs/training.md).
//
// Progress shows as a live bar per epoch on a terminal, one line per epoch otherwise. --report DIR writes
// the metrics (CSV), the loss and accuracy curves, the confusion matrix on the test set and the first
// layer's filters (PNG) there.
//
// --device picks where training runs: cpu (default, the generated C#), cuda, opencl, auto (CUDA, else OpenCL,
// else the CPU) or ilgpu-cpu (ILGPU's CPU accelerator, slow, for checking the device path). A device that is
// absent falls back to the CPU with a message, or stops the run with --require-device. The line "Device: …"
// says where it runs.
//
// The data comes from the Debian package dataset-fashion-mnist (/usr/share/datasets/fashion-mnist)
// unless --data names a folder with the four IDX files.
using System.Globalization;
using ModelDsl.Zoo;
using ModelDsl;
using ModelDsl.Gpu;
using ModelDsl.Reports;

var options = Options.Parse(args);
if (options is null) return 2;

var (net, summary) = options.Model switch
{
    "lenet5" => ((Model)new LeNet5(options.Seed), LeNet5.Summary),
    "fashionnet" => (new FashionNet(options.Seed), FashionNet.Summary),
    _ => (new CourseLeNet(options.Seed), CourseLeNet.Summary),
};
Console.WriteLine(summary);
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

var strong = options.Model == "fashionnet";
var sgd = strong
    ? new Sgd(options.LearningRate, momentum: options.Momentum, nesterov: true, weightDecay: 5e-4f)
    : new Sgd(options.LearningRate, momentum: options.Momentum);
ComputeDevice device;
try
{
    device = Devices.Open(options.Device, options.RequireDevice);
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine("FashionMnist: " + e.Message);
    return 1;
}
using var _ = device;
if (device.FallbackMessage is { } fallback) Console.WriteLine(fallback);
Console.WriteLine($"Device: {device}");
var trainer = device.CreateTrainer(net, sgd, Loss.SoftmaxCrossEntropy);
Schedule? schedule = null;
if (strong)
{
    // The background of a standardized image is (0 − mean)/std, not 0: shifted-in pixels get that value.
    var background = -ModelDsl.FashionMnist.Mean / ModelDsl.FashionMnist.Std;
    trainer.Augmentation = Augment.Compose(Augment.Shift(2, fill: background), Augment.HorizontalFlip());
    schedule = Schedule.Cosine().WithWarmup((train.Count + options.Batch - 1) / options.Batch);
}
var recipe = strong
    ? string.Create(CultureInfo.InvariantCulture, $"Nesterov SGD lr {options.LearningRate} momentum {options.Momentum} weight decay 5e-4, cosine schedule with 1 epoch of warm-up, random shifts (±2 px) and flips")
    : string.Create(CultureInfo.InvariantCulture, $"SGD lr {options.LearningRate} (× {options.Decay} per epoch) momentum {options.Momentum}");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Training {options.Model} on {train.Count:N0} images, testing on {test.Count:N0}: {options.Epochs} epochs, batch {options.Batch}, {recipe}, {Environment.ProcessorCount} cores"));
var fit = TrainingConsole.Run(trainer, t => t.Fit(train, options.Epochs, options.Batch, validation: test, seed: options.Seed,
    schedule: schedule, onEpoch: _ =>
    {
        if (!strong) sgd.LearningRate *= options.Decay;
    }));

var final = fit.Last;
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Test accuracy: {final.ValidationAccuracy:P2} (loss {final.ValidationLoss:F4}) after {fit.Epochs.Count} epochs, {fit.Elapsed.TotalSeconds:F1} s in all, {fit.Epochs.Average(e => e.ImagesPerSecond):N0} training images/s on average"));
if (options.Report is { } folder)
{
    var files = TrainingReport.Write(folder, fit, trainer, test);
    Console.WriteLine($"Report: {string.Join(", ", files.All)}");
}
return 0;

/// <summary>The command line, checked.</summary>
internal sealed record Options(string Model, int Epochs, int Batch, float LearningRate, float Decay, float Momentum, int Seed, string? Data, int? Limit, string? Report = null,
    string Device = "cpu", bool RequireDevice = false)
{
    public static Options? Parse(string[] args)
    {
        var model = "course";
        for (var i = 0; i + 1 < args.Length; i++)
            if (args[i] == "--model") model = args[i + 1];
        // The recipe's defaults depend on the model; explicit options override them.
        var o = model == "fashionnet"
            ? new Options("fashionnet", 15, 128, 0.05f, 1f, 0.9f, 42, null, null)
            : new Options("course", 5, 64, 0.02f, 0.5f, 0.9f, 42, null, null);
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
            {
                Console.WriteLine("usage: FashionMnist [--model course|lenet5|fashionnet] [--epochs N] [--batch N] [--lr X] [--decay X] [--momentum X] [--seed N] [--data DIR] [--limit N] [--report DIR] [--device cpu|cuda|opencl|auto|ilgpu-cpu] [--require-device]");
                return null;
            }
            if (name == "--require-device")
            {
                o = o with { RequireDevice = true };
                continue;
            }
            if (i + 1 >= args.Length) return Fail($"{name} needs a value");
            var value = args[++i];
            var ok = true;
            switch (name)
            {
                case "--model" when value is "course" or "lenet5" or "fashionnet": o = o with { Model = value }; break;
                case "--model": return Fail($"--model is 'course' (conv 20, conv 50, dense 500, ReLU, max-pool), 'lenet5' (tanh, average pooling) or 'fashionnet' (VGG-style with batch norm, augmentation), not '{value}'");
                case "--epochs": ok = int.TryParse(value, CultureInfo.InvariantCulture, out var epochs) && epochs > 0; o = o with { Epochs = epochs }; break;
                case "--batch": ok = int.TryParse(value, CultureInfo.InvariantCulture, out var batch) && batch > 0; o = o with { Batch = batch }; break;
                case "--lr": ok = float.TryParse(value, CultureInfo.InvariantCulture, out var lr) && lr > 0; o = o with { LearningRate = lr }; break;
                case "--decay": ok = float.TryParse(value, CultureInfo.InvariantCulture, out var decay) && decay is > 0 and <= 1; o = o with { Decay = decay }; break;
                case "--momentum": ok = float.TryParse(value, CultureInfo.InvariantCulture, out var m) && m is >= 0 and < 1; o = o with { Momentum = m }; break;
                case "--seed": ok = int.TryParse(value, CultureInfo.InvariantCulture, out var seed); o = o with { Seed = seed }; break;
                case "--data": o = o with { Data = value }; break;
                case "--report": o = o with { Report = value }; break;
                case "--device" when Devices.Names.Contains(value): o = o with { Device = value }; break;
                case "--device": return Fail($"--device is {string.Join(", ", Devices.Names)}, not '{value}'");
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
