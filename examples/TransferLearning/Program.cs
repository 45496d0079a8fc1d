// Transfer learning on Fashion-MNIST: pretrain a CNN on classes 0–4 (T-shirt/top, Trouser, Pullover,
// Dress, Coat), then learn classes 5–9 (Sandal, Shirt, Sneaker, Bag, Ankle boot) from only --shots
// training images (default 500), four ways, on the same images with the same epochs, batch, optimizer,
// schedule and augmentation, tested on all 5,000 test images of classes 5–9:
//
//   transfer   the pretrained weights loaded by name into a model whose 5-way head is new, the base
//              frozen through --freeze-to (default Pool2, the convolutions), the rest trained;
//   fine-tune  the same start with the base unfrozen at 0.1 × the learning rate;
//   scratch    the same model from random weights, every layer trained;
//   control    random weights with the base frozen: what the head gets from features nobody trained.
//
// Repeated for --seeds draws of the few images. The pretrained checkpoint is kept with --save FILE.
//
//   dotnet run -c Release --project examples/TransferLearning -- [--model lenet|fashionnet] [--shots 500]
//       [--pretrain-epochs 2] [--epochs 30] [--freeze-to Pool2] [--seeds 3] [--save FILE] [--data DIR]
using System.Globalization;
using ModelDsl;
using TransferLearning;

var options = Options.Parse(args);
if (options is null) return 2;
Model NewModel(int seed) => options.Model == "fashionnet" ? new FashionNet5Way(seed) : new LeNet5Way(seed);
try
{
    NewModel(0).FreezeUpTo(options.FreezeTo);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine("TransferLearning: --freeze-to: " + e.Message);
    return 2;
}

Dataset train, test;
try
{
    (train, test) = FashionMnist.Load(options.Data, FashionMnist.Standardize);
}
catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
int[] source = [0, 1, 2, 3, 4], target = [5, 6, 7, 8, 9];
var background = -FashionMnist.Mean / FashionMnist.Std;
var augmentation = Augment.Compose(Augment.Shift(2, fill: background), Augment.HorizontalFlip());

// 1. Pretrain on the source classes (all 30,000 training images of them).
var pretrained = NewModel(1);
var sourceTest = test.SelectClasses(source);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Pretraining {pretrained.GetType().Name} on classes 0–4 ({string.Join(", ", sourceTest.ClassNames!)}): {options.PretrainEpochs} epochs"));
var pretrainer = new Trainer(pretrained, new Sgd(options.Model == "fashionnet" ? 0.05f : 0.02f, momentum: 0.9f, nesterov: true, weightDecay: 5e-4f))
{
    Augmentation = augmentation,
};
var pre = pretrainer.Fit(train.SelectClasses(source), options.PretrainEpochs, 128, validation: sourceTest, seed: 1,
    schedule: Schedule.Cosine(), onEpoch: Console.WriteLine);
var checkpoint = options.Save ?? Path.Combine(Path.GetTempPath(), $"transfer-{Environment.ProcessId}.safetensors");
SafeTensors.Save(pretrained, checkpoint);

// 2. The new task: classes 5–9 from a few images.
var targetTrain = train.SelectClasses(target);
var targetTest = test.SelectClasses(target);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"New task: classes 5–9 ({string.Join(", ", targetTest.ClassNames!)}) from {options.Shots} images, {options.Epochs} epochs, batch 32, SGD lr 0.01 momentum 0.9, cosine; tested on {targetTest.Count:N0} images"));
var ways = new[] { "transfer", "fine-tune", "scratch", "control" };
var results = ways.ToDictionary(w => w, _ => new List<double>());
for (var draw = 0; draw < options.Seeds; draw++)
{
    var few = targetTrain.Split((double)options.Shots / targetTrain.Count, seed: 100 + draw).Validation;
    foreach (var way in ways)
    {
        var model = NewModel(2 + draw);
        if (way is "transfer" or "fine-tune")
        {
            // Everything but the head: Head.weight and Head.bias keep their fresh random values.
            SafeTensors.Load(model, checkpoint, strict: false, include: name => !name.StartsWith("Head.", StringComparison.Ordinal));
        }
        if (way is "transfer" or "control" or "fine-tune")
        {
            var frozen = model.FreezeUpTo(options.FreezeTo);
            if (way == "fine-tune")
            {
                model.UnfreezeAll();
                foreach (var layer in frozen) model.SetLearningRateScale(layer, 0.1f);
            }
        }
        var trainer = new Trainer(model, new Sgd(0.01f, momentum: 0.9f)) { Augmentation = augmentation };
        trainer.Fit(few, options.Epochs, 32, seed: 3 + draw, schedule: Schedule.Cosine());
        results[way].Add(trainer.Evaluate(targetTest).Accuracy);
    }
    Console.WriteLine($"draw {draw + 1}: " + string.Join(", ", ways.Select(w => string.Create(CultureInfo.InvariantCulture, $"{w} {results[w][^1]:P2}"))));
}
if (options.Save is null) File.Delete(checkpoint);

Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Pretrained on classes 0–4: {pre.Last.ValidationAccuracy:P2} on their test images"));
foreach (var way in ways)
{
    var r = results[way];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{way,-10} mean {r.Average():P2} (from {r.Min():P2} to {r.Max():P2}) over {r.Count} draws of {options.Shots} images"));
}
var margin = results["transfer"].Average() - results["scratch"].Average();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Transfer − scratch: {margin * 100:+0.00;−0.00} points"));
return 0;

/// <summary>The command line, checked.</summary>
internal sealed record Options(string Model, int Shots, int PretrainEpochs, int Epochs, string FreezeTo, int Seeds, string? Save, string? Data)
{
    public static Options? Parse(string[] args)
    {
        var o = new Options("lenet", 500, 2, 30, "Pool2", 3, null, null);
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
            {
                Console.WriteLine("usage: TransferLearning [--model lenet|fashionnet] [--shots N] [--pretrain-epochs N] [--epochs N] [--freeze-to LAYER] [--seeds N] [--save FILE] [--data DIR]");
                return null;
            }
            if (i + 1 >= args.Length) return Fail($"{name} needs a value");
            var value = args[++i];
            var ok = true;
            switch (name)
            {
                case "--model" when value is "lenet" or "fashionnet": o = o with { Model = value }; break;
                case "--model": return Fail($"--model is 'lenet' or 'fashionnet', not '{value}'");
                case "--shots": ok = int.TryParse(value, CultureInfo.InvariantCulture, out var shots) && shots is >= 5 and < 30_000; o = o with { Shots = shots }; break;
                case "--pretrain-epochs": ok = int.TryParse(value, CultureInfo.InvariantCulture, out var pe) && pe > 0; o = o with { PretrainEpochs = pe }; break;
                case "--epochs": ok = int.TryParse(value, CultureInfo.InvariantCulture, out var epochs) && epochs > 0; o = o with { Epochs = epochs }; break;
                case "--freeze-to": o = o with { FreezeTo = value }; break;
                case "--seeds": ok = int.TryParse(value, CultureInfo.InvariantCulture, out var seeds) && seeds > 0; o = o with { Seeds = seeds }; break;
                case "--save": o = o with { Save = value }; break;
                case "--data": o = o with { Data = value }; break;
                default: return Fail($"unknown option {name}");
            }
            if (!ok) return Fail($"{name} {value} is not valid");
        }
        return o;
    }

    private static Options? Fail(string message)
    {
        Console.Error.WriteLine("TransferLearning: " + message + " (--help lists the options)");
        return null;
    }
}
