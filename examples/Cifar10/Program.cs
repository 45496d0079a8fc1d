// Trains the zoo's CIFAR-10 ResNet-18 (3×3 stem, no max-pool, BasicBlock stages) on CIFAR-10.
//
//   dotnet run -c Release --project examples/Cifar10 -- FOLDER [--epochs 30] [--batch 128] [--lr 0.1] [--limit N] [--save FILE] [--report DIR]
//
// FOLDER holds the binary version's data_batch_1.bin … data_batch_5.bin and test_batch.bin. Training uses
// SGD with Nesterov momentum 0.9, weight decay 5e-4, a cosine schedule with a short warm-up, random
// crops (shift by up to 4 pixels) and horizontal flips; the test set is evaluated after every epoch.
// Progress shows as a live bar per epoch on a terminal, as one line per epoch otherwise; --report DIR
// writes the metrics, the curves, the confusion matrix and the stem's filters there.
using System.Globalization;
using ModelDsl;
using ModelDsl.Reports;
using ModelDsl.Zoo;

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine("usage: Cifar10 FOLDER [--epochs N] [--batch N] [--lr X] [--limit N] [--save FILE] [--report DIR]");
    return args.Length == 0 ? 2 : 0;
}
var folder = args[0];
int epochs = 30, batch = 128, limit = int.MaxValue;
var lr = 0.1f;
string? save = null, report = null;
for (var i = 1; i + 1 < args.Length; i += 2)
{
    var (name, value) = (args[i], args[i + 1]);
    var ok = name switch
    {
        "--epochs" => int.TryParse(value, CultureInfo.InvariantCulture, out epochs) && epochs > 0,
        "--batch" => int.TryParse(value, CultureInfo.InvariantCulture, out batch) && batch > 0,
        "--lr" => float.TryParse(value, CultureInfo.InvariantCulture, out lr) && lr > 0,
        "--limit" => int.TryParse(value, CultureInfo.InvariantCulture, out limit) && limit > 0,
        "--save" => (save = value) is not null,
        "--report" => (report = value) is not null,
        _ => false,
    };
    if (!ok)
    {
        Console.Error.WriteLine($"Cifar10: {name} {value} is not a valid option (--help lists them)");
        return 2;
    }
}

Dataset train, test;
try
{
    (train, test) = Cifar10.Load(folder);
}
catch (Exception e) when (e is IOException or InvalidDataException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
train = train.Take(limit);
test = test.Take(limit);

Console.WriteLine(CifarResNet18.Summary);
var net = new CifarResNet18(seed: 1);
var sgd = new Sgd(lr, momentum: 0.9f, nesterov: true, weightDecay: 5e-4f);
var trainer = new Trainer(net, sgd)
{
    Augmentation = Augment.Compose(Augment.Shift(4), Augment.HorizontalFlip()),
};
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Training on {train.Count:N0} images, testing on {test.Count:N0}: {epochs} epochs, batch {batch}, {Environment.ProcessorCount} cores"));
var fit = TrainingConsole.Run(trainer, t => t.Fit(train, epochs, batch, validation: test, seed: 1,
    schedule: Schedule.Cosine().WithWarmup(Math.Max(1, train.Count / batch))));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Test accuracy: {fit.Last.ValidationAccuracy:P2} after {fit.Epochs.Count} epochs, {fit.Elapsed.TotalMinutes:F1} min"));
if (save is not null)
{
    SafeTensors.Save(net, save, new Dictionary<string, string> { ["epochs"] = fit.Epochs.Count.ToString(CultureInfo.InvariantCulture) });
    Console.WriteLine($"Saved {save}");
}
if (report is not null)
{
    foreach (var file in TrainingReport.Write(report, fit, trainer, test).All) Console.WriteLine($"Wrote {file}");
}
return 0;
