using ModelDsl;

namespace ModelDsl.Reports.Tests;

/// <summary>A convolution (C1.weight is (4, 1, 3, 3)) then a dense head (F.weight is (3, 64)).</summary>
[Model(Input = [1, 6, 6])]
public partial class TinyConvNet
{
    [Conv2D(4, Kernel = 3), ReLU] public partial Layer C1 { get; }
    [Dense(3)]                    public partial Layer F { get; }
}

/// <summary>A second convolution with many filters and channels: C2.weight is (64, 16, 3, 3).</summary>
[Model(Input = [1, 8, 8])]
public partial class WideConvNet
{
    [Conv2D(16, Kernel = 3), ReLU] public partial Layer C1 { get; }
    [Conv2D(64, Kernel = 3), ReLU] public partial Layer C2 { get; }
    [Dense(2)]                     public partial Layer F { get; }
}

internal static class TestData
{
    public static readonly string[] ClassNames = ["circle", "square", "cross"];

    /// <summary><paramref name="count"/> 6×6 samples of 3 classes (the class sets a bright column), labels cycling 0, 1, 2.</summary>
    public static Dataset Samples(int count, int seed = 1)
    {
        var random = new Random(seed);
        var features = new float[count * 36];
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            labels[i] = i % 3;
            for (var p = 0; p < 36; p++)
                features[i * 36 + p] = (float)(random.NextDouble() * 0.2 + (p % 6 == 2 * labels[i] ? 1 : 0));
        }
        return new Dataset(features, labels, Shape.Map(1, 6, 6), ClassNames);
    }

    public static Trainer NewTrainer(int seed = 3) => new(new TinyConvNet(seed), new Sgd(0.05f, momentum: 0.9f));

    /// <summary>A folder under the temporary directory, deleted with its contents on dispose.</summary>
    public sealed class TempFolder : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "modeldsl-reports-" + Guid.NewGuid().ToString("N"));

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose()
        {
            if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
        }
    }
}
