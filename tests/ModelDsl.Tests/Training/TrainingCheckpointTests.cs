using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using ModelDsl.Tests.Generated;

namespace ModelDsl.Tests.Training;

/// <summary>The training-checkpoint file: what it holds, how it reads back, and how bad files are rejected.</summary>
public sealed class TrainingCheckpointTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("modeldsl-training-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    private static void TwoAdamSteps(Model model, Adam adam)
    {
        for (var t = 0; t < 2; t++)
        {
            var g = model.Gradients;
            for (var i = 0; i < g.Length; i++) g[i] = (float)Math.Cos(0.3 * i + t);
            adam.Step(model);
        }
    }

    /// <summary>A TinyResNet after two Adam steps, early stopping holding an earlier best, and a checkpoint of it all.</summary>
    private static (TinyResNet Model, Adam Adam, EarlyStopping Stopping, float[] BestParameters, TrainingCheckpoint Checkpoint) Scene()
    {
        var model = new TinyResNet(seed: 1);
        model.GetParameter("StemBn.running_var").Values.Fill(1.5f);
        var stopping = new EarlyStopping(patience: 4);
        stopping.Start(model);
        stopping.ShouldStop(model, epoch: 1, validationLoss: 0.75);
        var best = model.Parameters.ToArray();
        var adam = new Adam(0.01f);
        TwoAdamSteps(model, adam);
        model.Forward(GeneratedModelTests.Random(2 * model.InputShape.Size, 1), 2, training: true); // moves the running statistics
        var checkpoint = new TrainingCheckpoint
        {
            ModelType = nameof(TinyResNet),
            Step = 7,
            Epoch = 2,
            BatchesDone = 3,
            EpochFinished = false,
            Epochs = 5,
            TrainCount = 16,
            BatchSize = 4,
            Seed = -3,
            BaseLearningRate = 0.1,
            HasSchedule = true,
            HasValidation = true,
            TrainerSettings = new Dictionary<string, string> { ["loss"] = "mean squared error", ["l2"] = "0.001" },
            RngStates = new Dictionary<string, UInt128> { ["dropout"] = model.DropoutRngState, ["custom"] = new Rng(5).State },
            PartialLossSum = 1 / 3.0,
            PartialCorrect = 5,
            PartialSeen = 12,
            PartialElapsed = TimeSpan.FromTicks(15_000_001),
            Reports = [new EpochReport(1, 1 / 7.0, 0.625, 0.75, 0.5, 1234.5678, TimeSpan.FromTicks(98_765_432))],
            Optimizer = adam.ExportState(model),
            Plateau = new PlateauCounters(0.75, 1, 2),
            EarlyStopping = new EarlyStoppingCounters(0.75, 1, 1),
        };
        return (model, adam, stopping, best, checkpoint);
    }

    private (TinyResNet Model, Adam Adam, EarlyStopping Stopping, float[] BestParameters, TrainingCheckpoint Checkpoint, string Path) WrittenScene()
    {
        var (model, adam, stopping, best, checkpoint) = Scene();
        var path = PathOf("run.safetensors");
        checkpoint.Write(path, model, stopping);
        return (model, adam, stopping, best, checkpoint, path);
    }

    [Fact]
    public void WriteThenRead_GivesBackEveryField_AndRestorePutsTheStateIntoFreshObjects()
    {
        var (model, adam, _, best, written, path) = WrittenScene();
        var read = TrainingCheckpoint.Read(path);

        Assert.Equal(path, read.Path);
        Assert.Equal((written.ModelType, written.Step, written.Epoch, written.BatchesDone, written.EpochFinished, written.Epochs),
            (read.ModelType, read.Step, read.Epoch, read.BatchesDone, read.EpochFinished, read.Epochs));
        Assert.Equal((written.TrainCount, written.BatchSize, written.Seed, written.BaseLearningRate, written.HasSchedule, written.HasValidation),
            (read.TrainCount, read.BatchSize, read.Seed, read.BaseLearningRate, read.HasSchedule, read.HasValidation));
        Assert.Equal(written.RngStates.OrderBy(r => r.Key), read.RngStates.OrderBy(r => r.Key));
        Assert.Equal(written.TrainerSettings.OrderBy(r => r.Key), read.TrainerSettings.OrderBy(r => r.Key));
        Assert.Equal((written.PartialLossSum, written.PartialCorrect, written.PartialSeen, written.PartialElapsed),
            (read.PartialLossSum, read.PartialCorrect, read.PartialSeen, read.PartialElapsed));
        Assert.Equal(written.Reports, read.Reports);
        Assert.Equal(written.Plateau, read.Plateau);
        Assert.Equal(written.EarlyStopping, read.EarlyStopping);
        Assert.Equal("Adam", read.Optimizer.Kind);
        Assert.Equal(written.Optimizer.Scalars.OrderBy(s => s.Key), read.Optimizer.Scalars.OrderBy(s => s.Key));
        Assert.Equal(written.Optimizer.Tensors["adam.v"], read.Optimizer.Tensors["adam.v"]);

        var (restored, resumedAdam) = (new TinyResNet(seed: 9), new Adam(0.5f));
        var restoredStopping = new EarlyStopping(patience: 4);
        restoredStopping.Start(restored);
        var plateau = new ReduceOnPlateau();
        read.Restore(restored, resumedAdam, restoredStopping, plateau);
        Assert.Equal(model.Parameters.ToArray(), restored.Parameters.ToArray());
        Assert.Equal(model.Buffers.ToArray(), restored.Buffers.ToArray());
        Assert.Equal(model.DropoutRngState, restored.DropoutRngState);
        Assert.Equal(best, restoredStopping.Best.Parameters);
        Assert.Equal((0.75, 1, (int?)1), restoredStopping.State);
        Assert.Equal((0.75, 1, 2), plateau.State);
        Assert.Equal(0.01f, resumedAdam.LearningRate);

        // Both optimizers take the same next step.
        TwoAdamSteps(model, adam);
        TwoAdamSteps(restored, resumedAdam);
        Assert.Equal(model.Parameters.ToArray(), restored.Parameters.ToArray());
    }

    [Fact]
    public void File_IsSafetensorsWithPrefixedState_AndSafeTensorsLoadTakesJustTheWeights()
    {
        var (model, _, _, _, _, path) = WrittenScene();

        var bytes = File.ReadAllBytes(path);
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, headerLength));
        var root = header.RootElement;
        Assert.Equal([model.Parameters.Length], root.GetProperty("optimizer.adam.m").GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()));
        Assert.Equal([16, 3, 3, 3], root.GetProperty("early_stopping.Stem.weight").GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()));
        Assert.True(root.TryGetProperty("StemBn.running_var", out _));
        var metadata = root.GetProperty("__metadata__");
        Assert.All(metadata.EnumerateObject(), m => Assert.Equal(JsonValueKind.String, m.Value.ValueKind)); // safetensors allows only strings
        Assert.Equal("7", metadata.GetProperty("step").GetString());
        Assert.Equal("Adam", metadata.GetProperty("optimizer.kind").GetString());
        Assert.Equal("2", metadata.GetProperty("optimizer.step").GetString());

        // What the safetensors loader checks: the tensors' byte ranges, in order, tile the data section exactly,
        // each 4 bytes × the product of its shape (F32).
        var ranges = root.EnumerateObject().Where(e => e.Name != "__metadata__")
            .Select(e => (Offsets: e.Value.GetProperty("data_offsets").EnumerateArray().Select(o => o.GetInt64()).ToArray(),
                Count: e.Value.GetProperty("shape").EnumerateArray().Aggregate(1L, (n, d) => n * d.GetInt64()),
                DType: e.Value.GetProperty("dtype").GetString()))
            .OrderBy(r => r.Offsets[0]).ToList();
        long end = 0;
        foreach (var (offsets, count, dtype) in ranges)
        {
            Assert.Equal("F32", dtype);
            Assert.Equal(end, offsets[0]);
            Assert.Equal(4 * count, offsets[1] - offsets[0]);
            end = offsets[1];
        }
        Assert.Equal(bytes.Length - 8 - headerLength, end);
        Assert.Equal((byte)'{', bytes[8]);

        var weightsOnly = new TinyResNet(seed: 4);
        Assert.Empty(SafeTensors.Load(weightsOnly, path)); // strict: the optimizer's and early stopping's tensors are not extra
        Assert.Equal(model.Parameters.ToArray(), weightsOnly.Parameters.ToArray());
        Assert.Equal(model.Buffers.ToArray(), weightsOnly.Buffers.ToArray());
    }

    [Fact]
    public void BadFiles_AreRejectedNamingTheFileAndWhat()
    {
        var (model, _, _, _, _, path) = WrittenScene();
        var good = File.ReadAllBytes(path);

        string Rejected(byte[] content)
        {
            var bad = PathOf("bad.safetensors");
            File.WriteAllBytes(bad, content);
            var e = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Read(bad));
            Assert.Contains(bad, e.Message);
            return e.Message;
        }

        byte[] Patched(string from, string to)
        {
            Assert.Equal(from.Length, to.Length); // the header keeps its length
            var text = Encoding.Latin1.GetString(good);
            Assert.Contains(from, text);
            return Encoding.Latin1.GetBytes(text.Replace(from, to));
        }

        Assert.Contains("outside the", Rejected(good[..^100]));
        Assert.Contains("the header claims", Rejected(good[..1000]));
        Assert.Contains("no 'step'", Rejected(Patched("\"step\":", "\"stap\":")));
        Assert.Contains("'seed' is 'x3', not a whole number", Rejected(Patched("\"seed\":\"-3\"", "\"seed\":\"x3\"")));
        var dropout = model.DropoutRngState.ToString("X32", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("'rng.dropout' is 'z", Rejected(Patched($"\"rng.dropout\":\"{dropout}\"", $"\"rng.dropout\":\"z{dropout[1..]}\"")));
        Assert.Contains("'reports' is not a list of epoch reports", Rejected(Patched("\"reports\":\"[", "\"reports\":\"{")));

        var plain = PathOf("weights.safetensors");
        SafeTensors.Save(model, plain);
        Assert.Contains("not a training checkpoint", Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Read(plain)).Message);
        Assert.Throws<FileNotFoundException>(() => TrainingCheckpoint.Read(PathOf("missing.safetensors")));
    }

    [Fact]
    public void Restore_IntoADifferentModelOrOptimizer_NamesTheFileAndWhatDiffers_AndChangesNothing()
    {
        var (model, _, _, _, _, path) = WrittenScene();
        var read = TrainingCheckpoint.Read(path);

        var other = new DropoutNet(seed: 1);
        var before = other.Parameters.ToArray();
        var e = Assert.Throws<ArgumentException>(() => read.Restore(other, new Adam(0.01f), null, null));
        Assert.Contains($"{path}: the checkpoint was written from a TinyResNet, but the model is a DropoutNet", e.Message);
        Assert.Equal(before, other.Parameters.ToArray());

        var target = new TinyResNet(seed: 3);
        var targetBefore = target.Parameters.ToArray();
        e = Assert.Throws<ArgumentException>(() => read.Restore(target, new Sgd(0.1f, momentum: 0.9f), null, null));
        Assert.Contains($"{path}: The optimizer state is for Adam but this optimizer is Sgd", e.Message);
        Assert.Equal(targetBefore, target.Parameters.ToArray());
    }
}
