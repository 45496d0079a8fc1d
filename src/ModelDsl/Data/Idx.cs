using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;

namespace ModelDsl;

/// <summary>
/// Reads and writes the IDX format of MNIST and Fashion-MNIST, gzip-compressed or raw (told apart by
/// the gzip magic bytes, not the name). A file is a 4-byte magic number (0, 0, type code 0x08 for
/// unsigned bytes, number of dimensions), one big-endian int32 per dimension, then the values.
/// </summary>
public static class Idx
{
    /// <summary>The magic number of a file of images: unsigned bytes, 3 dimensions (N, rows, columns).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>The magic number of a file of labels: unsigned bytes, 1 dimension (N).</summary>
    public const int LabelsMagic = 0x00000801;

    private const byte UnsignedByteType = 0x08;

    /// <summary>Reads a file of images (magic 0x00000803).</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not such a file or is cut short; the message names it and says what is wrong.</exception>
    public static IdxImages ReadImages(string path)
    {
        var (dimensions, data) = Read(path, 3, "images");
        return new IdxImages(dimensions[0], dimensions[1], dimensions[2], data);
    }

    /// <summary>Reads a file of labels (magic 0x00000801).</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not such a file or is cut short; the message names it and says what is wrong.</exception>
    public static byte[] ReadLabels(string path) => Read(path, 1, "labels").Data;

    /// <summary>Writes an IDX file of unsigned bytes with <paramref name="dimensions"/>; gzip-compressed when the path ends in <c>.gz</c>.</summary>
    /// <exception cref="ArgumentException">The dimensions' product differs from the data's length.</exception>
    public static void Write(string path, ReadOnlySpan<int> dimensions, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (dimensions.IsEmpty || dimensions.Length > 255)
            throw new ArgumentException("An IDX file has 1 to 255 dimensions.", nameof(dimensions));
        long product = 1;
        foreach (var d in dimensions)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(d, nameof(dimensions));
            product *= d;
        }
        if (product != data.Length)
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The dimensions give {product:N0} values but the data has {data.Length:N0}."),
                nameof(data));

        Span<byte> header = stackalloc byte[4 + 4 * dimensions.Length];
        header[2] = UnsignedByteType;
        header[3] = (byte)dimensions.Length;
        for (var i = 0; i < dimensions.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(header.Slice(4 + 4 * i), dimensions[i]);

        using var file = File.Create(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(file, CompressionLevel.Fastest)
            : file;
        stream.Write(header);
        stream.Write(data);
    }

    private static (int[] Dimensions, byte[] Data) Read(string path, int expectedRank, string what)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"The IDX {what} file {path} does not exist.", path);
        try
        {
            using var file = File.OpenRead(path);
            using var stream = IsGzip(file) ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
            return ReadBody(stream, path, expectedRank, what);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: not a valid gzip file ({e.Message})", e);
        }
    }

    private static bool IsGzip(FileStream file)
    {
        Span<byte> magic = stackalloc byte[2];
        var gzip = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false) == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
        file.Position = 0;
        return gzip;
    }

    private static (int[] Dimensions, byte[] Data) ReadBody(Stream stream, string path, int expectedRank, string what)
    {
        var expectedMagic = 0x0800 | expectedRank;
        Span<byte> magic = stackalloc byte[4];
        var read = stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        if (read < 4)
            throw Corrupt(path, $"expected a 4-byte IDX magic number, found {Count(read)} bytes");
        var found = BinaryPrimitives.ReadInt32BigEndian(magic);
        if (magic[0] != 0 || magic[1] != 0 || magic[2] != UnsignedByteType)
            throw Corrupt(path, $"not an IDX file of unsigned bytes: expected the magic number 0x{expectedMagic:X8} ({what}), found 0x{found:X8}");
        if (magic[3] != expectedRank)
            throw Corrupt(path, $"expected {expectedRank} dimension{(expectedRank == 1 ? "" : "s")} ({what}, magic 0x{expectedMagic:X8}), found {magic[3]} (magic 0x{found:X8})");

        Span<byte> header = stackalloc byte[4 * expectedRank];
        read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (read < header.Length)
            throw Corrupt(path, $"expected {Count(header.Length)} bytes of dimensions after the magic number, found {Count(read)}");
        var dimensions = new int[expectedRank];
        long length = 1;
        for (var i = 0; i < expectedRank; i++)
        {
            dimensions[i] = BinaryPrimitives.ReadInt32BigEndian(header.Slice(4 * i));
            if (dimensions[i] < 0)
                throw Corrupt(path, $"dimension {i} is {Count(dimensions[i])}");
            length *= dimensions[i];
        }
        if (length > Array.MaxLength)
            throw Corrupt(path, $"the dimensions ({string.Join(" × ", dimensions)}) promise {Count(length)} bytes, more than an array holds");

        var unit = expectedRank == 3 ? "pixel bytes" : "label bytes";
        var data = new byte[length];
        read = stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
        if (read < data.Length)
            throw Corrupt(path, $"expected {Count(length)} {unit} after the header, found {Count(read)}");
        Span<byte> extra = stackalloc byte[1];
        if (stream.Read(extra) != 0)
            throw Corrupt(path, $"expected {Count(length)} {unit} after the header, found more");
        return (dimensions, data);
    }

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static InvalidDataException Corrupt(string path, string problem) => new($"{path}: {problem}.");
}

/// <summary>The contents of an IDX images file: <see cref="Count"/> images of <see cref="Rows"/> × <see cref="Columns"/> bytes.</summary>
/// <param name="Count">The number of images N.</param>
/// <param name="Rows">Rows per image.</param>
/// <param name="Columns">Columns per image.</param>
/// <param name="Pixels">N × rows × columns bytes, row-major.</param>
public sealed record IdxImages(int Count, int Rows, int Columns, byte[] Pixels)
{
    /// <summary>The pixels as floats, each byte b mapped to (b / 255 − mean) / std.</summary>
    public float[] ToFeatures(Normalization normalization)
    {
        var features = new float[Pixels.Length];
        normalization.Apply(Pixels, features);
        return features;
    }
}
