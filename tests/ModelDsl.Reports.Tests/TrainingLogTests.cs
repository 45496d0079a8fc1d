using System.Globalization;

namespace ModelDsl.Reports.Tests;

public sealed class TrainingLogTests
{
    private static BatchProgress Batch(int epoch, int batch, int batches, double loss, int correct, int count) =>
        new(epoch, batch, batches, (epoch - 1L) * batches + batch, loss, correct, count, 0.1f);

    [Fact]
    public void Fit_WritesOneLinePerEpoch_WithTheEpochCountAndItsResults()
    {
        var trainer = TestData.NewTrainer();
        var writer = new StringWriter();
        var result = TrainingConsole.Run(trainer, t => t.Fit(TestData.Samples(48), epochs: 2, batchSize: 8, validation: TestData.Samples(12, seed: 2)), writer);

        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(2, lines.Length); // quick epochs: no progress lines within them
        for (var e = 0; e < 2; e++)
        {
            var report = result.Epochs[e];
            Assert.StartsWith($"epoch {e + 1}/2: train loss {report.TrainLoss.ToString("F4", CultureInfo.InvariantCulture)}, accuracy {report.TrainAccuracy.ToString("P2", CultureInfo.InvariantCulture)}; validation loss {report.ValidationLoss!.Value.ToString("F4", CultureInfo.InvariantCulture)}", lines[e]);
            Assert.Contains("images/s", lines[e]);
        }
        Assert.Empty(trainer.Callbacks); // the log is removed after the run
    }

    [Fact]
    public void SlowEpochs_GetAProgressLineAtEachMark_WithTheRunningLossAndAccuracy()
    {
        var writer = new StringWriter();
        ITrainingCallback log = new TrainingLog(writer) { ProgressPercent = 25, QuietPeriod = TimeSpan.Zero };
        var trainer = TestData.NewTrainer();
        log.OnFitStart(trainer, new FitPlan(3, 8, 64, 8));
        log.OnEpochStart(trainer, 1);
        // Batches of 8 with losses 1, 2, …, 8 and 1, 2, … right: after batch b the running loss is (b + 1)/2.
        for (var b = 1; b <= 8; b++) log.OnBatchEnd(trainer, Batch(1, b, 8, b, b, 8));

        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(3, lines.Length); // at 25 %, 50 %, 75 %; the end of the epoch gets the epoch line instead
        Assert.StartsWith("epoch 1/3: 25% (2/8 batches), loss 1.5000, accuracy 18.75 %", lines[0]); // 3 of 16 right
        Assert.StartsWith("epoch 1/3: 50% (4/8 batches), loss 2.5000, accuracy 31.25 %", lines[1]); // 10 of 32
        Assert.StartsWith("epoch 1/3: 75% (6/8 batches), loss 3.5000, accuracy 43.75 %", lines[2]); // 21 of 48
        Assert.Contains("images/s, ETA ", lines[2]);
    }

    [Fact]
    public void ProgressLines_WaitForTheQuietPeriod()
    {
        var writer = new StringWriter();
        ITrainingCallback log = new TrainingLog(writer) { ProgressPercent = 10, QuietPeriod = TimeSpan.FromHours(1) };
        var trainer = TestData.NewTrainer();
        log.OnFitStart(trainer, new FitPlan(1, 100, 800, 8));
        log.OnEpochStart(trainer, 1);
        for (var b = 1; b <= 99; b++) log.OnBatchEnd(trainer, Batch(1, b, 100, 0.5, 4, 8));
        Assert.Equal("", writer.ToString());
    }

    [Fact]
    public void BatchEnd_AllocatesNothing_BetweenProgressLines()
    {
        ITrainingCallback log = new TrainingLog(TextWriter.Null) { QuietPeriod = TimeSpan.FromHours(1) };
        var trainer = TestData.NewTrainer();
        log.OnFitStart(trainer, new FitPlan(1, 1_000_000, 8_000_000, 8));
        log.OnEpochStart(trainer, 1);
        var progress = Batch(1, 1, 1_000_000, 0.5, 4, 8);
        log.OnBatchEnd(trainer, progress);
        Assert.Equal(0, Allocations.FewestBytes(() =>
        {
            for (var b = 2; b < 50_000; b++) log.OnBatchEnd(trainer, progress with { Batch = b });
        }));
    }

    [Fact]
    public void ProgressPercent_OutsideOneToHundred_IsRejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingLog(TextWriter.Null) { ProgressPercent = 0 });
        Assert.Contains("between 1 and 100", error.Message);
    }
}
