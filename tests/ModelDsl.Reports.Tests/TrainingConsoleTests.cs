using System.Globalization;
using System.Text.RegularExpressions;
using Spectre.Console.Testing;

namespace ModelDsl.Reports.Tests;

public sealed partial class TrainingConsoleTests
{
    private static TestConsole LiveConsole()
    {
        var console = new TestConsole().Width(200);
        console.Profile.Capabilities.Interactive = true;
        console.Profile.Capabilities.Ansi = true;
        console.EmitAnsiSequences = true;
        return console;
    }

    [GeneratedRegex(@"\x1b\[[0-9;?]*[A-Za-z]")]
    private static partial Regex AnsiSequence();

    private static string Plain(TestConsole console) => AnsiSequence().Replace(console.Output, "");

    /// <summary>The output once it contains <paramref name="text"/>, waiting up to 20 s for the display threads (a busy machine is slow).</summary>
    private static string WaitFor(TestConsole console, string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            string output;
            try
            {
                output = Plain(console);
            }
            catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException)
            {
                output = ""; // read while the display thread was writing: try again
            }
            if (output.Contains(text, StringComparison.Ordinal) || DateTime.UtcNow > deadline) return output;
            Thread.Sleep(50);
        }
    }

    [Fact]
    public void LiveDisplay_ShowsABarPerEpoch_AndEachFinishedEpochsResults()
    {
        var console = LiveConsole();
        var trainer = TestData.NewTrainer();
        Assert.True(TrainingConsole.IsLive(console));

        var result = TrainingConsole.Run(trainer, t => t.Fit(TestData.Samples(48), epochs: 3, batchSize: 8, validation: TestData.Samples(12, seed: 2)), console);

        var output = Plain(console);
        for (var e = 1; e <= 3; e++)
        {
            Assert.Contains($"Epoch {e}/3", output);
            var report = result.Epochs[e - 1];
            Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"train loss {report.TrainLoss:F4}, accuracy {report.TrainAccuracy:P2}; validation loss {report.ValidationLoss:F4}"), output);
        }
        Assert.Contains("100%", output);
        Assert.Empty(trainer.Callbacks);
    }

    [Fact]
    public void LiveDisplay_ShowsTheBatchesDone_AndTheRunningNumbers_WhileAnEpochRuns()
    {
        var console = LiveConsole();
        var trainer = TestData.NewTrainer();
        TrainingConsole.Run(trainer, t =>
        {
            // Drive the callback as Fit would, pausing so the display takes the numbers mid-epoch.
            var callback = Assert.Single(t.Callbacks);
            callback.OnFitStart(t, new FitPlan(2, 6, 48, 8));
            callback.OnEpochStart(t, 1);
            for (var b = 1; b <= 3; b++)
                callback.OnBatchEnd(t, new BatchProgress(1, b, 6, b, 0.25 * b, 4, 8, 0.1f)); // running loss 0.5, accuracy 50 %
            var output = WaitFor(console, "3/6 batches");
            Assert.Contains("Epoch 1/2", output);
            Assert.Contains("3/6 batches, loss 0.5000, accuracy 50.00 %", output);
            Assert.Contains("50%", output); // the bar's percentage: 3 of 6
            Assert.DoesNotContain("Epoch 2/2", output);
            return 0;
        }, console);
    }

    [Fact]
    public void RedirectedOutput_GetsPlainLines()
    {
        var console = new TestConsole().Width(200);
        console.Profile.Capabilities.Interactive = false;
        var trainer = TestData.NewTrainer();
        Assert.False(TrainingConsole.IsLive(console));

        var result = TrainingConsole.Run(trainer, t => t.Fit(TestData.Samples(24), epochs: 2, batchSize: 8), console);

        var lines = console.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith(string.Create(CultureInfo.InvariantCulture, $"epoch 2/2: train loss {result.Epochs[1].TrainLoss:F4}"), lines[1]);
        Assert.DoesNotContain("\x1b[", console.Output);
    }

    [Fact]
    public void AFailingRun_RemovesTheCallback_AndThrowsItsException()
    {
        var trainer = TestData.NewTrainer();
        var error = Assert.Throws<InvalidOperationException>(() =>
            TrainingConsole.Run<int>(trainer, _ => throw new InvalidOperationException("boom"), LiveConsole()));
        Assert.Equal("boom", error.Message);
        Assert.Empty(trainer.Callbacks);
    }

    [Fact]
    public void LiveMonitor_BatchEnd_AllocatesNothing()
    {
        ITrainingCallback monitor = new TrainingConsole.LiveMonitor();
        var trainer = TestData.NewTrainer();
        monitor.OnFitStart(trainer, new FitPlan(1, 1_000_000, 8_000_000, 8));
        monitor.OnEpochStart(trainer, 1);
        var progress = new BatchProgress(1, 1, 1_000_000, 1, 0.5, 4, 8, 0.1f);
        Assert.Equal(0, Allocations.FewestBytes(() =>
        {
            for (var b = 2; b < 50_000; b++) monitor.OnBatchEnd(trainer, progress with { Batch = b });
        }));
    }
}
