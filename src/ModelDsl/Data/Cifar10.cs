namespace ModelDsl;

/// <summary>
/// CIFAR-10 (Krizhevsky 2009) in its binary batch format, from a folder you supply: <c>data_batch_1.bin</c> …
/// <c>data_batch_5.bin</c> (50,000 training images) and <c>test_batch.bin</c> (10,000), each record one
/// label byte then 3,072 pixel bytes (1,024 red, 1,024 green, 1,024 blue, rows of 32), i.e. (C, H, W) order.
/// </summary>
public static class Cifar10
{
    /// <summary>Bytes per record: a label and 3×32×32 pixels.</summary>
    public const int RecordSize = 1 + 3 * 32 * 32;

    /// <summary>Per-channel means of the training pixels scaled to [0, 1] (red, green, blue).</summary>
    public static IReadOnlyList<float> Mean { get; } = [0.4914f, 0.4822f, 0.4465f];

    /// <summary>Per-channel standard deviations of the training pixels scaled to [0, 1].</summary>
    public static IReadOnlyList<float> Std { get; } = [0.2470f, 0.2435f, 0.2616f];

    /// <summary>The class names, in label order.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>The shape of one image: 3 × 32 × 32.</summary>
    public static Shape ImageShape => Shape.Map(3, 32, 32);

    /// <summary>
    /// Loads the training batches present among <c>data_batch_1.bin</c>…<c>data_batch_5.bin</c> and <c>test_batch.bin</c>
    /// from <paramref name="directory"/>, pixels scaled to [0, 1] and, when <paramref name="standardize"/>, each
    /// channel standardized with <see cref="Mean"/> and <see cref="Std"/>.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder is missing; the message says what it must hold.</exception>
    /// <exception cref="FileNotFoundException">No training batch or no test batch is there.</exception>
    /// <exception cref="InvalidDataException">A file's length is not a whole number of records, or a label is above 9.</exception>
    public static (Dataset Train, Dataset Test) Load(string directory, bool standardize = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException(
                $"{directory}: no such folder. CIFAR-10 is read from the binary version's files (data_batch_1.bin … data_batch_5.bin, test_batch.bin); download and unpack them there.");
        var trainFiles = Enumerable.Range(1, 5).Select(i => Path.Combine(directory, $"data_batch_{i}.bin")).Where(File.Exists).ToArray();
        if (trainFiles.Length == 0)
            throw new FileNotFoundException($"{directory}: no data_batch_1.bin … data_batch_5.bin (CIFAR-10 binary version).", Path.Combine(directory, "data_batch_1.bin"));
        var testFile = Path.Combine(directory, "test_batch.bin");
        if (!File.Exists(testFile)) throw new FileNotFoundException($"{testFile}: missing (CIFAR-10 binary version).", testFile);
        return (Read(trainFiles, standardize), Read([testFile], standardize));
    }

    /// <summary>Reads and concatenates batch files.</summary>
    public static Dataset Read(IReadOnlyList<string> files, bool standardize = true)
    {
        var contents = files.Select(f => (Path: f, Bytes: File.ReadAllBytes(f))).ToArray();
        foreach (var (path, bytes) in contents)
        {
            if (bytes.Length == 0 || bytes.Length % RecordSize != 0)
                throw new InvalidDataException($"{path}: {bytes.Length} bytes is not a whole number of {RecordSize}-byte records (truncated or not a CIFAR-10 binary batch).");
        }
        var count = contents.Sum(c => c.Bytes.Length / RecordSize);
        var features = new float[count * 3072];
        var labels = new int[count];
        var n = 0;
        foreach (var (path, bytes) in contents)
        {
            for (var r = 0; r < bytes.Length / RecordSize; r++, n++)
            {
                var record = bytes.AsSpan(r * RecordSize, RecordSize);
                if (record[0] > 9) throw new InvalidDataException($"{path}: record {r} has label {record[0]}; CIFAR-10 labels are 0 to 9.");
                labels[n] = record[0];
                var pixels = features.AsSpan(n * 3072, 3072);
                for (var i = 0; i < 3072; i++)
                {
                    var value = record[1 + i] / 255f;
                    var channel = i / 1024;
                    pixels[i] = standardize ? (value - Mean[channel]) / Std[channel] : value;
                }
            }
        }
        return new Dataset(features, labels, ImageShape, ClassNames);
    }
}
