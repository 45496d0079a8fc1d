namespace ModelDsl.Tests.Data;

public sealed class Cifar10Tests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("modeldsl-cifar-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Writes a batch file of <paramref name="labels"/>.Length records; pixel i of record r is (r + i) mod 256.</summary>
    private string WriteBatch(string name, byte[] labels)
    {
        var bytes = new byte[labels.Length * Cifar10.RecordSize];
        for (var r = 0; r < labels.Length; r++)
        {
            bytes[r * Cifar10.RecordSize] = labels[r];
            for (var i = 0; i < 3072; i++) bytes[r * Cifar10.RecordSize + 1 + i] = (byte)((r + i) % 256);
        }
        var path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Load_ReadsLabelsAndChannelPlanesInOrder()
    {
        WriteBatch("data_batch_1.bin", [3, 7]);
        WriteBatch("data_batch_2.bin", [9]);
        WriteBatch("test_batch.bin", [0]);
        var (train, test) = Cifar10.Load(_directory, standardize: false);
        Assert.Equal(3, train.Count);
        Assert.Equal(1, test.Count);
        Assert.Equal([3, 7, 9], train.Labels.ToArray());
        Assert.Equal(Shape.Map(3, 32, 32), train.SampleShape);
        var second = train.Sample(1);
        Assert.Equal(1 / 255f, second[0]);                 // red, row 0, column 0 of record 1
        Assert.Equal((1 + 1024) % 256 / 255f, second[1024]); // green plane starts at 1,024
        Assert.Equal("truck", train.ClassNames![9]);

        var standardized = Cifar10.Load(_directory).Train.Sample(0);
        Assert.Equal((0 - 0.4914f) / 0.2470f, standardized[0], 5);
    }

    [Fact]
    public void MissingOrCorruptFiles_SayWhatIsWrong()
    {
        var missing = Assert.Throws<DirectoryNotFoundException>(() => Cifar10.Load(Path.Combine(_directory, "nope")));
        Assert.Contains("data_batch_1.bin", missing.Message);
        Assert.Throws<FileNotFoundException>(() => Cifar10.Load(_directory));
        var path = WriteBatch("data_batch_1.bin", [1]);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..1000]);
        WriteBatch("test_batch.bin", [0]);
        var truncated = Assert.Throws<InvalidDataException>(() => Cifar10.Load(_directory));
        Assert.Contains(path, truncated.Message);
        Assert.Contains("1000 bytes", truncated.Message);
        WriteBatch("data_batch_1.bin", [12]);
        Assert.Contains("label 12", Assert.Throws<InvalidDataException>(() => Cifar10.Load(_directory)).Message);
    }
}
