namespace ModelDsl;

/// <summary>
/// Fashion-MNIST (Xiao, Rasul &amp; Vollgraf 2017): 28×28 grey images of 10 kinds of clothing,
/// 60,000 for training and 10,000 for testing, in the IDX format.
/// </summary>
public static class FashionMnist
{
    /// <summary>Where the Debian package <c>dataset-fashion-mnist</c> installs the files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The mean of the training pixels scaled to [0, 1].</summary>
    public const float Mean = 0.2860f;

    /// <summary>The standard deviation of the training pixels scaled to [0, 1].</summary>
    public const float Std = 0.3530f;

    /// <summary>The normalization that centers the training set: (x − 0.2860) / 0.3530.</summary>
    public static Normalization Standardize => new(Mean, Std);

    /// <summary>The class names, in label order.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The shape of one image: 1 × 28 × 28.</summary>
    public static Shape ImageShape => Shape.Map(1, 28, 28);

    /// <summary>
    /// Loads the training and test sets from <paramref name="directory"/> (default <see cref="DefaultDirectory"/>):
    /// <c>{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz</c>, or the same names without <c>.gz</c>.
    /// </summary>
    /// <param name="directory">The folder holding the four files.</param>
    /// <param name="normalization">How pixels become features; default [0, 1]. <see cref="Standardize"/> centers them.</param>
    /// <exception cref="DirectoryNotFoundException">The folder is missing (for the default one, the message says how to install it).</exception>
    /// <exception cref="FileNotFoundException">One of the files is missing.</exception>
    /// <exception cref="InvalidDataException">A file is corrupt, the counts disagree, or a label is above 9.</exception>
    public static (Dataset Train, Dataset Test) Load(string? directory = null, Normalization? normalization = null)
    {
        var folder = directory ?? DefaultDirectory;
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException(directory is null
                ? $"Fashion-MNIST is not installed: {DefaultDirectory} does not exist. Install it with `sudo apt-get install -y dataset-fashion-mnist`, or pass the folder holding the IDX files to FashionMnist.Load."
                : $"The Fashion-MNIST folder {folder} does not exist.");
        return (LoadSplit(folder, "train", normalization), LoadSplit(folder, "t10k", normalization));
    }

    private static Dataset LoadSplit(string folder, string split, Normalization? normalization) =>
        Dataset.FromIdx(
            Find(folder, $"{split}-images-idx3-ubyte"),
            Find(folder, $"{split}-labels-idx1-ubyte"),
            normalization, ClassNames);

    private static string Find(string folder, string name)
    {
        var gz = Path.Combine(folder, name + ".gz");
        if (File.Exists(gz)) return gz;
        var raw = Path.Combine(folder, name);
        if (File.Exists(raw)) return raw;
        throw new FileNotFoundException($"Fashion-MNIST file missing: neither {gz} nor {raw} exists.", gz);
    }
}
