using ModelDsl.Zoo;
namespace ModelDsl.Tests.Generated;

/// <summary>The generated models as a user sees them: counts, names, layouts, initialization, shape checks.</summary>
public class GeneratedModelTests
{
    [Fact]
    public void ModernLeNet5_HasExactly61706Parameters()
    {
        Assert.Equal(61_706, LeNet5.ParameterCount);
        Assert.Equal(61_706, new LeNet5().Parameters.Length);
        Assert.Equal(61_706, LeNet5.Summary.TotalParameters);
    }

    [Fact]
    public void ParameterNamesAndLayouts_FollowPyTorch()
    {
        var net = new LeNet5();
        Assert.Equal(
            ["C1.weight", "C1.bias", "C3.weight", "C3.bias", "F5.weight", "F5.bias", "F6.weight", "F6.bias", "Logits.weight", "Logits.bias"],
            net.ParameterList.Select(p => p.Name));
        Assert.Equal([6, 1, 5, 5], net.C1.Weight!.Dimensions);
        Assert.Equal([6], net.C1.Bias!.Dimensions);
        Assert.Equal([120, 400], net.GetParameter("F5.weight").Dimensions);
        Assert.Null(net.A1.Weight);
        Assert.Equal(Shape.Map(16, 5, 5), net.S4.Output);
        Assert.Equal(Shape.Flat(120), net.F5.Output);
        var missing = Assert.Throws<KeyNotFoundException>(() => net.GetParameter("C2.weight"));
        Assert.Contains("C1.weight", missing.Message);
    }

    [Fact]
    public void ParameterViews_AliasTheFlatBuffer()
    {
        var net = new LeNet5();
        net.C3.Bias!.Values[2] = 42f;
        Assert.Equal(42f, net.Parameters[150 + 6 + 2400 + 2]);
        net.Gradients[0] = 7f;
        Assert.Equal(7f, net.C1.Weight!.Gradient[0]);
    }

    [Fact]
    public void Initialization_IsDeterministic_AndWithinTheStatedScales()
    {
        var a = new CourseLeNet(seed: 3);
        var b = new CourseLeNet(seed: 3);
        var c = new CourseLeNet(seed: 4);
        Assert.True(a.Parameters.SequenceEqual(b.Parameters));
        Assert.False(a.Parameters.SequenceEqual(c.Parameters));

        // Conv2 feeds a ReLU: He-uniform, a = √(6 / fan_in), fan_in = 20·5·5; uniform variance a²/3.
        var w = a.Conv2.Weight!.Values.ToArray();
        var bound = MathF.Sqrt(6f / 500);
        Assert.All(w, v => Assert.InRange(MathF.Abs(v), 0, bound));
        var variance = w.Select(v => (double)v * v).Average();
        Assert.InRange(variance, bound * bound / 3 * 0.9, bound * bound / 3 * 1.1);
        Assert.All(a.Conv2.Bias!.Values.ToArray(), v => Assert.Equal(0f, v));

        // Fc2 feeds nothing: Glorot-uniform, a = √(6 / (fan_in + fan_out)) = √(6 / 510).
        var glorot = MathF.Sqrt(6f / 510);
        Assert.All(a.Fc2.Weight!.Values.ToArray(), v => Assert.InRange(MathF.Abs(v), 0, glorot));
        Assert.Contains(a.Fc2.Weight!.Values.ToArray(), v => MathF.Abs(v) > glorot * 0.9f);
    }

    [Fact]
    public void Forward_WithTheWrongInputLength_SaysWhatItExpected()
    {
        var net = new LeNet5();
        var e = Assert.Throws<ArgumentException>(() => net.Forward(new float[2 * 28 * 28 + 1], 2));
        Assert.Contains("N × 1×28×28 = 2 × 784 = 1568", e.Message);
        Assert.Contains("1569", e.Message);
        var batch = Assert.Throws<ArgumentOutOfRangeException>(() => net.Forward(new float[784], 0));
        Assert.Equal("batch", batch.ParamName);
    }

    [Fact]
    public void Backward_WithoutTrainingForward_IsAnError()
    {
        var net = new LeNet5();
        Assert.Throws<InvalidOperationException>(() => net.Backward(new float[10]));
        net.Forward(new float[784], 1, training: false);
        Assert.Throws<InvalidOperationException>(() => net.Backward(new float[10]));
        net.Forward(new float[784], 1, training: true);
        Assert.Throws<ArgumentException>(() => net.Backward(new float[11]));
    }

    [Fact]
    public void Summary_ListsEveryLayer_WithShapesAndTotals()
    {
        var text = LeNet5.Summary.ToString();
        Assert.Contains("C3       Conv2D(6→16, F=5, S=1, P=0)", text);
        Assert.Contains("(N, 16, 10, 10)", text);
        Assert.Contains("61,706", text);
        Assert.Equal(9, LeNet5.Summary.Layers.Count);
        Assert.Equal(2_416, LeNet5.Summary.Layers[3].Parameters);
    }

    [Fact]
    public void Softmax_OutputRowsSumToOne()
    {
        var net = new Everything(seed: 1);
        var input = Random(2 * Everything.Summary.Input.Size, 5);
        var y = net.Forward(input, 2).ToArray();
        Assert.Equal(1.0, y.Take(5).Sum(), 5);
        Assert.Equal(1.0, y.Skip(5).Sum(), 5);
    }

    [Fact]
    public void Dropout_DropsInTraining_AndIsTheIdentityInInference()
    {
        var net = new DropoutNet(seed: 2);
        var input = Random(64 * 16, 9);
        var inference1 = net.Forward(input, 64, training: false).ToArray();
        var inference2 = net.Forward(input, 64, training: false).ToArray();
        Assert.Equal(inference1, inference2);
        var training1 = net.Forward(input, 64, training: true).ToArray();
        var training2 = net.Forward(input, 64, training: true).ToArray();
        Assert.NotEqual(training1, training2); // a new mask each step
        Assert.NotEqual(inference1, training1);
    }

    [Fact]
    public void DropoutRngState_SetOnAnotherModel_DrawsTheSameMasks()
    {
        var net = new DropoutNet(seed: 2);
        var input = Random(64 * 16, 9);
        net.Forward(input, 64, training: true);
        var state = net.DropoutRngState;
        var next = net.Forward(input, 64, training: true).ToArray();

        var other = new DropoutNet(seed: 7); // another generator
        net.Parameters.CopyTo(other.Parameters);
        Assert.NotEqual(next, other.Forward(input, 64, training: true).ToArray());
        other.DropoutRngState = state;
        Assert.Equal(next, other.Forward(input, 64, training: true).ToArray());
        Assert.Equal(net.DropoutRngState, other.DropoutRngState);
    }

    internal static float[] Random(int length, int seed)
    {
        var rng = new Rng((ulong)seed);
        var values = new float[length];
        for (var i = 0; i < values.Length; i++) values[i] = rng.NextSymmetric(1f);
        return values;
    }
}
