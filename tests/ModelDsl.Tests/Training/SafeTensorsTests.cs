using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using ModelDsl.Tests.Generated;
using ModelDsl.Zoo;

namespace ModelDsl.Tests.Training;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("modeldsl-safetensors-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    [Fact]
    public void SaveThenLoad_RestoresParametersAndBuffers_AndTheOutputs()
    {
        var trained = new TinyResNet(seed: 1);
        trained.GetParameter("StemBn.running_mean").Values.Fill(0.25f); // a buffer that is not its initial value
        var input = GeneratedModelTests.Random(2 * trained.InputShape.Size, 3);
        var expected = trained.Forward(input, 2).ToArray();
        var path = PathOf("tiny.safetensors");
        SafeTensors.Save(trained, path, new Dictionary<string, string> { ["epoch"] = "3" });

        var restored = new TinyResNet(seed: 99);
        Assert.Empty(SafeTensors.Load(restored, path));
        Assert.Equal(trained.Parameters.ToArray(), restored.Parameters.ToArray());
        Assert.Equal(trained.Buffers.ToArray(), restored.Buffers.ToArray());
        Assert.Equal(expected, restored.Forward(input, 2).ToArray());
        Assert.Equal("3", SafeTensors.Read(path).Metadata["epoch"]);
        Assert.Single(Directory.GetFiles(_directory)); // no temporary file left behind
    }

    [Fact]
    public void File_FollowsTheSafetensorsLayout()
    {
        var model = new CourseLeNet(seed: 2);
        var path = PathOf("lenet.safetensors");
        SafeTensors.Save(model, path);
        var bytes = File.ReadAllBytes(path);
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, (8 + headerLength) % 8);
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, headerLength).TrimEnd(' '));
        var weight = header.RootElement.GetProperty("Conv1.weight");
        Assert.Equal("F32", weight.GetProperty("dtype").GetString());
        Assert.Equal([20, 1, 5, 5], weight.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()));
        var offsets = weight.GetProperty("data_offsets").EnumerateArray().Select(o => o.GetInt64()).ToArray();
        Assert.Equal(4L * 500, offsets[1] - offsets[0]);
        var first = BitConverter.ToSingle(bytes, 8 + headerLength + (int)offsets[0]);
        Assert.Equal(model.GetParameter("Conv1.weight").Values[0], first);
        Assert.Equal(8 + headerLength + 4L * model.Parameters.Length, bytes.Length);
    }

    [Fact]
    public void CorruptFiles_AreRejectedWithTheFileAndTheProblem_AndTheModelIsUntouched()
    {
        var model = new TinyResNet(seed: 1);
        var path = PathOf("good.safetensors");
        SafeTensors.Save(model, path);
        var good = File.ReadAllBytes(path);
        var target = new TinyResNet(seed: 5);
        var before = target.Parameters.ToArray();

        void Expect(byte[] content, string problem)
        {
            var bad = PathOf("bad.safetensors");
            File.WriteAllBytes(bad, content);
            var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(target, bad));
            Assert.Contains(bad, e.Message);
            Assert.Contains(problem, e.Message);
            Assert.Equal(before, target.Parameters.ToArray());
        }

        Expect(good[..5], "too short");
        Expect(good[..100], "the header claims");
        Expect(good[..^40], "outside the");
        var garbled = (byte[])good.Clone();
        garbled[9] = (byte)'#';
        Expect(garbled, "not valid JSON");
        Assert.Throws<FileNotFoundException>(() => SafeTensors.Load(target, PathOf("missing.safetensors")));
    }

    [Fact]
    public void ShapeOrNameMismatch_NamesTheTensor_AndNonStrictSkipsWhatIsMissing()
    {
        var lenet = new CourseLeNet(seed: 1);
        var path = PathOf("lenet.safetensors");
        SafeTensors.Save(lenet, path);

        var resnet = new TinyResNet(seed: 1);
        var strict = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(resnet, path));
        Assert.Contains("'Stem.weight'", strict.Message);

        var other = new OtherHead(seed: 1); // same layers as the LeNet but a 5-way head
        var shape = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(other, path, strict: false));
        Assert.Contains("'Fc2.weight' is (10, 500) in the file but (5, 500)", shape.Message);
    }
}

/// <summary>The zoo's CourseLeNet with a 5-way head instead of 10.</summary>
[Model(Input = [1, 28, 28])]
public partial class OtherHead
{
    [Conv2D(20, Kernel = 5), ReLU] public partial Layer Conv1 { get; }
    [MaxPool2D(2)]                 public partial Layer Pool1 { get; }
    [Conv2D(50, Kernel = 5), ReLU] public partial Layer Conv2 { get; }
    [MaxPool2D(2)]                 public partial Layer Pool2 { get; }
    [Dense(500), ReLU]             public partial Layer Fc1 { get; }
    [Dense(5)]                     public partial Layer Fc2 { get; }
}
