using ModelDsl.Tests.Generated;
using ModelDsl.Zoo;

namespace ModelDsl.Tests.Training;

/// <summary>Transfer learning: frozen layers do not move, whatever the optimizer's momentum or decay.</summary>
public class FreezeTests
{
    public static TheoryData<string> Optimizers => ["sgd", "adamw", "rmsprop"];

    private static Optimizer Create(string name) => name switch
    {
        "sgd" => new Sgd(0.05f, momentum: 0.9f, weightDecay: 0.01f),
        "adamw" => new AdamW(0.01f),
        _ => new RmsProp(0.01f, momentum: 0.5f, weightDecay: 0.01f),
    };

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void FrozenLayers_StayBitwiseTheSame_WhileTheOthersTrain(string optimizer)
    {
        var net = new TinyResNet(seed: 3);
        net.Freeze(nameof(TinyResNet.Stem), nameof(TinyResNet.Bn1));
        Assert.True(net.IsFrozen(net.GetParameter("Stem.weight")));
        Assert.Equal(net.Parameters.Length - 16 * 3 * 9 - 2 * 16, net.TrainableParameterCount);

        var stem = net.GetParameter("Stem.weight").Values.ToArray();
        var bn1 = net.GetParameter("Bn1.weight").Values.ToArray();
        var head = net.GetParameter("Logits.weight").Values.ToArray();
        var data = new Dataset(GeneratedModelTests.Random(8 * 192, 1), [0, 1, 2, 0, 1, 2, 0, 1], net.InputShape);
        new Trainer(net, Create(optimizer)).Fit(data, epochs: 3, batchSize: 4);

        Assert.Equal(stem, net.GetParameter("Stem.weight").Values.ToArray());
        Assert.Equal(bn1, net.GetParameter("Bn1.weight").Values.ToArray());
        Assert.NotEqual(head, net.GetParameter("Logits.weight").Values.ToArray());

        net.Unfreeze(nameof(TinyResNet.Stem));
        new Trainer(net, Create(optimizer)).Fit(data, epochs: 1, batchSize: 4);
        Assert.NotEqual(stem, net.GetParameter("Stem.weight").Values.ToArray());
    }

    [Fact]
    public void FreezingABlockUse_FreezesEveryLayerInlinedUnderIt()
    {
        var net = new BlockNet(seed: 1);
        net.Freeze(nameof(BlockNet.Stage1));
        Assert.All(net.ParameterList.Where(p => p.Name.StartsWith("Stage1.", StringComparison.Ordinal)), p => Assert.True(net.IsFrozen(p)));
        Assert.All(net.ParameterList.Where(p => !p.Name.StartsWith("Stage1.", StringComparison.Ordinal)), p => Assert.False(net.IsFrozen(p)));
    }

    [Fact]
    public void FreezeUpTo_FreezesEveryLayerThroughTheNamedOne_AndUnfreezeAllUndoesIt()
    {
        var net = new CourseLeNet(seed: 1);
        Assert.Equal(["Conv1", "Conv2"], net.FreezeUpTo(nameof(CourseLeNet.Pool2)));
        // Only the dense layers train: 800·500 + 500 and 500·10 + 10.
        Assert.Equal(800 * 500 + 500 + 500 * 10 + 10, net.TrainableParameterCount);
        Assert.True(net.IsFrozen(net.GetParameter("Conv2.bias")));
        Assert.False(net.IsFrozen(net.GetParameter("Fc1.weight")));

        Assert.Equal(["Conv1", "Conv2", "Fc1"], net.FreezeUpTo(nameof(CourseLeNet.Fc1)));
        Assert.Equal(500 * 10 + 10, net.TrainableParameterCount);

        net.UnfreezeAll();
        Assert.Equal(CourseLeNet.ParameterCount, net.TrainableParameterCount);
        var e = Assert.Throws<ArgumentException>(() => net.FreezeUpTo("Fc3"));
        Assert.Contains("Fc2", e.Message); // the message lists the layers there are
        Assert.Equal(CourseLeNet.ParameterCount, net.TrainableParameterCount);
    }

    [Fact]
    public void FreezeUpTo_ABlockUse_CoversEveryRepeatInlinedUnderIt()
    {
        var net = new BlockNet(seed: 1);
        net.FreezeUpTo(nameof(BlockNet.Stage2));
        Assert.All(net.ParameterList.Where(p => p.Name.StartsWith("Stage", StringComparison.Ordinal)), p => Assert.True(net.IsFrozen(p)));
        Assert.All(net.ParameterList.Where(p => p.Name.StartsWith("Logits.", StringComparison.Ordinal)), p => Assert.False(net.IsFrozen(p)));
    }

    [Fact]
    public void LearningRateScale_ScalesThatLayersStep_Only()
    {
        var data = new Dataset(GeneratedModelTests.Random(4 * 192, 1), [0, 1, 2, 0], new TinyResNet().InputShape);
        var plain = new TinyResNet(seed: 3);
        var scaled = new TinyResNet(seed: 3);
        scaled.SetLearningRateScale(nameof(TinyResNet.Logits), 0.5f);
        var start = plain.Parameters.ToArray();
        new Trainer(plain, new Sgd(0.1f)).TrainBatch(data, [0, 1, 2, 3]);
        var sgd = new Sgd(0.1f);
        new Trainer(scaled, sgd).TrainBatch(data, [0, 1, 2, 3]);
        Assert.Equal(0.1f, sgd.LearningRate); // per-layer scales do not change the optimizer's own rate
        foreach (var p in plain.ParameterList)
        {
            var q = scaled.GetParameter(p.Name);
            for (var i = 0; i < p.Length; i++)
            {
                var full = p.Values[i] - start[p.Info.Offset + i];
                var step = q.Values[i] - start[p.Info.Offset + i];
                Assert.Equal(p.Name.StartsWith("Logits.", StringComparison.Ordinal) ? full * 0.5f : full, step, 6);
            }
        }
    }

    [Fact]
    public void UnknownLayer_IsAnErrorListingTheLayers()
    {
        var e = Assert.Throws<ArgumentException>(() => new LeNet5().Freeze("C2"));
        Assert.Contains("no layer 'C2'", e.Message);
        Assert.Contains("C3", e.Message);
    }

    [Fact]
    public void NewHead_FromACheckpointOfTheOldModel_KeepsTheFeatures()
    {
        var path = Path.Combine(Path.GetTempPath(), $"modeldsl-transfer-{Guid.NewGuid():N}.safetensors");
        try
        {
            var pretrained = new CourseLeNet(seed: 1);
            SafeTensors.Save(pretrained, path);
            var fine = new OtherHead(seed: 2);
            var skipped = SafeTensors.Load(fine, path, strict: false, include: name => !name.StartsWith("Fc2.", StringComparison.Ordinal));
            Assert.Equal(["Fc2.weight", "Fc2.bias"], skipped);
            Assert.Equal(pretrained.GetParameter("Conv2.weight").Values.ToArray(), fine.GetParameter("Conv2.weight").Values.ToArray());
            fine.Freeze("Conv1", "Conv2", "Fc1");
            Assert.Equal(5 * 500 + 5, fine.TrainableParameterCount);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
