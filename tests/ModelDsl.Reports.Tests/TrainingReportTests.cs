namespace ModelDsl.Reports.Tests;

public sealed class TrainingReportTests
{
    [Fact]
    public void Write_PutsEveryFileOfARunInTheFolder()
    {
        using var folder = new TestData.TempFolder();
        var trainer = TestData.NewTrainer();
        var data = TestData.Samples(36);
        var result = trainer.Fit(data, epochs: 2, batchSize: 6, validation: TestData.Samples(9, seed: 2));

        var files = TrainingReport.Write(folder.Path, result, trainer, data);

        Assert.Equal(
            new[] { "metrics.csv", "curves.png", "confusion-matrix.png", "filters-C1.png" },
            files.All.Select(Path.GetFileName));
        Assert.All(files.All, f => Assert.Equal(Path.GetFullPath(folder.Path), Path.GetDirectoryName(f)));
        Assert.Equal(files.All.Order(), Directory.GetFiles(folder.Path).Select(Path.GetFullPath).Order());
        var csv = File.ReadAllLines(files.Metrics);
        Assert.Equal(3, csv.Length);
        Assert.StartsWith("epoch,train_loss", csv[0]);
        foreach (var png in files.All.Skip(1))
            Assert.Equal((byte)0x89, File.ReadAllBytes(png)[0]);
    }

    [Fact]
    public void Write_WithAnUnknownLayer_WritesNothing()
    {
        using var folder = new TestData.TempFolder();
        var trainer = TestData.NewTrainer();
        var data = TestData.Samples(12);
        var result = trainer.Fit(data, epochs: 1, batchSize: 6);
        var error = Assert.Throws<KeyNotFoundException>(() => TrainingReport.Write(folder.Path, result, trainer, data, filterLayer: "C7"));
        Assert.Contains("'C7.weight'", error.Message);
        Assert.False(Directory.Exists(folder.Path));
    }
}
