using System.IO.Compression;

namespace ModelDsl.Tests.Data;

public sealed class IdxTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("modeldsl-idx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private static byte[] Pixels(int count)
    {
        var pixels = new byte[count];
        for (var i = 0; i < count; i++) pixels[i] = (byte)(i * 37 % 256);
        return pixels;
    }

    /// <summary>A raw IDX file: the magic number and the big-endian dimensions as given, then <paramref name="data"/>.</summary>
    private string WriteRaw(string name, int magic, int[] dimensions, byte[] data)
    {
        using var stream = new MemoryStream();
        void Int(int v) => stream.Write([(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v]);
        Int(magic);
        foreach (var d in dimensions) Int(d);
        stream.Write(data);
        File.WriteAllBytes(PathOf(name), stream.ToArray());
        return PathOf(name);
    }

    [Theory]
    [InlineData("images.idx3", "labels.idx1")]
    [InlineData("images.idx3.gz", "labels.idx1.gz")]
    public void WrittenFiles_ReadBackExactly(string imagesName, string labelsName)
    {
        var pixels = Pixels(3 * 2 * 4);
        byte[] labels = [2, 0, 1];
        Idx.Write(PathOf(imagesName), [3, 2, 4], pixels);
        Idx.Write(PathOf(labelsName), [3], labels);

        var images = Idx.ReadImages(PathOf(imagesName));
        Assert.Equal((3, 2, 4), (images.Count, images.Rows, images.Columns));
        Assert.Equal(pixels, images.Pixels);
        Assert.Equal(labels, Idx.ReadLabels(PathOf(labelsName)));

        var data = Dataset.FromIdx(PathOf(imagesName), PathOf(labelsName));
        Assert.Equal(Shape.Map(1, 2, 4), data.SampleShape);
        Assert.Equal([2, 0, 1], data.Labels.ToArray());
        Assert.Equal(pixels.Select(b => b / 255f), data.Features.ToArray());
        Assert.Equal(3, data.ClassCount);
    }

    [Fact]
    public void GzipIsDetectedByContent_NotByName()
    {
        var pixels = Pixels(2 * 3 * 3);
        Idx.Write(PathOf("a.gz"), [2, 3, 3], pixels);
        File.Move(PathOf("a.gz"), PathOf("a.idx3"));
        Assert.Equal(pixels, Idx.ReadImages(PathOf("a.idx3")).Pixels);
    }

    [Fact]
    public void Normalization_MapsBytesThroughMeanAndStd()
    {
        Idx.Write(PathOf("i"), [1, 1, 3], [0, 255, 51]);
        Idx.Write(PathOf("l"), [1], [0]);
        var data = Dataset.FromIdx(PathOf("i"), PathOf("l"), new Normalization(0.5f, 0.25f));
        Assert.Equal(new[] { -2f, 2f, (0.2f - 0.5f) / 0.25f }, data.Features.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => Dataset.FromIdx(PathOf("i"), PathOf("l"), new Normalization(0, 0)));
    }

    [Fact]
    public void TruncatedPixels_NameTheFileAndTheByteCounts()
    {
        var path = WriteRaw("train-images", Idx.ImagesMagic, [60_000, 28, 28], new byte[1024]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.Equal($"{path}: expected 47,040,000 pixel bytes after the header, found 1,024.", e.Message);
    }

    [Fact]
    public void TrailingBytes_AreReported()
    {
        var path = WriteRaw("labels", Idx.LabelsMagic, [2], [1, 2, 3]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));
        Assert.Equal($"{path}: expected 2 label bytes after the header, found more.", e.Message);
    }

    [Fact]
    public void BadMagic_IsReported()
    {
        var path = PathOf("not-idx");
        File.WriteAllText(path, "hello, world");
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.StartsWith($"{path}: not an IDX file of unsigned bytes: expected the magic number 0x00000803 (images), found 0x", e.Message);
    }

    [Fact]
    public void WrongDimensionCount_IsReported()
    {
        var labels = WriteRaw("labels", Idx.LabelsMagic, [4], [0, 1, 2, 3]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(labels));
        Assert.Equal($"{labels}: expected 3 dimensions (images, magic 0x00000803), found 1 (magic 0x00000801).", e.Message);
    }

    [Fact]
    public void TooShortForTheHeader_IsReported()
    {
        var path = PathOf("short");
        File.WriteAllBytes(path, [0, 0, 8, 3, 0, 0]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.Equal($"{path}: expected 12 bytes of dimensions after the magic number, found 2.", e.Message);
        File.WriteAllBytes(path, [0, 0]);
        Assert.Contains("expected a 4-byte IDX magic number, found 2 bytes", Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path)).Message);
    }

    [Fact]
    public void BadGzip_IsReported()
    {
        var path = PathOf("bad.gz");
        File.WriteAllBytes(path, [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));
        Assert.StartsWith($"{path}: ", e.Message);
    }

    [Fact]
    public void TruncatedGzip_IsReported()
    {
        var full = PathOf("full.gz");
        using (var gz = new GZipStream(File.Create(full), CompressionLevel.NoCompression))
        {
            gz.Write([0, 0, 8, 1, 0, 0, 0x10, 0]);
            gz.Write(Pixels(4096));
        }
        var bytes = File.ReadAllBytes(full);
        var cut = PathOf("cut.gz");
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(cut));
        Assert.StartsWith($"{cut}: ", e.Message);
    }

    [Fact]
    public void CountMismatch_NamesBothFiles()
    {
        Idx.Write(PathOf("i"), [3, 2, 2], new byte[12]);
        Idx.Write(PathOf("l"), [2], [0, 1]);
        var e = Assert.Throws<InvalidDataException>(() => Dataset.FromIdx(PathOf("i"), PathOf("l")));
        Assert.Equal($"{PathOf("i")} holds 3 images but {PathOf("l")} holds 2 labels; they must match.", e.Message);
    }

    [Fact]
    public void MissingFile_GivesFileNotFound()
    {
        var e = Assert.Throws<FileNotFoundException>(() => Idx.ReadImages(PathOf("nope.gz")));
        Assert.Equal(PathOf("nope.gz"), e.FileName);
        Assert.Contains(PathOf("nope.gz"), e.Message);
    }
}
