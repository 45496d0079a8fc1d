namespace ModelDsl.Tests.Data;

public sealed class FashionMnistTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("modeldsl-fmnist-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void WriteSplit(string split, int count, string suffix, byte lastLabel = 9)
    {
        var labels = new byte[count];
        for (var i = 0; i < count; i++) labels[i] = (byte)(i % 10);
        labels[^1] = lastLabel;
        Idx.Write(Path.Combine(_dir, $"{split}-images-idx3-ubyte{suffix}"), [count, 28, 28], new byte[count * 28 * 28]);
        Idx.Write(Path.Combine(_dir, $"{split}-labels-idx1-ubyte{suffix}"), [count], labels);
    }

    [Theory]
    [InlineData(".gz")]
    [InlineData("")]
    public void Load_ReadsBothSplitsFromAFolder(string suffix)
    {
        WriteSplit("train", 20, suffix);
        WriteSplit("t10k", 10, suffix);
        var (train, test) = FashionMnist.Load(_dir, FashionMnist.Standardize);
        Assert.Equal(20, train.Count);
        Assert.Equal(10, test.Count);
        Assert.Equal(FashionMnist.ImageShape, train.SampleShape);
        Assert.Equal(10, train.ClassCount);
        Assert.Equal("Ankle boot", train.ClassNames![9]);
        Assert.Equal(-0.2860f / 0.3530f, train.Features[0], 6);
    }

    [Fact]
    public void LabelAboveNine_IsReportedWithTheFile()
    {
        WriteSplit("train", 20, ".gz", lastLabel: 12);
        WriteSplit("t10k", 10, ".gz");
        var e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(_dir));
        var labels = Path.Combine(_dir, "train-labels-idx1-ubyte.gz");
        Assert.Equal($"{labels}: the label of sample 19 is 12, but there are only 10 classes (labels 0 to 9).", e.Message);
    }

    [Fact]
    public void MissingFileOrFolder_IsReported()
    {
        WriteSplit("train", 20, ".gz");
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(_dir));
        Assert.Contains("t10k-images-idx3-ubyte.gz", e.Message);
        Assert.Throws<DirectoryNotFoundException>(() => FashionMnist.Load(Path.Combine(_dir, "absent")));
    }

    [Fact]
    public void InstalledDataset_HasTheDocumentedCounts()
    {
        if (!Directory.Exists(FashionMnist.DefaultDirectory))
            Assert.Skip($"{FashionMnist.DefaultDirectory} is absent (apt-get install dataset-fashion-mnist).");
        var (train, test) = FashionMnist.Load();
        Assert.Equal(60_000, train.Count);
        Assert.Equal(10_000, test.Count);
        Assert.Equal(Shape.Map(1, 28, 28), train.SampleShape);
        var perClass = new int[10];
        foreach (var label in train.Labels) perClass[label]++;
        Assert.All(perClass, c => Assert.Equal(6_000, c));
        Assert.All(test.Labels.ToArray(), l => Assert.InRange(l, 0, 9));
        var (mean, std) = train.ComputeMeanStd();
        Assert.Equal(FashionMnist.Mean, mean, 3e-4);
        Assert.Equal(FashionMnist.Std, std, 3e-4);
    }
}
