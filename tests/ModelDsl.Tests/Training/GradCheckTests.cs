using ModelDsl.Tests.Generated;

namespace ModelDsl.Tests.Training;

public class GradCheckTests
{
    [Fact]
    public void CorrectBackward_Passes_AndTheParametersAreRestored()
    {
        var net = new LeNetLikeSmooth(seed: 4);
        var before = net.Parameters.ToArray();
        var report = GradCheck.Run(net, GeneratedModelTests.Random(2 * 784, 5), batch: 2);
        Assert.True(report.Passed, report.ToString());
        Assert.Equal(net.ParameterList.Count, report.Tensors.Count);
        Assert.All(report.Tensors, t => Assert.InRange(t.Checked, Math.Min(8, net.GetParameter(t.Name).Length), 16)); // spread evenly, about 16 a tensor
        Assert.Equal(before, net.Parameters.ToArray());
        Assert.Contains("C1.weight", report.ToString());
    }

    [Fact]
    public void WrongBackward_IsCaught_ForTheWrongTensorOnly()
    {
        var model = new ScaledBackwardModel();
        var report = GradCheck.Run(model, GeneratedModelTests.Random(3 * 4, 2), batch: 3);
        Assert.False(report.Passed);
        var weight = report.Tensors.Single(t => t.Name == "fc.weight");
        var bias = report.Tensors.Single(t => t.Name == "fc.bias");
        Assert.True(weight.Failed > 0 && weight.MaxRelativeError > 0.2, report.ToString()); // backward doubles dW: (2g − g)/(3g) ≈ 1/3
        Assert.Equal(0, bias.Failed);
    }

    /// <summary>A linear model whose backward reports twice the true weight gradient.</summary>
    private sealed class ScaledBackwardModel : Model
    {
        public ScaledBackwardModel() : base(new LinearModel(Shape.Flat(4), 3).Layout, 1) { }

        protected override void ForwardCore(int n, bool training)
        {
            var x = Slot(0, n);
            var y = Slot(1, n);
            var w = Weights(0, 12);
            var b = Weights(12, 3);
            for (var i = 0; i < n; i++)
            for (var o = 0; o < 3; o++)
            {
                var sum = b[o];
                for (var j = 0; j < 4; j++) sum += w[o * 4 + j] * x[i * 4 + j];
                y[i * 3 + o] = sum;
            }
        }

        protected override void BackwardCore(int n)
        {
            var x = Slot(0, n);
            var dy = GradientSlot(0, n);
            var dw = Grads(0, 12);
            var db = Grads(12, 3);
            for (var i = 0; i < n; i++)
            for (var o = 0; o < 3; o++)
            {
                db[o] += dy[i * 3 + o];
                for (var j = 0; j < 4; j++) dw[o * 4 + j] += 2 * dy[i * 3 + o] * x[i * 4 + j];
            }
        }
    }
}

/// <summary>A small smooth network (tanh, average pooling) for the public gradient check.</summary>
[Model(Input = [1, 28, 28])]
public partial class LeNetLikeSmooth
{
    [Conv2D(4, Kernel = 5, Stride = 3, Padding = 2), Tanh] public partial Layer C1 { get; }
    [AvgPool2D(2)]                                        public partial Layer S2 { get; }
    [Dense(10)]                                           public partial Layer Logits { get; }
}
